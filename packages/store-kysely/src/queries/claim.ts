import type { ClaimRequest, ClaimResult, DeliveryRecord, EndpointHealthColumns, LeasedDelivery, MessageRecord } from '@hookbox/core'
import { sql, type Compilable, type CompiledQuery, type RawBuilder, type Selectable } from 'kysely'
import { int, intOrNull } from '../columns.js'
import type { KyselyDialect } from '../dialect.js'
import type { MaybePromise } from '../plan.js'
import type { DeliveriesTable, EndpointsTable, MessagesTable } from '../schema.js'
import { configVersion } from './config-version.js'

/** Where the claim's SQL differs between the kysely stores; the rest is the same text in each. */
export interface ClaimSql {
  /** Null-safe equality, for the ordering key's endpoint (`IS` on SQLite, `<=>` on MySQL). */
  readonly nullSafeEquals: 'IS' | '<=>'
  /**
   * How the delivery's collection, tenant and endpoint are looked up: `exists` (SQLite) as
   * [NOT] EXISTS; `scalar` (MySQL/MariaDB) as scalar subqueries (the collection's `enabled`, a
   * blocking tenant or endpoint row IS NULL), each a primary-key lookup per delivery read.
   * MariaDB flattens EXISTS over the collection into a join led by the collections, then sorts
   * every pending delivery instead of reading the due index in order; and it runs NOT EXISTS
   * over the endpoints (tenants) as NOT IN over a materialized subquery, which reads all of
   * them (10,001 rows: 5.1 of the claim's 5.6 ms with 10,000 tenants).
   */
  readonly lookups: 'exists' | 'scalar'
  /**
   * What keeps a pick's candidates ahead of the deliveries in the join: SQLite never reorders
   * a CROSS JOIN; MySQL/MariaDB need `STRAIGHT_JOIN` (left free, it walks the due index for
   * the claim order and looks each delivery up among the candidates).
   */
  readonly candidatesFirst?: 'STRAIGHT_JOIN'
  /**
   * The pick's columns. Unset: the delivery's whole row. Else `[table, column, name]` of the
   * delivery (`d`), of its message (`msg`, LEFT JOINed by `seq`, the messages' key) and, if any
   * is named, of its `each` endpoint (`ep`, LEFT JOINed by id), read in the step that finds the
   * delivery: SQLite then needs no second statement for the messages or (see
   * {@link hydrateClaim}'s `knownHealth`) for the breaker's columns, and turns fewer values into
   * JavaScript ones.
   */
  readonly columns?: ReadonlyArray<readonly ['d' | 'msg' | 'ep', string, string]>
  /**
   * Indexes the per-delivery lookups go through (SQLite: `INDEXED BY`), where the planner would
   * take the primary key's and then read the row: `tenants`, one on the disabled tenants' names
   * alone (the tenant rule's lookup); `endpoints`, one holding the endpoint columns the pick
   * reads (the joined `ep`). Unset: the planner's choice.
   */
  readonly indexedBy?: { readonly tenants: string; readonly endpoints: string }
}

/** `table as alias`, through `index` if one is given (SQLite's `INDEXED BY`, which follows the alias). */
function tableAs<T extends string, A extends string>(table: T, alias: A, index: string | undefined): `${T} as ${A}` {
  if (index === undefined) return `${table} as ${alias}`
  // A raw table expression: kysely has no INDEXED BY; the cast names the same table and alias.
  return sql`${sql.table(table)} as ${sql.id(alias)} indexed by ${sql.id(index)}` as unknown as `${T} as ${A}`
}

/**
 * Where a claim takes its deliveries from instead of the whole due index: a select of
 * candidate ids (an `id` column; it may hold deliveries the rules refuse, which are left out),
 * the name of its shape (its SQL depends on nothing else) and its parameters in order.
 */
export interface ClaimCandidates {
  readonly key: string
  readonly ids: RawBuilder<{ id: string }>
  readonly values: readonly unknown[]
}

/**
 * The claim's locking read: up to `limit` due deliveries by next attempt, message sequence,
 * then id, locked `FOR UPDATE SKIP LOCKED` where the dialect locks rows (the subqueries' rows
 * are read, not locked). Built once per count of `skipEndpoints` (see {@link KyselyDialect.shaped}).
 *
 * Skipped (each pinned by the conformance suite): deliveries leased by someone else until
 * later; deliveries of a collection that is disabled or gone, or of a disabled tenant; `each`
 * deliveries to an endpoint in `skipEndpoints`, disabled, or paused at `now`; and, for an
 * ordering key (the tenant's: the same key of another tenant never holds one back), any
 * delivery behind a still-pending one with the same key, collection and endpoint from an
 * earlier message, or behind an earlier message with that key not yet expanded. One held back
 * by its (disabled) collection or tenant or its (disabled, paused) endpoint is taken all the
 * same once its `deadline` has come, so the dispatcher can end it.
 *
 * With `among`, only its candidates are read (each by id, the candidates first), then sorted:
 * the ids a select gives, or a list of them. The rows are whole delivery rows unless
 * {@link ClaimSql.columns} names others.
 */
