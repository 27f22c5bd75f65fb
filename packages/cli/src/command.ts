import type { Outbox, RetentionOptions } from '@hookbox/core'
import type { DatabaseTarget } from './database-target.js'

/** One option of a command, as `node:util` `parseArgs` takes it, plus its help line. */
export interface OptionSpec {
  type: 'string' | 'boolean'
  short?: string
  /** Placeholder shown in help, e.g. `<id>`. */
  value?: string
  description: string
}

/** What a command hands back: the `--json` document and the readable rendering of it. */
export interface CommandOutput {
  json: unknown
  text: string
  /** Set when the command ran but did not fully succeed (e.g. some ids were not dead letters). */
  failure?: string
}

/** What a command runs with. */
export interface CommandContext {
  outbox: Outbox
  /** Values of the command's own options. */
  options: Record<string, unknown>
  /** Positional arguments after the command words. */
  args: string[]
  /** Tells dispatchers in other processes that there is work (Postgres NOTIFY); no-op on SQLite. */
  wake(): Promise<void>
}

/** A command such as `dead-letters replay`. */
export interface CommandSpec {
  /** Command words, e.g. `['dead-letters', 'replay']`. */
  path: string[]
  /** Positional arguments in help, e.g. `<id…>`. */
  args?: string
  /** Bounds on the number of positional arguments. */
  arity: { min: number; max: number }
  summary: string
  options: Record<string, OptionSpec>
  /** Opens the store's database even when the file does not exist yet (only `migrate`). */
  creates?: boolean
  /** Retention the outbox is opened with (only `purge` cares), from the command's options. */
  retention?(options: CommandContext['options']): RetentionOptions
  run(ctx: CommandContext): Promise<CommandOutput>
  /**
   * Answers without opening the database when it returns output (e.g. `migrate --print-sql`);
   * `undefined` goes on to {@link CommandSpec.run}.
   */
  offline?(ctx: OfflineContext): Promise<CommandOutput | undefined>
}

/** What an offline command runs with: where the database is, but no connection to it. */
export interface OfflineContext {
  options: Record<string, unknown>
  target: DatabaseTarget
  schema: string | undefined
  /** The host project's directory, where store packages load from. */
  cwd: string
}
