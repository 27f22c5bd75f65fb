/**
 * @hookbox/portal: the webhook portal a Hookbox host mounts for its customers, behind its own
 * login. A web-standard `Request → Response` handler with a JSON API and a web UI, plus
 * adapters for `node:http` and Express.
 */
export { createPortal, API_PREFIX } from './create-portal.js'
export type { Portal, PortalOptions, PortalSession } from './portal-options.js'
export { ALL_PERMISSIONS } from './permissions.js'
export type { PortalPermission } from './permissions.js'
export type { PortalAuditEvent, PortalAuditType } from './audit.js'
export { toNodeHandler, toExpressHandler } from './adapters/node-handler.js'
export type { ExpressMiddleware, ExpressLikeRequest } from './adapters/node-handler.js'
export { SECURITY_HEADERS } from './http/security-headers.js'
export type { CatalogEntry } from './scope/event-catalog.js'
export type { EndpointView, DeliveryView, DeliveryDetailView, AttemptView } from './api/views.js'
