// The route schema's payloads beyond plain attributes: RTA_MULTIPATH (struct rtnexthop run),
// RTA_VIA (struct rtvia), RTA_METRICS (RTAX_* without NLA_F_NESTED), MPLS label stacks, the seg6
// SRH and the other lightweight-tunnel encaps. Expected bytes are written with
// test/helpers/bytes.ts from the kernel's definitions (<linux/rtnetlink.h>, <linux/mpls.h>,
// <linux/seg6.h>, <linux/lwtunnel.h>), never with the encoder under test.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AttributeWriter } from '../../src/netlink/attributes.js';
import { NetlinkDecodeError, NetlinkEncodeError } from '../../src/netlink/errors.js';
import { routeAttributes, routeMessage } from '../../src/rtnetlink/route.js';
import {
  be16,
  be32,
  cat,
  hex,
  nest,
  nla,
  str,
  u8,
  u16le,
  u32le,
  u64le,
  zeros,
} from '../helpers/bytes.js';
import { caught } from '../helpers/caught.js';

const encodeAttrs = (value: unknown): Buffer => {
  const w = new AttributeWriter();
  routeAttributes.encode(w, value as never);
  return Buffer.from(w.bytes());
};
const decodeAttrs = (bytes: Uint8Array) => routeAttributes.decode(bytes);

/** struct rtnexthop { u16 rtnh_len; u8 rtnh_flags; u8 rtnh_hops; s32 rtnh_ifindex; } + attributes. */
function rtnh(flags: number, hops: number, ifindex: number, ...attrs: Buffer[]): Buffer {
  const body = cat(...attrs);
  return cat(u16le(8 + body.length), u8(flags), u8(hops), u32le(ifindex), body);
}
/** struct mpls_label: label << 12 | tc << 9 | bos << 8 | ttl, big-endian. */
const mpls = (label: number, tc = 0, bos = false, ttl = 0) =>
  be32(label * 4096 + tc * 512 + (bos ? 256 : 0) + ttl);
const v6 = (text: string) => hex(text.replace(/:/g, ''));
const A = v6('2001:0db8:0000:0000:0000:0000:0000:0001');
const B = v6('2001:0db8:0000:0000:0000:0000:0000:0002');
const C = v6('2001:0db8:0000:0000:0000:0000:0000:0003');
const flags = (names: string[], raw: number) => ({ names, raw });

