import { PayloadNotSerializableError, PayloadTooLargeError, ValidationError } from './errors.js'
import { newId } from './ids.js'
import type { MessageRecord } from './store/records.js'
import type { TransactionHandle } from './transaction/transaction-handle.js'

/** An event the host wants delivered. */
export interface OutboxEvent<TPayload = unknown> {
  /**
   * The customer the event is about (a token, as a request id): it reaches only that tenant's
   * endpoints. Absent or null: the platform's own endpoints (those with no tenant) only.
   */
  tenant?: string | null
  /** Event type, e.g. `entity.state_changed`; matched against collection filters. */
  type: string
  /** Any JSON-serialisable value; sent as the request body. */
  payload: TPayload
  /** Correlates the webhook with the host's request; defaults to the message id. */
  requestId?: string
  /** The entity the event is about, for look-ups. */
  entityId?: string
  /** Events with the same key reach each endpoint in order. */
  orderingKey?: string
  /** A repeat within the idempotency window is a no-op returning the first message's ids. */
  idempotencyKey?: string
}

/** Options of `notify` and `notifyMany`. */
export interface NotifyOptions {
  /**
   * The caller's open transaction ({@link TransactionHandle}): a better-sqlite3 `Database` inside
   * `db.transaction()`, a kysely `Transaction`, a pg `PoolClient` inside `BEGIN`, a mysql2 promise
   * connection after `beginTransaction()`, or an adapter's {@link SqlExecutor}. Omitted: written
   * on its own.
   */
  transaction?: TransactionHandle
  /** Default ordering key for events that do not carry one. */
  orderingKey?: string
  /** Idempotency key (only for `notify`, not `notifyMany`). */
  idempotencyKey?: string
}

/** What `notify` returns. */
export interface NotifyResult {
  /** The message id (a ULID); also the `webhook-id` header of every attempt. */
  messageId: string
  requestId: string
  /** True when an idempotency key matched an earlier message, whose ids these are. */
  duplicate: boolean
}

/** Limits applied to events before they are written. */
export interface MessageLimits {
  maxPayloadBytes: number
  eventTypes: ReadonlySet<string> | null
}

/** Request ids, ordering and idempotency keys: URL-safe (request ids are appended to paths). */
export const TOKEN = /^[A-Za-z0-9._~:-]{1,128}$/
/** Event types: dot-separated words of letters, digits and _ - : (at most 200 characters). */
export const TYPE = /^[A-Za-z0-9_\-:]+(\.[A-Za-z0-9_\-:]+)*$/

/**
 * A tenant as given by a caller: a token (the rules of a request id), or absent/null for none.
 * Anything else is a {@link ValidationError}.
 */
export function checkTenant(value: unknown): string | null {
  return checkToken('tenant', value)
}

function checkToken(name: string, value: unknown): string | null {
  if (value === undefined || value === null) return null
  if (typeof value !== 'string' || !TOKEN.test(value))
    throw new ValidationError(`${name} must be 1-128 characters of letters, digits and . _ ~ : -, got ${JSON.stringify(value)}`)
  return value
}

function serialise(payload: unknown): string {
  let text: string | undefined
  try {
    text = JSON.stringify(payload)
  } catch (err) {
    throw new PayloadNotSerializableError(`payload is not JSON-serialisable: ${(err as Error).message}`, { cause: err })
  }
  if (text === undefined) throw new PayloadNotSerializableError(`payload of type ${typeof payload} has no JSON form`)
  return text
}

/** Validates an event and turns it into an outbox row; throws before anything is written. */
export function toMessageRecord(event: OutboxEvent, options: NotifyOptions, limits: MessageLimits, now: number): MessageRecord {
  if (!event || typeof event !== 'object') throw new ValidationError('an event must be an object with a type and a payload')
  if (typeof event.type !== 'string' || !TYPE.test(event.type) || event.type.length > 200)
    throw new ValidationError(`event type must be dot-separated words, got ${JSON.stringify(event.type)}`)
  if (limits.eventTypes && !limits.eventTypes.has(event.type))
    throw new ValidationError(`unknown event type "${event.type}"`, 'UNKNOWN_EVENT_TYPE')
  const payload = serialise(event.payload)
  const bytes = Buffer.byteLength(payload)
  if (bytes > limits.maxPayloadBytes) throw new PayloadTooLargeError(bytes, limits.maxPayloadBytes)
  const id = newId(now)
  const tenant = checkTenant(event.tenant)
  return {
    id,
    tenant,
    type: event.type,
    payload,
    requestId: checkToken('requestId', event.requestId) ?? id,
    entityId: event.entityId == null ? null : String(event.entityId),
    orderingKey: checkToken('orderingKey', event.orderingKey ?? options.orderingKey),
    idempotencyKey: checkToken('idempotencyKey', event.idempotencyKey ?? options.idempotencyKey),
    createdAt: now,
  }
}
