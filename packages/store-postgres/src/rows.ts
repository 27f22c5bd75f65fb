import type {
  AttemptRecord,
  CollectionRecord,
  DeliveryRecord,
  DeliveryState,
  EndpointRecord,
  FailureMode,
  MessageRecord,
  NewDelivery,
  ResultRecord,
  TenantRecord,
} from '@hookbox/core'
import { tenantFromColumn, tenantToColumn } from '@hookbox/core'
import type { Selectable } from 'kysely'
import type {
  AttemptsTable,
  CollectionsTable,
  DeliveriesTable,
  EndpointsTable,
  MessagesTable,
  ResultsTable,
  TenantsTable,
} from './schema.js'

/** A `bigint` as pg (string) or `to_jsonb` (number) returns it, as a number. */
export function toMs(value: string | number): number {
  return typeof value === 'number' ? value : Number(value)
}

/** A nullable `bigint`, as a number or null. */
export function toMsOrNull(value: string | number | null | undefined): number | null {
  return value === null || value === undefined ? null : toMs(value)
}

/** JSON text for a `jsonb` parameter. */
export function json(value: unknown): string {
  return JSON.stringify(value)
}

/** JSON text for a nullable `jsonb` parameter (undefined and null both store SQL null). */
export function jsonOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : JSON.stringify(value)
}

/** A `messages` row as a record (its `seq` and `expanded` are not read). */
export function messageFromRow(r: Omit<Selectable<MessagesTable>, 'seq' | 'expanded'>): MessageRecord {
  return {
    id: r.id,
    tenant: tenantFromColumn(r.tenant),
    type: r.type,
    payload: r.payload,
    requestId: r.request_id,
    entityId: r.entity_id,
    orderingKey: r.ordering_key,
    idempotencyKey: r.idempotency_key,
    createdAt: toMs(r.created_at),
  }
}

/** A `collections` row as a record. */
export function collectionFromRow(r: Selectable<CollectionsTable>): CollectionRecord {
  return {
    name: r.name,
    events: r.events,
    policy: r.policy as CollectionRecord['policy'],
    failureMode: r.failure_mode as FailureMode,
    success: (r.success ?? null) as CollectionRecord['success'],
    enabled: r.enabled,
    createdAt: toMs(r.created_at),
    updatedAt: toMs(r.updated_at),
  }
}

/** A collection record as column values. */
export function collectionToRow(c: CollectionRecord) {
  return {
    name: c.name,
    events: jsonOrNull(c.events),
    policy: json(c.policy),
    failure_mode: c.failureMode,
    success: jsonOrNull(c.success),
    enabled: c.enabled,
    created_at: c.createdAt,
    updated_at: c.updatedAt,
  }
}

/** An `endpoints` row as a record. */
export function endpointFromRow(r: Selectable<EndpointsTable>): EndpointRecord {
  return {
    id: r.id,
    tenant: tenantFromColumn(r.tenant),
    name: r.name,
    collection: r.collection,
    url: r.url,
    enabled: r.enabled,
    disabledReason: r.disabled_reason,
    events: r.events,
    headers: r.headers ?? {},
    timeoutMs: r.timeout_ms,
    success: (r.success ?? null) as EndpointRecord['success'],
    appendRequestId: r.append_request_id,
    auth: r.auth,
    description: r.description,
    maxInFlight: r.max_in_flight,
    ratePerSecond: r.rate_per_second,
    pausedUntil: toMsOrNull(r.paused_until),
    failingSince: toMsOrNull(r.failing_since),
    createdAt: toMs(r.created_at),
    updatedAt: toMs(r.updated_at),
  }
}

/** An endpoint record as column values. */
export function endpointToRow(e: EndpointRecord) {
  return {
    id: e.id,
    tenant: tenantToColumn(e.tenant),
    name: e.name,
    collection: e.collection,
    url: e.url,
    enabled: e.enabled,
    disabled_reason: e.disabledReason,
    events: jsonOrNull(e.events),
    headers: json(e.headers ?? {}),
    timeout_ms: e.timeoutMs,
    success: jsonOrNull(e.success),
    append_request_id: e.appendRequestId,
    auth: jsonOrNull(e.auth),
    description: e.description,
    max_in_flight: e.maxInFlight,
    rate_per_second: e.ratePerSecond,
    paused_until: e.pausedUntil,
    failing_since: e.failingSince,
    created_at: e.createdAt,
    updated_at: e.updatedAt,
  }
}

/** The columns a delivery record is made of: the lease's and the message's `seq` stay in the database. */
export type DeliveryRecordColumns = Omit<Selectable<DeliveriesTable>, 'message_seq' | 'lease_owner' | 'lease_until' | 'lease_token'>

