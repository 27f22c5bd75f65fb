/** The environment variable production setups put the encryption key in. */
export const ENCRYPTION_KEY_ENV = 'HOOKBOX_ENCRYPTION_KEY'

/**
 * The encryption keys in `HOOKBOX_ENCRYPTION_KEY` (base64 or hex; comma-separated, newest
 * first, to rotate), or undefined when it is unset or empty.
 */
export function encryptionKeyFromEnvironment(env: Record<string, string | undefined> = process.env): string[] | undefined {
  const keys = (env[ENCRYPTION_KEY_ENV] ?? '')
    .split(',')
    .map((k) => k.trim())
    .filter(Boolean)
  return keys.length ? keys : undefined
}
