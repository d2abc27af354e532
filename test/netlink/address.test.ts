// Text forms of IP and link-layer addresses. The IPv6 rows were checked against glibc's
// inet_ntop(3)/inet_pton(3) (Python's socket.inet_ntop on Linux), which iproute2 prints with.
import { isIPv4 } from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  formatIp,
  formatLladdr,
  parseIp,
  parseIpv4,
  parseIpv6,
  parseLladdr,
} from '../../src/netlink/address.js';
import { hex, inetNtop6 } from '../helpers/bytes.js';

/** 16 bytes whose words are often 0 or ffff, so runs, ties and the dotted forms come up. */
const ipv6Bytes = fc
  .array(
    fc.oneof(
      fc.constant(0),
      fc.constant(0),
      fc.constant(0xffff),
      fc.integer({ min: 0, max: 0xffff }),
    ),
    {
      minLength: 8,
      maxLength: 8,
    },
  )
  .map((words) => {
    const b = Buffer.alloc(16);
    for (const [i, w] of words.entries()) b.writeUInt16BE(w, 2 * i);
    return b;
  });

describe('formatIp', () => {
  it.each([
    ['00000000', '0.0.0.0'],
    ['7f000001', '127.0.0.1'],
    ['c0000201', '192.0.2.1'],
    ['ffffffff', '255.255.255.255'],
  ])('IPv4 %s → %s', (bytes, text) => {
    expect(formatIp(hex(bytes))).toBe(text);
  });

  it.each([
    ['00000000000000000000000000000000', '::'],
    ['00000000000000000000000000000001', '::1'],
    ['00000000000000000000ffff01020304', '::ffff:1.2.3.4'],
    ['00000000000000000000ffff00000000', '::ffff:0.0.0.0'],
    ['00000000000000000000000001020304', '::1.2.3.4'],
    ['00000000000000000000000000010000', '::0.1.0.0'],
    ['000000000000000000000000ffffffff', '::255.255.255.255'],
    ['20010db8000000000000000000000001', '2001:db8::1'],
    ['20010000000000010000000000000001', '2001:0:0:1::1'], // the longest run wins
    ['20010db8000000000001000000000001', '2001:db8::1:0:0:1'], // the first run on a tie
    ['20010db8000000010001000100010001', '2001:db8:0:1:1:1:1:1'], // one zero word is not '::'
    ['00010002000300040005000600070000', '1:2:3:4:5:6:7:0'],
    ['00010000000000000000000000000000', '1::'],
    ['00000001000000000000000000000000', '0:1::'],
    ['fe800000000000000000000000000000', 'fe80::'],
    ['00000000000000000001000000000000', '::1:0:0:0'],
    ['ffffffffffffffffffffffffffffffff', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff'],
    ['0000000000000000ffff000001020304', '::ffff:0:102:304'], // not mapped: word 4 is ffff
    ['00000000000000000000fffe01020304', '::fffe:102:304'],
    ['0064ff9b000000000000000001020304', '64:ff9b::102:304'],
    ['20010DB800000000000000000000000A', '2001:db8::a'], // lower case
  ])('IPv6 %s → %s', (bytes, text) => {
    expect(formatIp(hex(bytes))).toBe(text);
    expect(inetNtop6(hex(bytes))).toBe(text); // the oracle agrees with glibc
  });

  // glibc prints ::2 … ::ffff in hex: best.len is 7 there, not 6, so no dotted quad.
  it.each([
    ['00000000000000000000000000000002', '::2'],
    ['00000000000000000000000000000100', '::100'],
    ['0000000000000000000000000000ffff', '::ffff'],
  ])('IPv6 %s → %s as inet_ntop prints it (not ::0.0.x.y)', (bytes, text) => {
    expect(inetNtop6(hex(bytes))).toBe(text);
    expect(formatIp(hex(bytes))).toBe(text);
  });

  it('agrees with glibc inet_ntop on any 16 bytes', () => {
    fc.assert(
      fc.property(ipv6Bytes, (b) => {
        expect(formatIp(b)).toBe(inetNtop6(b));
      }),
      { numRuns: 2000 },
    );
  });

  it('reads at an offset and length', () => {
    const buf = hex('ff ff c0 00 02 01 ff');
    expect(formatIp(buf, 2, 4)).toBe('192.0.2.1');
    expect(formatIp(buf, 3)).toBe('0.2.1.255');
  });

  it.each([0, 1, 3, 5, 8, 15, 17])('%i bytes is not an address: undefined', (n) => {
    expect(formatIp(Buffer.alloc(n))).toBeUndefined();
  });
});

describe('parseIpv4 / parseIpv6 / parseIp', () => {
  it.each([
    ['0.0.0.0', '00000000'],
    ['1.2.3.4', '01020304'],
    ['255.255.255.255', 'ffffffff'],
    ['192.0.2.1', 'c0000201'],
  ])('IPv4 %s', (text, bytes) => {
    expect(parseIpv4(text)).toEqual(new Uint8Array(hex(bytes)));
    expect(parseIp(text)).toEqual(new Uint8Array(hex(bytes)));
  });

  it.each([
    '',
    '256.1.1.1',
    '1.2.3',
    '1.2.3.4.5',
    '01.2.3.4',
    '1.2.3.00',
    'a.b.c.d',
    '1..2.3',
    ' 1.2.3.4',
    '1.2.3.4 ',
    '-1.2.3.4',
    '1.2.3.4/24',
    '１.2.3.4',
    '0x1.2.3.4',
  ])('IPv4 %j is refused, as inet_pton refuses it', (text) => {
    expect(parseIpv4(text)).toBeUndefined();
    expect(parseIp(text)).toBeUndefined();
  });

  it.each([
    ['::', '00000000000000000000000000000000'],
    ['::1', '00000000000000000000000000000001'],
    ['1::', '00010000000000000000000000000000'],
    ['2001:DB8::1', '20010db8000000000000000000000001'],
    ['1:2:3:4:5:6:7:8', '00010002000300040005000600070008'],
    ['1:2:3:4:5:6:7::', '00010002000300040005000600070000'],
    ['::2:3:4:5:6:7:8', '00000002000300040005000600070008'],
    ['1::2:3:4:5:6:7', '00010000000200030004000500060007'],
    ['::ffff:1.2.3.4', '00000000000000000000ffff01020304'],
    ['::1.2.3.4', '00000000000000000000000001020304'],
    ['1:2:3:4:5:6:1.2.3.4', '00010002000300040005000601020304'],
    ['64:ff9b::192.0.2.33', '0064ff9b0000000000000000c0000221'],
    ['0:0:0:0:0:0:0:0', '00000000000000000000000000000000'],
    ['0001:0002::', '00010002000000000000000000000000'],
  ])('IPv6 %s', (text, bytes) => {
    expect(parseIpv6(text)).toEqual(new Uint8Array(hex(bytes)));
    expect(parseIp(text)).toEqual(new Uint8Array(hex(bytes)));
  });

  it.each([
    '',
    ':',
    ':::',
    '1:2:3:4:5:6:7',
    '1:2:3:4:5:6:7:8:9',
    '1:2:3:4:5:6:7:8::',
    '1:2:3:4:5:6:7:8:',
    '1::2::3',
    '12345::',
    'g::',
    '::1.2.3',
    '::1.2.3.256',
    '::01.2.3.4',
    '::1.2.3.04',
    '1:2:3:4:5:6:7:1.2.3.4',
    '1:2:3:4:5:6::1.2.3.4',
    '::1.2.3.4:5',
    '::ffff:1.2.3.4.5',
    '1.2.3.4',
    ':1::',
    '1::2:',
    'fe80::1%lo',
    ' ::1',
    '::1 ',
    '::-1',
    '::0x1',
    '::+1',
  ])('IPv6 %j is refused, as inet_pton refuses it', (text) => {
    expect(parseIpv6(text)).toBeUndefined();
  });

  it('parse ∘ format is the identity on 4 bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 4, maxLength: 4 }), (b) => {
        expect(parseIp(formatIp(b)!)).toEqual(b);
      }),
    );
  });

  it('parse ∘ format is the identity on 16 bytes', () => {
    fc.assert(
      fc.property(ipv6Bytes, (b) => {
        expect(Buffer.from(parseIp(formatIp(b)!)!)).toEqual(b);
        expect(Buffer.from(parseIpv6(inetNtop6(b))!)).toEqual(b);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('formatLladdr / parseLladdr', () => {
  it.each([
    ['001122aabbcc', '00:11:22:aa:bb:cc'],
    ['0f', '0f'],
    ['', ''],
    [
      '80000848fe800000000000000002c90300012345',
      '80:00:08:48:fe:80:00:00:00:00:00:00:00:02:c9:03:00:01:23:45',
    ],
  ])('%s ↔ %s', (bytes, text) => {
    expect(formatLladdr(hex(bytes))).toBe(text);
    if (text) expect(parseLladdr(text)).toEqual(new Uint8Array(hex(bytes)));
  });

  it('formats at an offset and length', () => {
    expect(formatLladdr(hex('ff 01 02 03 ff'), 1, 3)).toBe('01:02:03');
  });

  it.each([
    ['0:1:a', '00010a'],
    ['AA:bB', 'aabb'],
  ])('parses the loose form %s as ip(8) does', (text, bytes) => {
    expect(parseLladdr(text)).toEqual(new Uint8Array(hex(bytes)));
  });

  it.each(['', ':', 'aa::bb', 'aaa', 'g0', 'aa:bb:', ':aa', 'aa-bb', ' aa', 'aabbcc'])(
    '%j is refused',
    (text) => {
      expect(parseLladdr(text)).toBeUndefined();
    },
  );

  it('parse ∘ format is the identity', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 32 }), (b) => {
        expect(parseLladdr(formatLladdr(b))).toEqual(b);
      }),
    );
  });
});

describe('parseIpv4 agrees with node:net isIPv4 on arbitrary text', () => {
  it('accepts exactly what isIPv4 accepts, with the bytes of the four parts', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: fc.constantFrom(...'0123456789.'.split('')), maxLength: 17 }),
          fc.tuple(fc.nat(300), fc.nat(300), fc.nat(300), fc.nat(300)).map((p) => p.join('.')),
          fc.string({ maxLength: 17 }),
        ),
        (text) => {
          const got = parseIpv4(text);
          expect(got !== undefined).toBe(isIPv4(text));
          if (got) expect([...got]).toEqual(text.split('.').map(Number));
        },
      ),
      { numRuns: 5000 },
    );
  });
});
