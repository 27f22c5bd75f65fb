import { parseCommandLine, type Invocation } from './args.js'
import { commands } from './commands/index.js'
import { parseTarget } from './database-target.js'
import { UsageError } from './errors.js'
import { commandHelp, globalHelp, groupHelp } from './help.js'
import { openOutbox } from './open-outbox.js'
import { wakeDispatchers } from './store-calls.js'

/** Where the CLI writes, the environment it reads and the project it runs in (injectable for tests). */
export interface CliIo {
  stdout: (text: string) => void
  stderr: (text: string) => void
  env: Record<string, string | undefined>
  /** The host project's directory: store packages load from its `node_modules`, relative paths start here. */
  cwd: string
}

function helpText(inv: Extract<Invocation, { kind: 'help' }>): string {
  if (inv.command) return commandHelp(inv.command)
  return inv.group ? groupHelp(inv.group) : globalHelp()
}

function usageHint(command: string): string {
  const known = commands.some((c) => c.path.join(' ') === command || c.path[0] === command)
  return `Run 'hookbox ${known && command ? `${command} ` : ''}--help' for usage.`
}

/** An operational error as one line, with a hint when the tables are simply missing. */
function describe(error: unknown): { code: string; message: string } {
  const e = error as { code?: unknown; message?: unknown }
  const message = typeof e?.message === 'string' ? e.message.split('\n')[0]! : String(error)
  const code = typeof e?.code === 'string' ? e.code : 'ERROR'
  if (/no such table|relation .* does not exist/i.test(message))
    return { code, message: `${message} (has 'hookbox migrate' been run on this database?)` }
  return { code, message }
}

/**
 * Runs one command line and resolves to its exit code: 0 ok, 1 operational error, 2 usage
 * error. Opens the store, runs the command, closes the store; never starts the dispatcher.
 */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  let inv: Invocation
  try {
    inv = parseCommandLine(argv)
  } catch (error) {
    if (!(error instanceof UsageError)) throw error
    io.stderr(`hookbox: ${error.message}\n${usageHint(error.command)}\n`)
    return 2
  }
  if (inv.kind === 'help') {
    io.stdout(`${helpText(inv)}\n`)
    return 0
  }
  const { command, options, args, globals } = inv
  const print = (json: unknown, text: string) => io.stdout(globals.json ? `${JSON.stringify(json, null, 2)}\n` : `${text}\n`)
  try {
    const db = globals.db ?? io.env.HOOKBOX_DATABASE
    const schema = globals.schema ?? io.env.HOOKBOX_SCHEMA
    const offline = command.offline && (await command.offline({ options, target: parseTarget(db), schema, cwd: io.cwd }))
    if (offline) {
      print(offline.json, offline.text)
      return 0
    }
    const connection = await openOutbox({
      db,
      schema,
      create: command.creates === true,
      retention: command.retention?.(options),
      cwd: io.cwd,
    })
    try {
      const { outbox } = connection
      // The replay is durable either way; a failed NOTIFY only means dispatchers find it on their next poll.
      const wake = () => wakeDispatchers(outbox).catch(() => {})
      const out = await command.run({ outbox, options, args, wake })
      print(out.json, out.text)
      if (!out.failure) return 0
      io.stderr(`hookbox: ${out.failure}\n`)
      return 1
    } finally {
      await connection.close()
    }
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`hookbox: ${error.message}\n${usageHint(error.command || command.path.join(' '))}\n`)
      return 2
    }
    const { code, message } = describe(error)
    if (globals.json) io.stdout(`${JSON.stringify({ error: { code, message } }, null, 2)}\n`)
    io.stderr(`hookbox: ${message}\n`)
    if (globals.debug && error instanceof Error && error.stack) io.stderr(`${error.stack}\n`)
    return 1
  }
}