export function dueDeliveries(
  d: KyselyDialect,
  o: ClaimRequest,
  dialect: ClaimSql,
  among?: ClaimCandidates | readonly string[],
): CompiledQuery<Selectable<DeliveriesTable>> {
  const { qb } = d
  const { now } = o
  const skip = o.skipEndpoints ?? []
  const list = among && 'length' in among ? among : undefined
  const select = among && !('length' in among) ? among : undefined
  const key = `claim:${skip.length}${select ? `:${select.key}` : list ? `:in:${list.length}` : ''}`
  return d.shaped(key, [...(select?.values ?? list ?? []), now, now, now, now, ...skip, now, now, o.limit], () => {
    const all = qb.selectFrom('hookbox_deliveries as d')
    // CROSS JOIN keeps the candidates outermost (SQLite never reorders it): walking the due
    // index for the order instead would read what the candidates leave out.
    const from = select
      ? (qb
          .selectFrom(sql<{ id: string }>`(${select.ids})`.as('w'))
          .crossJoin('hookbox_deliveries as d')
          .whereRef('d.id', '=', 'w.id')
          .$if(dialect.candidatesFirst !== undefined, (q) => q.modifyFront(sql.raw(dialect.candidatesFirst!))) as unknown as typeof all)
      : list
        ? all.where('d.id', 'in', list)
        : all
    const columns = dialect.columns
    const joinsEndpoint = columns?.some(([table]) => table === 'ep') ?? false
    const picked = columns
      ? (from
          .leftJoin('hookbox_messages as msg', 'msg.seq', 'd.message_seq')
          .$if(
            joinsEndpoint,
            (q) =>
              q.leftJoin(tableAs('hookbox_endpoints', 'ep', dialect.indexedBy?.endpoints), 'ep.id', 'd.endpoint_id') as unknown as typeof q,
          )
          .select(columns.map(([table, column, name]) => sql.ref(`${table}.${column}`).as(name))) as unknown as ReturnType<
          typeof from.selectAll<'d'>
        >)
      : from.selectAll('d')
    return d.lock(
      picked
        .where('d.state', '=', sql.lit('pending'))
        .where('d.next_attempt_at', '<=', now)
        .where((w) => w.or([w('d.lease_until', 'is', null), w('d.lease_until', '<=', now)]))
        .where((w) => {
          if (dialect.lookups === 'exists')
            return w.exists(
              w
                .selectFrom('hookbox_collections as c')
                .select(sql.lit(1).as('one'))
                .whereRef('c.name', '=', 'd.collection')
                .where((v) => v.or([v('c.enabled', '=', sql.lit(1)), v('d.deadline', '<=', now)])),
            )
          const enabled = w.selectFrom('hookbox_collections as c').select('c.enabled').whereRef('c.name', '=', 'd.collection')
          return w.or([w(enabled, '=', sql.lit(1)), w.and([w('d.deadline', '<=', now), w(enabled, 'is not', null)])])
        })
        .where((w) => {
          const disabled = w
            .selectFrom(tableAs('hookbox_tenants', 't', dialect.indexedBy?.tenants))
            .select(sql.lit(1).as('one'))
            .whereRef('t.tenant', '=', 'd.tenant')
            .where('t.enabled', '=', sql.lit(0))
          const absent = dialect.lookups === 'exists' ? w.not(w.exists(disabled)) : w(disabled, 'is', null)
          return w.or([w('d.tenant', '=', sql.lit('')), w('d.deadline', '<=', now), absent])
        })
        .$if(skip.length > 0, (q) => q.where((w) => w.or([w('d.endpoint_id', 'is', null), w('d.endpoint_id', 'not in', skip)])))
        .where((w) => {
          // The pick joined the endpoint (`ep`): its row decides, no lookup of its own (NULL
          // `paused_until`: not paused).
          if (joinsEndpoint)
            return w.or([
              w('d.endpoint_id', 'is', null),
              w('d.deadline', '<=', now),
              sql<boolean>`(ep.id IS NULL OR (ep.enabled <> 0 AND (ep.paused_until IS NULL OR ep.paused_until <= ${now})))`,
            ])
          const held = w
            .selectFrom('hookbox_endpoints as e')
            .select(sql.lit(1).as('one'))
            .whereRef('e.id', '=', 'd.endpoint_id')
            .where((v) => v.or([v('e.enabled', '=', sql.lit(0)), v('e.paused_until', '>', now)]))
          const absent = dialect.lookups === 'exists' ? w.not(w.exists(held)) : w(held, 'is', null)
          return w.or([w('d.endpoint_id', 'is', null), w('d.deadline', '<=', now), absent])
        })
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
                    .where(sql<boolean>`p.endpoint_id ${sql.raw(dialect.nullSafeEquals)} d.endpoint_id`)
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
      'skip locked',
    )
  })
}

/**
 * How many of the first due deliveries a claim that skips endpoints takes its batch from before
 * it looks around the skipped ones: enough whenever they do not crowd the front, few enough that
 * the rules checked on each cost little (Postgres's migration 18 states the same in its SQL).
 */