// [name, attribute bytes, decoded value, a natural input that encodes to the same bytes]
const rows: [string, Buffer, object, object][] = [
  [
    'multipath: two IPv4 next hops, weights 2 and 3, one onlink',
    nla(
      9,
      rtnh(0x04, 1, 2, nla(5, hex('0a000002'))),
      rtnh(0x00, 2, 3, nla(5, hex('0a000102')), nla(11, u32le(0x00050001))),
    ),
    {
      multipath: [
        {
          flags: flags(['onlink'], 4),
          hops: 1,
          ifindex: 2,
          attributes: { gateway: '10.0.0.2' },
        },
        {
          flags: flags([], 0),
          hops: 2,
          ifindex: 3,
          attributes: { gateway: '10.0.1.2', flow: 0x00050001 },
        },
      ],
    },
    {
      multipath: [
        { flags: ['onlink'], hops: 1, ifindex: 2, attributes: { gateway: '10.0.0.2' } },
        { hops: 2, ifindex: 3, attributes: { gateway: '10.0.1.2', flow: 0x00050001 } },
      ],
    },
  ],
  [
    'multipath: a bare next hop (len 8), dead|linkdown flags and an unknown bit',
    nla(9, rtnh(0x11 | 0x80, 0, -1)),
    {
      multipath: [
        { flags: flags(['dead', 'linkdown'], 0x91), hops: 0, ifindex: -1, attributes: {} },
      ],
    },
    { multipath: [{ flags: 0x91, ifindex: -1 }] },
  ],
  [
    'multipath: a next hop with RTA_VIA, RTA_NEWDST and an mpls encap',
    nla(
      9,
      rtnh(
        0,
        0,
        4,
        nla(18, u16le(10), B),
        nla(19, mpls(16), mpls(17, 0, true)),
        nla(21, u16le(1)),
        nest(22, nla(1, mpls(100, 0, true))),
      ),
    ),
    {
      multipath: [
        {
          flags: flags([], 0),
          hops: 0,
          ifindex: 4,
          attributes: {
            via: { family: 'inet6', address: '2001:db8::2' },
            newdst: [
              { label: 16, tc: 0, bos: false, ttl: 0 },
              { label: 17, tc: 0, bos: true, ttl: 0 },
            ],
            encapType: 'mpls',
            encap: { dst: [{ label: 100, tc: 0, bos: true, ttl: 0 }] },
          },
        },
      ],
    },
    {
      multipath: [
        {
          ifindex: 4,
          attributes: {
            via: { family: 'inet6', address: '2001:db8::2' },
            newdst: [16, 17],
            encapType: 'mpls',
            encap: { dst: [100] },
          },
        },
      ],
    },
  ],
  [
    'via: IPv4, and a family rtnl does not know (AF_PACKET 17) as hex bytes',
    cat(nla(18, u16le(2), hex('c0000201')), nla(3, u32le(7))),
    { via: { family: 'inet', address: '192.0.2.1' }, iif: 7 },
    { via: { family: 'inet', address: '192.0.2.1' }, iif: 7 },
  ],
  [
    'via of family 17',
    nla(18, u16le(17), hex('020000000001')),
    { via: { family: 17, address: '02:00:00:00:00:01' } },
    { via: { family: 17, address: '02:00:00:00:00:01' } },
  ],
  [
    'metrics: RTA_METRICS without NLA_F_NESTED; lock, features, cc algo',
    nla(
      8,
      nla(1, u32le((1 << 2) | (1 << 8))),
      nla(2, u32le(1400)),
      nla(8, u32le(1360)),
      nla(12, u32le(0x1 | 0x10)),
      nla(16, str('cubic')),
      nla(13, u32le(200)),
    ),
    {
      metrics: {
        lock: flags(['mtu', 'advmss'], 0x104),
        mtu: 1400,
        advmss: 1360,
        features: flags(['ecn', 'tcp_usec_ts'], 0x11),
        ccAlgo: 'cubic',
        rtoMin: 200,
      },
    },
    {
      metrics: {
        lock: ['mtu', 'advmss'],
        mtu: 1400,
        advmss: 1360,
        features: ['ecn', 'tcp_usec_ts'],
        ccAlgo: 'cubic',
        rtoMin: 200,
      },
    },
  ],
  [
    'newdst: a label stack with tc, bottom of stack and ttl',
    nla(19, mpls(0xfffff, 7, false, 255), mpls(16, 5, true, 64)),
    {
      newdst: [
        { label: 0xfffff, tc: 7, bos: false, ttl: 255 },
        { label: 16, tc: 5, bos: true, ttl: 64 },
      ],
    },
    {
      newdst: [
        { label: 0xfffff, tc: 7, ttl: 255 },
        { label: 16, tc: 5, ttl: 64 },
      ],
    },
  ],
  [
    'encap seg6: l2encap.red, two segments (wire order reversed), flags, tag, an 8-byte TLV',
    cat(
      nla(21, u16le(5)),
      nest(
        22,
        nla(
          1,
          u32le(4), // mode SEG6_IPTUN_MODE_L2ENCAP_RED
          // ipv6_sr_hdr: nexthdr 41, hdrlen (8 + 32 + 8) / 8 - 1 = 5, type 4, segments_left 1,
          // first_segment 1, flags 0x08 (HMAC), tag 0x1234 (network order)
          u8(41),
          u8(5),
          u8(4),
          u8(1),
          u8(1),
          u8(0x08),
          be16(0x1234),
          B, // segments[0]: the last segment
          A, // segments[1]: the first segment
          hex('05 06 00 00 00 00 00 01'),
        ),
      ),
    ),
    {
      encapType: 'seg6',
      encap: {
        srh: {
          mode: 'l2encap.red',
          segments: ['2001:db8::1', '2001:db8::2'],
          nexthdr: 41,
          type: 4,
          segmentsLeft: 1,
          flags: 8,
          tag: 0x1234,
          tlvs: hex('05 06 00 00 00 00 00 01'),
        },
      },
    },
    {
      encapType: 'seg6',
      encap: {
        srh: {
          mode: 'l2encap.red',
          segments: ['2001:db8::1', '2001:db8::2'],
          nexthdr: 41,
          flags: 8,
          tag: 0x1234,
          tlvs: hex('05 06 00 00 00 00 00 01'),
        },
      },
    },
  ],
  [
    'encap seg6: an unknown mode number and three segments',
    cat(
      nla(21, u16le(5)),
      nest(22, nla(1, u32le(9), u8(0), u8(6), u8(4), u8(0), u8(2), u8(0), be16(0), C, B, A)),
    ),
    {
      encapType: 'seg6',
      encap: {
        srh: {
          mode: 9,
          segments: ['2001:db8::1', '2001:db8::2', '2001:db8::3'],
          nexthdr: 0,
          type: 4,
          segmentsLeft: 0,
          flags: 0,
          tag: 0,
        },
      },
    },
    {
      encapType: 'seg6',
      encap: {
        srh: { mode: 9, segments: ['2001:db8::1', '2001:db8::2', '2001:db8::3'], segmentsLeft: 0 },
      },
    },
  ],
  [
    'encap ip6: id (be64), dst, hoplimit, tc, flags (be16)',
    cat(
      nla(21, u16le(4)),
      nest(
        22,
        nla(1, hex('0102030405060708')),
        nla(2, A),
        nla(4, u8(64)),
        nla(5, u8(0)),
        nla(6, be16(0x0400)),
      ),
    ),
    {
      encapType: 'ip6',
      encap: { id: 0x0102030405060708n, dst: '2001:db8::1', hoplimit: 64, tc: 0, flags: 0x0400 },
    },
    {
      encapType: 'ip6',
      encap: { id: 0x0102030405060708n, dst: '2001:db8::1', hoplimit: 64, tc: 0, flags: 0x0400 },
    },
  ],
  [
    'encap bpf: a program per hook, by fd and name',
    cat(
      nla(21, u16le(6)),
      nest(22, nest(1, nla(1, u32le(9)), nla(2, str('in'))), nla(4, u32le(16))),
    ),
    { encapType: 'bpf', encap: { in: { fd: 9, name: 'in' }, xmitHeadroom: 16 } },
    { encapType: 'bpf', encap: { in: { fd: 9, name: 'in' }, xmitHeadroom: 16 } },
  ],
  [
    'encap of a type without a schema (seg6_local) stays raw bytes',
    cat(nla(21, u16le(7)), nest(22, nla(1, u32le(1)))),
    { encapType: 'seg6_local', encap: nla(1, u32le(1)) },
    { encapType: 'seg6_local', encap: nla(1, u32le(1)) },
  ],
  [
    'pref: low, and an encap type number rtnl does not know',
    cat(nla(20, u8(3)), nla(21, u16le(99))),
    { pref: 'low', encapType: 99 },
    { pref: 'low', encapType: 99 },
  ],
  [
    'mfc stats (struct rta_mfc_stats), expires, flowlabel (be32), ttl propagate',
    cat(
      nla(17, u64le(1n << 40n), u64le(2n), u64le(3n)),
      nla(23, u32le(300)),
      nla(31, be32(0x12345)),
      nla(26, u8(1)),
    ),
    {
      mfcStats: { mfcs_packets: 1n << 40n, mfcs_bytes: 2n, mfcs_wrong_if: 3n },
      expires: 300,
      flowlabel: 0x12345,
      ttlPropagate: 1,
    },
    {
      mfcStats: { mfcs_packets: 1n << 40n, mfcs_bytes: 2n, mfcs_wrong_if: 3n },
      expires: 300,
      flowlabel: 0x12345,
      ttlPropagate: 1,
    },
  ],
];

