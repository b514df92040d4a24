import { describe, expect, it } from 'vitest';
import { checkAddress, parseAddressRanges } from '../../src/egress/address-policy.js';

const strict = { allowPrivate: false };
const operator = { allowPrivate: true };

describe('address policy', () => {
  it.each(['8.8.8.8', '93.184.215.14', '2606:4700:4700::1111', '::ffff:8.8.8.8', '64:ff9b::808:808', '2002:808:808::1'])(
    'allows public %s',
    (address) => expect(checkAddress(address, strict)).toEqual({ ok: true }),
  );

  it.each([
    ['127.0.0.1', 'a loopback address'],
    ['127.255.0.9', 'a loopback address'],
    ['::1', 'a loopback address'],
    ['10.1.2.3', 'a private address'],
    ['172.16.0.1', 'a private address'],
    ['172.31.255.255', 'a private address'],
    ['192.168.0.1', 'a private address'],
    ['fc00::1', 'a private (unique-local) address'],
    ['fd00:ec2::254', 'a private (unique-local) address'],
    ['169.254.169.254', 'a link-local address'],
    ['fe80::1', 'a link-local address'],
    ['fe80::1%eth0', 'a link-local address'],
    ['100.64.0.1', 'a carrier-grade NAT address'],
    ['100.127.255.254', 'a carrier-grade NAT address'],
    ['224.0.0.251', 'a multicast address'],
    ['ff02::1', 'a multicast address'],
    ['0.0.0.0', 'the unspecified address'],
    ['::', 'the unspecified address'],
    ['255.255.255.255', 'the broadcast address'],
    ['240.0.0.1', 'a reserved address'],
    ['192.0.2.1', 'a reserved address'],
    ['198.18.0.1', 'a reserved address'],
  ])('refuses %s as %s', (address, words) => {
    expect(checkAddress(address, strict)).toEqual({ ok: false, reason: `address ${address} is ${words}`, words });
  });

  it.each([
    ['::ffff:127.0.0.1', '127.0.0.1'],
    ['::ffff:169.254.169.254', '169.254.169.254'],
    ['::ffff:0:10.0.0.1', '10.0.0.1'],
    ['64:ff9b::a9fe:a9fe', '169.254.169.254'],
    ['64:ff9b:1::c0a8:1', '192.168.0.1'],
    ['2002:a00:1::1', '10.0.0.1'],
    ['2001:0:4136:e378:8000:63bf:80ff:fffe', '127.0.0.1'],
    ['::7f00:1', '127.0.0.1'],
  ])('judges %s by the IPv4 address it embeds (%s)', (address, embedded) => {
    const verdict = checkAddress(address, strict);
    expect(verdict.ok).toBe(false);
    expect(verdict.ok === false && verdict.reason).toContain(`(embeds ${embedded})`);
  });

  it('allowPrivate opens private ranges but never link-local (metadata), unspecified, multicast or broadcast', () => {
    for (const address of ['127.0.0.1', '::1', '10.0.0.1', '::ffff:127.0.0.1', 'fd00::1']) {
      expect(checkAddress(address, operator)).toEqual({ ok: true });
    }
    for (const address of ['169.254.169.254', 'fe80::1', '::ffff:169.254.169.254', '0.0.0.0', '::', '224.0.0.1', 'ff02::1', '255.255.255.255', '::ffff:0.0.0.0']) {
      expect(checkAddress(address, operator).ok).toBe(false);
    }
    const metadata = { allowPrivate: true, allowRanges: parseAddressRanges(['169.254.169.254']) };
    expect(checkAddress('169.254.169.254', metadata)).toEqual({ ok: true });
  });

  it('allowRanges opens only the named ranges', () => {
    const policy = { allowPrivate: false, allowRanges: parseAddressRanges(['10.20.0.0/16', 'fd00:1::/32', '127.0.0.1']) };
    expect(checkAddress('10.20.3.4', policy)).toEqual({ ok: true });
    expect(checkAddress('::ffff:10.20.3.4', policy)).toEqual({ ok: true });
    expect(checkAddress('fd00:1::5', policy)).toEqual({ ok: true });
    expect(checkAddress('127.0.0.1', policy)).toEqual({ ok: true });
    expect(checkAddress('127.0.0.2', policy).ok).toBe(false);
    expect(checkAddress('10.21.0.1', policy).ok).toBe(false);
    expect(checkAddress('169.254.169.254', policy).ok).toBe(false);
    expect(() => parseAddressRanges(['10.0.0.0/33'])).toThrow(TypeError);
  });

  it('a value that is not an IP address is refused, not thrown', () => {
    expect(checkAddress('localhost', operator)).toEqual({ ok: false, reason: '"localhost" is not an IP address', words: 'not an IP address' });
    expect(checkAddress('2130706433', operator).ok).toBe(false);
  });
});
