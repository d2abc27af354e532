// The starter rtnetlink schemas: struct layouts and attribute numbers against the kernel's UAPI
// headers, growth of rtnl_link_stats64, and whole messages in both directions. Expected bytes
// come from test/helpers/bytes.ts.
import { describe, expect, it } from 'vitest';
import { AttributeWriter } from '../../src/netlink/attributes.js';
import { NetlinkDecodeError } from '../../src/netlink/errors.js';
import type { AttributeSet } from '../../src/netlink/schema.js';
import {
  addressAttributes,
  addressMessage,
  ifaCacheinfo,
  ifaddrmsg,
} from '../../src/rtnetlink/address.js';
import {
  ifinfomsg,
  linkAttributes,
  linkinfoAttributes,
  linkMessage,
  propListAttributes,
  rtnlLinkStats,
  rtnlLinkStats64,
} from '../../src/rtnetlink/link.js';
import { routeAttributes, routeMessage, rtaCacheinfo, rtmsg } from '../../src/rtnetlink/route.js';
import {
  be16,
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

// Attribute numbers from <linux/if_link.h>, <linux/if_addr.h> and <linux/rtnetlink.h>
// (Linux 6.1 UAPI headers; the last three IFLA_ values from 6.3+).
const IFLA: Record<string, number> = {
  IFLA_ADDRESS: 1,
  IFLA_BROADCAST: 2,
  IFLA_IFNAME: 3,
  IFLA_MTU: 4,
  IFLA_LINK: 5,
  IFLA_QDISC: 6,
  IFLA_STATS: 7,
  IFLA_COST: 8,
  IFLA_PRIORITY: 9,
  IFLA_MASTER: 10,
  IFLA_WIRELESS: 11,
  IFLA_PROTINFO: 12,
  IFLA_TXQLEN: 13,
  IFLA_MAP: 14,
  IFLA_WEIGHT: 15,
  IFLA_OPERSTATE: 16,
  IFLA_LINKMODE: 17,
  IFLA_LINKINFO: 18,
  IFLA_NET_NS_PID: 19,
  IFLA_IFALIAS: 20,
  IFLA_NUM_VF: 21,
  IFLA_VFINFO_LIST: 22,
  IFLA_STATS64: 23,
  IFLA_VF_PORTS: 24,
  IFLA_PORT_SELF: 25,
  IFLA_AF_SPEC: 26,
  IFLA_GROUP: 27,
  IFLA_NET_NS_FD: 28,
  IFLA_EXT_MASK: 29,
  IFLA_PROMISCUITY: 30,
  IFLA_NUM_TX_QUEUES: 31,
  IFLA_NUM_RX_QUEUES: 32,
  IFLA_CARRIER: 33,
  IFLA_PHYS_PORT_ID: 34,
  IFLA_CARRIER_CHANGES: 35,
  IFLA_PHYS_SWITCH_ID: 36,
  IFLA_LINK_NETNSID: 37,
  IFLA_PHYS_PORT_NAME: 38,
  IFLA_PROTO_DOWN: 39,
  IFLA_GSO_MAX_SEGS: 40,
  IFLA_GSO_MAX_SIZE: 41,
  IFLA_PAD: 42,
  IFLA_XDP: 43,
  IFLA_EVENT: 44,
  IFLA_NEW_NETNSID: 45,
  IFLA_TARGET_NETNSID: 46,
  IFLA_CARRIER_UP_COUNT: 47,
  IFLA_CARRIER_DOWN_COUNT: 48,
  IFLA_NEW_IFINDEX: 49,
  IFLA_MIN_MTU: 50,
  IFLA_MAX_MTU: 51,
  IFLA_PROP_LIST: 52,
  IFLA_ALT_IFNAME: 53,
  IFLA_PERM_ADDRESS: 54,
  IFLA_PROTO_DOWN_REASON: 55,
  IFLA_PARENT_DEV_NAME: 56,
  IFLA_PARENT_DEV_BUS_NAME: 57,
  IFLA_GRO_MAX_SIZE: 58,
  IFLA_TSO_MAX_SIZE: 59,
  IFLA_TSO_MAX_SEGS: 60,
  IFLA_ALLMULTI: 61,
  IFLA_DEVLINK_PORT: 62,
  IFLA_GSO_IPV4_MAX_SIZE: 63,
  IFLA_GRO_IPV4_MAX_SIZE: 64,
  IFLA_DPLL_PIN: 65,
  IFLA_MAX_PACING_OFFLOAD_HORIZON: 66,
  IFLA_NETNS_IMMUTABLE: 67,
  IFLA_HEADROOM: 68,
  IFLA_TAILROOM: 69,
};
const IFLA_INFO: Record<string, number> = {
  IFLA_INFO_KIND: 1,
  IFLA_INFO_DATA: 2,
  IFLA_INFO_XSTATS: 3,
  IFLA_INFO_SLAVE_KIND: 4,
  IFLA_INFO_SLAVE_DATA: 5,
};
const IFA: Record<string, number> = {
  IFA_ADDRESS: 1,
  IFA_LOCAL: 2,
  IFA_LABEL: 3,
  IFA_BROADCAST: 4,
  IFA_ANYCAST: 5,
  IFA_CACHEINFO: 6,
  IFA_MULTICAST: 7,
  IFA_FLAGS: 8,
  IFA_RT_PRIORITY: 9,
  IFA_TARGET_NETNSID: 10,
  IFA_PROTO: 11,
};
const RTA: Record<string, number> = {
  RTA_DST: 1,
  RTA_SRC: 2,
  RTA_IIF: 3,
  RTA_OIF: 4,
  RTA_GATEWAY: 5,
  RTA_PRIORITY: 6,
  RTA_PREFSRC: 7,
  RTA_METRICS: 8,
  RTA_MULTIPATH: 9,
  RTA_PROTOINFO: 10,
  RTA_FLOW: 11,
  RTA_CACHEINFO: 12,
  RTA_SESSION: 13,
  RTA_MP_ALGO: 14,
  RTA_TABLE: 15,
  RTA_MARK: 16,
  RTA_MFC_STATS: 17,
  RTA_VIA: 18,
  RTA_NEWDST: 19,
  RTA_PREF: 20,
  RTA_ENCAP_TYPE: 21,
  RTA_ENCAP: 22,
  RTA_EXPIRES: 23,
  RTA_PAD: 24,
  RTA_UID: 25,
  RTA_TTL_PROPAGATE: 26,
  RTA_IP_PROTO: 27,
  RTA_SPORT: 28,
  RTA_DPORT: 29,
  RTA_NH_ID: 30,
  RTA_FLOWLABEL: 31, // newer than 6.1: rt-route.yaml
};

// struct rtnl_link_stats64 in <linux/if_link.h> order.
const STATS = [
  'rx_packets',
  'tx_packets',
  'rx_bytes',
  'tx_bytes',
  'rx_errors',
  'tx_errors',
  'rx_dropped',
  'tx_dropped',
  'multicast',
  'collisions',
  'rx_length_errors',
  'rx_over_errors',
  'rx_crc_errors',
  'rx_frame_errors',
  'rx_fifo_errors',
  'rx_missed_errors',
  'tx_aborted_errors',
  'tx_carrier_errors',
  'tx_fifo_errors',
  'tx_heartbeat_errors',
  'tx_window_errors',
  'rx_compressed',
  'tx_compressed',
  'rx_nohandler',
  'rx_otherhost_dropped',
];

function encodeMessage(
  schema: { encode(w: AttributeWriter, v: never): void },
  value: unknown,
): Buffer {
  const w = new AttributeWriter();
  schema.encode(w, value as never);
  return Buffer.from(w.bytes());
}

function encodeSet(set: AttributeSet, value: unknown): Buffer {
  const w = new AttributeWriter();
  set.encode(w, value as never);
  return Buffer.from(w.bytes());
}

describe('attribute numbers match the kernel headers', () => {
  const rows: [string, AttributeSet, Record<string, number>][] = [
    ['link', linkAttributes as AttributeSet, IFLA],
    ['linkinfo', linkinfoAttributes as AttributeSet, IFLA_INFO],
    ['prop_list', propListAttributes as AttributeSet, { IFLA_ALT_IFNAME: 53 }],
    ['address', addressAttributes as AttributeSet, IFA],
    ['route', routeAttributes as AttributeSet, RTA],
  ];

  it.each(rows)(
    '%s: every attribute names its constant and has its number',
    (_name, set, table) => {
      for (const [key, spec] of Object.entries(set.attrs)) {
        expect(spec.c, `${key} has no c`).toBeDefined();
        expect([key, spec.type]).toEqual([key, table[spec.c!]]);
      }
    },
  );

  it.each(rows)('%s: every constant of the header is declared', (_name, set, table) => {
    const declared = new Set(Object.values(set.attrs).map((s) => s.c));
    expect(Object.keys(table).filter((c) => !declared.has(c))).toEqual([]);
  });

  // IF_OPER_* and IFA_F_* values are checked by the C compiler in uapi.test.ts.
});

describe('fixed structs: sizeof and layout', () => {
  it.each<[string, { size: number; minSize: number }, number, number]>([
    ['ifinfomsg', ifinfomsg, 16, 16],
    ['ifaddrmsg', ifaddrmsg, 8, 8],
    ['rtmsg', rtmsg, 12, 12],
    ['ifa_cacheinfo', ifaCacheinfo, 16, 16],
    ['rta_cacheinfo', rtaCacheinfo, 32, 32],
    ['rtnl_link_stats64 (184 until 4.6)', rtnlLinkStats64, 200, 184],
    // struct rtnl_link_stats got rx_nohandler (4.6) but never rx_otherhost_dropped (6.0): the
    // kernel sends IFLA_STATS with 96 bytes (fixtures/link/dump.reply: nla_len 100).
    ['rtnl_link_stats (92 until 4.6)', rtnlLinkStats, 96, 92],
  ])('%s', (_name, def, size, minSize) => {
    expect([def.size, def.minSize]).toEqual([size, minSize]);
  });

  it.each<[string, { decode(b: Uint8Array): object; encode(v: never): Buffer }, Buffer, object]>([
    [
      'ifinfomsg',
      ifinfomsg,
      cat(u8(0), zeros(1), u16le(1), u32le(-5), u32le(0x1043), u32le(0xffffffff)),
      { family: 0, type: 1, index: -5, flags: 0x1043, change: 0xffffffff },
    ],
    [
      'ifaddrmsg',
      ifaddrmsg,
      hex('0a 40 80 fd  03 00 00 00'),
      { family: 10, prefixlen: 64, flags: 0x80, scope: 253, index: 3 },
    ],
    [
      'rtmsg',
      rtmsg,
      hex('02 18 00 00  fe 04 00 01  00 10 00 00'),
      {
        family: 2,
        dst_len: 24,
        src_len: 0,
        tos: 0,
        table: 254,
        protocol: 4,
        scope: 0,
        type: 1,
        flags: 0x1000,
      },
    ],
    [
      'ifa_cacheinfo',
      ifaCacheinfo,
      cat(u32le(0xffffffff), u32le(100), u32le(1234), u32le(5678)),
      { ifa_prefered: 0xffffffff, ifa_valid: 100, cstamp: 1234, tstamp: 5678 },
    ],
    [
      'rta_cacheinfo (rta_expires is signed)',
      rtaCacheinfo,
      cat(u32le(1), u32le(2), u32le(-3), u32le(4), u32le(5), u32le(6), u32le(7), u32le(8)),
      {
        rta_clntref: 1,
        rta_lastuse: 2,
        rta_expires: -3,
        rta_error: 4,
        rta_used: 5,
        rta_id: 6,
        rta_ts: 7,
        rta_tsage: 8,
      },
    ],
  ])('%s in both directions', (_name, def, bytes, value) => {
    expect(def.decode(bytes)).toStrictEqual(value);
    expect(def.encode(value as never)).toEqual(bytes);
  });
});

describe('rtnl_link_stats64 grew from 184 to 200 bytes', () => {
  // Counters big enough to need all 64 bits.
  const counter = (i: number) => 0x0123_4567_0000_0000n + BigInt(i);
  const statsBytes = (n: number) => cat(...Array.from({ length: n }, (_, i) => u64le(counter(i))));
  const statsValue = (n: number) =>
    Object.fromEntries(STATS.slice(0, n).map((name, i) => [name, counter(i)]));

  it.each([
    [184, 23],
    [192, 24],
    [200, 25],
  ])('IFLA_STATS64 of %i bytes decodes %i counters, later ones absent', (size, count) => {
    const bytes = nla(23, statsBytes(size / 8));
    const decoded = linkAttributes.decode(bytes);
    expect(decoded).toStrictEqual({ stats64: statsValue(count) });
    expect(Object.keys(decoded.stats64 ?? {})).toHaveLength(count);
  });

  it.each([184, 192, 200])('IFLA_STATS64 of %i bytes re-encodes at the length it came', (size) => {
    const bytes = nla(23, statsBytes(size / 8));
    expect(encodeSet(linkAttributes as AttributeSet, linkAttributes.decode(bytes))).toEqual(bytes);
  });

  it('a fresh value encodes the newest layout', () => {
    expect(encodeSet(linkAttributes as AttributeSet, { stats64: statsValue(23) })).toEqual(
      nla(23, statsBytes(23), zeros(16)),
    );
  });

  it('a newer kernel’s longer struct (208 bytes) decodes the counters it knows', () => {
    expect(linkAttributes.decode(nla(23, statsBytes(26)))).toStrictEqual({
      stats64: statsValue(25),
    });
  });

  it('a newer kernel’s longer struct (208 bytes) re-encodes byte for byte', () => {
    const bytes = nla(23, statsBytes(26));
    expect(encodeSet(linkAttributes as AttributeSet, linkAttributes.decode(bytes))).toEqual(bytes);
  });

  it('fewer than 184 bytes is BAD_PAYLOAD_SIZE naming link.stats64', () => {
    let e: unknown;
    try {
      linkAttributes.decode(nla(23, statsBytes(22)));
    } catch (err) {
      e = err;
    }
    expect(e).toBeInstanceOf(NetlinkDecodeError);
    expect(e).toMatchObject({ code: 'BAD_PAYLOAD_SIZE', offset: 4, path: 'link.stats64' });
  });

  it('IFLA_STATS (32-bit counters, 96 bytes as the kernel sends it) round-trips', () => {
    const bytes = nla(7, ...Array.from({ length: 24 }, (_, i) => u32le(0xfffffff0 + (i % 16))));
    const decoded = linkAttributes.decode(bytes);
    expect(Object.keys(decoded.stats ?? {})).toEqual(STATS.slice(0, 24));
    expect(encodeSet(linkAttributes as AttributeSet, decoded)).toEqual(bytes);
  });
});

describe('whole messages in both directions', () => {
  const stats64 = cat(...Array.from({ length: 25 }, (_, i) => u64le(BigInt(i * 1000))));

  const rows: [string, { decode(p: Uint8Array): unknown }, Buffer, object][] = [
    [
      'RTM_NEWLINK body',
      linkMessage,
      cat(
        u8(0),
        zeros(1),
        u16le(1),
        u32le(5),
        u32le(0x11043),
        u32le(0), // ifinfomsg
        nla(3, str('veth0')), // IFLA_IFNAME
        nla(4, u32le(1500)), // IFLA_MTU
        nla(13, u32le(1000)), // IFLA_TXQLEN
        nla(16, u8(6)), // IFLA_OPERSTATE up
        nla(17, u8(0)), // IFLA_LINKMODE
        nla(37, u32le(-1)), // IFLA_LINK_NETNSID
        nla(1, hex('02 00 00 00 00 05')), // IFLA_ADDRESS
        nla(2, hex('ff ff ff ff ff ff')), // IFLA_BROADCAST
        nest(18, nla(1, str('team')), nest(2, nla(1, u32le(7)))), // IFLA_LINKINFO {KIND, DATA (raw: team is not declared)}
        nest(52, nla(53, str('alt0')), nla(53, str('alt1'))), // IFLA_PROP_LIST {ALT_IFNAME ×2}
        nest(26, nest(10, nla(8, u8(1)))), // IFLA_AF_SPEC {AF_INET6 {IFLA_INET6_ADDR_GEN_MODE none}}
        nla(23, stats64), // IFLA_STATS64
        nla(33, u8(1)), // IFLA_CARRIER
        nla(61, u32le(0)), // IFLA_ALLMULTI
      ),
      {
        header: { family: 0, type: 1, index: 5, flags: 0x11043, change: 0 },
        attributes: {
          ifname: 'veth0',
          mtu: 1500,
          txqlen: 1000,
          operstate: 'up',
          linkmode: 'default',
          linkNetnsid: -1,
          address: '02:00:00:00:00:05',
          broadcast: 'ff:ff:ff:ff:ff:ff',
          linkinfo: { kind: 'team', data: nla(1, u32le(7)) },
          propList: { altIfname: ['alt0', 'alt1'] },
          afSpec: { inet6: { addrGenMode: 'none' } },
          stats64: Object.fromEntries(STATS.map((name, i) => [name, BigInt(i * 1000)])),
          carrier: 1,
          allmulti: 0,
        },
      },
    ],
    [
      'RTM_NEWADDR body (IPv4)',
      addressMessage,
      cat(
        hex('02 18 80 00  02 00 00 00'), // ifaddrmsg: AF_INET /24 permanent scope 0 ifindex 2
        nla(1, hex('c0 00 02 01')), // IFA_ADDRESS
        nla(2, hex('c0 00 02 01')), // IFA_LOCAL
        nla(4, hex('c0 00 02 ff')), // IFA_BROADCAST
        nla(3, str('eth0')), // IFA_LABEL
        nla(8, u32le(0x80)), // IFA_FLAGS
        nla(6, u32le(0xffffffff), u32le(0xffffffff), u32le(1234), u32le(5678)), // IFA_CACHEINFO
        nla(9, u32le(100)), // IFA_RT_PRIORITY
        nla(11, u8(2)), // IFA_PROTO
      ),
      {
        header: { family: 2, prefixlen: 24, flags: 0x80, scope: 0, index: 2 },
        attributes: {
          address: '192.0.2.1',
          local: '192.0.2.1',
          broadcast: '192.0.2.255',
          label: 'eth0',
          flags: { names: ['permanent'], raw: 0x80 },
          cacheinfo: {
            ifa_prefered: 0xffffffff,
            ifa_valid: 0xffffffff,
            cstamp: 1234,
            tstamp: 5678,
          },
          rtPriority: 100,
          proto: 'kernel_ra',
        },
      },
    ],
    [
      'RTM_NEWADDR body (IPv6, flags beyond 8 bits and an unknown one)',
      addressMessage,
      cat(
        hex('0a 40 00 00  03 00 00 00'),
        nla(1, hex('2001 0db8 0000 0000 0000 0000 0000 0001')),
        nla(8, u32le(0x10202)),
      ),
      {
        header: { family: 10, prefixlen: 64, flags: 0, scope: 0, index: 3 },
        attributes: {
          address: '2001:db8::1',
          flags: { names: ['nodad', 'noprefixroute'], raw: 0x10202 },
        },
      },
    ],
    [
      'RTM_NEWROUTE body',
      routeMessage,
      cat(
        hex('02 18 00 00  fe 04 00 01  00 00 00 00'), // rtmsg: AF_INET /24 main static universe unicast
        nla(15, u32le(254)), // RTA_TABLE
        nla(1, hex('c6 33 64 00')), // RTA_DST
        nla(5, hex('c0 00 02 fe')), // RTA_GATEWAY
        nla(4, u32le(2)), // RTA_OIF
        nla(6, u32le(100)), // RTA_PRIORITY
        nla(8, nla(2, u32le(1400))), // RTA_METRICS {RTAX_MTU} (no NLA_F_NESTED, as the kernel sends it)
        nla(20, u8(0)), // RTA_PREF
        nla(28, be16(53)), // RTA_SPORT
        nla(12, ...[1, 2, -1, 4, 5, 6, 7, 8].map(u32le)), // RTA_CACHEINFO
        nla(30, u32le(9)), // RTA_NH_ID
      ),
      {
        header: {
          family: 2,
          dst_len: 24,
          src_len: 0,
          tos: 0,
          table: 254,
          protocol: 4,
          scope: 0,
          type: 1,
          flags: 0,
        },
        attributes: {
          table: 254,
          dst: '198.51.100.0',
          gateway: '192.0.2.254',
          oif: 2,
          priority: 100,
          metrics: { mtu: 1400 },
          pref: 'medium',
          sport: 53,
          cacheinfo: {
            rta_clntref: 1,
            rta_lastuse: 2,
            rta_expires: -1,
            rta_error: 4,
            rta_used: 5,
            rta_id: 6,
            rta_ts: 7,
            rta_tsage: 8,
          },
          nhId: 9,
        },
      },
    ],
  ];

  it.each(rows)('%s: decode', (_name, schema, bytes, value) => {
    expect(schema.decode(bytes)).toStrictEqual(value);
  });

  it.each(rows)('%s: encode', (_name, schema, bytes, value) => {
    expect(encodeMessage(schema as never, value)).toEqual(bytes);
  });

  it.each(rows)('%s: encode(decode(bytes)) = bytes', (_name, schema, bytes) => {
    expect(encodeMessage(schema as never, schema.decode(bytes))).toEqual(bytes);
  });

  it('pathAt names an attribute inside IFLA_LINKINFO', () => {
    const request = cat(hex('00'.repeat(16)), rows[0]![2]);
    // nlmsghdr 16 + ifinfomsg 16 + IFNAME 12 + MTU 8 + TXQLEN 8 + OPERSTATE 8 + LINKMODE 8 +
    // NETNSID 8 + ADDRESS 12 + BROADCAST 12 = 108: IFLA_LINKINFO; its KIND at 112, DATA at 124.
    expect(request.readUInt16LE(108 + 2)).toBe(0x8012);
    expect(linkMessage.pathAt(request, 108)).toBe('link.linkinfo');
    expect(linkMessage.pathAt(request, 112)).toBe('link.linkinfo.kind');
    expect(linkMessage.pathAt(request, 124)).toBe('link.linkinfo.data');
    // Inside IFLA_INFO_DATA of a kind without a schema yet: named with the kind.
    expect(linkMessage.pathAt(request, 128)).toBe('link.linkinfo.data(team)');
    expect(linkMessage.pathAt(request, 36)).toBe('link.ifname');
  });
});
