/**
 * FrankieOne v1: `X-Frankie-Background: 1` answers 202 with a requestId and runs the work
 * later; the response it would have returned is kept for `/retrieve/{requestId}` (7 days), and
 * one request raises up to three notifications: risk change and status change (EVENT and
 * RESULT collections) and, for background requests, the completion (FUNCTION collection).
 */
import { randomUUID } from 'node:crypto'
import { Router } from 'express'
import { newId, type OutboxEvent } from '@hookbox/core'
import { HttpError, type AppContext } from './context.js'
import { tenantOf } from './customers.js'

/** Hookbox event types, one per FrankieOne v1 collection. */
export const V1_TYPES = { FUNCTION: 'frankie.v1.function', EVENT: 'frankie.v1.event', RESULT: 'frankie.v1.result' } as const

/** The host's entity record. */
export interface Entity {
  entityId: string
  customer_reference?: string
  name?: string
  status: 'UNCHECKED' | 'PASS' | 'FAIL' | 'REFER'
  riskScore: number | null
  lastCheckId?: string
}

/** A FrankieOne v1 notification body. */
export interface V1Notification {
  entityId: string
  customer_reference?: string
  checkId: string
  function: 'EntityRiskChange' | 'UpdateCheckEntity' | 'VerifyEntity'
  functionResult: 'COMPLETED' | 'FAILED'
  notificationType: 'EVENT' | 'RESULT' | 'FUNCTION'
  requestId: string
  message: string
}

const STATUSES = new Set(['PASS', 'FAIL', 'REFER'])

/**
 * Routes: create an entity, verify it (sync or background), and `/retrieve/:requestId`. Each
 * customer sees only its own entities and results; its notifications reach only its endpoints.
 */
export function frankieOneV1Routes(ctx: AppContext): Router {
  const r = Router()

  r.post('/v1/entities', async (req, res) => {
    const { customer_reference, name } = req.body ?? {}
    const entity: Entity = {
      entityId: randomUUID(),
      status: 'UNCHECKED',
      riskScore: null,
      ...(customer_reference ? { customer_reference: String(customer_reference) } : {}),
      ...(name ? { name: String(name) } : {}),
    }
    await ctx.db.commit(ctx.outbox, tenantOf(res), [{ kind: 'entity', id: entity.entityId, data: entity }], [])
    res.status(201).json({ entity })
  })

  r.post('/v1/entities/:entityId/verify', async (req, res) => {
    const input = { outcome: String(req.body?.outcome ?? 'PASS'), riskScore: Number(req.body?.riskScore ?? 10) }
    if (!STATUSES.has(input.outcome) || !Number.isFinite(input.riskScore))
      throw new HttpError(400, 'BAD_REQUEST', 'outcome must be PASS, FAIL or REFER; riskScore a number')
    const requestId = newId()
    const tenant = tenantOf(res)
    res.set('X-Frankie-RequestID', requestId)
    if (req.get('X-Frankie-Background') === '1') {
      res.status(202).json({ requestId })
      ctx.jobs.run(() => verifyEntity(ctx, tenant, req.params.entityId, input, requestId, true).then(() => undefined))
      return
    }
    const result = await verifyEntity(ctx, tenant, req.params.entityId, input, requestId, false)
    res.status(result.status).json(result.body)
  })

  r.get('/retrieve/:requestId', async (req, res) => {
    // Only the customer that made the request gets its result; another one's id is not found.
    const stored = await ctx.outbox.results.get(req.params.requestId, { tenant: tenantOf(res) })
    if (!stored) throw new HttpError(404, 'RESULT_NOT_FOUND', 'no result for this requestId (results are kept for 7 days)')
    // The HTTP code and body the caller would have got had it waited.
    res.set('X-Frankie-RequestID', req.params.requestId).status(stored.status).json(stored.body)
  })
  return r
}

/**
 * Runs a verification of one of `tenant`'s entities: updates the entity, caches the response
 * under `requestId`, and notifies in the same transaction as the entity update.
 */
async function verifyEntity(
  ctx: AppContext,
  tenant: string,
  entityId: string,
  input: { outcome: string; riskScore: number },
  requestId: string,
  background: boolean,
) {
  const entity = await ctx.db.get<Entity>(tenant, 'entity', entityId)
  if (!entity) {
    const result = { status: 404, body: { requestId, errorCode: 'ENTITY_NOT_FOUND', errorMsg: `no entity ${entityId}` } }
    const events = background
      ? [
          notification({
            entityId,
            requestId,
            checkId: '',
            function: 'VerifyEntity',
            functionResult: 'FAILED',
            notificationType: 'FUNCTION',
            message: result.body.errorMsg,
          }),
        ]
      : []
    await ctx.db.commit(ctx.outbox, tenant, [], events, [{ requestId, ...result }])
    return result
  }
  const checkId = randomUUID()
  const next: Entity = { ...entity, status: input.outcome as Entity['status'], riskScore: input.riskScore, lastCheckId: checkId }
  const body = { requestId, checkId, entity: next, checkSummary: { result: next.status, riskScore: next.riskScore } }
  const base = {
    entityId,
    ...(entity.customer_reference ? { customer_reference: entity.customer_reference } : {}),
    checkId,
    requestId,
    functionResult: 'COMPLETED' as const,
  }
  const events: OutboxEvent[] = []
  if (next.riskScore !== entity.riskScore)
    events.push(
      notification({
        ...base,
        function: 'EntityRiskChange',
        notificationType: 'EVENT',
        message: `Risk score changed from ${entity.riskScore ?? 0} to ${next.riskScore}`,
      }),
    )
  if (next.status !== entity.status)
    events.push(
      notification({
        ...base,
        function: 'UpdateCheckEntity',
        notificationType: 'RESULT',
        message: `Entity status changed from ${entity.status} to ${next.status}`,
      }),
    )
  if (background)
    events.push(
      notification({
        ...base,
        function: 'VerifyEntity',
        notificationType: 'FUNCTION',
        message: 'Background request complete: GET /retrieve/{requestId} for the result',
      }),
    )
  // The cached response commits with the entity and the webhooks: a receiver reacting to
  // FUNCTION finds it, and a rolled-back verification leaves none behind.
  await ctx.db.commit(ctx.outbox, tenant, [{ kind: 'entity', id: entityId, data: next }], events, [{ requestId, status: 200, body }])
  return { status: 200, body }
}

/** The outbox event of one v1 notification; the collection follows from `notificationType`. */
function notification(n: V1Notification): OutboxEvent<V1Notification> {
  return { type: V1_TYPES[n.notificationType], payload: n, requestId: n.requestId, entityId: n.entityId || undefined }
}
