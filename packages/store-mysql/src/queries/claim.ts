import type { ClaimRequest, ClaimResult, DeliveryRecord } from '@hookbox/core'
import { randomUUID } from 'node:crypto'
import { sql } from 'kysely'
import type { MysqlExecutor } from '../mysql-executor.js'
import { deliveryFromRow, int, intOrNull, messageFromRow } from '../rows.js'
import { configVersion, type KyselyDialect } from '@hookbox/store-kysely'

/**
 * Leases due deliveries in one transaction: picks them by next attempt, message sequence, then
 * id with `FOR UPDATE SKIP LOCKED` (dispatchers never wait for each other; the subqueries' rows
 * are read, not locked), stamps owner, expiry and a fresh fencing token, commits, and returns
 * each with its message and the breaker's columns of the targets that still exist, plus the
 * config version (read after the commit: the lease already keeps the rows ours; core attaches
 * the configuration).
 *
 * Skipped (the same clauses in every store, each pinned by the conformance suite): deliveries
 * leased by someone else until later; deliveries of a collection that is disabled or gone;
 * `each` deliveries to an endpoint in `skipEndpoints`, disabled, or paused at `now`; and, for
 * an ordering key, any delivery behind a still-pending one with the same key, collection and
 * endpoint from an earlier message, or behind an earlier message with that key not yet expanded.
 * One held back by its (disabled) collection or its (disabled, paused) endpoint is taken all the
 * same once its `deadline` has come, so the dispatcher can end it. Ordering keys are the tenant's;
 * deliveries of a disabled tenant wait like those of a disabled collection.
 */
export async function claimDeliveries(x: MysqlExecutor, d: KyselyDialect, o: ClaimRequest): Promise<ClaimResult> {
  const { now } = o
  const skip = o.skipEndpoints ?? []
  const token = randomUUID()
  const deliveries = await x.tx(async (x) => {
    const { qb } = x
    const rows = await x.all(
      x.shaped(`claim:${skip.length}`, [now, now, now, now, ...skip, now, now, o.limit], () =>
        qb
          .selectFrom('hookbox_deliveries as d')
          .selectAll('d')
          .where('d.state', '=', sql.lit('pending'))
          .where('d.next_attempt_at', '<=', now)
          .where((w) => w.or([w('d.lease_until', 'is', null), w('d.lease_until', '<=', now)]))
          // A scalar subquery, not EXISTS: MariaDB would flatten EXISTS into a join led by the
          // collections, then sort every pending delivery instead of reading the due index in order.
          .where((w) => {
            const enabled = w.selectFrom('hookbox_collections as c').select('c.enabled').whereRef('c.name', '=', 'd.collection')
            return w.or([w(enabled, '=', sql.lit(1)), w.and([w('d.deadline', '<=', now), w(enabled, 'is not', null)])])
          })
          .where((w) =>
            w.or([
              w('d.tenant', '=', sql.lit('')),
              w('d.deadline', '<=', now),
              w.not(
                w.exists(
                  w
                    .selectFrom('hookbox_tenants as t')
                    .select(sql.lit(1).as('one'))
                    .whereRef('t.tenant', '=', 'd.tenant')
                    .where('t.enabled', '=', sql.lit(0)),
                ),
              ),
            ]),
          )
          .$if(skip.length > 0, (q) => q.where((w) => w.or([w('d.endpoint_id', 'is', null), w('d.endpoint_id', 'not in', skip)])))
          .where((w) =>
            w.or([
              w('d.endpoint_id', 'is', null),
              w('d.deadline', '<=', now),
              w.not(
                w.exists(
                  w
                    .selectFrom('hookbox_endpoints as e')
                    .select(sql.lit(1).as('one'))
                    .whereRef('e.id', '=', 'd.endpoint_id')
                    .where((v) => v.or([v('e.enabled', '=', sql.lit(0)), v('e.paused_until', '>', now)])),
                ),
              ),
            ]),
          )
          .where((w) =>
            w.or([
              w('d.ordering_key', 'is', null),
              w.and([
                w.not(
                  w.exists(
                    w
                      .selectFrom('hookbox_deliveries as p')
                      .select(sql.lit(1).as('one'))
                      .where('p.state', '=', sql.lit('pending'))
                      .whereRef('p.ordering_key', '=', 'd.ordering_key')
                      .whereRef('p.tenant', '=', 'd.tenant')
                      .whereRef('p.collection', '=', 'd.collection')
                      .where(sql<boolean>`p.endpoint_id <=> d.endpoint_id`)
                      .whereRef('p.message_seq', '<', 'd.message_seq'),
                  ),
                ),
                w.not(
                  w.exists(
                    w
                      .selectFrom('hookbox_messages as m')
                      .select(sql.lit(1).as('one'))
                      .where('m.expanded', '=', sql.lit(0))
                      .whereRef('m.ordering_key', '=', 'd.ordering_key')
                      .whereRef('m.tenant', '=', 'd.tenant')
                      .whereRef('m.seq', '<', 'd.message_seq'),
                  ),
                ),
              ]),
            ]),
          )
          .orderBy('d.next_attempt_at')
          .orderBy('d.message_seq')
          .orderBy('d.id')
          .limit(o.limit)
          .forUpdate()
          .skipLocked(),
      ),
    )
    if (rows.length === 0) return []
    await x.run(
      qb
        .updateTable('hookbox_deliveries')
        .set({ lease_owner: o.owner, lease_until: now + o.leaseMs, lease_token: token, updated_at: now })
        .where(
          'id',
          'in',
          rows.map((r) => r.id),
        ),
    )
    return rows.map(deliveryFromRow)
  }, 'scan')
  return deliveries.length ? hydrate(x, d, deliveries, token) : { leased: [] }
}

/**
 * Loads what a batch of claimed deliveries needs that the configuration in memory cannot give:
 * the messages, the breaker's columns of their targets and the config version. Read after the
 * claim's commit, so the version is never older than the one its skip rules saw.
 */
async function hydrate(x: MysqlExecutor, d: KyselyDialect, deliveries: DeliveryRecord[], token: string): Promise<ClaimResult> {
  const { qb } = x
  const messageIds = [...new Set(deliveries.map((d) => d.messageId))]
  const endpointIds = [...new Set(deliveries.flatMap((d) => d.targets))]
  const [messageRows, healthRows, version] = await Promise.all([
    x.all(qb.selectFrom('hookbox_messages').selectAll().where('id', 'in', messageIds)),
    endpointIds.length
      ? x.all(
          qb.selectFrom('hookbox_endpoints').select(['id', 'paused_until', 'failing_since', 'updated_at']).where('id', 'in', endpointIds),
        )
      : [],
    configVersion(d),
  ])
  const messages = new Map(messageRows.map((r) => [r.id, messageFromRow(r)]))
  const health = new Map(
    healthRows.map((r) => [
      r.id,
      { id: r.id, pausedUntil: intOrNull(r.paused_until), failingSince: intOrNull(r.failing_since), updatedAt: int(r.updated_at) },
    ]),
  )
  const leased = deliveries.flatMap((delivery) => {
    const message = messages.get(delivery.messageId)
    if (!message) return []
    return [{ delivery, message, leaseToken: token, health: delivery.targets.flatMap((id) => health.get(id) ?? []) }]
  })
  return { leased, configVersion: version }
}
