import { createHash } from 'node:crypto'
import type { EnqueueOutcome, EnqueueRequest, MessageRecord } from '@hookbox/core'
import { CompiledQuery, sql, type Kysely } from 'kysely'

/** What the enqueue statement returns: its one row. */
interface EnqueueRow {
  /** `[key, messageId, requestId]` of each key now owning a message (ours or an earlier one). */
  keys?: Array<[string, string, string]> | null
}

/** The statement that writes a batch of messages, and how to read its answer. */
export interface EnqueuePlan {
  query: CompiledQuery<EnqueueRow>
  /** A name for the statement shape, for a named prepared statement (unique per SQL text). */
  name: string
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
  ]
}

/** The same values row by row, in the order the `VALUES` form takes them. */
function rowValues(written: MessageRecord[]): unknown[] {
  return written.flatMap((m) => [m.id, m.type, m.payload, m.requestId, m.entityId, m.orderingKey, m.idempotencyKey, m.createdAt])
}

/** SQL text of one statement shape, and how many parameters it takes. */
interface Shape {
  text: string
  parameters: number
  name: string
}

/**
 * Compiles one statement shape: `rows` VALUES rows (or `unnest` arrays when null), with or
 * without the idempotency-key step. Parameter values here are placeholders; only the order
 * matters, and {@link enqueuePlanner} passes real ones in the same order.
 */
function compileShape(db: Kysely<any>, schema: string, channel: string | null, rows: number | null, keyed: boolean): Shape {
  const messages = sql.table(`${schema}.messages`)
  const cols = sql`(id, type, payload, request_id, entity_id, ordering_key, idempotency_key, created_at)`
  const names = sql`(id, type, payload, request_id, entity_id, ordering_key, idempotency_key, created_at, ord)`
  const row = (ord: number) =>
    sql`(${null}::text, ${null}::text, ${null}::text, ${null}::text, ${null}::text, ${null}::text, ${null}::text, ${null}::bigint, ${sql.lit(ord)})`
  const a = (type: string) => sql`${null}::${sql.raw(type)}[]`
  const input =
    rows === null
      ? sql`SELECT * FROM unnest(${a('text')}, ${a('text')}, ${a('text')}, ${a('text')}, ${a('text')}, ${a('text')}, ${a('text')}, ${a('bigint')})
          WITH ORDINALITY AS t${names}`
      : sql`SELECT * FROM (VALUES ${sql.join(Array.from({ length: rows }, (_, i) => row(i + 1)))}) AS t${names}`
  const wake = channel === null ? sql`` : sql`, pg_notify(${channel}, '') AS woke`
  let query
  if (!keyed && rows !== null) {
    const insert = sql`INSERT INTO ${messages} ${cols} VALUES ${sql.join(Array.from({ length: rows }, () => sql`(${sql.join(Array.from({ length: 8 }, () => sql`${null}`))})`))}`
    query = channel === null ? insert : sql`WITH inserted AS (${insert} RETURNING 1) SELECT NULL::json AS keys${wake}`
  } else if (!keyed) {
    query = sql`WITH input AS (${input}),
      inserted AS (
        INSERT INTO ${messages} ${cols}
        SELECT id, type, payload, request_id, entity_id, ordering_key, idempotency_key, created_at FROM input ORDER BY ord
        RETURNING 1
      )
      SELECT NULL::json AS keys${wake}`
  } else {
    const since = sql`${null}::bigint`
    query = sql`WITH input AS (${input}),
      owned AS (
        INSERT INTO ${sql.table(`${schema}.idempotency_keys`)} AS k (key, message_id, request_id, created_at)
        SELECT idempotency_key, id, request_id, created_at FROM input WHERE idempotency_key IS NOT NULL
        ON CONFLICT (key) DO UPDATE SET
          message_id = CASE WHEN k.created_at < ${since} THEN excluded.message_id ELSE k.message_id END,
          request_id = CASE WHEN k.created_at < ${since} THEN excluded.request_id ELSE k.request_id END,
          created_at = CASE WHEN k.created_at < ${since} THEN excluded.created_at ELSE k.created_at END
        RETURNING key, message_id, request_id
      ),
      inserted AS (
        INSERT INTO ${messages} ${cols}
        SELECT i.id, i.type, i.payload, i.request_id, i.entity_id, i.ordering_key, i.idempotency_key, i.created_at
        FROM input i LEFT JOIN owned o ON o.key = i.idempotency_key
        WHERE i.idempotency_key IS NULL OR o.message_id = i.id
        ORDER BY i.ord
        RETURNING 1
      )
      SELECT (SELECT json_agg(json_build_array(key, message_id, request_id)) FROM owned) AS keys${wake}`
  }
  const compiled = query.compile(db)
  const name = `hookbox_enqueue_${createHash('sha1').update(compiled.sql).digest('hex').slice(0, 16)}`
  return { text: compiled.sql, parameters: compiled.parameters.length, name }
}

