import type { JSONWebKeySet } from 'jose'
import { Agent, type buildConnector } from 'undici'
import type { EndpointSecurity } from '../admin/endpoint-security.js'
import { systemClock, type Clock } from '../clock.js'
import type { Authenticator } from '../http/authenticator.js'
import { guardedConnector } from '../ssrf/guarded-connector.js'
import { createSsrfGuard, type SsrfGuard, type SsrfOptions } from '../ssrf/ssrf-guard.js'
import { createJwtSigner, type JwtSigner, type JwtSignerOptions } from './jwt-signer.js'
import { localKeySigner, type KeySigner } from './key-signer.js'
import { OAuth2TokenCache, type OAuth2TokenCacheOptions } from './oauth2-token-cache.js'
import { prepareAuth } from './prepare-auth.js'
import { ed25519KeyObject } from './random-secrets.js'
import { redactAuth } from './redact-auth.js'
import { createSecretBox, type EncryptionKey } from './secret-box.js'
import { createSecurityAuthenticator } from './security-authenticator.js'
import { secretCodec } from './stored-auth.js'

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
  /** 32-byte key(s) encrypting endpoint secrets at rest (AES-256-GCM); the first one encrypts. */
  encryptionKey?: EncryptionKey | readonly EncryptionKey[]
  /** The global JWT key, used by `jwt` endpoints without a key of their own. */
  jwt?: JwtSecurityOptions
  /** HMAC settings. */
  hmac?: { /** Overlap of old and new secret after `rotate` (default 24 h). */ rotationWindowMs?: number }
  /** The global Ed25519 key of `ed25519` endpoints: `{ privateKey: 'whsk_…' }` or a KMS signer. */
  ed25519?: { privateKey: string } | KeySigner
  /** OAuth2 client-credentials tuning. */
  oauth2?: Omit<OAuth2TokenCacheOptions, 'clock' | 'dispatcher'>
  /** Accept `http:` token URLs (the outbox passes `http.allowHttp`). */
  allowHttp?: boolean
  /** Time source (the outbox passes its own). */
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
  const clock = options.clock ?? systemClock
  const guard = options.ssrf?.enabled === false ? null : createSsrfGuard(options.ssrf)
  const codec = secretCodec(options.encryptionKey ? createSecretBox(options.encryptionKey) : null)
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
  return {
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
      prepareAuth: (input, previous) =>
        prepareAuth(input, previous, {
          codec,
          clock,
          guard,
          allowHttp: options.allowHttp ?? false,
          hasGlobalJwt: jwtSigner !== null,
          globalEd25519: ed25519,
          rotationWindowMs: options.hmac?.rotationWindowMs ?? 24 * 60 * 60 * 1000,
        }),
      redact: redactAuth,
    },
    connector: (o) => (guard ? guardedConnector(guard, o) : undefined),
    jwks: async () => (jwtSigner ? jwtSigner.jwks() : { keys: [] }),
    close: async () => {
      await agent?.close()
      agent = undefined
    },
  }
}
