import type { PostgresPool, PostgresPoolClient } from 'kysely'
import type { PgPoolLike } from './postgres-store-config.js'

/** A pg client as the pool hands it out: kysely's view of it, plus its event methods. */
type PgClient = PostgresPoolClient & {
  on(event: 'error', listener: (error: Error) => void): unknown
  off(event: 'error', listener: (error: Error) => void): unknown
  release(error?: Error): void
}

/** One pooled client as kysely holds it, and the connection error seen while it was checked out. */
interface Guarded {
  wrapper: PostgresPoolClient
  onError: (error: Error) => void
  error: Error | undefined
}

/**
 * The host's pool as kysely sees it, with every client the store checks out guarded. pg's pool
 * listens for a client's `error` only while the client is idle; one that loses its connection
 * while checked out (inside a claim's transaction, say) would emit `error` with no listener and
 * crash the host. The failing query rejects anyway, so the listener only keeps the error and
 * hands it back on release, which makes the pool drop the broken client.
 */
export function guardedPool(pool: PgPoolLike): PostgresPool {
  // Kysely keeps one connection object per client object: the same wrapper each time a client comes back.
  const guarded = new WeakMap<PgClient, Guarded>()
  const guard = (client: PgClient): Guarded => {
    const g: Guarded = {
      error: undefined,
      onError: (error) => void (g.error = error),
      wrapper: {
        query: ((...args: [never]) => client.query(...args)) as PostgresPoolClient['query'],
        release: () => {
          client.off('error', g.onError)
          const error = g.error
          g.error = undefined
          client.release(error)
        },
      },
    }
    guarded.set(client, g)
    return g
  }
  return {
    async connect() {
      const client = (await pool.connect()) as PgClient
      const g = guarded.get(client) ?? guard(client)
      client.on('error', g.onError)
      return g.wrapper
    },
    end: () => pool.end(),
  }
}
