/** A response shape that acknowledges a delivery. */
export interface AckMatcher {
  /** Exact status code. */
  status: number
  /** When set, the response's `content-type` must start with this (case-insensitive). */
  contentType?: string
}

/**
 * When a receiver's answer counts as acknowledged, as final, or as worth retrying. Plain data,
 * stored with its collection or endpoint.
 *
 * - `acknowledge`: `'2xx'` (default) or a list of statuses / {@link AckMatcher}s.
 * - `stopOn`: statuses that end retries at once and dead-letter (default 400 and 410).
 * - `disableOn`: statuses that also disable the endpoint (default 410 Gone).
 */
export interface SuccessRule {
  acknowledge?: '2xx' | Array<number | AckMatcher>
  stopOn?: number[]
  disableOn?: number[]
}

/** Ready-made success rules of the seed platforms. */
export const successRules = {
  /** Any 2xx acknowledges; 400 and 410 stop; everything else retries. */
  default: (): SuccessRule => ({ acknowledge: '2xx', stopOn: [400, 410], disableOn: [410] }),
  /** FrankieOne v2: 200 or 202 acknowledge; 400 stops; any other 4xx/5xx retries. */
  frankieOne: (): SuccessRule => ({ acknowledge: [200, 202], stopOn: [400], disableOn: [] }),
  /** Incode: 204, or 200 with `application/json`; anything else retries. */
  incode: (): SuccessRule => ({ acknowledge: [204, { status: 200, contentType: 'application/json' }], stopOn: [], disableOn: [] }),
  /** Attestr: 200. */
  attestr: (): SuccessRule => ({ acknowledge: [200], stopOn: [], disableOn: [] }),
}

/** How one response is judged. */
export type Verdict = 'ack' | 'stop' | 'retry'

/** Judges a status code and content type against a rule (unset parts fall back to the default). */
export function judge(rule: SuccessRule | null | undefined, status: number, contentType: string | undefined): Verdict {
  const ack = rule?.acknowledge ?? '2xx'
  const acked =
    ack === '2xx'
      ? status >= 200 && status < 300
      : ack.some((m) =>
          typeof m === 'number'
            ? m === status
            : m.status === status && (!m.contentType || (contentType ?? '').toLowerCase().startsWith(m.contentType.toLowerCase())),
        )
  if (acked) return 'ack'
  if ((rule?.stopOn ?? [400, 410]).includes(status)) return 'stop'
  return 'retry'
}

/** Whether a status should disable the endpoint that returned it. */
export function disables(rule: SuccessRule | null | undefined, status: number): boolean {
  return (rule?.disableOn ?? [410]).includes(status)
}
