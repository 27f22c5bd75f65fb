import { ValidationError, matchesEvent } from '@hookbox/core'
import { readJson } from '../http/read-json.js'
import { json } from '../http/json-response.js'
import type { Route } from '../http/route-table.js'
import { requirePermission } from '../permissions.js'
import { eventCatalog } from '../scope/event-catalog.js'
import { visibleCollections, type ApiContext } from './api-context.js'

/** The session, the event catalog, tenant stats and test sends. */
export const tenantRoutes: Route<ApiContext>[] = [
  {
    method: 'GET',
    path: '/session',
    async handle(ctx) {
      return json({ data: { tenant: ctx.session.tenant, permissions: ctx.session.permissions, actor: ctx.session.actor ?? null } })
    },
  },
  {
    method: 'GET',
    path: '/event-types',
    async handle(ctx) {
      requirePermission(ctx.session, 'read')
      return json({ data: await eventCatalog(ctx.deps.outbox, await visibleCollections(ctx.deps), ctx.deps.examples) })
    },
  },
  {
    method: 'GET',
    path: '/stats',
    async handle(ctx) {
      requirePermission(ctx.session, 'read')
      const s = await ctx.scope.outbox.stats(ctx.scope.option)
      const endpoints = await ctx.scope.endpoints()
      return json({
        data: {
          endpoints: endpoints.length,
          enabledEndpoints: endpoints.filter((e) => e.enabled).length,
          pending: s.pending,
          due: s.due,
          inFlight: s.inFlight,
          dead: s.dead,
          failed: s.failed,
          oldestPendingAgeMs: s.oldestPendingAgeMs,
          pausedEndpoints: s.pausedEndpoints,
          disabledEndpoints: s.disabledEndpoints,
          waitingOnDisabled: s.waitingOnDisabled,
        },
      })
    },
  },
  {
    method: 'POST',
    path: '/endpoints/:id/test',
    async handle(ctx, { id }) {
      requirePermission(ctx.session, 'manage')
      const endpoint = await ctx.scope.endpoint(id!)
      const body = await readJson(ctx.request)
      const collections = await visibleCollections(ctx.deps)
      const catalog = await eventCatalog(ctx.deps.outbox, collections, ctx.deps.examples)
      const collection = collections.find((c) => c.name === endpoint.collection)
      const sendable = catalog
        .map((c) => c.type)
        .filter((t) => !t.includes('*') && matchesEvent(collection?.events, t) && matchesEvent(endpoint.events, t))
      const type = body.type ?? sendable[0]
      if (typeof type !== 'string' || !sendable.includes(type))
        throw new ValidationError(`type must be one of this endpoint's event types: ${sendable.join(', ') || '(none)'}`)
      ctx.deps.testSends.take(ctx.scope.tenant, ctx.deps.clock.now())
      const payload = ctx.deps.examples[type] ?? { test: true, type, note: 'a test event sent from the webhook portal' }
      const sent = await ctx.scope.outbox.notify({ ...ctx.scope.option, type, payload })
      await ctx.deps.audit.emit(ctx.session, 'portal.endpoint.test_sent', { endpointId: id!, details: { type, messageId: sent.messageId } })
      return json({ data: { messageId: sent.messageId, type } }, 202)
    },
  },
]
