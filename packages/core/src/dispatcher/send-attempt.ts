import { authFailure } from '../auth/auth-failure.js'
import type { Authenticator, AttemptContext } from '../http/authenticator.js'
import type { SendResult, Transport } from '../transport/transport.js'
import type { Transports } from '../transport/transports.js'
import { newId } from '../ids.js'
import type { Clock } from '../clock.js'
import type { AttemptOutcome, DeliveryRecord, EndpointRecord, MessageRecord } from '../store/records.js'
import type { AttemptTracer, TracedAttempt } from '../telemetry/attempt-tracer.js'
import { requestUrl } from './request-url.js'
import { isPromiseLike } from '../transaction/maybe-async.js'

/** What the dispatcher needs to send one attempt. */
export interface SendContext {
  transports: Transports
  authenticator: Authenticator
  clock: Clock
  userAgent: string
  /** Wraps each attempt in a span and adds its trace context to the headers (OpenTelemetry). */
  trace?: AttemptTracer
}

/** One attempt's result with the identifiers it was sent under. */
export interface SentAttempt {
  attemptId: string
  endpoint: EndpointRecord
  url: string
  startedAt: number
  result: SendResult
  /** How it was judged, once the dispatcher has (settle then does not judge it again). */
  outcome?: AttemptOutcome
}

/**
 * Sends a message to one endpoint over the transport of its URL's scheme. The `webhook-id`
 * header is the message id, identical on every retry and every endpoint, so receivers can
 * de-duplicate. A 401 gives the authenticator one chance to refresh its credentials and resend.
 * Everything, resend included, fits in `budgetMs`. `delivery`, when given, only labels the
 * attempt's span.
 */
export async function sendAttempt(
  ctx: SendContext,
  message: MessageRecord,
  endpoint: EndpointRecord,
  budgetMs: number,
  delivery?: Pick<DeliveryRecord, 'id' | 'attempts'>,
): Promise<SentAttempt> {
  const url = requestUrl(endpoint.url, message.requestId, endpoint.appendRequestId)
  const startedAt = ctx.clock.now()
  const attemptId = newId(startedAt)
  const attempt: AttemptContext = {
    endpoint,
    messageId: message.id,
    attemptId,
    eventType: message.type,
    body: message.payload,
    url,
    timestamp: Math.floor(startedAt / 1000),
  }
  const deadline = performance.now() + budgetMs
  // No tracer, or one that answers at once: no await (each one is a microtask per attempt).
  // An idle one (OpenTelemetry without an SDK) is not even asked: no span information built.
  const tracing = ctx.trace?.idle?.()
    ? undefined
    : ctx.trace?.start({
        eventType: message.type,
        url,
        messageId: message.id,
        tenant: message.tenant,
        requestId: message.requestId,
        endpointId: endpoint.id,
        attemptId,
        ...(delivery && { deliveryId: delivery.id, round: delivery.attempts + 1 }),
      })
  const traced: TracedAttempt | undefined = isPromiseLike(tracing) ? await tracing : tracing
  const one: OneSend = { ctx, attempt, message, transport: ctx.transports.forUrl(url), traced, deadline, budgetMs }
  let result = await sendTraced(one)
  if (result.ok && result.response.status === 401 && ctx.authenticator.onUnauthorized) {
    const retry = await ctx.authenticator.onUnauthorized(attempt).catch(() => false)
    if (retry) result = await sendTraced(one)
  }
  traced?.end(result)
  return { attemptId, endpoint, url, startedAt, result }
}

/** What one send of an attempt needs (a 401 resends the same). */
interface OneSend {
  ctx: SendContext
  attempt: AttemptContext
  message: MessageRecord
  transport: Transport
  traced: TracedAttempt | undefined
  /** `performance.now()` by which the attempt must be over. */
  deadline: number
  budgetMs: number
}

// Module functions, not closures per attempt: under tsx (the bench) each named closure also
// costs a defineProperty of its name.
function sendTraced(one: OneSend): Promise<SendResult> {
  return one.traced ? one.traced.run(() => sendOnce(one)) : sendOnce(one)
}

/** Not async: with headers answered at once (HMAC, none), no promise or await of its own per attempt. */
function sendOnce(one: OneSend): Promise<SendResult> {
  let auth: Record<string, string> | PromiseLike<Record<string, string>>
  try {
    auth = one.ctx.authenticator.headers(one.attempt)
  } catch (err) {
    return Promise.resolve(authFailed(err))
  }
  return isPromiseLike(auth) ? Promise.resolve(auth).then((h) => request(one, h), authFailed) : request(one, auth)
}

function authFailed(err: unknown): SendResult {
  return { ok: false, latencyMs: 0, error: authFailure(err) }
}

// A transport that throws instead of rejecting still fails the attempt's promise: sendAttempt is async.
function request(
  { ctx, attempt, message, transport, traced, deadline, budgetMs }: OneSend,
  auth: Record<string, string>,
): Promise<SendResult> {
  // Fetching credentials (an OAuth2 token) spends the same budget as the request.
  const left = Math.floor(deadline - performance.now())
  if (left <= 0) return Promise.resolve({ ok: false, latencyMs: budgetMs, error: { kind: 'timeout', message: 'timed out' } })
  return transport.send({
    url: attempt.url,
    messageId: message.id,
    eventType: message.type,
    requestId: message.requestId,
    endpointId: attempt.endpoint.id,
    body: message.payload,
    timeoutMs: left,
    headers: {
      'user-agent': ctx.userAgent,
      ...attempt.endpoint.headers,
      ...traced?.headers,
      'content-type': 'application/json',
      'webhook-id': message.id,
      'webhook-timestamp': String(attempt.timestamp),
      'x-hookbox-event-type': message.type,
      'x-hookbox-request-id': message.requestId,
      ...auth,
    },
  })
}
