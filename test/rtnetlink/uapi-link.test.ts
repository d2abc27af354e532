// Every number the link schema and the link kinds declare, checked by the C compiler against the
// installed uapi headers (6.1): attribute numbers (walking linkMessage through nests,
// submessages and the veth peer), struct sizes and field offsets, enum and flag values, and the
// devconf / SNMP array orders. Constants newer than the headers are checked against numbers
// copied by hand from the kernel's YNL spec (shared/ynl/rt-link.yaml) or, for the few sets the
// spec lacks, from the kernel's own <linux/if_link.h>.
import { describe, expect, it } from 'vitest';
import type { AttributeSet } from '../../src/netlink/schema.js';
import type { StructDef } from '../../src/netlink/struct.js';
import { iflaBridgeId, iflaVfMac } from '../../src/rtnetlink/kinds/common.js';
import * as kinds from '../../src/rtnetlink/kinds/index.js';
import * as link from '../../src/rtnetlink/link.js';
import { collectAttributes, cValues, DEFAULT_HEADERS } from '../helpers/uapi.js';

const HEADERS = [
  ...DEFAULT_HEADERS,
  'linux/if_tunnel.h',
  'linux/veth.h',
  'linux/if_bridge.h',
  'linux/if_arp.h',
  'linux/ip.h',
  'linux/ipv6.h',
  'linux/snmp.h',
  'linux/if_bonding.h',
  'linux/if_vlan.h',
  'linux/ip6_tunnel.h',
  'linux/if_tun.h',
  'linux/if_ether.h',
];

/**
 * Declared by rtnl, absent from the 6.1 headers. Numbers copied by hand from rt-link.yaml (an
 * attribute's number is its position from 1 unless the spec gives `value:`).
 */
const NEWER_THAN_HEADERS: Record<string, number> = {
  // link-attrs
  IFLA_DEVLINK_PORT: 62,
  IFLA_GSO_IPV4_MAX_SIZE: 63,
  IFLA_GRO_IPV4_MAX_SIZE: 64,
  IFLA_DPLL_PIN: 65,
  IFLA_MAX_PACING_OFFLOAD_HORIZON: 66,
  IFLA_NETNS_IMMUTABLE: 67,
  IFLA_HEADROOM: 68,
  IFLA_TAILROOM: 69,
  // link-dpll-pin-attrs (dpll-a-id)
  DPLL_A_ID: 1,
  // mctp-attrs
  IFLA_MCTP_PHYS_BINDING: 2,
  // linkinfo-bridge-attrs
  IFLA_BR_FDB_N_LEARNED: 48,
  IFLA_BR_FDB_MAX_LEARNED: 49,
  // linkinfo-brport-attrs
  IFLA_BRPORT_MAB: 40,
  IFLA_BRPORT_MCAST_N_GROUPS: 41,
  IFLA_BRPORT_MCAST_MAX_GROUPS: 42,
  IFLA_BRPORT_NEIGH_VLAN_SUPPRESS: 43,
  IFLA_BRPORT_BACKUP_NHID: 44,
  // linkinfo-geneve-attrs
  IFLA_GENEVE_PORT_RANGE: 15,
};

/**
 * Newer than the headers and not in rt-link.yaml (which has no vxlan or macvlan set): from the
 * kernel's include/uapi/linux/if_link.h (IFLA_VXLAN_LOCALBYPASS … _MC_ROUTE follow
 * IFLA_VXLAN_VNIFILTER = 30; IFLA_MACVLAN_BC_CUTOFF follows _BC_QUEUE_LEN_USED = 8). The captured
 * 6.18 vxlan replies (fixtures/link-kinds/vxlan-show*) carry 31, 32 and 33 with the widths
 * declared.
 */
const NEWER_FROM_KERNEL_HEADER: Record<string, number> = {
  IFLA_VXLAN_LOCALBYPASS: 31,
  IFLA_VXLAN_LABEL_POLICY: 32,
  IFLA_VXLAN_RESERVED_BITS: 33,
  IFLA_VXLAN_MC_ROUTE: 34,
  IFLA_MACVLAN_BC_CUTOFF: 9,
};

