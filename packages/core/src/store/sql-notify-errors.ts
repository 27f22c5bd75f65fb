/**
 * SQLSTATEs raised by the SQL entry point (`<schema>.notify` on Postgres, `hookbox_notify` on
 * MySQL/MariaDB), one per check, so a caller in any language can tell them apart. Nothing is
 * written when one is raised.
 */
export const sqlNotifyErrors = {
  /** The tenant is not a token (1-128 of letters, digits and `. _ ~ : -`). */
  tenant: 'HBA01',
  /** The event type is missing, longer than 200 characters or not dot-separated words. */
  type: 'HBA02',
  /** A request id, ordering key or idempotency key is not a token. */
  token: 'HBA03',
  /** The payload is SQL NULL (or, on MySQL/MariaDB, not valid JSON). */
  payload: 'HBA04',
  /** The payload's JSON is larger than the limit. */
  tooLarge: 'HBA05',
} as const
