// Link kinds: the tricky layouts against bytes built by hand (test/helpers/bytes.ts), the kind
// helpers and their typed errors, and links of every kind this kernel has created through
// linkMessage in a namespace the test made, checked against `ip -j -d link show` there.
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AttributeWriter } from '../../src/netlink/attributes.js';
import { Connection } from '../../src/netlink/connection.js';
import { NetlinkDecodeError, NetlinkEncodeError, NetlinkError } from '../../src/netlink/errors.js';
import type { AttributeSet } from '../../src/netlink/schema.js';
import { createNetns, type Netns } from '../../src/ns/index.js';
import {
  bondAttributes,
  bridgeAttributes,
  greAttributes,
  isLinkKind,
  LINK_KIND_DATA,
  LINK_SLAVE_DATA,
  type LinkInfoSpec,
  type LinkKindSpec,
  linkInfo,
  macvlanAttributes,
  vethAttributes,
  vlanAttributes,
  vxlanAttributes,
} from '../../src/rtnetlink/kinds/index.js';
import { linkAttributes, linkMessage } from '../../src/rtnetlink/link.js';
import {
  be16,
  be32,
  cat,
  F_NESTED,
  hex,
  nest,
  nla,
  str,
  u8,
  u16le,
  u32le,
  zeros,
} from '../helpers/bytes.js';
import { caught } from '../helpers/caught.js';

function encodeSet(set: AttributeSet, value: unknown): Buffer {
  const w = new AttributeWriter();
  set.encode(w, value as never);
  return Buffer.from(w.bytes());
}
const linkEncode = (v: unknown) => encodeSet(linkAttributes as AttributeSet, v);

/** struct ifinfomsg: family, pad, type, index, flags, change. */
const ifinfomsg = (index = 0, flags = 0, change = 0, type = 0) =>
  cat(u8(0), u8(0), u16le(type), u32le(index), u32le(flags), u32le(change));

describe('veth: VETH_INFO_PEER is an ifinfomsg followed by IFLA_* attributes', () => {
  const peer = cat(
    ifinfomsg(),
    nla(3, str('p0')), // IFLA_IFNAME
    nla(1, hex('02 00 00 00 00 02')), // IFLA_ADDRESS
    nla(19, u32le(4242)), // IFLA_NET_NS_PID
  );
  const bytes = nest(18, nla(1, str('veth')), nest(2, nest(1, peer)));
  const value = {
    linkinfo: {
      kind: 'veth',
      data: {
        peer: {
          header: { family: 0, type: 0, index: 0, flags: 0, change: 0 },
          attributes: { ifname: 'p0', address: '02:00:00:00:00:02', netNsPid: 4242 },
        },
      },
    },
  };

  it('decodes', () => {
    expect(linkAttributes.decode(bytes)).toStrictEqual(value);
  });

  it('encodes from a natural object (the peer header may be left out)', () => {
    expect(linkEncode(value)).toEqual(bytes);
    const { header: _h, ...noHeader } = value.linkinfo.data.peer;
    expect(linkEncode({ linkinfo: { kind: 'veth', data: { peer: noHeader } } })).toEqual(bytes);
  });

  it('a peer nest without NLA_F_NESTED (as iproute2 sends it) re-encodes as it came', () => {
    const plain = nla(18, nla(1, str('veth')), nla(2, nla(1, peer)));
    expect(linkEncode(linkAttributes.decode(plain))).toEqual(plain);
  });

  it('a peer shorter than struct ifinfomsg is BAD_PAYLOAD_SIZE naming it', () => {
    const e = caught(() =>
      linkAttributes.decode(nest(18, nla(1, str('veth')), nest(2, nest(1, zeros(8))))),
    );
    expect(e).toBeInstanceOf(NetlinkDecodeError);
    expect(e).toMatchObject({ code: 'BAD_PAYLOAD_SIZE', path: 'link.linkinfo.data(veth).peer' });
  });

  it('a peer attribute names its path when it is wrong', () => {
    const e = caught(() =>
      vethAttributes.encode(new AttributeWriter(), {
        peer: { attributes: { mtu: -1 } },
      } as never),
    );
    expect(e).toBeInstanceOf(NetlinkEncodeError);
    expect(e).toMatchObject({ path: 'veth.peer.mtu' });
  });
});

