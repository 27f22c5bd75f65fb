import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { verifySignature } from '../auth/verify-signature.js'
import { ManualClock } from '../clock.js'
import { idTime } from '../ids.js'
import type { Outbox } from '../outbox.js'
import type { Store } from '../store/store.js'
import { sqlNotifyErrors } from '../store/sql-notify-errors.js'
import { TestReceiver } from './receiver.js'
import { testOutbox } from './test-outbox.js'

/** One call of the SQL entry point; `payload` is JSON text (`null`: SQL NULL). */
export interface SqlNotifyCall {
  tenant: string | null
  type: string | null
  payload: string | null
  idempotencyKey?: string
  orderingKey?: string
  requestId?: string
}

/** What the entry point answered. */
export interface SqlNotifyAnswer {
  messageId: string
  requestId: string
  duplicate: boolean
}

/** Runs statements on one connection inside a transaction the host opened itself. */
export interface SqlTransaction {
  /** Runs one statement with positional parameters and returns its rows. */
  run(text: string, params?: unknown[]): Promise<Array<Record<string, unknown>>>
  /** Calls the entry point in this transaction. */
  notify(call: SqlNotifyCall): Promise<SqlNotifyAnswer>
}

/** A store with the SQL entry point, and how to reach it with raw SQL. */
export interface SqlNotifyTarget {
  /** A store over a fresh schema or database of its own. */
  store: Store
  /** Runs `body` between BEGIN and COMMIT (or ROLLBACK when `rollback`, or when it throws). */
  transaction<T>(body: (tx: SqlTransaction) => Promise<T>, rollback?: boolean): Promise<T>
  /** Creates the host table `hb_orders (id, tenant, status)` and an AFTER INSERT trigger that notifies `order.created`. */
  createTrigger(): Promise<void>
  /** The SQLSTATE a failed statement carried. */
  sqlState(error: unknown): string | undefined
  /** Rows in the store's `table` (`messages` or `idempotency_keys`). */
  count(table: 'messages' | 'idempotency_keys'): Promise<number>
  /** Drops the schema or database. */
  drop(): Promise<void>
}

/** A pooled connection, as far as {@link inTransaction} uses it (a pg `PoolClient`, a mysql2 `PoolConnection`). */
export interface PooledConnection {
  query(text: string): Promise<unknown>
  release(): void
}

/**
 * Runs `body` on `connection` between `begin` and COMMIT (ROLLBACK when `rollback` or when it
 * throws), then releases the connection: the host's own transaction, opened in raw SQL.
 */
export async function inTransaction<C extends PooledConnection, T>(
  connection: C,
  begin: string,
  body: (connection: C) => Promise<T>,
  rollback = false,
): Promise<T> {
  try {
    await connection.query(begin)
    const result = await body(connection)
    await connection.query(rollback ? 'ROLLBACK' : 'COMMIT')
    return result
  } catch (error) {
    await connection.query('ROLLBACK')
    throw error
  } finally {
    connection.release()
  }
}

/**
 * The SQL entry point's contract: what it writes is what `outbox.notify()` writes, delivered
 * by the dispatcher with the same headers, signature and body; it joins the caller's
 * transaction (a rollback leaves nothing); triggers can call it; idempotency keys and tenants
 * behave as in JavaScript; bad input raises its own SQLSTATE and writes nothing.
 */
