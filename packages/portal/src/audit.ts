import type { PortalSession } from './portal-options.js'

/** Kinds of change the portal reports through `onAudit`. */
export type PortalAuditType =
  | 'portal.endpoint.created'
  | 'portal.endpoint.updated'
  | 'portal.endpoint.enabled'
  | 'portal.endpoint.disabled'
  | 'portal.endpoint.deleted'
  | 'portal.endpoint.secret_revealed'
  | 'portal.endpoint.secret_rotated'
  | 'portal.endpoint.test_sent'
  | 'portal.delivery.replayed'
  | 'portal.deliveries.replayed'

/** One change made through the portal, for the host's audit log. Never carries a secret. */
export interface PortalAuditEvent {
  type: PortalAuditType
  tenant: string
  /** The session's `actor`, when the host gave one. */
  actor: string | null
  /** When it happened (portal clock, epoch ms). */
  at: number
  /** The endpoint concerned, when there is one. */
  endpointId?: string
  /** The delivery concerned, when there is one. */
  deliveryId?: string
  /** What changed: field names of an update, counts of a bulk replay… (no secret values). */
  details?: Record<string, unknown>
}

/** Builds and emits audit events; a failing listener never fails the request that caused it. */
export class AuditLog {
  readonly #listener: ((event: PortalAuditEvent) => void | Promise<void>) | undefined
  readonly #now: () => number
  constructor(listener: ((event: PortalAuditEvent) => void | Promise<void>) | undefined, now: () => number) {
    this.#listener = listener
    this.#now = now
  }

  async emit(session: PortalSession, type: PortalAuditType, fields: Omit<PortalAuditEvent, 'type' | 'tenant' | 'actor' | 'at'> = {}) {
    if (!this.#listener) return
    try {
      await this.#listener({ type, tenant: session.tenant, actor: session.actor ?? null, at: this.#now(), ...fields })
    } catch {
      // The change is made and committed; the host's logger is its own business.
    }
  }
}
