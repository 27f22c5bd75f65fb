import type { AttemptRecord, DeliveryDetail, DeliveryRecord, Endpoint } from '@hookbox/core'

/** An endpoint as the portal shows it: no secret, custom header values `[redacted]`. */
export interface EndpointView {
  id: string
  collection: string
  url: string
  description: string | null
  events: string[] | null
  enabled: boolean
  disabledReason: string | null
  /** Header names; secret values are `[redacted]` (they are write-only). */
  headers: Record<string, string>
  /** How requests are signed or authenticated (`hmac`, …); the secret itself is never here. */
  auth: string | null
  pausedUntil: number | null
  failingSince: number | null
  createdAt: number
  updatedAt: number
}

/** Whitelists the fields of an endpoint a customer sees. */
export function endpointView(e: Endpoint): EndpointView {
  return {
    id: e.id,
    collection: e.collection,
    url: e.url,
    description: e.description,
    events: e.events,
    enabled: e.enabled,
    disabledReason: e.disabledReason,
    headers: e.headers,
    auth: typeof e.auth?.type === 'string' ? e.auth.type : null,
    pausedUntil: e.pausedUntil,
    failingSince: e.failingSince,
    createdAt: e.createdAt,
    updatedAt: e.updatedAt,
  }
}

/** A delivery in a list: its state and schedule, and the event it carries. */
export interface DeliveryView {
  id: string
  messageId: string
  eventType: string | null
  collection: string
  endpointId: string | null
  targets: string[]
  state: DeliveryRecord['state']
  attempts: number
  nextAttemptAt: number | null
  lastError: string | null
  createdAt: number
  completedAt: number | null
}

/** One attempt with the request headers it was sent with (reconstructed; no secret value). */
export interface AttemptView {
  id: string
  endpointId: string
  round: number
  url: string
  startedAt: number
  latencyMs: number
  statusCode: number | null
  outcome: AttemptRecord['outcome']
  error: string | null
  responseSnippet: string | null
  requestHeaders: Record<string, string>
}

/** A delivery with its payload and attempt log. */
export interface DeliveryDetailView extends DeliveryView {
  requestId: string
  payload: unknown
  attemptLog: AttemptView[]
}

export function deliveryView(d: DeliveryRecord, eventType: string | null): DeliveryView {
  return {
    id: d.id,
    messageId: d.messageId,
    eventType,
    collection: d.collection,
    endpointId: d.endpointId,
    targets: d.targets,
    state: d.state,
    attempts: d.attempts,
    nextAttemptAt: d.nextAttemptAt,
    lastError: d.lastError,
    createdAt: d.createdAt,
    completedAt: d.completedAt,
  }
}

const REDACTED = '[redacted]'

/**
 * The headers an attempt went out with, rebuilt from the message and the endpoint (attempts do
 * not store them): Hookbox's own, the endpoint's custom headers as its view shows them, and
 * the credential headers of its auth scheme with their values redacted.
 */
export function requestHeaders(d: DeliveryDetail, a: AttemptRecord, endpoint: Endpoint | undefined): Record<string, string> {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'webhook-id': d.message.id,
    'webhook-timestamp': String(Math.floor(a.startedAt / 1000)),
  }
  const scheme = typeof endpoint?.auth?.type === 'string' ? endpoint.auth.type : null
  if (scheme === 'hmac' || scheme === 'ed25519') headers['webhook-signature'] = REDACTED
  else if (scheme && scheme !== 'none') headers.authorization = REDACTED
  return { ...headers, ...(endpoint?.headers ?? {}) }
}

export function deliveryDetailView(d: DeliveryDetail, endpoints: ReadonlyMap<string, Endpoint>): DeliveryDetailView {
  let payload: unknown = d.message.payload
  try {
    payload = JSON.parse(d.message.payload)
  } catch {}
  return {
    ...deliveryView(d, d.message.type),
    requestId: d.message.requestId,
    payload,
    attemptLog: d.attemptLog.map((a) => ({
      id: a.id,
      endpointId: a.endpointId,
      round: a.round,
      url: a.url,
      startedAt: a.startedAt,
      latencyMs: a.latencyMs,
      statusCode: a.statusCode,
      outcome: a.outcome,
      error: a.error,
      responseSnippet: a.responseSnippet,
      requestHeaders: requestHeaders(d, a, endpoints.get(a.endpointId)),
    })),
  }
}
