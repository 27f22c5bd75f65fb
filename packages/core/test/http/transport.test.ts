import { createHook } from 'node:async_hooks'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { HttpTransport } from '../../src/index.js'
import { TestReceiver } from '../../src/testing/receiver.js'

const post = (t: HttpTransport, url: string, timeoutMs = 5_000) => t.send({ url, body: '{}', timeoutMs, headers: {} })

describe('HttpTransport', () => {
  let receiver: TestReceiver
  let transport: HttpTransport

  beforeEach(async () => {
    receiver = await TestReceiver.start()
    transport = new HttpTransport({ connectionsPerOrigin: 1, snippetBytes: 8, maxResponseBytes: 64 })
  })
  afterEach(async () => {
    await transport.close(1_000)
    await receiver.close()
  })

  // Issue 16: request() costs a body stream, an AbortController and an async resource per POST,
  // about a third of a POST's CPU; the transport reads the response through its own handler.
  it('sends without undici request()’s per-request machinery (no UNDICI_REQUEST async resource)', async () => {
    const types: string[] = []
    const hook = createHook({ init: (_id, type) => void types.push(type) }).enable()
    try {
      for (let i = 0; i < 5; i++) expect(await post(transport, `${receiver.url}/ok`)).toMatchObject({ ok: true, response: { status: 200 } })
    } finally {
      hook.disable()
    }
    expect(types.filter((t) => t === 'UNDICI_REQUEST')).toEqual([])
  })

  // Issue 13: URLs are parsed once per endpoint (10,000 tenants × 3 endpoints overflowed a cache
  // by URL); an endpoint whose URL changes (a request id appended, an update) is parsed again.
  it('sends each request to its own URL when one endpoint’s URL changes between sends', async () => {
    const send = (path: string) =>
      transport.send({ url: `${receiver.url}${path}`, endpointId: 'ep_1', body: '{}', timeoutMs: 5_000, headers: {} })
    for (const path of ['/a', '/a/req_1', '/b?x=1', '/a']) expect(await send(path)).toMatchObject({ ok: true, response: { status: 200 } })
    expect(receiver.requests.map((r) => r.path)).toEqual(['/a', '/a/req_1', '/b?x=1', '/a'])
  })

  it('keeps the status, content type, Retry-After and the first bytes of the body', async () => {
    receiver.on('/busy', (_r, res) => {
      res.writeHead(503, { 'content-type': 'text/plain', 'retry-after': '7' }).end('try again later')
      return 'handled'
    })
    expect(await post(transport, `${receiver.url}/busy`)).toMatchObject({
      ok: true,
      response: { status: 503, contentType: 'text/plain', retryAfterMs: 7_000, snippet: 'try agai' },
    })
  })

  it('stops reading a body at maxResponseBytes and keeps the status', async () => {
    receiver.on('/huge', (_r, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' })
      res.write(Buffer.alloc(1024, 'x'))
      return 'handled' // never ends
    })
    expect(await post(transport, `${receiver.url}/huge`)).toMatchObject({ ok: true, response: { status: 200, snippet: 'xxxxxxxx' } })
  })

  it('times out a receiver that does not answer, and one that stops halfway through its body keeps its status', async () => {
    let release = () => {}
    const hung = new Promise<void>((r) => (release = r))
    receiver.on('/silent', async () => {
      await hung
      return 200
    })
    receiver.on('/trickle', (_r, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' })
      res.write('abc')
      void hung.then(() => res.end())
      return 'handled'
    })
    const two = new HttpTransport({ connectionsPerOrigin: 2 })
    try {
      const [silent, trickle] = await Promise.all([post(two, `${receiver.url}/silent`, 300), post(two, `${receiver.url}/trickle`, 300)])
      expect(silent).toMatchObject({ ok: false, error: { kind: 'timeout', message: 'timed out' } })
      expect(trickle).toMatchObject({ ok: true, response: { status: 200, snippet: 'abc' } })
    } finally {
      release()
      await two.close(1_000)
    }
  })

  it('reads content-type and the first retry-after, whatever their case and however many', async () => {
    receiver.on('/busy', (_r, res) => {
      res.setHeader('X-Other', 'a')
      res.setHeader('Content-Type', 'text/plain; charset=utf-8')
      res.setHeader('RETRY-AFTER', ['7', '9'])
      res.writeHead(503)
      res.end('later')
      return 'handled'
    })
    expect(await post(transport, `${receiver.url}/busy`)).toMatchObject({
      ok: true,
      response: { status: 503, contentType: 'text/plain; charset=utf-8', retryAfterMs: 7_000, snippet: 'later' },
    })
  })

  it('a connection refused is a connection error', async () => {
    const closed = await TestReceiver.start()
    const url = closed.url
    await closed.close()
    expect(await post(transport, `${url}/x`)).toMatchObject({ ok: false, error: { kind: 'connection' } })
  })
})
