/**
 * Per-endpoint authentication, as given to `outbox.endpoints.create({ auth })` and `update`.
 * Left out at `create`, it is `{ type: 'hmac' }`: every endpoint is signed unless it says
 * `{ type: 'none' }`. Every scheme but `none` also signs each request the Standard Webhooks
 * way (`webhook-signature: v1,…`) with the endpoint's `whsec_…` secret. Secrets left out are
 * generated (and returned once in `secrets`); on update, secret fields left out keep their
 * stored value when the type is unchanged.
 */
export type EndpointAuthInput = JwtAuthInput | BasicAuthInput | OAuth2AuthInput | HmacAuthInput | Ed25519AuthInput | NoneAuthInput

/** No signature and no credentials: the explicit opt-out of signing. */
export interface NoneAuthInput {
  type: 'none'
}

/** Signing algorithms accepted for JWT. */
export type JwtAlgorithm = 'RS256' | 'ES256' | 'EdDSA'

/** FrankieOne-style JWT: a short-lived token bound to the message id and body digest. */
export interface JwtAuthInput {
  type: 'jwt'
  /** A customer-specific PKCS#8 PEM private key; default: the global `security.jwt` key. */
  privateKey?: string
  /** Generate a customer-specific key pair (RSA-4096 for RS256); its public JWK is in the view. */
  generateKey?: boolean
  /** Algorithm of `privateKey` / the generated key (default RS256). */
  alg?: JwtAlgorithm
  /** `kid` of the per-endpoint key (default: its JWK thumbprint). */
  keyId?: string
  /** `iss` (default: the global issuer, else `hookbox`). */
  issuer?: string
  /** `sub`, e.g. FrankieOne's portal user. */
  subject?: string
  /** `aud`, when the receiver checks one. */
  audience?: string
  /** Header carrying the token (default `authorization`). */
  header?: string
  /** Scheme before the token (default `Bearer`; `''` sends the bare token). */
  scheme?: string
}

/** Attestr-style token, sent as `Authorization: Basic <token>`. */
export interface BasicAuthInput {
  type: 'basic'
  /** The token; generated (and returned once) when absent. */
  token?: string
  /** On update: replace the stored token with a freshly generated one. */
  regenerate?: boolean
}

/** Incode-style OAuth2 bearer: a static token, or one obtained by client credentials. */
export type OAuth2AuthInput =
  | { type: 'oauth2'; token: string }
  | {
      type: 'oauth2'
      tokenUrl: string
      clientId: string
      /** Omitted on update to keep the stored one (only while `tokenUrl` stays the same). */
      clientSecret?: string
      scope?: string
      audience?: string
      /** How the client authenticates to the token endpoint (default `basic`). */
      clientAuth?: 'basic' | 'body'
    }

/** Standard Webhooks HMAC-SHA256 (`v1`) signatures. */
export interface HmacAuthInput {
  type: 'hmac'
  /** `whsec_…` (base64 after the prefix); generated and returned once when absent. */
  secret?: string
  /**
   * On update: start a rotation. The new secret (given or generated) signs at once and the
   * previous one keeps signing alongside it for `rotationWindowMs` (default 24 h).
   */
  rotate?: boolean
  rotationWindowMs?: number
}

/** Standard Webhooks asymmetric (`v1a`, Ed25519) signatures. */
export interface Ed25519AuthInput {
  type: 'ed25519'
  /** `whsk_…` private key; default: the global `security.ed25519` key, else a generated one. */
  privateKey?: string
  /** On update: replace the per-endpoint key pair with a new one. */
  regenerate?: boolean
}

/** What is kept in `endpoint.auth`: public fields in clear, secrets in `enc` (or `secrets`). */
export interface StoredAuth {
  type: EndpointAuthInput['type']
  /** Layout: 2 binds `enc` to its endpoint; 1 was written by releases before that. */
  v: 1 | 2
  /** Secrets encrypted with the host's key: `v1:<kid>:<iv>:<tag>:<ciphertext>` (base64url). */
  enc?: string
  /** Secrets in clear, only when no encryption key is configured. */
  secrets?: Record<string, unknown>
  /** Whether requests carry a `webhook-signature` made with the endpoint's `whsec_…` secrets. */
  signed?: boolean
  /** Names of the endpoint's secret headers; their values are among the secrets. */
  headerNames?: string[]
  [field: string]: unknown
}

/** An HMAC signing secret; older ones keep signing until `expiresAt` (epoch ms). */
export interface SigningSecret {
  secret: string
  expiresAt: number | null
}

/** Secret fields, encrypted together in `enc`. */
export interface AuthSecrets {
  token?: string
  privateKey?: string
  clientSecret?: string
  /** `whsec_…` signing secrets, newest first. */
  hmac?: SigningSecret[]
  /** Values of the secret headers. */
  headers?: Record<string, string>
}
