import { createServer, connect, type AddressInfo, type Socket } from 'node:net'

/** How the proxy treats connections: pass bytes, drop them all, or hold them without a byte through. */
export type ProxyMode = 'open' | 'cut' | 'hang'

/** A TCP proxy of the test's own between clients and a server, to cut or stall every connection. */
export interface TcpProxy {
  /** Port on 127.0.0.1 to connect to instead of the server's. */
  port: number
  /** Connections accepted so far (refused ones included). */
  readonly accepted: number
  /**
   * `cut`: destroys every connection and drops new ones as they arrive; `hang`: stops passing
   * bytes both ways on every connection, old and new; `open`: passes bytes again (new connections).
   */
  set(mode: ProxyMode): void
  close(): Promise<void>
}

/** Starts a proxy to `targetPort` on 127.0.0.1. */
export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  let mode: ProxyMode = 'open'
  let accepted = 0
  const pairs = new Set<[Socket, Socket]>()
  const server = createServer((client) => {
    accepted++
    if (mode === 'cut') return void client.destroy()
    const upstream = connect(targetPort, '127.0.0.1')
    const pair: [Socket, Socket] = [client, upstream]
    pairs.add(pair)
    const drop = () => {
      pairs.delete(pair)
      client.destroy()
      upstream.destroy()
    }
    for (const s of pair) {
      s.on('error', drop)
      s.on('close', drop)
    }
    client.on('data', (chunk) => mode === 'open' && upstream.write(chunk))
    upstream.on('data', (chunk) => mode === 'open' && client.write(chunk))
  })
  const destroyAll = () => {
    for (const pair of [...pairs]) for (const s of pair) s.destroy()
  }
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return {
    port: (server.address() as AddressInfo).port,
    get accepted() {
      return accepted
    },
    set(next) {
      mode = next
      if (next === 'cut') destroyAll()
    },
    close() {
      destroyAll()
      return new Promise<void>((r) => server.close(() => r()))
    },
  }
}
