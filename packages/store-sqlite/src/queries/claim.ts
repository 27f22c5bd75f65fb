import type { ClaimRequest, ClaimResult, DeliveryRecord } from '@hookbox/core'
import { randomUUID } from 'node:crypto'
import { sql } from 'kysely'
import { deliveryFromRow, messageFromRow } from '../rows.js'
import { configVersion, type KyselyDialect } from '@hookbox/store-kysely'
import type { SyncExecutor } from '../sync-executor.js'

/**
 * Leases due deliveries in one IMMEDIATE transaction: picks them by next attempt, message
 * sequence, then id, stamps owner, expiry and a fresh fencing token, and returns each with its
 * message and the breaker's columns of the targets that still exist, plus the config version
 * (core attaches the configuration).
 *
 * Skipped (the same clauses in every store, each pinned by the conformance suite): deliveries
 * leased by someone else until later; deliveries of a collection that is disabled or gone;
 * `each` deliveries to an endpoint in `skipEndpoints`, disabled, or paused at `now`; and, for
 * an ordering key, any delivery behind a still-pending one with the same key, collection and
 * endpoint from an earlier message, or behind an earlier message with that key not yet expanded
 * (keys are the tenant's: the same key of another tenant never holds one back). Deliveries of a
 * disabled tenant wait. One held back by its (disabled) collection or tenant or its (disabled, paused) endpoint is taken all the
 * same once its `deadline` has come, so the dispatcher can end it.
 */
export function claimDeliveries(x: SyncExecutor, d: KyselyDialect, o: ClaimRequest): ClaimResult {
  const { qb } = x
  const { now } = o
  const skip = o.skipEndpoints ?? []
  return x.tx(() => {
    const rows = x.all(
      x.shaped(`claim:${skip.length}`, [now, now, now, now, ...skip, now, now, o.limit], () =>
        qb
          .selectFrom('hookbox_deliveries as d')
          .selectAll('d')
          .where('d.state', '=', sql.lit('pending'))
          .where('d.next_attempt_at', '<=', now)
          .where((w) => w.or([w('d.lease_until', 'is', null), w('d.lease_until', '<=', now)]))
          .where((w) =>
            w.exists(
              w
                .selectFrom('hookbox_collections as c')
                .select(sql.lit(1).as('one'))
                .whereRef('c.name', '=', 'd.collection')
                .where((v) => v.or([v('c.enabled', '=', sql.lit(1)), v('d.deadline', '<=', now)])),
            ),
          )
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
                      .where(sql<boolean>`p.endpoint_id IS d.endpoint_id`)
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
          .limit(o.limit),
      ),
    )
    if (rows.length === 0) return { leased: [] }
    const token = randomUUID()
    const ids = rows.map((r) => r.id)
    const lease = [o.owner, now + o.leaseMs, token, now]
    x.run(
      x.shaped(`lease:${ids.length}`, [...lease, ...ids], () =>
        qb
          .updateTable('hookbox_deliveries')
          .set({ lease_owner: o.owner, lease_until: now + o.leaseMs, lease_token: token, updated_at: now })
          .where('id', 'in', ids),
      ),
    )
    return hydrate(x, d, rows.map(deliveryFromRow), token)
  })
}

/**
 * Loads what a batch of claimed deliveries needs that the configuration in memory cannot give:
 * the messages, the breaker's columns of their targets and the config version, inside the
 * claim's transaction.
 */
function hydrate(x: SyncExecutor, d: KyselyDialect, deliveries: DeliveryRecord[], token: string): ClaimResult {
  const { qb } = x
  const messageIds = [...new Set(deliveries.map((d) => d.messageId))]
  const endpointIds = [...new Set(deliveries.flatMap((d) => d.targets))]
  const messages = new Map(
    x
      .all(
        x.shaped(`messages:${messageIds.length}`, messageIds, () =>
          qb.selectFrom('hookbox_messages').selectAll().where('id', 'in', messageIds),
        ),
      )
      .map((r) => [r.id, messageFromRow(r)]),
  )
  const health = new Map(
    endpointIds.length
      ? x
          .all(
            x.shaped(`endpoint-health:${endpointIds.length}`, endpointIds, () =>
              qb
                .selectFrom('hookbox_endpoints')
                .select(['id', 'paused_until', 'failing_since', 'updated_at'])
                .where('id', 'in', endpointIds),
            ),
          )
          .map((r) => [r.id, { id: r.id, pausedUntil: r.paused_until, failingSince: r.failing_since, updatedAt: r.updated_at }])
      : [],
  )
  const leased = deliveries.flatMap((delivery) => {
    const message = messages.get(delivery.messageId)
    if (!message) return []
    return [{ delivery, message, leaseToken: token, health: delivery.targets.flatMap((id) => health.get(id) ?? []) }]
  })
  // Synchronous here: the SQLite dialect runs every statement at once.
  return { leased, configVersion: configVersion(d) as number }
}
