import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { createOutbox, type Outbox, type RetentionOptions } from '@hookbox/core'
import { parseTarget, type DatabaseTarget } from './database-target.js'
import { NoDatabaseError } from './errors.js'
import { openStore } from './store-openers.js'

/** How to open the outbox; see {@link openOutbox}. */
export interface ConnectOptions {
  /** `--db`, else `HOOKBOX_DATABASE`. */
  db: string | undefined
  /** Postgres schema (`--schema`, else `HOOKBOX_SCHEMA`, else the store's default `hookbox`). */
  schema: string | undefined
  /** Create the SQLite file when missing (only `migrate` does). */
  create: boolean
  /** Retention used by `purge`. */
  retention?: RetentionOptions
  /** The host project: store packages and drivers are loaded from here; a relative SQLite path is read from here. */
  cwd: string
}

/** An open outbox and what closes it. */
export interface Connection {
  outbox: Outbox
  target: DatabaseTarget
  close(): Promise<void>
}

/** Opens the store named by `--db` and an outbox over it; the dispatcher is never started. */
export async function openOutbox(options: ConnectOptions): Promise<Connection> {
  let target = parseTarget(options.db)
  if (target.kind === 'sqlite') {
    const file = resolve(options.cwd, target.file)
    if (!options.create && !existsSync(file)) throw new NoDatabaseError(target.file)
    target = { kind: 'sqlite', file }
  }
  const { store, release } = await openStore(target, options.cwd, options.schema)
  try {
    const outbox = createOutbox({ store, retention: { ...options.retention, everyMs: 0 } })
    return {
      outbox,
      target,
      close: async () => {
        try {
          await outbox.close({ timeout: 5000 })
        } finally {
          await release()
        }
      },
    }
  } catch (error) {
    await release()
    throw error
  }
}
