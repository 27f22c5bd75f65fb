import { UsageError } from './errors.js'

/** Where the CLI's database is: a SQLite file, a Postgres URL or a MySQL/MariaDB URL. */
export type DatabaseTarget = { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string } | { kind: 'mysql'; url: string }

/**
 * Reads `--db`: `postgres://…` / `postgresql://…` is Postgres, `mysql://…` MySQL or MariaDB;
 * anything else (optionally `sqlite:`-prefixed) a SQLite file.
 */
export function parseTarget(db: string | undefined): DatabaseTarget {
  if (!db) throw new UsageError('no database: pass --db <file.db | postgres://… | mysql://…> or set HOOKBOX_DATABASE')
  if (/^postgres(ql)?:\/\//i.test(db)) return { kind: 'postgres', url: db }
  if (/^mysql:\/\//i.test(db)) return { kind: 'mysql', url: db }
  return { kind: 'sqlite', file: db.replace(/^sqlite:/i, '') }
}