export function describeSqlNotify(name: string, open: () => Promise<SqlNotifyTarget>): void {
  let target: SqlNotifyTarget
  let outbox: Outbox
  let receiver: TestReceiver
  let secret: string
  const clock = new ManualClock(Date.now())
  // Keys in jsonb's order (shorter first), strings holding what a compactor could get wrong.
  const payload = { id: 7, tags: ['a, b', 'c: d', 'é\u0001'], nested: { q: 'say "hi", \\ then: go', x: null, ok: true } }

  beforeAll(async () => {
    target = await open()
    receiver = await TestReceiver.start()
    outbox = testOutbox(target.store, { clock }).outbox
    await outbox.migrate()
    await outbox.collections.upsert({ name: 'events' })
    secret = (await outbox.endpoints.create({ collection: 'events', url: `${receiver.url}/platform` })).secrets!.secret!
    await outbox.endpoints.create({ tenant: 'acme', collection: 'events', url: `${receiver.url}/acme` })
    await outbox.endpoints.create({ tenant: 'globex', collection: 'events', url: `${receiver.url}/globex` })
  })
  afterAll(async () => {
    await outbox?.close()
    await receiver?.close()
    await target?.drop()
  })
  const call = (c: Partial<SqlNotifyCall>): SqlNotifyCall => ({ tenant: null, type: 'order.paid', payload: JSON.stringify(payload), ...c })
  const received = (id: string) => receiver.requests.filter((r) => r.headers['webhook-id'] === id)

  describe(`SQL entry point (${name})`, () => {
    it('writes in the caller transaction; the dispatcher delivers it signed, like a JS notify', async () => {
      const sqlMade = await target.transaction((tx) => tx.notify(call({ orderingKey: 'o-1' })))
      expect(sqlMade.duplicate).toBe(false)
      expect(sqlMade.messageId).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/)
      expect(sqlMade.requestId).toBe(sqlMade.messageId)
      const jsMade = await outbox.notify({ type: 'order.paid', payload, orderingKey: 'o-1' })
      await outbox.drain()
      const [fromSql] = received(sqlMade.messageId)
      const [fromJs] = received(jsMade.messageId)
      expect(fromSql?.path).toBe('/platform')
      expect(fromSql!.body).toBe(fromJs!.body)
      expect(Object.keys(fromSql!.headers).sort()).toEqual(Object.keys(fromJs!.headers).sort())
      expect(verifySignature({ headers: fromSql!.headers, body: fromSql!.body }, secret, { now: () => clock.now() }).id).toBe(
        sqlMade.messageId,
      )
      const message = await target.store.queue.getMessage({ id: sqlMade.messageId })
      expect(message).toMatchObject({ tenant: null, type: 'order.paid', orderingKey: 'o-1', requestId: sqlMade.messageId })
      expect(JSON.parse(message!.payload)).toEqual(payload)
      // A ULID whose time part is the message's created_at, as core's ids are.
      expect(idTime(sqlMade.messageId)).toBe(message!.createdAt)
    })

    it('leaves nothing behind when the caller rolls back', async () => {
      const before = await target.count('messages')
      const made = await target.transaction((tx) => tx.notify(call({ idempotencyKey: 'rolled-back' })), true)
      expect(await target.count('messages')).toBe(before)
      expect(await target.store.queue.getMessage({ id: made.messageId })).toBeUndefined()
      await outbox.drain()
      expect(received(made.messageId)).toEqual([])
      // The key was not kept either: the next use of it is a first use.
      const again = await target.transaction((tx) => tx.notify(call({ idempotencyKey: 'rolled-back' })))
      expect(again.duplicate).toBe(false)
    })

    it('is callable from a trigger on a host table', async () => {
      await target.createTrigger()
      await target.transaction((tx) => tx.run(`INSERT INTO hb_orders (id, tenant, status) VALUES (41, 'acme', 'new')`))
      await outbox.drain()
      const got = receiver.requests.filter((r) => r.path === '/acme' && JSON.parse(r.body).id === 41)
      expect(got).toHaveLength(1)
      expect(JSON.parse(got[0]!.body)).toEqual({ id: 41, status: 'new' })
    })

    it('returns the earlier message for a repeated idempotency key, and sends it once', async () => {
      const first = await target.transaction((tx) => tx.notify(call({ idempotencyKey: 'k-1', requestId: 'req-1' })))
      const second = await target.transaction((tx) => tx.notify(call({ idempotencyKey: 'k-1' })))
      const fromJs = await outbox.notify({ type: 'order.paid', payload, idempotencyKey: 'k-1' })
      expect(second).toEqual({ messageId: first.messageId, requestId: 'req-1', duplicate: true })
      expect(fromJs).toEqual(second)
      // Keys are per tenant, as in JavaScript.
      const other = await target.transaction((tx) => tx.notify(call({ idempotencyKey: 'k-1', tenant: 'acme' })))
      expect(other.duplicate).toBe(false)
      await outbox.drain()
      expect(received(first.messageId)).toHaveLength(1)
    })

    it("reaches only the tenant's endpoints", async () => {
      const made = await target.transaction((tx) => tx.notify(call({ tenant: 'globex' })))
      await outbox.drain()
      expect(received(made.messageId).map((r) => r.path)).toEqual(['/globex'])
    })

    it('raises a distinct SQLSTATE for each kind of bad input and writes nothing', async () => {
      const e = sqlNotifyErrors
      const cases: Array<[Partial<SqlNotifyCall>, string]> = [
        [{ tenant: 'has space' }, e.tenant],
        [{ tenant: '' }, e.tenant],
        [{ type: null }, e.type],
        [{ type: 'two..dots' }, e.type],
        [{ type: 'x'.repeat(201) }, e.type],
        [{ requestId: 'a/b' }, e.token],
        [{ orderingKey: 'k'.repeat(129) }, e.token],
        [{ idempotencyKey: 'bad key' }, e.token],
        [{ payload: null }, e.payload],
        [{ payload: JSON.stringify({ big: 'x'.repeat(256 * 1024) }) }, e.tooLarge],
      ]
      const before = [await target.count('messages'), await target.count('idempotency_keys')]
      for (const [bad, code] of cases) {
        const error = await target.transaction((tx) => tx.notify(call({ idempotencyKey: 'never', ...bad }))).catch((x: unknown) => x)
        expect(target.sqlState(error), JSON.stringify(bad).slice(0, 80)).toBe(code)
      }
      expect([await target.count('messages'), await target.count('idempotency_keys')]).toEqual(before)
    })
  })
}
