import type {
  AttemptRecord,
  CollectionRecord,
  DeliveryRecord,
  EndpointRecord,
  MessageRecord,
  NewDelivery,
  ResultRecord,
  TenantRecord,
} from '@hookbox/core'
import { tenantFromColumn, tenantToColumn } from '@hookbox/core'
import type { Selectable } from 'kysely'
import { json, parse } from '@hookbox/store-kysely'
import type {
  AttemptsTable,
  CollectionsTable,
  DeliveriesTable,
  EndpointsTable,
  MessagesTable,
  ResultsTable,
  TenantsTable,
} from './schema.js'

export function messageFromRow(r: Selectable<MessagesTable>): MessageRecord {
  return {
    id: r.id,
    tenant: tenantFromColumn(r.tenant),
    type: r.type,
    payload: r.payload,
    requestId: r.request_id,
    entityId: r.entity_id,
    orderingKey: r.ordering_key,
    idempotencyKey: r.idempotency_key,
    createdAt: r.created_at,
  }
}

export function messageToRow(m: MessageRecord) {
  return {
    id: m.id,
    tenant: tenantToColumn(m.tenant),
    type: m.type,
    payload: m.payload,
    request_id: m.requestId,
    entity_id: m.entityId,
    ordering_key: m.orderingKey,
    idempotency_key: m.idempotencyKey,
    created_at: m.createdAt,
  }
}

export function collectionFromRow(r: Selectable<CollectionsTable>): CollectionRecord {
  return {
    name: r.name,
    events: parse(r.events),
    policy: JSON.parse(r.policy),
    failureMode: r.failure_mode as CollectionRecord['failureMode'],
    success: parse(r.success),
    enabled: r.enabled === 1,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  }
}

export function collectionToRow(c: CollectionRecord): CollectionsTable {
  return {
    name: c.name,
    events: json(c.events),
    policy: JSON.stringify(c.policy),
    failure_mode: c.failureMode,
    success: json(c.success),
    enabled: c.enabled ? 1 : 0,
    created_at: c.createdAt,
    updated_at: c.updatedAt,
  }
}

export function endpointFromRow(r: Selectable<EndpointsTable>): EndpointRecord {
  return {
    id: r.id,
    tenant: tenantFromColumn(r.tenant),
    name: r.name,
    collection: r.collection,
    url: r.url,
    enabled: r.enabled === 1,
    disabledReason: r.disabled_reason,
    events: parse(r.events),
    headers: JSON.parse(r.headers),
    timeoutMs: r.timeout_ms,
    success: parse(r.success),
    appendRequestId: r.append_request_id === 1,
    auth: parse(r.auth),
    description: r.description,
    maxInFlight: r.max_in_flight,
    ratePerSecond: r.rate_per_second,
    pausedUntil: r.paused_until,
    failingSince: r.failing_since,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  }
}

export function endpointToRow(e: EndpointRecord): EndpointsTable {
  return {
    id: e.id,
    tenant: tenantToColumn(e.tenant),
    name: e.name,
    collection: e.collection,
    url: e.url,
    enabled: e.enabled ? 1 : 0,
    disabled_reason: e.disabledReason,
    events: json(e.events),
    headers: JSON.stringify(e.headers),
    timeout_ms: e.timeoutMs,
    success: json(e.success),
    append_request_id: e.appendRequestId ? 1 : 0,
    auth: json(e.auth),
    description: e.description,
    max_in_flight: e.maxInFlight,
    rate_per_second: e.ratePerSecond,
    paused_until: e.pausedUntil,
    failing_since: e.failingSince,
    created_at: e.createdAt,
    updated_at: e.updatedAt,
  }
}

/** The deliveries columns a {@link DeliveryRecord} is read from. */
const DELIVERY_FIELDS = [
  'id',
  'message_id',
  'tenant',
  'collection',
  'failure_mode',
  'endpoint_id',
  'targets',
  'progress',
  'state',
  'attempts',
  'next_attempt_at',
  'window_start',
  'deadline',
  'last_error',
  'ordering_key',
  'created_at',
  'updated_at',
  'completed_at',
] as const

/** Where each of those columns is in a row: its name in an object row, its index in an array row (the claim's, see queries/claim-rows.ts). */
export type DeliveryPositions = Readonly<Record<(typeof DELIVERY_FIELDS)[number], string | number>>

const BY_NAME = Object.fromEntries(DELIVERY_FIELDS.map((f) => [f, f])) as DeliveryPositions

