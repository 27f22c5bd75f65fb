import { verifySignature } from '@hookbox/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createPortal } from '../src/index.js'
import { openBrowser, shoot } from './fixtures/browser.js'
import { HostApp } from './fixtures/host-app.js'
import { EXAMPLES, portalFixture } from './support.js'
import type { Page } from 'playwright-core'

// A customer of the host signs in, manages its webhooks in the portal in a real Chromium, and a
// second customer sees none of it. The dispatcher runs for real against a receiver on 127.0.0.1.
let f: Awaited<ReturnType<typeof portalFixture>>
let host: HostApp
beforeAll(async () => {
  f = await portalFixture()
  host = await HostApp.start((authorize) =>
    createPortal({ outbox: f.outbox, basePath: '/portal', authorize, clock: f.clock, examples: EXAMPLES, title: 'Acme Checks webhooks' }),
  )
  f.outbox.start()
})
afterAll(async () => {
  await host?.close()
  await f?.cleanup()
})

async function signIn(page: Page, user: string, password: string) {
  await page.goto(`${host.url}/login`)
  await page.getByLabel('User name').fill(user)
  await page.getByLabel('Password').fill(password)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.waitForURL(`${host.url}/portal/`)
  await page.locator('body[data-ready=true]').waitFor()
}

const rowState = (page: Page, id: string) => page.locator(`tr[data-delivery="${id}"]`).getAttribute('data-state')

