// RTM_NEWROUTE / RTM_DELROUTE / RTM_GETROUTE bodies: struct rtmsg + RTA_* attributes
// (<linux/rtnetlink.h>, cross-checked with the kernel's rt-route YNL spec), with RTA_METRICS
// (RTAX_*), RTA_MULTIPATH (struct rtnexthop run), RTA_VIA, MPLS label stacks and RTA_ENCAP
// (lightweight tunnels: <linux/lwtunnel.h>, mpls_iptunnel.h, seg6_iptunnel.h).
import { defineAttributes, defineMessage } from '../netlink/schema.js';
import { defineStruct, s32, struct, u8, u32, u64 } from '../netlink/struct.js';
import {
  be64Codec,
  mplsLabelsCodec,
  multipathCodec,
  plainNest,
  rtviaCodec,
  seg6EncapCodec,
} from './route-codecs.js';

/**
 * struct rtmsg. `table` holds at most 255 (RT_TABLE_COMPAT 252 when the id is larger; RTA_TABLE
 * has all 32 bits), `protocol` an RTPROT value, `scope` RT_SCOPE, `type` RTN, `flags` RTM_F and
 * RTNH_F bits (see constants.ts for the name maps).
 */
export interface Rtmsg {
  family: number;
  dst_len: number;
  src_len: number;
  tos: number;
  table: number;
  protocol: number;
  scope: number;
  type: number;
  flags: number;
}
export const rtmsg = defineStruct<Rtmsg>(
  struct(
    [
      u8('family'),
      u8('dst_len'),
      u8('src_len'),
      u8('tos'),
      u8('table'),
      u8('protocol'),
      u8('scope'),
      u8('type'),
      u32('flags'),
    ],
    'rtmsg',
  ),
);

/** struct rta_cacheinfo */
export interface RtaCacheinfo {
  rta_clntref: number;
  rta_lastuse: number;
  rta_expires: number;
  rta_error: number;
  rta_used: number;
  rta_id: number;
  rta_ts: number;
  rta_tsage: number;
}
export const rtaCacheinfo = defineStruct<RtaCacheinfo>(
  struct(
    [
      u32('rta_clntref'),
      u32('rta_lastuse'),
      s32('rta_expires'),
      u32('rta_error'),
      u32('rta_used'),
      u32('rta_id'),
      u32('rta_ts'),
      u32('rta_tsage'),
    ],
    'rta_cacheinfo',
  ),
);

/** struct rta_mfc_stats: multicast forwarding counters. */
export interface RtaMfcStats {
  mfcs_packets: bigint;
  mfcs_bytes: bigint;
  mfcs_wrong_if: bigint;
}
export const rtaMfcStats = defineStruct<RtaMfcStats>(
  struct([u64('mfcs_packets'), u64('mfcs_bytes'), u64('mfcs_wrong_if')], 'rta_mfc_stats'),
);

/** RTA_PREF values: the router preference of RFC 4191 (ICMPV6_ROUTER_PREF_*). */
export const ROUTER_PREF = { low: 3, medium: 0, high: 1 } as const;

/** RTA_ENCAP_TYPE values (enum lwtunnel_encap_types, LWTUNNEL_ENCAP_*). iproute2 prints seg6_local as `seg6local`. */
export const LWTUNNEL_ENCAP = {
  none: 0,
  mpls: 1,
  ip: 2,
  ila: 3,
  ip6: 4,
  seg6: 5,
  bpf: 6,
  seg6_local: 7,
  rpl: 8,
  ioam6: 9,
  xfrm: 10,
} as const;

/** RTAX_FEATURES bits (RTAX_FEATURE_*); tcp_usec_ts is newer than the 6.1 headers. */
export const RTAX_FEATURE = {
  ecn: 0x1,
  sack: 0x2,
  timestamp: 0x4,
  allfrag: 0x8,
  tcp_usec_ts: 0x10,
} as const;

/**
 * RTAX_LOCK bits: 1 << RTAX_x for each metric the kernel must not change (`ip route … mtu lock
 * 1400` sets `mtu`). Keys are the metric's key in {@link metricsAttributes}.
 */