export function claimWindowSize(limit: number): number {
  return 2 * limit + 32
}

/** How many ids `c` selects: a pick from them that fell short missed none unless they were cut at their size. */
export function countCandidates(d: KyselyDialect, c: ClaimCandidates) {
  return d.qb.selectFrom(sql<{ id: string }>`(${c.ids})`.as('w')).select((e) => e.fn.countAll<number>().as('n'))
}

/**
 * The claim's write: stamps owner, expiry and the batch's fencing token on the picked deliveries,
 * by id, or by rowid (SQLite, in the pick's transaction: no seek through the ids' index per
 * row, 18–32 against 36–40 µs for 20).
 */
export function leaseDeliveries(d: KyselyDialect, o: ClaimRequest, ids: string[] | { rowids: number[] }, token: string) {
  const q = d.qb
    .updateTable('hookbox_deliveries')
    .set({ lease_owner: o.owner, lease_until: o.now + o.leaseMs, lease_token: token, updated_at: o.now })
  return 'rowids' in ids ? q.where(sql<number>`rowid`, 'in', ids.rowids) : q.where('id', 'in', ids)
}

/**
 * How {@link hydrateClaim} runs one select: `key` names its shape for a store that builds each
 * once (see {@link KyselyDialect.shaped}), `values` are its parameters.
 */
export type ClaimRead = <R>(key: string, values: string[], build: () => Compilable<R>) => MaybePromise<R[]>

/**
 * Loads what a claimed batch needs that the configuration in memory cannot give: the messages
 * (unless the pick read them: `known`), the breaker's columns of their targets and the config
 * version, the reads started at once (in parallel on a pool, one after the other on a
 * synchronous store). Returns each delivery with its message (one whose message is gone is left
 * out) and the breaker's columns of those of its targets that still exist. `version`: how a
 * store reads the config version instead (MySQL: in the messages' statement, one round trip
 * less); unset, its own select. `knownHealth`: the breaker's columns a store's pick already read
 * (SQLite: of each `each` delivery's endpoint), with the ids it looked up, found or gone; only
 * the other targets are read.
 */
export function hydrateClaim(
  d: KyselyDialect,
  deliveries: DeliveryRecord[],
  token: string,
  read: ClaimRead,
  o: { known?: MessageRecord[]; version?: () => MaybePromise<number>; knownHealth?: KnownHealth } = {},
): MaybePromise<ClaimResult> {
  const { known, version = () => configVersion(d), knownHealth } = o
  const messageIds = known ? [] : [...new Set(deliveries.map((d) => d.messageId))]
  const endpointIds = [...new Set(deliveries.flatMap((d) => d.targets))].filter((id) => !knownHealth?.ids.has(id))
  const messages = known
    ? []
    : read(`messages:${messageIds.length}`, messageIds, () => d.qb.selectFrom('hookbox_messages').selectAll().where('id', 'in', messageIds))
  const health = endpointIds.length
    ? read(`endpoint-health:${endpointIds.length}`, endpointIds, () =>
        d.qb.selectFrom('hookbox_endpoints').select(['id', 'paused_until', 'failing_since', 'updated_at']).where('id', 'in', endpointIds),
      )
    : []
  const versionRead = version()
  const finish = ([m, h, v]: [Array<Selectable<MessagesTable>>, HealthRow[], number]): ClaimResult => ({
    leased: leasedBatch(deliveries, known ?? m.map(d.rows.messageFromRow), knownHealth ? [...knownHealth.rows, ...h] : h, token),
    configVersion: v,
  })
  if (messages instanceof Promise || health instanceof Promise || versionRead instanceof Promise)
    return Promise.all([messages, health, versionRead]).then(finish)
  return finish([messages, health, versionRead])
}

/** An endpoint's breaker columns as the claim reads them. */
export type HealthRow = Pick<Selectable<EndpointsTable>, 'id' | 'paused_until' | 'failing_since' | 'updated_at'>

/** Breaker columns a pick read: `rows` of the endpoints found among `ids` (those it looked up). */
export interface KnownHealth {
  readonly ids: ReadonlySet<string>
  readonly rows: HealthRow[]
}

/** Each delivery with its message and its targets' breaker columns, as core leases it. */
function leasedBatch(deliveries: DeliveryRecord[], messages: MessageRecord[], health: HealthRow[], token: string): LeasedDelivery[] {
  const byId = new Map(messages.map((m) => [m.id, m]))
  const columns = new Map<string, EndpointHealthColumns>(
    health.map((r) => [
      r.id,
      { id: r.id, pausedUntil: intOrNull(r.paused_until), failingSince: intOrNull(r.failing_since), updatedAt: int(r.updated_at) },
    ]),
  )
  return deliveries.flatMap((delivery) => {
    const message = byId.get(delivery.messageId)
    if (!message) return []
    return [{ delivery, message, leaseToken: token, health: delivery.targets.flatMap((id) => columns.get(id) ?? []) }]
  })
}
