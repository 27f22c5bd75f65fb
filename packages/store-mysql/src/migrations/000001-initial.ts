import type { Migration } from '@hookbox/core'

/**
 * The whole schema as of the store's first release, one `CREATE TABLE IF NOT EXISTS` per table
 * with its indexes inline: MySQL commits each DDL statement on its own, so a migration cut
 * short can simply run again. Tables use `utf8mb4_bin` so keys, names and types compare
 * exactly (case-sensitive), as in the other stores. InnoDB has no partial indexes: each index
 * leads with the column that the SQLite and Postgres stores put in their index's WHERE.
 */
export const initialMigration: Migration = {
  version: 1,
  name: 'initial',
  sql: (s) => {
    const t = (name: string) => (s ? `${s}.${name}` : name)
    const options = 'ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin'
    return `
CREATE TABLE IF NOT EXISTS ${t('hookbox_messages')} (
  seq BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  id VARCHAR(64) NOT NULL,
  type VARCHAR(200) NOT NULL,
  payload LONGTEXT NOT NULL,
  request_id VARCHAR(128) NOT NULL,
  entity_id TEXT,
  ordering_key VARCHAR(128),
  idempotency_key VARCHAR(128),
  created_at BIGINT NOT NULL,
  expanded TINYINT NOT NULL DEFAULT 0,
  UNIQUE KEY hookbox_messages_id (id),
  KEY hookbox_messages_unexpanded (expanded, seq),
  KEY hookbox_messages_ordering (ordering_key, expanded, seq),
  KEY hookbox_messages_request (request_id),
  KEY hookbox_messages_created (created_at)
) ${options};

CREATE TABLE IF NOT EXISTS ${t('hookbox_idempotency_keys')} (
  \`key\` VARCHAR(128) NOT NULL PRIMARY KEY,
  message_id VARCHAR(64) NOT NULL,
  request_id VARCHAR(128) NOT NULL,
  created_at BIGINT NOT NULL,
  KEY hookbox_idempotency_keys_message (message_id)
) ${options};

CREATE TABLE IF NOT EXISTS ${t('hookbox_collections')} (
  name VARCHAR(100) NOT NULL PRIMARY KEY,
  events LONGTEXT,
  policy LONGTEXT NOT NULL,
  failure_mode VARCHAR(16) NOT NULL CHECK (failure_mode IN ('each', 'majority')),
  success LONGTEXT,
  enabled TINYINT NOT NULL DEFAULT 1,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
) ${options};

CREATE TABLE IF NOT EXISTS ${t('hookbox_endpoints')} (
  id VARCHAR(64) NOT NULL PRIMARY KEY,
  collection VARCHAR(100) NOT NULL,
  url TEXT NOT NULL,
  enabled TINYINT NOT NULL,
  disabled_reason TEXT,
  events LONGTEXT,
  headers LONGTEXT NOT NULL,
  timeout_ms INT,
  success LONGTEXT,
  append_request_id TINYINT NOT NULL,
  auth LONGTEXT,
  description TEXT,
  max_in_flight INT,
  rate_per_second DOUBLE,
  paused_until BIGINT,
  failing_since BIGINT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  KEY hookbox_endpoints_collection (collection)
) ${options};

CREATE TABLE IF NOT EXISTS ${t('hookbox_deliveries')} (
  id VARCHAR(64) NOT NULL PRIMARY KEY,
  message_id VARCHAR(64) NOT NULL,
  message_seq BIGINT NOT NULL,
  collection VARCHAR(100) NOT NULL,
  failure_mode VARCHAR(16) NOT NULL,
  endpoint_id VARCHAR(64),
  targets LONGTEXT NOT NULL,
  progress LONGTEXT NOT NULL,
  state VARCHAR(16) NOT NULL CHECK (state IN ('pending', 'delivered', 'failed', 'dead')),
  attempts INT NOT NULL,
  next_attempt_at BIGINT,
  window_start BIGINT NOT NULL,
  deadline BIGINT NULL,
  last_error MEDIUMTEXT,
  ordering_key VARCHAR(128),
  lease_owner VARCHAR(255),
  lease_until BIGINT,
  lease_token VARCHAR(64),
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  completed_at BIGINT,
  KEY hookbox_deliveries_due (state, next_attempt_at, message_seq, id),
  KEY hookbox_deliveries_message (message_id),
  KEY hookbox_deliveries_final (state, completed_at),
  KEY hookbox_deliveries_ordering (ordering_key, collection, state, message_seq)
) ${options};

CREATE TABLE IF NOT EXISTS ${t('hookbox_attempts')} (
  id VARCHAR(64) NOT NULL PRIMARY KEY,
  delivery_id VARCHAR(64) NOT NULL,
  endpoint_id VARCHAR(64) NOT NULL,
  round INT NOT NULL,
  url TEXT NOT NULL,
  started_at BIGINT NOT NULL,
  latency_ms INT NOT NULL,
  status_code INT,
  outcome VARCHAR(16) NOT NULL,
  error MEDIUMTEXT,
  response_snippet MEDIUMTEXT,
  KEY hookbox_attempts_delivery (delivery_id)
) ${options};

CREATE TABLE IF NOT EXISTS ${t('hookbox_results')} (
  request_id VARCHAR(128) NOT NULL PRIMARY KEY,
  status INT NOT NULL,
  body LONGTEXT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  KEY hookbox_results_expiry (expires_at)
) ${options};
`
  },
}