describe('route payloads from hand-built bytes', () => {
  it.each(rows)('%s: decode', (_name, bytes, value) => {
    expect(decodeAttrs(bytes)).toStrictEqual(value);
  });
  it.each(rows)('%s: a natural value encodes to the bytes', (_name, bytes, _value, input) => {
    expect(encodeAttrs(input)).toEqual(bytes);
  });
  it.each(rows)('%s: encode(decode(bytes)) = bytes', (_name, bytes) => {
    expect(encodeAttrs(decodeAttrs(bytes))).toEqual(bytes);
  });

  it('an unknown attribute inside a next hop keeps its place', () => {
    const bytes = nla(
      9,
      rtnh(0, 0, 2, nla(5, hex('0a000002')), nla(77, hex('aabb')), nla(11, u32le(1))),
    );
    const d = decodeAttrs(bytes);
    const [u, ...more] = d.multipath![0]!.attributes.unknown!;
    expect(more).toEqual([]);
    expect([u!.type, u!.flags, Buffer.from(u!.data).toString('hex')]).toEqual([77, 0, 'aabb']);
    expect(encodeAttrs(d)).toEqual(bytes);
  });

  it('a whole message: rtmsg + multipath + metrics', () => {
    const payload = cat(
      hex('02 18 00 00 fe 03 00 01 00 00 00 00'),
      nla(1, hex('0a1e0000')),
      nla(8, nla(2, u32le(1400))),
      nla(9, rtnh(0, 1, 0, nla(5, hex('0a000002')))),
    );
    const m = routeMessage.decode(payload);
    expect(m.attributes.metrics).toStrictEqual({ mtu: 1400 });
    expect(m.attributes.multipath?.[0]?.hops).toBe(1);
    const w = new AttributeWriter();
    routeMessage.encode(w, m);
    expect(Buffer.from(w.bytes())).toEqual(payload);
  });
});

