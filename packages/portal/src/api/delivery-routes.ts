import { ValidationError, type DeliveryRecord, type DeliveryState, type Endpoint } from '@hookbox/core'
import { json } from '../http/json-response.js'
import type { Route } from '../http/route-table.js'
import { requirePermission } from '../permissions.js'
import type { ApiContext } from './api-context.js'
import { deliveryDetailView, deliveryView } from './views.js'

const STATES: ReadonlySet<string> = new Set(['pending', 'delivered', 'failed', 'dead'])

/** `?state=&after=&limit=` of a delivery list, checked. */
function listQuery(url: URL): { state?: DeliveryState; after?: string; limit: number } {
  const state = url.searchParams.get('state')
  if (state !== null && !STATES.has(state)) throw new ValidationError(`state must be one of ${[...STATES].join(', ')}`)
  const limit = Number(url.searchParams.get('limit') ?? 25)
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw new ValidationError('limit must be an integer in [1, 100]')
  const after = url.searchParams.get('after')
  return { ...(state && { state: state as DeliveryState }), ...(after && { after }), limit }
}

/** Oldest first (the outbox order), with each one's event type (read from its message). */
async function listed(ctx: ApiContext, deliveries: DeliveryRecord[]) {
  const own = ctx.scope.own(deliveries)
  const details = await Promise.all(own.map((d) => ctx.scope.delivery(d.id)))
  return details.map((d) => deliveryView(d, d.message.type))
}

/** The tenant's endpoints by id, for the request headers of attempt views. */
async function endpointsById(ctx: ApiContext): Promise<Map<string, Endpoint>> {
  return new Map((await ctx.scope.endpoints()).map((e) => [e.id, e]))
}

/** The delivery log: per endpoint, per event (message), and one delivery with its attempts. */
export const deliveryRoutes: Route<ApiContext>[] = [
  {
    method: 'GET',
    path: '/endpoints/:id/deliveries',
    async handle(ctx, { id }) {
      requirePermission(ctx.session, 'read')
      await ctx.scope.endpoint(id!)
      const query = listQuery(ctx.url)
      const page = await ctx.scope.outbox.deliveries.list({ ...ctx.scope.option, ...query, endpointId: id! })
      return json({ data: await listed(ctx, page), next: page.length === query.limit ? page.at(-1)!.id : null })
    },
  },
  {
    method: 'GET',
    path: '/messages/:id/deliveries',
    async handle(ctx, { id }) {
      requirePermission(ctx.session, 'read')
      const page = ctx.scope.own(await ctx.scope.outbox.deliveries.list({ ...ctx.scope.option, messageId: id!, limit: 100 }))
      if (page.length === 0) return json({ error: { code: 'NOT_FOUND', message: `event not found: ${id}` } }, 404)
      return json({ data: await listed(ctx, page) })
    },
  },
  {
    method: 'GET',
    path: '/deliveries/:id',
    async handle(ctx, { id }) {
      requirePermission(ctx.session, 'read')
      const d = await ctx.scope.delivery(id!)
      return json({ data: deliveryDetailView(d, await endpointsById(ctx)) })
    },
  },
]
