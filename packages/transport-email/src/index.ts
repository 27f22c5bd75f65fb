/**
 * Email (SMTP) endpoints for Hookbox: `mailto:` endpoint URLs delivered through one SMTP relay
 * with nodemailer, for test environments and very low volume.
 *
 * @example
 * ```ts
 * const outbox = createOutbox({ store, transports: [emailTransport({ host: 'smtp.example.com', from: 'hookbox@example.com' })] })
 * await outbox.endpoints.create({ collection: 'events', url: 'mailto:ops@example.com' })
 * ```
 *
 * @module @hookbox/transport-email
 */
export { EmailTransport, emailTransport, EMAIL_RATE_CAP_REACHED } from './email-transport.js'
export type { EmailTransportOptions, SubjectContext } from './options.js'
export { parseMailtoUrl } from './mailto.js'
export { defaultSubject, prettyJson } from './compose.js'
