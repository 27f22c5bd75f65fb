// Loaded into each dispatcher process by scripts/wal-writes-probe.ts (NODE_OPTIONS=--import): marks
// each store transaction's COMMIT with a failing access() of a path naming its kind, so strace's
// per-process log shows which pwrite64 calls each COMMIT made. Marks only; it changes nothing.
import { accessSync } from 'node:fs'
import { createRequire } from 'node:module'

const Database = createRequire(`${process.cwd()}/packages/store-sqlite/package.json`)('better-sqlite3')
const proto = Object.getPrototypeOf(new Database(':memory:').prepare('SELECT 1'))
const mark = (what) => {
  try {
    accessSync(`/nonexistent/hookbox-wal-mark/${what}`)
  } catch {}
}
/** The transaction's kind, from its first statement that tells. */
const kindOf = (sql) =>
  sql.startsWith('insert into "hookbox_deliveries"')
    ? 'expand'
    : sql.startsWith('select "d".*') || sql.startsWith('WITH RECURSIVE')
      ? 'claim'
      : sql.startsWith('UPDATE "hookbox_deliveries"')
        ? 'complete'
        : null
let kind = null
for (const method of ['run', 'all', 'get']) {
  const original = proto[method]
  proto[method] = function (...args) {
    const sql = String(this.source)
    if (sql.startsWith('BEGIN')) kind = null
    else if (!sql.startsWith('COMMIT')) kind ??= kindOf(sql)
    if (!sql.startsWith('COMMIT')) return original.apply(this, args)
    mark(`commit-${kind ?? 'other'}`)
    try {
      return original.apply(this, args)
    } finally {
      mark('end')
    }
  }
}
