import type { Generated } from 'kysely'

/** `hookbox_messages`: the outbox rows `notify` writes. */
export interface MessagesTable {
  /** `''` for no tenant. */
  tenant: string
  seq: Generated<number>
  id: string
  type: string
  payload: string
  request_id: string
  entity_id: string | null
  ordering_key: string | null
  idempotency_key: string | null
  created_at: number
  expanded: Generated<number>
}

/** `hookbox_idempotency_keys`: one row per key, naming the message that holds it. */
export interface IdempotencyKeysTable {
  tenant: string
  key: string
  message_id: string
  request_id: string
  created_at: number
}

/** `hookbox_collections`. JSON columns are text (TEXT on SQLite, LONGTEXT on MySQL). */
export interface CollectionsTable {
  name: string
  events: string | null
  policy: string
  failure_mode: string
  success: string | null
  enabled: number
  created_at: number
  updated_at: number
}

/** `hookbox_endpoints`. */
export interface EndpointsTable {
  /** `''` for no tenant. */
  tenant: string
  /** Unique per tenant when set. */
  name: string | null
  id: string
  collection: string
  url: string
  enabled: number
  disabled_reason: string | null
  events: string | null
  headers: string
  timeout_ms: number | null
  success: string | null
  append_request_id: number
  auth: string | null
  description: string | null
  max_in_flight: number | null
  rate_per_second: number | null
  paused_until: number | null
  failing_since: number | null
  created_at: number
  updated_at: number
}

/** `hookbox_deliveries`: what is owed to whom, with its lease. */
export interface DeliveriesTable {
  /** `''` for no tenant. */
  tenant: string
  id: string
  message_id: string
  message_seq: number
  collection: string
  failure_mode: string
  endpoint_id: string | null
  targets: string
  progress: string
  state: string
  attempts: number
  next_attempt_at: number | null
  window_start: number
  /** The delivery's end (`DeliveryRecord.deadline`); null: none known, or written before the column existed. */
  deadline: number | null
  last_error: string | null
  ordering_key: string | null
  lease_owner: string | null
  lease_until: number | null
  lease_token: string | null
  created_at: number
  updated_at: number
  completed_at: number | null
}

/** `hookbox_attempts`: the attempt log. */
export interface AttemptsTable {
  /** `''` for no tenant. */
  tenant: string
  id: string
  delivery_id: string
  endpoint_id: string
  round: number
  url: string
  started_at: number
  latency_ms: number
  status_code: number | null
  outcome: string
  error: string | null
  response_snippet: string | null
}

/** `hookbox_results`: cached responses by request id. */
export interface ResultsTable {
  tenant: string
  request_id: string
  status: number
  body: string
  created_at: number
  expires_at: number
}

/** `hookbox_tenants`: each known tenant's state. */
export interface TenantsTable {
  tenant: string
  enabled: number
  disabled_reason: string | null
  created_at: number
  updated_at: number
}

/** `hookbox_config_version`: one row, bumped by every write to collections, endpoints or tenants. */
export interface ConfigVersionTable {
  version: number
}

/**
 * The tables the shared queries read and write, as SQLite and MySQL declare them: JSON as
 * text, booleans as 0/1, times as epoch milliseconds. A store's own schema adds its
 * migrations table.
 */
export interface KyselyTables {
  hookbox_messages: MessagesTable
  hookbox_idempotency_keys: IdempotencyKeysTable
  hookbox_collections: CollectionsTable
  hookbox_endpoints: EndpointsTable
  hookbox_deliveries: DeliveriesTable
  hookbox_attempts: AttemptsTable
  hookbox_results: ResultsTable
  hookbox_tenants: TenantsTable
  hookbox_config_version: ConfigVersionTable
}
