/** Machine-readable codes carried by every {@link HookboxError}. */
export type HookboxErrorCode =
  | 'VALIDATION'
  | 'PAYLOAD_NOT_SERIALIZABLE'
  | 'PAYLOAD_TOO_LARGE'
  | 'INVALID_URL'
  | 'UNKNOWN_COLLECTION'
  | 'UNKNOWN_EVENT_TYPE'
  | 'INVALID_PAYLOAD'
  | 'NOT_FOUND'
  | 'ENDPOINT_NAME_TAKEN'
  | 'INVALID_POLICY'
  | 'INVALID_TRANSACTION'
  | 'MIGRATION_REQUIRED'
  | 'STORE'
  | 'SSRF_BLOCKED'
  | 'AUTH'
  | 'AUTH_NOT_APPLICABLE'
  | 'CREDENTIALS_URL_CHANGE'
  | 'NOT_SIGNED'
  | 'SIGNATURE'
  | 'TENANT_CHANGE'
  // Raised by @hookbox/cli: a wrong command line, no database file, a store package not installed.
  | 'USAGE'
  | 'NO_DATABASE'
  | 'MISSING_PACKAGE'
  // Raised by @hookbox/portal: a session without the permission, a cross-site request, too many test sends.
  | 'PERMISSION_DENIED'
  | 'CSRF'
  | 'RATE_LIMITED'

/**
 * Base class of every error Hookbox throws on purpose. Check `code` rather than the message;
 * the original error, when there is one, is in `cause`.
 */
export class HookboxError extends Error {
  /** Stable, machine-readable reason. */
  readonly code: HookboxErrorCode
  constructor(code: HookboxErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = new.target.name
    this.code = code
  }
}

/** Input to a Hookbox call was rejected before anything was written. */
export class ValidationError extends HookboxError {
  constructor(message: string, code: HookboxErrorCode = 'VALIDATION', options?: { cause?: unknown }) {
    super(code, message, options)
  }
}

/** A payload could not be turned into JSON (BigInt, cycles, functions at the top level…). */
export class PayloadNotSerializableError extends ValidationError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 'PAYLOAD_NOT_SERIALIZABLE', options)
  }
}

/** A payload is larger than the configured `maxPayloadBytes`. */
export class PayloadTooLargeError extends ValidationError {
  /** Size of the serialised payload in bytes. */
  readonly bytes: number
  /** The configured limit in bytes. */
  readonly limit: number
  constructor(bytes: number, limit: number) {
    super(`payload is ${bytes} bytes, over the limit of ${limit} bytes`, 'PAYLOAD_TOO_LARGE')
    this.bytes = bytes
    this.limit = limit
  }
}

/** One problem a schema found in a payload: what is wrong, and where (keys and indexes from the root). */
export interface PayloadIssue {
  readonly message: string
  readonly path: readonly (string | number)[]
}

/** A payload failed the schema its event type has in the outbox's catalog; nothing was written. */
export class InvalidPayloadError extends ValidationError {
  /** The event type whose schema refused the payload. */
  readonly type: string
  /** What the schema reported. */
  readonly issues: readonly PayloadIssue[]
  constructor(type: string, issues: readonly PayloadIssue[]) {
    const listed = issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; ')
    super(`payload of "${type}" does not match its schema: ${listed || 'rejected'}`, 'INVALID_PAYLOAD')
    this.type = type
    this.issues = issues
  }
}

/** `endpoints.create` or `update` gave a name another endpoint of the same tenant has. */
export class EndpointNameTakenError extends ValidationError {
  /** The name asked for. */
  readonly endpointName: string
  /** The tenant whose endpoint has it (null: the platform's own). */
  readonly tenant: string | null
  constructor(name: string, tenant: string | null) {
    const owner = tenant === null ? 'the platform' : `tenant "${tenant}"`
    super(`an endpoint of ${owner} is already named "${name}"; use endpoints.upsert to update it`, 'ENDPOINT_NAME_TAKEN')
    this.endpointName = name
    this.tenant = tenant
  }
}

/** An endpoint URL is malformed, uses a scheme that is not allowed, or carries credentials. */
export class InvalidUrlError extends ValidationError {
  constructor(message: string) {
    super(message, 'INVALID_URL')
  }
}

/** Policy options are out of range or inconsistent. */
export class InvalidPolicyError extends ValidationError {
  constructor(message: string) {
    super(message, 'INVALID_POLICY')
  }
}

/**
 * An endpoint asks for authentication this outbox cannot apply: an unknown `auth.type`, a
 * scheme whose key is not configured (`security.jwt`), or an empty secret. Refused at
 * `create`/`update` so that no endpoint looks protected while it is not; nothing is written.
 */
