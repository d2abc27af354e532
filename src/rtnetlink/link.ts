// RTM_NEWLINK / RTM_GETLINK bodies: struct ifinfomsg + IFLA_* attributes (<linux/if_link.h>,
// cross-checked with the kernel's rt-link YNL spec; 62–69 are newer than the 6.1 headers and
// checked against the spec in test/rtnetlink/uapi-link.test.ts). Kind-specific data
// (IFLA_INFO_DATA / IFLA_INFO_SLAVE_DATA) is declared per kind under ./kinds/.
import { defineAttributes, defineMessage, type Input } from '../netlink/schema.js';
import { blob, defineStruct, s32, struct, u8, u16, u16be, u32, u64 } from '../netlink/struct.js';
import { bridgeAfAttributes } from './kinds/bridge.js';
import { paddedLladdrCodec, uintCodec, vfMacCodec } from './kinds/common.js';
import { LINK_KIND_DATA, LINK_SLAVE_DATA } from './kinds/index.js';
import { provideLinkMessage } from './kinds/link-ref.js';

// ---- ifinfomsg and its flag and type names -----------------------------------------------------

/** struct ifinfomsg */
export interface Ifinfomsg {
  family: number;
  /** ARPHRD_* (see ARPHRD). */
  type: number;
  index: number;
  /** IFF_* bits (see IFF_FLAGS). */
  flags: number;
  /** The IFF_* bits `flags` changes (RTM_NEWLINK/SETLINK); 0xffffffff in notifications. */
  change: number;
}
export const ifinfomsg = defineStruct<Ifinfomsg>(
  struct(
    [u8('family'), u8('_pad'), u16('type'), s32('index'), u32('flags'), u32('change')],
    'ifinfomsg',
  ),
);

/** ifi_flags bits (enum net_device_flags, <linux/if.h>), named as iproute2 prints them (lower case). */
export const IFF_FLAGS = {
  up: 1 << 0,
  broadcast: 1 << 1,
  debug: 1 << 2,
  loopback: 1 << 3,
  pointopoint: 1 << 4,
  notrailers: 1 << 5,
  running: 1 << 6,
  noarp: 1 << 7,
  promisc: 1 << 8,
  allmulti: 1 << 9,
  master: 1 << 10,
  slave: 1 << 11,
  multicast: 1 << 12,
  portsel: 1 << 13,
  automedia: 1 << 14,
  dynamic: 1 << 15,
  lower_up: 1 << 16,
  dormant: 1 << 17,
  echo: 1 << 18,
} as const;

/** The names of the IFF_FLAGS bits set in `flags` (unknown bits are ignored). */
export function iffFlagNames(flags: number): (keyof typeof IFF_FLAGS)[] {
  return (Object.keys(IFF_FLAGS) as (keyof typeof IFF_FLAGS)[]).filter(
    (k) => (flags & IFF_FLAGS[k]) !== 0,
  );
}

/**
 * ifi_type values (ARPHRD_*, <linux/if_arp.h>) by the name iproute2 prints (`link/ether`,
 * `link/loopback`, `link/none`, …). Several C names differ: ARPHRD_TUNNEL is "ipip", ARPHRD_IPGRE
 * "gre", ARPHRD_IP6GRE "gre6", ARPHRD_APPLETLK "atalk", ARPHRD_LOCALTLK "ltalk", and 0
 * (ARPHRD_NETROM) "generic".
 */
export const ARPHRD = {
  generic: 0,
  ether: 1,
  eether: 2,
  ax25: 3,
  pronet: 4,
  chaos: 5,
  ieee802: 6,
  arcnet: 7,
  atalk: 8,
  dlci: 15,
  atm: 19,
  metricom: 23,
  ieee1394: 24,
  infiniband: 32,
  slip: 256,
  cslip: 257,
  slip6: 258,
  cslip6: 259,
  rsrvd: 260,
  adapt: 264,
  rose: 270,
  x25: 271,
  hwx25: 272,
  can: 280,
  ppp: 512,
  hdlc: 513,
  lapb: 516,
  ddcmp: 517,
  rawhdlc: 518,
  ipip: 768,
  tunnel6: 769,
  frad: 770,
  skip: 771,
  loopback: 772,
  ltalk: 773,
  fddi: 774,
  bif: 775,
  sit: 776,
  'ip/ddp': 777,
  gre: 778,
  pimreg: 779,
  hippi: 780,
  ash: 781,
  econet: 782,
  irda: 783,
  fcpp: 784,
  fcal: 785,
  fcpl: 786,
  fcfb0: 787,
  fcfb1: 788,
  fcfb2: 789,
  fcfb3: 790,
  fcfb4: 791,
  fcfb5: 792,
  fcfb6: 793,
  fcfb7: 794,
  fcfb8: 795,
  fcfb9: 796,
  fcfb10: 797,
  fcfb11: 798,
  fcfb12: 799,
  tr: 800,
  'ieee802.11': 801,
  'ieee802.11/prism': 802,
  'ieee802.11/radiotap': 803,
  'ieee802.15.4': 804,
  'ieee802.15.4/monitor': 805,
  phonet: 820,
  phonet_pipe: 821,
  caif: 822,
  gre6: 823,
  netlink: 824,
  '6lowpan': 825,
  none: 0xfffe,
  void: 0xffff,
} as const;

