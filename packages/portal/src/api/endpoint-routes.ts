import { matchesEvent, ValidationError } from '@hookbox/core'
import { readJson } from '../http/read-json.js'
import { json } from '../http/json-response.js'
import type { Route } from '../http/route-table.js'
import { requirePermission } from '../permissions.js'
import { eventCatalog } from '../scope/event-catalog.js'
import { visibleCollections, type ApiContext } from './api-context.js'
import { createInput, updatePatch } from './endpoint-input.js'
import { endpointView } from './views.js'

async function catalogOf(ctx: ApiContext) {
  const collections = await visibleCollections(ctx.deps)
  return { collections, catalog: await eventCatalog(ctx.deps.outbox, collections, ctx.deps.examples) }
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
  {
    method: 'POST',
    path: '/endpoints/:id/enable',
    async handle(ctx, { id }) {
      requirePermission(ctx.session, 'manage')
      await ctx.scope.endpoint(id!)
      const e = await ctx.scope.outbox.endpoints.enable(id!, ctx.scope.option)
      await ctx.deps.audit.emit(ctx.session, 'portal.endpoint.enabled', { endpointId: id! })
      return json({ data: endpointView(e) })
    },
  },
  {
    method: 'POST',
    path: '/endpoints/:id/disable',
    async handle(ctx, { id }) {
      requirePermission(ctx.session, 'manage')
      await ctx.scope.endpoint(id!)
      const e = await ctx.scope.outbox.endpoints.disable(id!, 'disabled in the portal', ctx.scope.option)
      await ctx.deps.audit.emit(ctx.session, 'portal.endpoint.disabled', { endpointId: id! })
      return json({ data: endpointView(e) })
    },
  },
  {
    method: 'DELETE',
    path: '/endpoints/:id',
    async handle(ctx, { id }) {
      requirePermission(ctx.session, 'manage')
      await ctx.scope.endpoint(id!)
      await ctx.scope.outbox.endpoints.delete(id!, ctx.scope.option)
      await ctx.deps.audit.emit(ctx.session, 'portal.endpoint.deleted', { endpointId: id! })
      return json({ data: { id, deleted: true } })
    },
  },
  {
    method: 'POST',
    path: '/endpoints/:id/secret/reveal',
    async handle(ctx, { id }) {
      requirePermission(ctx.session, 'reveal')
      await ctx.scope.endpoint(id!)
      const secrets = await ctx.scope.outbox.endpoints.revealSecret(id!, ctx.scope.option)
      await ctx.deps.audit.emit(ctx.session, 'portal.endpoint.secret_revealed', { endpointId: id! })
      return json({ data: secrets })
    },
  },
  {
    method: 'POST',
    path: '/endpoints/:id/secret/rotate',
    async handle(ctx, { id }) {
      requirePermission(ctx.session, 'manage')
      await ctx.scope.endpoint(id!)
      const rotated = await ctx.scope.outbox.endpoints.rotateSecret(id!, {}, ctx.scope.option)
      await ctx.deps.audit.emit(ctx.session, 'portal.endpoint.secret_rotated', { endpointId: id! })
      return json({ data: endpointView(rotated), secret: rotated.secrets?.secret ?? null })
    },
  },
]
