/**
 * How endpoint credentials are prepared for storage and shown back. The auth layer supplies
 * one that generates tokens, encrypts secrets at rest and redacts them from every view.
 */
export interface EndpointSecurity {
  /**
   * Turns the caller's `auth` input into what is stored, and returns secrets generated for the
   * caller (shown once, e.g. an Attestr-style Basic token). `previous` is the stored value on update.
   */
  prepareAuth(input: unknown, previous: Record<string, unknown> | null): Promise<PreparedAuth> | PreparedAuth
  /** The stored auth with every secret removed, for views, events and logs. */
  redact(stored: Record<string, unknown> | null): Record<string, unknown> | null
}

/** Result of {@link EndpointSecurity.prepareAuth}. */
export interface PreparedAuth {
  stored: Record<string, unknown> | null
  /** Secrets generated for the caller, returned once and never again. */
  revealed?: Record<string, string>
}

/** Stores auth as given and hides nothing: only for configurations without secrets. */
export const plainEndpointSecurity: EndpointSecurity = {
  prepareAuth: (input) => ({ stored: (input as Record<string, unknown> | null | undefined) ?? null }),
  redact: (stored) => (stored ? Object.fromEntries(Object.keys(stored).map((k) => [k, k === 'type' ? stored[k] : '[redacted]'])) : null),
}
