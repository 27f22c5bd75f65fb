import { sql, type RawBuilder } from 'kysely'
import type { MysqlExecutor } from './mysql-executor.js'

/**
 * MySQL keeps the deliveries' tenant index by block of message sequence numbers first
 * (`message_block`, migration 10), so the inserts of an expansion spread over many tenants stay
 * in the newest block. A tenant's deliveries are found by seeking (block, tenant) for every block
 * the table holds (MariaDB 10.11 has no skip scan): this condition (unqualified columns), whose
 * block list is read from the same index, one seek per block (a loose index scan, "Using index
 * for group-by"), then joined to it as a materialized semi-join. Not a recursive CTE counting
 * from the lowest block to the highest as SQLite's: MariaDB stops one after
 * `max_recursive_iterations` (1,000) with only a warning, which would skip every delivery past
 * 256,000 messages; MySQL 8 fails at `cte_max_recursion_depth` (1,000).
 *
 * The price is paid by a tenant's reads, never by the hot path: two seeks per block of the
 * table, and a read in id order (`deliveries.list({ tenant })`, dead letters by tenant) sorts
 * the tenant's matching rows and keeps the first `limit`, where (tenant, id) stopped after
 * `limit` rows. A single-table DELETE takes no semi-join on MariaDB 10.11 (it would scan the
 * table): delete through it in the multi-table form, `DELETE d FROM … d WHERE` (purge-tenant.ts).
 */
export function deliveriesOfTenant(x: MysqlExecutor, tenant: string): RawBuilder<boolean> {
  const deliveries = sql.raw(x.table('hookbox_deliveries'))
  return sql<boolean>`message_block IN (SELECT b FROM (SELECT DISTINCT message_block AS b FROM ${deliveries}) blocks) AND tenant = ${tenant}`
}
