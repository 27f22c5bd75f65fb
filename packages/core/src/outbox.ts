import { EventEmitter } from 'eventemitter3'
import type { Clock } from './clock.js'
import { Collections } from './admin/collections.js'
import type { AdminContext } from './admin/context.js'
import { DeadLetters } from './admin/dead-letters.js'
import { Deliveries } from './admin/deliveries.js'
import type { EndpointSecurity } from './admin/endpoint-security.js'
import type { Endpoints } from './admin/endpoints.js'
import { Results } from './admin/results.js'
import { scopeOf, type TenantScope } from './admin/tenant-scope.js'
import { Tenants } from './admin/tenants.js'
import type { OutboxSecurity, SecurityOptions } from './auth/outbox-security.js'
import { reportingAuthenticator } from './auth/report-auth-errors.js'
import { wireSecurity } from './auth/wire-security.js'
import { defaultDispatcherOptions, Dispatcher, type DispatcherOptions } from './dispatcher/dispatcher.js'
import { ValidationError } from './errors.js'
import type { DeliveryEvent, OutboxEvents } from './events.js'
import type { Authenticator } from './http/authenticator.js'
import { HttpTransport, type HttpTransportOptions } from './http/transport.js'
import { silentLogger, type Logger } from './logger.js'
import { EndpointHealth } from './health/endpoint-health.js'
import { healthOptions, type EndpointHealthInput } from './health/health-options.js'
import type { Transport } from './transport/transport.js'
import { Transports } from './transport/transports.js'
import { GuardedEndpoints } from './ssrf/guarded-endpoints.js'
import { toMessageRecord, type MessageLimits, type NotifyOptions, type NotifyResult, type OutboxEvent } from './message.js'
import { defaultRetention, purgeExpired, type RetentionOptions } from './retention.js'
import type { EnqueueOutcome, PurgeCounts, Store } from './store/store.js'
import { andThen } from './transaction/maybe-async.js'
import type { ResultFor, TransactionOf } from './transaction/transaction-handle.js'
import { withinTime } from './within-time.js'
import { isSyncHandle, toHostTransaction } from './transaction/to-host-transaction.js'
import { InProcessCounters } from './metrics/in-process-counters.js'
import { readOutboxStats, type OutboxStats } from './metrics/outbox-stats.js'
import type { CataloguedEvent } from './catalog/catalogued-event.js'
import type { EventCatalog } from './catalog/define-events.js'
import { EventTypeRules, type EventTypeInfo } from './catalog/event-catalog.js'
import { createOutboxTelemetry } from './telemetry/outbox-telemetry.js'
import type { TelemetryOptions } from './telemetry/telemetry-options.js'

