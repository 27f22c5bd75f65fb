import type { SendResult, TransportErrorKind } from '@hookbox/core'
import type { NodemailerError } from 'nodemailer'

const SNIPPET_CHARS = 1024

/** SMTP commands whose reply judges this message or recipient, rather than the relay session. */
const MESSAGE_COMMANDS = new Set(['RCPT TO', 'DATA'])

/** A mail the relay accepted: acknowledged, whatever the endpoint's HTTP success rule says. */
export function accepted(response: string | undefined, latencyMs: number): SendResult {
  const text = response ?? '250'
  return { ok: true, latencyMs, verdict: 'ack', response: reply(replyCode(text) ?? 250, text) }
}

/**
 * Turns a nodemailer failure into a result the dispatcher's policies understand. A reply to
 * RCPT TO or DATA judges the message: 5xx (e.g. 550 unknown mailbox) stops and dead-letters,
 * 4xx (e.g. 451 try later) is retried. A reply earlier in the session (greeting, EHLO, AUTH,
 * MAIL FROM) concerns the relay and these settings, not the recipient, so it is retried:
 * fixing the settings then lets the backlog through instead of dead-lettering all of it. No
 * reply at all is a connection error or a timeout, retried like HTTP's.
 */
export function failed(err: unknown, latencyMs: number, timedOut: boolean): SendResult {
  const e = (err ?? {}) as NodemailerError
  if (timedOut || e.code === 'EABORT' || e.code === 'ETIMEDOUT')
    return { ok: false, latencyMs, error: { kind: 'timeout', message: 'timed out' } }
  if (typeof e.responseCode === 'number' && e.responseCode > 0) {
    const text = e.response ?? String(e.responseCode)
    const permanent = e.permanent ?? (e.responseCode >= 500 && e.responseCode !== 503)
    const aboutMessage = e.command !== undefined && MESSAGE_COMMANDS.has(e.command)
    return { ok: true, latencyMs, verdict: permanent && aboutMessage ? 'stop' : 'retry', response: reply(e.responseCode, text) }
  }
  return { ok: false, latencyMs, error: { kind: kindOf(e), message: describe(e) } }
}

/** nodemailer's codes for a session that failed before any reply (socket, DNS, TLS, proxy, drop). */
const CONNECTION_CODES = new Set(['ECONNECTION', 'ESOCKET', 'EDNS', 'ETLS', 'EPROXY'])

function kindOf(e: NodemailerError): TransportErrorKind {
  if (CONNECTION_CODES.has(e.code ?? '') || /^(ECONN|EPIPE|ENOTFOUND|EAI_|EHOST|ENETUNREACH)/.test(e.originalCode ?? e.code ?? ''))
    return 'connection'
  return 'other'
}

function describe(e: NodemailerError): string {
  const code = e.originalCode ?? e.code
  const message = e.message ?? String(e)
  return code && !message.includes(code) ? `${code}: ${message}` : message
}

function reply(status: number, text: string) {
  return { status, contentType: undefined, retryAfterMs: null, snippet: text.slice(0, SNIPPET_CHARS) }
}

function replyCode(text: string): number | null {
  const m = /^([2-5]\d\d)/.exec(text.trim())
  return m ? Number(m[1]) : null
}
