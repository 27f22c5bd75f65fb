import { describeSqlNotify, inTransaction, type SqlTransaction } from '@hookbox/core/testing'
import type { PoolConnection } from 'mysql2/promise'
import { mysqlStore } from '../src/index.js'
import { testDatabases } from './support.js'

describeSqlNotify('mysql', async () => {
  const databases = testDatabases('hb_sqlnotify', 4)
  const database = await databases.create()
  const pool = databases.pool.promise()
  const on = (connection: PoolConnection): SqlTransaction => ({
    run: async (text, params) => (await connection.query(text, params))[0] as Array<Record<string, unknown>>,
    async notify(c) {
      await connection.query('CALL hookbox_notify(?, ?, ?, ?, ?, ?, NULL, @message_id, @request_id, @duplicate)', [
        c.tenant,
        c.type,
        c.payload,
        c.idempotencyKey ?? null,
        c.orderingKey ?? null,
        c.requestId ?? null,
      ])
      const [rows] = await connection.query('SELECT @message_id AS messageId, @request_id AS requestId, @duplicate AS duplicate')
      const [row] = rows as Array<{ messageId: string; requestId: string; duplicate: number }>
      return { messageId: row!.messageId, requestId: row!.requestId, duplicate: row!.duplicate === 1 }
    },
  })
  return {
    store: mysqlStore({ pool: databases.pool, database }),
    async transaction(body, rollback) {
      const connection = await pool.getConnection()
      await connection.query(`USE \`${database}\``)
      return inTransaction(connection, 'START TRANSACTION', (c) => body(on(c)), rollback)
    },
    async createTrigger() {
      await pool.query(`CREATE TABLE \`${database}\`.hb_orders (id INT PRIMARY KEY, tenant VARCHAR(128), status VARCHAR(50) NOT NULL)`)
      await pool.query(`
        CREATE TRIGGER \`${database}\`.hb_order_created AFTER INSERT ON \`${database}\`.hb_orders FOR EACH ROW
        BEGIN
          DECLARE message_id VARCHAR(64);
          DECLARE request_id VARCHAR(128);
          DECLARE duplicate TINYINT;
          CALL hookbox_notify(NEW.tenant, 'order.created', JSON_OBJECT('id', NEW.id, 'status', NEW.status),
            NULL, NULL, NULL, NULL, message_id, request_id, duplicate);
        END`)
    },
    sqlState: (error) => (error as { sqlState?: string } | null)?.sqlState,
    count: async (table) => {
      const [rows] = await pool.query(`SELECT COUNT(*) AS n FROM \`${database}\`.hookbox_${table}`)
      return Number((rows as Array<{ n: number }>)[0]!.n)
    },
    drop: () => databases.end(),
  }
})
