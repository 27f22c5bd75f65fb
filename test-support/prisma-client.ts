import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { pathToFileURL } from 'node:url'

/** The little of a generated `PrismaClient` the adapter tests use. */
export interface PrismaLike {
  $transaction<T>(fn: (tx: PrismaLike) => Promise<T>): Promise<T>
  $executeRawUnsafe(query: string, ...values: unknown[]): Promise<number>
  $queryRawUnsafe(query: string, ...values: unknown[]): Promise<unknown>
  $disconnect(): Promise<void>
}

/** A client class generated for one test file, and what removes its folder. */
export interface GeneratedPrisma {
  PrismaClient: new (options: { adapter: unknown }) => PrismaLike
  remove(): void
}

/**
 * Runs `prisma generate` for a schema without models (the tests need only `$transaction` and raw
 * SQL) into a fresh folder under `testDir`, whose package has `prisma` and `@prisma/client`,
 * and imports the client. A folder of its own per call, so two copies of the suite can run side
 * by side. `prisma generate` first makes sure the schema engine (used only by `prisma migrate`
 * and `db push`) is on disk and downloads it from Prisma's binary host, which this machine
 * cannot reach: `PRISMA_SCHEMA_ENGINE_BINARY` (a documented override) points it at a stand-in,
 * since nothing here runs it. The client itself needs no binary: Prisma 7 compiles queries in
 * WebAssembly shipped in `@prisma/client`, and talks to the database through the driver adapter.
 */
export async function generatePrisma(testDir: string, provider: 'postgresql' | 'mysql' | 'sqlite'): Promise<GeneratedPrisma> {
  const dir = join(testDir, `.prisma-${randomBytes(4).toString('hex')}`)
  mkdirSync(dir)
  const schema = join(dir, 'schema.prisma')
  writeFileSync(
    schema,
    `generator client {\n  provider = "prisma-client"\n  output   = "client"\n}\ndatasource db {\n  provider = "${provider}"\n}\n`,
  )
  const cli = join(dirname(createRequire(join(testDir, '..', 'package.json')).resolve('prisma/package.json')), 'build', 'index.js')
  execFileSync(process.execPath, [cli, 'generate', '--schema', schema], {
    env: { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: '/bin/true', PRISMA_HIDE_UPDATE_MESSAGE: '1', CHECKPOINT_DISABLE: '1' },
    stdio: 'pipe',
  })
  const module = (await import(pathToFileURL(join(dir, 'client', 'client.ts')).href)) as Pick<GeneratedPrisma, 'PrismaClient'>
  return { PrismaClient: module.PrismaClient, remove: () => rmSync(dir, { recursive: true, force: true }) }
}
