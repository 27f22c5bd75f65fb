/**
 * FrankieOne v2: workflow and IDV biometrics notifications with the v2 payload, sent to
 * endpoints with the requestId appended, signed with an RS256 JWT (`iss: one.frankie.api`),
 * retried exponentially (50 attempts within 24 h) unless the receiver answers 400.
 */
import { Router } from 'express'
import { newId, type OutboxEvent } from '@hookbox/core'
import { HttpError, type AppContext } from './context.js'
import { tenantOf } from './customers.js'

/** Prefix of the Hookbox event types; the FrankieOne function name follows. */
export const V2_TYPE_PREFIX = 'frankie.v2.'

/** IDV steps and their success / error notification functions. */
const IDV_STEPS = {
  token: ['TOKEN_REQUESTED', 'TOKEN_ERROR'],
  'onboarding-url': ['ONB_URL_GENERATED', 'ONB_URL_ERROR'],
  results: ['RESULTS_RETRIEVED', 'RESULTS_ERROR'],
  ocr: ['OCR_PROCESSED', 'OCR_ERROR'],
} as const

/** Every v2 notification function. */
export const V2_FUNCTIONS = ['WORKFLOW_COMPLETE', 'WORKFLOW_ERROR', ...Object.values(IDV_STEPS).flat()] as const
export type V2Function = (typeof V2_FUNCTIONS)[number]

/** A FrankieOne v2 notification body. */
export interface V2Notification {
  workflowExecutionId: string | null
  entityId: string
  entityType: 'INDIVIDUAL' | 'ORGANIZATION'
  workflowName: string | null
  serviceName: string
  function: V2Function
  functionResult: 'SUCCESS' | 'ERROR'
  notificationType: 'EVENT'
  message: string
  requestId: string
  version: '2.0.0'
}

/** Routes: run a workflow, read its execution, and drive the IDV biometrics steps; each customer's own. */
export function frankieOneV2Routes(ctx: AppContext): Router {
  const r = Router()
  const base = '/v2/individuals/:entityId/serviceprofiles/:serviceName/workflows/:workflowName'

  r.post(`${base}/execute`, async (req, res) => {
    const { entityId, serviceName, workflowName } = req.params
    const failed = req.body?.fail === true
    const requestId = newId()
    const execution = {
      workflowExecutionId: newId(),
      entityId,
      serviceName,
      workflowName,
      status: failed ? 'ERROR' : 'COMPLETE',
      requestId,
    }
    const event = notification({
      workflowExecutionId: execution.workflowExecutionId,
      entityId,
      entityType: 'INDIVIDUAL',
      workflowName,
      serviceName,
      function: failed ? 'WORKFLOW_ERROR' : 'WORKFLOW_COMPLETE',
      functionResult: failed ? 'ERROR' : 'SUCCESS',
      message: failed ? 'Workflow execution failed.' : 'Workflow has been completed successfully.',
      requestId,
    })
    await ctx.db.commit(
      ctx.outbox,
      tenantOf(res),
      [{ kind: 'workflow-execution', id: execution.workflowExecutionId, data: execution }],
      [event],
    )
    res.status(200).json(execution)
  })

  r.get(`${base}/executions/:workflowExecutionId`, async (req, res) => {
    const execution = await ctx.db.get(tenantOf(res), 'workflow-execution', req.params.workflowExecutionId)
    if (!execution) throw new HttpError(404, 'NOT_FOUND', 'no such workflow execution')
    res.json(execution)
  })

  r.post('/v2/individuals/:entityId/idv/:step', async (req, res) => {
    const fns = IDV_STEPS[req.params.step as keyof typeof IDV_STEPS]
    if (!fns) throw new HttpError(404, 'NOT_FOUND', `unknown IDV step; one of ${Object.keys(IDV_STEPS).join(', ')}`)
    const failed = req.body?.fail === true
    const requestId = newId()
    const fn = fns[failed ? 1 : 0]
    const event = notification({
      workflowExecutionId: req.body?.workflowExecutionId ?? null,
      entityId: req.params.entityId,
      entityType: 'INDIVIDUAL',
      workflowName: req.body?.workflowName ?? null,
      serviceName: req.body?.serviceName ?? 'KYC',
      function: fn,
      functionResult: failed ? 'ERROR' : 'SUCCESS',
      message: failed ? `IDV ${req.params.step} step failed.` : `IDV ${req.params.step} step succeeded.`,
      requestId,
    })
    await ctx.db.commit(ctx.outbox, tenantOf(res), [{ kind: 'idv-step', id: requestId, data: event.payload }], [event])
    res.status(200).json({ requestId, function: fn })
  })
  return r
}

function notification(n: Omit<V2Notification, 'notificationType' | 'version'>): OutboxEvent<V2Notification> {
  return {
    type: `${V2_TYPE_PREFIX}${n.function}`,
    payload: { ...n, notificationType: 'EVENT', version: '2.0.0' },
    requestId: n.requestId,
    entityId: n.entityId,
  }
}
