import { EndpointNameTakenError, ValidationError } from '../errors.js'
import { TOKEN } from '../message.js'
import type { CatalogStore } from '../store/catalog-store.js'

/** An endpoint name: a token like a request id (`billing-primary`, `acme:orders`), or null. */
export function checkEndpointName(value: unknown): string | null {
  if (value === undefined || value === null) return null
  if (typeof value !== 'string' || !TOKEN.test(value))
    throw new ValidationError(`endpoint name must be 1-128 characters of letters, digits and . _ ~ : -, got ${JSON.stringify(value)}`)
  return value
}

/** Throws {@link EndpointNameTakenError} when another endpoint of the tenant has the name. */
export async function checkNameFree(catalog: CatalogStore, tenant: string | null, name: string | null, id: string): Promise<void> {
  if (name === null) return
  const holder = await catalog.getEndpointByName({ tenant, name })
  if (holder && holder.id !== id) throw new EndpointNameTakenError(name, tenant)
}
