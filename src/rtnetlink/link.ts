// RTM_NEWLINK / RTM_GETLINK bodies: struct ifinfomsg + IFLA_* attributes (<linux/if_link.h>,
// cross-checked with the kernel's rt-link YNL spec). The foundation declares the attributes
// every link has; kind-specific data (IFLA_INFO_DATA), IFLA_AF_SPEC, IFLA_XDP and
// IFLA_VFINFO_LIST are kept as raw bytes until their own schemas land.
import { defineAttributes, defineMessage } from '../netlink/schema.js';
import { defineStruct, s32, struct, u8, u16, u32, u64 } from '../netlink/struct.js';

/** struct ifinfomsg */
export interface Ifinfomsg {
  family: number;
  type: number;
  index: number;
  flags: number;
  change: number;
}
export const ifinfomsg = defineStruct<Ifinfomsg>(
  struct(
    [u8('family'), u8('_pad'), u16('type'), s32('index'), u32('flags'), u32('change')],
    'ifinfomsg',
  ),
);

const STATS64_FIELDS = [
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

export const linkinfoAttributes = defineAttributes('linkinfo', {
  kind: { type: 1, kind: 'string', c: 'IFLA_INFO_KIND', doc: 'Link kind (veth, bridge, vxlan, …)' },
  data: {
    type: 2,
    kind: 'submessage',
    selector: 'kind',
    sets: {},
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
    sets: {},
    c: 'IFLA_INFO_SLAVE_DATA',
  },
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

export const linkAttributes = defineAttributes('link', {
  address: { type: 1, kind: 'lladdr', c: 'IFLA_ADDRESS', doc: 'Link-layer address' },
  broadcast: { type: 2, kind: 'lladdr', c: 'IFLA_BROADCAST', doc: 'Link-layer broadcast address' },
  ifname: { type: 3, kind: 'string', c: 'IFLA_IFNAME', doc: 'Interface name' },
  mtu: { type: 4, kind: 'u32', c: 'IFLA_MTU' },
  link: { type: 5, kind: 'u32', c: 'IFLA_LINK', doc: 'ifindex of the lower device' },
  qdisc: { type: 6, kind: 'string', c: 'IFLA_QDISC' },
  stats: { type: 7, kind: 'struct', struct: rtnlLinkStats, c: 'IFLA_STATS' },
  cost: { type: 8, kind: 'string', c: 'IFLA_COST' },
  priority: { type: 9, kind: 'string', c: 'IFLA_PRIORITY' },
  master: { type: 10, kind: 'u32', c: 'IFLA_MASTER', doc: 'ifindex of the master device' },
  wireless: { type: 11, kind: 'binary', c: 'IFLA_WIRELESS' },
  protinfo: { type: 12, kind: 'binary', c: 'IFLA_PROTINFO' },
  txqlen: { type: 13, kind: 'u32', c: 'IFLA_TXQLEN' },
  map: { type: 14, kind: 'binary', c: 'IFLA_MAP' },
  weight: { type: 15, kind: 'u32', c: 'IFLA_WEIGHT' },
  operstate: { type: 16, kind: 'u8', enum: OPERSTATE, c: 'IFLA_OPERSTATE' },
  linkmode: { type: 17, kind: 'u8', c: 'IFLA_LINKMODE' },
  linkinfo: { type: 18, kind: 'nested', set: linkinfoAttributes, c: 'IFLA_LINKINFO' },
  netNsPid: { type: 19, kind: 'u32', c: 'IFLA_NET_NS_PID' },
  ifalias: { type: 20, kind: 'string', c: 'IFLA_IFALIAS' },
  numVf: { type: 21, kind: 'u32', c: 'IFLA_NUM_VF' },
  vfinfoList: { type: 22, kind: 'binary', c: 'IFLA_VFINFO_LIST' },
  stats64: { type: 23, kind: 'struct', struct: rtnlLinkStats64, c: 'IFLA_STATS64' },
  vfPorts: { type: 24, kind: 'binary', c: 'IFLA_VF_PORTS' },
  portSelf: { type: 25, kind: 'binary', c: 'IFLA_PORT_SELF' },
  afSpec: { type: 26, kind: 'binary', c: 'IFLA_AF_SPEC' },
  group: { type: 27, kind: 'u32', c: 'IFLA_GROUP' },
  netNsFd: { type: 28, kind: 'u32', c: 'IFLA_NET_NS_FD' },
  extMask: { type: 29, kind: 'u32', c: 'IFLA_EXT_MASK' },
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
  xdp: { type: 43, kind: 'binary', c: 'IFLA_XDP' },
  event: { type: 44, kind: 'u32', c: 'IFLA_EVENT' },
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
  protoDownReason: { type: 55, kind: 'binary', c: 'IFLA_PROTO_DOWN_REASON' },
  parentDevName: { type: 56, kind: 'string', c: 'IFLA_PARENT_DEV_NAME' },
  parentDevBusName: { type: 57, kind: 'string', c: 'IFLA_PARENT_DEV_BUS_NAME' },
  groMaxSize: { type: 58, kind: 'u32', c: 'IFLA_GRO_MAX_SIZE' },
  tsoMaxSize: { type: 59, kind: 'u32', c: 'IFLA_TSO_MAX_SIZE' },
  tsoMaxSegs: { type: 60, kind: 'u32', c: 'IFLA_TSO_MAX_SEGS' },
  allmulti: { type: 61, kind: 'u32', c: 'IFLA_ALLMULTI' },
  devlinkPort: { type: 62, kind: 'binary', c: 'IFLA_DEVLINK_PORT' },
  gsoIpv4MaxSize: { type: 63, kind: 'u32', c: 'IFLA_GSO_IPV4_MAX_SIZE' },
  groIpv4MaxSize: { type: 64, kind: 'u32', c: 'IFLA_GRO_IPV4_MAX_SIZE' },
});

/** RTM_NEWLINK / RTM_DELLINK / RTM_GETLINK / RTM_SETLINK body. */
export const linkMessage = defineMessage('link', ifinfomsg, linkAttributes);
