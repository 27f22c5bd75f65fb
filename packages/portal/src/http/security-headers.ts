/**
 * Sent with every portal response. The pages load only their own script and style files
 * (`default-src 'self'`: no inline code, no CDN), may not be framed by another site, and API
 * answers are never cached (they may carry a secret shown once).
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'x-frame-options': 'DENY',
  'cache-control': 'no-store',
}

/** Adds {@link SECURITY_HEADERS} (and any `extra`) to a response's headers. */
export function withSecurityHeaders(extra: Record<string, string> = {}): Headers {
  return new Headers({ ...SECURITY_HEADERS, ...extra })
}