/** A `deliveries` row as a record. */
export function deliveryFromRow(r: DeliveryRecordColumns): DeliveryRecord {
  return {
    id: r.id,
    messageId: r.message_id,
    tenant: tenantFromColumn(r.tenant),
    collection: r.collection,
    failureMode: r.failure_mode as FailureMode,
    endpointId: r.endpoint_id,
    targets: r.targets,
    progress: r.progress as DeliveryRecord['progress'],
    state: r.state as DeliveryState,
    attempts: r.attempts,
    nextAttemptAt: toMsOrNull(r.next_attempt_at),
    windowStart: toMs(r.window_start),
    deadline: toMsOrNull(r.deadline),
    lastError: r.last_error,
    orderingKey: r.ordering_key,
    createdAt: toMs(r.created_at),
    updatedAt: toMs(r.updated_at),
    completedAt: toMsOrNull(r.completed_at),
  }
}

/** A new delivery as a row for `jsonb_to_recordset` (see `expand`); `messageSeq` is its message's `seq`. */
export function deliveryToRow({ delivery: d, lease }: NewDelivery, messageSeq: number, requestId: string) {
  return {
    id: d.id,
    message_id: d.messageId,
    tenant: tenantToColumn(d.tenant),
    message_seq: messageSeq,
    request_id: requestId,
    collection: d.collection,
    failure_mode: d.failureMode,
    endpoint_id: d.endpointId,
    targets: d.targets,
    progress: d.progress,
    state: d.state,
    attempts: d.attempts,
    next_attempt_at: d.nextAttemptAt,
    window_start: d.windowStart,
    deadline: d.deadline,
    last_error: storable(d.lastError),
    ordering_key: d.orderingKey,
    created_at: d.createdAt,
    updated_at: d.updatedAt,
    completed_at: d.completedAt,
    lease_owner: lease?.owner ?? null,
    lease_until: lease?.until ?? null,
    lease_token: lease?.token ?? null,
  }
}

/** An `attempts` row as a record. */
export function attemptFromRow(r: Selectable<AttemptsTable>): AttemptRecord {
  return {
    id: r.id,
    deliveryId: r.delivery_id,
    tenant: tenantFromColumn(r.tenant),
    endpointId: r.endpoint_id,
    round: r.round,
    url: r.url,
    startedAt: toMs(r.started_at),
    latencyMs: r.latency_ms,
    statusCode: r.status_code,
    outcome: r.outcome as AttemptRecord['outcome'],
    error: r.error,
    responseSnippet: r.response_snippet,
  }
}

/** Text Postgres can store: `text` and `jsonb` reject NUL, which a response body may contain. */
export function storable(text: string | null): string | null {
  return text === null ? null : text.replaceAll('\u0000', '\uFFFD')
}

/** An attempt record as a row for `jsonb_to_recordset` (see `complete`). */
export function attemptToRow(a: AttemptRecord) {
  return {
    id: a.id,
    delivery_id: a.deliveryId,
    tenant: tenantToColumn(a.tenant),
    endpoint_id: a.endpointId,
    round: a.round,
    url: a.url,
    started_at: a.startedAt,
    latency_ms: Math.round(a.latencyMs),
    status_code: a.statusCode,
    outcome: a.outcome,
    error: storable(a.error),
    response_snippet: storable(a.responseSnippet),
  }
}

/** A `results` row as a record. */
export function resultFromRow(r: Selectable<ResultsTable>): ResultRecord {
  return {
    requestId: r.request_id,
    tenant: tenantFromColumn(r.tenant),
    status: r.status,
    body: r.body,
    createdAt: toMs(r.created_at),
    expiresAt: toMs(r.expires_at),
  }
}

/** A result record as column values. */
export function resultToRow(r: ResultRecord) {
  return {
    tenant: tenantToColumn(r.tenant),
    request_id: r.requestId,
    status: r.status,
    body: jsonOrNull(r.body),
    created_at: r.createdAt,
    expires_at: r.expiresAt,
  }
}

/** A `tenants` row as a record. */
export function tenantFromRow(r: Selectable<TenantsTable>): TenantRecord {
  return {
    tenant: r.tenant,
    enabled: r.enabled,
    disabledReason: r.disabled_reason,
    createdAt: toMs(r.created_at),
    updatedAt: toMs(r.updated_at),
  }
}

/** A tenant record as column values. */
export function tenantToRow(t: TenantRecord) {
  return { tenant: t.tenant, enabled: t.enabled, disabled_reason: t.disabledReason, created_at: t.createdAt, updated_at: t.updatedAt }
}
