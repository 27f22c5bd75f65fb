import type { Clock, Outbox } from '@hookbox/core'
import type { PortalAuditEvent } from './audit.js'
import type { PortalPermission } from './permissions.js'

/**
 * Who is calling, as the host's `authorize` tells it: the customer (tenant) whose webhooks the
 * session may see, what it may do, and optionally who the person is (for audit events).
 */
export interface PortalSession {
  /** The tenant every read and write is scoped to. */
  tenant: string
  /** What this session may do; see {@link PortalPermission}. */
  permissions: readonly PortalPermission[]
  /** The host's user id or name, copied into audit events. */
  actor?: string
}

/** Options of {@link createPortal}. */
export interface PortalOptions {
  /** The host's outbox; the portal only calls its public API. */
  outbox: Outbox
  /**
   * The host's own login: returns the session of the request (from its cookie, token or API
   * key), or null to answer 401. Called on every API request and page.
   */
  authorize: (request: Request) => PortalSession | null | Promise<PortalSession | null>
  /** Where the portal is mounted, e.g. `/portal` (default: the root). */
  basePath?: string
  /**
   * Collections customers may add endpoints to (default: every collection). An endpoint is
   * created in the one named, or in the first whose event filter covers every picked event.
   */
  collections?: string[]
  /** Example payloads by event type, shown in the event catalog and sent as test events. */
  examples?: Record<string, unknown>
  /** Called after every change with an event the host can log (`portal.endpoint.created`, …). */
  onAudit?: (event: PortalAuditEvent) => void | Promise<void>
  /** Test sends each tenant may make per window (default 5 per minute). */
  testSends?: { limit?: number; windowMs?: number }
  /**
   * Origins besides the request's own that may make state-changing calls (a front end on
   * another host). Every other cross-site request is refused (CSRF).
   */
  trustedOrigins?: string[]
  /** Time source for rate limits, audit times and "since" defaults (default: the system clock). */
  clock?: Clock
  /** The page title shown in the UI (default "Webhooks"). */
  title?: string
}

/** The handler returned by {@link createPortal}: web-standard `Request` in, `Response` out. */
export type Portal = ((request: Request) => Promise<Response>) & {
  /** Where the portal is mounted (normalised, no trailing slash; '' for the root). */
  readonly basePath: string
}
