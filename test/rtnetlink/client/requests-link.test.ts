// Our link requests against iproute2's, byte for byte: every captured `ip link` request fixture
// is rebuilt from a spec (its options in the command's order, devices as the ifindexes the
// fixture's JSON records) and must equal the captured nlmsg_type, nlmsg_flags and payload.
import { describe, expect, it } from 'vitest';
import { NetlinkEncodeError } from '../../../src/netlink/errors.js';
import {
  type LinkChanges,
  type LinkSpec,
  linkAddRequest,
  linkDeleteRequest,
  linkDumpRequest,
  linkGetRequest,
  linkLookupRequest,
  linkReplaceRequest,
  linkSetRequest,
  type RequestMessage,
} from '../../../src/rtnetlink/requests/link.js';
import { cat, nla, str, u32le, utf8, zeros } from '../../helpers/bytes.js';
import { caught } from '../../helpers/caught.js';
import { type FixtureAttr, type FixtureMessage, loadFixture } from '../../helpers/fixtures.js';
import { cValues } from '../../helpers/uapi.js';

/** The first message of a captured request: its type, flags and payload, and strace's decode. */
function captured(name: string) {
  const f = loadFixture(name);
  const d = f.messages[0]!;
  const len = d.readUInt32LE(0);
  return {
    type: d.readUInt16LE(4),
    flags: d.readUInt16LE(6),
    payload: Buffer.from(d.subarray(16, len)),
    message: f.meta.expect.datagrams[0]!.messages[0]!,
    command: f.meta.provenance.command,
  };
}

/** A top-level attribute strace decoded as a number. */
function attrValue(m: FixtureMessage, type: number): number {
  const a = m.attrs?.find((x: FixtureAttr) => x.type === type);
  if (typeof a?.value !== 'number') throw new Error(`no numeric attribute ${type}`);
  return a.value;
}

/** A u32 inside the hex of IFLA_LINKINFO → IFLA_INFO_DATA (read here, not with src/). */
function dataU32(m: FixtureMessage, type: number): number {
  const info = m.attrs?.find((x) => x.type === 18)?.nested?.find((x) => x.type === 2);
  const b = Buffer.from(info?.hex ?? '', 'hex');
  for (let off = 0; off + 4 <= b.length; off += (b.readUInt16LE(off) + 3) & ~3) {
    if ((b.readUInt16LE(off + 2) & 0x3fff) === type) return b.readUInt32LE(off + 4);
  }
  throw new Error(`no data attribute ${type}`);
}

/** The kernel constants the hand-written bytes below use, checked by the C compiler at the end. */
const C = {
  IFLA_ADDRESS: 1,
  IFLA_BROADCAST: 2,
  IFLA_IFNAME: 3,
  IFLA_MTU: 4,
  IFLA_LINK: 5,
  IFLA_MASTER: 10,
  IFLA_TXQLEN: 13,
  IFLA_LINKINFO: 18,
  IFLA_NET_NS_PID: 19,
  IFLA_IFALIAS: 20,
  IFLA_AF_SPEC: 26,
  IFLA_GROUP: 27,
  IFLA_NET_NS_FD: 28,
  IFLA_EXT_MASK: 29,
  IFLA_NUM_TX_QUEUES: 31,
  IFLA_NUM_RX_QUEUES: 32,
  IFLA_CARRIER: 33,
  IFLA_LINK_NETNSID: 37,
  IFLA_PROTO_DOWN: 39,
  IFLA_GSO_MAX_SEGS: 40,
  IFLA_GSO_MAX_SIZE: 41,
  IFLA_NEW_IFINDEX: 49,
  IFLA_ALT_IFNAME: 53,
  IFLA_GRO_MAX_SIZE: 58,
  IFLA_INFO_KIND: 1,
  IFLA_INFO_DATA: 2,
  IFLA_INFO_SLAVE_DATA: 5,
  IFLA_INET6_ADDR_GEN_MODE: 8,
  IN6_ADDR_GEN_MODE_STABLE_PRIVACY: 2,
  IN6_ADDR_GEN_MODE_RANDOM: 3,
  VETH_INFO_PEER: 1,
  IFF_UP: 0x1,
  IFF_NOARP: 0x80,
  IFF_PROMISC: 0x100,
  IFF_ALLMULTI: 0x200,
  IFF_MULTICAST: 0x1000,
  IFF_DYNAMIC: 0x8000,
  RTEXT_FILTER_VF: 1,
  RTEXT_FILTER_SKIP_STATS: 8,
  NLM_F_ACK: 4,
  AF_PACKET: 17,
  IFNAMSIZ: 16,
  IFALIASZ: 256,
  ALTIFNAMSIZ: 128,
  MAX_ADDR_LEN: 32,
};

