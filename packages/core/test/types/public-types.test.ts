// Compile-time checks of the public types: `pnpm typecheck` (tsc) fails on a wrong line, vitest runs the rest.
import type Database from 'better-sqlite3'
import type { Kysely, Transaction } from 'kysely'
import type { Connection as Mysql2Connection, Pool as Mysql2Pool } from 'mysql2/promise'
import type { Pool, PoolClient } from 'pg'
import { describe, expectTypeOf, it } from 'vitest'
import type {
  EndpointAuthInput,
  EndpointInput,
  NotifyManyReturn,
  NotifyOptions,
  NotifyResult,
  NotifyReturn,
  Outbox,
  SqlExecutor,
  StoredResult,
  SyncSqlExecutor,
  TelemetryOptions,
  TransactionHandle,
} from '../../src/index.js'

type Maybe<R> = R | Promise<R>

describe('public types', () => {
  it('type endpoint auth by scheme: a misspelt scheme or a field of another scheme does not compile', () => {
    expectTypeOf<EndpointInput['auth']>().toEqualTypeOf<EndpointAuthInput | undefined>()
    const ok: EndpointInput['auth'][] = [
      { type: 'hmac', secret: 'whsec_x' },
      { type: 'basic' },
      { type: 'oauth2', token: 't' },
      { type: 'oauth2', tokenUrl: 'https://idp.example.com/t', clientId: 'c', clientSecret: 's' },
      { type: 'jwt', alg: 'EdDSA' },
      { type: 'ed25519' },
      { type: 'none' },
    ]
    expectTypeOf(ok).toBeArray()
    // @ts-expect-error 'hmca' is no scheme
    const misspelt: EndpointAuthInput = { type: 'hmca' }
    // @ts-expect-error a Basic token is not an HMAC field
    const mixed: EndpointAuthInput = { type: 'hmac', token: 'x' }
    // @ts-expect-error a client-credentials OAuth2 auth needs its client id
    const partial: EndpointAuthInput = { type: 'oauth2', tokenUrl: 'https://idp.example.com/t' }
    expectTypeOf([misspelt, mixed, partial]).toBeArray()
  })

  it('type `transaction` as the handles and adapters accepted: a Pool, a Kysely that is no transaction or a string do not compile', () => {
    expectTypeOf<Database.Database>().toExtend<TransactionHandle>()
    expectTypeOf<Transaction<{ t: { id: string } }>>().toExtend<TransactionHandle>()
    expectTypeOf<PoolClient>().toExtend<TransactionHandle>()
    expectTypeOf<Mysql2Connection>().toExtend<TransactionHandle>()
    expectTypeOf<SqlExecutor>().toExtend<TransactionHandle>()
    expectTypeOf<SyncSqlExecutor>().toExtend<TransactionHandle>()
    expectTypeOf<Pool>().not.toExtend<TransactionHandle>()
    expectTypeOf<Kysely<{ t: { id: string } }>>().not.toExtend<TransactionHandle>()
    expectTypeOf<Mysql2Pool>().not.toExtend<TransactionHandle>()
    expectTypeOf<string>().not.toExtend<TransactionHandle>()
    expectTypeOf<{ foo: 1 }>().not.toExtend<TransactionHandle>()
    expectTypeOf<NotifyOptions['transaction']>().toEqualTypeOf<TransactionHandle | undefined>()
  })

  it("types notify's result by the handle: sync for better-sqlite3, a promise for async handles or none, either for `any`", () => {
    expectTypeOf<NotifyReturn<{ transaction: Database.Database }>>().toEqualTypeOf<NotifyResult>()
    expectTypeOf<NotifyReturn<{ transaction: SyncSqlExecutor }>>().toEqualTypeOf<NotifyResult>()
    expectTypeOf<NotifyReturn<{ transaction: PoolClient }>>().toEqualTypeOf<Promise<NotifyResult>>()
    expectTypeOf<NotifyReturn<{ transaction: Transaction<object> }>>().toEqualTypeOf<Promise<NotifyResult>>()
    expectTypeOf<NotifyReturn<{ orderingKey: string }>>().toEqualTypeOf<Promise<NotifyResult>>()
    expectTypeOf<NotifyReturn<{ transaction: undefined }>>().toEqualTypeOf<Promise<NotifyResult>>()
    // The type cannot tell: the caller awaits, which is right for every handle.
    expectTypeOf<NotifyReturn<{ transaction: any }>>().toEqualTypeOf<Maybe<NotifyResult>>()
    expectTypeOf<NotifyReturn<any>>().toEqualTypeOf<Maybe<NotifyResult>>()
    expectTypeOf<NotifyReturn<NotifyOptions>>().toEqualTypeOf<Maybe<NotifyResult>>()
    expectTypeOf<NotifyReturn<{ transaction: Database.Database | PoolClient }>>().toEqualTypeOf<Maybe<NotifyResult>>()
    expectTypeOf<NotifyManyReturn<{ transaction: Database.Database }>>().toEqualTypeOf<NotifyResult[]>()
    expectTypeOf<NotifyManyReturn<{ transaction: any }>>().toEqualTypeOf<Maybe<NotifyResult[]>>()
  })

  it('infers the same at the call site, from the handle passed', () => {
    // Never called: only compiled.
    const calls = (outbox: Outbox, db: Database.Database, client: PoolClient, loose: any, either: Database.Database | PoolClient) => {
      const event = { type: 'entity.created', payload: { id: 1 } }
      expectTypeOf(outbox.notify(event)).toEqualTypeOf<Promise<NotifyResult>>()
      expectTypeOf(outbox.notify(event, { orderingKey: 'k' })).toEqualTypeOf<Promise<NotifyResult>>()
      expectTypeOf(outbox.notify(event, { transaction: db })).toEqualTypeOf<NotifyResult>()
      expectTypeOf(outbox.notify(event, { transaction: client })).toEqualTypeOf<Promise<NotifyResult>>()
      expectTypeOf(outbox.notify(event, { transaction: loose })).toEqualTypeOf<Maybe<NotifyResult>>()
      expectTypeOf(outbox.notify(event, { transaction: either })).toEqualTypeOf<Maybe<NotifyResult>>()
      expectTypeOf(outbox.notifyMany([event], { transaction: db })).toEqualTypeOf<NotifyResult[]>()
      expectTypeOf(outbox.results.put('r-1', { status: 200, body: null })).toEqualTypeOf<Promise<StoredResult>>()
      expectTypeOf(outbox.results.put('r-1', { status: 200, body: null }, { transaction: db })).toEqualTypeOf<StoredResult>()
      // @ts-expect-error a string is no transaction
      void outbox.notify(event, { transaction: 'BEGIN' })
    }
    expectTypeOf(calls).toBeFunction()
  })

  it('type telemetry options without @opentelemetry/api: any provider with getMeter / getTracer fits', () => {
    const telemetry: TelemetryOptions = {
      meterProvider: { getMeter: (name: string) => ({ name }) },
      tracerProvider: { getTracer: () => ({}) },
    }
    expectTypeOf(telemetry).toExtend<TelemetryOptions>()
    // @ts-expect-error a provider needs getMeter
    const wrong: TelemetryOptions = { meterProvider: {} }
    expectTypeOf(wrong).toExtend<TelemetryOptions>()
  })
})
