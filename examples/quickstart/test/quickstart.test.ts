import Database from 'better-sqlite3'
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { afterAll, expect, it } from 'vitest'

const main = fileURLToPath(new URL('../src/main.ts', import.meta.url))
const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href
const README = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8')
// Each run of this file has its own working directory, so its app.db is its own.
const cwd = mkdtempSync(join(tmpdir(), 'hookbox-quickstart-'))
afterAll(() => rmSync(cwd, { recursive: true, force: true }))

/** Runs the quick start as `npx tsx main.ts` would, in `cwd`. */
function runQuickStart(): Promise<{ code: number | null; text: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', tsx, '--conditions=hookbox-source', main], { cwd })
    let text = ''
    child.stdout.on('data', (c: Buffer) => (text += c))
    child.stderr.on('data', (c: Buffer) => (text += c))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, text }))
  })
}

it('the README quick start is examples/quickstart/src/main.ts, to the letter', () => {
  const block = /<!-- quickstart: examples\/quickstart\/src\/main\.ts -->\s*```ts\n([\s\S]*?)```/.exec(README)
  expect(block?.[1]).toBe(readFileSync(main, 'utf8'))
})

// Issue 17: the quick start reaches a receiver on localhost with the one development switch,
// and can run twice: the second run updates the endpoint instead of adding one, so each event
// goes out once, and the receiver verifies its signature (standardwebhooks) every time.
it('runs twice in a row: one endpoint, one verified webhook per run', async () => {
  for (const run of [1, 2]) {
    const out = await runQuickStart()
    expect(out.code, `run ${run}: ${out.text}`).toBe(0)
    const verified = out.text.match(/^verified \w{26} \{"entityId":"e1","to":"PASS"\}$/gm) ?? []
    expect(verified, `run ${run}: ${out.text}`).toHaveLength(1)
  }
  const db = new Database(join(cwd, 'app.db'), { readonly: true })
  try {
    const count = (table: string) => (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n
    expect(count('hookbox_endpoints')).toBe(1)
    expect(count('hookbox_messages')).toBe(2)
    expect(db.prepare("SELECT count(*) AS n FROM hookbox_deliveries WHERE state = 'delivered'").get()).toEqual({ n: 2 })
  } finally {
    db.close()
  }
})
