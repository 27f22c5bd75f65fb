import { createServer, type AddressInfo, type Server, type Socket } from 'node:net'
import { SMTPServer } from 'smtp-server'
import { parseMail, type ParsedMail } from './mime.js'

/** One mail the sink accepted. */
export interface ReceivedMail extends ParsedMail {
  from: string
  to: string[]
  raw: string
}

/** A reply code and text to refuse one mailbox with. */
interface Refusal {
  code: number
  text: string
}

/**
 * A real SMTP server on 127.0.0.1 for tests (the `smtp-server` package), plain text, no
 * authentication. Mailboxes can be made to refuse RCPT TO with a given reply; every accepted
 * mail is recorded, parsed.
 */
export class SmtpSink {
  readonly mails: ReceivedMail[] = []
  readonly #refusals = new Map<string, Refusal>()
  #senderRefusal: Refusal | null = null
  #server: SMTPServer
  #port = 0

  private constructor() {
    this.#server = new SMTPServer({
      logger: false,
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      onMailFrom: (_address, _session, callback) => {
        const refusal = this.#senderRefusal
        callback(refusal ? Object.assign(new Error(refusal.text), { responseCode: refusal.code }) : null)
      },
      onRcptTo: (address, _session, callback) => {
        const refusal = this.#refusals.get(address.address.toLowerCase())
        if (!refusal) return callback()
        callback(Object.assign(new Error(refusal.text), { responseCode: refusal.code }))
      },
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = []
        stream.on('data', (c: Buffer) => chunks.push(c))
        stream.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8')
          const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : ''
          this.mails.push({ ...parseMail(raw), raw, from, to: session.envelope.rcptTo.map((r) => r.address) })
          callback()
        })
      },
    })
  }

  /** Starts a sink on `port` of 127.0.0.1 (default: a free one). */
  static async start(port = 0): Promise<SmtpSink> {
    const sink = new SmtpSink()
    await new Promise<void>((resolve, reject) => {
      sink.#server.server.once('error', reject)
      sink.#server.listen(port, '127.0.0.1', () => resolve())
    })
    sink.#port = (sink.#server.server.address() as AddressInfo).port
    return sink
  }

  get port(): number {
    return this.#port
  }

  /** Makes RCPT TO for `mailbox` fail with `code` (e.g. 550 permanent, 451 temporary). */
  refuse(mailbox: string, code: number, text = code >= 500 ? 'No such user here' : 'Try again later'): this {
    this.#refusals.set(mailbox.toLowerCase(), { code, text })
    return this
  }

  /** Makes MAIL FROM fail with `code` for every sender (a relay that will not take our address). */
  refuseSender(code: number, text = 'Sender address rejected'): this {
    this.#senderRefusal = { code, text }
    return this
  }

  /** Lets `mailbox` receive again. */
  accept(mailbox: string): this {
    this.#refusals.delete(mailbox.toLowerCase())
    return this
  }

  /** Mails received for `mailbox`. */
  to(mailbox: string): ReceivedMail[] {
    return this.mails.filter((m) => m.to.some((t) => t.toLowerCase() === mailbox.toLowerCase()))
  }

  async close(): Promise<void> {
    await new Promise<void>((r) => this.#server.close(() => r()))
  }
}

/** A TCP server that accepts connections and never says a word: an SMTP greeting that never comes. */
export async function silentServer(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>()
  const server: Server = createServer((s) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
  return {
    port: (server.address() as AddressInfo).port,
    async close() {
      for (const s of sockets) s.destroy()
      await new Promise<void>((r) => server.close(() => r()))
    },
  }
}

/** A port on 127.0.0.1 where nothing listens (connection refused). */
export async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
  const { port } = server.address() as AddressInfo
  await new Promise<void>((r) => server.close(() => r()))
  return port
}
