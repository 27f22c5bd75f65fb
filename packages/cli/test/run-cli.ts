import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { runCli } from '../src/run.js'

/** The CLI package's directory: its devDependencies are the host project's store packages and drivers. */
export const cliPackageDir = fileURLToPath(new URL('..', import.meta.url))
const main = fileURLToPath(new URL('../src/main.ts', import.meta.url))

/** What one CLI run printed and how it exited. */
export interface CliResult {
  code: number | null
  stdout: string
  stderr: string
  /** stdout parsed as JSON (throws when it is not one JSON document). */
  json<T = any>(): T
}

const result = (code: number | null, stdout: string, stderr: string): CliResult => ({
  code,
  stdout,
  stderr,
  json: () => JSON.parse(stdout),
})

// Each child compiles the sources through tsx (about a second, more on a busy machine): a few at a time.
const MAX_CHILDREN = 3
let running = 0
const queue: Array<() => void> = []
async function slot<T>(fn: () => Promise<T>): Promise<T> {
  if (running >= MAX_CHILDREN) await new Promise<void>((r) => queue.push(r))
  running++
  try {
    return await fn()
  } finally {
    running--
    queue.shift()?.()
  }
}

/** Runs a program to its end and collects what it printed. */
export function runProcess(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, options)
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()))
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()))
    child.on('error', reject)
    child.on('close', (code) => resolve(result(code, stdout, stderr)))
  })
}

/** This process's environment without the variables (`prefixes`) that must not leak into a child. */
export function cleanEnv(prefixes = ['HOOKBOX_']): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !prefixes.some((p) => k.startsWith(p))))
}

/** Runs the CLI from its TypeScript sources in a child process, as `npx hookbox …` would. */
export function cli(args: string[], env: Record<string, string> = {}, cwd = cliPackageDir): Promise<CliResult> {
  // HOOKBOX_* from the test runner's environment must not leak into a run that omits --db.
  const argv = ['--import', 'tsx', '--conditions=hookbox-source', main, ...args]
  return slot(() => runProcess(process.execPath, argv, { cwd, env: { ...cleanEnv(), ...env } }))
}

/** Runs the same command line in this process (`runCli` with captured output): the cheap way to cover many commands. */
export async function cliInProcess(args: string[], env: Record<string, string> = {}, cwd = cliPackageDir): Promise<CliResult> {
  let stdout = ''
  let stderr = ''
  const code = await runCli(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), env, cwd })
  return result(code, stdout, stderr)
}
