import type { SMTPTransportOptions } from 'nodemailer'

/** What a subject line can be made of: the message an attempt carries. */
export interface SubjectContext {
  /** The event type, e.g. `entity.state_changed`. */
  eventType: string
  /** The request id (FrankieOne `requestId`; the message id unless `notify` set one). */
  requestId: string
  /** The message id, sent as `webhook-id`. */
  messageId: string
  /** The endpoint the mail goes to. */
  endpointId: string
}

/** Options of {@link EmailTransport}: one SMTP relay for the whole outbox. */
export interface EmailTransportOptions {
  /** SMTP relay host. */
  host: string
  /** SMTP port (default 587, or 465 when `secure`). */
  port?: number
  /**
   * `true`: TLS from the first byte (port 465). `false` (default): plain connection upgraded
   * with STARTTLS when the server offers it; set `requireTLS` to insist on the upgrade.
   */
  secure?: boolean
  /** Refuse to send unless STARTTLS succeeds (ignored when `secure`). */
  requireTLS?: boolean
  /** Extra TLS options (e.g. `servername`, `ca`). */
  tls?: SMTPTransportOptions['tls']
  /** SMTP login, if the relay wants one. */
  auth?: { user: string; pass: string }
  /** Sender address, e.g. `"Hookbox <hookbox@example.com>"`. Required. */
  from: string
  /** Subject line (default `[hookbox] <eventType> <requestId>`). Line breaks are removed. */
  subject?: (message: SubjectContext) => string
  /**
   * Mails per minute across all recipients (default 60). Attempts beyond it wait for a slot
   * within their own timeout, or fail as retryable with "email rate cap reached".
   */
  maxPerMinute?: number
  /** Mails per minute to any one recipient address (default: no cap beyond `maxPerMinute`). */
  maxPerMinutePerRecipient?: number
  /** Mails that may go out at once before the per-minute rate applies (default: the rate, at most 10). */
  burst?: number
  /** Attach the payload exactly as signed, as `payload.json` (default true). */
  attachPayload?: boolean
  /**
   * Further nodemailer SMTP options, applied last (e.g. `name`, `localAddress`, `logger`).
   * Pooling is not supported: each attempt opens its own connection.
   */
  smtp?: Omit<SMTPTransportOptions, 'pool'>
}
