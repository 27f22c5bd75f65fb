import type { CredentialChange, PreparedCredentials } from '../admin/endpoint-security.js'
import { AuthNotApplicableError, CredentialsUrlChangeError, ValidationError } from '../errors.js'
import type { EndpointRecord } from '../store/records.js'
import { credentialSite } from './credential-binding.js'
import type { AuthSecrets, StoredAuth } from './endpoint-auth.js'
import { prepareScheme, schemeClear, type PrepareAuthContext, type PreparedScheme } from './prepare-auth.js'
import { liveSigningSecrets, nextSigningSecrets, type SigningChange } from './signing-secrets.js'
import { STORED_AUTH_VERSION, isStoredAuth, type SecretCodec } from './stored-auth.js'

/** What {@link prepareCredentials} needs from the security configuration. */
export interface CredentialContext extends PrepareAuthContext {
  codec: SecretCodec
  now: () => number
  /** Overlap of old and new signing secrets after a rotation. */
  rotationWindowMs: number
}

/** An endpoint's credentials as stored, whatever release wrote them. */
export interface StoredCredentials {
  /** The auth written by the security layer; null when the endpoint has none. */
  stored: StoredAuth | null
  /** Auth written without the security layer (stored as given, never applied). */
  unapplied: boolean
  secrets: AuthSecrets
  secretHeaders: Record<string, string>
  publicHeaders: Record<string, string>
}

/**
 * Reads an endpoint's credentials. Before this release every custom header was kept in clear
 * in the `headers` column; with no way to tell which were public, all count as secret.
 */
export function readCredentials(endpoint: EndpointRecord, codec: SecretCodec): StoredCredentials {
  const auth = endpoint.auth
  if (!isStoredAuth(auth))
    return { stored: null, unapplied: auth !== null, secrets: {}, secretHeaders: endpoint.headers, publicHeaders: {} }
  const secrets = codec.read(auth, credentialSite(endpoint))
  if (auth.v === STORED_AUTH_VERSION)
    return { stored: auth, unapplied: false, secrets, secretHeaders: secrets.headers ?? {}, publicHeaders: endpoint.headers }
  return { stored: auth, unapplied: false, secrets, secretHeaders: endpoint.headers, publicHeaders: {} }
}

/** The header a scheme writes its credential to, which a custom header must not shadow. */
function schemeHeader(clear: PreparedScheme['clear']): string | undefined {
  if (clear.type === 'basic' || clear.type === 'oauth2') return 'authorization'
  if (clear.type === 'jwt') return (clear.header as string | undefined) ?? 'authorization'
  return undefined
}

/**
 * The stored form of an endpoint's credentials after a change: its scheme, its signing
 * secrets (every scheme but `none` signs), and its secret headers, sealed together and bound
 * to the endpoint. Refuses, before anything is written, a scheme the outbox cannot apply and a
 * URL change that would carry credentials the receiver sees in clear.
 */
