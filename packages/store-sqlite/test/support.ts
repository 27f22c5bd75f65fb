import Database from 'better-sqlite3'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** A real SQLite file in a fresh temporary folder, with a host table of its own. */
export function tempDatabase(): { db: Database.Database; path: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'hookbox-'))
  const path = join(dir, 'app.db')
  const db = new Database(path)
  db.pragma('journal_mode = WAL')
  db.exec('CREATE TABLE entity (id TEXT PRIMARY KEY, state TEXT NOT NULL)')
  db.prepare("INSERT INTO entity VALUES ('e1', 'FAIL')").run()
  return {
    db,
    path,
    cleanup() {
      if (db.open) db.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** Read calls this thread has made (Linux): with the page cache emptied first, the pages a statement reads from the file. */
export const readCalls = () => Number(/syscr: (\d+)/.exec(readFileSync('/proc/thread-self/io', 'utf8'))![1])

/**
 * Inserts pending `each` deliveries with ids and message seqs `from`…`to` (no message rows) to
 * `endpoint`, due at `dueAt`, in the database's one collection: a large due backlog in one statement.
 */
export function pendingDeliveries(db: Database.Database): (from: number, to: number, endpoint: string | null, dueAt: number) => void {
  const name = db.prepare('SELECT name FROM hookbox_collections').pluck().get()
  const insert = db.prepare(`WITH RECURSIVE g(n) AS (SELECT ? UNION ALL SELECT n + 1 FROM g WHERE n < ?)
      INSERT INTO hookbox_deliveries (id, message_id, message_seq, collection, failure_mode, endpoint_id, targets, progress, state,
        attempts, next_attempt_at, window_start, created_at, updated_at)
      SELECT printf('%08d', n), 'm' || n, n, ?, 'each', ?, '[]', '{}', 'pending', 0, ?, 0, 0, 0 FROM g`)
  return (from, to, endpoint, dueAt) => void insert.run(from, to, name, endpoint, dueAt)
}

/** The EXPLAIN QUERY PLAN details of a statement's text, every `?` bound to NULL (the plan does not depend on the values). */
export function planOf(db: Database.Database, text: string): string[] {
  const unbound = Array.from(text.matchAll(/\?/g), () => null)
  return (db.prepare(`EXPLAIN QUERY PLAN ${text}`).all(...unbound) as Array<{ detail: string }>).map((r) => r.detail)
}