describe('the portal in a browser', () => {
  let endpointUrl = ''
  let deliveredId = ''

  it('a customer creates an endpoint, sees its secret once, tests it, and replays a failed delivery', { timeout: 120_000 }, async () => {
    const b = await openBrowser()
    const { page } = b
    try {
      await page.goto(`${host.url}/portal/`)
      expect(await page.locator('body').getAttribute('data-view')).toBe('signed-out')
      await signIn(page, 'alice', 'alice-pw')
      await shoot(page, '01-sign-in-done-empty-list')
      await expect(page.getByText('No endpoints yet')).toBeDefined()

      // Keyboard: the "New endpoint" link, then the labelled form.
      await page.getByRole('link', { name: 'New endpoint' }).focus()
      await page.keyboard.press('Enter')
      await page.waitForURL(/\/portal\/endpoints\/new$/)
      await page.locator('body[data-ready=true]').waitFor()
      await page.getByLabel('Endpoint URL').fill(`${f.receiver.url}/acme`)
      await page.getByLabel('Description').fill('Production receiver')
      await page.getByLabel('check.completed').focus()
      await page.keyboard.press('Space')
      await page.getByLabel('check.failed').check()
      await page.getByLabel('Custom headers').fill('x-api-key: key-of-acme')
      await shoot(page, '02-create-form')
      await page.getByRole('button', { name: 'Create endpoint' }).click()
      const secret = (await page.locator('#secret').textContent())!
      expect(secret).toMatch(/^whsec_/)
      await shoot(page, '03-secret-shown-once')

      await page.getByRole('link', { name: 'Continue to the endpoint' }).click()
      await page.waitForURL(/\/portal\/endpoints\/[0-9A-Z]+$/)
      await page.locator('body[data-ready=true]').waitFor()
      endpointUrl = page.url()
      expect(await page.content()).not.toContain(secret)
      expect(await page.locator('dl.facts').textContent()).toContain('check.completed, check.failed')
      expect(await page.locator('dl.facts').textContent()).toContain('x-api-key')

      // A test event: the delivery and its attempt appear.
      await page.getByLabel('Test event type').selectOption('check.completed')
      await page.getByRole('button', { name: 'Send test event' }).click()
      const delivered = page.locator('tr[data-state=delivered]')
      await delivered.waitFor()
      deliveredId = (await delivered.getAttribute('data-delivery'))!
      const req = f.receiver.to('/acme')[0]!
      expect(JSON.parse(req.body)).toEqual(EXAMPLES['check.completed'])
      expect(req.headers['x-api-key']).toBe('key-of-acme')
      verifySignature({ headers: req.headers as Record<string, string>, body: req.body }, secret, { now: () => f.clock.now() })
      await shoot(page, '04-endpoint-with-delivery')

      await delivered.getByRole('link').click()
      await page.waitForURL(/\/portal\/deliveries\//)
      await page.locator('body[data-ready=true]').waitFor()
      const attempt = page.locator('article.attempt')
      expect(await attempt.textContent()).toContain('200')
      expect(await attempt.locator('pre').first().textContent()).toContain('webhook-signature: [redacted]')
      expect(await page.content()).not.toContain('key-of-acme')
      await shoot(page, '05-delivery-detail')
      await page.goBack()
      await page.waitForURL(endpointUrl)
      await page.locator('body[data-ready=true]').waitFor()

      // The receiver fails: the next test event dead-letters; replay it once the receiver is back.
      f.receiver.on('/acme', 500)
      await page.getByLabel('Test event type').selectOption('check.failed')
      await page.getByRole('button', { name: 'Send test event' }).click()
      const dead = page.locator('tr[data-state=dead]')
      await dead.waitFor()
      const deadId = (await dead.getAttribute('data-delivery'))!
      expect(await dead.textContent()).toContain('500')
      await shoot(page, '06-failed-delivery')
      f.receiver.on('/acme', 200)
      await dead.getByRole('button', { name: 'Replay' }).click()
      await page.locator(`tr[data-delivery="${deadId}"][data-state=delivered]`).waitFor()
      expect(await rowState(page, deliveredId)).toBe('delivered')
      expect(f.receiver.to('/acme')).toHaveLength(3)
      await shoot(page, '07-replayed-delivered')

      await page.getByRole('link', { name: 'Edit' }).click()
      await page.waitForURL(/\/edit$/)
      await page.locator('body[data-ready=true]').waitFor()
      expect(await page.getByLabel('Endpoint URL').inputValue()).toBe(`${f.receiver.url}/acme`)
      expect(await page.getByLabel('check.failed').isChecked()).toBe(true)
      await shoot(page, '08-edit-form')

      await page.getByRole('link', { name: 'Event catalog' }).click()
      await page.waitForURL(/\/event-types$/)
      await page.locator('body[data-ready=true]').waitFor()
      expect(await page.locator('#type-check\\.failed pre').textContent()).toContain('document unreadable')
      await shoot(page, '09-event-catalog')

      await page.getByRole('link', { name: 'Endpoints' }).first().click()
      await page.waitForURL(`${host.url}/portal/`)
      await page.locator('body[data-ready=true]').waitFor()
      expect(await page.locator('#endpoints tbody tr').count()).toBe(1)
      await shoot(page, '10-endpoint-list')
      expect(b.problems).toEqual([])
    } finally {
      await b.close()
    }
  })

  it('the second customer sees none of it', { timeout: 60_000 }, async () => {
    const b = await openBrowser()
    const { page } = b
    try {
      await signIn(page, 'bob', 'bob-pw')
      expect(await page.getByText('No endpoints yet').count()).toBe(1)
      expect(await page.locator('.stat .value').first().textContent()).toBe('0')
      await shoot(page, '11-second-customer-list')
      await page.goto(endpointUrl)
      await page.locator('#status .error').waitFor()
      expect(await page.locator('#status').textContent()).toContain('not found')
      expect(await page.content()).not.toContain('/acme')
      await shoot(page, '12-second-customer-other-endpoint')
      await page.goto(`${host.url}/portal/deliveries/${deliveredId}`)
      await page.locator('#status .error').waitFor()
      expect(await page.locator('#status').textContent()).toContain('not found')
      expect(b.problems.filter((p) => !/status of 404/.test(p))).toEqual([])
    } finally {
      await b.close()
    }
  })
})
