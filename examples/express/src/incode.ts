/**
 * Incode: onboarding statuses of one interview reach each endpoint in order (orderingKey =
 * interviewId), with an OAuth2 bearer token and custom headers; 204, or 200 with JSON,
 * acknowledges. UNKNOWN is a status, never a notification.
 */
import { Router } from 'express'
import { newId, type OutboxEvent } from '@hookbox/core'
import { HttpError, type AppContext } from './context.js'
import { tenantOf } from './customers.js'

/** The Hookbox event type of every Incode notification. */
export const INCODE_TYPE = 'incode.onboarding_status'

/** Onboarding statuses, in the order they occur. */
export const ONBOARDING_STATUSES = [
  'UNKNOWN',
  'ID_VALIDATION_FINISHED',
  'ID_VALIDATION_FINISHED_SECOND_ID',
  'GOVERNMENT_VALIDATION_FINISHED',
  'FACE_VALIDATION_FINISHED',
  'POST_PROCESSING_FINISHED',
  'POST_PROCESSING_FINISHED_SECOND_ID',
  'ONBOARDING_FINISHED',
  'MANUAL_REVIEW_APPROVED',
  'MANUAL_REVIEW_REJECTED',
  'EXPIRED',
] as const
export type OnboardingStatus = (typeof ONBOARDING_STATUSES)[number]

/** The host's interview record. */
export interface Interview {
  interviewId: string
  externalCustomerId?: string
  onboardingStatus: OnboardingStatus
}

/** The Incode webhook body. */
export interface IncodeNotification {
  interviewId: string
  externalCustomerId?: string
  onboardingStatus: Exclude<OnboardingStatus, 'UNKNOWN'>
}

/**
 * The outbox event for a status change. Throws for UNKNOWN, which Incode never sends:
 * whatever route calls this, an UNKNOWN webhook cannot be written.
 */
export function onboardingStatusEvent(interview: Interview): OutboxEvent<IncodeNotification> {
  const status = interview.onboardingStatus
  if (status === 'UNKNOWN' || !ONBOARDING_STATUSES.includes(status))
    throw new HttpError(422, 'STATUS_NOT_NOTIFIABLE', `onboarding status ${status} is never notified`)
  return {
    type: INCODE_TYPE,
    payload: {
      interviewId: interview.interviewId,
      ...(interview.externalCustomerId ? { externalCustomerId: interview.externalCustomerId } : {}),
      onboardingStatus: status,
    },
    // One interview's statuses reach each endpoint in the order they were committed.
    orderingKey: interview.interviewId,
  }
}

/** Routes: start an interview, change its status (notified in order), read its status; each customer's own. */
export function incodeRoutes(ctx: AppContext): Router {
  const r = Router()

  r.post('/incode/interviews', async (req, res) => {
    const interview: Interview = {
      interviewId: newId().toLowerCase(),
      onboardingStatus: 'UNKNOWN',
      ...(req.body?.externalCustomerId ? { externalCustomerId: String(req.body.externalCustomerId) } : {}),
    }
    await ctx.db.commit(ctx.outbox, tenantOf(res), [{ kind: 'interview', id: interview.interviewId, data: interview }], [])
    res.status(201).json(interview)
  })

  r.post('/incode/interviews/:interviewId/status', async (req, res) => {
    const current = await ctx.db.get<Interview>(tenantOf(res), 'interview', req.params.interviewId)
    if (!current) throw new HttpError(404, 'NOT_FOUND', 'no such interview')
    const next: Interview = { ...current, onboardingStatus: req.body?.onboardingStatus }
    const event = onboardingStatusEvent(next) // throws (422) for UNKNOWN before anything is written
    await ctx.db.commit(ctx.outbox, tenantOf(res), [{ kind: 'interview', id: next.interviewId, data: next }], [event])
    res.status(200).json(next)
  })

  // The onboarding status endpoint: the only place UNKNOWN is visible.
  r.get('/incode/interviews/:interviewId/status', async (req, res) => {
    const current = await ctx.db.get<Interview>(tenantOf(res), 'interview', req.params.interviewId)
    if (!current) throw new HttpError(404, 'NOT_FOUND', 'no such interview')
    res.json(current)
  })
  return r
}
