import type { ColumnType, Generated } from 'kysely'

/**
 * An epoch-millisecond `bigint` column. pg returns int8 as a string (it may exceed 2^53), and
 * `to_jsonb` returns it as a number; `rows.ts` turns both into numbers.
 */
export type Int8 = ColumnType<string | number, number, number>
/** A nullable {@link Int8}. */
export type NullableInt8 = ColumnType<string | number | null, number | null, number | null>
/** A `jsonb` column: parsed by pg on read, written as JSON text. */
export type Jsonb<T> = ColumnType<T, string, string>
/** A nullable {@link Jsonb}. */
export type NullableJsonb<T> = ColumnType<T | null, string | null, string | null>

/** `messages`: the outbox rows written by `notify`. */
export interface MessagesTable {
  /** `''` for no tenant (migration 6). */
  tenant: string
  id: string
  seq: Generated<string | number>
  type: string
  payload: string
  request_id: string
  entity_id: string | null
  ordering_key: string | null
  idempotency_key: string | null
  created_at: Int8
  expanded: Generated<boolean>
}

/** `idempotency_keys`: one row per key, pointing at the message that owns it. */
export interface IdempotencyKeysTable {
  /** `''` for no tenant (migration 6). */
  tenant: string
  key: string
  message_id: string
  request_id: string
  created_at: Int8
}

/** `collections`. */
export interface CollectionsTable {
  name: string
  events: NullableJsonb<string[]>
  policy: Jsonb<unknown>
  failure_mode: string
  success: NullableJsonb<unknown>
  enabled: boolean
  created_at: Int8
  updated_at: Int8
}

/** `endpoints`. */
export interface EndpointsTable {
  /** `''` for no tenant (migration 6). */
  tenant: string
  id: string
  collection: string
  url: string
  enabled: boolean
  disabled_reason: string | null
  events: NullableJsonb<string[]>
  headers: Jsonb<Record<string, string>>
  timeout_ms: number | null
  success: NullableJsonb<unknown>
  append_request_id: boolean
  auth: NullableJsonb<Record<string, unknown>>
  description: string | null
  max_in_flight: number | null
  rate_per_second: number | null
  paused_until: NullableInt8
  failing_since: NullableInt8
  created_at: Int8
  updated_at: Int8
}

/** `deliveries`: a message owed to a collection or an endpoint, with its lease. */
export interface DeliveriesTable {
  /** `''` for no tenant (migration 6). */
  tenant: string
  id: string
  message_id: string
  message_seq: Int8
  request_id: string
  collection: string
  failure_mode: string
  endpoint_id: string | null
  targets: Jsonb<string[]>
  progress: Jsonb<Record<string, string>>
  state: string
  attempts: number
  next_attempt_at: NullableInt8
  window_start: Int8
  /** The delivery's end (`DeliveryRecord.deadline`); null: none known, or written before migration 5. */
  deadline: NullableInt8
  last_error: string | null
  ordering_key: string | null
  created_at: Int8
  updated_at: Int8
  completed_at: NullableInt8
  lease_owner: string | null
  lease_until: NullableInt8
  lease_token: string | null
}

/** `attempts`: the log of every HTTP attempt. */
export interface AttemptsTable {
  /** `''` for no tenant (migration 6). */
  tenant: string
  id: string
  delivery_id: string
  endpoint_id: string
  round: number
  url: string
  started_at: Int8
  latency_ms: number
  status_code: number | null
  outcome: string
  error: string | null
  response_snippet: string | null
}

/** `results`: cached responses by request id. */
export interface ResultsTable {
  /** `''` for no tenant (migration 6). */
  tenant: string
  request_id: string
  status: number
  body: NullableJsonb<unknown>
  created_at: Int8
  expires_at: Int8
}

/** `tenants`: each known tenant's state. */
export interface TenantsTable {
  tenant: string
  enabled: boolean
  disabled_reason: string | null
  created_at: Int8
  updated_at: Int8
}

/** `migrations`: which numbered migrations ran. */
export interface MigrationsTable {
  id: number
  name: string
  applied_at: Generated<Date>
}

/** The store's tables, as kysely sees them (inside the configured schema). */
export interface HookboxDatabase {
  messages: MessagesTable
  idempotency_keys: IdempotencyKeysTable
  collections: CollectionsTable
  endpoints: EndpointsTable
  deliveries: DeliveriesTable
  attempts: AttemptsTable
  results: ResultsTable
  tenants: TenantsTable
  migrations: MigrationsTable
}
