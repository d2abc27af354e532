// bridge: IFLA_BR_* (IFLA_INFO_DATA), IFLA_BRPORT_* (IFLA_INFO_SLAVE_DATA of a port) and the
// AF_BRIDGE part of IFLA_AF_SPEC (IFLA_BRIDGE_*), from <linux/if_link.h> and <linux/if_bridge.h>.
// Times (forward delay, hello time, max age, ageing, the mcast intervals and the timers) are in
// centiseconds (USER_HZ ticks), as the kernel reports them.
import { defineAttributes, type Input } from '../../netlink/schema.js';
import { defineStruct, struct, u16, u32 } from '../../netlink/struct.js';
import { bridgeIdCodec } from './common.js';
import { VLAN_PROTOCOL } from './vlan.js';

/** IFLA_BR_MCAST_ROUTER / IFLA_BRPORT_MULTICAST_ROUTER: enum of MDB_RTR_TYPE_*. */
export const BRIDGE_MCAST_ROUTER = { disabled: 0, temp_query: 1, perm: 2, temp: 3 } as const;

/** IFLA_BRPORT_STATE: BR_STATE_* (<linux/if_bridge.h>). */
export const BRIDGE_PORT_STATE = {
  disabled: 0,
  listening: 1,
  learning: 2,
  forwarding: 3,
  blocking: 4,
} as const;

/** struct br_boolopt_multi: `optval` bits (BR_BOOLOPT_*) to set within `optmask`. */
export interface BrBooloptMulti {
  optval: number;
  optmask: number;
}
export const brBooloptMulti = defineStruct<BrBooloptMulti>(
  struct([u32('optval'), u32('optmask')], 'br_boolopt_multi'),
);

/** BRIDGE_QUERIER_* inside IFLA_BR_MCAST_QUERIER_STATE. */
export const bridgeQuerierAttributes = defineAttributes('bridge_querier', {
  ipAddress: { type: 1, kind: 'ipaddr', c: 'BRIDGE_QUERIER_IP_ADDRESS' },
  ipPort: { type: 2, kind: 'u32', c: 'BRIDGE_QUERIER_IP_PORT', doc: 'ifindex of the port' },
  ipOtherTimer: { type: 3, kind: 'u64', c: 'BRIDGE_QUERIER_IP_OTHER_TIMER' },
  pad: { type: 4, kind: 'binary', c: 'BRIDGE_QUERIER_PAD' },
  ipv6Address: { type: 5, kind: 'ipaddr', c: 'BRIDGE_QUERIER_IPV6_ADDRESS' },
  ipv6Port: { type: 6, kind: 'u32', c: 'BRIDGE_QUERIER_IPV6_PORT' },
  ipv6OtherTimer: { type: 7, kind: 'u64', c: 'BRIDGE_QUERIER_IPV6_OTHER_TIMER' },
});

