import { ValidationError } from '../errors.js'

/** When an endpoint's circuit breaker opens, and how it probes. */
export interface BreakerOptions {
  /** Outcomes older than this no longer count (default 60 s). */
  windowMs: number
  /** Fewest attempts in the window before the breaker may open (default 5). */
  minAttempts: number
  /**
   * Share of failed attempts in the window that opens it (default 0.5): every attempt failing
   * opens it at once; a mix of failures and successes only when the share is surely at or above
   * it (the lower bound of its 93% confidence interval), so a receiver that fails 40% of the time
   * but answers the rest is not paused by an unlucky stretch.
   */
  failureRate: number
  /** First pause; each failed probe doubles it (default 30 s). */
  pauseMs: number
  /** Longest pause (default 10 min). */
  maxPauseMs: number
}

/**
 * Per-endpoint protection. A failure is a timeout, a connection error or a response that is
 * retried (5xx, 429…); a response that stops (400) says the receiver is up, so it is not.
 */
export interface EndpointHealthOptions {
  /** The circuit breaker, or `false` to keep attempting whatever happens. */
  breaker: BreakerOptions | false
  /** Disable an endpoint that has failed without a success for this long (default 5 days, as Svix); null: never. */
  disableAfterMs: number | null
  /**
   * Attempts an endpoint may have in flight before it has answered (default 2). Each answer
   * widens its window by one, up to the dispatcher's concurrency; each failure halves it. So a
   * receiver that hangs holds a slot or two, never every slot of the dispatcher.
   */
  initialWindow: number
}

/** Defaults of {@link EndpointHealthOptions}. */
export const defaultEndpointHealth: EndpointHealthOptions = {
  breaker: { windowMs: 60_000, minAttempts: 5, failureRate: 0.5, pauseMs: 30_000, maxPauseMs: 10 * 60_000 },
  disableAfterMs: 5 * 24 * 60 * 60 * 1000,
  initialWindow: 2,
}

/** {@link EndpointHealthOptions} as `createOutbox` takes them: any part may be left out. */
export interface EndpointHealthInput {
  breaker?: Partial<BreakerOptions> | false
  disableAfterMs?: number | null
  initialWindow?: number
}

/** Fills in defaults and checks the values. */
export function healthOptions(input: EndpointHealthInput = {}): EndpointHealthOptions {
  const base = defaultEndpointHealth.breaker as BreakerOptions
  const breaker = input.breaker === false ? false : { ...base, ...input.breaker }
  const o: EndpointHealthOptions = {
    breaker,
    disableAfterMs: input.disableAfterMs === undefined ? defaultEndpointHealth.disableAfterMs : input.disableAfterMs,
    initialWindow: input.initialWindow ?? defaultEndpointHealth.initialWindow,
  }
  const positive: Array<[string, number | null]> = [
    ['health.initialWindow', o.initialWindow],
    ['health.disableAfterMs', o.disableAfterMs],
    ...(breaker
      ? (['windowMs', 'minAttempts', 'pauseMs', 'maxPauseMs'] as const).map((k): [string, number] => [`health.breaker.${k}`, breaker[k]])
      : []),
  ]
  for (const [name, v] of positive)
    if (v !== null && (typeof v !== 'number' || !Number.isFinite(v) || v <= 0))
      throw new ValidationError(`${name} must be a positive number, got ${v}`)
  if (breaker && !(breaker.failureRate > 0 && breaker.failureRate <= 1))
    throw new ValidationError(`health.breaker.failureRate must be in (0, 1], got ${breaker.failureRate}`)
  return o
}
