import { changes, drive, rows as read, type KyselyDialect, type KyselyTables } from '@hookbox/store-kysely'
import { sql, type Kysely } from 'kysely'
import type { MysqlExecutor } from './mysql-executor.js'
import * as rows from './rows.js'
import { takeKeys } from './queries/enqueue.js'
import { deliveriesOfTenant } from './tenant-blocks.js'

/**
 * MySQL's side of the shared queries: locking reads are `FOR UPDATE` (with `SKIP LOCKED` where
 * asked), upserts `ON DUPLICATE KEY UPDATE`, JSON (LONGTEXT on MariaDB) through `JSON_CONTAINS`.
 */
export function mysqlDialect(x: MysqlExecutor): KyselyDialect {
  return {
    // The store's schema adds only its migrations table to the shared one.
    qb: x.qb as unknown as Kysely<KyselyTables>,
    rows,
    exec: (q) => x.exec(q),
    table: (name) => x.table(name),
    insert: (table, values) => x.insert(table, values as Array<Record<string, unknown>>),
    shaped: (key, values, build) => x.shaped(key, values, build),
    takeKeys: (keys, since) => takeKeys(x, keys, since),
    transaction: (plan, scan) => x.tx(async (t) => drive(plan, (q) => t.exec(q)), scan),
    lock: (query, skipLocked) => (skipLocked ? query.forUpdate().skipLocked() : query.forUpdate()),
    // Block by block through hookbox_deliveries_tenant_block (migration 10).
    deliveriesOfTenant: (tenant) => deliveriesOfTenant(x, tenant),
    jsonArrayContains: (column, value) => sql<boolean>`JSON_CONTAINS(${sql.ref(column)}, JSON_QUOTE(${value}))`,
    // Without changes, the key is set to itself: the row stays as it is.
    upsert: (insert, keys, changes) => insert.onDuplicateKeyUpdate(changes ?? ({ [keys[0]!]: sql.ref(keys[0]!) } as never)),
    // MySQL takes no LIMIT in an `IN (subquery)`: the keys are read first.
    *purgeResults({ now, limit }) {
      const keys = yield* read(
        x.qb
          .selectFrom('hookbox_results')
          .select(['tenant', 'request_id'])
          .where('expires_at', '<=', now)
          .orderBy('expires_at')
          .limit(limit),
      )
      if (keys.length === 0) return 0
      return yield* changes(
        x.qb
          .deleteFrom('hookbox_results')
          .where((w) => w.or(keys.map((k) => w.and([w('tenant', '=', k.tenant), w('request_id', '=', k.request_id)])))),
      )
    },
  }
}
