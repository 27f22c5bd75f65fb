import type { Claim, ClaimRequest, DeliveryRecord, EndpointRecord } from '@hookbox/core'
import { randomUUID } from 'node:crypto'
import { sql } from 'kysely'
import { collectionFromRow, deliveryFromRow, endpointFromRow, messageFromRow } from '../rows.js'
import type { SyncExecutor } from '../sync-executor.js'

/**
 * Leases due deliveries in one IMMEDIATE transaction: picks them by next attempt, message
 * sequence, then id, stamps owner, expiry and a fresh fencing token, and returns each with its
 * message, collection and the targets that still exist.
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
export function claimDeliveries(x: SyncExecutor, o: ClaimRequest): Claim[] {
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
    if (rows.length === 0) return []
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
    return hydrate(x, rows.map(deliveryFromRow), token)
  })
}

/** Loads the messages, collections and endpoints a batch of claimed deliveries needs. */
function hydrate(x: SyncExecutor, deliveries: DeliveryRecord[], token: string): Claim[] {
  const { qb } = x
  const messageIds = [...new Set(deliveries.map((d) => d.messageId))]
  const names = [...new Set(deliveries.map((d) => d.collection))]
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
  const collections = new Map(
    x
      .all(
        x.shaped(`collections:${names.length}`, names, () => qb.selectFrom('hookbox_collections').selectAll().where('name', 'in', names)),
      )
      .map((r) => [r.name, collectionFromRow(r)]),
  )
  const endpoints = new Map(
    x
      .all(
        x.shaped(`endpoints:${endpointIds.length}`, endpointIds, () =>
          qb.selectFrom('hookbox_endpoints').selectAll().where('id', 'in', endpointIds),
        ),
      )
      .map((r) => [r.id, endpointFromRow(r)]),
  )
  const tenants = [...new Set(deliveries.flatMap((d) => (d.tenant === null ? [] : [d.tenant])))]
  const disabled = new Set(
    tenants.length
      ? x
          .all(
            x.shaped(`tenants:${tenants.length}`, tenants, () =>
              qb.selectFrom('hookbox_tenants').select('tenant').where('enabled', '=', sql.lit(0)).where('tenant', 'in', tenants),
            ),
          )
          .map((r) => r.tenant)
      : [],
  )
  return deliveries.flatMap((delivery) => {
    const message = messages.get(delivery.messageId)
    const collection = collections.get(delivery.collection)
    if (!message || !collection) return []
    const eps = delivery.targets.map((id) => endpoints.get(id)).filter((e): e is EndpointRecord => !!e)
    const tenantEnabled = delivery.tenant === null || !disabled.has(delivery.tenant)
    return [{ delivery, message, collection, endpoints: eps, leaseToken: token, tenantEnabled }]
  })
}
