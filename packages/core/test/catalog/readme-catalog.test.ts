import { readFileSync } from 'node:fs'
import { afterAll, expect, it } from 'vitest'
import { InvalidPayloadError } from '../../src/index.js'

const file = new URL('./readme-catalog.ts', import.meta.url)
const README = readFileSync(new URL('../../../../README.md', import.meta.url), 'utf8')
// The snippet runs when imported; `pnpm typecheck` checks its `@ts-expect-error` line.
const snippet = await import('./readme-catalog.js')
afterAll(() => snippet.outbox.close())

it('the README event catalog snippet is readme-catalog.ts, to the letter', () => {
  const block = /<!-- catalog: packages\/core\/test\/catalog\/readme-catalog\.ts -->\s*```ts\n([\s\S]*?)```/.exec(README)
  expect(block?.[1]).toBe(readFileSync(file, 'utf8'))
})

it('does what the README says: one event written, the wrong payload refused, the catalog listed', async () => {
  expect(snippet.refused).toBeInstanceOf(InvalidPayloadError)
  expect(snippet.refused).toMatchObject({ code: 'INVALID_PAYLOAD', issues: [{ path: ['to'] }] })
  expect((await snippet.outbox.stats()).unexpandedMessages).toBe(1)
  expect(snippet.catalog).toEqual([
    {
      type: 'entity.state_changed',
      description: 'An entity moved to a new state.',
      example: { entityId: 'e1', to: 'PASS' },
      validated: true,
    },
    { type: 'entity.deleted', description: 'An entity was removed (no schema: any payload).', validated: false },
  ])
})
