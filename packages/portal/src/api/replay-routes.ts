import { ValidationError } from '@hookbox/core'
import { readJson } from '../http/read-json.js'
import { json } from '../http/json-response.js'
import type { Route } from '../http/route-table.js'
import { requirePermission } from '../permissions.js'
import type { ApiContext } from './api-context.js'
import { deliveryView } from './views.js'

/** The tenant's dead and failed deliveries completed at or after `since`, optionally of one endpoint. */
async function unsuccessfulSince(ctx: ApiContext, since: number, endpointId: string | undefined): Promise<string[]> {
  const ids: string[] = []
  for (const state of ['dead', 'failed'] as const) {
    let after: string | undefined
    for (;;) {
      const page = await ctx.scope.outbox.deliveries.list({
        ...ctx.scope.option,
        ...(endpointId && { endpointId }),
        state,
        limit: 500,
        after,
      })
      if (page.length === 0) break
      after = page.at(-1)!.id
      for (const d of ctx.scope.own(page)) if ((d.completedAt ?? d.updatedAt) >= since) ids.push(d.id)
    }
  }
  return ids
}

/** Dead letters and replays (one dead or failed delivery, or every one since a time). */
export const replayRoutes: Route<ApiContext>[] = [
  {
    method: 'GET',
    path: '/dead-letters',
    async handle(ctx) {
      requirePermission(ctx.session, 'read')
      const endpointId = ctx.url.searchParams.get('endpointId') ?? undefined
      if (endpointId) await ctx.scope.endpoint(endpointId)
      const page = await ctx.scope.outbox.deadLetters.list({ ...ctx.scope.option, ...(endpointId && { endpointId }), limit: 100 })
      const details = await Promise.all(ctx.scope.own(page).map((d) => ctx.scope.delivery(d.id)))
      return json({ data: details.map((d) => deliveryView(d, d.message.type)) })
    },
  },
  {
    method: 'POST',
    path: '/deliveries/:id/replay',
    async handle(ctx, { id }) {
      requirePermission(ctx.session, 'replay')
      const d = await ctx.scope.delivery(id!)
      if (d.state !== 'dead' && d.state !== 'failed')
        throw new ValidationError(`delivery ${id} is ${d.state}; only dead or failed deliveries can be replayed`)
      const replayed = await ctx.scope.outbox.deliveries.replay([d.id], ctx.scope.option)
      await ctx.deps.audit.emit(ctx.session, 'portal.delivery.replayed', {
        deliveryId: d.id,
        ...(d.endpointId && { endpointId: d.endpointId }),
      })
      return json({ data: { replayed } }, 202)
    },
  },
  {
    method: 'POST',
    path: '/replay-failed',
    async handle(ctx) {
      requirePermission(ctx.session, 'replay')
      const body = await readJson(ctx.request)
      const since = typeof body.since === 'string' ? Date.parse(body.since) : body.since
      if (typeof since !== 'number' || !Number.isFinite(since)) throw new ValidationError('since must be an ISO date or epoch milliseconds')
      if (body.endpointId !== undefined && typeof body.endpointId !== 'string') throw new ValidationError('endpointId must be a string')
      const endpointId = body.endpointId as string | undefined
      if (endpointId) await ctx.scope.endpoint(endpointId)
      const ids = await unsuccessfulSince(ctx, since, endpointId)
      const replayed = ids.length === 0 ? 0 : await ctx.scope.outbox.deliveries.replay(ids, ctx.scope.option)
      await ctx.deps.audit.emit(ctx.session, 'portal.deliveries.replayed', {
        ...(endpointId && { endpointId }),
        details: { since, replayed },
      })
      return json({ data: { replayed } }, 202)
    },
  },
]
