/**
 * Whether an event type matches a filter: `null` matches all; otherwise each entry is an exact
 * type or a glob where `*` matches one dot-separated segment and a trailing `.**` or a lone `*`
 * matches the rest (`entity.*` matches `entity.state_changed`).
 */
export function matchesEvent(filter: readonly string[] | null | undefined, type: string): boolean {
  if (!filter) return true
  return filter.some((pattern) => matchOne(pattern, type))
}

function matchOne(pattern: string, type: string): boolean {
  if (pattern === '*' || pattern === '**' || pattern === type) return true
  const p = pattern.split('.')
  const t = type.split('.')
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '**') return true
    if (i >= t.length) return false
    if (p[i] !== '*' && p[i] !== t[i]) return false
  }
  return p.length === t.length
}

/** Throws unless every entry is a non-empty pattern of letters, digits, `_-:.` and `*`. */
export function invalidEventPattern(filter: readonly string[]): string | undefined {
  return filter.find((f) => typeof f !== 'string' || !/^[\w\-:*]+(\.[\w\-:*]+)*$/.test(f))
}
