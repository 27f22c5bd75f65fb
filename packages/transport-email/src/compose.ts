import type { TransportRequest } from '@hookbox/core'
import type { SendMailOptions } from 'nodemailer'
import type { SubjectContext } from './options.js'

/**
 * Webhook headers copied into the mail, under these names. An allow-list, not a deny-list:
 * `authorization` and an endpoint's custom headers may hold credentials meant for an HTTP
 * receiver, and a mailbox is no place for them.
 */
const CARRIED_HEADERS: Record<string, string> = {
  'webhook-id': 'X-Webhook-Id',
  'webhook-timestamp': 'X-Webhook-Timestamp',
  'webhook-signature': 'X-Webhook-Signature',
  'x-hookbox-event-type': 'X-Hookbox-Event-Type',
  'x-hookbox-request-id': 'X-Hookbox-Request-Id',
}

/** The default subject: `[hookbox] <eventType> <requestId>`. */
export function defaultSubject(m: SubjectContext): string {
  return `[hookbox] ${m.eventType} ${m.requestId}`
}

/** What goes into one mail besides the SMTP settings. */
export interface MailParts {
  from: string
  to: string
  subject: (m: SubjectContext) => string
  attachPayload: boolean
}

/**
 * The mail for one attempt: the payload pretty-printed as the text body (readable in any
 * client), the exact signed bytes as `payload.json` so a signature can still be checked, and
 * a Message-ID stable across retries so mail clients can fold duplicates.
 */
export function composeMail(req: TransportRequest, parts: MailParts): SendMailOptions {
  const headers: Record<string, string> = {
    // RFC 3834: keeps vacation responders and the like from answering the relay.
    'Auto-Submitted': 'auto-generated',
    'X-Auto-Response-Suppress': 'All',
  }
  for (const [name, value] of Object.entries(req.headers)) {
    const carried = CARRIED_HEADERS[name.toLowerCase()]
    if (carried) headers[carried] = value
  }
  const subject = parts.subject({
    eventType: req.eventType,
    requestId: req.requestId,
    messageId: req.messageId,
    endpointId: req.endpointId,
  })
  return {
    from: parts.from,
    to: parts.to,
    subject: subject.replace(/[\r\n]+/g, ' '),
    messageId: `<${req.messageId}.${req.endpointId}@${senderDomain(parts.from)}>`,
    headers,
    text: prettyJson(req.body),
    attachments: parts.attachPayload ? [{ filename: 'payload.json', content: req.body, contentType: 'application/json' }] : [],
  }
}

/** The payload indented for reading; left as it is if it somehow is not JSON. */
export function prettyJson(body: string): string {
  try {
    return `${JSON.stringify(JSON.parse(body), null, 2)}\n`
  } catch {
    return body
  }
}

function senderDomain(from: string): string {
  return /@([A-Za-z0-9.-]+)>?\s*$/.exec(from)?.[1]?.toLowerCase() ?? 'hookbox.invalid'
}
