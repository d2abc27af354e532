// The neighbour schema (struct ndmsg + NDA_*) from hand-built bytes written from
// <linux/neighbour.h>: ARP entries with nda_cacheinfo, bridge/vxlan FDB entries (AF_BRIDGE,
// no NDA_DST on a plain bridge port), the FDB extension nest and the dump filter masks.
import { describe, expect, it } from 'vitest';
import { AttributeWriter } from '../../src/netlink/attributes.js';
import { NetlinkDecodeError, NetlinkEncodeError } from '../../src/netlink/errors.js';
import { neighborMessage } from '../../src/rtnetlink/neighbor.js';
import { be16, cat, hex, nest, nla, u8, u16le, u32le } from '../helpers/bytes.js';
import { caught } from '../helpers/caught.js';

function encode(value: unknown): Buffer {
  const w = new AttributeWriter();
  neighborMessage.encode(w, value as never);
  return Buffer.from(w.bytes());
}

/** struct ndmsg: family, pad1, pad2 (u16), s32 ifindex, u16 state, u8 flags, u8 type. */
const ndm = (family: number, ifindex: number, state: number, flags: number, type: number) =>
  cat(u8(family), u8(0), u16le(0), u32le(ifindex), u16le(state), u8(flags), u8(type));

const rows: [string, Buffer, object, object][] = [
  [
    'an ARP entry: dst, lladdr, nda_cacheinfo, probes, protocol',
    cat(
      ndm(2, 2, 0x02, 0x80, 1),
      nla(1, hex('0a000005')),
      nla(2, hex('020000000005')),
      nla(3, u32le(100), u32le(200), u32le(300), u32le(1)),
      nla(4, u32le(3)),
      nla(12, u8(186)),
    ),
    {
      header: { family: 2, ifindex: 2, state: 2, flags: 0x80, type: 1 },
      attributes: {
        dst: '10.0.0.5',
        lladdr: '02:00:00:00:00:05',
        cacheinfo: { ndm_confirmed: 100, ndm_used: 200, ndm_updated: 300, ndm_refcnt: 1 },
        probes: 3,
        protocol: 'bgp',
      },
    },
    {
      header: { family: 2, ifindex: 2, state: 2, flags: 0x80, type: 1 },
      attributes: {
        dst: '10.0.0.5',
        lladdr: '02:00:00:00:00:05',
        cacheinfo: { ndm_confirmed: 100, ndm_used: 200, ndm_updated: 300, ndm_refcnt: 1 },
        probes: 3,
        protocol: 'bgp',
      },
    },
  ],
  [
    'a bridge FDB entry: no dst; vlan, master, FDB extensions, extended flags',
    cat(
      ndm(7, 6, 0x40, 0x04, 0),
      nla(2, hex('0200000000aa')),
      nla(5, u16le(10)),
      nla(9, u32le(4)),
      nest(14, nla(1, u8(1)), nla(2)),
      nla(15, u32le(0x3)),
    ),
    {
      header: { family: 7, ifindex: 6, state: 0x40, flags: 4, type: 0 },
      attributes: {
        lladdr: '02:00:00:00:00:aa',
        vlan: 10,
        master: 4,
        fdbExtAttrs: { activityNotify: 1, dontRefresh: true },
        flagsExt: { names: ['managed', 'locked'], raw: 3 },
      },
    },
    {
      header: { family: 7, ifindex: 6, state: 0x40, flags: 4 },
      attributes: {
        lladdr: '02:00:00:00:00:aa',
        vlan: 10,
        master: 4,
        fdbExtAttrs: { activityNotify: 1, dontRefresh: true },
        flagsExt: ['managed', 'locked'],
      },
    },
  ],
  [
    'a vxlan FDB entry: remote dst, port (be16), vni, src vni, ifindex, link netnsid, nh id',
    cat(
      ndm(7, 7, 0xc0, 0x02, 0),
      nla(2, hex('000000000000')),
      nla(1, hex('0a000063')),
      nla(6, be16(4790)),
      nla(7, u32le(43)),
      nla(11, u32le(42)),
      nla(8, u32le(2)),
      nla(10, u32le(-1)),
      nla(13, u32le(9)),
    ),
    {
      header: { family: 7, ifindex: 7, state: 0xc0, flags: 2, type: 0 },
      attributes: {
        lladdr: '00:00:00:00:00:00',
        dst: '10.0.0.99',
        port: 4790,
        vni: 43,
        srcVni: 42,
        ifindex: 2,
        linkNetnsid: -1,
        nhId: 9,
      },
    },
    {
      header: { family: 7, ifindex: 7, state: 0xc0, flags: 2 },
      attributes: {
        lladdr: '00:00:00:00:00:00',
        dst: '10.0.0.99',
        port: 4790,
        vni: 43,
        srcVni: 42,
        ifindex: 2,
        linkNetnsid: -1,
        nhId: 9,
      },
    },
  ],
  [
    'a dump filter: state and flag masks',
    cat(ndm(0, 0, 0x80, 0x08, 0), nla(16, u16le(0x80 | 0x40)), nla(17, u8(0x08))),
    {
      header: { family: 0, ifindex: 0, state: 0x80, flags: 8, type: 0 },
      attributes: {
        ndmStateMask: { names: ['noarp', 'permanent'], raw: 0xc0 },
        ndmFlagsMask: { names: ['proxy'], raw: 8 },
      },
    },
    {
      header: { state: 0x80, flags: 8 },
      attributes: { ndmStateMask: ['noarp', 'permanent'], ndmFlagsMask: ['proxy'] },
    },
  ],
];

