import net from 'node:net'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createSsrfGuard, guardedConnector, SsrfBlockedError } from '../../src/index.js'

/** Calls a connector and returns the error it reports (or the socket, closed at once). */
function connectWith(connector: ReturnType<typeof guardedConnector>, hostname: string, port = '80') {
  return new Promise<Error | null>((resolve) => {
    connector({ hostname, host: hostname, protocol: 'http:', port }, (err, socket) => {
      socket?.destroy()
      resolve(err)
    })
  })
}

describe('ssrf: guard', () => {
  afterEach(() => vi.restoreAllMocks())

  it.each(['127.0.0.1', '::1', '::ffff:127.0.0.1', '10.0.0.5', '169.254.169.254'])(
    'refuses literal %s before any socket is opened',
    async (ip) => {
      const connect = vi.spyOn(net, 'connect')
      const createConnection = vi.spyOn(net, 'createConnection')
      const err = await connectWith(guardedConnector(createSsrfGuard()), ip)
      expect(err).toBeInstanceOf(SsrfBlockedError)
      expect((err as SsrfBlockedError).code).toBe('SSRF_BLOCKED')
      expect(connect).not.toHaveBeenCalled()
      expect(createConnection).not.toHaveBeenCalled()
    },
  )

  it('refuses a host name when any of its addresses is private (checked at lookup, no connection)', async () => {
    const resolve = vi.fn(async () => [
      { address: '93.184.215.14', family: 4 },
      { address: '10.0.0.7', family: 4 },
    ])
    const guard = createSsrfGuard({ resolve })
    await expect(guard.resolve('rebind.example')).rejects.toMatchObject({
      code: 'SSRF_BLOCKED',
      address: '10.0.0.7',
      host: 'rebind.example',
    })
    expect(resolve).toHaveBeenCalledWith('rebind.example')
  })

  it('refuses a host resolving to the metadata address at lookup time', async () => {
    const guard = createSsrfGuard({ resolve: async () => [{ address: '169.254.169.254', family: 4 }] })
    const err = await connectWith(guardedConnector(guard), 'metadata.google.internal')
    expect(err).toBeInstanceOf(SsrfBlockedError)
    expect((err as SsrfBlockedError).range).toBe('linkLocal')
  })

  it('refuses localhost (real resolution) unless allow-listed', async () => {
    await expect(createSsrfGuard().resolve('localhost')).rejects.toBeInstanceOf(SsrfBlockedError)
    await expect(createSsrfGuard({ allow: ['localhost'] }).resolve('localhost')).resolves.not.toHaveLength(0)
    await expect(createSsrfGuard({ allow: ['127.0.0.0/8', '::1'] }).resolve('localhost')).resolves.not.toHaveLength(0)
  })

  it('judges a trailing-dot host by its addresses (a host allow-list entry does not match it)', async () => {
    const guard = createSsrfGuard({ allow: ['localhost'], resolve: async () => [{ address: '127.0.0.1', family: 4 }] })
    await expect(guard.resolve('localhost.')).rejects.toMatchObject({ code: 'SSRF_BLOCKED', range: 'loopback' })
  })

  it('passes public addresses and allow-listed ranges', async () => {
    const guard = createSsrfGuard({ allow: ['10.1.0.0/16'], resolve: async () => [{ address: '10.1.2.3', family: 4 }] })
    await expect(guard.resolve('partner.internal')).resolves.toEqual([{ address: '10.1.2.3', family: 4 }])
    expect(() => guard.checkAddress('x', '8.8.8.8')).not.toThrow()
    expect(() => guard.checkAddress('x', '10.2.0.1')).toThrow(SsrfBlockedError)
  })

  it('connects to the checked address of an allow-listed loopback host', async () => {
    const server = net.createServer((s) => s.end())
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    const port = String((server.address() as net.AddressInfo).port)
    const err = await connectWith(
      guardedConnector(createSsrfGuard({ allow: ['127.0.0.1'], resolve: async () => [{ address: '127.0.0.1', family: 4 }] })),
      'receiver.test',
      port,
    )
    expect(err).toBeNull()
    server.close()
  })
})