type Row = [fixture: string, build: (m: FixtureMessage, command: string) => RequestMessage];

// Every `ip link` request fixture (fixtures/requests/link-*, link/dump); kinds helper A captures
// under fixtures/link-kinds/ are added as they land.
const rows: Row[] = [
  ['requests/link-add-ifb.request', () => linkAddRequest({ name: 't1', kind: 'ifb' })],
  ['requests/link-add-bridge.request', () => linkAddRequest({ name: 'br0', kind: 'bridge' })],
  [
    'requests/link-add-dummy-unsupported.request',
    () => linkAddRequest({ name: 'd0', kind: 'dummy' }),
  ],
  [
    'requests/link-add-veth-peer-netns.request',
    (_m, command) =>
      linkAddRequest({
        name: 'veth0',
        kind: 'veth',
        peer: { name: 'veth1', netns: { pid: Number(/netns (\d+)/.exec(command)![1]) } },
      }),
  ],
  [
    'requests/link-add-macvlan.request',
    (m) =>
      linkAddRequest({
        link: attrValue(m, 5),
        name: 'mv0',
        kind: 'macvlan',
        data: { mode: 'bridge' },
      }),
  ],
  [
    'requests/link-add-vxlan.request',
    // `id 42 dstport 4789 local 10.0.0.1 dev ifb0`: iproute2's vxlan writes LINK, ID, LOCAL,
    // its default LEARNING 1, then PORT.
    (m) =>
      linkAddRequest({
        name: 'vx0',
        kind: 'vxlan',
        data: { link: dataU32(m, 3), id: 42, local: '10.0.0.1', learning: 1, port: 4789 },
      }),
  ],
  [
    'requests/link-add-vlan-unsupported.request',
    (m) =>
      linkAddRequest({ link: attrValue(m, 5), name: 'ifb0.10', kind: 'vlan', data: { id: 10 } }),
  ],
  [
    'requests/link-add-vrf-unsupported.request',
    () => linkAddRequest({ name: 'vrf0', kind: 'vrf', data: { table: 10 } }),
  ],
  [
    'requests/link-add-bond-unsupported.request',
    () => linkAddRequest({ name: 'bond0', kind: 'bond', data: { mode: 'active-backup' } }),
  ],
  ['requests/link-del.request', (m) => linkDeleteRequest(m.header!.ifi_index as number)],
  [
    'requests/link-set-up-mtu.request',
    (m) => linkSetRequest(m.header!.ifi_index as number, { up: true, mtu: 1400 }),
  ],
  [
    'requests/link-set-master.request',
    (m) => linkSetRequest(m.header!.ifi_index as number, { master: attrValue(m, 10) }),
  ],
  ['link/dump.request', () => linkDumpRequest()],
  // fixtures/link-kinds/ (helper A's capture): one row per `ip link add|set|show` request.
  ['link-kinds/ifb-add.request', () => linkAddRequest({ name: 'ifb1', txqlen: 64, kind: 'ifb' })],
  ['link-kinds/dummy-add.request', () => linkAddRequest({ name: 'd0', mtu: 9000, kind: 'dummy' })],
  ['link-kinds/wireguard-add.request', () => linkAddRequest({ name: 'wg0', kind: 'wireguard' })],
  [
    'link-kinds/veth-add-plain.request',
    () => linkAddRequest({ name: 'v1', kind: 'veth', peer: { name: 'v1p' } }),
  ],
  [
    'link-kinds/veth-add.request',
    (_m, command) =>
      linkAddRequest({
        name: 'v0',
        address: '02:00:00:00:00:01',
        mtu: 1400,
        kind: 'veth',
        peer: {
          name: 'v0p',
          address: '02:00:00:00:00:02',
          mtu: 1300,
          netns: { pid: Number(/netns (\d+)/.exec(command)![1]) },
        },
      }),
  ],
  [
    'link-kinds/bridge-add.request',
    () =>
      linkAddRequest({
        name: 'br0',
        kind: 'bridge',
        data: {
          forwardDelay: 400,
          helloTime: 300,
          maxAge: 2500,
          ageingTime: 20000,
          stpState: 1,
          priority: 4096,
          groupFwdMask: 8,
          groupAddr: '01:80:c2:00:00:0e',
        },
      }),
  ],
  [
    'link-kinds/bridge-add-vlan.request',
    () =>
      linkAddRequest({
        name: 'br2',
        kind: 'bridge',
        data: {
          vlanFiltering: 1,
          vlanProtocol: '802.1ad',
          vlanDefaultPvid: 10,
          vlanStatsEnabled: 1,
          vlanStatsPerPort: 1,
        },
      }),
  ],
  [
    'link-kinds/bridge-add-mcast.request',
    () =>
      linkAddRequest({
        name: 'br1',
        kind: 'bridge',
        data: {
          mcastSnooping: 1,
          mcastRouter: 'perm',
          mcastQueryUseIfaddr: 1,
          mcastQuerier: 1,
          mcastHashMax: 1024,
          mcastLastMemberCnt: 3,
          mcastStartupQueryCnt: 3,
          mcastLastMemberIntvl: 200n,
          mcastMembershipIntvl: 26000n,
          mcastQuerierIntvl: 25500n,
          mcastQueryIntvl: 12500n,
          mcastQueryResponseIntvl: 1000n,
          mcastStartupQueryIntvl: 3125n,
          mcastStatsEnabled: 1,
          mcastIgmpVersion: 3,
          mcastMldVersion: 2,
          nfCallIptables: 1,
          nfCallIp6tables: 1,
          nfCallArptables: 1,
          multiBoolopt: { optval: 1, optmask: 1 },
        },
      }),
  ],
  [
    'link-kinds/bridge-slave-set.request',
    (m) =>
      linkSetRequest(m.header!.ifi_index as number, {
        slave: {
          kind: 'bridge',
          data: {
            cost: 10,
            priority: 32,
            guard: 1,
            mode: 1,
            fastLeave: 1,
            protect: 1,
            learning: 0,
            unicastFlood: 0,
            proxyarp: 1,
            mcastFlood: 0,
            mcastToUcast: 1,
            bcastFlood: 0,
            neighSuppress: 1,
            isolated: 1,
            groupFwdMask: 8,
            multicastRouter: 2,
          },
        },
      }),
  ],
  [
    'link-kinds/bridge-slave-set-state.request',
    (m) =>
      linkSetRequest(m.header!.ifi_index as number, {
        slave: { kind: 'bridge', data: { state: 3, flush: true } },
      }),
  ],
  [
    'link-kinds/bond-slave-set.request',
    (m) =>
      linkSetRequest(m.header!.ifi_index as number, {
        slave: { kind: 'bond', data: { queueId: 1, prio: 10 } },
      }),
  ],
  [
    'link-kinds/bond-add.request',
    (m) =>
      linkAddRequest({
        name: 'bond0',
        kind: 'bond',
        data: {
          mode: 'active-backup',
          miimon: 100,
          updelay: 200,
          downdelay: 200,
          primary: dataU32(m, 11),
          primaryReselect: 'better',
          failOverMac: 'active',
          numPeerNotif: 3,
          resendIgmp: 2,
          allSlavesActive: 1,
          minLinks: 1,
          useCarrier: 1,
          peerNotifDelay: 400,
        },
      }),
  ],
  [
    'link-kinds/bond-add-8023ad.request',
    () =>
      linkAddRequest({
        name: 'bond1',
        kind: 'bond',
        data: {
          mode: '802.3ad',
          adLacpRate: 'fast',
          adSelect: 'bandwidth',
          xmitHashPolicy: 'layer3+4',
          adActorSysPrio: 100,
          adUserPortKey: 5,
          adActorSystem: '02:00:00:00:00:aa',
          adLacpActive: 'on',
          tlbDynamicLb: 1,
          packetsPerSlave: 2,
          lpInterval: 3,
          missedMax: 4,
        },
      }),
  ],
  [
    'link-kinds/bond-add-arp.request',
    () =>
      linkAddRequest({
        name: 'bond2',
        kind: 'bond',
        data: {
          mode: 'balance-xor',
          arpInterval: 1000,
          arpIpTarget: ['192.0.2.1', '192.0.2.2'],
          arpValidate: 'all',
          arpAllTargets: 'all',
          nsIp6Target: ['2001:db8::1', '2001:db8::2'],
        },
      }),
  ],
  [
    'link-kinds/macvlan-add.request',
    (m) =>
      linkAddRequest({
        link: attrValue(m, 5),
        name: 'mv0',
        kind: 'macvlan',
        data: { mode: 'passthru', flags: ['nopromisc'] },
      }),
  ],
  [
    'link-kinds/macvlan-add-source.request',
    (m) =>
      linkAddRequest({
        link: attrValue(m, 5),
        name: 'mvs',
        kind: 'macvlan',
        data: {
          macaddrMode: 'set',
          macaddrData: { macaddr: ['02:00:00:00:00:10', '02:00:00:00:00:11'] },
          bcQueueLen: 500,
          mode: 'source',
        },
      }),
  ],
  [
    'link-kinds/macvtap-add.request',
    (m) =>
      linkAddRequest({
        link: attrValue(m, 5),
        name: 'mvt0',
        kind: 'macvtap',
        data: { mode: 'vepa' },
      }),
  ],
  [
    'link-kinds/ipvlan-add.request',
    (m) =>
      linkAddRequest({
        link: attrValue(m, 5),
        name: 'ipv0',
        kind: 'ipvlan',
        data: { mode: 'l3', flags: ['private'] },
      }),
  ],
  [
    'link-kinds/ipvtap-add.request',
    (m) =>
      linkAddRequest({
        link: attrValue(m, 5),
        name: 'ipvt0',
        kind: 'ipvtap',
        data: { mode: 'l2', flags: ['vepa'] },
      }),
  ],
  [
    'link-kinds/vlan-add.request',
    (m) =>
      linkAddRequest({
        link: attrValue(m, 5),
        name: 'ifb0.100',
        kind: 'vlan',
        data: {
          protocol: '802.1Q',
          id: 100,
          egressQos: {
            mapping: [
              { from: 0, to: 1 },
              { from: 2, to: 3 },
            ],
          },
          ingressQos: {
            mapping: [
              { from: 1, to: 0 },
              { from: 3, to: 2 },
            ],
          },
          flags: { flags: 15, mask: 15 },
        },
      }),
  ],
  [
    'link-kinds/vlan-add-8021ad.request',
    (m) =>
      linkAddRequest({
        link: attrValue(m, 5),
        name: 'ifb0.200',
        kind: 'vlan',
        data: { protocol: '802.1ad', id: 200, flags: { flags: 16, mask: 16 } },
      }),
  ],
  [
    'link-kinds/vrf-add.request',
    () => linkAddRequest({ name: 'vrf0', kind: 'vrf', data: { table: 100 } }),
  ],
  [
    'link-kinds/vxlan-add.request',
    (m) =>
      linkAddRequest({
        name: 'vx0',
        kind: 'vxlan',
        data: {
          link: dataU32(m, 3),
          portRange: { low: 5000, high: 6000 },
          ttl: 64,
          tos: 16,
          proxy: 0,
          ageing: 300,
          limit: 100,
          l2miss: 1,
          l3miss: 1,
          id: 42,
          group: '239.1.1.1',
          learning: 0,
          port: 4789,
        },
      }),
  ],
  [
    'link-kinds/vxlan-add-ipv6.request',
    () =>
      linkAddRequest({
        name: 'vx6',
        kind: 'vxlan',
        data: {
          ttlInherit: true,
          udpCsum: 0,
          udpZeroCsum6Tx: 1,
          udpZeroCsum6Rx: 1,
          label: 0x12345,
          df: 'set',
          id: 4242,
          local6: '2001:db8::1',
          group6: '2001:db8::2',
          learning: 1,
          port: 4790,
        },
      }),
  ],
  [
    'link-kinds/vxlan-add-external.request',
    () =>
      linkAddRequest({
        name: 'vx1',
        kind: 'vxlan',
        data: { collectMetadata: 1, gbp: true, learning: 0, port: 4791 },
      }),
  ],
  [
    'link-kinds/geneve-add.request',
    () =>
      linkAddRequest({
        name: 'gnv0',
        kind: 'geneve',
        data: {
          df: 'set',
          id: 10,
          remote: '192.0.2.2',
          label: 0,
          ttl: 64,
          tos: 16,
          port: 6081,
          udpCsum: 1,
        },
      }),
  ],
  [
    'link-kinds/geneve-add-ipv6.request',
    () =>
      linkAddRequest({
        name: 'gnv1',
        kind: 'geneve',
        data: {
          ttlInherit: 1,
          id: 11,
          remote6: '2001:db8::2',
          label: 0x1234,
          ttl: 0,
          tos: 0,
          udpZeroCsum6Tx: 1,
          udpZeroCsum6Rx: 1,
        },
      }),
  ],
  [
    'link-kinds/geneve-add-external.request',
    () =>
      linkAddRequest({
        name: 'gnv2',
        kind: 'geneve',
        data: { id: 0, label: 0, ttl: 0, tos: 0, collectMetadata: true, innerProtoInherit: true },
      }),
  ],
  [
    'link-kinds/gre-add.request',
    (m) =>
      linkAddRequest({
        name: 'gre1',
        kind: 'gre',
        data: {
          ikey: 42,
          okey: 42,
          iflags: ['csum', 'key', 'seq'],
          oflags: ['csum', 'key', 'seq'],
          local: '192.0.2.1',
          remote: '192.0.2.2',
          pmtudisc: 1,
          tos: 16,
          link: dataU32(m, 1),
          ttl: 64,
          fwmark: 7,
          encapType: 'fou',
          encapFlags: ['csum', 'remcsum'],
          encapSport: 5555,
          encapDport: 6666,
        },
      }),
  ],
  [
    'link-kinds/gre-add-ignore-df.request',
    () =>
      linkAddRequest({
        name: 'gre2',
        kind: 'gre',
        data: {
          ikey: 1,
          okey: 2,
          iflags: ['csum', 'key'],
          oflags: ['key', 'seq'],
          remote: '192.0.2.3',
          pmtudisc: 0,
          ignoreDf: 1,
          tos: 0,
          ttl: 0,
          fwmark: 0,
          encapType: 'none',
          encapFlags: [],
          encapSport: 0,
          encapDport: 0,
        },
      }),
  ],
  [
    'link-kinds/gretap-add.request',
    () =>
      linkAddRequest({
        name: 'gt1',
        kind: 'gretap',
        data: {
          ikey: 7,
          okey: 7,
          iflags: ['key'],
          oflags: ['key'],
          local: '192.0.2.1',
          remote: '192.0.2.2',
          pmtudisc: 1,
          tos: 0,
          ttl: 32,
          fwmark: 0,
          encapType: 'none',
          encapFlags: [],
          encapSport: 0,
          encapDport: 0,
        },
      }),
  ],
  [
    'link-kinds/erspan-add.request',
    () =>
      linkAddRequest({
        name: 'ers1',
        kind: 'erspan',
        data: {
          ikey: 10,
          okey: 10,
          iflags: ['key', 'seq'],
          oflags: ['key', 'seq'],
          local: '192.0.2.1',
          remote: '192.0.2.2',
          pmtudisc: 1,
          tos: 0,
          ttl: 0,
          fwmark: 0,
          erspanVer: 2,
          erspanDir: 'egress',
          erspanHwid: 7,
          encapType: 'none',
          encapFlags: [],
          encapSport: 0,
          encapDport: 0,
        },
      }),
  ],
  [
    'link-kinds/ip6gre-add.request',
    () =>
      linkAddRequest({
        name: 'g6',
        kind: 'ip6gre',
        data: {
          ikey: 5,
          okey: 5,
          iflags: ['key'],
          oflags: ['key'],
          local: '2001:db8::1',
          remote: '2001:db8::2',
          ttl: 40,
          encapLimit: 4,
          flowinfo: 0x1234,
          flags: ['use_orig_tclass', 'allow_local_remote'],
          fwmark: 0,
          erspanVer: 1,
          encapType: 'none',
          encapFlags: ['csum6'],
          encapSport: 0,
          encapDport: 0,
        },
      }),
  ],
  [
    'link-kinds/ip6gretap-add.request',
    () =>
      linkAddRequest({
        name: 'g6t',
        kind: 'ip6gretap',
        data: {
          ikey: 3,
          okey: 3,
          iflags: ['key'],
          oflags: ['key'],
          local: '2001:db8::1',
          remote: '2001:db8::2',
          ttl: 64,
          encapLimit: 4,
          flowinfo: 0,
          flags: [],
          fwmark: 0,
          erspanVer: 1,
          encapType: 'none',
          encapFlags: ['csum6'],
          encapSport: 0,
          encapDport: 0,
        },
      }),
  ],
  [
    'link-kinds/ip6tnl-add.request',
    (m) =>
      linkAddRequest({
        name: 't6',
        kind: 'ip6tnl',
        data: {
          proto: 41,
          local: '2001:db8::1',
          remote: '2001:db8::2',
          ttl: 64,
          encapLimit: 5,
          flowinfo: 0x12345,
          flags: [],
          link: dataU32(m, 1),
          fwmark: 9,
          encapType: 'none',
          encapFlags: ['csum6'],
          encapSport: 0,
          encapDport: 0,
        },
      }),
  ],
  [
    'link-kinds/ip6tnl-add-ipip6.request',
    () =>
      linkAddRequest({
        name: 't6b',
        kind: 'ip6tnl',
        data: {
          proto: 4,
          local: '2001:db8::1',
          remote: '2001:db8::3',
          ttl: 64,
          encapLimit: 4,
          flowinfo: 0,
          flags: ['ign_encap_limit', 'use_orig_tclass', 'use_orig_flowlabel', 'allow_local_remote'],
          link: 0,
          fwmark: 0,
          encapType: 'none',
          encapFlags: ['csum6'],
          encapSport: 0,
          encapDport: 0,
        },
      }),
  ],
  [
    'link-kinds/ipip-add.request',
    (m) =>
      linkAddRequest({
        name: 'ipip1',
        kind: 'ipip',
        data: {
          proto: 0,
          local: '192.0.2.1',
          remote: '192.0.2.2',
          pmtudisc: 1,
          tos: 1,
          ttl: 64,
          link: dataU32(m, 1),
          fwmark: 0,
          encapType: 'gue',
          encapFlags: [],
          encapSport: 0,
          encapDport: 5000,
        },
      }),
  ],
  [
    'link-kinds/sit-add.request',
    () =>
      linkAddRequest({
        name: 'sit1',
        kind: 'sit',
        data: {
          proto: 41,
          local: '192.0.2.1',
          remote: '192.0.2.2',
          pmtudisc: 1,
          tos: 0,
          ttl: 64,
          link: 0,
          fwmark: 0,
          encapType: 'none',
          encapFlags: [],
          encapSport: 0,
          encapDport: 0,
          flags: [],
          prefix6rd: '2001:db8::',
          prefixlen6rd: 32,
          relayPrefix6rd: '192.0.2.0',
          relayPrefixlen6rd: 24,
        },
      }),
  ],
  [
    'link-kinds/sit-add-isatap.request',
    () =>
      linkAddRequest({
        name: 'isa0',
        kind: 'sit',
        data: {
          proto: 0,
          local: '192.0.2.1',
          pmtudisc: 1,
          tos: 0,
          ttl: 0,
          link: 0,
          fwmark: 0,
          encapType: 'none',
          encapFlags: [],
          encapSport: 0,
          encapDport: 0,
          flags: ['isatap'],
        },
      }),
  ],
  [
    'link-kinds/vti-add.request',
    (m) =>
      linkAddRequest({
        name: 'vti1',
        kind: 'vti',
        data: {
          ikey: 5,
          okey: 6,
          local: '192.0.2.1',
          remote: '192.0.2.2',
          fwmark: 3,
          link: dataU32(m, 1),
        },
      }),
  ],
  [
    'link-kinds/vti6-add.request',
    () =>
      linkAddRequest({
        name: 'vti61',
        kind: 'vti6',
        data: { ikey: 9, okey: 9, local: '2001:db8::1', remote: '2001:db8::2', fwmark: 0 },
      }),
  ],
  // fixtures/link-replace/: `ip link replace` (NLM_F_CREATE | NLM_F_REPLACE).
  ['link-replace/replace-ifb-new.request', () => linkReplaceRequest({ name: 'r0', kind: 'ifb' })],
  [
    'link-replace/replace-ifb-exists.request',
    () => linkReplaceRequest({ mtu: 1400, txqlen: 64, name: 'r0', kind: 'ifb' }),
  ],
  [
    'link-replace/replace-veth-new.request',
    () => linkReplaceRequest({ name: 'rv0', index: 77, kind: 'veth', peer: { name: 'rv1' } }),
  ],
  // fixtures/link-netns/: IFLA_LINK_NETNSID (`link-netns PATH` resolved to nsid 0, `link-netnsid`).
  [
    'link-netns/add-veth-link-netns.request',
    () => linkAddRequest({ linkNetnsid: 0, name: 'v0', kind: 'veth', peer: { name: 'v1' } }),
  ],
  [
    'link-netns/add-veth-link-netnsid.request',
    () => linkAddRequest({ linkNetnsid: 0, name: 'v2', kind: 'veth', peer: { name: 'v3' } }),
  ],
  [
    'link-netns/add-veth-peer-link-netnsid.request',
    () => linkAddRequest({ name: 'v4', kind: 'veth', peer: { name: 'v5', linkNetnsid: 0 } }),
  ],
  // fixtures/link-protodown/: IFLA_PROTO_DOWN_REASON (x0 is ifindex 3, d0 ifindex 2).
  [
    'link-protodown/set-reason-on.request',
    () => linkSetRequest(3, { protodownReason: { mask: 1 << 3, value: 1 << 3 } }),
  ],
  [
    'link-protodown/set-reason-31-on-protodown.request',
    () =>
      linkSetRequest(3, {
        protodownReason: { mask: 0x80000000, value: 0x80000000 },
        protodown: true,
      }),
  ],
  [
    'link-protodown/set-reason-off.request',
    () => linkSetRequest(3, { protodownReason: { mask: 1 << 3, value: 0 } }),
  ],
  [
    'link-protodown/set-reason-unsupported.request',
    () => linkSetRequest(2, { protodownReason: { mask: 1 << 1, value: 1 << 1 } }),
  ],
];

