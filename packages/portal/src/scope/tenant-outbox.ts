import type { DeliveryDetail, DeliveryFilter, DeliveryRecord, Endpoint, EndpointPatch, EndpointWithSecrets, Outbox } from '@hookbox/core'
import type { EndpointInput, EndpointSigningSecrets, OutboxEvent, OutboxStats, RotateSecretOptions } from '@hookbox/core'

/** The tenant option every scoped outbox call takes (issue 13). */
export interface TenantOption {
  tenant: string
}

/**
 * The tenant-scoped outbox calls the portal makes, as the tenant API names them: a scoped
 * call answers `NotFoundError` for another tenant's record. Records carry `tenant`.
 */
export interface TenantOutbox {
  endpoints: {
    create(input: EndpointInput & TenantOption): Promise<EndpointWithSecrets & { tenant?: string | null }>
    get(id: string, options: TenantOption): Promise<Endpoint & { tenant?: string | null }>
    list(query: TenantOption & { collection?: string }): Promise<Array<Endpoint & { tenant?: string | null }>>
    update(id: string, patch: EndpointPatch, options: TenantOption): Promise<EndpointWithSecrets>
    enable(id: string, options: TenantOption): Promise<Endpoint>
    disable(id: string, reason: string, options: TenantOption): Promise<Endpoint>
    delete(id: string, options: TenantOption): Promise<void>
    rotateSecret(id: string, rotation: RotateSecretOptions, options: TenantOption): Promise<EndpointWithSecrets>
    revealSecret(id: string, options: TenantOption): Promise<EndpointSigningSecrets>
  }
  deliveries: {
    get(id: string, options: TenantOption): Promise<DeliveryDetail & { tenant?: string | null }>
    list(filter: DeliveryFilter & TenantOption): Promise<Array<DeliveryRecord & { tenant?: string | null }>>
  }
  deadLetters: {
    list(options: TenantOption & { endpointId?: string; after?: string; limit?: number }): Promise<DeliveryRecord[]>
    replayMany(options: TenantOption & { ids?: string[] }): Promise<number>
  }
  stats(options: TenantOption): Promise<OutboxStats>
  notify(event: OutboxEvent & TenantOption): Promise<{ messageId: string; requestId: string; duplicate: boolean }>
}

/** The outbox seen through the tenant API's signatures. */
export function tenantOutbox(outbox: Outbox): TenantOutbox {
  return outbox as unknown as TenantOutbox
}