export const RTAX_LOCK = {
  mtu: 1 << 2,
  window: 1 << 3,
  rtt: 1 << 4,
  rttvar: 1 << 5,
  ssthresh: 1 << 6,
  cwnd: 1 << 7,
  advmss: 1 << 8,
  reordering: 1 << 9,
  hoplimit: 1 << 10,
  initcwnd: 1 << 11,
  features: 1 << 12,
  rtoMin: 1 << 13,
  initrwnd: 1 << 14,
  quickack: 1 << 15,
  ccAlgo: 1 << 16,
  fastopenNoCookie: 1 << 17,
} as const;

/** RTAX_* route metrics, inside RTA_METRICS. */
export const metricsAttributes = defineAttributes('metrics', {
  lock: {
    type: 1,
    kind: 'u32',
    flags: RTAX_LOCK,
    c: 'RTAX_LOCK',
    doc: 'Metrics locked against change',
  },
  mtu: { type: 2, kind: 'u32', c: 'RTAX_MTU' },
  window: { type: 3, kind: 'u32', c: 'RTAX_WINDOW' },
  rtt: { type: 4, kind: 'u32', c: 'RTAX_RTT', doc: 'Round-trip time, in milliseconds × 8' },
  rttvar: { type: 5, kind: 'u32', c: 'RTAX_RTTVAR', doc: 'RTT variance, in milliseconds × 4' },
  ssthresh: { type: 6, kind: 'u32', c: 'RTAX_SSTHRESH' },
  cwnd: { type: 7, kind: 'u32', c: 'RTAX_CWND' },
  advmss: { type: 8, kind: 'u32', c: 'RTAX_ADVMSS' },
  reordering: { type: 9, kind: 'u32', c: 'RTAX_REORDERING' },
  hoplimit: { type: 10, kind: 'u32', c: 'RTAX_HOPLIMIT' },
  initcwnd: { type: 11, kind: 'u32', c: 'RTAX_INITCWND' },
  features: { type: 12, kind: 'u32', flags: RTAX_FEATURE, c: 'RTAX_FEATURES' },
  rtoMin: { type: 13, kind: 'u32', c: 'RTAX_RTO_MIN', doc: 'Minimum RTO, in milliseconds' },
  initrwnd: { type: 14, kind: 'u32', c: 'RTAX_INITRWND' },
  quickack: { type: 15, kind: 'u32', c: 'RTAX_QUICKACK' },
  ccAlgo: { type: 16, kind: 'string', c: 'RTAX_CC_ALGO', doc: 'Congestion control algorithm' },
  fastopenNoCookie: { type: 17, kind: 'u32', c: 'RTAX_FASTOPEN_NO_COOKIE' },
});

/** MPLS_IPTUNNEL_*: the mpls encap (`encap mpls 100/200 ttl 10`). */
export const mplsEncapAttributes = defineAttributes('mpls', {
  dst: {
    type: 1,
    kind: 'custom',
    codec: mplsLabelsCodec,
    c: 'MPLS_IPTUNNEL_DST',
    doc: 'Labels to push',
  },
  ttl: { type: 2, kind: 'u8', c: 'MPLS_IPTUNNEL_TTL' },
});

/** SEG6_IPTUNNEL_*: the seg6 encap (`encap seg6 mode encap segs A,B`). */
export const seg6EncapAttributes = defineAttributes('seg6', {
  srh: {
    type: 1,
    kind: 'custom',
    codec: seg6EncapCodec,
    c: 'SEG6_IPTUNNEL_SRH',
    doc: 'Mode and segment routing header',
  },
});

/** LWTUNNEL_IP_*: IPv4 tunnel metadata (`encap ip id … dst …`). */
export const ipEncapAttributes = defineAttributes('ip', {
  id: { type: 1, kind: 'custom', codec: be64Codec, c: 'LWTUNNEL_IP_ID', doc: 'Tunnel id' },
  dst: { type: 2, kind: 'ipaddr', c: 'LWTUNNEL_IP_DST' },
  src: { type: 3, kind: 'ipaddr', c: 'LWTUNNEL_IP_SRC' },
  ttl: { type: 4, kind: 'u8', c: 'LWTUNNEL_IP_TTL' },
  tos: { type: 5, kind: 'u8', c: 'LWTUNNEL_IP_TOS' },
  flags: { type: 6, kind: 'be16', c: 'LWTUNNEL_IP_FLAGS', doc: 'TUNNEL_* flags' },
  pad: { type: 7, kind: 'binary', c: 'LWTUNNEL_IP_PAD' },
  opts: { type: 8, kind: 'binary', c: 'LWTUNNEL_IP_OPTS', doc: 'geneve/vxlan/erspan options, raw' },
});