/** Options of {@link createOutbox}; `C` is the event catalog given as `events`. */
export interface OutboxOptions<C extends EventCatalog = EventCatalog> {
  /** Where messages, deliveries and configuration live. */
  store: Store
  /** Time source, shared with `security`; pass a `ManualClock` in tests. */
  clock?: Clock
  /** Receives warnings and errors; silent by default. */
  logger?: Logger
  /** Dispatcher tuning. */
  dispatcher?: Partial<DispatcherOptions>
  /** Circuit breaker, auto-disable after failing for days, and the adaptive in-flight window; see the README. */
  health?: EndpointHealthInput
  /**
   * HTTP transport tuning, and whether `http:` endpoint and OAuth2 token URLs are accepted
   * (default false). A custom `dispatcher` is refused while the SSRF guard is on.
   */
  http?: HttpTransportOptions & { allowHttp?: boolean; userAgent?: string }
  /** Transports for endpoint URL schemes other than `http:`/`https:` (e.g. `mailto:`). */
  transports?: Transport[]
  /**
   * Adds credentials to outgoing requests, instead of the security layer's authenticator; give
   * the `endpointSecurity` that stores what it applies along with it.
   */
  authenticator?: Authenticator
  /** Prepares, redacts and reveals endpoint credentials, instead of the security layer. */
  endpointSecurity?: EndpointSecurity
  /**
   * Endpoint auth (HMAC signing by default, JWT, Basic, OAuth2, Ed25519), secrets encrypted at
   * rest and the SSRF guard: options, or the result of `createSecurity`. Always on: without it
   * the defaults apply (encryption with `HOOKBOX_ENCRYPTION_KEY` when set).
   */
  security?: SecurityOptions | OutboxSecurity
  /** Largest accepted payload, in bytes of JSON (default 256 KiB). */
  maxPayloadBytes?: number
  /**
   * The event types this outbox sends, from {@link defineEvents}: `notify` accepts only these,
   * typed by their schemas, validates payloads with them, and `eventTypes()` lists them.
   */
  events?: C
  /** When set, only these event types may be notified: a catalog of names only (not with `events`). */
  eventTypes?: string[]
  /**
   * For a receiver on this machine while developing: `http:` URLs are accepted and loopback
   * addresses (127.0.0.0/8, ::1, localhost) pass the SSRF guard. Everything else stays guarded;
   * off by default, never turn it on in production.
   */
  development?: boolean
  /** How long an idempotency key suppresses repeats (default 24 h). */
  idempotencyWindowMs?: number
  /** How long `outbox.results` keeps a result (default 7 days). */
  resultsTtlMs?: number
  /** Clean-up of final records and expired results. */
  retention?: RetentionOptions
  /** Called once a delivery is dead-lettered (after the state is durable). */
  onDeadLetter?: (event: DeliveryEvent) => void | Promise<void>
  /**
   * OpenTelemetry metrics and attempt spans, when the host has installed `@opentelemetry/api`
   * (default: its global providers); `false` turns them off.
   */
  telemetry?: TelemetryOptions | false
}

/**
 * What `notify` returns for options of type `O`: the result itself with a synchronous handle,
 * a promise with an asynchronous one or none, either when the handle's type is `any` or a union
 * of both kinds ({@link ResultFor}).
 */
export type NotifyReturn<O> = ResultFor<TransactionOf<O>, NotifyResult>
/** What `notifyMany` returns for options of type `O`; see {@link NotifyReturn}. */
export type NotifyManyReturn<O> = ResultFor<TransactionOf<O>, NotifyResult[]>

