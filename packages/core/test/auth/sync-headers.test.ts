import Database from 'better-sqlite3'
import { Webhook } from 'standardwebhooks'
import { describe, expect, it } from 'vitest'
import { sqliteStore } from '@hookbox/store-sqlite'
import { createOutbox, createSecurity, policies } from '../../src/index.js'
import { reportingAuthenticator } from '../../src/auth/report-auth-errors.js'
import { LOCAL } from './support.js'

// Issue 16: every attempt awaited the authenticator, so an HMAC signature (synchronous) cost
// an async function, its promise and a turn of microtasks, twice (the reporting wrapper too).
describe('HMAC-signed headers', () => {
  it('come back synchronously from the outbox security and its reporting wrapper, and verify', async () => {
    const database = new Database(':memory:')
    const store = sqliteStore({ database })
    const security = createSecurity({ allowHttp: true, ssrf: { allow: LOCAL } })
    const outbox = createOutbox({ store, security })
    try {
      await outbox.migrate()
      await outbox.collections.upsert({ name: 'events', policy: policies.fixed() })
      const created = await outbox.endpoints.create({ collection: 'events', url: 'http://127.0.0.1:9/hook' })
      const [endpoint] = await store.catalog.listEndpoints()
      const body = '{"entityId":"e1"}'
      const ctx = {
        endpoint: endpoint!,
        messageId: 'msg_1',
        attemptId: 'att_1',
        eventType: 'e',
        body,
        url: endpoint!.url,
        timestamp: Math.floor(Date.now() / 1000),
      }
      const reported: unknown[] = []
      for (const authenticator of [security.authenticator, reportingAuthenticator(security.authenticator, (e) => reported.push(e))]) {
        const headers = authenticator.headers(ctx)
        expect(typeof (headers as { then?: unknown }).then).toBe('undefined')
        const all = { ...(headers as Record<string, string>), 'webhook-id': 'msg_1', 'webhook-timestamp': String(ctx.timestamp) }
        expect(new Webhook(created.secrets!.secret!).verify(body, all)).toEqual({ entityId: 'e1' })
      }
      expect(reported).toEqual([])
    } finally {
      await outbox.close()
      await security.close()
    }
  })
})