/** LWTUNNEL_IP6_*: IPv6 tunnel metadata (`encap ip6 id … dst …`). */
export const ip6EncapAttributes = defineAttributes('ip6', {
  id: { type: 1, kind: 'custom', codec: be64Codec, c: 'LWTUNNEL_IP6_ID', doc: 'Tunnel id' },
  dst: { type: 2, kind: 'ipaddr', c: 'LWTUNNEL_IP6_DST' },
  src: { type: 3, kind: 'ipaddr', c: 'LWTUNNEL_IP6_SRC' },
  hoplimit: { type: 4, kind: 'u8', c: 'LWTUNNEL_IP6_HOPLIMIT' },
  tc: { type: 5, kind: 'u8', c: 'LWTUNNEL_IP6_TC' },
  flags: { type: 6, kind: 'be16', c: 'LWTUNNEL_IP6_FLAGS', doc: 'TUNNEL_* flags' },
  pad: { type: 7, kind: 'binary', c: 'LWTUNNEL_IP6_PAD' },
  opts: {
    type: 8,
    kind: 'binary',
    c: 'LWTUNNEL_IP6_OPTS',
    doc: 'geneve/vxlan/erspan options, raw',
  },
});

/** LWT_BPF_PROG_*: one BPF program of a bpf encap. */
export const bpfProgAttributes = defineAttributes('bpf_prog', {
  fd: { type: 1, kind: 'u32', c: 'LWT_BPF_PROG_FD' },
  name: { type: 2, kind: 'string', c: 'LWT_BPF_PROG_NAME' },
});

/** LWT_BPF_*: the bpf encap (`encap bpf in … out … xmit …`). */
export const bpfEncapAttributes = defineAttributes('bpf', {
  in: { type: 1, kind: 'nested', set: bpfProgAttributes, c: 'LWT_BPF_IN' },
  out: { type: 2, kind: 'nested', set: bpfProgAttributes, c: 'LWT_BPF_OUT' },
  xmit: { type: 3, kind: 'nested', set: bpfProgAttributes, c: 'LWT_BPF_XMIT' },
  xmitHeadroom: { type: 4, kind: 'u32', c: 'LWT_BPF_XMIT_HEADROOM' },
});

/** LWT_XFRM_*: the xfrm encap (`encap xfrm if_id … link_dev …`). */
export const xfrmEncapAttributes = defineAttributes('xfrm', {
  ifId: { type: 1, kind: 'u32', c: 'LWT_XFRM_IF_ID' },
  link: { type: 2, kind: 'u32', c: 'LWT_XFRM_LINK', doc: 'ifindex' },
});

// The specs a route and each of its next hops share (one declaration, two sets).
const GATEWAY = { type: 5, kind: 'ipaddr', c: 'RTA_GATEWAY' } as const;
const FLOW = { type: 11, kind: 'u32', c: 'RTA_FLOW', doc: 'Realms (to << 16 | from)' } as const;
const VIA = {
  type: 18,
  kind: 'custom',
  codec: rtviaCodec,
  c: 'RTA_VIA',
  doc: 'Gateway of another address family',
} as const;
const NEWDST = {
  type: 19,
  kind: 'custom',
  codec: mplsLabelsCodec,
  c: 'RTA_NEWDST',
  doc: 'MPLS labels to swap to',
} as const;
const ENCAP_TYPE = {
  type: 21,
  kind: 'u16',
  enum: LWTUNNEL_ENCAP,
  c: 'RTA_ENCAP_TYPE',
} as const;
const ENCAP = {
  type: 22,
  kind: 'submessage',
  selector: 'encapType',
  sets: {
    mpls: mplsEncapAttributes,
    ip: ipEncapAttributes,
    ip6: ip6EncapAttributes,
    seg6: seg6EncapAttributes,
    bpf: bpfEncapAttributes,
    xfrm: xfrmEncapAttributes,
  },
  c: 'RTA_ENCAP',
  doc: 'Lightweight tunnel, by RTA_ENCAP_TYPE (other types as raw bytes)',
} as const;