describe('bad bytes are NetlinkDecodeError naming the attribute', () => {
  it.each<[string, Buffer, string, string, number?]>([
    ['rtnh_len below 8', nla(9, u16le(4), zeros(6)), 'BAD_LENGTH', 'route.multipath[0]', 4],
    [
      'rtnh_len beyond the attribute',
      nla(9, rtnh(0, 0, 1), u16le(40), zeros(6)),
      'BAD_LENGTH',
      'route.multipath[1]',
      12,
    ],
    [
      'bytes after the last rtnexthop, too few for one',
      nla(9, rtnh(0, 0, 1), zeros(4)),
      'TRAILING_BYTES',
      'route.multipath[1]',
      12,
    ],
    [
      'a 3-byte gateway in a next hop',
      nla(9, rtnh(0, 0, 1, nla(5, hex('0a0000')))),
      'BAD_PAYLOAD_SIZE',
      'route.multipath[0].gateway',
    ],
    ['rtvia without its family', nla(18, u8(2)), 'BAD_PAYLOAD_SIZE', 'route.via', 4],
    [
      'an AF_INET via with 16 bytes',
      nla(18, u16le(2), A),
      'BAD_PAYLOAD_SIZE',
      'route.via.address',
      6,
    ],
    ['a label stack of 6 bytes', nla(19, zeros(6)), 'BAD_PAYLOAD_SIZE', 'route.newdst', 4],
    ['a 2-byte RTAX_MTU', nla(8, nla(2, u16le(1400))), 'BAD_PAYLOAD_SIZE', 'route.metrics.mtu'],
    [
      'a 2-byte MPLS_IPTUNNEL_TTL',
      cat(nla(21, u16le(1)), nest(22, nla(2, u16le(1)))),
      'BAD_PAYLOAD_SIZE',
      'route.encap(mpls).ttl',
    ],
    [
      'ipv6_sr_hdr.hdrlen disagreeing with the attribute length',
      cat(nla(21, u16le(5)), nest(22, nla(1, u32le(1), hex('00 03 04 00 00 00 0000'), A))),
      'BAD_LENGTH',
      'route.encap(seg6).srh.hdrlen',
    ],
    [
      'first_segment naming more segments than hdrlen holds',
      cat(nla(21, u16le(5)), nest(22, nla(1, u32le(1), hex('00 02 04 00 01 00 0000'), A))),
      'BAD_LENGTH',
      'route.encap(seg6).srh.segments',
    ],
    [
      'a seg6 encap shorter than mode + header',
      cat(nla(21, u16le(5)), nest(22, nla(1, u32le(1), hex('00 00')))),
      'BAD_PAYLOAD_SIZE',
      'route.encap(seg6).srh',
    ],
    [
      'a 4-byte LWTUNNEL_IP_ID',
      cat(nla(21, u16le(2)), nest(22, nla(1, u32le(5)))),
      'BAD_PAYLOAD_SIZE',
      'route.encap(ip).id',
    ],
  ])('%s', (_name, bytes, code, path, offset) => {
    const e = caught(() => decodeAttrs(bytes));
    expect(e).toBeInstanceOf(NetlinkDecodeError);
    expect({ code: e.code, path: e.path }).toEqual({ code, path });
    if (offset !== undefined) expect(e.offset).toBe(offset);
  });

  it('random bytes in any attribute raise NetlinkDecodeError or decode (never another error)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(8, 9, 18, 19, 22),
        fc.uint8Array({ maxLength: 64 }),
        fc.constantFrom(1, 2, 4, 5, 99),
        (type, data, encapType) => {
          const bytes = cat(nla(21, u16le(encapType)), nla(type, data));
          try {
            const d = decodeAttrs(bytes);
            // What decodes re-encodes to what came (padding aside: nla() writes zeros).
            expect(encodeAttrs(d).length).toBe(bytes.length);
          } catch (e) {
            expect(e).toBeInstanceOf(NetlinkDecodeError);
          }
        },
      ),
    );
  });
});

