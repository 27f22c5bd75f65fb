import type { SendResult } from '../transport/transport.js'

/** What is known of an attempt as it starts, for its span. */
export interface AttemptSpanInfo {
  eventType: string
  /** The request URL as sent (with `{requestId}` appended where asked). */
  url: string
  messageId: string
  /** The message's tenant (null: none); omitted by callers that do not know it. */
  tenant?: string | null
  requestId: string
  endpointId: string
  attemptId: string
  /** The delivery and its round, when the caller passes them. */
  deliveryId?: string
  round?: number
}

/** One attempt being traced. */
export interface TracedAttempt {
  /** Headers to add to the outgoing request (the trace context, e.g. `traceparent`). */
  readonly headers: Record<string, string>
  /** Runs `send` with the attempt's span as the active context. */
  run<T>(send: () => Promise<T>): Promise<T>
  /** Ends the span with the attempt's result. Never throws. */
  end(result: SendResult): void
}

/**
 * A hook around each attempt of the send path: it may open a span, add headers and record the
 * result. Returning undefined sends the attempt untraced. Must never throw. It may answer
 * synchronously: the send path then does not wait a turn for it.
 */
export interface AttemptTracer {
  start(info: AttemptSpanInfo): Promise<TracedAttempt | undefined> | TracedAttempt | undefined
  /**
   * Whether an attempt started now would surely go untraced: the send path then skips
   * {@link start} and the span information it would build. Optional; must never throw.
   */
  idle?(): boolean
}
