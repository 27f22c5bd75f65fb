import { sqlNotifyErrors as e, TOKEN_PATTERN, type Migration } from '@hookbox/core'

/**
 * Core's event-type pattern without backslashes (`[.]`, `-` last), so the literal reads the same
 * with or without `NO_BACKSLASH_ESCAPES`.
 */
const EVENT_TYPE = '^[A-Za-z0-9_:-]+([.][A-Za-z0-9_:-]+)*$'

/** Signals `code` with `message` (an expression): SIGNAL takes a variable, not an expression. */
function raise(code: string, message: string): string {
  return `SET v_message = ${message};
      SIGNAL SQLSTATE '${code}' SET MESSAGE_TEXT = v_message`
}

/** Signals `code` unless the parameter is null or a token, with core's wording. */
function tokenCheck(label: string, parameter: string, code: string): string {
  return `  IF ${parameter} IS NOT NULL AND NOT ${parameter} REGEXP '${TOKEN_PATTERN.source}' THEN
      ${raise(code, `CONCAT('${label} must be 1-128 characters of letters, digits and . _ ~ : -, got ', JSON_QUOTE(${parameter}))`)};
    END IF;`
}

/**
 * The SQL entry point: `CALL hookbox_notify(tenant, type, payload, idempotency_key,
 * ordering_key, request_id, entity_id, @message_id, @request_id, @duplicate)`, for triggers,
 * other languages and raw SQL inside the caller's transaction. A procedure, not a function:
 * MySQL functions cannot have OUT parameters, and writing from one needs
 * `log_bin_trust_function_creators` where the binary log is on. It writes what
 * `outbox.notify()` writes: a ULID (`RANDOM_BYTES` for the random part), the request id
 * defaulting to it, epoch-ms `created_at`, the same idempotency-key upsert and locking read. The
 * window and payload limit are core's defaults unless the session sets
 * `@hookbox_idempotency_window_ms` / `@hookbox_max_payload_bytes` (procedures take no default
 * arguments). There is no wake-up: MySQL has no NOTIFY, so a dispatcher finds the message at its
 * next poll. Checks raise their own SQLSTATE before anything is written.
 */
