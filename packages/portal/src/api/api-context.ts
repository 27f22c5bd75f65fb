import type { Clock, Collection, Outbox } from '@hookbox/core'
import type { AuditLog } from '../audit.js'
import type { PortalSession } from '../portal-options.js'
import type { RateLimiter } from '../rate-limit.js'
import type { ScopedOutbox } from '../scope/scoped-outbox.js'

/** What the portal holds for its whole life. */
export interface PortalDeps {
  outbox: Outbox
  audit: AuditLog
  testSends: RateLimiter
  examples: Record<string, unknown>
  /** Collections customers may use; null: all. */
  collections: ReadonlySet<string> | null
  clock: Clock
}

/** What an API route handler gets for one request. */
export interface ApiContext {
  request: Request
  url: URL
  session: PortalSession
  scope: ScopedOutbox
  deps: PortalDeps
}

/** The collections customers may see and use. */
export async function visibleCollections(deps: PortalDeps): Promise<Collection[]> {
  const all = await deps.outbox.collections.list()
  return deps.collections ? all.filter((c) => deps.collections!.has(c.name)) : all
}
