/** Machine-readable codes carried by every {@link HookboxError}. */
export type HookboxErrorCode =
  | 'VALIDATION'
  | 'PAYLOAD_NOT_SERIALIZABLE'
  | 'PAYLOAD_TOO_LARGE'
  | 'INVALID_URL'
  | 'UNKNOWN_COLLECTION'
  | 'UNKNOWN_EVENT_TYPE'
  | 'NOT_FOUND'
  | 'INVALID_POLICY'
  | 'INVALID_TRANSACTION'
  | 'NOT_MIGRATED'
  | 'SSRF_BLOCKED'
  | 'AUTH'
  | 'SIGNATURE'
  | 'STOPPED'

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

/** A named record (collection, endpoint, delivery) does not exist. */
export class NotFoundError extends HookboxError {
  constructor(what: string, id: string) {
    super('NOT_FOUND', `${what} not found: ${id}`)
  }
}

/** The `transaction` handed to `notify` is not one the store can write through. */
export class InvalidTransactionError extends HookboxError {
  constructor(message: string) {
    super('INVALID_TRANSACTION', message)
  }
}

/** The outbox was used after `stop()` or before `migrate()` where that matters. */
export class StoppedError extends HookboxError {
  constructor(message = 'the outbox dispatcher is stopped') {
    super('STOPPED', message)
  }
}
