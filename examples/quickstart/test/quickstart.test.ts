import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { expect, it } from 'vitest'

const main = fileURLToPath(new URL('../src/main.ts', import.meta.url))

// The quick start as `pnpm example` runs it: its one webhook is signed by default and its
// receiver accepts it only after verifying the signature with the standardwebhooks package.
it('delivers a signed webhook that the receiver verifies with standardwebhooks', async () => {
  const out = await new Promise<{ code: number | null; text: string }>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=hookbox-source', main], {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
    })
    let text = ''
    child.stdout.on('data', (c: Buffer) => (text += c))
    child.stderr.on('data', (c: Buffer) => (text += c))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, text }))
  })
  expect(out.code, out.text).toBe(0)
  expect(out.text).toMatch(/receiver {2}POST \/hook\/\w+ {2}verified webhook-id=\w+/)
  expect(out.text).toContain('delivered entity.state_changed → delivered after 1 attempt(s)')
  expect(out.text).not.toContain('rejected')
})
