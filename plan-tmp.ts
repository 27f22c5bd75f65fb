import Database from 'better-sqlite3'
import { Kysely, SqliteDialect, sql } from 'kysely'
import { sqliteStore } from './packages/store-sqlite/src/index.js'
import { dueAfter } from './packages/store-sqlite/src/due-around.js'
const db = new Database(':memory:')
const store = sqliteStore({ database: db })
await store.housekeeping.migrate()
const k = new Kysely<unknown>({ dialect: new SqliteDialect({ database: db }) })
const c = dueAfter(10, ['e2'], { nextAttemptAt: 1, messageSeq: 5, id: 'x' }, 52)
const q = sql`SELECT * FROM (${c.ids})`.compile(k)
console.log(db.prepare(`EXPLAIN QUERY PLAN ${q.sql}`).all(...q.parameters))