describe('attribute numbers against the headers', () => {
  const declared = collectAttributes(link.linkMessage.attributes as AttributeSet);
  const { values, unknown } = cValues(
    Object.fromEntries([...declared.keys()].map((c) => [c, c])),
    HEADERS,
  );

  it('every constant is in the headers, or listed as newer with the same number', () => {
    for (const [c, n] of declared) {
      if (unknown.includes(c)) {
        const newer = NEWER_THAN_HEADERS[c] ?? NEWER_FROM_KERNEL_HEADER[c];
        expect(newer, `${c} is neither in the headers nor in a newer-than table`).toBe(n);
      } else {
        expect(values[c], c).toBe(n);
      }
    }
  });

  it('the newer-than tables hold nothing the headers know', () => {
    const listed = [...Object.keys(NEWER_THAN_HEADERS), ...Object.keys(NEWER_FROM_KERNEL_HEADER)];
    expect(listed.filter((c) => !unknown.includes(c))).toEqual([]);
    expect(listed.filter((c) => !declared.has(c))).toEqual([]);
  });

  it('the walk reaches every kind, the veth peer and the AF_SPEC families', () => {
    expect(declared.size).toBeGreaterThan(400);
    for (const c of [
      'VETH_INFO_PEER',
      'IFLA_BR_MULTI_BOOLOPT',
      'IFLA_BRPORT_BACKUP_PORT',
      'IFLA_VXLAN_PORT_RANGE',
      'IFLA_MACVLAN_MACADDR_DATA',
      'IFLA_TUN_NUM_QUEUES',
      'IFLA_VLAN_QOS_MAPPING',
      'IFLA_BOND_AD_INFO_PARTNER_MAC',
      'IFLA_BOND_SLAVE_PRIO',
      'IFLA_VRF_PORT_TABLE',
      'IFLA_IPVLAN_FLAGS',
      'IFLA_GENEVE_INNER_PROTO_INHERIT',
      'IFLA_GRE_ERSPAN_HWID',
      'IFLA_IPTUN_6RD_RELAY_PREFIXLEN',
      'IFLA_VTI_FWMARK',
      'IFLA_INET_CONF',
      'IFLA_INET6_RA_MTU',
      'IFLA_BRIDGE_VLAN_TUNNEL_FLAGS',
      'IFLA_XDP_EXPECTED_FD',
      'IFLA_VF_STATS_TX_DROPPED',
      'IFLA_PORT_RESPONSE',
      'IFLA_PROTO_DOWN_REASON_VALUE',
    ]) {
      expect(declared.has(c), c).toBe(true);
    }
  });

  it('every IFLA_* attribute of the headers is declared', () => {
    // IFLA_UNSPEC is 0; IFLA_IF_NETNSID is the old name of IFLA_TARGET_NETNSID.
    const max = cValues({ max: 'IFLA_MAX' }, HEADERS).values.max!;
    const numbers = new Set(
      Object.values(link.linkAttributes.attrs).map((s) => (s as { type: number }).type),
    );
    for (let n = 1; n <= max; n++) expect(numbers.has(n), `IFLA number ${n}`).toBe(true);
    // …and up to IFLA_TAILROOM (69), the last attribute rt-link.yaml lists.
    for (let n = max + 1; n <= 69; n++) expect(numbers.has(n), `IFLA number ${n}`).toBe(true);
  });

  it.each<[string, string, AttributeSet]>([
    ['bridge', 'IFLA_BR_MAX', kinds.bridgeAttributes as AttributeSet],
    ['bridge_port', 'IFLA_BRPORT_MAX', kinds.bridgePortAttributes as AttributeSet],
    ['vxlan', 'IFLA_VXLAN_MAX', kinds.vxlanAttributes as AttributeSet],
    ['macvlan', 'IFLA_MACVLAN_MAX', kinds.macvlanAttributes as AttributeSet],
    ['tun', 'IFLA_TUN_MAX', kinds.tunAttributes as AttributeSet],
    ['vlan', 'IFLA_VLAN_MAX', kinds.vlanAttributes as AttributeSet],
    ['bond', 'IFLA_BOND_MAX', kinds.bondAttributes as AttributeSet],
    ['bond_slave', 'IFLA_BOND_SLAVE_MAX', kinds.bondSlaveAttributes as AttributeSet],
    ['vrf', 'IFLA_VRF_MAX', kinds.vrfAttributes as AttributeSet],
    ['ipvlan', 'IFLA_IPVLAN_MAX', kinds.ipvlanAttributes as AttributeSet],
    ['geneve', 'IFLA_GENEVE_MAX', kinds.geneveAttributes as AttributeSet],
    ['gre', 'IFLA_GRE_MAX', kinds.greAttributes as AttributeSet],
    ['ipip', 'IFLA_IPTUN_MAX', kinds.ipipAttributes as AttributeSet],
    ['vti', 'IFLA_VTI_MAX', kinds.vtiAttributes as AttributeSet],
    ['xdp', 'IFLA_XDP_MAX', link.xdpAttributes as AttributeSet],
    ['inet6', 'IFLA_INET6_MAX', link.inet6Attributes as AttributeSet],
    ['vf_info', 'IFLA_VF_MAX', link.vfInfoAttributes as AttributeSet],
    ['port', 'IFLA_PORT_MAX', link.portAttributes as AttributeSet],
  ])('%s declares every number up to %s', (_name, maxName, set) => {
    const max = cValues({ max: maxName }, HEADERS).values.max!;
    const numbers = new Set(Object.values(set.attrs).map((s) => s.type));
    for (let n = 1; n <= max; n++) expect(numbers.has(n), `${maxName}: ${n}`).toBe(true);
  });
});