export const bridgeAttributes = defineAttributes('bridge', {
  forwardDelay: { type: 1, kind: 'u32', c: 'IFLA_BR_FORWARD_DELAY', doc: 'STP forward delay' },
  helloTime: { type: 2, kind: 'u32', c: 'IFLA_BR_HELLO_TIME' },
  maxAge: { type: 3, kind: 'u32', c: 'IFLA_BR_MAX_AGE' },
  ageingTime: { type: 4, kind: 'u32', c: 'IFLA_BR_AGEING_TIME', doc: 'FDB entry lifetime' },
  stpState: {
    type: 5,
    kind: 'u32',
    c: 'IFLA_BR_STP_STATE',
    doc: '0 off, 1 kernel STP, 2 user-space STP',
  },
  priority: { type: 6, kind: 'u16', c: 'IFLA_BR_PRIORITY', doc: 'Bridge priority' },
  vlanFiltering: { type: 7, kind: 'u8', c: 'IFLA_BR_VLAN_FILTERING' },
  vlanProtocol: { type: 8, kind: 'be16', enum: VLAN_PROTOCOL, c: 'IFLA_BR_VLAN_PROTOCOL' },
  groupFwdMask: { type: 9, kind: 'u16', c: 'IFLA_BR_GROUP_FWD_MASK' },
  rootId: { type: 10, kind: 'custom', codec: bridgeIdCodec, c: 'IFLA_BR_ROOT_ID' },
  bridgeId: { type: 11, kind: 'custom', codec: bridgeIdCodec, c: 'IFLA_BR_BRIDGE_ID' },
  rootPort: { type: 12, kind: 'u16', c: 'IFLA_BR_ROOT_PORT' },
  rootPathCost: { type: 13, kind: 'u32', c: 'IFLA_BR_ROOT_PATH_COST' },
  topologyChange: { type: 14, kind: 'u8', c: 'IFLA_BR_TOPOLOGY_CHANGE' },
  topologyChangeDetected: { type: 15, kind: 'u8', c: 'IFLA_BR_TOPOLOGY_CHANGE_DETECTED' },
  helloTimer: { type: 16, kind: 'u64', c: 'IFLA_BR_HELLO_TIMER' },
  tcnTimer: { type: 17, kind: 'u64', c: 'IFLA_BR_TCN_TIMER' },
  topologyChangeTimer: { type: 18, kind: 'u64', c: 'IFLA_BR_TOPOLOGY_CHANGE_TIMER' },
  gcTimer: { type: 19, kind: 'u64', c: 'IFLA_BR_GC_TIMER' },
  groupAddr: { type: 20, kind: 'lladdr', c: 'IFLA_BR_GROUP_ADDR', doc: 'STP group address' },
  fdbFlush: { type: 21, kind: 'flag', c: 'IFLA_BR_FDB_FLUSH', doc: 'Flush dynamic FDB entries' },
  mcastRouter: { type: 22, kind: 'u8', enum: BRIDGE_MCAST_ROUTER, c: 'IFLA_BR_MCAST_ROUTER' },
  mcastSnooping: { type: 23, kind: 'u8', c: 'IFLA_BR_MCAST_SNOOPING' },
  mcastQueryUseIfaddr: { type: 24, kind: 'u8', c: 'IFLA_BR_MCAST_QUERY_USE_IFADDR' },
  mcastQuerier: { type: 25, kind: 'u8', c: 'IFLA_BR_MCAST_QUERIER' },
  mcastHashElasticity: { type: 26, kind: 'u32', c: 'IFLA_BR_MCAST_HASH_ELASTICITY' },
  mcastHashMax: { type: 27, kind: 'u32', c: 'IFLA_BR_MCAST_HASH_MAX' },
  mcastLastMemberCnt: { type: 28, kind: 'u32', c: 'IFLA_BR_MCAST_LAST_MEMBER_CNT' },
  mcastStartupQueryCnt: { type: 29, kind: 'u32', c: 'IFLA_BR_MCAST_STARTUP_QUERY_CNT' },
  mcastLastMemberIntvl: { type: 30, kind: 'u64', c: 'IFLA_BR_MCAST_LAST_MEMBER_INTVL' },
  mcastMembershipIntvl: { type: 31, kind: 'u64', c: 'IFLA_BR_MCAST_MEMBERSHIP_INTVL' },
  mcastQuerierIntvl: { type: 32, kind: 'u64', c: 'IFLA_BR_MCAST_QUERIER_INTVL' },
  mcastQueryIntvl: { type: 33, kind: 'u64', c: 'IFLA_BR_MCAST_QUERY_INTVL' },
  mcastQueryResponseIntvl: { type: 34, kind: 'u64', c: 'IFLA_BR_MCAST_QUERY_RESPONSE_INTVL' },
  mcastStartupQueryIntvl: { type: 35, kind: 'u64', c: 'IFLA_BR_MCAST_STARTUP_QUERY_INTVL' },
  nfCallIptables: { type: 36, kind: 'u8', c: 'IFLA_BR_NF_CALL_IPTABLES' },
  nfCallIp6tables: { type: 37, kind: 'u8', c: 'IFLA_BR_NF_CALL_IP6TABLES' },
  nfCallArptables: { type: 38, kind: 'u8', c: 'IFLA_BR_NF_CALL_ARPTABLES' },
  vlanDefaultPvid: { type: 39, kind: 'u16', c: 'IFLA_BR_VLAN_DEFAULT_PVID' },
  pad: { type: 40, kind: 'binary', c: 'IFLA_BR_PAD' },
  vlanStatsEnabled: { type: 41, kind: 'u8', c: 'IFLA_BR_VLAN_STATS_ENABLED' },
  mcastStatsEnabled: { type: 42, kind: 'u8', c: 'IFLA_BR_MCAST_STATS_ENABLED' },
  mcastIgmpVersion: { type: 43, kind: 'u8', c: 'IFLA_BR_MCAST_IGMP_VERSION' },
  mcastMldVersion: { type: 44, kind: 'u8', c: 'IFLA_BR_MCAST_MLD_VERSION' },
  vlanStatsPerPort: { type: 45, kind: 'u8', c: 'IFLA_BR_VLAN_STATS_PER_PORT' },
  multiBoolopt: {
    type: 46,
    kind: 'struct',
    struct: brBooloptMulti,
    c: 'IFLA_BR_MULTI_BOOLOPT',
    doc: 'Boolean options (BR_BOOLOPT_* bit numbers)',
  },
  mcastQuerierState: {
    type: 47,
    kind: 'nested',
    set: bridgeQuerierAttributes,
    c: 'IFLA_BR_MCAST_QUERIER_STATE',
  },
  fdbNLearned: { type: 48, kind: 'u32', c: 'IFLA_BR_FDB_N_LEARNED' },
  fdbMaxLearned: { type: 49, kind: 'u32', c: 'IFLA_BR_FDB_MAX_LEARNED' },
});