describe('vlan: flags struct and QoS mapping lists', () => {
  const bytes = cat(
    nla(1, u16le(100)), // IFLA_VLAN_ID
    nla(2, u32le(0x5), u32le(0x7)), // IFLA_VLAN_FLAGS { flags, mask }
    nest(3, nla(1, u32le(0), u32le(1)), nla(1, u32le(2), u32le(3))), // EGRESS_QOS
    nest(4, nla(1, u32le(5), u32le(6))), // INGRESS_QOS
    nla(5, be16(0x88a8)), // IFLA_VLAN_PROTOCOL, network order
  );
  const value = {
    id: 100,
    flags: { flags: 0x5, mask: 0x7 },
    egressQos: {
      mapping: [
        { from: 0, to: 1 },
        { from: 2, to: 3 },
      ],
    },
    ingressQos: { mapping: [{ from: 5, to: 6 }] },
    protocol: '802.1ad',
  };

  it('decodes and encodes', () => {
    expect(vlanAttributes.decode(bytes)).toStrictEqual(value);
    expect(encodeSet(vlanAttributes as AttributeSet, value)).toEqual(bytes);
  });

  it('the protocol is an ethertype: 802.1Q by name or by number', () => {
    expect(encodeSet(vlanAttributes as AttributeSet, { protocol: '802.1Q' })).toEqual(
      nla(5, be16(0x8100)),
    );
    expect(encodeSet(vlanAttributes as AttributeSet, { protocol: 0x8100 })).toEqual(
      nla(5, be16(0x8100)),
    );
    expect(vlanAttributes.decode(nla(5, be16(0x9100))).protocol).toBe(0x9100);
    const e = caught(() => encodeSet(vlanAttributes as AttributeSet, { protocol: '802.1x' }));
    expect(e).toMatchObject({ code: 'BAD_VALUE', path: 'vlan.protocol' });
  });
});

describe('bond: ARP and NS targets are nests numbered from 0', () => {
  it('IFLA_BOND_ARP_IP_TARGET decodes to addresses and encodes from them', () => {
    const bytes = nla(8, nla(0, hex('c0 00 02 01')), nla(1, hex('c0 00 02 02')));
    expect(bondAttributes.decode(bytes)).toStrictEqual({
      arpIpTarget: ['192.0.2.1', '192.0.2.2'],
    });
    expect(
      encodeSet(bondAttributes as AttributeSet, { arpIpTarget: ['192.0.2.1', '192.0.2.2'] }),
    ).toEqual(bytes);
  });

  it('the kernel skips empty slots: their numbers survive a round trip', () => {
    const bytes = nla(8, nla(0, hex('c0 00 02 01')), nla(3, hex('c6 33 64 07')));
    const d = bondAttributes.decode(bytes);
    expect(d.arpIpTarget).toEqual(['192.0.2.1', '198.51.100.7']);
    expect(encodeSet(bondAttributes as AttributeSet, d)).toEqual(bytes);
  });

  it('IFLA_BOND_NS_IP6_TARGET holds IPv6 addresses', () => {
    const bytes = nla(31, nla(0, hex('2001 0db8 0000 0000 0000 0000 0000 0001')));
    expect(bondAttributes.decode(bytes)).toStrictEqual({ nsIp6Target: ['2001:db8::1'] });
    expect(encodeSet(bondAttributes as AttributeSet, { nsIp6Target: ['2001:db8::1'] })).toEqual(
      bytes,
    );
  });

  it('a wrong address is refused before anything is sent, naming the entry', () => {
    const e = caught(() =>
      encodeSet(bondAttributes as AttributeSet, { arpIpTarget: ['192.0.2.1', '2001:db8::1'] }),
    );
    expect(e).toBeInstanceOf(NetlinkEncodeError);
    expect(e).toMatchObject({ code: 'BAD_ADDRESS', path: 'bond.arpIpTarget[1]' });
  });

  it('an entry of the wrong size is a decode error naming the attribute', () => {
    const e = caught(() => bondAttributes.decode(nla(8, nla(0, hex('c0 00 02')))));
    expect(e).toMatchObject({ code: 'BAD_PAYLOAD_SIZE', path: 'bond.arpIpTarget' });
  });

  it('mode and the other enums by iproute2 name', () => {
    expect(
      encodeSet(bondAttributes as AttributeSet, {
        mode: '802.3ad',
        xmitHashPolicy: 'layer3+4',
        arpValidate: 'filter_backup',
      }),
    ).toEqual(cat(nla(1, u8(4)), nla(14, u8(1)), nla(9, u32le(6))));
  });
});