/**
 * The first RTM_GETLINK of `ip -d link show dev NAME`: iproute2's name lookup (ll_link_get:
 * AF_UNSPEC, IFLA_EXT_MASK then the name) or, when the capture keeps the show request itself,
 * iplink_get (AF_PACKET, the name then IFLA_EXT_MASK). Both are ours too: linkLookupRequest
 * (what links.index() sends) and linkGetRequest (links.get()). iproute2 sends both without
 * NLM_F_ACK.
 */
const showRows = [
  ['link-kinds/ifb-show.request', 'ifb1'],
  ['link-kinds/veth-show.request', 'v0'],
  ['link-kinds/bridge-show.request', 'br0'],
  ['link-kinds/bridge-port-show.request', 'v1'],
  ['link-kinds/macvlan-show.request', 'mvs'],
  ['link-kinds/macvtap-show.request', 'mvt0'],
  ['link-kinds/vxlan-show.request', 'vx0'],
  ['link-kinds/vxlan-show-ipv6.request', 'vx6'],
  ['link-kinds/tun-show.request', 'tun0'],
  ['link-kinds/tap-show.request', 'tap0'],
] as const;

describe('link requests equal iproute2 6.1 requests', () => {
  it.each(rows)('%s', (name, build) => {
    const want = captured(name);
    const got = build(want.message, want.command);
    expect(got.type).toBe(want.type);
    expect(got.flags).toBe(want.flags);
    expect(got.payload.toString('hex')).toBe(want.payload.toString('hex'));
  });
});

