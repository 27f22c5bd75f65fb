/**
 * The benchmark receiver: node:http on 127.0.0.1 that answers 200 at once and records, per
 * request, its id (`webhook-id`) and when its headers arrived. It runs in a child process by
 * default (`fork`), so on a 2-core machine the engine and the receiver do not share an event
 * loop; `startReceiver({ inProcess: true })` runs it in this process instead.
 */
import { fork, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { createServer, type Server } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { fileURLToPath } from 'node:url'

/** When each id arrived (absolute ms, see `now()` in support.ts). */
export type Receipts = Record<string, number>

/** A running receiver. */
export interface Receiver {
  readonly url: string
  readonly where: 'child process' | 'in process'
  /** Forgets what was received so far. */
  reset(): Promise<void>
  /** Requests received since the last reset, and when. */
  collect(): Promise<{ count: number; receipts: Receipts }>
  /** Requests received since the last reset, and how many distinct `webhook-id`s among them. */
  stats(): Promise<{ count: number; unique: number }>
  close(): Promise<void>
}

const stamp = (): number => performance.timeOrigin + performance.now()

function serve(): { server: Server; state: { count: number; receipts: Receipts }; sockets: Set<Socket> } {
  const state = { count: 0, receipts: {} as Receipts }
  const sockets = new Set<Socket>()
  const server = createServer((req, res) => {
    const at = stamp()
    const id = req.headers['webhook-id']
    state.count++
    if (typeof id === 'string') state.receipts[id] = at
    req.resume()
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json', 'content-length': '11' }).end('{"ok":true}'))
  })
  server.keepAliveTimeout = 30_000
  server.on('connection', (s) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
  })
  return { server, state, sockets }
}

async function listen(server: Server): Promise<string> {
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

/** Starts a receiver in a child process (default) or in this process. */
export async function startReceiver(options: { inProcess?: boolean } = {}): Promise<Receiver> {
  if (options.inProcess) {
    const { server, state, sockets } = serve()
    const url = await listen(server)
    return {
      url,
      where: 'in process',
      reset: async () => {
        state.count = 0
        state.receipts = {}
      },
      collect: async () => ({ count: state.count, receipts: state.receipts }),
      stats: async () => ({ count: state.count, unique: Object.keys(state.receipts).length }),
      close: async () => {
        for (const s of sockets) s.destroy()
        await new Promise<void>((r) => server.close(() => r()))
      },
    }
  }
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), ['--child'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  let seq = 0
  const ask = async <T>(op: string): Promise<T> => {
    const id = ++seq
    const reply = new Promise<T>((resolve, reject) => {
      const onMessage = (m: { id: number; result: T }) => {
        if (m.id !== id) return
        child.off('message', onMessage)
        child.off('exit', onExit)
        resolve(m.result)
      }
      const onExit = () => reject(new Error('benchmark receiver exited'))
      child.on('message', onMessage)
      child.once('exit', onExit)
    })
    child.send({ id, op })
    return reply
  }
  const url = await ask<string>('url')
  return {
    url,
    where: 'child process',
    reset: () => ask('reset'),
    collect: () => ask('collect'),
    stats: () => ask('stats'),
    close: async () => {
      const exited = once(child, 'exit')
      child.send({ id: 0, op: 'exit' })
      await exited
    },
  }
}

/** The child's side: serves and answers the parent's questions over IPC. */
async function child(): Promise<void> {
  const { server, state } = serve()
  const url = await listen(server)
  process.on('message', (m: { id: number; op: string }) => {
    if (m.op === 'exit') process.exit(0)
    let result: unknown = null
    if (m.op === 'url') result = url
    else if (m.op === 'reset') {
      state.count = 0
      state.receipts = {}
    } else if (m.op === 'collect') result = { count: state.count, receipts: state.receipts }
    else if (m.op === 'stats') result = { count: state.count, unique: Object.keys(state.receipts).length }
    process.send!({ id: m.id, result })
  })
  process.on('disconnect', () => process.exit(0))
}

if (process.argv.includes('--child') && process.argv[1] === fileURLToPath(import.meta.url)) await child()
