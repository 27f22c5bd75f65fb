import { ValidationError, type SendResult, type Transport, type TransportRequest } from '@hookbox/core'
import nodemailer, { type SMTPSentMessageInfo, type SMTPTransportOptions, type Transporter } from 'nodemailer'
import { accepted, failed } from './classify.js'
import { composeMail, defaultSubject, type MailParts } from './compose.js'
import { parseMailtoUrl } from './mailto.js'
import type { EmailTransportOptions } from './options.js'
import { RateCaps } from './rate-cap.js'

/** The error message of an attempt refused by the rate cap; it is retried like a connection error. */
export const EMAIL_RATE_CAP_REACHED = 'email rate cap reached'

/** Why an attempt's signal was aborted. */
type AbortCause = 'timeout' | 'closed'

/**
 * Delivers `mailto:` endpoints through one SMTP relay with nodemailer: one mail per attempt,
 * subject naming the event type and request id, the JSON payload as a readable body. Add it
 * with `createOutbox({ transports: [emailTransport({ … })] })`; policies, failure modes, dead
 * letters and the attempt log then treat these endpoints like HTTP ones, with the SMTP reply
 * code as the attempt's status. Meant for test environments and very low volume.
 */
export class EmailTransport implements Transport {
  /** The URL scheme handled. */
  readonly schemes = ['mailto:'] as const
  readonly #mailer: Transporter<SMTPSentMessageInfo, SMTPTransportOptions>
  readonly #caps: RateCaps
  readonly #parts: Omit<MailParts, 'to'>
  readonly #inFlight = new Map<AbortController, Promise<unknown>>()
  #closed = false

  /** Checks the options (throws `ValidationError`) and sets up the SMTP client; nothing connects yet. */
  constructor(options: EmailTransportOptions) {
    checkOptions(options)
    const perMinute = options.maxPerMinute ?? 60
    const perRecipient = options.maxPerMinutePerRecipient
    this.#caps = new RateCaps(
      { perMinute, burst: options.burst ?? Math.max(1, Math.min(perMinute, 10)) },
      perRecipient === undefined ? null : { perMinute: perRecipient, burst: Math.max(1, Math.min(options.burst ?? 10, perRecipient)) },
    )
    this.#parts = { from: options.from, subject: options.subject ?? defaultSubject, attachPayload: options.attachPayload ?? true }
    this.#mailer = nodemailer.createTransport({
      host: options.host,
      port: options.port,
      secure: options.secure ?? false,
      requireTLS: options.requireTLS,
      tls: options.tls,
      auth: options.auth,
      // The payload is a string: never let message options reach files or URLs.
      disableFileAccess: true,
      disableUrlAccess: true,
      ...options.smtp,
    } satisfies SMTPTransportOptions)
    // Failures reach each send's own result; an unheard 'error' event (OAuth2 refresh) would crash the host.
    this.#mailer.on('error', () => {})
  }

  /** Accepts `mailto:` URLs with exactly one address and no query fields; throws `InvalidUrlError`. */
  validateUrl(url: URL): void {
    parseMailtoUrl(url)
  }

  /**
   * Mails one attempt; never throws. The whole attempt, rate-cap wait included, ends within
   * `request.timeoutMs`. The rate cap may use up to half of it; past that the attempt fails
   * at once with {@link EMAIL_RATE_CAP_REACHED} and the policy retries it later.
   */
  async send(request: TransportRequest): Promise<SendResult> {
    const started = performance.now()
    const elapsed = () => Math.round(performance.now() - started)
    if (this.#closed) return { ok: false, latencyMs: 0, error: { kind: 'other', message: 'email transport is closed' } }
    let to: string
    try {
      to = parseMailtoUrl(request.url)
    } catch (err) {
      return { ok: false, latencyMs: 0, error: { kind: 'other', message: (err as Error).message } }
    }
    const controller = new AbortController()
    const timer = setTimeout(() => controller.abort('timeout' satisfies AbortCause), request.timeoutMs)
    const attempt = this.#attempt(request, to, controller.signal, started)
    this.#inFlight.set(controller, attempt)
    try {
      const result = await attempt
      if (result) return result
    } catch (err) {
      if (!controller.signal.aborted) return failed(err, elapsed(), false)
    } finally {
      clearTimeout(timer)
      this.#inFlight.delete(controller)
    }
    return controller.signal.reason === 'closed'
      ? { ok: false, latencyMs: elapsed(), error: { kind: 'other', message: 'email transport closed during the attempt' } }
      : failed(undefined, elapsed(), true)
  }

  /** Waits for a rate-cap slot, then sends; settles when the signal aborts even if nodemailer has not. */
  async #attempt(request: TransportRequest, to: string, signal: AbortSignal, started: number): Promise<SendResult | null> {
    const elapsed = () => Math.round(performance.now() - started)
    if (!(await this.#caps.acquire(to, Math.floor(request.timeoutMs / 2), signal))) {
      if (signal.aborted) return null
      return { ok: false, latencyMs: elapsed(), error: { kind: 'other', message: EMAIL_RATE_CAP_REACHED } }
    }
    const sending = this.#mailer.sendMail({ ...composeMail(request, { ...this.#parts, to }), signal })
    sending.catch(() => {}) // may lose the race below; its rejection is then of no interest
    const info = await Promise.race([sending, aborted(signal)])
    return accepted(info.response, elapsed())
  }

  /**
   * Stops taking attempts and waits up to `timeoutMs` for those in flight, then aborts them.
   * Each attempt uses its own SMTP connection, so nothing else stays open.
   */
  async close(timeoutMs = 30_000): Promise<void> {
    this.#closed = true
    if (this.#inFlight.size > 0) {
      let timer: NodeJS.Timeout | undefined
      const late = new Promise<void>((r) => (timer = setTimeout(r, timeoutMs)))
      await Promise.race([Promise.allSettled(this.#inFlight.values()), late])
      clearTimeout(timer)
      for (const controller of this.#inFlight.keys()) controller.abort('closed' satisfies AbortCause)
    }
    this.#mailer.close()
  }
}

/** Creates an {@link EmailTransport}: `createOutbox({ transports: [emailTransport({ host, from })] })`. */
export function emailTransport(options: EmailTransportOptions): EmailTransport {
  return new EmailTransport(options)
}

function aborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    const fail = () => reject(new Error(`email attempt aborted: ${String(signal.reason)}`))
    if (signal.aborted) fail()
    else signal.addEventListener('abort', fail, { once: true })
  })
}

function checkOptions(o: EmailTransportOptions): void {
  if (typeof o !== 'object' || o === null) throw new ValidationError('email transport options are required')
  if (typeof o.host !== 'string' || o.host.length === 0) throw new ValidationError('email transport: host is required')
  if (typeof o.from !== 'string' || o.from.trim().length === 0 || /[\r\n]/.test(o.from))
    throw new ValidationError('email transport: from is required (one address, no line breaks)')
  if (o.port !== undefined && !(Number.isInteger(o.port) && o.port > 0 && o.port < 65536))
    throw new ValidationError(`email transport: port must be 1–65535, got ${o.port}`)
  for (const key of ['maxPerMinute', 'maxPerMinutePerRecipient', 'burst'] as const) {
    const v = o[key]
    if (v !== undefined && !(Number.isFinite(v) && v > 0))
      throw new ValidationError(`email transport: ${key} must be a positive number, got ${v}`)
  }
  if (o.burst !== undefined && o.burst < 1) throw new ValidationError('email transport: burst must be at least 1')
  if (o.subject !== undefined && typeof o.subject !== 'function') throw new ValidationError('email transport: subject must be a function')
}
