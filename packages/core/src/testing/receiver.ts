import { AssertionError } from 'node:assert'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/** One request the receiver saw. */
export interface Received {
  path: string
  headers: IncomingMessage['headers']
  body: string
  at: number
}

/** Decides how to answer; return a status, or take over the response yourself and return 'handled'. */
export type Behaviour = (req: Received, res: ServerResponse, count: number) => number | 'handled' | Promise<number | 'handled'>

/**
 * A real HTTP receiver on 127.0.0.1 for tests. Each path can have its own behaviour; every
 * request is recorded.
 */
export class TestReceiver {
  readonly requests: Received[] = []
  #server: Server
  #behaviours = new Map<string, Behaviour>()
  #default: Behaviour = () => 200
  #waiters: Array<{ n: number; path?: string; resolve: () => void }> = []
  #sockets = new Set<import('node:net').Socket>()
  /** Requests per path so far (kept, not counted on each request: bursts send tens of thousands). */
  #counts = new Map<string, number>()

  private constructor() {
    this.#server = createServer(async (req, res) => {
      const chunks: Buffer[] = []
      for await (const c of req) chunks.push(c as Buffer)
      const rec: Received = { path: req.url ?? '/', headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() }
      this.requests.push(rec)
      this.#check()
      const behaviour = this.#behaviours.get(rec.path.split('?')[0]!) ?? this.#default
      const count = (this.#counts.get(rec.path) ?? 0) + 1
      this.#counts.set(rec.path, count)
      try {
        const status = await behaviour(rec, res, count)
        if (status !== 'handled') res.writeHead(status, { 'content-type': 'application/json' }).end('{"ok":true}')
      } catch {
        res.destroy()
      }
    })
    this.#server.on('connection', (s) => {
      this.#sockets.add(s)
      s.on('close', () => this.#sockets.delete(s))
    })
  }

  /** Starts a receiver on a free port of 127.0.0.1. */
  static async start(): Promise<TestReceiver> {
    const r = new TestReceiver()
    await new Promise<void>((resolve) => r.#server.listen(0, '127.0.0.1', resolve))
    return r
  }

  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  get url(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`
  }

  /** Sets the behaviour of one path (or of every path without one). */
  on(path: string | '*', behaviour: Behaviour | number): this {
    const b = typeof behaviour === 'number' ? () => behaviour : behaviour
    if (path === '*') this.#default = b
    else this.#behaviours.set(path, b)
    return this
  }

  /** Requests to a path (prefix match). */
  to(path: string): Received[] {
    return this.requests.filter((r) => r.path.startsWith(path))
  }

  /** Resolves once `n` requests (to `path`, if given) have arrived. */
  waitFor(n: number, path?: string, timeoutMs = 10_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new AssertionError({
              message: `timed out waiting for ${n} requests${path ? ` to ${path}` : ''}; got ${path ? this.to(path).length : this.requests.length}`,
            }),
          ),
        timeoutMs,
      )
      this.#waiters.push({ n, path, resolve: () => (clearTimeout(timer), resolve()) })
      this.#check()
    })
  }

  #check() {
    this.#waiters = this.#waiters.filter((w) => {
      const count = w.path ? this.to(w.path).length : this.requests.length
      if (count >= w.n) w.resolve()
      return count < w.n
    })
  }

  async close(): Promise<void> {
    for (const s of this.#sockets) s.destroy()
    await new Promise<void>((r) => this.#server.close(() => r()))
  }
}
