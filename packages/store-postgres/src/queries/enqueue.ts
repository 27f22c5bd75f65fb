import {
  planEnqueue,
  StoreError,
  tenantFromColumn,
  tenantToColumn,
  type EnqueueOutcome,
  type EnqueueRequest,
  type MessageRecord,
} from '@hookbox/core'
import { sql, type CompiledQuery, type Kysely } from 'kysely'

/** What the enqueue statement returns: its one row. */
interface EnqueueRow {
  /** `[tenant, key, messageId, requestId]` of each key now owning a message (ours or an earlier one). */
  keys?: Array<[string, string, string, string]> | null
}

/** The statement that writes a batch of messages, and how to read its answer. */
export interface EnqueueStatement {
  /** Its text and parameters (no kysely query node: nothing reads one, and notify is on the host's hot path). */
  query: Pick<CompiledQuery<EnqueueRow>, 'sql' | 'parameters'>
  outcomes: (rows: EnqueueRow[]) => EnqueueOutcome[]
}

/** Batches up to this size are written with `VALUES` rows (cheapest to plan); larger ones with `unnest`. */
const MAX_VALUES_ROWS = 50

/** Column arrays of the messages, in the order the statement's `unnest` takes them. */
function columns(written: MessageRecord[]): unknown[] {
  const col = <K extends keyof MessageRecord>(k: K) => written.map((m) => m[k])
  return [
    col('id'),
    col('type'),
    col('payload'),
    col('requestId'),
    col('entityId'),
    col('orderingKey'),
    col('idempotencyKey'),
    col('createdAt'),
    written.map((m) => tenantToColumn(m.tenant)),
  ]
}

/**
 * The same values row by row, in the order the `VALUES` form takes them (`cols`), appended to
 * `out`: one array for the whole statement, as notify is on the host's hot path.
 */
function pushRowValues(out: unknown[], written: MessageRecord[]): unknown[] {
  for (const m of written)
    out.push(m.id, m.type, m.payload, m.requestId, m.entityId, m.orderingKey, m.idempotencyKey, m.createdAt, tenantToColumn(m.tenant))
  return out
}

/** SQL text of one statement shape, and how many parameters it takes. */
interface Shape {
  text: string
  parameters: number
}

/**
 * Compiles one statement shape: `rows` VALUES rows (or `unnest` arrays when null), with or
 * without the idempotency-key step. Parameter values here are placeholders; only the order
 * matters, and {@link enqueuePlanner} passes real ones in the same order.
 */