// The on/off port options are u8 on the wire in both directions (the YNL spec calls several of
// them flags; captured kernel and iproute2 bytes carry one byte).
export const bridgePortAttributes = defineAttributes('bridge_port', {
  state: { type: 1, kind: 'u8', enum: BRIDGE_PORT_STATE, c: 'IFLA_BRPORT_STATE' },
  priority: { type: 2, kind: 'u16', c: 'IFLA_BRPORT_PRIORITY' },
  cost: { type: 3, kind: 'u32', c: 'IFLA_BRPORT_COST' },
  mode: { type: 4, kind: 'u8', c: 'IFLA_BRPORT_MODE', doc: 'Hairpin mode' },
  guard: { type: 5, kind: 'u8', c: 'IFLA_BRPORT_GUARD', doc: 'BPDU guard' },
  protect: { type: 6, kind: 'u8', c: 'IFLA_BRPORT_PROTECT', doc: 'Root block' },
  fastLeave: { type: 7, kind: 'u8', c: 'IFLA_BRPORT_FAST_LEAVE' },
  learning: { type: 8, kind: 'u8', c: 'IFLA_BRPORT_LEARNING' },
  unicastFlood: { type: 9, kind: 'u8', c: 'IFLA_BRPORT_UNICAST_FLOOD' },
  proxyarp: { type: 10, kind: 'u8', c: 'IFLA_BRPORT_PROXYARP' },
  learningSync: { type: 11, kind: 'u8', c: 'IFLA_BRPORT_LEARNING_SYNC' },
  proxyarpWifi: { type: 12, kind: 'u8', c: 'IFLA_BRPORT_PROXYARP_WIFI' },
  rootId: { type: 13, kind: 'custom', codec: bridgeIdCodec, c: 'IFLA_BRPORT_ROOT_ID' },
  bridgeId: { type: 14, kind: 'custom', codec: bridgeIdCodec, c: 'IFLA_BRPORT_BRIDGE_ID' },
  designatedPort: { type: 15, kind: 'u16', c: 'IFLA_BRPORT_DESIGNATED_PORT' },
  designatedCost: { type: 16, kind: 'u16', c: 'IFLA_BRPORT_DESIGNATED_COST' },
  id: { type: 17, kind: 'u16', c: 'IFLA_BRPORT_ID' },
  no: { type: 18, kind: 'u16', c: 'IFLA_BRPORT_NO' },
  topologyChangeAck: { type: 19, kind: 'u8', c: 'IFLA_BRPORT_TOPOLOGY_CHANGE_ACK' },
  configPending: { type: 20, kind: 'u8', c: 'IFLA_BRPORT_CONFIG_PENDING' },
  messageAgeTimer: { type: 21, kind: 'u64', c: 'IFLA_BRPORT_MESSAGE_AGE_TIMER' },
  forwardDelayTimer: { type: 22, kind: 'u64', c: 'IFLA_BRPORT_FORWARD_DELAY_TIMER' },
  holdTimer: { type: 23, kind: 'u64', c: 'IFLA_BRPORT_HOLD_TIMER' },
  flush: { type: 24, kind: 'flag', c: 'IFLA_BRPORT_FLUSH', doc: "Flush the port's FDB entries" },
  multicastRouter: {
    type: 25,
    kind: 'u8',
    enum: BRIDGE_MCAST_ROUTER,
    c: 'IFLA_BRPORT_MULTICAST_ROUTER',
  },
  pad: { type: 26, kind: 'binary', c: 'IFLA_BRPORT_PAD' },
  mcastFlood: { type: 27, kind: 'u8', c: 'IFLA_BRPORT_MCAST_FLOOD' },
  mcastToUcast: { type: 28, kind: 'u8', c: 'IFLA_BRPORT_MCAST_TO_UCAST' },
  vlanTunnel: { type: 29, kind: 'u8', c: 'IFLA_BRPORT_VLAN_TUNNEL' },
  bcastFlood: { type: 30, kind: 'u8', c: 'IFLA_BRPORT_BCAST_FLOOD' },
  groupFwdMask: { type: 31, kind: 'u16', c: 'IFLA_BRPORT_GROUP_FWD_MASK' },
  neighSuppress: { type: 32, kind: 'u8', c: 'IFLA_BRPORT_NEIGH_SUPPRESS' },
  isolated: { type: 33, kind: 'u8', c: 'IFLA_BRPORT_ISOLATED' },
  backupPort: { type: 34, kind: 'u32', c: 'IFLA_BRPORT_BACKUP_PORT', doc: 'ifindex (0: none)' },
  mrpRingOpen: { type: 35, kind: 'u8', c: 'IFLA_BRPORT_MRP_RING_OPEN' },
  mrpInOpen: { type: 36, kind: 'u8', c: 'IFLA_BRPORT_MRP_IN_OPEN' },
  mcastEhtHostsLimit: { type: 37, kind: 'u32', c: 'IFLA_BRPORT_MCAST_EHT_HOSTS_LIMIT' },
  mcastEhtHostsCnt: { type: 38, kind: 'u32', c: 'IFLA_BRPORT_MCAST_EHT_HOSTS_CNT' },
  locked: { type: 39, kind: 'u8', c: 'IFLA_BRPORT_LOCKED' },
  mab: { type: 40, kind: 'u8', c: 'IFLA_BRPORT_MAB', doc: 'MAC authentication bypass' },
  mcastNGroups: { type: 41, kind: 'u32', c: 'IFLA_BRPORT_MCAST_N_GROUPS' },
  mcastMaxGroups: { type: 42, kind: 'u32', c: 'IFLA_BRPORT_MCAST_MAX_GROUPS' },
  neighVlanSuppress: { type: 43, kind: 'u8', c: 'IFLA_BRPORT_NEIGH_VLAN_SUPPRESS' },
  backupNhid: { type: 44, kind: 'u32', c: 'IFLA_BRPORT_BACKUP_NHID' },
});