describe('neighbour messages from hand-built bytes', () => {
  it.each(rows)('%s: decode', (_n, bytes, value) => {
    expect(neighborMessage.decode(bytes)).toStrictEqual(value);
  });
  it.each(rows)('%s: encode', (_n, bytes, _v, input) => {
    expect(encode(input)).toEqual(bytes);
  });
  it.each(rows)('%s: encode(decode(bytes)) = bytes', (_n, bytes) => {
    expect(encode(neighborMessage.decode(bytes))).toEqual(bytes);
  });
});

describe('errors name the field', () => {
  it.each<[string, Buffer, string, string]>([
    [
      'a 12-byte NDA_CACHEINFO',
      cat(ndm(2, 2, 2, 0, 0), nla(3, u32le(1), u32le(2), u32le(3))),
      'BAD_PAYLOAD_SIZE',
      'neighbor.cacheinfo',
    ],
    [
      'a 4-byte NDA_PORT',
      cat(ndm(7, 7, 0, 0, 0), nla(6, u32le(4790))),
      'BAD_PAYLOAD_SIZE',
      'neighbor.port',
    ],
    [
      'a flag with a payload in the FDB extensions',
      cat(ndm(7, 6, 0, 0, 0), nest(14, nla(2, u8(1)))),
      'BAD_PAYLOAD_SIZE',
      'neighbor.fdbExtAttrs.dontRefresh',
    ],
    ['a short ndmsg', hex('02 00 00 00 02 00 00 00'), 'BAD_PAYLOAD_SIZE', 'neighbor'],
  ])('decode: %s', (_n, bytes, code, path) => {
    const e = caught(() => neighborMessage.decode(bytes));
    expect(e).toBeInstanceOf(NetlinkDecodeError);
    expect({ code: e.code, path: e.path }).toEqual({ code, path });
  });

  it.each<[string, object, string, string]>([
    [
      'a malformed MAC',
      { header: {}, attributes: { lladdr: '02:00:zz' } },
      'BAD_LLADDR',
      'neighbor.lladdr',
    ],
    [
      'an unknown extended flag',
      { header: {}, attributes: { flagsExt: ['sticky'] } },
      'BAD_VALUE',
      'neighbor.flagsExt',
    ],
    [
      'a port beyond 16 bits',
      { header: {}, attributes: { port: 70000 } },
      'OUT_OF_RANGE',
      'neighbor.port',
    ],
    [
      'a state beyond 16 bits',
      { header: { state: 0x10000 } },
      'OUT_OF_RANGE',
      'neighbor.header.state',
    ],
  ])('encode: %s', (_n, value, code, path) => {
    const e = caught(() => encode(value));
    expect(e).toBeInstanceOf(NetlinkEncodeError);
    expect({ code: e.code, path: e.path }).toEqual({ code, path });
  });
});