describe('link get requests equal iproute2 6.1 requests (NLM_F_ACK aside)', () => {
  it.each(showRows)('%s', (name, dev) => {
    const want = captured(name);
    const show = want.payload[0] === C.AF_PACKET;
    const got = show ? linkGetRequest(dev) : linkLookupRequest(dev);
    expect(got.type).toBe(want.type);
    expect(got.flags).toBe(want.flags | C.NLM_F_ACK);
    expect(got.payload.toString('hex')).toBe(want.payload.toString('hex'));
  });
});

/** struct ifinfomsg written by hand: family, pad, type, index, flags, change. */
function ifinfomsg(index: number, flags = 0, change = 0, family = 0): Buffer {
  const b = zeros(16);
  b[0] = family;
  b.writeInt32LE(index, 4);
  b.writeUInt32LE(flags, 8);
  b.writeUInt32LE(change, 12);
  return b;
}

describe('requests no fixture covers, against bytes written by hand', () => {
  it('rename, alias (no NUL), nomaster, down, arp off, in argument order', () => {
    // ip link set dev 7 down arp off alias "uplink" nomaster name wan0
    const got = linkSetRequest(7, {
      up: false,
      arp: false,
      alias: 'uplink',
      master: null,
      name: 'wan0',
    });
    expect(got.flags).toBe(0x5);
    expect(got.payload.toString('hex')).toBe(
      cat(
        ifinfomsg(7, C.IFF_NOARP, C.IFF_UP | C.IFF_NOARP),
        nla(C.IFLA_IFALIAS, utf8('uplink')),
        nla(C.IFLA_MASTER, u32le(0)),
        nla(C.IFLA_IFNAME, str('wan0')),
      ).toString('hex'),
    );
  });

  it('a group: IFLA_GROUP first, ifindex 0', () => {
    expect(linkSetRequest({ group: 5 }, { up: true }).payload.toString('hex')).toBe(
      cat(ifinfomsg(0, C.IFF_UP, C.IFF_UP), nla(C.IFLA_GROUP, u32le(5))).toString('hex'),
    );
    expect(linkDeleteRequest({ group: 5 }).payload.toString('hex')).toBe(
      cat(ifinfomsg(0), nla(C.IFLA_GROUP, u32le(5))).toString('hex'),
    );
  });

  it('move to a namespace by fd or pid', () => {
    expect(linkSetRequest(3, { netns: { fd: 9 } }).payload.toString('hex')).toBe(
      cat(ifinfomsg(3), nla(C.IFLA_NET_NS_FD, u32le(9))).toString('hex'),
    );
    expect(linkSetRequest(3, { netns: { pid: 77 } }).payload.toString('hex')).toBe(
      cat(ifinfomsg(3), nla(C.IFLA_NET_NS_PID, u32le(77))).toString('hex'),
    );
  });

  it('get by index, name and long (alternative) name; dump filtered by master and kind', () => {
    const ext = nla(C.IFLA_EXT_MASK, u32le(C.RTEXT_FILTER_VF));
    const packet = (index: number) => ifinfomsg(index, 0, 0, C.AF_PACKET);
    expect(linkGetRequest(4).payload).toEqual(cat(packet(4), ext));
    const long = 'a-rather-long-alternative-name';
    expect(linkGetRequest(long).payload).toEqual(
      cat(packet(0), nla(C.IFLA_ALT_IFNAME, str(long)), ext),
    );
    expect(linkDumpRequest({ master: 5, kind: 'veth' }).payload).toEqual(
      cat(
        ifinfomsg(0, 0, 0, C.AF_PACKET),
        ext,
        nla(C.IFLA_MASTER, u32le(5)),
        nla(C.IFLA_LINKINFO, nla(C.IFLA_INFO_KIND, utf8('veth'))),
      ),
    );
  });
});