/** The handle returned by {@link createOutbox}; `C` is its event catalog, if it has one. */
export interface Outbox<C extends EventCatalog = EventCatalog> extends AsyncDisposable {
  /** Creates or upgrades the store's tables; safe to call twice and concurrently. */
  migrate(): Promise<void>
  /**
   * Writes an event to the outbox in the caller's transaction. With a better-sqlite3 `Database`
   * the row is written before `notify` returns and the result is returned directly (so it works
   * inside `db.transaction()`); otherwise a promise. Bad input throws before anything is written.
   *
   * The return type follows the handle's type ({@link NotifyReturn}): a handle typed `any`, or as
   * a union of sync and async handles, gives `NotifyResult | Promise<NotifyResult>`; `await` it.
   */
  notify<O extends NotifyOptions = object>(event: CataloguedEvent<C>, options?: O): NotifyReturn<O>
  /** Writes many events in one statement; same transaction rules as {@link Outbox.notify}. */
  notifyMany<O extends NotifyOptions = object>(events: CataloguedEvent<C>[], options?: O): NotifyManyReturn<O>
  /** The event catalog (`events` or `eventTypes`) in declaration order; empty when any type is accepted. */
  eventTypes(): EventTypeInfo[]
  /** Starts the dispatcher in this process. */
  start(): void
  /** Stops claiming, waits up to `timeout` ms (default 30 s) for attempts in flight, then resolves. */
  stop(options?: { timeout?: number }): Promise<void>
  /**
   * Stops the dispatcher and releases connections the outbox or its store opened; `timeout`
   * (ms) bounds both the wait for attempts in flight and the closing of connections.
   */
  close(options?: { timeout?: number }): Promise<void>
  /** Runs one complete dispatch pass and resolves when it is done (for tests, cron, scripts). */
  drain(): Promise<number>
  /** Collections: named groups of endpoints with a filter, policy and failure mode. */
  readonly collections: Collections
  /** Endpoints: where webhooks go. */
  readonly endpoints: Endpoints
  /** Deliveries and their attempt logs. */
  readonly deliveries: Deliveries
  /** The dead-letter queue. */
  readonly deadLetters: DeadLetters
  /** Cached responses by request id (FrankieOne `/retrieve`, Attestr GetAsyncResponse). */
  readonly results: Results
  /** Tenants (the platform's customers): list, disable/enable, purge. */
  readonly tenants: Tenants
  /** Deletes records past their retention now, in batches; the running dispatcher also does this on a schedule. */
  purge(): Promise<PurgeCounts>
  /** Subscribes to an event; see {@link OutboxEvents}. */
  on<E extends keyof OutboxEvents>(event: E, listener: (...args: OutboxEvents[E]) => void): this
  /** Subscribes once. */
  once<E extends keyof OutboxEvents>(event: E, listener: (...args: OutboxEvents[E]) => void): this
  /** Unsubscribes. */
  off<E extends keyof OutboxEvents>(event: E, listener: (...args: OutboxEvents[E]) => void): this
  /** The store, for its own extra methods. */
  readonly store: Store
  /**
   * Pending work and its age, dead letters and endpoint health from the store (shared by all
   * processes), plus this process's attempts by outcome, final states and latency histogram.
   * With `tenant`, the store's counts are that tenant's (null: the platform's own).
   */
  stats(options?: TenantScope): Promise<OutboxStats>
}

/** What `notify` answers for one outcome of the store. */
const toResult = (r: EnqueueOutcome): NotifyResult => ({ messageId: r.messageId, requestId: r.requestId, duplicate: r.duplicate })

/**
 * Creates an outbox over a store. Nothing runs until `start()`; call `migrate()` once first.
 *
 * @example
 * ```ts
 * const outbox = createOutbox({ store: sqliteStore({ database: db }) })
 * await outbox.migrate()
 * outbox.start()
 * ```
 */
