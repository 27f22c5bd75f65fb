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
import { int, intOrNull, json, parse } from '@hookbox/store-kysely'
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
    tenant: tenantFromColumn(r.tenant),
    id: r.id,
    type: r.type,
    payload: r.payload,
    requestId: r.request_id,
    entityId: r.entity_id,
    orderingKey: r.ordering_key,
    idempotencyKey: r.idempotency_key,
    createdAt: int(r.created_at),
  }
}

export function messageToRow(m: MessageRecord) {
  return {
    tenant: tenantToColumn(m.tenant),
    id: m.id,
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
    enabled: int(r.enabled) === 1,
    createdAt: int(r.created_at),
    updatedAt: int(r.updated_at),
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
    tenant: tenantFromColumn(r.tenant),
    name: r.name,
    id: r.id,
    collection: r.collection,
    url: r.url,
    enabled: int(r.enabled) === 1,
    disabledReason: r.disabled_reason,
    events: parse(r.events),
    headers: JSON.parse(r.headers),
    timeoutMs: intOrNull(r.timeout_ms),
    success: parse(r.success),
    appendRequestId: int(r.append_request_id) === 1,
    auth: parse(r.auth),
    description: r.description,
    maxInFlight: intOrNull(r.max_in_flight),
    ratePerSecond: intOrNull(r.rate_per_second),
    pausedUntil: intOrNull(r.paused_until),
    failingSince: intOrNull(r.failing_since),
    createdAt: int(r.created_at),
    updatedAt: int(r.updated_at),
  }
}

export function endpointToRow(e: EndpointRecord): EndpointsTable {
  return {
    tenant: tenantToColumn(e.tenant),
    name: e.name,
    id: e.id,
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

export function deliveryFromRow(r: Selectable<DeliveriesTable>): DeliveryRecord {
  return {
    tenant: tenantFromColumn(r.tenant),
    id: r.id,
    messageId: r.message_id,
    collection: r.collection,
    failureMode: r.failure_mode as DeliveryRecord['failureMode'],
    endpointId: r.endpoint_id,
    targets: JSON.parse(r.targets),
    progress: JSON.parse(r.progress),
    state: r.state as DeliveryRecord['state'],
    attempts: int(r.attempts),
    nextAttemptAt: intOrNull(r.next_attempt_at),
    windowStart: int(r.window_start),
    deadline: intOrNull(r.deadline),
    lastError: r.last_error,
    orderingKey: r.ordering_key,
    createdAt: int(r.created_at),
    updatedAt: int(r.updated_at),
    completedAt: intOrNull(r.completed_at),
  }
}

/** A new delivery as its row: `messageSeq` is its message's `seq`, the lease as the expansion set it. */
export function deliveryToRow({ delivery: d, lease }: NewDelivery, messageSeq: number): DeliveriesTable {
  return {
    tenant: tenantToColumn(d.tenant),
    id: d.id,
    message_id: d.messageId,
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
    tenant: tenantFromColumn(r.tenant),
    id: r.id,
    deliveryId: r.delivery_id,
    endpointId: r.endpoint_id,
    round: int(r.round),
    url: r.url,
    startedAt: int(r.started_at),
    latencyMs: int(r.latency_ms),
    statusCode: intOrNull(r.status_code),
    outcome: r.outcome as AttemptRecord['outcome'],
    error: r.error,
    responseSnippet: r.response_snippet,
  }
}

export function attemptToRow(a: AttemptRecord): AttemptsTable {
  return {
    tenant: tenantToColumn(a.tenant),
    id: a.id,
    delivery_id: a.deliveryId,
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
    tenant: tenantFromColumn(r.tenant),
    requestId: r.request_id,
    status: int(r.status),
    body: JSON.parse(r.body),
    createdAt: int(r.created_at),
    expiresAt: int(r.expires_at),
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
    enabled: int(r.enabled) === 1,
    disabledReason: r.disabled_reason,
    createdAt: int(r.created_at),
    updatedAt: int(r.updated_at),
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
