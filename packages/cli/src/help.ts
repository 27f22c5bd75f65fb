import type { CommandSpec, OptionSpec } from './command.js'
import { commands } from './commands/index.js'
import { globalOptions } from './options.js'

const name = (c: CommandSpec) => c.path.join(' ')

function columns(rows: Array<[string, string]>): string {
  const width = Math.max(...rows.map(([l]) => l.length))
  return rows.map(([l, r]) => `  ${l.padEnd(width)}  ${r}`).join('\n')
}

function optionRows(options: Record<string, OptionSpec>): Array<[string, string]> {
  return Object.entries(options).map(([k, o]) => [`${o.short ? `-${o.short}, ` : ''}--${k}${o.value ? ` ${o.value}` : ''}`, o.description])
}

const footer = `Global options:\n${columns(optionRows(globalOptions))}\n\nExit codes: 0 ok, 1 operational error, 2 usage error.`

/** `hookbox --help`: every command with its summary, and the global options. */
export function globalHelp(): string {
  return [
    'Usage: hookbox <command> [options]',
    '',
    'Operates a Hookbox outbox in a SQLite file, a Postgres or a MySQL/MariaDB database: opens the',
    'store, runs one command and closes it. It never starts the dispatcher. The store package',
    '(@hookbox/store-sqlite, -postgres or -mysql) and its driver load from the current project.',
    '',
    'Commands:',
    columns(commands.map((c) => [`${name(c)}${c.args ? ` ${c.args}` : ''}`, c.summary])),
    '',
    footer,
    "Run 'hookbox <command> --help' for the options of a command.",
  ].join('\n')
}

/** `hookbox endpoints --help`: the commands of one group. */
export function groupHelp(group: string): string {
  const list = commands.filter((c) => c.path[0] === group)
  return [
    `Usage: hookbox ${group} <${list.map((c) => c.path[1]).join('|')}> [options]`,
    '',
    'Commands:',
    columns(list.map((c) => [`${name(c)}${c.args ? ` ${c.args}` : ''}`, c.summary])),
    '',
    footer,
  ].join('\n')
}

/** `hookbox <command> --help`: its usage, summary and every option. */
export function commandHelp(c: CommandSpec): string {
  const own = optionRows(c.options)
  return [
    `Usage: hookbox ${name(c)}${c.args ? ` ${c.args}` : ''} [options]`,
    '',
    `${c.summary}.`,
    '',
    ...(own.length ? ['Options:', columns(own), ''] : []),
    footer,
  ].join('\n')
}
