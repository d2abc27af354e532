// The link schema beyond the kinds: IFLA_AF_SPEC (inet/inet6 devconf arrays that grew across
// kernels, the bridge family), IFLA_XDP, IFLA_VFINFO_LIST, IFLA_VF_PORTS, IFLA_MAP, small nests,
// enums and flags, the ifi_flags / ifi_type names. Expected bytes come from test/helpers/bytes.ts;
// devconf values are checked against the namespace's own sysctls, read by `cat`.
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AttributeWriter } from '../../src/netlink/attributes.js';
import { Connection } from '../../src/netlink/connection.js';
import { NetlinkDecodeError } from '../../src/netlink/errors.js';
import type { AttributeSet } from '../../src/netlink/schema.js';
import { createNetns, type Netns } from '../../src/ns/index.js';
import {
  afSpecAttributes,
  arphrdName,
  IFF_FLAGS,
  IPV4_DEVCONF,
  IPV6_DEVCONF,
  iffFlagNames,
  linkAttributes,
  linkMessage,
} from '../../src/rtnetlink/link.js';
import {
  be16,
  cat,
  F_NESTED,
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

function encodeSet(set: AttributeSet, value: unknown): Buffer {
  const w = new AttributeWriter();
  set.encode(w, value as never);
  return Buffer.from(w.bytes());
}
const roundTrip = (bytes: Buffer) =>
  encodeSet(linkAttributes as AttributeSet, linkAttributes.decode(bytes));

const IFLA_AF_SPEC = 26;
const AF_INET = 2;
const AF_BRIDGE = 7;
const AF_INET6 = 10;
const IFLA_INET_CONF = 1;
const IFLA_INET6_FLAGS = 1;
const IFLA_INET6_CONF = 2;
const IFLA_INET6_CACHEINFO = 5;
const IFLA_INET6_TOKEN = 7;
const IFLA_INET6_ADDR_GEN_MODE = 8;

describe('IFLA_AF_SPEC', () => {
  // The kernel sends AF_SPEC and its families without NLA_F_NESTED (as captured).
  const v4 = (n: number) => Array.from({ length: n }, (_, i) => u32le(100 + i));
  const v6 = (n: number) => Array.from({ length: n }, (_, i) => u32le(-i));

  it('inet: IFLA_INET_CONF is u32 per IPV4_DEVCONF_*, named', () => {
    const bytes = nla(IFLA_AF_SPEC, nla(AF_INET, nla(IFLA_INET_CONF, ...v4(33))));
    const conf = linkAttributes.decode(bytes).afSpec!.inet!.conf!;
    expect(Object.keys(conf)).toEqual([...IPV4_DEVCONF]);
    expect(conf.forwarding).toBe(100); // IPV4_DEVCONF_FORWARDING = 1 → index 0
    expect(conf.arp_evict_nocarrier).toBe(132);
    expect(roundTrip(bytes)).toEqual(bytes);
  });

  it('inet: an older, shorter array decodes the entries it has and re-encodes at its length', () => {
    const bytes = nla(IFLA_AF_SPEC, nla(AF_INET, nla(IFLA_INET_CONF, ...v4(25))));
    const conf = linkAttributes.decode(bytes).afSpec!.inet!.conf!;
    expect(Object.keys(conf)).toHaveLength(25);
    expect(conf.route_localnet).toBeUndefined(); // the 26th
    expect(roundTrip(bytes)).toEqual(bytes);
  });

  it('inet: a newer, longer array keeps the entries it does not name', () => {
    const bytes = nla(IFLA_AF_SPEC, nla(AF_INET, nla(IFLA_INET_CONF, ...v4(36))));
    expect(Object.keys(linkAttributes.decode(bytes).afSpec!.inet!.conf!)).toHaveLength(33);
    expect(roundTrip(bytes)).toEqual(bytes);
  });

  it('inet6: flags, s32 devconf, cacheinfo, token, addr_gen_mode', () => {
    const bytes = nla(
      IFLA_AF_SPEC,
      nla(
        AF_INET6,
        nla(IFLA_INET6_FLAGS, u32le(0x80000000)),
        nla(IFLA_INET6_CONF, ...v6(IPV6_DEVCONF.length)),
        nla(IFLA_INET6_CACHEINFO, u32le(65535), u32le(1234), u32le(30000), u32le(1000)),
        nla(IFLA_INET6_TOKEN, hex('2001 0db8 0000 0000 0000 0000 0000 0042')),
        nla(IFLA_INET6_ADDR_GEN_MODE, u8(3)),
      ),
    );
    const inet6 = linkAttributes.decode(bytes).afSpec!.inet6!;
    expect(inet6.flags).toBe(0x80000000);
    expect(Object.keys(inet6.conf!)).toEqual([...IPV6_DEVCONF]);
    expect(inet6.conf!.forwarding).toBe(0); // DEVCONF_FORWARDING = 0
    expect(inet6.conf!.hoplimit).toBe(-1); // s32
    expect(inet6.conf!.accept_ra_min_lft).toBe(-(IPV6_DEVCONF.length - 1));
    expect(inet6.cacheinfo).toStrictEqual({
      max_reasm_len: 65535,
      tstamp: 1234,
      reachable_time: 30000,
      retrans_time: 1000,
    });
    expect(inet6.token).toBe('2001:db8::42');
    expect(inet6.addrGenMode).toBe('random');
    expect(roundTrip(bytes)).toEqual(bytes);
  });

  it('bridge: IFLA_BRIDGE_FLAGS (type 0), MODE, repeated VLAN_INFO, VLAN_TUNNEL_INFO', () => {
    const bytes = nest(
      IFLA_AF_SPEC,
      nest(
        AF_BRIDGE,
        nla(0, u16le(2)), // BRIDGE_FLAGS_SELF
        nla(1, u16le(1)), // BRIDGE_MODE_VEPA
        nla(2, u16le(0x6), u16le(1)), // pvid|untagged, vid 1
        nla(2, u16le(0), u16le(10)),
        nest(3, nla(1, u32le(4242)), nla(2, u16le(10)), nla(3, u16le(0))),
      ),
    );
    expect(linkAttributes.decode(bytes).afSpec!.bridge).toStrictEqual({
      flags: { names: ['self'], raw: 2 },
      mode: 'vepa',
      vlanInfo: [
        { flags: 6, vid: 1 },
        { flags: 0, vid: 10 },
      ],
      vlanTunnelInfo: [{ id: 4242, vid: 10, flags: { names: [], raw: 0 } }],
    });
    expect(roundTrip(bytes)).toEqual(bytes);
    // Written fresh, with NLA_F_NESTED on the nests.
    expect(
      encodeSet(afSpecAttributes as AttributeSet, {
        bridge: { flags: ['self'], mode: 'vepa', vlanInfo: [{ flags: 6, vid: 1 }] },
      }),
    ).toEqual(nest(AF_BRIDGE, nla(0, u16le(2)), nla(1, u16le(1)), nla(2, u16le(0x6), u16le(1))));
  });

  it('a devconf array cut inside an entry is BAD_PAYLOAD_SIZE naming the path', () => {
    const e = caught(() =>
      linkAttributes.decode(nla(IFLA_AF_SPEC, nla(AF_INET, nla(IFLA_INET_CONF, zeros(2))))),
    );
    expect(e).toBeInstanceOf(NetlinkDecodeError);
    expect(e).toMatchObject({ code: 'BAD_PAYLOAD_SIZE', path: 'link.afSpec.inet.conf' });
  });
});

describe('IFLA_XDP, IFLA_MAP, IFLA_PROTO_DOWN_REASON, IFLA_DPLL_PIN and other link attributes', () => {
  it('IFLA_XDP as the kernel sends it (no NLA_F_NESTED)', () => {
    const bytes = nla(43, nla(2, u8(1)), nla(4, u32le(7)), nla(5, u32le(7)), nla(3, u32le(2)));
    expect(linkAttributes.decode(bytes).xdp).toStrictEqual({
      attached: 'drv',
      progId: 7,
      drvProgId: 7,
      flags: { names: ['skb_mode'], raw: 2 },
    });
    expect(roundTrip(bytes)).toEqual(bytes);
  });

  it('IFLA_XDP request: fd and flags by name', () => {
    expect(
      encodeSet(linkAttributes as AttributeSet, {
        xdp: { fd: -1, flags: ['update_if_noexist', 'drv_mode'] },
      }),
    ).toEqual(nest(43, nla(1, u32le(-1)), nla(3, u32le(0x5))));
  });

  it('IFLA_MAP: struct rtnl_link_ifmap, 32 bytes with its tail padding', () => {
    const bytes = nla(
      14,
      u64le(0xfe000000n),
      u64le(0xfe0fffffn),
      u64le(0x300n),
      u16le(11),
      u8(2),
      u8(1),
      zeros(4),
    );
    expect(linkAttributes.decode(bytes).map).toStrictEqual({
      mem_start: 0xfe000000n,
      mem_end: 0xfe0fffffn,
      base_addr: 0x300n,
      irq: 11,
      dma: 2,
      port: 1,
    });
    expect(roundTrip(bytes)).toEqual(bytes);
  });

  it('IFLA_PROTO_DOWN_REASON, IFLA_LINKMODE, IFLA_EVENT, IFLA_EXT_MASK', () => {
    const bytes = cat(
      nest(55, nla(1, u32le(0xff)), nla(2, u32le(0x4))),
      nla(17, u8(1)),
      nla(44, u32le(3)),
      nla(29, u32le(0x9)),
    );
    expect(linkAttributes.decode(bytes)).toStrictEqual({
      protoDownReason: { mask: 0xff, value: 0x4 },
      linkmode: 'dormant',
      event: 'bonding_failover',
      extMask: { names: ['vf', 'skip_stats'], raw: 9 },
    });
    expect(roundTrip(bytes)).toEqual(bytes);
    expect(
      encodeSet(linkAttributes as AttributeSet, {
        linkmode: 'testing',
        extMask: ['vf', 'skip_stats'],
      }),
    ).toEqual(cat(nla(17, u8(2)), nla(29, u32le(9))));
  });

  it('IFLA_DPLL_PIN and IFLA_DEVLINK_PORT arrive as empty nests; 65–69 decode by name', () => {
    const bytes = cat(
      nla(62 | F_NESTED),
      nla(65 | F_NESTED),
      nla(66, u32le(0)),
      nla(67, u8(1)),
      nla(68, u16le(32)),
      nla(69, u16le(16)),
    );
    const d = linkAttributes.decode(bytes);
    expect(d).toStrictEqual({
      devlinkPort: Buffer.alloc(0),
      dpllPin: {},
      maxPacingOffloadHorizon: 0n,
      netnsImmutable: 1,
      headroom: 32,
      tailroom: 16,
    });
    expect(roundTrip(bytes)).toEqual(bytes);
  });

  it('IFLA_MAX_PACING_OFFLOAD_HORIZON is a YNL uint: u32 or u64', () => {
    const big = nla(66, u64le(0x1_0000_0000n));
    expect(linkAttributes.decode(big).maxPacingOffloadHorizon).toBe(0x1_0000_0000n);
    expect(roundTrip(big)).toEqual(big);
    expect(encodeSet(linkAttributes as AttributeSet, { maxPacingOffloadHorizon: 5n })).toEqual(
      nla(66, u32le(5)),
    );
    const e = caught(() => linkAttributes.decode(nla(66, u16le(1))));
    expect(e).toMatchObject({ code: 'BAD_PAYLOAD_SIZE', path: 'link.maxPacingOffloadHorizon' });
  });
});

describe('IFLA_VFINFO_LIST and IFLA_VF_PORTS', () => {
  const vf = (n: number) => u32le(n);
  const macBytes = cat(hex('02 00 00 00 00 07'), zeros(26));
  const vfinfo = nest(
    1, // IFLA_VF_INFO
    nla(1, vf(0), macBytes), // IFLA_VF_MAC
    nla(2, vf(0), u32le(100), u32le(3)), // IFLA_VF_VLAN
    nla(3, vf(0), u32le(1000)), // IFLA_VF_TX_RATE
    nla(4, vf(0), u32le(1)), // IFLA_VF_SPOOFCHK
    nla(5, vf(0), u32le(2)), // IFLA_VF_LINK_STATE: disable
    nla(6, vf(0), u32le(10), u32le(1000)), // IFLA_VF_RATE
    nla(7, vf(0), u32le(0)), // IFLA_VF_RSS_QUERY_EN
    nest(
      8, // IFLA_VF_STATS: RX_PACKETS is attribute 0
      nla(0, u64le(1n)),
      nla(1, u64le(2n)),
      nla(2, u64le(3n)),
      nla(3, u64le(4n)),
      nla(4, u64le(5n)),
      nla(5, u64le(6n)),
      nla(7, u64le(7n)),
      nla(8, u64le(8n)),
    ),
    nla(9, vf(0), u32le(1)), // IFLA_VF_TRUST
    nla(10, vf(0), zeros(4), u64le(0x0011223344556677n)), // IFLA_VF_IB_NODE_GUID
    nest(12, nla(1, vf(0), u32le(100), u32le(3), be16(0x88a8), zeros(2))), // IFLA_VF_VLAN_LIST
    nla(13, hex('ff ff ff ff ff ff'), zeros(26)), // IFLA_VF_BROADCAST
  );

  it('decodes every IFLA_VF_* and re-encodes byte for byte', () => {
    const bytes = cat(nla(21, u32le(1)), nest(22, vfinfo));
    const d = linkAttributes.decode(bytes);
    expect(d.numVf).toBe(1);
    expect(d.vfinfoList).toStrictEqual({
      info: [
        {
          mac: { vf: 0, mac: '02:00:00:00:00:07' },
          vlan: { vf: 0, vlan: 100, qos: 3 },
          txRate: { vf: 0, rate: 1000 },
          spoofchk: { vf: 0, setting: 1 },
          linkState: { vf: 0, link_state: 2 },
          rate: { vf: 0, min_tx_rate: 10, max_tx_rate: 1000 },
          rssQueryEn: { vf: 0, setting: 0 },
          stats: {
            rxPackets: 1n,
            txPackets: 2n,
            rxBytes: 3n,
            txBytes: 4n,
            broadcast: 5n,
            multicast: 6n,
            rxDropped: 7n,
            txDropped: 8n,
          },
          trust: { vf: 0, setting: 1 },
          ibNodeGuid: { vf: 0, guid: 0x0011223344556677n },
          vlanList: { info: [{ vf: 0, vlan: 100, qos: 3, vlan_proto: 0x88a8 }] },
          broadcast: 'ff:ff:ff:ff:ff:ff',
        },
      ],
    });
    expect(roundTrip(bytes)).toEqual(bytes);
  });

  it('a VF MAC of the wrong size is BAD_PAYLOAD_SIZE naming it', () => {
    const e = caught(() => linkAttributes.decode(nest(22, nest(1, nla(1, vf(0), zeros(6))))));
    expect(e).toMatchObject({ code: 'BAD_PAYLOAD_SIZE', path: 'link.vfinfoList.info.mac' });
  });

  it('IFLA_VF_PORTS and IFLA_PORT_SELF: IFLA_PORT_* nests', () => {
    const port = (n: number) =>
      cat(
        nla(1, u32le(n)),
        nla(2, str('profile1')),
        nla(3, u8(1), hex('000002'), u8(3), zeros(3)),
        nla(4, hex('00112233445566778899aabbccddeeff')),
        nla(6, u8(2)),
        nla(7, u16le(0x100)),
      );
    const bytes = cat(nest(24, nest(1, port(0)), nest(1, port(1))), nest(25, port(0xffffffff)));
    const d = linkAttributes.decode(bytes);
    expect(d.vfPorts!.port).toHaveLength(2);
    expect(d.portSelf).toStrictEqual({
      vf: 0xffffffff,
      profile: 'profile1',
      vsiType: { vsi_mgr_id: 1, vsi_type_id: hex('000002'), vsi_type_version: 3 },
      instanceUuid: hex('00112233445566778899aabbccddeeff'),
      request: 'associate',
      response: 'profile_success',
    });
    expect(roundTrip(bytes)).toEqual(bytes);
  });
});

describe('ifi_flags and ifi_type names', () => {
  it('iffFlagNames names the IFF_* bits as iproute2 prints them', () => {
    expect(iffFlagNames(0x11043)).toEqual(['up', 'broadcast', 'running', 'multicast', 'lower_up']);
    expect(iffFlagNames(IFF_FLAGS.loopback | IFF_FLAGS.echo | 0x8000_0000)).toEqual([
      'loopback',
      'echo',
    ]);
  });

  it('arphrdName', () => {
    expect([arphrdName(1), arphrdName(772), arphrdName(0xfffe), arphrdName(778)]).toEqual([
      'ether',
      'loopback',
      'none',
      'gre',
    ]);
    expect(arphrdName(12345)).toBeUndefined();
  });
});

describe('devconf against the kernel (sysctl in a namespace the test made)', () => {
  const RTM_GETLINK = 18;
  let ns: Netns;
  let conn: Connection;
  const sysctl = (path: string) =>
    execFileSync('nsenter', [`--net=/proc/${process.pid}/fd/${ns.fd}`, 'cat', path], {
      encoding: 'utf8',
    }).trim();
  const set = (key: string, value: string) =>
    execFileSync('nsenter', [
      `--net=/proc/${process.pid}/fd/${ns.fd}`,
      'sysctl',
      '-q',
      '-w',
      `${key}=${value}`,
    ]);

  beforeAll(async () => {
    ns = createNetns();
    // Values away from their defaults, so a shifted array cannot pass.
    set('net.ipv4.conf.lo.forwarding', '1');
    set('net.ipv4.conf.lo.rp_filter', '2');
    set('net.ipv4.conf.lo.arp_announce', '2');
    set('net.ipv4.conf.lo.arp_ignore', '1');
    set('net.ipv4.conf.lo.log_martians', '1');
    set('net.ipv4.conf.lo.route_localnet', '1');
    set('net.ipv4.conf.lo.igmpv3_unsolicited_report_interval', '2000');
    set('net.ipv6.conf.lo.hop_limit', '17');
    set('net.ipv6.conf.lo.max_addresses', '7');
    set('net.ipv6.conf.lo.dad_transmits', '3');
    conn = await Connection.open({ netns: ns.fd });
  });

  afterAll(() => {
    conn?.close();
    ns?.close();
  });

  async function lo() {
    const replies = await conn.request(RTM_GETLINK, (w) =>
      linkMessage.encode(w, { header: { index: 1 }, attributes: { extMask: ['vf'] } }),
    );
    return linkMessage.decode(replies[0]!.payload).attributes;
  }

  // Names of /proc/sys/net/ipv4/conf/DEV/* where they differ from the IPV4_DEVCONF_* name.
  const V4_SYSCTL: Record<string, string> = {
    arpfilter: 'arp_filter',
    noxfrm: 'disable_xfrm',
    nopolicy: 'disable_policy',
    src_vmark: 'src_valid_mark',
  };

  it('IPv4: every devconf entry equals its sysctl', async () => {
    const conf = (await lo()).afSpec!.inet!.conf!;
    expect(Object.keys(conf)).toHaveLength(IPV4_DEVCONF.length);
    for (const name of IPV4_DEVCONF) {
      const file = V4_SYSCTL[name] ?? name;
      expect(conf[name], name).toBe(Number(sysctl(`/proc/sys/net/ipv4/conf/lo/${file}`)));
    }
    expect(conf.rp_filter).toBe(2);
  });

  it('IPv6: devconf entries in plain units equal their sysctl', async () => {
    const conf = (await lo()).afSpec!.inet6!.conf!;
    const V6: Record<string, string> = {
      forwarding: 'forwarding',
      hoplimit: 'hop_limit',
      mtu6: 'mtu',
      accept_ra: 'accept_ra',
      accept_redirects: 'accept_redirects',
      autoconf: 'autoconf',
      dad_transmits: 'dad_transmits',
      use_tempaddr: 'use_tempaddr',
      max_addresses: 'max_addresses',
      proxy_ndp: 'proxy_ndp',
      disable_ipv6: 'disable_ipv6',
      accept_dad: 'accept_dad',
      ndisc_notify: 'ndisc_notify',
      keep_addr_on_down: 'keep_addr_on_down',
      seg6_enabled: 'seg6_enabled',
      addr_gen_mode: 'addr_gen_mode',
      ioam6_id: 'ioam6_id',
    };
    for (const [name, file] of Object.entries(V6)) {
      expect(conf[name as keyof typeof conf], name).toBe(
        Number(sysctl(`/proc/sys/net/ipv6/conf/lo/${file}`)),
      );
    }
    expect(conf.hoplimit).toBe(17);
  });
});

it('IFLA_VFINFO_LIST raw bytes: a VF MAC address longer than 6 bytes keeps every byte', () => {
  const ib = cat(
    u32le(0),
    hex('80 00 00 48 fe 80 00 00 00 00 00 00 00 02 c9 03 00 0a 0b 0c'),
    zeros(12),
  );
  const bytes = nest(22, nest(1, nla(1, ib)));
  const d = linkAttributes.decode(bytes);
  expect(d.vfinfoList!.info![0]!.mac!.mac).toBe(
    '80:00:00:48:fe:80:00:00:00:00:00:00:00:02:c9:03:00:0a:0b:0c',
  );
  expect(roundTrip(bytes)).toEqual(bytes);
});
