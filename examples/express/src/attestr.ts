/**
 * Attestr: customers register webhooks themselves (URL, events, a generated token shown once,
 * sent as `Authorization: Basic <token>`), events are sent once with a 5 s timeout, and the
 * polling APIs (`GET /async/:requestId`, `GET /flowx/:executionId`) are the fallback.
 */
import { Router } from 'express'
import { newId, type Endpoint } from '@hookbox/core'
import { HttpError, type AppContext } from './context.js'
import { COLLECTIONS } from './collections.js'
import { tenantOf } from './customers.js'

/** The Attestr event types (also the Hookbox event types). */
export const ATTESTR_EVENTS = [
  'async.completed',
  'async.errored',
  'flowx.completed',
  'flowx.errored',
  'flowx.skipped',
  'factx.query',
] as const

const FLOWX_OUTCOMES = new Set(['completed', 'errored', 'skipped'])

function checkEvents(events: unknown): string[] {
  if (!Array.isArray(events) || events.length === 0 || !events.every((e) => (ATTESTR_EVENTS as readonly string[]).includes(e)))
    throw new HttpError(400, 'BAD_EVENTS', `events must be a non-empty list of ${ATTESTR_EVENTS.join(', ')}`)
  return events
}

/**
 * The dashboard's view of a webhook. The token and the signing secret appear only when they
 * were generated (shown once).
 */
function view(e: Endpoint & { secrets?: Record<string, string> }) {
  return {
    id: e.id,
    url: e.url,
    events: e.events,
    status: e.enabled ? 'enabled' : 'disabled',
    ...(e.secrets?.token ? { token: e.secrets.token } : {}),
    ...(e.secrets?.secret ? { signingSecret: e.secrets.secret } : {}),
  }
}

/**
 * Routes: webhook registration and update, async API, FlowX and FactX events, polling. A
 * customer registers, lists and changes only its own webhooks (another's id is not found), and
 * its events and results reach only it.
 */
export function attestrRoutes(ctx: AppContext): Router {
  const r = Router()
  const { outbox } = ctx

  r.post('/webhooks', async (req, res) => {
    const { url, events, token } = req.body ?? {}
    const created = await outbox.endpoints.create({
      tenant: tenantOf(res),
      collection: COLLECTIONS.attestr,
      url,
      events: checkEvents(events),
      auth: { type: 'basic', ...(token ? { token } : {}) },
      timeoutMs: 5_000,
    })
    res.status(201).json(view(created))
  })

  r.get('/webhooks', async (_req, res) => {
    res.json((await outbox.endpoints.list({ tenant: tenantOf(res), collection: COLLECTIONS.attestr })).map(view))
  })

  r.patch('/webhooks/:id', async (req, res) => {
    const tenant = { tenant: tenantOf(res) }
    const current = await outbox.endpoints.get(req.params.id, tenant) // another customer's: NotFoundError → 404
    if (current.collection !== COLLECTIONS.attestr) throw new HttpError(404, 'NOT_FOUND', 'no such webhook')
    const { url, events, token, regenerateToken, status } = req.body ?? {}
    if (status !== undefined && status !== 'enabled' && status !== 'disabled')
      throw new HttpError(400, 'BAD_STATUS', "status must be 'enabled' or 'disabled'")
    // The token is sent in clear, so it does not follow a new URL: a URL change without a
    // token of the customer's choosing gets a new one (shown once). The signing secret stays.
    const newToken = token !== undefined || regenerateToken || url !== undefined
    const updated = await outbox.endpoints.update(
      req.params.id,
      {
        ...(url !== undefined ? { url } : {}),
        ...(events !== undefined ? { events: checkEvents(events) } : {}),
        ...(newToken ? { auth: { type: 'basic', ...(token ? { token } : { regenerate: true }) } } : {}),
        ...(status !== undefined ? { enabled: status === 'enabled' } : {}),
      },
      tenant,
    )
    res.json(view(updated))
  })

  // An asynchronous eKYC API: 202 now, the result later by webhook and by polling.
  r.post('/async/:api', async (req, res) => {
    const requestId = newId()
    const api = req.params.api
    const fail = req.body?.fail === true
    const tenant = tenantOf(res)
    res.status(202).json({ requestId })
    ctx.jobs.run(async () => {
      const result = fail
        ? {
            status: 422,
            body: { requestId, api, status: 'ERRORED', error: { code: 'SOURCE_UNAVAILABLE', message: 'the source did not answer' } },
          }
        : { status: 200, body: { requestId, api, status: 'COMPLETED', output: { valid: true, input: req.body?.input ?? null } } }
      await ctx.db.commit(
        outbox,
        tenant,
        [],
        [{ type: fail ? 'async.errored' : 'async.completed', payload: result.body, requestId }],
        [{ requestId, ...result }],
      )
    })
  })

  // GetAsyncResponse: works whether or not the webhook got through.
  r.get('/async/:requestId', async (req, res) => {
    const stored = await outbox.results.get(req.params.requestId, { tenant: tenantOf(res) })
    if (!stored) throw new HttpError(404, 'NOT_FOUND', 'no result for this requestId (yet)')
    res.status(stored.status).json(stored.body)
  })

  r.post('/flowx/:executionId/:outcome', async (req, res) => {
    const { executionId, outcome } = req.params
    if (!FLOWX_OUTCOMES.has(outcome)) throw new HttpError(404, 'NOT_FOUND', 'outcome must be completed, errored or skipped')
    const execution = { executionId, status: outcome.toUpperCase(), stages: req.body?.stages ?? [] }
    const [sent] = await ctx.db.commit(
      outbox,
      tenantOf(res),
      [{ kind: 'flowx', id: executionId, data: execution }],
      [{ type: `flowx.${outcome}`, payload: execution }],
    )
    res.status(200).json({ ...execution, requestId: sent!.requestId })
  })

  // ExecutionResult: the FlowX fallback.
  r.get('/flowx/:executionId', async (req, res) => {
    const execution = await ctx.db.get(tenantOf(res), 'flowx', req.params.executionId)
    if (!execution) throw new HttpError(404, 'NOT_FOUND', 'no such execution')
    res.json(execution)
  })

  r.post('/factx/:profileId/queries', async (req, res) => {
    const query = { queryId: newId(), profileId: req.params.profileId, question: String(req.body?.question ?? '') }
    const [sent] = await ctx.db.commit(
      outbox,
      tenantOf(res),
      [{ kind: 'factx-query', id: query.queryId, data: query }],
      [{ type: 'factx.query', payload: query }],
    )
    res.status(201).json({ ...query, requestId: sent!.requestId })
  })
  return r
}