describe('struct layouts against the headers', () => {
  const structs: [StructDef<object>, string][] = [
    [link.ifinfomsg as StructDef<object>, 'struct ifinfomsg'],
    [link.rtnlLinkStats as StructDef<object>, 'struct rtnl_link_stats'],
    [link.rtnlLinkStats64 as StructDef<object>, 'struct rtnl_link_stats64'],
    [link.rtnlLinkIfmap as StructDef<object>, 'struct rtnl_link_ifmap'],
    [link.iflaCacheinfo as StructDef<object>, 'struct ifla_cacheinfo'],
    [link.iflaVfVlan as StructDef<object>, 'struct ifla_vf_vlan'],
    [link.iflaVfTxRate as StructDef<object>, 'struct ifla_vf_tx_rate'],
    [link.iflaVfSpoofchk as StructDef<object>, 'struct ifla_vf_spoofchk'],
    [link.iflaVfLinkState as StructDef<object>, 'struct ifla_vf_link_state'],
    [link.iflaVfRate as StructDef<object>, 'struct ifla_vf_rate'],
    [link.iflaVfRssQueryEn as StructDef<object>, 'struct ifla_vf_rss_query_en'],
    [link.iflaVfTrust as StructDef<object>, 'struct ifla_vf_trust'],
    [link.iflaVfGuid as StructDef<object>, 'struct ifla_vf_guid'],
    [link.iflaVfVlanInfo as StructDef<object>, 'struct ifla_vf_vlan_info'],
    [link.iflaPortVsi as StructDef<object>, 'struct ifla_port_vsi'],
    [iflaVfMac as StructDef<object>, 'struct ifla_vf_mac'],
    [iflaBridgeId as StructDef<object>, 'struct ifla_bridge_id'],
    [kinds.iflaVxlanPortRange as StructDef<object>, 'struct ifla_vxlan_port_range'],
    [kinds.iflaVlanFlags as StructDef<object>, 'struct ifla_vlan_flags'],
    [kinds.iflaVlanQosMapping as StructDef<object>, 'struct ifla_vlan_qos_mapping'],
    [kinds.brBooloptMulti as StructDef<object>, 'struct br_boolopt_multi'],
    [kinds.bridgeVlanInfo as StructDef<object>, 'struct bridge_vlan_info'],
  ];
  // Field names are the header's, prefixed for ifinfomsg; `_pad` fields are padding the
  // header names differently (or not at all): only their place in sizeof is checked.
  const cField = (cName: string, f: string) => (cName === 'struct ifinfomsg' ? `ifi_${f}` : f);

  it.each(structs)('%s', (def, cName) => {
    const exprs: Record<string, string> = { size: `sizeof(${cName})` };
    const fields = def.fields.filter((f) => !f.name.startsWith('_'));
    for (const f of fields) {
      exprs[`${f.name}.offset`] = `offsetof(${cName}, ${cField(cName, f.name)})`;
      exprs[`${f.name}.size`] = `sizeof(((${cName} *)0)->${cField(cName, f.name)})`;
    }
    const { values, unknown } = cValues(exprs, HEADERS);
    expect(unknown).toEqual([]);
    expect(values.size, `sizeof(${cName})`).toBe(def.size);
    for (const f of fields) {
      expect(values[`${f.name}.offset`], `${cName}.${f.name} offset`).toBe(f.offset);
      expect(values[`${f.name}.size`], `${cName}.${f.name} size`).toBe(f.size);
    }
  });

  it('struct ifla_geneve_port_range (newer than the headers): two be16, as rt-link.yaml says', () => {
    expect(kinds.iflaGenevePortRange.size).toBe(4);
    expect(kinds.iflaGenevePortRange.fields.map((f) => [f.name, f.offset, f.kind])).toEqual([
      ['low', 0, 'be16'],
      ['high', 2, 'be16'],
    ]);
  });

  it('struct ifla_vf_broadcast is 32 bytes', () => {
    expect(cValues({ s: 'sizeof(struct ifla_vf_broadcast)' }, HEADERS).values.s).toBe(32);
  });
});

