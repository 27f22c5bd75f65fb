import { generateKeyPairSync, randomBytes } from 'node:crypto'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { postgresStore } from '@hookbox/store-postgres'
import { createOutbox, ManualClock, policies, verifySignature, type Outbox } from '../../src/index.js'
import { TestReceiver } from '@hookbox/core/testing'
import { LOCAL } from './support.js'
import { tokenServer } from './token-server.js'

const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'

// Postgres keeps `auth` as jsonb, which reorders keys: the associated data the secrets are
// sealed with must not depend on the order (it is built from the fields, sorted).
describe('sealed secrets through a Postgres jsonb round trip', () => {
  const schema = `hb_bound_${randomBytes(5).toString('hex')}`
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 4 })
  let outbox: Outbox
  let receiver: TestReceiver
  let tokens: Awaited<ReturnType<typeof tokenServer>>

  beforeAll(async () => {
    receiver = await TestReceiver.start()
    tokens = await tokenServer()
    outbox = createOutbox({
      store: postgresStore({ pool, schema }),
      clock: new ManualClock(Date.now()),
      http: { allowHttp: true },
      security: { ssrf: { allow: LOCAL }, encryptionKey: randomBytes(32) },
    })
    await outbox.migrate()
    await outbox.collections.upsert({ name: 'events', policy: policies.fixed() })
  })
  afterAll(async () => {
    await outbox?.close()
    await receiver?.close()
    await tokens?.close()
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
    await pool.end()
  })

  it('opens what it sealed, for every scheme, after jsonb reordered the fields', async () => {
    const jwtKey = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
    const oauth = { type: 'oauth2', tokenUrl: tokens.url, clientId: 'z-client', clientSecret: 'cs', scope: 'a b', audience: 'api' } as const
    const made = {
      cc: await outbox.endpoints.create({
        collection: 'events',
        url: `${receiver.url}/cc`,
        auth: oauth,
        headers: { 'x-b': '2', 'x-a': '1' },
      }),
      jwt: await outbox.endpoints.create({
        collection: 'events',
        url: `${receiver.url}/jwt`,
        auth: { type: 'jwt', privateKey: jwtKey, alg: 'EdDSA', subject: 's', issuer: 'i' },
        publicHeaders: { 'x-tenant': 'acme' },
      }),
      basic: await outbox.endpoints.create({ collection: 'events', url: `${receiver.url}/basic`, auth: { type: 'basic' } }),
    }
    await outbox.endpoints.rotateSecret(made.basic.id) // rotationEndsAt: a number among the fields
    const { rows } = await pool.query(`SELECT auth::text AS auth FROM "${schema}".endpoints WHERE id = $1`, [made.cc.id])
    // Written type first, v last; jsonb puts shorter keys first.
    expect(Object.keys(JSON.parse(rows[0].auth))).toEqual(expect.arrayContaining(['type', 'v']))
    expect(Object.keys(JSON.parse(rows[0].auth))[0]).toBe('v')
    await outbox.notify({ type: 'entity.changed', payload: { n: 1 } })
    await outbox.drain()
    expect(receiver.to('/cc')[0]!.headers).toMatchObject({ authorization: 'Bearer tok-1', 'x-a': '1', 'x-b': '2' })
    expect(receiver.to('/jwt')[0]!.headers.authorization).toMatch(/^Bearer ey/)
    const basic = receiver.to('/basic')[0]!
    expect(basic.headers.authorization).toBe(`Basic ${made.basic.secrets!.token}`)
    expect(verifySignature({ headers: basic.headers, body: basic.body }, made.basic.secrets!.secret!).version).toBe('v1')
  })
})