export function deliveryFromRow(r: Selectable<DeliveriesTable>): DeliveryRecord {
  return deliveryAt(r as unknown as Readonly<Record<string, unknown>>, BY_NAME)
}

/** A delivery from an object row (positions by name) or an array row (by index). */
export function deliveryAt(row: Readonly<Record<string, unknown>> | readonly unknown[], at: DeliveryPositions): DeliveryRecord {
  const r = row as Readonly<Record<string | number, unknown>>
  return {
    id: r[at.id] as string,
    messageId: r[at.message_id] as string,
    tenant: tenantFromColumn(r[at.tenant] as string),
    collection: r[at.collection] as string,
    failureMode: r[at.failure_mode] as DeliveryRecord['failureMode'],
    endpointId: r[at.endpoint_id] as string | null,
    targets: JSON.parse(r[at.targets] as string),
    progress: JSON.parse(r[at.progress] as string),
    state: r[at.state] as DeliveryRecord['state'],
    attempts: r[at.attempts] as number,
    nextAttemptAt: r[at.next_attempt_at] as number | null,
    windowStart: r[at.window_start] as number,
    deadline: r[at.deadline] as number | null,
    lastError: r[at.last_error] as string | null,
    orderingKey: r[at.ordering_key] as string | null,
    createdAt: r[at.created_at] as number,
    updatedAt: r[at.updated_at] as number,
    completedAt: r[at.completed_at] as number | null,
  }
}

/** A new delivery as its row: `messageSeq` is its message's `seq`, the lease as the expansion set it. */
export function deliveryToRow({ delivery: d, lease }: NewDelivery, messageSeq: number): DeliveriesTable {
  return {
    id: d.id,
    message_id: d.messageId,
    tenant: tenantToColumn(d.tenant),
    message_seq: messageSeq,
    collection: d.collection,
    failure_mode: d.failureMode,
    endpoint_id: d.endpointId,
    targets: JSON.stringify(d.targets),
    progress: JSON.stringify(d.progress),
    state: d.state,
    attempts: d.attempts,
    next_attempt_at: d.nextAttemptAt,
    window_start: d.windowStart,
    deadline: d.deadline,
    last_error: d.lastError,
    ordering_key: d.orderingKey,
    lease_owner: lease?.owner ?? null,
    lease_until: lease?.until ?? null,
    lease_token: lease?.token ?? null,
    created_at: d.createdAt,
    updated_at: d.updatedAt,
    completed_at: d.completedAt,
  }
}

export function attemptFromRow(r: Selectable<AttemptsTable>): AttemptRecord {
  return {
    id: r.id,
    deliveryId: r.delivery_id,
    tenant: tenantFromColumn(r.tenant),
    endpointId: r.endpoint_id,
    round: r.round,
    url: r.url,
    startedAt: r.started_at,
    latencyMs: r.latency_ms,
    statusCode: r.status_code,
    outcome: r.outcome as AttemptRecord['outcome'],
    error: r.error,
    responseSnippet: r.response_snippet,
  }
}

export function attemptToRow(a: AttemptRecord): AttemptsTable {
  return {
    id: a.id,
    delivery_id: a.deliveryId,
    tenant: tenantToColumn(a.tenant),
    endpoint_id: a.endpointId,
    round: a.round,
    url: a.url,
    started_at: a.startedAt,
    latency_ms: a.latencyMs,
    status_code: a.statusCode,
    outcome: a.outcome,
    error: a.error,
    response_snippet: a.responseSnippet,
  }
}

export function resultFromRow(r: Selectable<ResultsTable>): ResultRecord {
  return {
    requestId: r.request_id,
    tenant: tenantFromColumn(r.tenant),
    status: r.status,
    body: JSON.parse(r.body),
    createdAt: r.created_at,
    expiresAt: r.expires_at,
  }
}

export function resultToRow(r: ResultRecord): ResultsTable {
  return {
    tenant: tenantToColumn(r.tenant),
    request_id: r.requestId,
    status: r.status,
    body: JSON.stringify(r.body ?? null),
    created_at: r.createdAt,
    expires_at: r.expiresAt,
  }
}

export function tenantFromRow(r: Selectable<TenantsTable>): TenantRecord {
  return {
    tenant: r.tenant,
    enabled: r.enabled === 1,
    disabledReason: r.disabled_reason,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  }
}

export function tenantToRow(t: TenantRecord): TenantsTable {
  return {
    tenant: t.tenant,
    enabled: t.enabled ? 1 : 0,
    disabled_reason: t.disabledReason,
    created_at: t.createdAt,
    updated_at: t.updatedAt,
  }
}
