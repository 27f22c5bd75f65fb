import type { OptionSpec } from './command.js'

/** Options every command takes. */
export const globalOptions: Record<string, OptionSpec> = {
  db: {
    type: 'string',
    value: '<file | postgres://… | mysql://…>',
    description: 'SQLite file, Postgres or MySQL/MariaDB URL (default: $HOOKBOX_DATABASE)',
  },
  schema: { type: 'string', value: '<name>', description: 'Postgres schema (default: $HOOKBOX_SCHEMA, else hookbox)' },
  json: { type: 'boolean', description: 'print one JSON document on stdout instead of tables' },
  debug: { type: 'boolean', description: 'print stack traces of errors' },
  help: { type: 'boolean', short: 'h', description: 'show help (for a command: hookbox <command> --help)' },
}

/** `--tenant`, taken by every command that lists or changes: only that tenant's records. */
export const tenantOption: Record<string, OptionSpec> = {
  tenant: { type: 'string', value: '<tenant>', description: "only this tenant's records (default: every tenant's)" },
}
