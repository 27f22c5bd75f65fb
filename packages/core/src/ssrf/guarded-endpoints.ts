import type { AdminContext } from '../admin/context.js'
import type { EndpointSecurity } from '../admin/endpoint-security.js'
import { Endpoints, type EndpointInput, type EndpointPatch, type EndpointWithSecrets } from '../admin/endpoints.js'
import type { TenantScope } from '../admin/tenant-scope.js'
import { checkEndpointUrl } from './check-endpoint-url.js'
import type { SsrfGuard } from './ssrf-guard.js'

/**
 * `outbox.endpoints` with the SSRF guard applied at registration: a URL whose host is a
 * blocked literal IP fails `create`/`update` with {@link SsrfBlockedError}. With a null guard
 * it behaves exactly like {@link Endpoints}.
 */
export class GuardedEndpoints extends Endpoints {
  readonly #guard: SsrfGuard | null
  constructor(ctx: AdminContext, security: EndpointSecurity, guard: SsrfGuard | null) {
    super(ctx, security)
    this.#guard = guard
  }

  override create(input: EndpointInput): Promise<EndpointWithSecrets> {
    try {
      if (this.#guard) checkEndpointUrl(input?.url, this.#guard)
    } catch (err) {
      return Promise.reject(err)
    }
    return super.create(input)
  }

  override update(id: string, patch: EndpointPatch, options?: TenantScope): Promise<EndpointWithSecrets> {
    try {
      if (this.#guard && patch?.url !== undefined) checkEndpointUrl(patch.url, this.#guard)
    } catch (err) {
      return Promise.reject(err)
    }
    return super.update(id, patch, options)
  }
}