describe('bridge identifiers, flags, timers', () => {
  it('IFLA_BR_ROOT_ID: struct ifla_bridge_id as { prio, addr }', () => {
    const bytes = nla(10, hex('80 00 02 00 00 00 00 01'));
    expect(bridgeAttributes.decode(bytes)).toStrictEqual({
      rootId: { prio: 0x8000, addr: '02:00:00:00:00:01' },
    });
    expect(
      encodeSet(bridgeAttributes as AttributeSet, {
        rootId: { prio: 0x8000, addr: '02:00:00:00:00:01' },
      }),
    ).toEqual(bytes);
    expect(caught(() => bridgeAttributes.decode(nla(10, zeros(6))))).toMatchObject({
      code: 'BAD_PAYLOAD_SIZE',
      path: 'bridge.rootId',
    });
    expect(
      caught(() =>
        encodeSet(bridgeAttributes as AttributeSet, { rootId: { prio: 1, addr: '02:00' } }),
      ),
    ).toMatchObject({ code: 'BAD_LLADDR', path: 'bridge.rootId.addr' });
  });

  it('u64 timers and intervals are bigints; fdb_flush is a flag', () => {
    const bytes = cat(nla(19, hex('e8 03 00 00 00 00 00 00')), nla(21));
    expect(bridgeAttributes.decode(bytes)).toStrictEqual({ gcTimer: 1000n, fdbFlush: true });
    expect(encodeSet(bridgeAttributes as AttributeSet, { gcTimer: 1000n, fdbFlush: true })).toEqual(
      bytes,
    );
    expect(encodeSet(bridgeAttributes as AttributeSet, { fdbFlush: false })).toEqual(
      Buffer.alloc(0),
    );
  });
});

describe('vxlan and tunnels', () => {
  it('IFLA_VXLAN_TTL_INHERIT: a flag in requests, a u8 in replies', () => {
    expect(vxlanAttributes.decode(nla(28))).toStrictEqual({ ttlInherit: true });
    expect(vxlanAttributes.decode(nla(28, u8(1)))).toStrictEqual({ ttlInherit: 1 });
    expect(encodeSet(vxlanAttributes as AttributeSet, { ttlInherit: true })).toEqual(nla(28));
    expect(encodeSet(vxlanAttributes as AttributeSet, { ttlInherit: 0 })).toEqual(nla(28, u8(0)));
    expect(caught(() => vxlanAttributes.decode(nla(28, u16le(1))))).toMatchObject({
      code: 'BAD_PAYLOAD_SIZE',
      path: 'vxlan.ttlInherit',
    });
  });

  it('ports in network order; the source range a struct of two be16', () => {
    const bytes = cat(nla(15, be16(4789)), nla(10, be16(5000), be16(6000)));
    const value = { port: 4789, portRange: { low: 5000, high: 6000 } };
    expect(vxlanAttributes.decode(bytes)).toStrictEqual(value);
    expect(encodeSet(vxlanAttributes as AttributeSet, value)).toEqual(bytes);
  });

  it('GRE flags by name, keys in network order', () => {
    const value = { iflags: ['key', 'seq'], ikey: 0x01020304, local: '192.0.2.1' };
    expect(encodeSet(greAttributes as AttributeSet, value)).toEqual(
      cat(nla(2, be16(0x3000)), nla(4, be32(0x01020304)), nla(6, hex('c0 00 02 01'))),
    );
  });
});