/** The iproute2 name of an ifi_type (`[778]`-style text is the caller's business). */
export function arphrdName(type: number): keyof typeof ARPHRD | undefined {
  for (const k of Object.keys(ARPHRD) as (keyof typeof ARPHRD)[]) if (ARPHRD[k] === type) return k;
  return undefined;
}

// ---- statistics and other fixed structs ----------------------------------------------------------

/** The counters of struct rtnl_link_stats64, in their order in the struct. */
export const STATS64_FIELDS = [
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
] as const;
type StatsField = (typeof STATS64_FIELDS)[number];
/** Fields added after the first layout: absent when an older kernel sent a shorter struct. */
type LateStats = 'rx_nohandler' | 'rx_otherhost_dropped';

/** struct rtnl_link_stats64. 23 counters until 4.6 (184 bytes), then rx_nohandler, then rx_otherhost_dropped (6.0). */
export type RtnlLinkStats64 = { [K in Exclude<StatsField, LateStats>]: bigint } & {
  [K in LateStats]?: bigint;
};
export const rtnlLinkStats64 = defineStruct<RtnlLinkStats64>(
  struct(
    STATS64_FIELDS.map((f) => u64(f)),
    'rtnl_link_stats64',
  ),
  { minSize: 23 * 8 },
);

/**
 * struct rtnl_link_stats: the same counters in 32 bits (IFLA_STATS), up to rx_nohandler (4.6);
 * rx_otherhost_dropped was only added to the 64-bit struct.
 */
export type RtnlLinkStats = { [K in Exclude<StatsField, LateStats>]: number } & {
  rx_nohandler?: number;
};
export const rtnlLinkStats = defineStruct<RtnlLinkStats>(
  struct(
    STATS64_FIELDS.slice(0, 24).map((f) => u32(f)),
    'rtnl_link_stats',
  ),
  { minSize: 23 * 4 },
);

/** struct rtnl_link_ifmap (IFLA_MAP): the legacy ISA-style device resources. */
export interface RtnlLinkIfmap {
  mem_start: bigint;
  mem_end: bigint;
  base_addr: bigint;
  irq: number;
  dma: number;
  port: number;
}
export const rtnlLinkIfmap = defineStruct<RtnlLinkIfmap>(
  struct(
    [
      u64('mem_start'),
      u64('mem_end'),
      u64('base_addr'),
      u16('irq'),
      u8('dma'),
      u8('port'),
      // sizeof is 32: the compiler pads to the u64 alignment.
      blob(4, '_pad'),
    ],
    'rtnl_link_ifmap',
  ),
);

// ---- enums of link attributes --------------------------------------------------------------------

/** IFLA_OPERSTATE values (RFC 2863, enum in <linux/if.h>). */
export const OPERSTATE = {
  unknown: 0,
  notpresent: 1,
  down: 2,
  lowerlayerdown: 3,
  testing: 4,
  dormant: 5,
  up: 6,
} as const;

/** IFLA_LINKMODE: IF_LINK_MODE_* (<linux/if.h>). */
export const LINKMODE = { default: 0, dormant: 1, testing: 2 } as const;

/** IFLA_EVENT: IFLA_EVENT_* (<linux/if_link.h>), why a notification was sent. */
export const LINK_EVENT = {
  none: 0,
  reboot: 1,
  features: 2,
  bonding_failover: 3,
  notify_peers: 4,
  igmp_resend: 5,
  bonding_options: 6,
} as const;

/** IFLA_EXT_MASK bits: RTEXT_FILTER_* (<linux/rtnetlink.h>), what a GETLINK reply includes. */
export const RTEXT_FILTER = {
  vf: 1 << 0,
  brvlan: 1 << 1,
  brvlan_compressed: 1 << 2,
  skip_stats: 1 << 3,
  mrp: 1 << 4,
  cfm_config: 1 << 5,
  cfm_status: 1 << 6,
  mst: 1 << 7,
} as const;

// ---- IFLA_AF_SPEC ------------------------------------------------------------------------------

/**
 * IPV4_DEVCONF_* (<linux/ip.h>) in order: IFLA_INET_CONF is a u32 array indexed by the constant
 * minus 1. The array grew across kernels; a newer kernel's extra entries are kept as bytes.
 */
