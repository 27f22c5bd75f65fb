import { parseArgs } from 'node:util'
import type { CommandContext, CommandSpec, OptionSpec } from './command.js'
import { commands } from './commands/index.js'
import { UsageError } from './errors.js'
import { globalOptions } from './options.js'

/** Options common to every command. */
export interface GlobalValues {
  db?: string
  schema?: string
  json: boolean
  debug: boolean
}

/** What the command line asks for: help text, or a command to run. */
export type Invocation =
  | { kind: 'help'; command?: CommandSpec; group?: string; globals: GlobalValues }
  | { kind: 'run'; command: CommandSpec; options: CommandContext['options']; args: string[]; globals: GlobalValues }

// Every option of every command, so that parseArgs knows which take a value wherever they appear
// (`hookbox --db x dead-letters list --limit 5`); which ones a command accepts is checked after.
const allOptions: Record<string, OptionSpec> = Object.assign({}, globalOptions, ...commands.map((c) => c.options))
const parseOptions = Object.fromEntries(
  Object.entries(allOptions).map(([k, o]) => [k, { type: o.type, ...(o.short ? { short: o.short } : {}) }]),
)

const groups = new Set(commands.filter((c) => c.path.length > 1).map((c) => c.path[0]!))

function parse(argv: string[]) {
  try {
    return parseArgs({ args: argv, options: parseOptions, allowPositionals: true, strict: true })
  } catch (error) {
    const e = error as { code?: string; message: string }
    // parseArgs explains at length how to pass a positional starting with '-': keep the first sentence.
    if (e.code?.startsWith('ERR_PARSE_ARGS')) throw new UsageError(e.message.split('. ')[0]!.replace(/\.$/, ''))
    throw error
  }
}

function findCommand(words: string[]): { command?: CommandSpec; rest: string[] } {
  for (const n of [2, 1]) {
    const command = commands.find((c) => c.path.length === n && c.path.every((w, i) => words[i] === w))
    if (command) return { command, rest: words.slice(n) }
  }
  return { rest: words }
}

/** Reads argv (without `node` and the script) into an {@link Invocation}, or throws a {@link UsageError}. */
export function parseCommandLine(argv: string[]): Invocation {
  const { values, positionals } = parse(argv)
  const globals: GlobalValues = {
    db: values.db as string | undefined,
    schema: values.schema as string | undefined,
    json: values.json === true,
    debug: values.debug === true,
  }
  let words = positionals
  let help = values.help === true
  if (words[0] === 'help') [help, words] = [true, words.slice(1)]
  if (words.length === 0) {
    if (help) return { kind: 'help', globals }
    throw new UsageError('no command given')
  }
  const { command, rest } = findCommand(words)
  if (!command) {
    if (groups.has(words[0]!) && words.length === 1) {
      if (help) return { kind: 'help', group: words[0]!, globals }
      throw new UsageError(`'${words[0]}' needs a command`, words[0]!)
    }
    const known = groups.has(words[0]!) ? words.slice(0, 2) : words.slice(0, 1)
    throw new UsageError(`unknown command '${known.join(' ')}'`, groups.has(words[0]!) ? words[0]! : '')
  }
  const name = command.path.join(' ')
  if (help) return { kind: 'help', command, globals }
  for (const key of Object.keys(values))
    if (!(key in globalOptions) && !(key in command.options)) throw new UsageError(`option --${key} does not apply to '${name}'`, name)
  const { min, max } = command.arity
  if (rest.length < min) throw new UsageError(`'${name}' needs ${command.args ?? 'arguments'}`, name)
  if (rest.length > max) throw new UsageError(`unexpected argument '${rest[max]}' for '${name}'`, name)
  const options = Object.fromEntries(Object.keys(command.options).map((k) => [k, values[k]]))
  return { kind: 'run', command, options, args: rest, globals }
}
