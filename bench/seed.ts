/**
 * Seeds a backlog straight into a store's tables, in their real shape (see the migrations in
 * packages/store-{sqlite,postgres,mysql}/src/migrations): `n` expanded messages and one pending,
 * due `each` delivery per message to `endpointId` of collection `events`, as if the receiver
 * had been down while they piled up. Bulk SQL (generate_series on Postgres, a recursive CTE
 * on SQLite, a cross join of digits on MySQL in chunks of 100,000), then ANALYZE, so a
 * million rows take seconds.
 */
import type Database from 'better-sqlite3'
import mysql from 'mysql2'
import pg from 'pg'
import type { Target } from './hookbox.js'

const payload = (g: string, cat: (...parts: string[]) => string) =>
  cat(`'{"entityId":"ent_'`, g, `'","from":"FAIL","to":"PASS","score":'`, `(${g} % 100)`, `',"checkedBy":"bench"}'`)

/** Seeds `n` pending deliveries; ids sort in seed order (`seed_00000001`…). */
export async function seedPending(t: Target, endpointId: string, n: number, sqlite?: Database.Database): Promise<void> {
  const now = Date.now() - 1000
  if (t.kind === 'sqlite') {
    const db = sqlite!
    const cat = (...parts: string[]) => parts.join(' || ')
    const id = (prefix: string, g: string) => `'${prefix}' || substr('0000000' || ${g}, -8, 8)`
    db.transaction(() => {
      db.exec(`
        WITH RECURSIVE g(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM g WHERE x < ${n})
        INSERT INTO hookbox_messages (id, type, payload, request_id, created_at, expanded)
        SELECT ${id('seed_', 'x')}, 'entity.state_changed', ${payload('x', cat)}, ${id('req_', 'x')}, ${now}, 1 FROM g`)
      db.exec(`
        INSERT INTO hookbox_deliveries (id, message_id, message_seq, collection, failure_mode, endpoint_id, targets, progress, state,
          attempts, next_attempt_at, window_start, created_at, updated_at)
        SELECT 'dlv_' || substr(m.id, 6), m.id, m.seq, 'events', 'each', '${endpointId}', '["${endpointId}"]', '{}', 'pending',
          0, ${now}, ${now}, ${now}, ${now}
        FROM hookbox_messages m WHERE m.id LIKE 'seed\\_%' ESCAPE '\\'`)
    })()
    db.exec('ANALYZE')
    // A backlog that built up over hours has long been checkpointed; a fresh 1M-row WAL has not.
    db.pragma('wal_checkpoint(TRUNCATE)')
    return
  }
  if (t.kind === 'mysql') return seedMysql(t, endpointId, n, now)
  const client = new pg.Client({ connectionString: t.url })
  await client.connect()
  try {
    const s = `"${t.schema}"`
    const cat = (...parts: string[]) => parts.join(' || ')
    const id = (prefix: string, g: string) => `'${prefix}' || lpad(${g}::text, 8, '0')`
    await client.query(`
      INSERT INTO ${s}.messages (id, type, payload, request_id, created_at, expanded)
      SELECT ${id('seed_', 'g')}, 'entity.state_changed', ${payload('g', cat)}, ${id('req_', 'g')}, ${now}, true
      FROM generate_series(1, ${n}) g`)
    await client.query(
      `
      INSERT INTO ${s}.deliveries (id, message_id, message_seq, request_id, collection, failure_mode, endpoint_id, targets, progress, state,
        attempts, next_attempt_at, window_start, created_at, updated_at)
      SELECT 'dlv_' || substr(m.id, 6), m.id, m.seq, m.request_id, 'events', 'each', $1, jsonb_build_array($1::text), '{}'::jsonb, 'pending',
        0, ${now}, ${now}, ${now}, ${now}
      FROM ${s}.messages m WHERE m.id LIKE 'seed\\_%'`,
      [endpointId],
    )
    await client.query(`VACUUM ANALYZE ${s}.messages, ${s}.deliveries`)
  } finally {
    await client.end()
  }
}

/** The MySQL/MariaDB seed: numbers from a cross join of digits (MySQL caps recursive CTEs at 1,000 rows). */
async function seedMysql(t: Target, endpointId: string, n: number, now: number): Promise<void> {
  const c = mysql.createConnection({ uri: t.url!, multipleStatements: false }).promise()
  try {
    const d = `\`${t.database}\``
    const digit =
      '(SELECT 0 d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9)'
    const numbers = `(SELECT a.d + 10 * b.d + 100 * c.d + 1000 * e.d + 10000 * f.d AS g FROM ${digit} a, ${digit} b, ${digit} c, ${digit} e, ${digit} f) n`
    const cat = (...parts: string[]) => `CONCAT(${parts.join(', ')})`
    const id = (prefix: string, g: string) => `CONCAT('${prefix}', LPAD(${g}, 8, '0'))`
    const chunk = 100_000
    for (let from = 1; from <= n; from += chunk) {
      const to = Math.min(n, from + chunk - 1)
      const g = `(n.g + ${from})`
      await c.query(`
        INSERT INTO ${d}.hookbox_messages (id, type, payload, request_id, created_at, expanded)
        SELECT ${id('seed_', g)}, 'entity.state_changed', ${payload(g, cat)}, ${id('req_', g)}, ${now}, 1
        FROM ${numbers} WHERE n.g <= ${to - from} ORDER BY n.g`)
    }
    await c.query(
      `INSERT INTO ${d}.hookbox_deliveries (id, message_id, message_seq, collection, failure_mode, endpoint_id, targets, progress, state,
        attempts, next_attempt_at, window_start, created_at, updated_at)
      SELECT CONCAT('dlv_', SUBSTR(m.id, 6)), m.id, m.seq, 'events', 'each', ?, JSON_ARRAY(?), '{}', 'pending', 0, ${now}, ${now}, ${now}, ${now}
      FROM ${d}.hookbox_messages m WHERE m.id LIKE 'seed\\_%'`,
      [endpointId, endpointId],
    )
    await c.query(`ANALYZE TABLE ${d}.hookbox_messages, ${d}.hookbox_deliveries`)
  } finally {
    await c.end()
  }
}
