/** Upper bounds (ms) of the attempt latency buckets; a last, unbounded bucket follows. */
export const LATENCY_BUCKETS_MS: readonly number[] = [5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000]

/** One bucket of a {@link LatencySnapshot}: attempts that took at most `le` ms and more than the bucket before. */
export interface LatencyBucket {
  /** Upper bound in ms, inclusive; `Infinity` for the last bucket. */
  le: number
  /** Attempts in this bucket (not cumulative). */
  count: number
}

/** A latency histogram of HTTP attempts, with percentiles estimated from its buckets. */
export interface LatencySnapshot {
  /** Attempts recorded. */
  count: number
  /** Sum of their latencies (ms). */
  sumMs: number
  /** Smallest and largest latency seen (ms); null before the first attempt. */
  minMs: number | null
  maxMs: number | null
  /** Fixed buckets, {@link LATENCY_BUCKETS_MS} then `Infinity`. */
  buckets: LatencyBucket[]
  /**
   * Estimated percentiles (ms), interpolated linearly inside the bucket that holds them and kept
   * within the observed min and max; null before the first attempt.
   */
  p50: number | null
  p90: number | null
  p99: number | null
}

/**
 * Fixed-bucket histogram: constant memory and O(buckets) per record, however many attempts a
 * long-running process makes, at the price of estimated rather than exact percentiles.
 */
export class LatencyHistogram {
  readonly #bounds: readonly number[]
  readonly #counts: number[]
  #count = 0
  #sum = 0
  #min = Infinity
  #max = -Infinity

  constructor(bounds: readonly number[] = LATENCY_BUCKETS_MS) {
    this.#bounds = bounds
    this.#counts = new Array<number>(bounds.length + 1).fill(0)
  }

  /** Adds one latency in ms (negative values count as 0). */
  record(ms: number): void {
    const v = Number.isFinite(ms) && ms > 0 ? ms : 0
    let i = 0
    while (i < this.#bounds.length && v > this.#bounds[i]!) i++
    this.#counts[i]!++
    this.#count++
    this.#sum += v
    if (v < this.#min) this.#min = v
    if (v > this.#max) this.#max = v
  }

  /** A copy of the current state. */
  snapshot(): LatencySnapshot {
    const empty = this.#count === 0
    return {
      count: this.#count,
      sumMs: this.#sum,
      minMs: empty ? null : this.#min,
      maxMs: empty ? null : this.#max,
      buckets: this.#counts.map((count, i) => ({ le: this.#bounds[i] ?? Infinity, count })),
      p50: this.#quantile(0.5),
      p90: this.#quantile(0.9),
      p99: this.#quantile(0.99),
    }
  }

  /** Like Prometheus' `histogram_quantile`, but bounded by what was actually observed. */
  #quantile(q: number): number | null {
    if (this.#count === 0) return null
    const rank = q * this.#count
    let seen = 0
    for (let i = 0; i < this.#counts.length; i++) {
      const n = this.#counts[i]!
      if (n === 0 || seen + n < rank) {
        seen += n
        continue
      }
      const lower = Math.max(i === 0 ? 0 : this.#bounds[i - 1]!, this.#min)
      const upper = Math.min(this.#bounds[i] ?? this.#max, this.#max)
      const estimate = lower + (upper - lower) * ((rank - seen) / n)
      return Math.min(Math.max(estimate, this.#min), this.#max)
    }
    return this.#max
  }
}
