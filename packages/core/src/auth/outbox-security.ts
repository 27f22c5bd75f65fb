import type { JSONWebKeySet } from 'jose'
import { Agent, type buildConnector } from 'undici'
import type { EndpointSecurity } from '../admin/endpoint-security.js'
import { systemClock, type Clock } from '../clock.js'
import { ValidationError } from '../errors.js'
import type { Authenticator } from '../http/authenticator.js'
import { guardedConnector } from '../ssrf/guarded-connector.js'
import { createSsrfGuard, type SsrfGuard, type SsrfOptions } from '../ssrf/ssrf-guard.js'
import { createJwtSigner, type JwtSigner, type JwtSignerOptions } from './jwt-signer.js'
import { localKeySigner, type KeySigner } from './key-signer.js'
import { OAuth2TokenCache, type OAuth2TokenCacheOptions } from './oauth2-token-cache.js'
import { encryptionKeyFromEnvironment } from './encryption-key-env.js'
import { prepareCredentials, readCredentials, type CredentialContext } from './prepare-credentials.js'
import { ed25519KeyObject } from './random-secrets.js'
import { credentialView } from './redact-auth.js'
import { createSecretBox, type EncryptionKey } from './secret-box.js'
import { createSecurityAuthenticator } from './security-authenticator.js'
import { liveSigningSecrets } from './signing-secrets.js'
import { STORED_AUTH_VERSION, isStoredAuth, secretCodec } from './stored-auth.js'

/** Global JWT settings (`security.jwt`); endpoints may override issuer, subject, header, scheme. */
export interface JwtSecurityOptions extends Omit<JwtSignerOptions, 'signer'> {
  /** A ready {@link JwtSigner}, or a {@link KeySigner} whose key lives in a KMS. */
  signer?: JwtSigner | KeySigner
  /** `iss` (default `hookbox`; FrankieOne uses `one.frankie.api`). */
  issuer?: string
  /** Token lifetime in seconds (default 300). */
  ttlSeconds?: number
  /** Header name (default `authorization`). */
  header?: string
  /** Scheme before the token (default `Bearer`; `''` for the bare token). */
  scheme?: string
}

/** Options of {@link createSecurity}, also accepted as `createOutbox({ security })`. */
export interface SecurityOptions {
  /** SSRF guard settings; `{ allow: ['127.0.0.1', '::1', 'localhost'] }` for local receivers. */
  ssrf?: SsrfOptions
  /**
   * 32-byte key(s) encrypting endpoint secrets at rest (AES-256-GCM), bound to their endpoint;
   * the first one encrypts, all are tried to decrypt. Default: `HOOKBOX_ENCRYPTION_KEY` (base64
   * or hex, comma-separated for several); without either, secrets are stored in clear.
   */
  encryptionKey?: EncryptionKey | readonly EncryptionKey[]
  /**
   * Whether secrets sealed by releases before the endpoint binding still decrypt (default
   * true, so an upgrade locks nobody out). Set false after `outbox.endpoints.resealSecrets()`:
   * such a blob could be copied between endpoints.
   */
  acceptUnboundSecrets?: boolean
  /** The global JWT key, used by `jwt` endpoints without a key of their own. */
  jwt?: JwtSecurityOptions
  /** HMAC settings. */
  hmac?: { /** Overlap of old and new secret after `rotate` (default 24 h). */ rotationWindowMs?: number }
  /** The global Ed25519 key of `ed25519` endpoints: `{ privateKey: 'whsk_…' }` or a KMS signer. */
  ed25519?: { privateKey: string } | KeySigner
  /** OAuth2 client-credentials tuning. */
  oauth2?: Omit<OAuth2TokenCacheOptions, 'clock' | 'dispatcher'>
  /** Accept `http:` token URLs. Prefer `createOutbox({ http: { allowHttp } })`: the outbox shares its value. */
  allowHttp?: boolean
  /** Time source. Prefer `createOutbox({ clock })`: the outbox shares its clock. */
  clock?: Clock
}

/** The pieces {@link createSecurity} builds; pass it as `createOutbox({ security })`. */
export interface OutboxSecurity {
  readonly kind: 'hookbox.security'
  readonly authenticator: Authenticator
  readonly endpointSecurity: EndpointSecurity
  /** Null when the guard is disabled. */
  readonly guard: SsrfGuard | null
  /** An undici connector enforcing the guard (undefined when it is disabled). */
  connector(options?: buildConnector.BuildOptions): buildConnector.connector | undefined
  /** Public keys of the global JWT signer, as a JWKS to publish for receivers. */
  jwks(): Promise<JSONWebKeySet>
  /** Releases the token client's connections. */
  close(): Promise<void>
}

const isJwtSigner = (s: JwtSigner | KeySigner): s is JwtSigner => typeof (s as JwtSigner).jwks === 'function'

/**
 * Builds authentication, secret handling and the SSRF guard from one options object.
 * Create it yourself to serve `jwks()`; otherwise `createOutbox({ security: {…} })` does it.
 *
 * @example
 * ```ts
 * const security = createSecurity({ encryptionKey: process.env.HOOKBOX_KEY, jwt: { privateKey, issuer: 'one.frankie.api' } })
 * const outbox = createOutbox({ store, security })
 * app.get('/.well-known/jwks.json', async (_req, res) => res.json(await security.jwks()))
 * ```
 */
