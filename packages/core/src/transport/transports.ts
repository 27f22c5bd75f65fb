import { ValidationError } from '../errors.js'
import type { Transport } from './transport.js'

/** The outbox's transports, looked up by an endpoint URL's scheme. */
export class Transports {
  readonly #byScheme = new Map<string, Transport>()
  readonly #all: Transport[]

  /** Later transports may not take a scheme an earlier one holds (HTTP comes first). */
  constructor(transports: Transport[]) {
    this.#all = transports
    for (const t of transports)
      for (const s of t.schemes) {
        const scheme = s.endsWith(':') ? s.toLowerCase() : `${s.toLowerCase()}:`
        if (this.#byScheme.has(scheme)) throw new ValidationError(`two transports claim the URL scheme "${scheme}"`)
        this.#byScheme.set(scheme, t)
      }
  }

  /** The transport for a URL's scheme (`https:`), or undefined. */
  forScheme(protocol: string): Transport | undefined {
    return this.#byScheme.get(protocol.toLowerCase())
  }

  /** The transport for a stored endpoint URL; endpoints are validated, so one exists. */
  forUrl(url: string): Transport {
    const scheme = url.slice(0, url.indexOf(':') + 1)
    const t = this.#byScheme.get(scheme.toLowerCase())
    if (!t) throw new ValidationError(`no transport handles "${scheme}" URLs`)
    return t
  }

  /** Closes every transport, each bounded by `timeoutMs`. */
  async close(timeoutMs: number): Promise<void> {
    await Promise.all(this.#all.map((t) => t.close?.(timeoutMs)))
  }
}