export const IPV4_DEVCONF = [
  'forwarding',
  'mc_forwarding',
  'proxy_arp',
  'accept_redirects',
  'secure_redirects',
  'send_redirects',
  'shared_media',
  'rp_filter',
  'accept_source_route',
  'bootp_relay',
  'log_martians',
  'tag',
  'arpfilter',
  'medium_id',
  'noxfrm',
  'nopolicy',
  'force_igmp_version',
  'arp_announce',
  'arp_ignore',
  'promote_secondaries',
  'arp_accept',
  'arp_notify',
  'accept_local',
  'src_vmark',
  'proxy_arp_pvlan',
  'route_localnet',
  'igmpv2_unsolicited_report_interval',
  'igmpv3_unsolicited_report_interval',
  'ignore_routes_with_linkdown',
  'drop_unicast_in_l2_multicast',
  'drop_gratuitous_arp',
  'bc_forwarding',
  'arp_evict_nocarrier',
] as const;

/** IPv4 devconf values by name (each absent when the kernel's array stops before it). */
export type Ipv4Devconf = { [K in (typeof IPV4_DEVCONF)[number]]?: number };
export const ipv4Devconf = defineStruct<Ipv4Devconf>(
  struct(
    IPV4_DEVCONF.map((f) => u32(f)),
    'ipv4_devconf',
  ),
  { minSize: 4 },
);

/**
 * DEVCONF_* (<linux/ipv6.h>) in order: IFLA_INET6_CONF is an s32 array indexed by the
 * constant. Grew across kernels like the IPv4 one.
 */
export const IPV6_DEVCONF = [
  'forwarding',
  'hoplimit',
  'mtu6',
  'accept_ra',
  'accept_redirects',
  'autoconf',
  'dad_transmits',
  'rtr_solicits',
  'rtr_solicit_interval',
  'rtr_solicit_delay',
  'use_tempaddr',
  'temp_valid_lft',
  'temp_prefered_lft',
  'regen_max_retry',
  'max_desync_factor',
  'max_addresses',
  'force_mld_version',
  'accept_ra_defrtr',
  'accept_ra_pinfo',
  'accept_ra_rtr_pref',
  'rtr_probe_interval',
  'accept_ra_rt_info_max_plen',
  'proxy_ndp',
  'optimistic_dad',
  'accept_source_route',
  'mc_forwarding',
  'disable_ipv6',
  'accept_dad',
  'force_tllao',
  'ndisc_notify',
  'mldv1_unsolicited_report_interval',
  'mldv2_unsolicited_report_interval',
  'suppress_frag_ndisc',
  'accept_ra_from_local',
  'use_optimistic',
  'accept_ra_mtu',
  'stable_secret',
  'use_oif_addrs_only',
  'accept_ra_min_hop_limit',
  'ignore_routes_with_linkdown',
  'drop_unicast_in_l2_multicast',
  'drop_unsolicited_na',
  'keep_addr_on_down',
  'rtr_solicit_max_interval',
  'seg6_enabled',
  'seg6_require_hmac',
  'enhanced_dad',
  'addr_gen_mode',
  'disable_policy',
  'accept_ra_rt_info_min_plen',
  'ndisc_tclass',
  'rpl_seg_enabled',
  'ra_defrtr_metric',
  'ioam6_enabled',
  'ioam6_id',
  'ioam6_id_wide',
  'ndisc_evict_nocarrier',
  'accept_untracked_na',
  'accept_ra_min_lft',
] as const;

/** IPv6 devconf values by name (each absent when the kernel's array stops before it). */
export type Ipv6Devconf = { [K in (typeof IPV6_DEVCONF)[number]]?: number };
export const ipv6Devconf = defineStruct<Ipv6Devconf>(
  struct(
    IPV6_DEVCONF.map((f) => s32(f)),
    'ipv6_devconf',
  ),
  { minSize: 4 },
);

/** IPSTATS_MIB_* (<linux/snmp.h>): IFLA_INET6_STATS, u64 each; `num` is the count that follows. */
export const INET6_STATS = [
  'num',
  'inpkts',
  'inoctets',
  'indelivers',
  'outforwdatagrams',
  'outpkts',
  'outoctets',
  'inhdrerrors',
  'intoobigerrors',
  'innoroutes',
  'inaddrerrors',
  'inunknownprotos',
  'intruncatedpkts',
  'indiscards',
  'outdiscards',
  'outnoroutes',
  'reasmtimeout',
  'reasmreqds',
  'reasmoks',
  'reasmfails',
  'fragoks',
  'fragfails',
  'fragcreates',
  'inmcastpkts',
  'outmcastpkts',
  'inbcastpkts',
  'outbcastpkts',
  'inmcastoctets',
  'outmcastoctets',
  'inbcastoctets',
  'outbcastoctets',
  'csumerrors',
  'noectpkts',
  'ect1pkts',
  'ect0pkts',
  'cepkts',
  'reasm_overlaps',
] as const;
export type Inet6Stats = { [K in (typeof INET6_STATS)[number]]?: bigint };
export const inet6Stats = defineStruct<Inet6Stats>(
  struct(
    INET6_STATS.map((f) => u64(f)),
    'ipstats_mib',
  ),
  { minSize: 8 },
);

