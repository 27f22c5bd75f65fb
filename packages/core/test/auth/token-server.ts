import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

/** A client-credentials token server on 127.0.0.1 that counts requests and issues tok-1, tok-2… */
export async function tokenServer(expiresIn = 3600) {
  const seen: Array<{ authorization?: string; body: string }> = []
  const server: Server = createServer(async (req, res) => {
    let body = ''
    for await (const c of req) body += c
    seen.push({ authorization: req.headers.authorization, body })
    await new Promise((r) => setTimeout(r, 20)) // widen the window for concurrent callers
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ access_token: `tok-${seen.length}`, token_type: 'Bearer', expires_in: expiresIn }))
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return {
    seen,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/oauth/token`,
    close: () => new Promise((r) => server.close(r)),
  }
}
