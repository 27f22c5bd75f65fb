import { AuthNotApplicableError, ValidationError } from '../errors.js'
import type { SigningSecret } from './endpoint-auth.js'
import { checkHmacSecret, generateHmacSecret } from './random-secrets.js'

/** How the signing secrets of an endpoint change. */
export interface SigningChange {
  /** A caller-chosen `whsec_…`; generated (and revealed once) when absent and one is needed. */
  secret?: unknown
  /** Start a rotation: the new secret signs at once, the live ones keep signing for `windowMs`. */
  rotate?: boolean
  /** Overlap of a rotation (default: the security option `hmac.rotationWindowMs`). */
  windowMs?: unknown
}

/** The secrets that still sign at `now`, newest first. */
export function liveSigningSecrets(list: readonly SigningSecret[] | undefined, now: number): SigningSecret[] {
  return (list ?? []).filter((s) => s.expiresAt === null || s.expiresAt > now)
}

/**
 * The next signing secrets of an endpoint from its live ones: rotated with overlap, replaced
 * by a given secret, kept, or (when there is none yet) generated. `revealed` is the generated
 * secret, to be shown once; `rotationEndsAt` when the last of the older ones stops signing.
 */
export function nextSigningSecrets(
  live: readonly SigningSecret[],
  change: SigningChange,
  now: number,
  defaultWindowMs: number,
): { list: SigningSecret[]; revealed?: string; rotationEndsAt?: number } {
  if (change.secret === '')
    throw new AuthNotApplicableError('auth.secret', 'auth.secret is empty; give a whsec_ secret, or leave it out to generate one')
  const given = change.secret === undefined ? undefined : checkHmacSecret(change.secret)
  const window = change.windowMs ?? defaultWindowMs
  if (typeof window !== 'number' || !Number.isFinite(window) || window < 0)
    throw new ValidationError('auth.rotationWindowMs must be a non-negative number')
  let list: SigningSecret[]
  let revealed: string | undefined
  if ((change.rotate && live.length > 0) || given || live.length === 0) {
    const next = given ?? generateHmacSecret()
    if (!given) revealed = next
    // Rotating: the new secret signs at once; the old ones keep signing until the window closes.
    const older = change.rotate ? live.map((s) => ({ secret: s.secret, expiresAt: Math.min(s.expiresAt ?? Infinity, now + window) })) : []
    list = [{ secret: next, expiresAt: null }, ...older]
  } else {
    list = [...live]
  }
  const ends = list.map((s) => s.expiresAt).filter((t): t is number => t !== null)
  return { list, ...(revealed ? { revealed } : {}), ...(ends.length ? { rotationEndsAt: Math.max(...ends) } : {}) }
}