export const sqlNotifyMigration: Migration = {
  version: 4,
  name: 'sql notify',
  sql: (s) => {
    const t = (name: string) => (s ? `${s}.${name}` : name)
    const text = 'TEXT CHARACTER SET utf8mb4'
    return `
DROP FUNCTION IF EXISTS ${t('hookbox_crockford')};
CREATE FUNCTION ${t('hookbox_crockford')}(p_value BIGINT UNSIGNED, p_width INT) RETURNS VARCHAR(16) CHARACTER SET ascii
  DETERMINISTIC NO SQL
BEGIN
    DECLARE v_out VARCHAR(16) CHARACTER SET ascii DEFAULT '';
    WHILE CHAR_LENGTH(v_out) < p_width DO
      SET v_out = CONCAT(SUBSTRING('0123456789ABCDEFGHJKMNPQRSTVWXYZ', (p_value & 31) + 1, 1), v_out);
      SET p_value = p_value >> 5;
    END WHILE;
    RETURN v_out;
END;

DROP PROCEDURE IF EXISTS ${t('hookbox_notify')};
CREATE PROCEDURE ${t('hookbox_notify')}(
  IN p_tenant ${text}, IN p_type ${text}, IN p_payload LONGTEXT CHARACTER SET utf8mb4,
  IN p_idempotency_key ${text}, IN p_ordering_key ${text}, IN p_request_id ${text}, IN p_entity_id ${text},
  OUT o_message_id VARCHAR(64), OUT o_request_id VARCHAR(128), OUT o_duplicate TINYINT
)
MODIFIES SQL DATA
proc: BEGIN
    DECLARE v_message VARCHAR(512);
    DECLARE v_body LONGTEXT CHARACTER SET utf8mb4;
    DECLARE v_now BIGINT DEFAULT CAST(UNIX_TIMESTAMP(NOW(3)) * 1000 AS SIGNED);
    DECLARE v_limit BIGINT DEFAULT COALESCE(@hookbox_max_payload_bytes, 262144);
    DECLARE v_since BIGINT DEFAULT v_now - COALESCE(@hookbox_idempotency_window_ms, 86400000);
    DECLARE v_random VARBINARY(10) DEFAULT RANDOM_BYTES(10);
    DECLARE v_id VARCHAR(64);
    DECLARE v_request VARCHAR(128);
    DECLARE v_owner VARCHAR(64);
    DECLARE v_owner_request VARCHAR(128);
    DECLARE v_tenant VARCHAR(128) CHARACTER SET utf8mb4 DEFAULT COALESCE(p_tenant, '');
  ${tokenCheck('tenant', 'p_tenant', e.tenant)}
    IF p_type IS NULL OR CHAR_LENGTH(p_type) > 200 OR NOT p_type REGEXP '${EVENT_TYPE}' THEN
      ${raise(e.type, `CONCAT('event type must be dot-separated words, got ', COALESCE(JSON_QUOTE(p_type), 'null'))`)};
    END IF;
  ${tokenCheck('requestId', 'p_request_id', e.token)}
  ${tokenCheck('orderingKey', 'p_ordering_key', e.token)}
  ${tokenCheck('idempotencyKey', 'p_idempotency_key', e.token)}
    IF p_payload IS NULL OR NOT JSON_VALID(p_payload) THEN
      ${raise(e.payload, `'payload must be JSON text (SQL NULL has no JSON form; pass ''null'' for a JSON null)'`)};
    END IF;
    -- MariaDB can compact to what JSON.stringify writes; MySQL has no JSON_COMPACT and keeps the text as given.
    IF VERSION() LIKE '%MariaDB%' THEN
      SET v_body = JSON_COMPACT(p_payload);
    ELSE
      SET v_body = p_payload;
    END IF;
    IF LENGTH(v_body) > v_limit THEN
      ${raise(e.tooLarge, `CONCAT('payload is ', LENGTH(v_body), ' bytes of JSON, over the limit of ', v_limit, ' bytes')`)};
    END IF;

    SET v_id = CONCAT(${t('hookbox_crockford')}(v_now, 10),
      ${t('hookbox_crockford')}(CONV(HEX(SUBSTRING(v_random, 1, 5)), 16, 10), 8),
      ${t('hookbox_crockford')}(CONV(HEX(SUBSTRING(v_random, 6, 5)), 16, 10), 8));
    SET v_request = COALESCE(p_request_id, v_id);
    IF p_idempotency_key IS NOT NULL THEN
      -- The JavaScript enqueue's take-over rule, created_at set last (MySQL assigns left to right).
      INSERT INTO ${t('hookbox_idempotency_keys')} (tenant, \`key\`, message_id, request_id, created_at)
      VALUES (v_tenant, p_idempotency_key, v_id, v_request, v_now)
      ON DUPLICATE KEY UPDATE
        message_id = IF(created_at < v_since, VALUES(message_id), message_id),
        request_id = IF(created_at < v_since, VALUES(request_id), request_id),
        created_at = IF(created_at < v_since, VALUES(created_at), created_at);
      SELECT message_id, request_id INTO v_owner, v_owner_request FROM ${t('hookbox_idempotency_keys')}
      WHERE tenant = v_tenant COLLATE utf8mb4_bin AND \`key\` = p_idempotency_key COLLATE utf8mb4_bin FOR UPDATE;
      IF v_owner <> v_id THEN
        SET o_message_id = v_owner, o_request_id = v_owner_request, o_duplicate = 1;
        LEAVE proc;
      END IF;
    END IF;
    INSERT INTO ${t('hookbox_messages')} (tenant, id, type, payload, request_id, entity_id, ordering_key, idempotency_key, created_at)
    VALUES (v_tenant, v_id, p_type, v_body, v_request, p_entity_id, p_ordering_key, p_idempotency_key, v_now);
    SET o_message_id = v_id, o_request_id = v_request, o_duplicate = 0;
END;
`
  },
}
