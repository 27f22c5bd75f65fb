import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { assert, expect } from 'vitest'
import { cleanEnv, cliPackageDir, runProcess, type CliResult } from './run-cli.js'

const packagesDir = join(cliPackageDir, '..')
const workspaceRoot = join(packagesDir, '..')
const fromWorkspace = createRequire(join(workspaceRoot, 'package.json'))

/**
 * Every publishable package under packages/, by directory name: a new one (a portal) is packed,
 * installed and checked by the packaging test without a change there.
 */
export const publishedPackages: string[] = readdirSync(packagesDir)
  .filter((name) => existsSync(join(packagesDir, name, 'package.json')))
  .filter((name) => !(JSON.parse(readFileSync(join(packagesDir, name, 'package.json'), 'utf8')) as { private?: boolean }).private)
  .sort()

/** The version the workspace installed of `name`, so the app's install hits npm's cache. */
export const workspaceVersion = (name: string): string =>
  (JSON.parse(readFileSync(fromWorkspace.resolve(`${name}/package.json`), 'utf8')) as { version: string }).version

/** The workspace's TypeScript compiler (the same version the packages are built with). */
export const workspaceTsc: string = fromWorkspace.resolve('typescript/bin/tsc')

/** A fresh project outside the workspace with Hookbox installed from packed tarballs. */
export interface PackedProject {
  dir: string
  /** Wall-clock seconds of the `npm install`. */
  installSeconds: number
  /** Whether better-sqlite3 came from the local prebuild (else npm built it from source). */
  reusedPrebuild: boolean
  /** Runs a command in the project with a user's environment (no pnpm, vitest or HOOKBOX_ variables). */
  run(command: string, ...args: string[]): Promise<CliResult>
  /** The same, from another directory. */
  runIn(cwd: string, command: string, ...args: string[]): Promise<CliResult>
}

// A user's shell has none of what `pnpm test` exports to its children.
const userEnv = () => cleanEnv(['HOOKBOX_', 'npm_', 'PNPM_', 'VITEST', 'NODE_OPTIONS'])

const newestMtime = (dir: string): number =>
  Math.max(
    0,
    ...readdirSync(dir, { withFileTypes: true }).map((e) =>
      e.isDirectory() ? newestMtime(join(dir, e.name)) : statSync(join(dir, e.name)).mtimeMs,
    ),
  )

/** `pnpm pack`s a workspace package as published (workspace: ranges replaced, publishConfig applied) into `into`. */
async function pack(name: string, into: string): Promise<void> {
  const dir = join(packagesDir, name)
  const built = join(dir, 'dist', 'index.js')
  // tsc rewrites every output, so dist/index.js is as old as the build.
  if (!existsSync(built) || statSync(built).mtimeMs < newestMtime(join(dir, 'src')))
    assert.fail(`packages/${name}/dist is missing or older than its src: run 'pnpm build' first (pnpm test does)`)
  const packed = await runProcess('pnpm', ['pack', '--pack-destination', into], { cwd: dir, env: cleanEnv() })
  expect(packed.code, packed.stderr).toBe(0)
}

/**
 * better-sqlite3 has no binary in its npm tarball: its install script fetches a prebuilt one from
 * GitHub (unreachable here) and otherwise compiles SQLite, 2 min 17 s on this machine. prebuild-install
 * looks in a local prebuilds folder first, so the binary the workspace's own install compiled from
 * the same version is offered there under the name of the official prebuild. When it does not fit
 * (another version, ABI or platform; it must load), the install compiles from source as a user's would.
 */
async function offerWorkspacePrebuild(into: string): Promise<{ version: string; dir: string }> {
  const manifest = fromWorkspace.resolve('better-sqlite3/package.json')
  const { version } = JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }
  const binary = join('build', 'Release', 'better_sqlite3.node')
  const dir = join(into, 'prebuilds')
  mkdirSync(dir)
  if (existsSync(join(dirname(manifest), binary))) {
    const name = `better-sqlite3-v${version}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`
    const tar = await runProcess('tar', ['-czf', join(dir, name), '-C', dirname(manifest), binary], { cwd: into, env: cleanEnv() })
    expect(tar.code, tar.stderr).toBe(0)
  }
  return { version, dir }
}

/**
 * The host project's own packages, at the workspace's versions: the drivers the stores take as
 * peers (npm would add pg and mysql2 by itself, at whatever version), and the types a strict
 * TypeScript app has. `@opentelemetry/api` (an optional peer) is left out on purpose.
 */
const HOST_PACKAGES = ['pg', 'mysql2', '@types/node', '@types/better-sqlite3']

/**
 * Packs every published package, and installs the tarballs (with better-sqlite3 and the
 * {@link HOST_PACKAGES}, which the host project provides) with one npm install into a new project
 * under `root`: npm's cache and registry only.
 */
export async function createPackedProject(root: string): Promise<PackedProject> {
  const tarballs = join(root, 'tarballs')
  await Promise.all(publishedPackages.map((name) => pack(name, tarballs)))
  const prebuild = await offerWorkspacePrebuild(root)
  const dir = join(root, 'app')
  mkdirSync(dir)
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'hookbox-packed-app', private: true, type: 'module' }, null, 2))
  const files = readdirSync(tarballs).map((f) => join(tarballs, f))
  const started = performance.now()
  const install = await runProcess(
    'npm',
    [
      'install',
      '--no-audit',
      '--no-fund',
      '--prefer-offline',
      ...files,
      `better-sqlite3@${prebuild.version}`,
      ...HOST_PACKAGES.map((name) => `${name}@${workspaceVersion(name)}`),
    ],
    { cwd: dir, env: { ...userEnv(), npm_config_better_sqlite3_local_prebuilds: prebuild.dir } },
  )
  const installSeconds = Math.round((performance.now() - started) / 100) / 10
  expect(install.code, install.stderr).toBe(0)
  return {
    dir,
    installSeconds,
    // node-gyp leaves its Makefile behind; a prebuild is the .node file alone.
    reusedPrebuild: !existsSync(join(dir, 'node_modules', 'better-sqlite3', 'build', 'Makefile')),
    run: (command, ...args) => runProcess(command, args, { cwd: dir, env: userEnv() }),
    runIn: (cwd, command, ...args) => runProcess(command, args, { cwd, env: userEnv() }),
  }
}
