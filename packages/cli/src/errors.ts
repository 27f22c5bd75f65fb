import { HookboxError } from '@hookbox/core'

/** The command line was wrong (unknown command or option, bad value): exit code 2. */
export class UsageError extends HookboxError {
  /** The command whose help fits, e.g. `dead-letters replay`; empty for the global help. */
  readonly command: string
  constructor(message: string, command = '') {
    super('USAGE', message)
    this.command = command
  }
}

/** `--db` names a SQLite file that does not exist (and the command is not `migrate`): exit code 1. */
export class NoDatabaseError extends HookboxError {
  /** The path as given. */
  readonly file: string
  constructor(file: string) {
    super('NO_DATABASE', `SQLite file not found: ${file} (create it with 'hookbox migrate')`)
    this.file = file
  }
}

/**
 * A package the database needs (a store such as `@hookbox/store-postgres`, or its driver) is not
 * installed in the project the CLI runs in: exit code 1.
 */
export class MissingPackageError extends HookboxError {
  /** What to install, e.g. `@hookbox/store-mysql`. */
  readonly packageName: string
  constructor(packageName: string, purpose: string, from: string, options?: { cause?: unknown }) {
    super('MISSING_PACKAGE', `install ${packageName} to use ${purpose} (looked for it from ${from})`, options)
    this.packageName = packageName
  }
}