describe('linkInfo(): a kind spec checked before anything is encoded', () => {
  it('passes a known kind with its options through', () => {
    const spec: LinkKindSpec = { kind: 'vxlan', data: { id: 42, port: 4789 } };
    expect(linkInfo(spec)).toEqual({ kind: 'vxlan', data: { id: 42, port: 4789 } });
    expect(linkInfo({ kind: 'ifb' })).toEqual({ kind: 'ifb' });
    expect(linkInfo({ slaveKind: 'bridge', slaveData: { cost: 10 } })).toEqual({
      slaveKind: 'bridge',
      slaveData: { cost: 10 },
    });
  });

  it('an unknown option is UNKNOWN_ATTRIBUTE naming it', () => {
    const e = caught(() => linkInfo({ kind: 'vxlan', data: { id: 1, bogus: 2 } } as never));
    expect(e).toBeInstanceOf(NetlinkEncodeError);
    expect(e).toMatchObject({ code: 'UNKNOWN_ATTRIBUTE', path: 'linkinfo.data(vxlan).bogus' });
    expect(
      caught(() => linkInfo({ slaveKind: 'bond', slaveData: { cost: 1 } } as never)),
    ).toMatchObject({ code: 'UNKNOWN_ATTRIBUTE', path: 'linkinfo.slaveData(bond).cost' });
  });

  it('a kind rtnl does not know takes raw bytes only', () => {
    expect(linkInfo({ kind: 'team', data: hex('0400 0100') })).toEqual({
      kind: 'team',
      data: hex('0400 0100'),
    });
    expect(caught(() => linkInfo({ kind: 'team', data: { x: 1 } } as never))).toMatchObject({
      code: 'BAD_VALUE',
      path: 'linkinfo.data',
    });
    expect(caught(() => linkInfo({ kind: '' }))).toMatchObject({ path: 'linkinfo.kind' });
    expect(caught(() => linkInfo({ slaveKind: 'veth' } as never))).toMatchObject({
      path: 'linkinfo.slaveKind',
    });
    expect(caught(() => linkInfo({} as never))).toMatchObject({ path: 'linkinfo' });
  });

  it('the encoder refuses an unknown option too, naming the kind', () => {
    const e = caught(() =>
      linkEncode({ linkinfo: { kind: 'macvlan', data: { mode: 'bridge', colour: 1 } } }),
    );
    expect(e).toMatchObject({ code: 'UNKNOWN_ATTRIBUTE', path: 'link.linkinfo.data(macvlan)' });
  });

  it('types: the spec is a union discriminated by kind', () => {
    const ok: LinkInfoSpec[] = [
      { kind: 'bridge', data: { stpState: 1, vlanProtocol: '802.1ad' } },
      { kind: 'bond', data: { mode: 'active-backup', arpIpTarget: ['192.0.2.1'] } },
      { kind: 'veth', data: { peer: { attributes: { ifname: 'p' } } } },
      { kind: 'bridge', slaveKind: 'bridge', slaveData: { learning: 0 } },
      { kind: 'wireguard' },
    ];
    // @ts-expect-error a vxlan has no stpState
    const bad: LinkKindSpec = { kind: 'vxlan', data: { stpState: 1 } };
    expect(ok).toHaveLength(5);
    expect(bad.kind).toBe('vxlan');
  });

  it('the tables: every kind of the issue, and the master kinds with member data', () => {
    expect(Object.keys(LINK_KIND_DATA).sort()).toEqual(
      [
        'bond',
        'bridge',
        'dummy',
        'erspan',
        'geneve',
        'gre',
        'gretap',
        'ifb',
        'ip6erspan',
        'ip6gre',
        'ip6gretap',
        'ip6tnl',
        'ipip',
        'ipvlan',
        'ipvtap',
        'macvlan',
        'macvtap',
        'sit',
        'tun',
        'veth',
        'vlan',
        'vrf',
        'vti',
        'vti6',
        'vxlan',
        'wireguard',
      ].sort(),
    );
    expect(Object.keys(LINK_SLAVE_DATA).sort()).toEqual(['bond', 'bridge', 'vrf']);
    expect([isLinkKind('vxlan'), isLinkKind('toString'), isLinkKind('team')]).toEqual([
      true,
      false,
      false,
    ]);
  });
});

// ---- against the kernel ----------------------------------------------------------------------