/** The RTA_* attributes a next hop of RTA_MULTIPATH carries. */
export const nexthopAttributes = defineAttributes('nexthop', {
  gateway: GATEWAY,
  flow: FLOW,
  via: VIA,
  newdst: NEWDST,
  encapType: ENCAP_TYPE,
  encap: ENCAP,
});

/** RTA_* attributes. */
export const routeAttributes = defineAttributes('route', {
  dst: { type: 1, kind: 'ipaddr', c: 'RTA_DST' },
  src: { type: 2, kind: 'ipaddr', c: 'RTA_SRC' },
  iif: { type: 3, kind: 'u32', c: 'RTA_IIF', doc: 'Input ifindex' },
  oif: { type: 4, kind: 'u32', c: 'RTA_OIF', doc: 'Output ifindex' },
  gateway: GATEWAY,
  priority: { type: 6, kind: 'u32', c: 'RTA_PRIORITY', doc: 'Metric' },
  prefsrc: { type: 7, kind: 'ipaddr', c: 'RTA_PREFSRC', doc: 'Preferred source address' },
  metrics: {
    type: 8,
    kind: 'custom',
    codec: plainNest(metricsAttributes),
    c: 'RTA_METRICS',
    doc: 'RTAX_* metrics (a nest sent without NLA_F_NESTED)',
  },
  multipath: {
    type: 9,
    kind: 'custom',
    codec: multipathCodec(nexthopAttributes),
    c: 'RTA_MULTIPATH',
    doc: 'Next hops; weight = hops + 1',
  },
  protoinfo: { type: 10, kind: 'binary', c: 'RTA_PROTOINFO', doc: 'Unused' },
  flow: FLOW,
  cacheinfo: { type: 12, kind: 'struct', struct: rtaCacheinfo, c: 'RTA_CACHEINFO' },
  session: { type: 13, kind: 'binary', c: 'RTA_SESSION', doc: 'Unused' },
  mpAlgo: { type: 14, kind: 'binary', c: 'RTA_MP_ALGO', doc: 'Unused' },
  table: {
    type: 15,
    kind: 'u32',
    c: 'RTA_TABLE',
    doc: 'Table id (all 32 bits; rtmsg.table holds at most 255)',
  },
  mark: { type: 16, kind: 'u32', c: 'RTA_MARK', doc: 'Firewall mark (route get)' },
  mfcStats: { type: 17, kind: 'struct', struct: rtaMfcStats, c: 'RTA_MFC_STATS' },
  via: VIA,
  newdst: NEWDST,
  pref: { type: 20, kind: 'u8', enum: ROUTER_PREF, c: 'RTA_PREF', doc: 'IPv6 router preference' },
  encapType: ENCAP_TYPE,
  encap: ENCAP,
  expires: { type: 23, kind: 'u32', c: 'RTA_EXPIRES', doc: 'Seconds until an IPv6 route expires' },
  pad: { type: 24, kind: 'binary', c: 'RTA_PAD' },
  uid: { type: 25, kind: 'u32', c: 'RTA_UID', doc: 'UID for the lookup (route get)' },
  ttlPropagate: { type: 26, kind: 'u8', c: 'RTA_TTL_PROPAGATE', doc: 'MPLS TTL propagation' },
  ipProto: { type: 27, kind: 'u8', c: 'RTA_IP_PROTO', doc: 'IP protocol (route get)' },
  sport: { type: 28, kind: 'be16', c: 'RTA_SPORT', doc: 'Source port (route get)' },
  dport: { type: 29, kind: 'be16', c: 'RTA_DPORT', doc: 'Destination port (route get)' },
  nhId: { type: 30, kind: 'u32', c: 'RTA_NH_ID', doc: 'Nexthop object id' },
  flowlabel: {
    type: 31,
    kind: 'be32',
    c: 'RTA_FLOWLABEL',
    doc: 'IPv6 flow label (route get; newer than 6.1)',
  },
});

/** RTM_NEWROUTE / RTM_DELROUTE / RTM_GETROUTE body. */
export const routeMessage = defineMessage('route', rtmsg, routeAttributes);