export function createOutbox<C extends EventCatalog = EventCatalog>(options: OutboxOptions<C>): Outbox<C> {
  if (!options?.store) throw new ValidationError('createOutbox needs a store, e.g. sqliteStore({ database })')
  const { store } = options
  const wired = wireSecurity(options)
  const clock = wired.clock
  const logger = options.logger ?? silentLogger
  const catalog = new EventTypeRules(options.events, options.eventTypes)
  if (options.development) logger.warn('hookbox: development mode, http: and loopback endpoint URLs are allowed')
  const emitter = new EventEmitter<OutboxEvents>()
  // Dispatcher-side failures also reach the logger, so they are seen even without a listener.
  emitter.on('error', ({ error, phase }) => logger.error(`hookbox: ${phase} failed`, { error }))
  const counters = new InProcessCounters(emitter, clock.now())
  const telemetry = createOutboxTelemetry(options.telemetry, emitter, async () => {
    const at = clock.now()
    return { at, stats: await store.housekeeping.stats({ now: at }) }
  })
  const limits: MessageLimits = {
    maxPayloadBytes: options.maxPayloadBytes ?? 256 * 1024,
    eventTypes: catalog.names,
  }
  const idempotencyWindowMs = options.idempotencyWindowMs ?? 24 * 60 * 60 * 1000
  const dispatcherOptions = {
    ...defaultDispatcherOptions,
    ...(store.defaultConcurrency !== undefined && { concurrency: store.defaultConcurrency }),
    ...options.dispatcher,
  }
  for (const [k, min] of [
    ['concurrency', 1],
    ['batchSize', 1],
    ['pollIntervalMs', 1],
    ['leaseMs', 2_000],
  ] as const)
    if (!Number.isInteger(dispatcherOptions[k]) || dispatcherOptions[k] < min)
      throw new ValidationError(`dispatcher.${k} must be an integer >= ${min}, got ${dispatcherOptions[k]}`)
  if (dispatcherOptions.leaseMs < 5_000)
    logger.warn('hookbox: leaseMs under 5 s risks duplicate sends', { leaseMs: dispatcherOptions.leaseMs })
  // As many connections per origin as deliveries in flight: a request queued for a socket
  // would spend its timeout waiting and be counted as failed although it was then sent.
  const transports = new Transports([
    new HttpTransport({ connectionsPerOrigin: dispatcherOptions.concurrency, ...wired.http }),
    ...(options.transports ?? []),
  ])
  const { onDeadLetter } = options
  /** A throwing or rejecting hook is reported, never thrown into the dispatcher. */
  const callDeadLetterHook = async (hook: NonNullable<typeof onDeadLetter>, event: DeliveryEvent) => {
    try {
      await hook(event)
    } catch (error) {
      emitter.emit('error', { error, phase: 'hook' })
    }
  }
  const dispatcher = new Dispatcher({
    store,
    clock,
    logger,
    emitter,
    options: dispatcherOptions,
    counter: counters,
    health: new EndpointHealth(healthOptions(options.health), { store, clock, emitter, maxWindow: dispatcherOptions.concurrency }),
    send: {
      transports,
      clock,
      authenticator: reportingAuthenticator(options.authenticator ?? wired.security.authenticator, (error, endpointId) =>
        emitter.emit('error', { error, phase: 'auth', endpointId }),
      ),
      userAgent: options.http?.userAgent ?? 'Hookbox/0.1',
      trace: telemetry.tracer,
    },
    // None without an onDeadLetter hook: no payload built and no promise made per final state.
    ...(onDeadLetter && { onFinal: (state, event) => void (state === 'dead' && callDeadLetterHook(onDeadLetter, event)) }),
  })
  let unsubscribe: (() => Promise<void>) | null = null
  let closed: Promise<void> | null = null
  const retention = { ...defaultRetention, ...options.retention }
  let retentionTimer: NodeJS.Timeout | null = null
  const purge = () => purgeExpired(store, clock, retention, idempotencyWindowMs)

  /**
   * Wakes the dispatcher soon after the caller's commit. A synchronous (SQLite) caller has
   * committed by the next tick; an async one commits after `notify` resolves, usually one round
   * trip later, so it is looked for after 1 and 4 ms, and 20 ms catches slower transactions.
   */
  const followUps = new Map<number, NodeJS.Timeout>()
  const wakeSoon = (committing = false) => {
    if (!dispatcher.running) return
    if (!committing) dispatcher.wake()
    for (const ms of committing ? [1, 4, 20] : [20]) {
      if (followUps.has(ms)) continue
      followUps.set(
        ms,
        setTimeout(() => {
          followUps.delete(ms)
          dispatcher.wake()
        }, ms).unref(),
      )
    }
  }
  const admin: AdminContext = { store, clock, allowHttp: wired.allowHttp, transports, changed: wakeSoon }

  const write = (events: OutboxEvent[], o: NotifyOptions = {}): NotifyResult[] | Promise<NotifyResult[]> => {
    // A synchronous handle answers (and throws) at once; every other call answers with a promise,
    // so even bad input or a refused handle is a rejection, never a synchronous throw.
    if (isSyncHandle(o.transaction)) return writeNow(events, o)
    try {
      return Promise.resolve(writeNow(events, o))
    } catch (error) {
      return Promise.reject(error)
    }
  }
  const writeNow = (events: OutboxEvent[], o: NotifyOptions): NotifyResult[] | Promise<NotifyResult[]> => {
    if (!Array.isArray(events)) throw new ValidationError('notifyMany expects an array of events')
    return andThen(catalog.validate(events, isSyncHandle(o.transaction)), (valid) => enqueue(valid, o))
  }
  const enqueue = (events: OutboxEvent[], o: NotifyOptions): NotifyResult[] | Promise<NotifyResult[]> => {
    const now = clock.now()
    const messages = events.map((e) => toMessageRecord(e, o, limits, now))
    const transaction = toHostTransaction(o.transaction)
    const request = { messages, idempotencySince: now - idempotencyWindowMs, ...(transaction && { transaction }) }
    // Inline, not a named closure: notify is on the host's hot path, one allocation less per call.
    return andThen(store.queue.enqueue(request), (outcomes: EnqueueOutcome[]) => {
      // Through a caller's async transaction the row is not committed yet.
      wakeSoon(transaction !== undefined && !transaction.sync)
      return outcomes.map(toResult)
    })
  }

  const outbox: Outbox<C> = {
    store,
    collections: new Collections(admin),
    endpoints: new GuardedEndpoints(admin, options.endpointSecurity ?? wired.security.endpointSecurity, wired.guard),
    deliveries: new Deliveries(admin),
    deadLetters: new DeadLetters(admin),
    results: new Results(admin, options.resultsTtlMs ?? 7 * 24 * 60 * 60 * 1000),
    tenants: new Tenants(admin),
    purge,
    migrate: () => store.housekeeping.migrate(),
    eventTypes: () => catalog.list(),
    stats: async (o) => readOutboxStats(store, clock, counters, scopeOf(o)),
    notify(event, o) {
      const r = write([event], o)
      return (Array.isArray(r) ? r[0] : r.then((x) => x[0])) as never
    },
    notifyMany(events, o) {
      if (o?.idempotencyKey) {
        const error = new ValidationError('notifyMany takes idempotency keys per event, not in options')
        if (isSyncHandle(o.transaction)) throw error
        return Promise.reject(error) as never
      }
      return write(events, o) as never
    },
    start() {
      dispatcher.start()
      if (retention.everyMs > 0 && !retentionTimer) {
        retentionTimer = setInterval(() => purge().catch((error) => emitter.emit('error', { error, phase: 'purge' })), retention.everyMs)
        retentionTimer.unref()
      }
      if (store.queue.subscribe && !unsubscribe) {
        const pending = store.queue.subscribe(
          () => dispatcher.wake(),
          (error) => emitter.emit('error', { error, phase: 'wake' }),
        )
        unsubscribe = async () => (await pending)()
        pending.catch((error) => emitter.emit('error', { error, phase: 'wake' }))
      }
    },
    async stop(o = {}) {
      if (retentionTimer) clearInterval(retentionTimer)
      retentionTimer = null
      const unsub = unsubscribe
      unsubscribe = null
      const timeout = o.timeout ?? 30_000
      // UNLISTEN on a connection that hangs would never answer: bounded like every other phase.
      await withinTime(
        unsub?.().catch((error) => emitter.emit('error', { error, phase: 'wake' })),
        timeout,
      )
      await dispatcher.stop(timeout)
    },
    drain: () => dispatcher.runOnce(),
    on(event, listener) {
      emitter.on(event, listener as never)
      return this
    },
    once(event, listener) {
      emitter.once(event, listener as never)
      return this
    },
    off(event, listener) {
      emitter.off(event, listener as never)
      return this
    },
    close(o = {}) {
      closed ??= (async () => {
        await outbox.stop(o)
        await transports.close(o.timeout ?? 30_000)
        await withinTime(wired.close(), o.timeout ?? 30_000)
        telemetry.close()
        await withinTime(store.close(), o.timeout ?? 30_000)
      })()
      return closed
    },
    [Symbol.asyncDispose]: () => outbox.close(),
  }
  return outbox
}