export class AuthNotApplicableError extends ValidationError {
  /** The option or field that is missing or wrong, e.g. `security.jwt`, `auth.type`, `auth.secret`. */
  readonly option: string
  constructor(option: string, message: string) {
    super(message, 'AUTH_NOT_APPLICABLE')
    this.option = option
  }
}

/**
 * An update changes an endpoint's URL while keeping credentials the receiver sees in clear
 * (Basic token, bearer token, OAuth2 client credentials, secret headers). They do not follow a
 * URL change unless the update supplies them again or passes `keepCredentials: true`.
 */
export class CredentialsUrlChangeError extends ValidationError {
  /** What would have followed the URL, e.g. `auth.token`, `headers.x-api-key`. */
  readonly credentials: string[]
  constructor(credentials: string[]) {
    super(
      `changing the url would send ${credentials.join(', ')} to the new url; supply ${credentials.length > 1 ? 'them' : 'it'} again in the same update, or pass keepCredentials: true`,
      'CREDENTIALS_URL_CHANGE',
    )
    this.credentials = credentials
  }
}

/** An endpoint update would move it to another tenant: an endpoint's tenant never changes. */
export class TenantChangeError extends ValidationError {
  /** The endpoint's tenant (null: none). */
  readonly tenant: string | null
  /** The tenant the update asked for. */
  readonly requested: unknown
  constructor(endpointId: string, tenant: string | null, requested: unknown) {
    super(
      `endpoint ${endpointId} belongs to ${tenant === null ? 'no tenant' : `tenant "${tenant}"`}; an endpoint never moves to another tenant (create a new one)`,
      'TENANT_CHANGE',
    )
    this.tenant = tenant
    this.requested = requested
  }
}

/** A named record (collection, endpoint, delivery) does not exist. */
export class NotFoundError extends HookboxError {
  constructor(what: string, id: string) {
    super('NOT_FOUND', `${what} not found: ${id}`)
  }
}

/** The `transaction` handed to `notify` is not one the store can write through. */
export class InvalidTransactionError extends HookboxError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('INVALID_TRANSACTION', message, options)
  }
}

/** The store's tables are missing or out of date: run `outbox.migrate()` (or the store's migration SQL) first. */
export class MigrationRequiredError extends HookboxError {
  constructor(store: string, options?: { cause?: unknown }) {
    super('MIGRATION_REQUIRED', `the ${store} store has not been migrated: run outbox.migrate() once before using it`, options)
  }
}

/** A store found its database in a state it cannot work with (a bug or an outside change), not bad input. */
export class StoreError extends HookboxError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('STORE', message, options)
  }
}

/** An endpoint address is loopback, private, link-local, metadata… and not allow-listed. */
export class SsrfBlockedError extends HookboxError {
  /** The host name of the URL, as given. */
  readonly host: string
  /** The address that was refused (the host itself when it is a literal IP). */
  readonly address: string
  /** The ipaddr.js range it falls in, e.g. `loopback`, `private`, `linkLocal`. */
  readonly range: string
  constructor(host: string, address: string, range: string) {
    super('SSRF_BLOCKED', `address ${address}${host !== address ? ` of ${host}` : ''} is ${range}; allow-list it with security.ssrf.allow`)
    this.host = host
    this.address = address
    this.range = range
  }
}

/** Outgoing credentials could not be produced, or a receiver rejected a token (`verifyJwt`). */
export class AuthError extends HookboxError {
  /** Short machine-readable reason, e.g. `missing_token`, `body_mismatch`, `replayed`. */
  readonly reason: string
  constructor(reason: string, message: string, options?: { cause?: unknown }) {
    super('AUTH', message, options)
    this.reason = reason
  }
}

/** A webhook signature did not verify (`verifySignature`). */
export class SignatureError extends HookboxError {
  /** Short machine-readable reason, e.g. `missing_headers`, `timestamp_too_old`, `no_match`. */
  readonly reason: string
  constructor(reason: string, message: string) {
    super('SIGNATURE', message)
    this.reason = reason
  }
}

/** A portal session lacks the permission a route needs (`@hookbox/portal` answers 403). */
export class PermissionDeniedError extends HookboxError {
  /** The permission that was missing, e.g. `manage`. */
  readonly permission: string
  constructor(permission: string) {
    super('PERMISSION_DENIED', `this session lacks the "${permission}" permission`)
    this.permission = permission
  }
}

/** A state-changing portal request came from another site, or with no proof of its origin (403). */
export class CsrfError extends HookboxError {
  constructor(message: string) {
    super('CSRF', message)
  }
}

/** Too many calls of a limited kind (portal test sends) in the current window (429). */
export class RateLimitedError extends HookboxError {
  /** Milliseconds until the next call is allowed. */
  readonly retryAfterMs: number
  constructor(what: string, retryAfterMs: number) {
    super('RATE_LIMITED', `too many ${what}; try again in ${Math.ceil(retryAfterMs / 1000)} s`)
    this.retryAfterMs = retryAfterMs
  }
}
