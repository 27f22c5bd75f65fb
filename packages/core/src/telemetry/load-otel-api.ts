/** The `@opentelemetry/api` module, as loaded at run time. */
export type OtelApi = typeof import('@opentelemetry/api')

let loading: Promise<OtelApi | null> | undefined

/**
 * Loads `@opentelemetry/api` once, or resolves to null when the host has not installed it. A
 * dynamic import, so the optional peer dependency is never required at load time.
 */
export function loadOtelApi(): Promise<OtelApi | null> {
  loading ??= import('@opentelemetry/api').then(
    (m) => ((m as OtelApi & { default?: OtelApi }).metrics ? m : ((m as { default?: OtelApi }).default ?? null)),
    () => null,
  )
  return loading
}
