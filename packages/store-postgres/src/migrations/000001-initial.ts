import type { Migration } from '@hookbox/core'

/**
 * The initial schema. Times are epoch milliseconds from the outbox clock (`bigint`), never the
 * database's `now()`. Partial indexes keep claiming and expanding fast however many final rows
 * pile up: they only hold pending deliveries and unexpanded messages.
 */
export const initialMigration: Migration = {
  version: 1,
  name: 'initial',
  sql: (s) => `
CREATE TABLE ${s}.messages (
  id text PRIMARY KEY,
  seq bigint GENERATED ALWAYS AS IDENTITY,
  type text NOT NULL,
  payload text NOT NULL,
  request_id text NOT NULL,
  entity_id text,
  ordering_key text,
  idempotency_key text,
  created_at bigint NOT NULL,
  expanded boolean NOT NULL DEFAULT false
);
CREATE INDEX messages_unexpanded ON ${s}.messages (seq) WHERE NOT expanded;
CREATE INDEX messages_unexpanded_ordering ON ${s}.messages (ordering_key, seq) WHERE NOT expanded AND ordering_key IS NOT NULL;
-- Only expanded messages can be purged; leaving the rest out spares notify one index insert.
CREATE INDEX messages_purgeable ON ${s}.messages (created_at) WHERE expanded;

CREATE TABLE ${s}.idempotency_keys (
  key text PRIMARY KEY,
  message_id text NOT NULL,
  request_id text NOT NULL,
  created_at bigint NOT NULL
);
CREATE INDEX idempotency_keys_created_at ON ${s}.idempotency_keys (created_at);

CREATE TABLE ${s}.collections (
  name text PRIMARY KEY,
  events jsonb,
  policy jsonb NOT NULL,
  failure_mode text NOT NULL,
  success jsonb,
  enabled boolean NOT NULL DEFAULT true,
  created_at bigint NOT NULL,
  updated_at bigint NOT NULL
);

CREATE TABLE ${s}.endpoints (
  id text PRIMARY KEY,
  collection text NOT NULL,
  url text NOT NULL,
  enabled boolean NOT NULL,
  disabled_reason text,
  events jsonb,
  headers jsonb NOT NULL DEFAULT '{}',
  timeout_ms integer,
  success jsonb,
  append_request_id boolean NOT NULL DEFAULT false,
  auth jsonb,
  description text,
  created_at bigint NOT NULL,
  updated_at bigint NOT NULL
);
CREATE INDEX endpoints_collection ON ${s}.endpoints (collection);

CREATE TABLE ${s}.deliveries (
  id text PRIMARY KEY,
  message_id text NOT NULL,
  message_seq bigint NOT NULL,
  -- Copied from the message at expansion, so notify's insert carries one index fewer.
  request_id text NOT NULL,
  collection text NOT NULL,
  failure_mode text NOT NULL,
  endpoint_id text,
  targets jsonb NOT NULL,
  progress jsonb NOT NULL DEFAULT '{}',
  state text NOT NULL,
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at bigint,
  window_start bigint NOT NULL,
  last_error text,
  ordering_key text,
  created_at bigint NOT NULL,
  updated_at bigint NOT NULL,
  completed_at bigint,
  lease_owner text,
  lease_until bigint,
  lease_token text
);
CREATE INDEX deliveries_due ON ${s}.deliveries (next_attempt_at, id) WHERE state = 'pending';
CREATE INDEX deliveries_ordering ON ${s}.deliveries (ordering_key, collection, message_seq) WHERE state = 'pending' AND ordering_key IS NOT NULL;
CREATE INDEX deliveries_message_id ON ${s}.deliveries (message_id);
CREATE INDEX deliveries_request_id ON ${s}.deliveries (request_id);
CREATE INDEX deliveries_state_id ON ${s}.deliveries (state, id);
CREATE INDEX deliveries_finished ON ${s}.deliveries (completed_at) WHERE state <> 'pending';

CREATE TABLE ${s}.attempts (
  id text PRIMARY KEY,
  delivery_id text NOT NULL,
  endpoint_id text NOT NULL,
  round integer NOT NULL,
  url text NOT NULL,
  started_at bigint NOT NULL,
  latency_ms integer NOT NULL,
  status_code integer,
  outcome text NOT NULL,
  error text,
  response_snippet text
);
CREATE INDEX attempts_delivery_id ON ${s}.attempts (delivery_id, id);

CREATE TABLE ${s}.results (
  request_id text PRIMARY KEY,
  status integer NOT NULL,
  body jsonb,
  created_at bigint NOT NULL,
  expires_at bigint NOT NULL
);
-- Queue tables churn: analyse and vacuum them sooner than the defaults (10 % / 20 % of rows).
ALTER TABLE ${s}.messages SET (autovacuum_analyze_scale_factor = 0.02, autovacuum_vacuum_scale_factor = 0.05);
ALTER TABLE ${s}.deliveries SET (autovacuum_analyze_scale_factor = 0.02, autovacuum_vacuum_scale_factor = 0.05);

CREATE INDEX results_expires_at ON ${s}.results (expires_at);
`,
}