export async function prepareCredentials(change: CredentialChange, ctx: CredentialContext): Promise<PreparedCredentials> {
  const prev = change.previous ? readCredentials(change.previous, ctx.codec) : null
  const prevSecrets = prev?.secrets ?? {}
  const now = ctx.now()

  // 1. The scheme: given, kept from the stored auth, or the default (signed) one.
  let scheme: PreparedScheme | null
  if (change.auth !== undefined) {
    scheme = await prepareScheme(change.auth, prev?.stored ? { stored: prev.stored, secrets: prevSecrets } : null, ctx)
  } else if (!prev) {
    scheme = await prepareScheme({ type: 'hmac' }, null, ctx)
  } else if (prev.unapplied) {
    throw new AuthNotApplicableError(
      'auth',
      `endpoint ${change.endpoint.id} has auth that was stored as given by an outbox without security and was never applied; set it again with auth`,
    )
  } else if (prev.stored) {
    scheme = keptScheme(prev.stored, prevSecrets)
  } else {
    // An endpoint from before signing by default: unsigned until it is given a secret.
    scheme = change.rotateSecret ? await prepareScheme({ type: 'hmac' }, null, ctx) : null
  }

  // 2. Signing secrets: every scheme but `none` signs with the endpoint's whsec_ secrets. A
  // scheme kept from an earlier release without them stays as it was until one is asked for.
  const unsignedBefore = change.auth === undefined && !!prev?.stored && !prev.stored.signed && prev.stored.type !== 'hmac'
  const signed = scheme !== null && scheme.clear.type !== 'none' && (!unsignedBefore || !!change.rotateSecret)
  let signing: ReturnType<typeof nextSigningSecrets> | null = null
  if (signed) {
    const request: SigningChange = change.rotateSecret
      ? { secret: change.rotateSecret.secret, rotate: true, windowMs: change.rotateSecret.windowMs }
      : (scheme!.signing ?? {})
    signing = nextSigningSecrets(liveSigningSecrets(prevSecrets.hmac, now), request, now, ctx.rotationWindowMs)
  } else if (change.rotateSecret) {
    throw new ValidationError(`endpoint ${change.endpoint.id} is not signed (auth: { type: 'none' }); set auth to sign it`, 'NOT_SIGNED')
  }

  // 3. Headers: secret unless given as public; names of both kinds must not collide.
  const kept = [...(scheme?.kept ?? [])]
  const secretHeaders = change.headers ?? prev?.secretHeaders ?? {}
  if (change.headers === undefined) kept.push(...Object.keys(secretHeaders).map((n) => `headers.${n}`))
  const publicHeaders = change.publicHeaders ?? prev?.publicHeaders ?? {}
  for (const name of Object.keys(secretHeaders))
    if (name in publicHeaders) throw new ValidationError(`header ${name} is given both in headers and in publicHeaders`)
  const reserved = scheme ? schemeHeader(scheme.clear) : undefined
  if (reserved && (reserved in secretHeaders || reserved in publicHeaders))
    throw new ValidationError(`header ${reserved} is set by auth ${scheme!.clear.type}; remove it from the headers`)

  // 4. Credentials the receiver sees in clear do not follow a URL change unless asked to.
  if (change.previous && change.previous.url !== change.endpoint.url && !change.keepCredentials && kept.length > 0)
    throw new CredentialsUrlChangeError(kept)

  const names = Object.keys(secretHeaders)
  if (!scheme && names.length === 0) return { auth: null, headers: publicHeaders }
  const clear: PreparedScheme['clear'] = {
    ...(scheme?.clear ?? { type: 'none' }),
    ...(signed ? { signed: true } : {}),
    ...(signing?.rotationEndsAt !== undefined ? { rotationEndsAt: signing.rotationEndsAt } : {}),
    ...(names.length ? { headerNames: names } : {}),
  }
  const secrets: AuthSecrets = {
    ...scheme?.secrets,
    ...(signing ? { hmac: signing.list } : {}),
    ...(names.length ? { headers: secretHeaders } : {}),
  }
  const revealed = { ...scheme?.revealed, ...(signing?.revealed ? { secret: signing.revealed } : {}) }
  return {
    auth: ctx.codec.write(clear, secrets, credentialSite(change.endpoint)),
    headers: publicHeaders,
    ...(Object.keys(revealed).length ? { revealed } : {}),
  }
}

/** The stored scheme unchanged, with the credentials in clear it carries noted. */
function keptScheme(stored: StoredAuth, secrets: AuthSecrets): PreparedScheme {
  const { token, privateKey, clientSecret } = secrets
  const own = Object.fromEntries(Object.entries({ token, privateKey, clientSecret }).filter(([, v]) => v !== undefined))
  const kept = stored.type === 'basic' || (stored.type === 'oauth2' && token) ? ['auth.token'] : clientSecret ? ['auth.clientSecret'] : []
  return { clear: schemeClear(stored), secrets: own, kept }
}