describe('links made through linkMessage, checked with ip -j -d (a namespace the test made)', () => {
  const RTM_NEWLINK = 16;
  const NLM_F_CREATE = 0x400;
  const NLM_F_EXCL = 0x200;
  let ns: Netns;
  let peerNs: Netns;
  let conn: Connection;
  const ip = (...args: string[]) =>
    execFileSync('nsenter', [`--net=/proc/${process.pid}/fd/${ns.fd}`, 'ip', ...args], {
      encoding: 'utf8',
    });
  // biome-ignore lint/suspicious/noExplicitAny: ip's JSON
  const show = (dev: string): any => JSON.parse(ip('-j', '-d', 'link', 'show', 'dev', dev))[0];
  const ifindex = (dev: string) => show(dev).ifindex as number;

  const newLink = (attributes: object, index = 0, create = true) =>
    conn.request(
      RTM_NEWLINK,
      (w) => linkMessage.encode(w, { header: { index }, attributes: attributes as never }),
      { flags: create ? NLM_F_CREATE | NLM_F_EXCL : 0 },
    );

  beforeAll(async () => {
    ns = createNetns();
    peerNs = createNetns();
    conn = await Connection.open({ netns: ns.fd });
    ip('link', 'add', 'lower0', 'type', 'ifb');
  });

  afterAll(() => {
    conn?.close();
    peerNs?.close();
    ns?.close();
  });

  it('ifb', async () => {
    await newLink({ ifname: 'k-ifb', txqlen: 64, linkinfo: linkInfo({ kind: 'ifb' }) });
    expect(show('k-ifb')).toMatchObject({ txqlen: 64, linkinfo: { info_kind: 'ifb' } });
  });

  it('veth with its peer moved to another namespace by fd', async () => {
    await newLink({
      ifname: 'k-veth',
      address: '02:00:00:00:01:01',
      linkinfo: linkInfo({
        kind: 'veth',
        data: {
          peer: {
            attributes: { ifname: 'k-peer', address: '02:00:00:00:01:02', netNsFd: peerNs.fd },
          },
        },
      }),
    });
    expect(show('k-veth')).toMatchObject({
      address: '02:00:00:00:01:01',
      linkinfo: { info_kind: 'veth' },
    });
    const peer = JSON.parse(
      execFileSync(
        'nsenter',
        [`--net=/proc/${process.pid}/fd/${peerNs.fd}`, 'ip', '-j', 'link', 'show', 'dev', 'k-peer'],
        { encoding: 'utf8' },
      ),
    )[0];
    expect(peer.address).toBe('02:00:00:00:01:02');
  });

  it('bridge, then a port with member options (IFLA_INFO_SLAVE_KIND/DATA)', async () => {
    await newLink({
      ifname: 'k-br',
      linkinfo: linkInfo({
        kind: 'bridge',
        data: {
          forwardDelay: 500,
          helloTime: 300,
          maxAge: 2400,
          ageingTime: 12000,
          priority: 0x1000,
          groupFwdMask: 8,
          groupAddr: '01:80:c2:00:00:0e',
          mcastSnooping: 0,
          mcastIgmpVersion: 3,
          mcastQueryIntvl: 13000n,
        },
      }),
    });
    expect(show('k-br').linkinfo.info_data).toMatchObject({
      forward_delay: 500,
      hello_time: 300,
      max_age: 2400,
      ageing_time: 12000,
      priority: 4096,
      group_fwd_mask: '0x8',
      group_addr: '01:80:c2:00:00:0e',
      mcast_snooping: 0,
      mcast_igmp_version: 3,
      mcast_query_intvl: 13000,
    });
    const port = ifindex('k-veth');
    await newLink({ master: ifindex('k-br') }, port, false);
    await newLink(
      {
        linkinfo: linkInfo({
          slaveKind: 'bridge',
          slaveData: { cost: 77, priority: 9, learning: 0, isolated: 1, multicastRouter: 'perm' },
        }),
      },
      port,
      false,
    );
    expect(show('k-veth').linkinfo).toMatchObject({
      info_slave_kind: 'bridge',
      info_slave_data: {
        cost: 77,
        priority: 9,
        learning: false,
        isolated: true,
        multicast_router: 2,
      },
    });
  });

  it('vxlan (IPv4 and IPv6)', async () => {
    await newLink({
      ifname: 'k-vx4',
      linkinfo: linkInfo({
        kind: 'vxlan',
        data: {
          id: 77,
          group: '239.1.1.7',
          link: ifindex('lower0'),
          port: 4790,
          portRange: { low: 4000, high: 5000 },
          ttl: 9,
          learning: 0,
          ageing: 120,
          limit: 50,
        },
      }),
    });
    expect(show('k-vx4').linkinfo.info_data).toMatchObject({
      id: 77,
      group: '239.1.1.7',
      link: 'lower0',
      port: 4790,
      port_range: { low: 4000, high: 5000 },
      ttl: 9,
      learning: false,
      ageing: 120,
      limit: 50,
    });
    await newLink({
      ifname: 'k-vx6',
      linkinfo: linkInfo({
        kind: 'vxlan',
        data: {
          id: 78,
          group6: '2001:db8::2',
          local6: '2001:db8::1',
          ttlInherit: true,
          label: 0x2345,
          df: 'inherit',
          udpZeroCsum6Tx: 1,
        },
      }),
    });
    expect(show('k-vx6').linkinfo.info_data).toMatchObject({
      id: 78,
      remote6: '2001:db8::2',
      local6: '2001:db8::1',
      label: '0x2345',
      df: 'inherit',
      udp_zero_csum6_tx: true,
    });
  });

  it('macvlan (source mode with a MAC list) and macvtap', async () => {
    await newLink({
      ifname: 'k-mv',
      link: ifindex('lower0'),
      linkinfo: linkInfo({
        kind: 'macvlan',
        data: {
          mode: 'source',
          macaddrMode: 'set',
          macaddrData: { macaddr: ['02:00:00:00:02:01', '02:00:00:00:02:02'] },
          bcQueueLen: 300,
        },
      }),
    });
    const mv = show('k-mv').linkinfo.info_data;
    expect(mv).toMatchObject({ mode: 'source', bcqueuelen: 300, macaddr_count: 2 });
    expect([...mv.macaddr_data].sort()).toEqual(['02:00:00:00:02:01', '02:00:00:00:02:02']);
    await newLink({
      ifname: 'k-mvt',
      link: ifindex('lower0'),
      linkinfo: linkInfo({ kind: 'macvtap', data: { mode: 'vepa' } }),
    });
    expect(show('k-mvt').linkinfo).toMatchObject({
      info_kind: 'macvtap',
      info_data: { mode: 'vepa' },
    });
  });

  it('a kind this kernel lacks: the kernel refuses with its extended-ack message', async () => {
    const e = await newLink({
      ifname: 'k-gre',
      linkinfo: linkInfo({ kind: 'gre', data: { remote: '192.0.2.2', ikey: 1 } }),
    }).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(NetlinkError);
    expect(e).toMatchObject({ code: 'EOPNOTSUPP' });
    expect((e as NetlinkError).message).toContain('Unknown device type');
  });

  it('decoding what the kernel sends back names every kind attribute (no unknowns)', async () => {
    for (const dev of ['k-br', 'k-veth', 'k-vx4', 'k-vx6', 'k-mv', 'k-mvt', 'k-ifb']) {
      const [m] = await conn.request(18, (w) =>
        linkMessage.encode(w, { header: { index: ifindex(dev) }, attributes: { extMask: ['vf'] } }),
      );
      const a = linkMessage.decode(m!.payload).attributes;
      expect(a.unknown, dev).toBeUndefined();
      const info = a.linkinfo!;
      expect(info.data instanceof Uint8Array, dev).toBe(false);
      expect((info.data as { unknown?: unknown } | undefined)?.unknown, dev).toBeUndefined();
      expect(
        (info.slaveData as { unknown?: unknown } | undefined)?.unknown,
        `${dev} slave data`,
      ).toBeUndefined();
    }
  });
});

it('IFLA_INFO_DATA nests carry NLA_F_NESTED when we write them', () => {
  const bytes = linkEncode({ linkinfo: { kind: 'vrf', data: { table: 10 } } });
  expect(bytes).toEqual(nest(18, nla(1, str('vrf')), nest(2, nla(1, u32le(10)))));
  expect(bytes.readUInt16LE(2) & F_NESTED).toBe(F_NESTED);
  expect(macvlanAttributes.name).toBe('macvlan');
});
