import { describe, expect, it } from 'vitest'
import { InvalidUrlError } from '@hookbox/core'
import { emailTransport, parseMailtoUrl } from '../src/index.js'

describe('mailto: endpoint URLs', () => {
  const transport = emailTransport({ host: '127.0.0.1', from: 'hookbox@example.com' })

  it('accepts one address and lower-cases its domain', () => {
    expect(parseMailtoUrl('mailto:ops@example.com')).toBe('ops@example.com')
    expect(parseMailtoUrl('mailto:Ops.Team@Example.COM')).toBe('Ops.Team@example.com')
    expect(parseMailtoUrl('mailto:alerts+kyc@sub.example.co.uk')).toBe('alerts+kyc@sub.example.co.uk')
    expect(parseMailtoUrl('mailto:ops%2Bkyc@example.com')).toBe('ops+kyc@example.com')
    expect(parseMailtoUrl('mailto:root@localhost')).toBe('root@localhost')
    expect(() => transport.validateUrl(new URL('mailto:ops@example.com'))).not.toThrow()
  })

  it.each([
    ['mailto:', 'no address'],
    ['mailto:ops@example.com?cc=boss@example.com', 'cc'],
    ['mailto:ops@example.com?bcc=boss@example.com', 'bcc'],
    ['mailto:ops@example.com?subject=hi', 'subject'],
    ['mailto:ops@example.com?body=hi', 'body'],
    ['mailto:ops@example.com#x', 'fragment'],
    ['mailto:a@example.com,b@example.com', 'two addresses'],
    ['mailto:not-an-address', 'no @'],
    ['mailto:@example.com', 'empty local part'],
    ['mailto:ops@', 'empty domain'],
    ['mailto:ops@-example.com', 'bad label'],
    ['mailto:ops@exa_mple.com', 'underscore in domain'],
    ['mailto:a..b@example.com', 'double dot'],
    ['mailto:%22quoted%22@example.com', 'quoted local part'],
    ['mailto:Ops%20Team%20%3Cops@example.com%3E', 'display name'],
    ['mailto:ops@example.com%0D%0ABcc:x@example.com', 'header injection'],
    ['mailto:ops@%E0%A4%A', 'bad percent-encoding'],
    [`mailto:${'a'.repeat(65)}@example.com`, 'local part too long'],
  ])('refuses %s (%s) with InvalidUrlError', (url) => {
    expect(() => parseMailtoUrl(url)).toThrow(InvalidUrlError)
    expect(() => transport.validateUrl(new URL(url))).toThrow(InvalidUrlError)
  })
})
