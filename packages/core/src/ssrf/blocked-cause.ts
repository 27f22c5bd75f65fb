/** The SSRF refusal in an error's cause chain (undici and the token client wrap it), or null. */
export function blockedCause(err: unknown): { message?: string } | null {
  for (
    let e = err as { code?: string; message?: string; cause?: unknown } | undefined, depth = 0;
    e && depth < 4;
    e = e.cause as typeof e, depth++
  )
    if (e.code === 'SSRF_BLOCKED' || e.code === 'HOOKBOX_SSRF') return e
  return null
}
