/**
 * `@hookbox/cli`: the `hookbox` command for the people on call. The bin is `hookbox`; this entry
 * point runs the same command lines from a program (`runCli`) and exports its typed errors.
 *
 * @module @hookbox/cli
 */
export { runCli } from './run.js'
export type { CliIo } from './run.js'
export { UsageError, NoDatabaseError, MissingPackageError } from './errors.js'
export { parseTarget } from './database-target.js'
export type { DatabaseTarget } from './database-target.js'
