import { describeSqlNotify, eventually, inTransaction, TestReceiver, testOutbox, type SqlTransaction } from '@hookbox/core/testing'
import type pg from 'pg'
import { expect, it } from 'vitest'
import { postgresStore } from '../src/index.js'
import { testSchema } from './helpers.js'

describeSqlNotify('postgres', async () => {
  const t = testSchema('hb_sqlnotify')
  const s = `"${t.schema}"`
  const on = (client: pg.PoolClient): SqlTransaction => ({
    run: async (text, params) => (await client.query(text, params)).rows,
    async notify(c) {
      const { rows } = await client.query(
        `SELECT message_id, request_id, duplicate FROM ${s}.notify($1, $2, $3::jsonb,
           idempotency_key => $4, ordering_key => $5, request_id => $6)`,
        [c.tenant, c.type, c.payload, c.idempotencyKey ?? null, c.orderingKey ?? null, c.requestId ?? null],
      )
      return { messageId: rows[0].message_id, requestId: rows[0].request_id, duplicate: rows[0].duplicate }
    },
  })
  return {
    store: postgresStore({ pool: t.pool, schema: t.schema }),
    transaction: async (body, rollback) =>
      inTransaction(await t.pool.connect(), `BEGIN; SET LOCAL search_path TO ${s}`, (client) => body(on(client)), rollback),
    async createTrigger() {
      await t.pool.query(`
        CREATE TABLE ${s}.hb_orders (id int PRIMARY KEY, tenant text, status text NOT NULL);
        CREATE FUNCTION ${s}.hb_order_created() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          PERFORM ${s}.notify(NEW.tenant, 'order.created', jsonb_build_object('id', NEW.id, 'status', NEW.status));
          RETURN NEW;
        END $$;
        CREATE TRIGGER hb_order_created AFTER INSERT ON ${s}.hb_orders FOR EACH ROW EXECUTE FUNCTION ${s}.hb_order_created();`)
    },
    sqlState: (error) => (error as { code?: string } | null)?.code,
    count: async (table) => Number((await t.pool.query(`SELECT count(*) AS n FROM ${s}.${table}`)).rows[0].n),
    drop: () => t.drop(),
  }
})

it('wakes a listening dispatcher at commit, so it delivers without waiting for its poll', async () => {
  const t = testSchema('hb_sqlwake')
  const receiver = await TestReceiver.start()
  const { outbox } = testOutbox(postgresStore({ pool: t.pool, schema: t.schema }), { dispatcher: { pollIntervalMs: 600_000 } })
  try {
    await outbox.migrate()
    await outbox.collections.upsert({ name: 'events' })
    await outbox.endpoints.create({ collection: 'events', url: `${receiver.url}/hook` })
    outbox.start()
    const listening = async () =>
      Number(
        (await t.pool.query(`SELECT count(*) AS n FROM pg_stat_activity WHERE query = $1`, [`LISTEN "hookbox_wake:${t.schema}"`])).rows[0]
          .n,
      ) === 1
    await eventually(listening)
    const client = await t.pool.connect()
    let messageId: string
    try {
      await client.query('BEGIN')
      messageId = (await client.query(`SELECT (${`"${t.schema}"`}.notify(NULL, 'order.paid', '{"id":1}')).message_id`)).rows[0].message_id
      await client.query('COMMIT')
    } finally {
      client.release()
    }
    await receiver.waitFor(1)
    expect(receiver.requests[0]!.headers['webhook-id']).toBe(messageId)
  } finally {
    await outbox.close()
    await receiver.close()
    await t.drop()
  }
})
