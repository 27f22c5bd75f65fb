import type { Migration } from '@hookbox/core'

/** The first schema: outbox, configuration, deliveries with leases, attempt log, results. */
export const initialMigration: Migration = {
  version: 1,
  name: 'initial',
  sql: () => `
CREATE TABLE hookbox_messages (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  type TEXT NOT NULL,
  payload TEXT NOT NULL,
  request_id TEXT NOT NULL,
  entity_id TEXT,
  ordering_key TEXT,
  idempotency_key TEXT,
  created_at INTEGER NOT NULL,
  expanded INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX hookbox_messages_unexpanded ON hookbox_messages (seq) WHERE expanded = 0;
CREATE UNIQUE INDEX hookbox_messages_idempotency ON hookbox_messages (idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX hookbox_messages_request ON hookbox_messages (request_id);
CREATE INDEX hookbox_messages_created ON hookbox_messages (created_at);

CREATE TABLE hookbox_collections (
  name TEXT PRIMARY KEY,
  events TEXT,
  policy TEXT NOT NULL,
  failure_mode TEXT NOT NULL CHECK (failure_mode IN ('each', 'majority')),
  success TEXT,
  enabled INTEGER NOT NULL DEFAULT 1,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);

CREATE TABLE hookbox_endpoints (
  id TEXT PRIMARY KEY,
  collection TEXT NOT NULL REFERENCES hookbox_collections (name),
  url TEXT NOT NULL,
  enabled INTEGER NOT NULL,
  disabled_reason TEXT,
  events TEXT,
  headers TEXT NOT NULL,
  timeout_ms INTEGER,
  success TEXT,
  append_request_id INTEGER NOT NULL,
  auth TEXT,
  description TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX hookbox_endpoints_collection ON hookbox_endpoints (collection);

CREATE TABLE hookbox_deliveries (
  id TEXT PRIMARY KEY,
  message_id TEXT NOT NULL,
  message_seq INTEGER NOT NULL,
  collection TEXT NOT NULL,
  failure_mode TEXT NOT NULL,
  endpoint_id TEXT,
  targets TEXT NOT NULL,
  progress TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'failed', 'dead')),
  attempts INTEGER NOT NULL,
  next_attempt_at INTEGER,
  window_start INTEGER NOT NULL,
  last_error TEXT,
  ordering_key TEXT,
  lease_owner TEXT,
  lease_until INTEGER,
  lease_token TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  completed_at INTEGER
);
CREATE INDEX hookbox_deliveries_due ON hookbox_deliveries (next_attempt_at, message_seq) WHERE state = 'pending';
CREATE INDEX hookbox_deliveries_message ON hookbox_deliveries (message_id);
CREATE INDEX hookbox_deliveries_final ON hookbox_deliveries (state, completed_at) WHERE state <> 'pending';
CREATE INDEX hookbox_deliveries_ordering ON hookbox_deliveries (ordering_key, collection, message_seq)
  WHERE ordering_key IS NOT NULL AND state = 'pending';

CREATE TABLE hookbox_attempts (
  id TEXT PRIMARY KEY,
  delivery_id TEXT NOT NULL,
  endpoint_id TEXT NOT NULL,
  round INTEGER NOT NULL,
  url TEXT NOT NULL,
  started_at INTEGER NOT NULL,
  latency_ms INTEGER NOT NULL,
  status_code INTEGER,
  outcome TEXT NOT NULL,
  error TEXT,
  response_snippet TEXT
);
CREATE INDEX hookbox_attempts_delivery ON hookbox_attempts (delivery_id);

CREATE TABLE hookbox_results (
  request_id TEXT PRIMARY KEY,
  status INTEGER NOT NULL,
  body TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE INDEX hookbox_results_expiry ON hookbox_results (expires_at);
`,
}
