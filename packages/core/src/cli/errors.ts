/** The command line was wrong (unknown command or option, bad value): exit code 2. */
export class UsageError extends Error {
  /** The command whose help fits, e.g. `dead-letters replay`; empty for the global help. */
  readonly command: string
  constructor(message: string, command = '') {
    super(message)
    this.name = 'UsageError'
    this.command = command
  }
}

/** The command could not do its work (no database, missing store package, record not found): exit code 1. */
export class CliError extends Error {
  /** Stable, machine-readable reason, shown in `--json` error output. */
  readonly code: string
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'CliError'
    this.code = code
  }
}