/** ICMP6_MIB_* (<linux/snmp.h>): IFLA_INET6_ICMP6STATS, u64 each. */
export const ICMP6_STATS = [
  'num',
  'inmsgs',
  'inerrors',
  'outmsgs',
  'outerrors',
  'csumerrors',
  'ratelimithost',
] as const;
export type Icmp6Stats = { [K in (typeof ICMP6_STATS)[number]]?: bigint };
export const icmp6Stats = defineStruct<Icmp6Stats>(
  struct(
    ICMP6_STATS.map((f) => u64(f)),
    'icmp6_mib',
  ),
  { minSize: 8 },
);

/** struct ifla_cacheinfo (IFLA_INET6_CACHEINFO); times in ms, tstamp in 1/100 s. */
export interface IflaCacheinfo {
  max_reasm_len: number;
  tstamp: number;
  reachable_time: number;
  retrans_time: number;
}
export const iflaCacheinfo = defineStruct<IflaCacheinfo>(
  struct(
    [u32('max_reasm_len'), u32('tstamp'), u32('reachable_time'), u32('retrans_time')],
    'ifla_cacheinfo',
  ),
);

/** IFLA_INET6_ADDR_GEN_MODE: enum in6_addr_gen_mode. */
export const IN6_ADDR_GEN_MODE = { eui64: 0, none: 1, stable_privacy: 2, random: 3 } as const;

export const inetAttributes = defineAttributes('af_inet', {
  conf: {
    type: 1,
    kind: 'struct',
    struct: ipv4Devconf,
    c: 'IFLA_INET_CONF',
    doc: 'IPv4 sysctls of the link (net.ipv4.conf.DEV.*)',
  },
});

export const inet6Attributes = defineAttributes('af_inet6', {
  flags: { type: 1, kind: 'u32', c: 'IFLA_INET6_FLAGS', doc: 'IF_RA_* / IF_READY bits' },
  conf: {
    type: 2,
    kind: 'struct',
    struct: ipv6Devconf,
    c: 'IFLA_INET6_CONF',
    doc: 'IPv6 sysctls of the link (net.ipv6.conf.DEV.*)',
  },
  stats: { type: 3, kind: 'struct', struct: inet6Stats, c: 'IFLA_INET6_STATS' },
  mcast: { type: 4, kind: 'binary', c: 'IFLA_INET6_MCAST' },
  cacheinfo: { type: 5, kind: 'struct', struct: iflaCacheinfo, c: 'IFLA_INET6_CACHEINFO' },
  icmp6stats: { type: 6, kind: 'struct', struct: icmp6Stats, c: 'IFLA_INET6_ICMP6STATS' },
  token: { type: 7, kind: 'ipaddr', c: 'IFLA_INET6_TOKEN', doc: 'Interface identifier token' },
  addrGenMode: {
    type: 8,
    kind: 'u8',
    enum: IN6_ADDR_GEN_MODE,
    c: 'IFLA_INET6_ADDR_GEN_MODE',
  },
  raMtu: { type: 9, kind: 'u32', c: 'IFLA_INET6_RA_MTU', doc: 'MTU of the last RA' },
});

export const mctpAttributes = defineAttributes('af_mctp', {
  net: { type: 1, kind: 'u32', c: 'IFLA_MCTP_NET', doc: 'MCTP network id' },
  physBinding: { type: 2, kind: 'u8', c: 'IFLA_MCTP_PHYS_BINDING' },
});

/** IFLA_AF_SPEC: one nest per address family, numbered by AF_*. */
export const afSpecAttributes = defineAttributes('af_spec', {
  inet: { type: 2, kind: 'nested', set: inetAttributes, c: 'AF_INET' },
  bridge: { type: 7, kind: 'nested', set: bridgeAfAttributes, c: 'AF_BRIDGE' },
  inet6: { type: 10, kind: 'nested', set: inet6Attributes, c: 'AF_INET6' },
  mctp: { type: 45, kind: 'nested', set: mctpAttributes, c: 'AF_MCTP' },
});

// ---- IFLA_XDP ----------------------------------------------------------------------------------

/** IFLA_XDP_ATTACHED: XDP_ATTACHED_*. */
export const XDP_ATTACHED = { none: 0, drv: 1, skb: 2, hw: 3, multi: 4 } as const;

/** IFLA_XDP_FLAGS: XDP_FLAGS_*. */
export const XDP_FLAGS = {
  update_if_noexist: 1 << 0,
  skb_mode: 1 << 1,
  drv_mode: 1 << 2,
  hw_mode: 1 << 3,
  replace: 1 << 4,
} as const;

