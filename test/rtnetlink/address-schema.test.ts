// The address schema beyond the starter rows of schemas.test.ts: IFA_PROTO by name, IFA_FLAGS
// from names, IPv6 lifetimes, and errors naming the field. Expected bytes from
// test/helpers/bytes.ts, written from <linux/if_addr.h>.
import { describe, expect, it } from 'vitest';
import { AttributeWriter } from '../../src/netlink/attributes.js';
import { NetlinkDecodeError, NetlinkEncodeError } from '../../src/netlink/errors.js';
import { addressMessage } from '../../src/rtnetlink/address.js';
import { cat, hex, nla, str, u8, u32le } from '../helpers/bytes.js';
import { caught } from '../helpers/caught.js';

function encode(value: unknown): Buffer {
  const w = new AttributeWriter();
  addressMessage.encode(w, value as never);
  return Buffer.from(w.bytes());
}

const V6 = hex('2001 0db8 0002 0000 0000 0000 0000 0001');

// [name, payload bytes, decoded value, natural input]
const rows: [string, Buffer, object, object][] = [
  [
    'IPv6 with nodad|noprefixroute|managetempaddr in IFA_FLAGS, lifetimes, proto kernel_ra',
    cat(
      // ifaddrmsg: AF_INET6 /64, ifa_flags nodad (the low byte), scope universe, ifindex 2
      hex('0a 40 02 00  02 00 00 00'),
      nla(2, V6),
      nla(8, u32le(0x302)),
      nla(6, u32le(50), u32le(100), u32le(7), u32le(8)),
      nla(11, u8(2)),
      nla(9, u32le(400)),
    ),
    {
      header: { family: 10, prefixlen: 64, flags: 2, scope: 0, index: 2 },
      attributes: {
        local: '2001:db8:2::1',
        flags: { names: ['nodad', 'managetempaddr', 'noprefixroute'], raw: 0x302 },
        cacheinfo: { ifa_prefered: 50, ifa_valid: 100, cstamp: 7, tstamp: 8 },
        proto: 'kernel_ra',
        rtPriority: 400,
      },
    },
    {
      header: { family: 10, prefixlen: 64, flags: 2, index: 2 },
      attributes: {
        local: '2001:db8:2::1',
        flags: ['nodad', 'managetempaddr', 'noprefixroute'],
        cacheinfo: { ifa_prefered: 50, ifa_valid: 100, cstamp: 7, tstamp: 8 },
        proto: 'kernel_ra',
        rtPriority: 400,
      },
    },
  ],
  [
    'IPv4 peer, label, broadcast, anycast, multicast, target netnsid, an unknown proto',
    cat(
      hex('02 20 80 fd  03 00 00 00'),
      nla(1, hex('c0000202')),
      nla(2, hex('c0000201')),
      nla(3, str('d0:x')),
      nla(4, hex('c00002ff')),
      nla(5, hex('c0000203')),
      nla(7, hex('e0000001')),
      nla(10, u32le(-1)),
      nla(11, u8(99)),
    ),
    {
      header: { family: 2, prefixlen: 32, flags: 0x80, scope: 253, index: 3 },
      attributes: {
        address: '192.0.2.2',
        local: '192.0.2.1',
        label: 'd0:x',
        broadcast: '192.0.2.255',
        anycast: '192.0.2.3',
        multicast: '224.0.0.1',
        targetNetnsid: -1,
        proto: 99,
      },
    },
    {
      header: { family: 2, prefixlen: 32, flags: 0x80, scope: 253, index: 3 },
      attributes: {
        address: '192.0.2.2',
        local: '192.0.2.1',
        label: 'd0:x',
        broadcast: '192.0.2.255',
        anycast: '192.0.2.3',
        multicast: '224.0.0.1',
        targetNetnsid: -1,
        proto: 99,
      },
    },
  ],
];

describe('address messages from hand-built bytes', () => {
  it.each(rows)('%s: decode', (_n, bytes, value) => {
    expect(addressMessage.decode(bytes)).toStrictEqual(value);
  });
  it.each(rows)('%s: encode', (_n, bytes, _v, input) => {
    expect(encode(input)).toEqual(bytes);
  });
  it.each(rows)('%s: encode(decode(bytes)) = bytes', (_n, bytes) => {
    expect(encode(addressMessage.decode(bytes))).toEqual(bytes);
  });
});

describe('errors name the field', () => {
  it.each<[string, Buffer, string, string]>([
    [
      'a 12-byte IFA_CACHEINFO',
      cat(hex('02 18 00 00 02 00 00 00'), nla(6, u32le(1), u32le(2), u32le(3))),
      'BAD_PAYLOAD_SIZE',
      'address.cacheinfo',
    ],
    [
      'a 2-byte IFA_FLAGS',
      cat(hex('0a 40 00 00 02 00 00 00'), nla(8, hex('0200'))),
      'BAD_PAYLOAD_SIZE',
      'address.flags',
    ],
    [
      'a 5-byte IFA_LOCAL',
      cat(hex('02 18 00 00 02 00 00 00'), nla(2, hex('0102030405'))),
      'BAD_PAYLOAD_SIZE',
      'address.local',
    ],
    ['a short ifaddrmsg', hex('02 18 00 00 02 00'), 'BAD_PAYLOAD_SIZE', 'address'],
  ])('decode: %s', (_n, bytes, code, path) => {
    const e = caught(() => addressMessage.decode(bytes));
    expect(e).toBeInstanceOf(NetlinkDecodeError);
    expect({ code: e.code, path: e.path }).toEqual({ code, path });
  });

  it.each<[string, object, string, string]>([
    [
      'an unknown flag name',
      { header: {}, attributes: { flags: ['nodadd'] } },
      'BAD_VALUE',
      'address.flags',
    ],
    [
      'an unknown proto name',
      { header: {}, attributes: { proto: 'kernel' } },
      'BAD_VALUE',
      'address.proto',
    ],
    [
      'a malformed address',
      { header: {}, attributes: { local: '192.0.2.256' } },
      'BAD_ADDRESS',
      'address.local',
    ],
    [
      'prefix length 256 in the header',
      { header: { prefixlen: 256 } },
      'OUT_OF_RANGE',
      'address.header.prefixlen',
    ],
  ])('encode: %s', (_n, value, code, path) => {
    const e = caught(() => encode(value));
    expect(e).toBeInstanceOf(NetlinkEncodeError);
    expect({ code: e.code, path: e.path }).toEqual({ code, path });
  });
});
