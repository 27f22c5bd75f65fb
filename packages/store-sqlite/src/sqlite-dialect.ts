import { drive, type KyselyDialect, type KyselyTables } from '@hookbox/store-kysely'
import { sql, type Kysely } from 'kysely'
import * as rows from './rows.js'
import { takeKeys } from './queries/enqueue.js'
import { inTenantBlocks } from './tenant-blocks.js'
import type { SyncExecutor } from './sync-executor.js'

/**
 * SQLite's side of the shared queries: statements run synchronously, a transaction is
 * IMMEDIATE (it holds the write lock, so reads need no row locks), JSON through `json_each`.
 */
export function sqliteDialect(x: SyncExecutor): KyselyDialect {
  const exec = (q: Parameters<SyncExecutor['exec']>[0]) => x.exec(q)
  return {
    // The store's schema adds only its migrations table to the shared one.
    qb: x.qb as unknown as Kysely<KyselyTables>,
    rows,
    exec,
    table: (name) => name,
    insert: (table, values) => x.insert(table, values as Array<Record<string, unknown>>),
    shaped: (key, values, build) => x.shaped(key, values, build),
    takeKeys: (keys, since) => takeKeys(x, keys, since),
    transaction: (plan) => x.tx(() => drive(plan, exec)),
    lock: (query) => query,
    // Block by block through hookbox_deliveries_tenant_block (migration 10).
    deliveriesOfTenant: (tenant) => sql<boolean>`${sql.raw(inTenantBlocks('hookbox_deliveries'))} AND tenant = ${tenant}`,
    jsonArrayContains: (column, value) => sql<boolean>`EXISTS (SELECT 1 FROM json_each(${sql.ref(column)}) WHERE value = ${value})`,
    upsert: (insert, keys, changes) =>
      insert.onConflict((oc) =>
        changes ? oc.columns(keys as never).doUpdateSet(changes as never) : oc.columns(keys as never).doNothing(),
      ),
    *purgeResults({ now, limit }) {
      const expired = x.qb
        .selectFrom('hookbox_results')
        .select(sql<number>`rowid`.as('rid'))
        .where('expires_at', '<=', now)
        .orderBy('expires_at')
        .limit(limit)
      return (
        (yield x.qb
          .deleteFrom('hookbox_results')
          .where(sql<number>`rowid`, 'in', expired)
          .compile()).affectedRows ?? 0
      )
    },
  }
}
