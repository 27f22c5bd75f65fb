import { quoteIdent } from './identifiers.js'
import type { PgListenClient } from './postgres-store-config.js'

/** Options of {@link listenForWakeUps}. */
export interface ListenOptions {
  /** The NOTIFY channel, shared by every store over the same schema. */
  channel: string
  /** Opens a new, not yet connected client (called again on every reconnect). */
  open: () => Promise<PgListenClient>
  /** Called on every notification, and after a reconnect (notifications may have been missed). */
  onWake: () => void
  /** Longest wait between reconnect attempts. */
  maxBackoffMs: number
  /** How often the idle connection is checked with `SELECT 1` (default 30 s). */
  healthCheckMs?: number
}

/**
 * Holds one dedicated connection that LISTENs on `channel` and calls `onWake` for each
 * notification. When the connection fails it is replaced, with exponential backoff and
 * jitter. The first connection must succeed (its error is thrown, e.g. behind PgBouncer in
 * transaction mode); later failures only reconnect. Resolves to an unsubscribe function.
 */
export async function listenForWakeUps(options: ListenOptions): Promise<() => Promise<void>> {
  const { channel, open, onWake, maxBackoffMs } = options
  let stopped = false
  let failures = 0
  let current: PgListenClient | null = null
  let retry: NodeJS.Timeout | null = null
  let health: NodeJS.Timeout | null = null

  const scheduleReconnect = () => {
    if (stopped || retry) return
    const delay = Math.min(100 * 2 ** failures, maxBackoffMs) * (0.5 + Math.random() / 2)
    failures++
    retry = setTimeout(() => {
      retry = null
      connect().catch(() => undefined)
    }, delay)
    retry.unref()
  }

  const connect = async (): Promise<void> => {
    const client = await open().catch((error: unknown) => {
      scheduleReconnect()
      throw error
    })
    let lost = false
    const onLost = () => {
      if (lost) return
      lost = true
      if (current === client) current = null
      client.end().catch(() => undefined)
      scheduleReconnect()
    }
    client.on('error', onLost)
    client.on('end', onLost)
    client.on('notification', (m) => {
      if (m.channel === channel) onWake()
    })
    try {
      await client.connect()
      await client.query(`LISTEN ${quoteIdent(channel)}`)
    } catch (error) {
      onLost()
      throw error
    }
    if (stopped) {
      lost = true
      await client.end().catch(() => undefined)
      return
    }
    current = client
    failures = 0
    onWake()
  }

  await connect().catch((error: unknown) => {
    stopped = true
    if (retry) clearTimeout(retry)
    throw error
  })

  health = setInterval(() => {
    current?.query('SELECT 1').catch(() => current?.end().catch(() => undefined))
  }, options.healthCheckMs ?? 30_000)
  health.unref()

  return async () => {
    stopped = true
    if (retry) clearTimeout(retry)
    if (health) clearInterval(health)
    const client = current
    current = null
    if (client) {
      await client.query(`UNLISTEN ${quoteIdent(channel)}`).catch(() => undefined)
      await client.end().catch(() => undefined)
    }
  }
}
