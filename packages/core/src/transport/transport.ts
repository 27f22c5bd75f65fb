import type { Verdict } from '../success-rule.js'

/** One attempt to hand to a transport. */
export interface OutgoingRequest {
  /** The endpoint URL, `{requestId}` appended where asked. */
  url: string
  /** Webhook headers (ids, signatures, auth); a non-HTTP transport carries what fits its medium. */
  headers: Record<string, string>
  /** The JSON payload, exactly as signed. */
  body: string
  /** The whole attempt must end within this. */
  timeoutMs: number
}

/** What a transport knows of the message it carries, beyond the wire request. */
export interface TransportRequest extends OutgoingRequest {
  messageId: string
  eventType: string
  requestId: string
  endpointId: string
}

/** What came back, trimmed to what the engine keeps. */
export interface TransportResponse {
  /** HTTP status, or the transport's own reply code (SMTP: 250, 450, 550…). */
  status: number
  contentType: string | undefined
  /** `Retry-After` in ms, if the receiver sent a usable one. */
  retryAfterMs: number | null
  /** First bytes of the body (or the server's reply text), decoded as UTF-8. */
  snippet: string
}

/** Why no response was obtained. */
export type TransportErrorKind = 'timeout' | 'connection' | 'blocked' | 'other'

/**
 * Either a response or an error, with the time taken. A transport whose reply codes do not
 * mean what HTTP statuses mean (SMTP's 4xx is temporary, 5xx permanent) sets `verdict`, which
 * then decides instead of the endpoint's success rule.
 */
export type SendResult =
  | { ok: true; response: TransportResponse; latencyMs: number; verdict?: Verdict }
  | { ok: false; error: { kind: TransportErrorKind; message: string }; latencyMs: number }

/**
 * Carries attempts for endpoint URLs of some schemes. HTTP(S) is built in; add others (e.g.
 * `@hookbox/transport-email` for `mailto:`) with the outbox's `transports` option. Policies,
 * failure modes, dead letters and the attempt log work the same whatever the transport.
 */
export interface Transport {
  /** URL schemes handled, with their colon, e.g. `['mailto:']`. */
  readonly schemes: readonly string[]
  /** Checks an endpoint URL of one of its schemes at registration; throws `InvalidUrlError`. */
  validateUrl?(url: URL): void
  /** Sends one attempt within `request.timeoutMs`; never throws. */
  send(request: TransportRequest): Promise<SendResult>
  /** Releases connections; attempts in flight get at most `timeoutMs`. */
  close?(timeoutMs: number): Promise<void>
}