export function createSecurity(options: SecurityOptions = {}): OutboxSecurity {
  const shared: SharedSettings = { clock: options.clock, allowHttp: options.allowHttp, bound: false }
  const clock: Clock = { now: () => (shared.clock ?? systemClock).now() }
  const guard = options.ssrf?.enabled === false ? null : createSsrfGuard(options.ssrf)
  const fromEnv = options.encryptionKey === undefined ? encryptionKeyFromEnvironment() : undefined
  const box = options.encryptionKey
    ? createSecretBox(options.encryptionKey)
    : fromEnv
      ? createSecretBox(fromEnv, 'HOOKBOX_ENCRYPTION_KEY')
      : null
  const codec = secretCodec(box, { acceptUnbound: options.acceptUnboundSecrets ?? true })
  const j = options.jwt
  const jwtSigner: JwtSigner | null = !j
    ? null
    : j.signer && isJwtSigner(j.signer)
      ? j.signer
      : createJwtSigner({ ...j, signer: j.signer as KeySigner | undefined })
  const ed = options.ed25519
  const ed25519: KeySigner | null = !ed ? null : 'privateKey' in ed ? localKeySigner(ed25519KeyObject(ed.privateKey), { alg: 'EdDSA' }) : ed
  let agent: Agent | undefined
  const tokenDispatcher = () => (guard ? (agent ??= new Agent({ connect: guardedConnector(guard) })) : undefined)
  const tokens = new OAuth2TokenCache({
    ...options.oauth2,
    clock,
    get dispatcher() {
      return tokenDispatcher()
    },
  })
  const credentials: CredentialContext = {
    codec,
    now: () => clock.now(),
    guard,
    allowHttp: () => shared.allowHttp ?? false,
    hasGlobalJwt: jwtSigner !== null,
    globalEd25519: ed25519,
    rotationWindowMs: options.hmac?.rotationWindowMs ?? 24 * 60 * 60 * 1000,
  }
  const security: OutboxSecurity = {
    kind: 'hookbox.security',
    guard,
    authenticator: createSecurityAuthenticator({
      codec,
      tokens,
      ed25519,
      now: () => clock.now(),
      jwt: {
        signer: jwtSigner,
        issuer: j?.issuer ?? 'hookbox',
        ttlSeconds: j?.ttlSeconds ?? 300,
        header: j?.header?.toLowerCase() ?? 'authorization',
        scheme: j?.scheme ?? 'Bearer',
      },
    }),
    endpointSecurity: {
      prepare: (change) => prepareCredentials(change, credentials),
      view: credentialView,
      signingSecrets(endpoint) {
        const { secrets } = readCredentials(endpoint, codec)
        const [current, ...previous] = liveSigningSecrets(secrets.hmac, clock.now())
        if (!current)
          throw new ValidationError(
            `endpoint ${endpoint.id} is not signed${endpoint.auth?.type === 'none' ? " (auth: { type: 'none' })" : '; give it a secret with endpoints.rotateSecret(id)'}`,
            'NOT_SIGNED',
          )
        return { secret: current.secret, previous: previous.map((s) => ({ secret: s.secret, expiresAt: s.expiresAt ?? 0 })) }
      },
      reseal(endpoint) {
        const current = isStoredAuth(endpoint.auth) && endpoint.auth.v === STORED_AUTH_VERSION
        if (current || (endpoint.auth === null && Object.keys(endpoint.headers).length === 0)) return null
        // Auth stored as given (never applied) makes this throw AuthNotApplicableError.
        return prepareCredentials({ endpoint, previous: endpoint, keepCredentials: true }, credentials)
      },
    },
    connector: (o) => (guard ? guardedConnector(guard, o) : undefined),
    jwks: async () => (jwtSigner ? jwtSigner.jwks() : { keys: [] }),
    close: async () => {
      await agent?.close()
      agent = undefined
    },
  }
  settingsOf.set(security, shared)
  return security
}

/** The clock and `allowHttp` a security object shares with the outbox that uses it. */
interface SharedSettings {
  clock: Clock | undefined
  allowHttp: boolean | undefined
  /** Whether an outbox has settled both; later outboxes must agree. */
  bound: boolean
}

const settingsOf = new WeakMap<OutboxSecurity, SharedSettings>()

/**
 * Makes a security object and its outbox use one clock and one `allowHttp`: a value given on
 * one side applies to both (JWT `iat`, rotation windows and token expiry follow a `ManualClock`;
 * `http.allowHttp` also admits `http:` token URLs). Values given on both sides must agree.
 */
export function shareOutboxSettings(
  security: OutboxSecurity,
  outbox: { clock?: Clock; allowHttp?: boolean },
): { clock: Clock; allowHttp: boolean } {
  const s = settingsOf.get(security)
  if (!s) throw new ValidationError('security must be the result of createSecurity(), or its options')
  if (outbox.clock && s.clock && outbox.clock !== s.clock)
    throw new ValidationError(
      s.bound
        ? 'this security object is used by another outbox with another clock; give each outbox its own createSecurity()'
        : 'createOutbox({ clock }) and createSecurity({ clock }) are different clocks; pass the clock to createOutbox only',
    )
  if (outbox.allowHttp !== undefined && s.allowHttp !== undefined && outbox.allowHttp !== s.allowHttp)
    throw new ValidationError(
      s.bound
        ? 'this security object is used by another outbox with another http.allowHttp; give each outbox its own createSecurity()'
        : `http.allowHttp (${outbox.allowHttp}) and createSecurity({ allowHttp }) (${s.allowHttp}) differ; set http.allowHttp only`,
    )
  s.clock ??= outbox.clock ?? systemClock
  s.allowHttp ??= outbox.allowHttp ?? false
  s.bound = true
  return { clock: s.clock, allowHttp: s.allowHttp }
}
