/**
 * The operator surface: deliveries of a request with their attempt logs, the dead-letter
 * queue, and replay, across every customer (`?tenant=` narrows to one). Guarded by a bearer
 * token when `opsToken` is set.
 */
import { timingSafeEqual } from 'node:crypto'
import { Router, type NextFunction, type Request, type Response } from 'express'
import { HttpError, type AppContext } from './context.js'

/** `?tenant=acme` as a Hookbox tenant scope; absent: every customer's. */
function tenantScope(query: Request['query']): { tenant?: string } {
  return typeof query.tenant === 'string' && query.tenant ? { tenant: query.tenant } : {}
}

function requireToken(token: string | undefined) {
  const expected = token ? Buffer.from(`Bearer ${token}`) : null
  return (req: Request, _res: Response, next: NextFunction) => {
    if (!expected) return next()
    const given = Buffer.from(req.get('authorization') ?? '')
    if (given.length !== expected.length || !timingSafeEqual(given, expected))
      return next(new HttpError(401, 'UNAUTHORIZED', 'ops routes need the ops bearer token'))
    next()
  }
}

/** Routes under `/ops`. */
export function opsRoutes(ctx: AppContext, opsToken?: string): Router {
  const r = Router()
  r.use('/ops', requireToken(opsToken))

  r.get('/ops/deliveries', async (req, res) => {
    const requestId = req.query.requestId
    if (typeof requestId !== 'string' || !requestId) throw new HttpError(400, 'BAD_REQUEST', 'requestId is required')
    const deliveries = await ctx.outbox.deliveries.byRequestId(requestId, tenantScope(req.query))
    const endpoints = new Map((await ctx.outbox.endpoints.list()).map((e) => [e.id, e.url]))
    res.json(
      deliveries.map((d) => ({
        id: d.id,
        tenant: d.tenant,
        type: d.message.type,
        collection: d.collection,
        state: d.state,
        attempts: d.attempts,
        nextAttemptAt: d.nextAttemptAt,
        lastError: d.lastError,
        targets: d.targets.map((id) => ({ endpointId: id, url: endpoints.get(id) ?? null, progress: d.progress[id] ?? null })),
        attemptLog: d.attemptLog,
      })),
    )
  })

  r.get('/ops/deliveries/:id', async (req, res) => {
    res.json(await ctx.outbox.deliveries.get(req.params.id))
  })

  r.get('/ops/dead-letters', async (req, res) => {
    const collection = typeof req.query.collection === 'string' ? req.query.collection : undefined
    const after = typeof req.query.after === 'string' ? req.query.after : undefined
    res.json(
      await ctx.outbox.deadLetters.list({
        ...tenantScope(req.query),
        ...(collection ? { collection } : {}),
        ...(after ? { after } : {}),
        limit: 100,
      }),
    )
  })

  r.post('/ops/dead-letters/:id/replay', async (req, res) => {
    await ctx.outbox.deadLetters.replay(req.params.id)
    res.status(202).json({ id: req.params.id, state: 'pending' })
  })
  return r
}