function compileShape(db: Kysely<any>, schema: string, channel: string | null, rows: number | null, keyed: boolean): Shape {
  const messages = sql.table(`${schema}.messages`)
  const cols = sql`(id, type, payload, request_id, entity_id, ordering_key, idempotency_key, created_at, tenant)`
  const names = sql`(id, type, payload, request_id, entity_id, ordering_key, idempotency_key, created_at, tenant, ord)`
  const row = (ord: number) =>
    sql`(${null}::text, ${null}::text, ${null}::text, ${null}::text, ${null}::text, ${null}::text, ${null}::text, ${null}::bigint, ${null}::text, ${sql.lit(ord)})`
  const a = (type: string) => sql`${null}::${sql.raw(type)}[]`
  const input =
    rows === null
      ? sql`SELECT * FROM unnest(${a('text')}, ${a('text')}, ${a('text')}, ${a('text')}, ${a('text')}, ${a('text')}, ${a('text')}, ${a('bigint')}, ${a('text')})
          WITH ORDINALITY AS t${names}`
      : sql`SELECT * FROM (VALUES ${sql.join(Array.from({ length: rows }, (_, i) => row(i + 1)))}) AS t${names}`
  // As text: a column of type void is one some clients cannot read (Prisma's raw queries).
  const wake = channel === null ? sql`` : sql`, pg_notify(${channel}, '')::text AS woke`
  let query
  if (!keyed && rows !== null) {
    const insert = sql`INSERT INTO ${messages} ${cols} VALUES ${sql.join(Array.from({ length: rows }, () => sql`(${sql.join(Array.from({ length: 9 }, () => sql`${null}`))})`))}`
    query = channel === null ? insert : sql`WITH inserted AS (${insert} RETURNING 1) SELECT NULL::json AS keys${wake}`
  } else if (!keyed) {
    query = sql`WITH input AS (${input}),
      inserted AS (
        INSERT INTO ${messages} ${cols}
        SELECT id, type, payload, request_id, entity_id, ordering_key, idempotency_key, created_at, tenant FROM input ORDER BY ord
        RETURNING 1
      )
      SELECT NULL::json AS keys${wake}`
  } else {
    const since = sql`${null}::bigint`
    query = sql`WITH input AS (${input}),
      owned AS (
        INSERT INTO ${sql.table(`${schema}.idempotency_keys`)} AS k (tenant, key, message_id, request_id, created_at)
        SELECT tenant, idempotency_key, id, request_id, created_at FROM input WHERE idempotency_key IS NOT NULL
        ON CONFLICT (tenant, key) DO UPDATE SET
          message_id = CASE WHEN k.created_at < ${since} THEN excluded.message_id ELSE k.message_id END,
          request_id = CASE WHEN k.created_at < ${since} THEN excluded.request_id ELSE k.request_id END,
          created_at = CASE WHEN k.created_at < ${since} THEN excluded.created_at ELSE k.created_at END
        RETURNING tenant, key, message_id, request_id
      ),
      inserted AS (
        INSERT INTO ${messages} ${cols}
        SELECT i.id, i.type, i.payload, i.request_id, i.entity_id, i.ordering_key, i.idempotency_key, i.created_at, i.tenant
        FROM input i LEFT JOIN owned o ON o.key = i.idempotency_key AND o.tenant = i.tenant
        WHERE i.idempotency_key IS NULL OR o.message_id = i.id
        ORDER BY i.ord
        RETURNING 1
      )
      SELECT (SELECT json_agg(json_build_array(tenant, key, message_id, request_id)) FROM owned) AS keys${wake}`
  }
  const compiled = query.compile(db)
  return { text: compiled.sql, parameters: compiled.parameters.length }
}

/**
 * Builds the ONE statement behind `notify`. Small batches (a single `notify` above all) are
 * plain `VALUES` rows; large ones go through `unnest` arrays so the parameter count stays
 * fixed. Each shape's SQL text is compiled once per store: notify is on the host's hot path.
 * Core's {@link planEnqueue} drops in-batch repeats and maps key owners to outcomes; the
 * statement claims the keys in the `idempotency_keys` table: `ON CONFLICT DO UPDATE` takes a key
 * over when its holder is older than `idempotencySince` and otherwise keeps it; either way the
 * row is locked and returned, so a concurrent writer of the same key waits for the first to
 * commit or roll back and then sees its result. Only messages that own their key (or have
 * none) are inserted. With a channel, `pg_notify` runs in the same statement and is delivered
 * when the caller's transaction commits.
 */
export function enqueuePlanner(db: Kysely<any>, schema: string, channel: string | null): (request: EnqueueRequest) => EnqueueStatement {
  const shapes = new Map<string, Shape>()
  const shape = (rows: number | null, keyed: boolean) => {
    const id = `${rows}:${keyed}`
    let s = shapes.get(id)
    if (!s) shapes.set(id, (s = compileShape(db, schema, channel, rows, keyed)))
    return s
  }
  return (request) => {
    const plan = planEnqueue(request.messages)
    const rows = plan.written.length <= MAX_VALUES_ROWS ? plan.written.length : null
    const { text, parameters } = shape(rows, plan.keyed)
    const values = rows === null ? columns(plan.written) : pushRowValues([], plan.written)
    if (plan.keyed) values.push(request.idempotencySince, request.idempotencySince, request.idempotencySince)
    if (channel !== null) values.push(channel)
    if (values.length !== parameters)
      throw new StoreError(`hookbox: enqueue statement takes ${parameters} parameters, got ${values.length}`)
    return {
      query: { sql: text, parameters: values },
      outcomes(result) {
        const owners = (result[0]?.keys ?? []).map(([tenant, key, messageId, requestId]) => ({
          tenant: tenantFromColumn(tenant),
          key,
          messageId,
          requestId,
        }))
        return plan.outcomes(owners)
      },
    }
  }
}
