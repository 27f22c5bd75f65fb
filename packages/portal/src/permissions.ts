import { PermissionDeniedError } from '@hookbox/core'
import type { PortalSession } from './portal-options.js'

/**
 * What a portal session may do, checked on the server for every route:
 * - `read`: list endpoints, deliveries, dead letters, stats and the event catalog;
 * - `manage`: create, update, enable, disable, delete endpoints, rotate secrets, send tests;
 * - `reveal`: show an endpoint's signing secret again after creation;
 * - `replay`: send failed deliveries again.
 */
export type PortalPermission = 'read' | 'manage' | 'reveal' | 'replay'

/** Every permission, for a host that grants a customer everything. */
export const ALL_PERMISSIONS: readonly PortalPermission[] = ['read', 'manage', 'reveal', 'replay']

/** Throws {@link PermissionDeniedError} unless the session has `permission`. */
export function requirePermission(session: PortalSession, permission: PortalPermission): void {
  if (!session.permissions.includes(permission)) throw new PermissionDeniedError(permission)
}
