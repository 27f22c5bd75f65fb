import { systemClock, ValidationError } from '@hookbox/core'
import type { ApiContext, PortalDeps } from './api/api-context.js'
import { deliveryRoutes } from './api/delivery-routes.js'
import { endpointRoutes } from './api/endpoint-routes.js'
import { replayRoutes } from './api/replay-routes.js'
import { tenantRoutes } from './api/tenant-routes.js'
import { AuditLog } from './audit.js'
import { checkOrigin } from './http/check-origin.js'
import { errorResponse, json } from './http/json-response.js'
import { RouteTable } from './http/route-table.js'
import type { Portal, PortalOptions, PortalSession } from './portal-options.js'
import { RateLimiter } from './rate-limit.js'
import { ScopedOutbox } from './scope/scoped-outbox.js'
import { assetResponse } from './ui/assets.js'
import { PAGES, pageResponse } from './ui/page.js'

/** The JSON API's path prefix under the base path; a breaking change gets a new version. */
export const API_PREFIX = '/api/v1'

const TENANT = /^[A-Za-z0-9._~:-]{1,128}$/

function normaliseBase(basePath: string | undefined): string {
  const base = (basePath ?? '').replace(/\/+$/, '')
  if (base !== '' && !/^(\/[A-Za-z0-9._~-]+)+$/.test(base))
    throw new ValidationError(`basePath must look like /portal, got ${JSON.stringify(basePath)}`)
  return base
}

/** A session the host returned, checked: a tenant token and a permission list. */
function checkSession(session: PortalSession): PortalSession {
  if (typeof session !== 'object' || typeof session.tenant !== 'string' || !TENANT.test(session.tenant))
    throw new ValidationError('authorize must return { tenant, permissions } with a tenant token, or null')
  if (!Array.isArray(session.permissions)) throw new ValidationError('authorize must return permissions as an array')
  return session
}

/**
 * The webhook portal: a JSON API under `<basePath>/api/v1` and a web UI at `<basePath>/`, for
 * the host's customers, behind the host's own login. Every read and write is scoped to the
 * tenant `authorize` returns; see the package README for the routes.
 *
 * @example
 * ```ts
 * const portal = createPortal({
 *   outbox,
 *   basePath: '/portal',
 *   authorize: (req) => sessionOf(req) && { tenant: sessionOf(req).customerId, permissions: ['read', 'manage', 'reveal', 'replay'] },
 * })
 * http.createServer(toNodeHandler(portal)).listen(3000)
 * ```
 */
export function createPortal(options: PortalOptions): Portal {
  if (!options?.outbox) throw new ValidationError('createPortal needs the outbox')
  if (typeof options.authorize !== 'function') throw new ValidationError('createPortal needs an authorize(request) function')
  const basePath = normaliseBase(options.basePath)
  const clock = options.clock ?? systemClock
  const deps: PortalDeps = {
    outbox: options.outbox,
    audit: new AuditLog(options.onAudit, () => clock.now()),
    testSends: new RateLimiter('test sends', options.testSends?.limit ?? 5, options.testSends?.windowMs ?? 60_000),
    examples: options.examples ?? {},
    collections: options.collections ? new Set(options.collections) : null,
    clock,
  }
  const trusted = new Set(options.trustedOrigins ?? [])
  const routes = new RouteTable<ApiContext>([...endpointRoutes, ...deliveryRoutes, ...replayRoutes, ...tenantRoutes])
  const title = options.title ?? 'Webhooks'

  const authorize = async (request: Request): Promise<PortalSession | null> => {
    const session = await options.authorize(request)
    return session === null || session === undefined ? null : checkSession(session)
  }

  async function api(request: Request, url: URL, path: string): Promise<Response> {
    const match = routes.match(request.method, path)
    if (match === null) return json({ error: { code: 'NOT_FOUND', message: `no route ${request.method} ${path}` } }, 404)
    if (match === 'method-not-allowed')
      return json({ error: { code: 'METHOD_NOT_ALLOWED', message: `${request.method} not allowed` } }, 405)
    checkOrigin(request, trusted)
    const session = await authorize(request)
    if (!session) return json({ error: { code: 'UNAUTHORIZED', message: 'sign in first' } }, 401)
    const scope = new ScopedOutbox(deps.outbox, session.tenant)
    return match.route.handle({ request, url, session, scope, deps }, match.params)
  }

  async function ui(request: Request, path: string): Promise<Response | null> {
    if (path.startsWith('/assets/')) return request.method === 'GET' ? assetResponse(path.slice('/assets/'.length)) : null
    const page = PAGES.find((p) => p.pattern.test(path))
    if (!page || request.method !== 'GET') return null
    if (!(await authorize(request))) return pageResponse(basePath, 'signed-out', 'Sign in', title, 401)
    return pageResponse(basePath, page.view, page.title, title)
  }

  const portal = async (request: Request): Promise<Response> => {
    try {
      const url = new URL(request.url)
      if (url.pathname !== basePath && !url.pathname.startsWith(`${basePath}/`))
        return json({ error: { code: 'NOT_FOUND', message: 'not under the portal' } }, 404)
      const path = url.pathname.slice(basePath.length) || '/'
      if (path === API_PREFIX || path.startsWith(`${API_PREFIX}/`)) return await api(request, url, path.slice(API_PREFIX.length))
      return (await ui(request, path)) ?? json({ error: { code: 'NOT_FOUND', message: 'no such page' } }, 404)
    } catch (error) {
      return errorResponse(error)
    }
  }
  return Object.assign(portal, { basePath })
}
