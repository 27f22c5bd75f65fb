import { EVENT_TYPE_PATTERN, sqlNotifyErrors as e, TOKEN_PATTERN, type Migration } from '@hookbox/core'
import { wakeChannel } from '../identifiers.js'

/** The schema's name back from its quoted form (the channel name holds the bare name). */
function bareName(quoted: string): string {
  return quoted.slice(1, -1).replace(/""/g, '"')
}

/** A string literal. */
function literal(text: string): string {
  return `'${text.replace(/'/g, "''")}'`
}

/** Raises `code` unless the parameter is null or a token, with core's wording. */
function tokenCheck(label: string, parameter: string, code: string): string {
  return `  IF notify.${parameter} IS NOT NULL AND notify.${parameter} !~ ${literal(TOKEN_PATTERN.source)} THEN
    RAISE EXCEPTION '${label} must be 1-128 characters of letters, digits and . _ ~ : -, got %', to_json(notify.${parameter})
      USING ERRCODE = '${code}';
  END IF;`
}

/**
 * The SQL entry point: `<schema>.notify(tenant, type, payload, …)`, for triggers, other languages
 * and raw SQL inside the caller's own transaction. It writes what `outbox.notify()` writes: a
 * ULID message id (the time part from `clock_timestamp()`, the random part from
 * `gen_random_uuid()`), the request id defaulting to it, epoch-ms `created_at`, the
 * `idempotency_keys` claim with the same take-over rule and row lock, and the `pg_notify` wake on
 * the schema's channel (delivered at commit). Payloads are stored as compact JSON text, as
 * `JSON.stringify` writes them. Checks mirror core's and raise with their own SQLSTATE
 * ({@link sqlNotifyErrors}) before anything is written. The event catalog lives in JavaScript
 * and is not checked here.
 */
export const sqlNotifyMigration: Migration = {
  version: 8,
  name: 'sql notify',
  sql: (s) => `
-- jsonb's text has a space after every , and : outside strings and nowhere else outside them:
-- string tokens are matched whole (and kept), so only those spaces are dropped, in C.
CREATE OR REPLACE FUNCTION ${s}.json_compact(j jsonb) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $json$
  SELECT regexp_replace(j::text, '("(?:[^"\\\\]|\\\\.)*")|([,:]) ', '\\1\\2', 'g')
$json$;

CREATE OR REPLACE FUNCTION ${s}.ulid(at_ms bigint) RETURNS text
LANGUAGE plpgsql VOLATILE PARALLEL SAFE AS $ulid$
DECLARE
  alphabet constant text := '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
  -- Bytes 0-5 and 10-13 of a v4 UUID are random; 6 and 8 carry its version and variant.
  r bytea := uuid_send(gen_random_uuid());
  bits bit varying := B'00' || substring(at_ms::bit(64) FROM 17 FOR 48)
    || ('x' || encode(substring(r FROM 1 FOR 6) || substring(r FROM 11 FOR 4), 'hex'))::bit(80);
  id text := '';
BEGIN
  FOR i IN 0..25 LOOP
    id := id || substr(alphabet, substring(bits FROM i * 5 + 1 FOR 5)::bit(5)::integer + 1, 1);
  END LOOP;
  RETURN id;
END
$ulid$;

CREATE TYPE ${s}.notify_result AS (message_id text, request_id text, duplicate boolean);

CREATE OR REPLACE FUNCTION ${s}.notify(
  tenant text,
  type text,
  payload jsonb,
  idempotency_key text DEFAULT NULL,
  ordering_key text DEFAULT NULL,
  request_id text DEFAULT NULL,
  entity_id text DEFAULT NULL,
  idempotency_window_ms bigint DEFAULT 86400000,
  max_payload_bytes integer DEFAULT 262144
) RETURNS ${s}.notify_result LANGUAGE plpgsql VOLATILE AS $notify$
#variable_conflict use_column
DECLARE
  now_ms bigint := (extract(epoch FROM clock_timestamp()) * 1000)::bigint;
  v_body text;
  v_id text;
  v_request text;
  v_owner text;
  v_owner_request text;
BEGIN
${tokenCheck('tenant', 'tenant', e.tenant)}
  IF notify.type IS NULL OR length(notify.type) > 200 OR notify.type !~ ${literal(EVENT_TYPE_PATTERN.source)} THEN
    RAISE EXCEPTION 'event type must be dot-separated words, got %', coalesce(to_json(notify.type)::text, 'null')
      USING ERRCODE = '${e.type}';
  END IF;
${tokenCheck('requestId', 'request_id', e.token)}
${tokenCheck('orderingKey', 'ordering_key', e.token)}
${tokenCheck('idempotencyKey', 'idempotency_key', e.token)}
  IF notify.payload IS NULL THEN
    RAISE EXCEPTION 'payload is SQL NULL, which has no JSON form (pass ''null''::jsonb for a JSON null)'
      USING ERRCODE = '${e.payload}';
  END IF;
  v_body := ${s}.json_compact(notify.payload);
  IF octet_length(v_body) > notify.max_payload_bytes THEN
    RAISE EXCEPTION 'payload is % bytes of JSON, over the limit of % bytes', octet_length(v_body), notify.max_payload_bytes
      USING ERRCODE = '${e.tooLarge}';
  END IF;

  v_id := ${s}.ulid(now_ms);
  v_request := coalesce(notify.request_id, v_id);
  IF notify.idempotency_key IS NOT NULL THEN
    -- The claim of the JavaScript enqueue: a holder older than the window hands its key over;
    -- the row lock makes a concurrent writer of the key wait for this transaction.
    INSERT INTO ${s}.idempotency_keys AS k (tenant, key, message_id, request_id, created_at)
    VALUES (coalesce(notify.tenant, ''), notify.idempotency_key, v_id, v_request, now_ms)
    ON CONFLICT ON CONSTRAINT idempotency_keys_pkey DO UPDATE SET
      message_id = CASE WHEN k.created_at < now_ms - notify.idempotency_window_ms THEN excluded.message_id ELSE k.message_id END,
      request_id = CASE WHEN k.created_at < now_ms - notify.idempotency_window_ms THEN excluded.request_id ELSE k.request_id END,
      created_at = CASE WHEN k.created_at < now_ms - notify.idempotency_window_ms THEN excluded.created_at ELSE k.created_at END
    RETURNING k.message_id, k.request_id INTO v_owner, v_owner_request;
    IF v_owner <> v_id THEN
      RETURN (v_owner, v_owner_request, true)::${s}.notify_result;
    END IF;
  END IF;

  INSERT INTO ${s}.messages (id, type, payload, request_id, entity_id, ordering_key, idempotency_key, created_at, tenant)
  VALUES (v_id, notify.type, v_body, v_request, notify.entity_id, notify.ordering_key, notify.idempotency_key, now_ms, coalesce(notify.tenant, ''));
  PERFORM pg_notify(${literal(wakeChannel(bareName(s)))}, '');
  RETURN (v_id, v_request, false)::${s}.notify_result;
END
$notify$;
`,
}