/** BRIDGE_FLAGS_*: whom an AF_BRIDGE setlink addresses. */
export const BRIDGE_FLAGS = { master: 1, self: 2 } as const;

/** BRIDGE_MODE_*: the hardware bridge mode (IFLA_BRIDGE_MODE). */
export const BRIDGE_MODE = { veb: 0, vepa: 1, undef: 0xffff } as const;

/** BRIDGE_VLAN_INFO_*: the bits of struct bridge_vlan_info's `flags`. */
export const BRIDGE_VLAN_INFO_FLAGS = {
  master: 1 << 0,
  pvid: 1 << 1,
  untagged: 1 << 2,
  range_begin: 1 << 3,
  range_end: 1 << 4,
  brentry: 1 << 5,
  only_opts: 1 << 6,
} as const;

/** struct bridge_vlan_info: a VLAN of a port (`flags` from BRIDGE_VLAN_INFO_FLAGS). */
export interface BridgeVlanInfo {
  flags: number;
  vid: number;
}
export const bridgeVlanInfo = defineStruct<BridgeVlanInfo>(
  struct([u16('flags'), u16('vid')], 'bridge_vlan_info'),
);

export const bridgeVlanTunnelAttributes = defineAttributes('bridge_vlan_tunnel', {
  id: { type: 1, kind: 'u32', c: 'IFLA_BRIDGE_VLAN_TUNNEL_ID', doc: 'Tunnel id (VNI)' },
  vid: { type: 2, kind: 'u16', c: 'IFLA_BRIDGE_VLAN_TUNNEL_VID' },
  flags: {
    type: 3,
    kind: 'u16',
    flags: BRIDGE_VLAN_INFO_FLAGS,
    c: 'IFLA_BRIDGE_VLAN_TUNNEL_FLAGS',
  },
});

/** IFLA_AF_SPEC[AF_BRIDGE]: IFLA_BRIDGE_* (<linux/if_bridge.h>; note IFLA_BRIDGE_FLAGS is 0). */
export const bridgeAfAttributes = defineAttributes('af_bridge', {
  flags: { type: 0, kind: 'u16', flags: BRIDGE_FLAGS, c: 'IFLA_BRIDGE_FLAGS' },
  mode: { type: 1, kind: 'u16', enum: BRIDGE_MODE, c: 'IFLA_BRIDGE_MODE' },
  vlanInfo: {
    type: 2,
    kind: 'struct',
    struct: bridgeVlanInfo,
    multi: true,
    c: 'IFLA_BRIDGE_VLAN_INFO',
  },
  vlanTunnelInfo: {
    type: 3,
    kind: 'nested',
    set: bridgeVlanTunnelAttributes,
    multi: true,
    c: 'IFLA_BRIDGE_VLAN_TUNNEL_INFO',
  },
  mrp: { type: 4, kind: 'binary', c: 'IFLA_BRIDGE_MRP', doc: 'Media Redundancy Protocol nest' },
  cfm: { type: 5, kind: 'binary', c: 'IFLA_BRIDGE_CFM', doc: 'Connectivity Fault Management' },
  mst: { type: 6, kind: 'binary', c: 'IFLA_BRIDGE_MST', doc: 'Multiple spanning trees' },
});

export type BridgeData = Input<typeof bridgeAttributes.attrs>;
export type BridgePortData = Input<typeof bridgePortAttributes.attrs>;
