import type Database from 'better-sqlite3'
import type { EndpointRecord } from '../../src/index.js'

/** An endpoint row as the SQLite store keeps it, read with plain SQL (JSON columns parsed). */
export function endpointRow(db: Database.Database, id: string) {
  const r = db.prepare('SELECT url, headers, auth FROM hookbox_endpoints WHERE id = ?').get(id) as {
    url: string
    headers: string
    auth: string | null
  }
  return {
    url: r.url,
    headers: JSON.parse(r.headers) as Record<string, string>,
    auth: r.auth === null ? null : (JSON.parse(r.auth) as Record<string, unknown>),
    text: `${r.headers} ${r.auth}`,
  }
}

/** Changes columns of an endpoint row with plain SQL, as anyone with write access to the database could. */
export function tamper(db: Database.Database, id: string, set: { url?: string; auth?: unknown; headers?: unknown }): void {
  for (const [column, value] of Object.entries(set))
    db.prepare(`UPDATE hookbox_endpoints SET ${column} = ? WHERE id = ?`).run(typeof value === 'string' ? value : JSON.stringify(value), id)
}

/** Inserts an endpoint row exactly as given (e.g. one written by an earlier release). */
export function insertRow(db: Database.Database, e: EndpointRecord): void {
  db.prepare(
    `INSERT INTO hookbox_endpoints (id, collection, url, enabled, disabled_reason, events, headers, timeout_ms, success,
       append_request_id, auth, description, created_at, updated_at, max_in_flight, rate_per_second, paused_until, failing_since)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    e.id,
    e.collection,
    e.url,
    e.enabled ? 1 : 0,
    e.disabledReason,
    e.events && JSON.stringify(e.events),
    JSON.stringify(e.headers),
    e.timeoutMs,
    e.success && JSON.stringify(e.success),
    e.appendRequestId ? 1 : 0,
    e.auth && JSON.stringify(e.auth),
    e.description,
    e.createdAt,
    e.updatedAt,
    e.maxInFlight,
    e.ratePerSecond,
    e.pausedUntil,
    e.failingSince,
  )
}