export const xdpAttributes = defineAttributes('xdp', {
  fd: { type: 1, kind: 's32', c: 'IFLA_XDP_FD', doc: 'Program to attach (-1 detaches)' },
  attached: { type: 2, kind: 'u8', enum: XDP_ATTACHED, c: 'IFLA_XDP_ATTACHED' },
  flags: { type: 3, kind: 'u32', flags: XDP_FLAGS, c: 'IFLA_XDP_FLAGS' },
  progId: { type: 4, kind: 'u32', c: 'IFLA_XDP_PROG_ID' },
  drvProgId: { type: 5, kind: 'u32', c: 'IFLA_XDP_DRV_PROG_ID' },
  skbProgId: { type: 6, kind: 'u32', c: 'IFLA_XDP_SKB_PROG_ID' },
  hwProgId: { type: 7, kind: 'u32', c: 'IFLA_XDP_HW_PROG_ID' },
  expectedFd: { type: 8, kind: 's32', c: 'IFLA_XDP_EXPECTED_FD' },
});

// ---- SR-IOV: IFLA_VFINFO_LIST, IFLA_VF_PORTS, IFLA_PORT_SELF -----------------------------------

export const iflaVfVlan = defineStruct<{ vf: number; vlan: number; qos: number }>(
  struct([u32('vf'), u32('vlan'), u32('qos')], 'ifla_vf_vlan'),
);
export const iflaVfTxRate = defineStruct<{ vf: number; rate: number }>(
  struct([u32('vf'), u32('rate')], 'ifla_vf_tx_rate'),
);
export const iflaVfSpoofchk = defineStruct<{ vf: number; setting: number }>(
  struct([u32('vf'), u32('setting')], 'ifla_vf_spoofchk'),
);
/** `link_state`: IFLA_VF_LINK_STATE_* (see VF_LINK_STATE). */
export const iflaVfLinkState = defineStruct<{ vf: number; link_state: number }>(
  struct([u32('vf'), u32('link_state')], 'ifla_vf_link_state'),
);
export const iflaVfRate = defineStruct<{ vf: number; min_tx_rate: number; max_tx_rate: number }>(
  struct([u32('vf'), u32('min_tx_rate'), u32('max_tx_rate')], 'ifla_vf_rate'),
);
export const iflaVfRssQueryEn = defineStruct<{ vf: number; setting: number }>(
  struct([u32('vf'), u32('setting')], 'ifla_vf_rss_query_en'),
);
export const iflaVfTrust = defineStruct<{ vf: number; setting: number }>(
  struct([u32('vf'), u32('setting')], 'ifla_vf_trust'),
);
export const iflaVfGuid = defineStruct<{ vf: number; guid: bigint }>(
  struct([u32('vf'), blob(4, '_pad'), u64('guid')], 'ifla_vf_guid'),
);
/** `vlan_proto` is the ethertype in network order (0x8100, 0x88a8). */
export const iflaVfVlanInfo = defineStruct<{
  vf: number;
  vlan: number;
  qos: number;
  vlan_proto: number;
}>(
  struct(
    [u32('vf'), u32('vlan'), u32('qos'), u16be('vlan_proto'), blob(2, '_pad')],
    'ifla_vf_vlan_info',
  ),
);

/** IFLA_VF_LINK_STATE_*. */
export const VF_LINK_STATE = { auto: 0, enable: 1, disable: 2 } as const;

export const vfStatsAttributes = defineAttributes('vf_stats', {
  rxPackets: { type: 0, kind: 'u64', c: 'IFLA_VF_STATS_RX_PACKETS' },
  txPackets: { type: 1, kind: 'u64', c: 'IFLA_VF_STATS_TX_PACKETS' },
  rxBytes: { type: 2, kind: 'u64', c: 'IFLA_VF_STATS_RX_BYTES' },
  txBytes: { type: 3, kind: 'u64', c: 'IFLA_VF_STATS_TX_BYTES' },
  broadcast: { type: 4, kind: 'u64', c: 'IFLA_VF_STATS_BROADCAST' },
  multicast: { type: 5, kind: 'u64', c: 'IFLA_VF_STATS_MULTICAST' },
  pad: { type: 6, kind: 'binary', c: 'IFLA_VF_STATS_PAD' },
  rxDropped: { type: 7, kind: 'u64', c: 'IFLA_VF_STATS_RX_DROPPED' },
  txDropped: { type: 8, kind: 'u64', c: 'IFLA_VF_STATS_TX_DROPPED' },
});

export const vfVlanListAttributes = defineAttributes('vf_vlan_list', {
  info: {
    type: 1,
    kind: 'struct',
    struct: iflaVfVlanInfo,
    multi: true,
    c: 'IFLA_VF_VLAN_INFO',
  },
});

