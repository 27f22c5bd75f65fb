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
  /** Called with each error of the LISTEN connection (it is then replaced). */
  onError?: (error: unknown) => void
  /** Longest wait between reconnect attempts. */
  maxBackoffMs: number
  /** How often the idle connection is checked with `SELECT 1` (default 30 s). */
  healthCheckMs?: number
  /** Longest wait for UNLISTEN and for closing the connection on unsubscribe (default 5 s). */
  stopTimeoutMs?: number
}

/** SQLSTATE classes of a server that is going away or not there yet: worth reconnecting. */
const TRANSIENT_CLASSES = new Set(['08', '53', '57'])

/**
 * Whether an error of the first connection means LISTEN can never work here (the server
 * refused the statement, e.g. behind PgBouncer in transaction mode), rather than the database
 * being away for now (a network error, a server shutting down or starting up).
 */
function refusedForGood(error: unknown): boolean {
  const e = error as { severity?: unknown; code?: unknown } | null
  if (typeof e?.severity !== 'string' || typeof e.code !== 'string') return false
  return !TRANSIENT_CLASSES.has(e.code.slice(0, 2))
}

/** Resolves with `work`, or after `ms` whatever it does. */
function bounded(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<void>((r) => (timer = setTimeout(r, ms)))
  return Promise.race([
    work.then(
      () => undefined,
      () => undefined,
    ),
    late,
  ]).finally(() => clearTimeout(timer))
}

/**
 * Holds one dedicated connection that LISTENs on `channel` and calls `onWake` for each
 * notification. When the connection fails it is replaced, with exponential backoff and jitter
 * up to `maxBackoffMs`; so is a first connection that fails because the database is away (a
 * dispatcher started during an outage listens once it is back). Only a server that refuses
 * LISTEN itself (e.g. PgBouncer in transaction mode) makes it throw. Resolves to an
 * unsubscribe function, bounded by `stopTimeoutMs`.
 */
export async function listenForWakeUps(options: ListenOptions): Promise<() => Promise<void>> {
  const { channel, open, onWake, maxBackoffMs } = options
  const onError = options.onError ?? (() => undefined)
  const stopTimeoutMs = options.stopTimeoutMs ?? 5_000
  let stopped = false
  let failures = 0
  let current: PgListenClient | null = null
  let retry: NodeJS.Timeout | null = null
  let checking = false

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
      onError(error)
      scheduleReconnect()
      throw error
    })
    let lost = false
    const onLost = (error?: unknown) => {
      if (lost) return
      lost = true
      if (current === client) current = null
      if (error !== undefined && !stopped) onError(error)
      client.end().catch(() => undefined)
      scheduleReconnect()
    }
    client.on('error', onLost)
    client.on('end', () => onLost(stopped ? undefined : new Error('the LISTEN connection ended')))
    client.on('notification', (m) => {
      if (m.channel === channel) onWake()
    })
    try {
      await client.connect()
      await client.query(`LISTEN ${quoteIdent(channel)}`)
    } catch (error) {
      // A refusal for good is the caller's to report: it is thrown.
      onLost(refusedForGood(error) ? undefined : error)
      throw error
    }
    if (stopped || lost) {
      lost = true
      await bounded(client.end(), stopTimeoutMs)
      return
    }
    current = client
    failures = 0
    onWake()
  }

  try {
    await connect()
  } catch (error) {
    if (refusedForGood(error)) {
      stopped = true
      if (retry) clearTimeout(retry)
      throw error
    }
    // The database is away: connect() has scheduled the next try.
  }

  const health = setInterval(() => {
    const client = current
    if (!client || checking) return
    checking = true
    client
      .query('SELECT 1')
      .catch(() => client.end().catch(() => undefined))
      .finally(() => (checking = false))
  }, options.healthCheckMs ?? 30_000)
  health.unref()

  return async () => {
    stopped = true
    if (retry) clearTimeout(retry)
    clearInterval(health)
    const client = current
    current = null
    if (client) {
      // A connection that hangs answers neither: each wait is bounded.
      await bounded(client.query(`UNLISTEN ${quoteIdent(channel)}`), stopTimeoutMs)
      await bounded(client.end(), stopTimeoutMs)
    }
  }
}