describe('bad specs are refused with the field named', () => {
  const add = (spec: Record<string, unknown>) => () =>
    linkAddRequest({ name: 'x0', kind: 'bridge', ...spec } as LinkSpec);
  const set = (changes: Record<string, unknown>) => () => linkSetRequest(2, changes as LinkChanges);
  it.each([
    ['a name longer than 15 bytes', add({ name: 'a-very-long-name' }), 'link.name'],
    ['an empty name', add({ name: '' }), 'link.name'],
    ['a name with a slash', add({ name: 'a/b' }), 'link.name'],
    ['a negative mtu', add({ mtu: -1 }), 'link.mtu'],
    ['a fractional mtu', set({ mtu: 1400.5 }), 'link.mtu'],
    ['a MAC of the wrong form', add({ address: '02:00:00:00:00:zz' }), 'link.address'],
    ['a 5-byte MAC on an Ethernet kind', add({ address: '02:00:00:00:01' }), 'link.address'],
    ['an unknown option', add({ speed: 10 }), 'link.speed'],
    [
      'an unknown kind option',
      add({ kind: 'vxlan', data: { id: 1, colour: 'red' } }),
      'link.data(vxlan).colour',
    ],
    ['a peer on a non-veth', add({ peer: { name: 'p' } }), 'link.peer'],
    ['a bad peer name', add({ kind: 'veth', peer: { name: 'p'.repeat(16) } }), 'link.peer.name'],
    ['a master that is not an ifindex', set({ master: -3 }), 'link.master'],
    ['a bad boolean', set({ up: 'yes' }), 'link.up'],
    ['a bad addrgenmode', set({ addrgenmode: 'eui48' }), 'link.addrgenmode'],
    ['an alias of 256 bytes', set({ alias: 'a'.repeat(256) }), 'link.alias'],
    ['a bad kind', add({ kind: 'not a kind' }), 'link.kind'],
    [
      'a protodown reason without value',
      set({ protodownReason: { mask: 1 } }),
      'link.protodownReason.value',
    ],
    [
      'a protodown reason mask over 32 bits',
      set({ protodownReason: { mask: 2 ** 32, value: 0 } }),
      'link.protodownReason.mask',
    ],
    [
      'an unknown protodown reason field',
      set({ protodownReason: { value: 1, bits: 2 } }),
      'link.protodownReason.bits',
    ],
    ['a protodown reason that is a number', set({ protodownReason: 8 }), 'link.protodownReason'],
  ])('%s', (_what, fn, path) => {
    const err = caught(fn);
    expect(err).toBeInstanceOf(NetlinkEncodeError);
    expect((err as NetlinkEncodeError).code).toBe('BAD_VALUE');
    expect((err as NetlinkEncodeError).path).toBe(path);
  });

  it('a value the kind schema refuses names the attribute', () => {
    const err = caught(() => linkAddRequest({ name: 'vx0', kind: 'vxlan', data: { id: -1 } }));
    expect(err).toBeInstanceOf(NetlinkEncodeError);
    expect((err as NetlinkEncodeError).path).toBe('link.data(vxlan).id');
  });
});

describe('the numbers the hand-written bytes use', () => {
  it('match <linux/if_link.h>, <linux/if.h> and <linux/rtnetlink.h>', () => {
    const { values, unknown } = cValues(Object.fromEntries(Object.keys(C).map((n) => [n, n])), [
      'linux/if.h',
      'linux/if_link.h',
      'linux/veth.h',
      'linux/rtnetlink.h',
      'linux/netdevice.h',
      'linux/netlink.h',
      'sys/socket.h',
    ]);
    expect(unknown).toEqual([]);
    expect(values).toEqual(C);
  });
});