export const vfInfoAttributes = defineAttributes('vf_info', {
  mac: { type: 1, kind: 'custom', codec: vfMacCodec, c: 'IFLA_VF_MAC' },
  vlan: { type: 2, kind: 'struct', struct: iflaVfVlan, c: 'IFLA_VF_VLAN' },
  txRate: { type: 3, kind: 'struct', struct: iflaVfTxRate, c: 'IFLA_VF_TX_RATE' },
  spoofchk: { type: 4, kind: 'struct', struct: iflaVfSpoofchk, c: 'IFLA_VF_SPOOFCHK' },
  linkState: { type: 5, kind: 'struct', struct: iflaVfLinkState, c: 'IFLA_VF_LINK_STATE' },
  rate: { type: 6, kind: 'struct', struct: iflaVfRate, c: 'IFLA_VF_RATE' },
  rssQueryEn: { type: 7, kind: 'struct', struct: iflaVfRssQueryEn, c: 'IFLA_VF_RSS_QUERY_EN' },
  stats: { type: 8, kind: 'nested', set: vfStatsAttributes, c: 'IFLA_VF_STATS' },
  trust: { type: 9, kind: 'struct', struct: iflaVfTrust, c: 'IFLA_VF_TRUST' },
  ibNodeGuid: { type: 10, kind: 'struct', struct: iflaVfGuid, c: 'IFLA_VF_IB_NODE_GUID' },
  ibPortGuid: { type: 11, kind: 'struct', struct: iflaVfGuid, c: 'IFLA_VF_IB_PORT_GUID' },
  vlanList: { type: 12, kind: 'nested', set: vfVlanListAttributes, c: 'IFLA_VF_VLAN_LIST' },
  broadcast: {
    type: 13,
    kind: 'custom',
    codec: paddedLladdrCodec(32, 'struct ifla_vf_broadcast'),
    c: 'IFLA_VF_BROADCAST',
  },
});

export const vfInfoListAttributes = defineAttributes('vfinfo_list', {
  info: { type: 1, kind: 'nested', set: vfInfoAttributes, multi: true, c: 'IFLA_VF_INFO' },
});

/** struct ifla_port_vsi (IFLA_PORT_VSI_TYPE, 802.1Qbg VDP). */
export const iflaPortVsi = defineStruct<{
  vsi_mgr_id: number;
  vsi_type_id: Uint8Array;
  vsi_type_version: number;
}>(
  struct(
    [u8('vsi_mgr_id'), blob(3, 'vsi_type_id'), u8('vsi_type_version'), blob(3, '_pad')],
    'ifla_port_vsi',
  ),
);

/** IFLA_PORT_REQUEST: PORT_REQUEST_*. */
export const PORT_REQUEST = {
  preassociate: 0,
  preassociate_rr: 1,
  associate: 2,
  disassociate: 3,
} as const;

/** IFLA_PORT_RESPONSE: PORT_VDP_RESPONSE_* and PORT_PROFILE_RESPONSE_*. */
export const PORT_RESPONSE = {
  success: 0,
  invalid_format: 1,
  insufficient_resources: 2,
  unused_vtid: 3,
  vtid_violation: 4,
  vtid_version_violation: 5,
  out_of_sync: 6,
  profile_success: 0x100,
  profile_inprogress: 0x101,
  profile_invalid: 0x102,
  profile_badstate: 0x103,
  profile_insufficient_resources: 0x104,
  profile_error: 0x105,
} as const;

export const portAttributes = defineAttributes('port', {
  vf: { type: 1, kind: 'u32', c: 'IFLA_PORT_VF' },
  profile: { type: 2, kind: 'string', c: 'IFLA_PORT_PROFILE' },
  vsiType: { type: 3, kind: 'struct', struct: iflaPortVsi, c: 'IFLA_PORT_VSI_TYPE' },
  instanceUuid: { type: 4, kind: 'binary', c: 'IFLA_PORT_INSTANCE_UUID' },
  hostUuid: { type: 5, kind: 'binary', c: 'IFLA_PORT_HOST_UUID' },
  request: { type: 6, kind: 'u8', enum: PORT_REQUEST, c: 'IFLA_PORT_REQUEST' },
  response: { type: 7, kind: 'u16', enum: PORT_RESPONSE, c: 'IFLA_PORT_RESPONSE' },
});

export const vfPortsAttributes = defineAttributes('vf_ports', {
  port: { type: 1, kind: 'nested', set: portAttributes, multi: true, c: 'IFLA_VF_PORT' },
});

// ---- small nests -------------------------------------------------------------------------------

export const protoDownReasonAttributes = defineAttributes('proto_down_reason', {
  mask: { type: 1, kind: 'u32', c: 'IFLA_PROTO_DOWN_REASON_MASK' },
  value: { type: 2, kind: 'u32', c: 'IFLA_PROTO_DOWN_REASON_VALUE' },
});

export const propListAttributes = defineAttributes('prop_list', {
  altIfname: {
    type: 53,
    kind: 'string',
    multi: true,
    c: 'IFLA_ALT_IFNAME',
    doc: 'Alternative interface name',
  },
});

export const dpllPinAttributes = defineAttributes('dpll_pin', {
  id: { type: 1, kind: 'u32', c: 'DPLL_A_ID', doc: 'DPLL pin id' },
});

// ---- IFLA_LINKINFO -----------------------------------------------------------------------------