/**
 * Builds the ONE statement behind `notify`. Small batches (a single `notify` above all) are
 * plain `VALUES` rows; large ones go through `unnest` arrays so the parameter count stays
 * fixed. Each shape's SQL text is compiled once per store: notify is on the host's hot path. Idempotency keys live in their own table with a
 * primary key: `ON CONFLICT DO UPDATE` takes the key over when the holder is older than
 * `idempotencySince` and otherwise keeps it; either way the row is locked and returned, so a
 * concurrent writer of the same key waits for the first to commit or roll back and then sees
 * its result. Only messages that own their key (or have none) are inserted. With a channel,
 * `pg_notify` runs in the same statement and is delivered when the caller's transaction commits.
 */
export function enqueuePlanner(db: Kysely<any>, schema: string, channel: string | null): (request: EnqueueRequest) => EnqueuePlan {
  const shapes = new Map<string, Shape>()
  const shape = (rows: number | null, keyed: boolean) => {
    const id = `${rows}:${keyed}`
    let s = shapes.get(id)
    if (!s) shapes.set(id, (s = compileShape(db, schema, channel, rows, keyed)))
    return s
  }
  return (request) => {
    // A key repeated inside the batch goes to the database once; the repeats are duplicates of it.
    const firstByKey = new Map<string, MessageRecord>()
    const written: MessageRecord[] = []
    for (const m of request.messages) {
      if (m.idempotencyKey === null) written.push(m)
      else if (!firstByKey.has(m.idempotencyKey)) {
        firstByKey.set(m.idempotencyKey, m)
        written.push(m)
      }
    }
    const keyed = firstByKey.size > 0
    const rows = written.length <= MAX_VALUES_ROWS ? written.length : null
    const { text, parameters, name } = shape(rows, keyed)
    const values = [
      ...(rows === null ? columns(written) : rowValues(written)),
      ...(keyed ? [request.idempotencySince, request.idempotencySince, request.idempotencySince] : []),
      ...(channel === null ? [] : [channel]),
    ]
    if (values.length !== parameters) throw new Error(`hookbox: enqueue statement takes ${parameters} parameters, got ${values.length}`)
    const query = CompiledQuery.raw(text, values) as CompiledQuery<EnqueueRow>
    return {
      query,
      name,
      outcomes(result) {
        const owners = new Map<string, { messageId: string; requestId: string }>()
        for (const [key, messageId, requestId] of result[0]?.keys ?? []) owners.set(key, { messageId, requestId })
        return request.messages.map((m) => {
          const owner = m.idempotencyKey === null ? undefined : owners.get(m.idempotencyKey)
          if (!owner || (owner.messageId === m.id && firstByKey.get(m.idempotencyKey!) === m))
            return { messageId: m.id, requestId: m.requestId, duplicate: false }
          return { messageId: owner.messageId, requestId: owner.requestId, duplicate: true }
        })
      },
    }
  }
}
