/**
 * Hookbox core: the transactional outbox, dispatcher, policies, HTTP transport, the `Store`
 * roles that storage packages implement and the adapters that join a host's transaction.
 *
 * @module @hookbox/core
 */
export { createOutbox } from './outbox.js'
export type { Outbox, OutboxOptions, NotifyReturn, NotifyManyReturn } from './outbox.js'
export type { SyncTransaction, AsyncTransaction, TransactionHandle, ResultFor, TransactionOf } from './transaction/transaction-handle.js'
export type { OutboxEvent, NotifyOptions, NotifyResult } from './message.js'
export { defineEvents } from './catalog/define-events.js'
export type { EventDefinition, EventCatalog, PayloadOf, CheckedCatalog } from './catalog/define-events.js'
export type { CataloguedEvent } from './catalog/catalogued-event.js'
export type { EventTypeInfo } from './catalog/event-catalog.js'
export { checkTenant, TOKEN as TOKEN_PATTERN, TYPE as EVENT_TYPE_PATTERN } from './message.js'
export type {
  OutboxEvents,
  AttemptEvent,
  DeliveryEvent,
  RetryingEvent,
  ErrorEvent,
  EndpointDisabledEvent,
  EndpointPausedEvent,
  EndpointRecoveredEvent,
  UnroutedEvent,
} from './events.js'
export * from './policies/index.js'
export { successRules, judge } from './success-rule.js'
export type { SuccessRule, AckMatcher, Verdict } from './success-rule.js'
export { matchesEvent } from './event-filter.js'
export { ManualClock, systemClock } from './clock.js'
export type { Clock } from './clock.js'
export { silentLogger } from './logger.js'
export type { Logger } from './logger.js'
export * from './errors.js'
export { HttpTransport, parseRetryAfter } from './http/transport.js'
export type { HttpTransportOptions } from './http/transport.js'
export type {
  Transport,
  OutgoingRequest,
  TransportRequest,
  SendResult,
  TransportResponse,
  TransportErrorKind,
} from './transport/transport.js'
export { noAuthentication } from './http/authenticator.js'
export type { Authenticator, AttemptContext } from './http/authenticator.js'
export type { EndpointSecurity, CredentialChange, PreparedCredentials, EndpointSigningSecrets } from './admin/endpoint-security.js'
export type { Collections, CollectionInput, Collection } from './admin/collections.js'
export type {
  Endpoints,
  EndpointInput,
  EndpointPatch,
  EndpointUpsert,
  UpsertedEndpoint,
  Endpoint,
  EndpointWithSecrets,
  RotateSecretOptions,
} from './admin/endpoints.js'
export type { Deliveries, DeliveryDetail, DeliveryFilter } from './admin/deliveries.js'
export type { DeadLetters, DeadLetterSelection } from './admin/dead-letters.js'
export type { Tenants, Tenant, TenantDisableOptions } from './admin/tenants.js'
export type { TenantScope } from './admin/tenant-scope.js'
export { tenantToColumn, tenantFromColumn, tenantColumns } from './store/tenant-column.js'
export type { Results, StoredResult, ResultPutOptions } from './admin/results.js'
export { defaultRetention } from './retention.js'
export type { OutboxStats } from './metrics/outbox-stats.js'
export type { ProcessCounters, AttemptCounts, CompletedCounts } from './metrics/in-process-counters.js'
export { LATENCY_BUCKETS_MS } from './metrics/latency-histogram.js'
export type { LatencySnapshot, LatencyBucket } from './metrics/latency-histogram.js'
export type { TelemetryOptions, OtelMeterProvider, OtelTracerProvider, OtelTextMapPropagator } from './telemetry/telemetry-options.js'
export type { AttemptTracer, AttemptSpanInfo, TracedAttempt } from './telemetry/attempt-tracer.js'
export type { RetentionOptions } from './retention.js'
export type { DispatcherOptions } from './dispatcher/dispatcher.js'
export { defaultDispatcherOptions } from './dispatcher/dispatcher.js'
export { createPlanner } from './dispatcher/plan.js'
export type { PlannerOptions } from './dispatcher/plan.js'
export { newDelivery } from './store/new-delivery.js'
export { planEnqueue } from './store/idempotency.js'
export { sqlNotifyErrors } from './store/sql-notify-errors.js'
export { replayed, cancelled } from './store/transitions.js'
export { newId } from './ids.js'
export type * from './store/records.js'
export type * from './store/store.js'
export type { SqlExecutor, SyncSqlExecutor, SqlResult, HostTransaction } from './transaction/sql-executor.js'
export { toHostTransaction, isSyncHandle } from './transaction/to-host-transaction.js'
export { fromBetterSqlite3 } from './transaction/from-better-sqlite3.js'
export type { BetterSqlite3Database, BetterSqlite3Statement } from './transaction/from-better-sqlite3.js'
export { fromKysely } from './transaction/from-kysely.js'
export type { KyselyHandle, FromKyselyOptions } from './transaction/from-kysely.js'
export { fromPg, isPgPool } from './transaction/from-pg.js'
export type { PgClient, FromPgOptions } from './transaction/from-pg.js'
export { fromMysql2 } from './transaction/from-mysql2.js'
export type { Mysql2Connection } from './transaction/from-mysql2.js'
export { fromDrizzle } from './transaction/from-drizzle.js'
export type { DrizzleTransaction, DrizzleSqlTag } from './transaction/from-drizzle.js'
export { fromKnex, isKnexTransaction } from './transaction/from-knex.js'
export type { KnexTransaction } from './transaction/from-knex.js'
export { fromPrisma, isPrismaClient } from './transaction/from-prisma.js'
export type { PrismaTransactionClient } from './transaction/from-prisma.js'
export { andThen } from './transaction/maybe-async.js'
export { createSecurity } from './auth/outbox-security.js'
export type { SecurityOptions, OutboxSecurity, JwtSecurityOptions } from './auth/outbox-security.js'
export type {
  EndpointAuthInput,
  JwtAuthInput,
  BasicAuthInput,
  OAuth2AuthInput,
  HmacAuthInput,
  Ed25519AuthInput,
  NoneAuthInput,
  JwtAlgorithm,
} from './auth/endpoint-auth.js'
export { ENCRYPTION_KEY_ENV } from './auth/encryption-key-env.js'
export { createJwtSigner } from './auth/jwt-signer.js'
export type { JwtSigner, JwtSignerOptions } from './auth/jwt-signer.js'
export { localKeySigner } from './auth/key-signer.js'
export type { KeySigner } from './auth/key-signer.js'
export { hmacSigner, ed25519Signer } from './auth/webhook-signer.js'
export type { WebhookSigner, SignedContent } from './auth/webhook-signer.js'
export { generateHmacSecret, generateEd25519Pair, generateToken } from './auth/random-secrets.js'
export { bodyDigest, BODY_DIGEST_CLAIM, MESSAGE_ID_CLAIM } from './auth/body-digest.js'
export { verifySignature } from './auth/verify-signature.js'
export type { VerifySignatureOptions, VerifiedSignature } from './auth/verify-signature.js'
export { verifyJwt } from './auth/verify-jwt.js'
export type { VerifyJwtOptions, VerifiedJwt } from './auth/verify-jwt.js'
export { createReplayCache } from './auth/replay-cache.js'
export type { ReplayCache } from './auth/replay-cache.js'
export type { WebhookRequest } from './auth/webhook-request.js'
export { createSsrfGuard } from './ssrf/ssrf-guard.js'
export type { SsrfGuard, SsrfOptions, Resolver } from './ssrf/ssrf-guard.js'
export { guardedConnector } from './ssrf/guarded-connector.js'