export const linkinfoAttributes = defineAttributes('linkinfo', {
  kind: { type: 1, kind: 'string', c: 'IFLA_INFO_KIND', doc: 'Link kind (veth, bridge, vxlan, …)' },
  data: {
    type: 2,
    kind: 'submessage',
    selector: 'kind',
    sets: LINK_KIND_DATA,
    c: 'IFLA_INFO_DATA',
    doc: 'Kind-specific attributes',
  },
  xstats: { type: 3, kind: 'binary', c: 'IFLA_INFO_XSTATS' },
  slaveKind: {
    type: 4,
    kind: 'string',
    c: 'IFLA_INFO_SLAVE_KIND',
    doc: 'Kind of the master this link is enslaved to',
  },
  slaveData: {
    type: 5,
    kind: 'submessage',
    selector: 'slaveKind',
    sets: LINK_SLAVE_DATA,
    c: 'IFLA_INFO_SLAVE_DATA',
    doc: 'Options of the link as a member of its master',
  },
});

// ---- the link attributes -----------------------------------------------------------------------

// Everything but IFLA_LINKINFO, kept apart so a veth peer (a link message inside a link message)
// can name its own attribute types without a circular type.
const LINK_BASE_ATTRS = {
  address: { type: 1, kind: 'lladdr', c: 'IFLA_ADDRESS', doc: 'Link-layer address' },
  broadcast: { type: 2, kind: 'lladdr', c: 'IFLA_BROADCAST', doc: 'Link-layer broadcast address' },
  ifname: { type: 3, kind: 'string', c: 'IFLA_IFNAME', doc: 'Interface name' },
  mtu: { type: 4, kind: 'u32', c: 'IFLA_MTU' },
  link: { type: 5, kind: 'u32', c: 'IFLA_LINK', doc: 'ifindex of the lower device' },
  qdisc: { type: 6, kind: 'string', c: 'IFLA_QDISC' },
  stats: { type: 7, kind: 'struct', struct: rtnlLinkStats, c: 'IFLA_STATS' },
  cost: { type: 8, kind: 'string', c: 'IFLA_COST', doc: 'Unused' },
  priority: { type: 9, kind: 'string', c: 'IFLA_PRIORITY', doc: 'Unused' },
  master: { type: 10, kind: 'u32', c: 'IFLA_MASTER', doc: 'ifindex of the master device' },
  wireless: { type: 11, kind: 'binary', c: 'IFLA_WIRELESS', doc: 'Wireless extension event' },
  protinfo: {
    type: 12,
    kind: 'binary',
    c: 'IFLA_PROTINFO',
    doc: 'Per-family data (IFLA_BRPORT_* for AF_BRIDGE, IFLA_INET6_* for AF_INET6)',
  },
  txqlen: { type: 13, kind: 'u32', c: 'IFLA_TXQLEN' },
  map: { type: 14, kind: 'struct', struct: rtnlLinkIfmap, c: 'IFLA_MAP' },
  weight: { type: 15, kind: 'u32', c: 'IFLA_WEIGHT' },
  operstate: { type: 16, kind: 'u8', enum: OPERSTATE, c: 'IFLA_OPERSTATE' },
  linkmode: { type: 17, kind: 'u8', enum: LINKMODE, c: 'IFLA_LINKMODE' },
  netNsPid: {
    type: 19,
    kind: 'u32',
    c: 'IFLA_NET_NS_PID',
    doc: 'Move to the namespace of this pid',
  },
  ifalias: { type: 20, kind: 'string', c: 'IFLA_IFALIAS' },
  numVf: { type: 21, kind: 'u32', c: 'IFLA_NUM_VF' },
  vfinfoList: { type: 22, kind: 'nested', set: vfInfoListAttributes, c: 'IFLA_VFINFO_LIST' },
  stats64: { type: 23, kind: 'struct', struct: rtnlLinkStats64, c: 'IFLA_STATS64' },
  vfPorts: { type: 24, kind: 'nested', set: vfPortsAttributes, c: 'IFLA_VF_PORTS' },
  portSelf: { type: 25, kind: 'nested', set: portAttributes, c: 'IFLA_PORT_SELF' },
  afSpec: { type: 26, kind: 'nested', set: afSpecAttributes, c: 'IFLA_AF_SPEC' },
  group: { type: 27, kind: 'u32', c: 'IFLA_GROUP' },
  netNsFd: {
    type: 28,
    kind: 'u32',
    c: 'IFLA_NET_NS_FD',
    doc: 'Move to the namespace this fd refers to',
  },
  extMask: { type: 29, kind: 'u32', flags: RTEXT_FILTER, c: 'IFLA_EXT_MASK' },
  promiscuity: { type: 30, kind: 'u32', c: 'IFLA_PROMISCUITY' },
  numTxQueues: { type: 31, kind: 'u32', c: 'IFLA_NUM_TX_QUEUES' },
  numRxQueues: { type: 32, kind: 'u32', c: 'IFLA_NUM_RX_QUEUES' },
  carrier: { type: 33, kind: 'u8', c: 'IFLA_CARRIER' },
  physPortId: { type: 34, kind: 'binary', c: 'IFLA_PHYS_PORT_ID' },
  carrierChanges: { type: 35, kind: 'u32', c: 'IFLA_CARRIER_CHANGES' },
  physSwitchId: { type: 36, kind: 'binary', c: 'IFLA_PHYS_SWITCH_ID' },
  linkNetnsid: { type: 37, kind: 's32', c: 'IFLA_LINK_NETNSID' },
  physPortName: { type: 38, kind: 'string', c: 'IFLA_PHYS_PORT_NAME' },
  protoDown: { type: 39, kind: 'u8', c: 'IFLA_PROTO_DOWN' },
  gsoMaxSegs: { type: 40, kind: 'u32', c: 'IFLA_GSO_MAX_SEGS' },
  gsoMaxSize: { type: 41, kind: 'u32', c: 'IFLA_GSO_MAX_SIZE' },
  pad: { type: 42, kind: 'binary', c: 'IFLA_PAD' },
  xdp: { type: 43, kind: 'nested', set: xdpAttributes, c: 'IFLA_XDP' },
  event: { type: 44, kind: 'u32', enum: LINK_EVENT, c: 'IFLA_EVENT' },
  newNetnsid: { type: 45, kind: 's32', c: 'IFLA_NEW_NETNSID' },
  targetNetnsid: { type: 46, kind: 's32', c: 'IFLA_TARGET_NETNSID' },
  carrierUpCount: { type: 47, kind: 'u32', c: 'IFLA_CARRIER_UP_COUNT' },
  carrierDownCount: { type: 48, kind: 'u32', c: 'IFLA_CARRIER_DOWN_COUNT' },
  newIfindex: { type: 49, kind: 's32', c: 'IFLA_NEW_IFINDEX' },
  minMtu: { type: 50, kind: 'u32', c: 'IFLA_MIN_MTU' },
  maxMtu: { type: 51, kind: 'u32', c: 'IFLA_MAX_MTU' },
  propList: { type: 52, kind: 'nested', set: propListAttributes, c: 'IFLA_PROP_LIST' },
  altIfname: { type: 53, kind: 'string', c: 'IFLA_ALT_IFNAME' },
  permAddress: { type: 54, kind: 'lladdr', c: 'IFLA_PERM_ADDRESS' },
  protoDownReason: {
    type: 55,
    kind: 'nested',
    set: protoDownReasonAttributes,
    c: 'IFLA_PROTO_DOWN_REASON',
  },
  parentDevName: { type: 56, kind: 'string', c: 'IFLA_PARENT_DEV_NAME' },
  parentDevBusName: { type: 57, kind: 'string', c: 'IFLA_PARENT_DEV_BUS_NAME' },
  groMaxSize: { type: 58, kind: 'u32', c: 'IFLA_GRO_MAX_SIZE' },
  tsoMaxSize: { type: 59, kind: 'u32', c: 'IFLA_TSO_MAX_SIZE' },
  tsoMaxSegs: { type: 60, kind: 'u32', c: 'IFLA_TSO_MAX_SEGS' },
  allmulti: { type: 61, kind: 'u32', c: 'IFLA_ALLMULTI' },
  devlinkPort: {
    type: 62,
    kind: 'binary',
    c: 'IFLA_DEVLINK_PORT',
    doc: 'devlink port attributes (a nest of DEVLINK_ATTR_*)',
  },
  gsoIpv4MaxSize: { type: 63, kind: 'u32', c: 'IFLA_GSO_IPV4_MAX_SIZE' },
  groIpv4MaxSize: { type: 64, kind: 'u32', c: 'IFLA_GRO_IPV4_MAX_SIZE' },
  dpllPin: { type: 65, kind: 'nested', set: dpllPinAttributes, c: 'IFLA_DPLL_PIN' },
  maxPacingOffloadHorizon: {
    type: 66,
    kind: 'custom',
    codec: uintCodec,
    c: 'IFLA_MAX_PACING_OFFLOAD_HORIZON',
    doc: 'EDT offload horizon of the device, ns',
  },
  netnsImmutable: { type: 67, kind: 'u8', c: 'IFLA_NETNS_IMMUTABLE' },
  headroom: { type: 68, kind: 'u16', c: 'IFLA_HEADROOM' },
  tailroom: { type: 69, kind: 'u16', c: 'IFLA_TAILROOM' },
} as const;

/** The attribute declarations of a veth peer's link message (IFLA_LINKINFO aside). */
export type LinkPeerAttrs = typeof LINK_BASE_ATTRS;

export const linkAttributes = defineAttributes('link', {
  ...LINK_BASE_ATTRS,
  linkinfo: { type: 18, kind: 'nested', set: linkinfoAttributes, c: 'IFLA_LINKINFO' },
});

/** What the encoder takes for a link's attributes. */
export type LinkAttributesInput = Input<typeof linkAttributes.attrs>;

/** RTM_NEWLINK / RTM_DELLINK / RTM_GETLINK / RTM_SETLINK body. */
export const linkMessage = defineMessage('link', ifinfomsg, linkAttributes);

provideLinkMessage(linkMessage);