describe('array orders against the headers', () => {
  it.each<[string, readonly string[], (n: string) => string, number, string]>([
    [
      'IPV4_DEVCONF_*',
      link.IPV4_DEVCONF,
      (n) => `IPV4_DEVCONF_${n.toUpperCase()}`,
      1,
      'IPV4_DEVCONF_MAX',
    ],
    ['DEVCONF_*', link.IPV6_DEVCONF, (n) => `DEVCONF_${n.toUpperCase()}`, 0, 'DEVCONF_MAX - 1'],
    [
      'IPSTATS_MIB_*',
      link.INET6_STATS,
      (n) => `IPSTATS_MIB_${n.toUpperCase()}`,
      0,
      '__IPSTATS_MIB_MAX - 1',
    ],
    [
      'ICMP6_MIB_*',
      link.ICMP6_STATS,
      (n) => `ICMP6_MIB_${n.toUpperCase()}`,
      0,
      '__ICMP6_MIB_MAX - 1',
    ],
  ])('%s: each name at its constant, and all of them', (_what, names, cName, first, last) => {
    const exprs: Record<string, string> = Object.fromEntries(names.map((n) => [n, cName(n)]));
    exprs.__last = last;
    const { values, unknown } = cValues(exprs, HEADERS);
    expect(unknown).toEqual([]);
    names.forEach((n, i) => {
      expect(values[n], cName(n)).toBe(i + first);
    });
    expect(names.length - 1 + first).toBe(values.__last);
  });
});

