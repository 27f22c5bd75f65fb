import { describe, expect, it } from 'vitest'
import { blockedRange, isAllowedAddress, parseAllowList } from '../../src/ssrf/address-policy.js'

describe('ssrf: address policy', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.8.9.10', 'loopback'],
    ['::1', 'loopback'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['192.168.1.1', 'private'],
    ['::ffff:10.0.0.1', 'private'],
    ['169.254.169.254', 'linkLocal'],
    ['fe80::1', 'linkLocal'],
    ['100.100.100.200', 'carrierGradeNat'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['ff02::1', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['fd00:ec2::254', 'uniqueLocal'],
    ['64:ff9b::a00:1', 'rfc6052'],
    ['2002:a00:1::', '6to4'],
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'teredo'],
    ['::127.0.0.1', 'loopback'],
    ['::a00:1', 'ipv4Compatible'],
  ])('%s is refused as %s', (address, range) => {
    expect(blockedRange(address)).toBe(range)
  })

  it.each(['93.184.215.14', '8.8.8.8', '2606:4700:4700::1111', '::ffff:8.8.8.8'])('%s is public', (address) => {
    expect(blockedRange(address)).toBeNull()
  })

  it('matches allow-list addresses and CIDRs, mapped IPv4 included', () => {
    const list = parseAllowList(['127.0.0.1', '10.0.0.0/8', '[::1]', 'LocalHost'])
    expect(list.hosts.has('localhost')).toBe(true)
    expect(isAllowedAddress('127.0.0.1', list)).toBe(true)
    expect(isAllowedAddress('::ffff:127.0.0.1', list)).toBe(true)
    expect(isAllowedAddress('10.200.0.1', list)).toBe(true)
    expect(isAllowedAddress('::1', list)).toBe(true)
    expect(isAllowedAddress('127.0.0.2', list)).toBe(false)
    expect(isAllowedAddress('169.254.169.254', list)).toBe(false)
  })
})
