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