describe('enum and flag values against the headers', () => {
  const prefixed =
    (prefix: string, rename: Record<string, string> = {}) =>
    (k: string) =>
      rename[k] ?? `${prefix}${k.toUpperCase()}`;
  const ARPHRD_C: Record<string, string> = {
    generic: 'ARPHRD_NETROM',
    atalk: 'ARPHRD_APPLETLK',
    ipip: 'ARPHRD_TUNNEL',
    ltalk: 'ARPHRD_LOCALTLK',
    'ip/ddp': 'ARPHRD_IPDDP',
    gre: 'ARPHRD_IPGRE',
    tr: 'ARPHRD_IEEE802_TR',
    'ieee802.11': 'ARPHRD_IEEE80211',
    'ieee802.11/prism': 'ARPHRD_IEEE80211_PRISM',
    'ieee802.11/radiotap': 'ARPHRD_IEEE80211_RADIOTAP',
    'ieee802.15.4': 'ARPHRD_IEEE802154',
    'ieee802.15.4/monitor': 'ARPHRD_IEEE802154_MONITOR',
    gre6: 'ARPHRD_IP6GRE',
    fcfb0: 'ARPHRD_FCFABRIC',
    ...Object.fromEntries(
      Array.from({ length: 12 }, (_, i) => [`fcfb${i + 1}`, `ARPHRD_FCFABRIC + ${i + 1}`]),
    ),
  };
  const rows: [string, Readonly<Record<string, number>>, (k: string) => string][] = [
    ['IFF_FLAGS', link.IFF_FLAGS, prefixed('IFF_')],
    ['ARPHRD', link.ARPHRD, prefixed('ARPHRD_', ARPHRD_C)],
    ['OPERSTATE', link.OPERSTATE, prefixed('IF_OPER_')],
    ['LINKMODE', link.LINKMODE, prefixed('IF_LINK_MODE_')],
    ['LINK_EVENT', link.LINK_EVENT, prefixed('IFLA_EVENT_')],
    ['RTEXT_FILTER', link.RTEXT_FILTER, prefixed('RTEXT_FILTER_')],
    ['IN6_ADDR_GEN_MODE', link.IN6_ADDR_GEN_MODE, prefixed('IN6_ADDR_GEN_MODE_')],
    ['XDP_ATTACHED', link.XDP_ATTACHED, prefixed('XDP_ATTACHED_')],
    ['XDP_FLAGS', link.XDP_FLAGS, prefixed('XDP_FLAGS_')],
    ['VF_LINK_STATE', link.VF_LINK_STATE, prefixed('IFLA_VF_LINK_STATE_')],
    ['PORT_REQUEST', link.PORT_REQUEST, prefixed('PORT_REQUEST_')],
    [
      'PORT_RESPONSE',
      link.PORT_RESPONSE,
      (k) =>
        k.startsWith('profile_')
          ? `PORT_PROFILE_RESPONSE_${k.slice(8).toUpperCase()}`
          : k === 'vtid_version_violation'
            ? 'PORT_VDP_RESPONSE_VTID_VERSION_VIOALTION' // the header's spelling
            : `PORT_VDP_RESPONSE_${k.toUpperCase()}`,
    ],
    ['MACVLAN_MODE', kinds.MACVLAN_MODE, prefixed('MACVLAN_MODE_')],
    ['MACVLAN_FLAGS', kinds.MACVLAN_FLAGS, prefixed('MACVLAN_FLAG_')],
    ['MACVLAN_MACADDR_MODE', kinds.MACVLAN_MACADDR_MODE, prefixed('MACVLAN_MACADDR_')],
    ['IPVLAN_MODE', kinds.IPVLAN_MODE, prefixed('IPVLAN_MODE_')],
    ['IPVLAN_FLAGS', kinds.IPVLAN_FLAGS, prefixed('IPVLAN_F_')],
    ['VXLAN_DF', kinds.VXLAN_DF, prefixed('VXLAN_DF_')],
    ['GENEVE_DF', kinds.GENEVE_DF, prefixed('GENEVE_DF_')],
    [
      'VLAN_PROTOCOL',
      kinds.VLAN_PROTOCOL,
      (k) => (k === '802.1Q' ? 'ETH_P_8021Q' : 'ETH_P_8021AD'),
    ],
    ['VLAN_FLAGS', kinds.VLAN_FLAGS, prefixed('VLAN_FLAG_')],
    ['TUN_TYPE', kinds.TUN_TYPE, prefixed('IFF_')],
    ['BRIDGE_MCAST_ROUTER', kinds.BRIDGE_MCAST_ROUTER, prefixed('MDB_RTR_TYPE_')],
    ['BRIDGE_PORT_STATE', kinds.BRIDGE_PORT_STATE, prefixed('BR_STATE_')],
    ['BRIDGE_FLAGS', kinds.BRIDGE_FLAGS, prefixed('BRIDGE_FLAGS_')],
    ['BRIDGE_MODE', kinds.BRIDGE_MODE, prefixed('BRIDGE_MODE_')],
    ['BRIDGE_VLAN_INFO_FLAGS', kinds.BRIDGE_VLAN_INFO_FLAGS, prefixed('BRIDGE_VLAN_INFO_')],
    [
      'BOND_MODE',
      kinds.BOND_MODE,
      (k) =>
        ({
          'balance-rr': 'BOND_MODE_ROUNDROBIN',
          'active-backup': 'BOND_MODE_ACTIVEBACKUP',
          'balance-xor': 'BOND_MODE_XOR',
          broadcast: 'BOND_MODE_BROADCAST',
          '802.3ad': 'BOND_MODE_8023AD',
          'balance-tlb': 'BOND_MODE_TLB',
          'balance-alb': 'BOND_MODE_ALB',
        })[k]!,
    ],
    [
      'BOND_XMIT_HASH_POLICY',
      kinds.BOND_XMIT_HASH_POLICY,
      (k) =>
        `BOND_XMIT_POLICY_${k.replace('+', '').replace('layer', 'LAYER').replace('encap', 'ENCAP').replace('vlansrcmac', 'VLAN_SRCMAC')}`,
    ],
    ['BOND_SLAVE_STATE', kinds.BOND_SLAVE_STATE, prefixed('BOND_STATE_')],
    ['BOND_SLAVE_MII_STATUS', kinds.BOND_SLAVE_MII_STATUS, prefixed('BOND_LINK_')],
    ['LACP_STATE', kinds.LACP_STATE, prefixed('LACP_STATE_')],
    ['TUNNEL_ENCAP', kinds.TUNNEL_ENCAP, prefixed('TUNNEL_ENCAP_')],
    ['TUNNEL_ENCAP_FLAGS', kinds.TUNNEL_ENCAP_FLAGS, prefixed('TUNNEL_ENCAP_FLAG_')],
    ['IP6_TNL_FLAGS', kinds.IP6_TNL_FLAGS, prefixed('IP6_TNL_F_')],
    // GRE_* are defined in network order (__cpu_to_be16): the wire value is their be16 reading.
    ['GRE_FLAGS', kinds.GRE_FLAGS, (k) => `__be16_to_cpu(GRE_${k.toUpperCase()})`],
    ['SIT_FLAGS', kinds.SIT_FLAGS, prefixed('SIT_')],
  ];

  it.each(rows)('%s', (_name, table, cName) => {
    const exprs = Object.fromEntries(Object.keys(table).map((k) => [k, cName(k)]));
    const { values, unknown } = cValues(exprs, HEADERS);
    expect(unknown).toEqual([]);
    expect(values).toEqual(table);
  });
});
