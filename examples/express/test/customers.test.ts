import { describe, expect, it } from 'vitest'
import { customerDirectory, parseCustomerKeys } from '../src/customers.js'

describe('customer API keys', () => {
  it('maps each key to its tenant, and nothing else to any', () => {
    const customers = customerDirectory(parseCustomerKeys('acme:key-a,globex:key:with:colons'))
    expect(customers.tenantForKey('key-a')).toBe('acme')
    expect(customers.tenantForKey('key:with:colons')).toBe('globex')
    for (const wrong of ['', 'key-A', 'key-a ', 'acme']) expect(customers.tenantForKey(wrong)).toBeUndefined()
    expect(customers.tenants()).toEqual(['acme', 'globex'])
  })

  it('refuses a bad configuration at start', () => {
    expect(() => parseCustomerKeys('acme')).toThrow(/tenant:apiKey/)
    expect(() => parseCustomerKeys(':key')).toThrow(/tenant:apiKey/)
    expect(() => customerDirectory({ key: 'not a tenant!' })).toThrow(/tenant/)
    expect(() => customerDirectory({ key: '' })).toThrow(/tenant/)
    expect(() => customerDirectory({ '': 'acme' })).toThrow(/empty/)
  })
})