describe('bad values are NetlinkEncodeError naming the field', () => {
  it.each<[string, object, string, string]>([
    [
      'weight out of range',
      { multipath: [{ hops: 256 }] },
      'OUT_OF_RANGE',
      'route.multipath[0].hops',
    ],
    [
      'an unknown next-hop flag',
      { multipath: [{ flags: ['bogus'] }] },
      'BAD_VALUE',
      'route.multipath[0].flags',
    ],
    [
      'a malformed gateway in a next hop',
      { multipath: [{ hops: 0 }, { attributes: { gateway: '10.0.0' } }] },
      'BAD_ADDRESS',
      'route.multipath[1].gateway',
    ],
    ['multipath not an array', { multipath: { hops: 1 } }, 'BAD_VALUE', 'route.multipath'],
    [
      'a via family name rtnl does not know',
      { via: { family: 'ipx', address: '1' } },
      'BAD_VALUE',
      'route.via.family',
    ],
    [
      'an IPv6 address for an inet via',
      { via: { family: 'inet', address: '2001:db8::1' } },
      'BAD_ADDRESS',
      'route.via.address',
    ],
    ['a 21-bit label', { newdst: [0x100000] }, 'OUT_OF_RANGE', 'route.newdst[0]'],
    ['a label stack that is not an array', { newdst: 100 }, 'BAD_VALUE', 'route.newdst'],
    ['tc 8', { newdst: [{ label: 1, tc: 8 }] }, 'OUT_OF_RANGE', 'route.newdst[0]'],
    [
      'an IPv4 segment',
      { encapType: 'seg6', encap: { srh: { mode: 'encap', segments: ['10.0.0.1'] } } },
      'BAD_ADDRESS',
      'route.encap(seg6).srh.segments[0]',
    ],
    [
      'a seg6 mode rtnl does not know',
      { encapType: 'seg6', encap: { srh: { mode: 'bogus', segments: ['2001:db8::1'] } } },
      'BAD_VALUE',
      'route.encap(seg6).srh.mode',
    ],
    [
      'no segments',
      { encapType: 'seg6', encap: { srh: { mode: 'encap', segments: [] } } },
      'BAD_VALUE',
      'route.encap(seg6).srh.segments',
    ],
    ['a preference rtnl does not know', { pref: 'highest' }, 'BAD_VALUE', 'route.pref'],
    ['an encap without its type', { encap: { dst: [1] } }, 'BAD_VALUE', 'route.encap'],
    ['a metric that does not exist', { metrics: { mss: 1 } }, 'UNKNOWN_ATTRIBUTE', 'route.metrics'],
    [
      'a negative tunnel id',
      { encapType: 'ip', encap: { id: -1n } },
      'OUT_OF_RANGE',
      'route.encap(ip).id',
    ],
  ])('%s', (_name, value, code, path) => {
    const e = caught(() => encodeAttrs(value));
    expect(e).toBeInstanceOf(NetlinkEncodeError);
    expect({ code: e.code, path: e.path }).toEqual({ code, path });
  });
});

describe('annotations (fixture comments) cover every byte', () => {
  it('multipath: a container row, then per next hop its rtnexthop row and its attributes', () => {
    const bytes = nla(
      9,
      rtnh(4, 1, 2, nla(5, hex('0a000002'))),
      rtnh(0, 0, 3, nla(21, u16le(1)), nest(22, nla(2, u8(9)))),
    );
    const rows = routeAttributes.annotate(bytes).map((a) => [a.offset, a.length, a.depth, a.path]);
    expect(rows).toEqual([
      [0, bytes.length, 0, 'route.multipath'],
      [4, 8, 1, 'route.multipath[0]'],
      [12, 8, 1, 'route.multipath[0].gateway'],
      [20, 8, 1, 'route.multipath[1]'],
      [28, 6, 1, 'route.multipath[1].encapType'],
      [36, 12, 1, 'route.multipath[1].encap'],
      [40, 5, 2, 'route.multipath[1].encap(mpls).ttl'],
    ]);
  });

  it('metrics: the nest and each RTAX_* with its constant', () => {
    const anns = routeAttributes.annotate(nla(8, nla(2, u32le(1400)), nla(16, str('reno'))));
    expect(anns.map((a) => [a.path, a.constant, a.depth, a.value])).toEqual([
      ['route.metrics', 'RTA_METRICS', 0, ''],
      ['route.metrics.mtu', 'RTAX_MTU', 1, '1400'],
      ['route.metrics.ccAlgo', 'RTAX_CC_ALGO', 1, '"reno"'],
    ]);
  });
});
