#!/usr/bin/env node
/**
 * The `hookbox` command: operations on an outbox in a SQLite file, a Postgres or a MySQL/MariaDB database.
 * See `hookbox --help` and the Operations section of the README.
 */
import { runCli } from './run.js'

const code = await runCli(process.argv.slice(2), {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  env: process.env,
  cwd: process.cwd(),
}).catch((error: unknown) => {
  // Only a bug in the CLI itself lands here; runCli reports everything else.
  process.stderr.write(`hookbox: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
  return 1
})
// exitCode rather than exit(): stdout is flushed before the process ends (it may be a pipe).
process.exitCode = code
