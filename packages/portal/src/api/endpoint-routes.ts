import { matchesEvent, ValidationError } from '@hookbox/core'
import { readJson } from '../http/read-json.js'
import { json } from '../http/json-response.js'
import type { Route } from '../http/route-table.js'
import type { PortalAuditType } from '../audit.js'
import { requirePermission, type PortalPermission } from '../permissions.js'
import { eventCatalog } from '../scope/event-catalog.js'
import { visibleCollections, type ApiContext } from './api-context.js'
import { createInput, updatePatch } from './endpoint-input.js'
import { endpointView } from './views.js'

async function catalogOf(ctx: ApiContext) {
  const collections = await visibleCollections(ctx.deps)
  return { collections, catalog: await eventCatalog(ctx.deps.outbox, collections, ctx.deps.examples) }
}

/**
 * A route acting on one of the tenant's endpoints: permission, ownership check (404 for any
 * other's), the action, then its audit event.
 */
function endpointAction(
  method: Route<ApiContext>['method'],
  path: string,
  permission: PortalPermission,
  audit: PortalAuditType,
  act: (ctx: ApiContext, id: string) => Promise<unknown>,
): Route<ApiContext> {
  return {
    method,
    path,
    async handle(ctx, { id }) {
      requirePermission(ctx.session, permission)
      await ctx.scope.endpoint(id!)
      const body = await act(ctx, id!)
      await ctx.deps.audit.emit(ctx.session, audit, { endpointId: id! })
      return json(body)
    },
  }
}

/** Endpoint list, create, read, update, enable/disable, delete, secret reveal and rotation. */
export const endpointRoutes: Route<ApiContext>[] = [
  {
    method: 'GET',
    path: '/endpoints',
    async handle(ctx) {
      requirePermission(ctx.session, 'read')
      return json({ data: (await ctx.scope.endpoints()).map(endpointView) })
    },
  },
  {
    method: 'POST',
    path: '/endpoints',
    async handle(ctx) {
      requirePermission(ctx.session, 'manage')
      const { collections, catalog } = await catalogOf(ctx)
      const input = createInput(await readJson(ctx.request), catalog, collections, ctx.scope.tenant)
      const created = await ctx.scope.outbox.endpoints.create(input)
      await ctx.deps.audit.emit(ctx.session, 'portal.endpoint.created', {
        endpointId: created.id,
        details: { url: created.url, events: created.events },
      })
      // The signing secret, once: it is never in any other answer unless revealed on purpose.
      return json({ data: endpointView(created), secret: created.secrets?.secret ?? null }, 201)
    },
  },
  {
    method: 'GET',
    path: '/endpoints/:id',
    async handle(ctx, { id }) {
      requirePermission(ctx.session, 'read')
      return json({ data: endpointView(await ctx.scope.endpoint(id!)) })
    },
  },
  {
    method: 'PATCH',
    path: '/endpoints/:id',
    async handle(ctx, { id }) {
      requirePermission(ctx.session, 'manage')
      const current = await ctx.scope.endpoint(id!)
      const { collections, catalog } = await catalogOf(ctx)
      const patch = updatePatch(await readJson(ctx.request), catalog)
      const collection = collections.find((c) => c.name === current.collection)
      const outside = patch.events?.find((e) => !matchesEvent(collection?.events, e))
      if (outside !== undefined) throw new ValidationError(`event ${JSON.stringify(outside)} is not sent to this endpoint's collection`)
      const updated = await ctx.scope.outbox.endpoints.update(id!, patch, ctx.scope.option)
      await ctx.deps.audit.emit(ctx.session, 'portal.endpoint.updated', {
        endpointId: id!,
        details: { fields: Object.keys(patch).filter((k) => k !== 'keepCredentials') },
      })
      return json({ data: endpointView(updated) })
    },
  },
  endpointAction('POST', '/endpoints/:id/enable', 'manage', 'portal.endpoint.enabled', async (ctx, id) => ({
    data: endpointView(await ctx.scope.outbox.endpoints.enable(id, ctx.scope.option)),
  })),
  endpointAction('POST', '/endpoints/:id/disable', 'manage', 'portal.endpoint.disabled', async (ctx, id) => ({
    data: endpointView(await ctx.scope.outbox.endpoints.disable(id, 'disabled in the portal', ctx.scope.option)),
  })),
  endpointAction('DELETE', '/endpoints/:id', 'manage', 'portal.endpoint.deleted', async (ctx, id) => {
    await ctx.scope.outbox.endpoints.delete(id, ctx.scope.option)
    return { data: { id, deleted: true } }
  }),
  endpointAction('POST', '/endpoints/:id/secret/reveal', 'reveal', 'portal.endpoint.secret_revealed', async (ctx, id) => ({
    data: await ctx.scope.outbox.endpoints.revealSecret(id, ctx.scope.option),
  })),
  endpointAction('POST', '/endpoints/:id/secret/rotate', 'manage', 'portal.endpoint.secret_rotated', async (ctx, id) => {
    const rotated = await ctx.scope.outbox.endpoints.rotateSecret(id, {}, ctx.scope.option)
    return { data: endpointView(rotated), secret: rotated.secrets?.secret ?? null }
  }),
]
