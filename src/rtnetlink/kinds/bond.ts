// bond: IFLA_BOND_* (IFLA_INFO_DATA) and IFLA_BOND_SLAVE_* (IFLA_INFO_SLAVE_DATA of a member),
// <linux/if_link.h>. Enum names are iproute2's; values are the kernel's (BOND_MODE_*,
// BOND_XMIT_POLICY_* in <linux/if_bonding.h>; the others from the bonding driver's option
// tables, in the same order as iproute2 lists them).
import { defineAttributes, type Input } from '../../netlink/schema.js';
import { zeroIndexedAddresses } from './common.js';

/** IFLA_BOND_MODE: BOND_MODE_*. */
export const BOND_MODE = {
  'balance-rr': 0,
  'active-backup': 1,
  'balance-xor': 2,
  broadcast: 3,
  '802.3ad': 4,
  'balance-tlb': 5,
  'balance-alb': 6,
} as const;

/** IFLA_BOND_XMIT_HASH_POLICY: BOND_XMIT_POLICY_*. */
export const BOND_XMIT_HASH_POLICY = {
  layer2: 0,
  'layer3+4': 1,
  'layer2+3': 2,
  'encap2+3': 3,
  'encap3+4': 4,
  'vlan+srcmac': 5,
} as const;

/** IFLA_BOND_ARP_VALIDATE. */
export const BOND_ARP_VALIDATE = {
  none: 0,
  active: 1,
  backup: 2,
  all: 3,
  filter: 4,
  filter_active: 5,
  filter_backup: 6,
} as const;

/** IFLA_BOND_ARP_ALL_TARGETS. */
export const BOND_ARP_ALL_TARGETS = { any: 0, all: 1 } as const;

/** IFLA_BOND_PRIMARY_RESELECT. */
export const BOND_PRIMARY_RESELECT = { always: 0, better: 1, failure: 2 } as const;

/** IFLA_BOND_FAIL_OVER_MAC. */
export const BOND_FAIL_OVER_MAC = { none: 0, active: 1, follow: 2 } as const;

/** IFLA_BOND_AD_LACP_RATE. */
export const BOND_AD_LACP_RATE = { slow: 0, fast: 1 } as const;

/** IFLA_BOND_AD_LACP_ACTIVE. */
export const BOND_AD_LACP_ACTIVE = { off: 0, on: 1 } as const;

/** IFLA_BOND_AD_SELECT. */
export const BOND_AD_SELECT = { stable: 0, bandwidth: 1, count: 2 } as const;

/** IFLA_BOND_SLAVE_STATE: BOND_STATE_*. */
export const BOND_SLAVE_STATE = { active: 0, backup: 1 } as const;

/** IFLA_BOND_SLAVE_MII_STATUS: BOND_LINK_*. */
export const BOND_SLAVE_MII_STATUS = { up: 0, fail: 1, down: 2, back: 3 } as const;

/** LACP_STATE_* (<linux/if_bonding.h>): an 802.3ad port's actor / partner state bits. */
export const LACP_STATE = {
  lacp_activity: 0x1,
  lacp_timeout: 0x2,
  aggregation: 0x4,
  synchronization: 0x8,
  collecting: 0x10,
  distributing: 0x20,
  defaulted: 0x40,
  expired: 0x80,
} as const;

export const bondAdInfoAttributes = defineAttributes('bond_ad_info', {
  aggregator: { type: 1, kind: 'u16', c: 'IFLA_BOND_AD_INFO_AGGREGATOR' },
  numPorts: { type: 2, kind: 'u16', c: 'IFLA_BOND_AD_INFO_NUM_PORTS' },
  actorKey: { type: 3, kind: 'u16', c: 'IFLA_BOND_AD_INFO_ACTOR_KEY' },
  partnerKey: { type: 4, kind: 'u16', c: 'IFLA_BOND_AD_INFO_PARTNER_KEY' },
  partnerMac: { type: 5, kind: 'lladdr', c: 'IFLA_BOND_AD_INFO_PARTNER_MAC' },
});

export const bondAttributes = defineAttributes('bond', {
  mode: { type: 1, kind: 'u8', enum: BOND_MODE, c: 'IFLA_BOND_MODE' },
  activeSlave: {
    type: 2,
    kind: 'u32',
    c: 'IFLA_BOND_ACTIVE_SLAVE',
    doc: 'ifindex of the active member (0 clears it)',
  },
  miimon: { type: 3, kind: 'u32', c: 'IFLA_BOND_MIIMON', doc: 'MII link check interval, ms' },
  updelay: { type: 4, kind: 'u32', c: 'IFLA_BOND_UPDELAY', doc: 'ms' },
  downdelay: { type: 5, kind: 'u32', c: 'IFLA_BOND_DOWNDELAY', doc: 'ms' },
  useCarrier: { type: 6, kind: 'u8', c: 'IFLA_BOND_USE_CARRIER' },
  arpInterval: { type: 7, kind: 'u32', c: 'IFLA_BOND_ARP_INTERVAL', doc: 'ms' },
  arpIpTarget: {
    type: 8,
    kind: 'custom',
    codec: zeroIndexedAddresses(4, 'IPv4 addresses numbered from 0'),
    c: 'IFLA_BOND_ARP_IP_TARGET',
    doc: 'ARP monitor targets',
  },
  arpValidate: { type: 9, kind: 'u32', enum: BOND_ARP_VALIDATE, c: 'IFLA_BOND_ARP_VALIDATE' },
  arpAllTargets: {
    type: 10,
    kind: 'u32',
    enum: BOND_ARP_ALL_TARGETS,
    c: 'IFLA_BOND_ARP_ALL_TARGETS',
  },
  primary: { type: 11, kind: 'u32', c: 'IFLA_BOND_PRIMARY', doc: 'ifindex of the primary' },
  primaryReselect: {
    type: 12,
    kind: 'u8',
    enum: BOND_PRIMARY_RESELECT,
    c: 'IFLA_BOND_PRIMARY_RESELECT',
  },
  failOverMac: { type: 13, kind: 'u8', enum: BOND_FAIL_OVER_MAC, c: 'IFLA_BOND_FAIL_OVER_MAC' },
  xmitHashPolicy: {
    type: 14,
    kind: 'u8',
    enum: BOND_XMIT_HASH_POLICY,
    c: 'IFLA_BOND_XMIT_HASH_POLICY',
  },
  resendIgmp: { type: 15, kind: 'u32', c: 'IFLA_BOND_RESEND_IGMP' },
  numPeerNotif: { type: 16, kind: 'u8', c: 'IFLA_BOND_NUM_PEER_NOTIF' },
  allSlavesActive: { type: 17, kind: 'u8', c: 'IFLA_BOND_ALL_SLAVES_ACTIVE' },
  minLinks: { type: 18, kind: 'u32', c: 'IFLA_BOND_MIN_LINKS' },
  lpInterval: { type: 19, kind: 'u32', c: 'IFLA_BOND_LP_INTERVAL' },
  packetsPerSlave: { type: 20, kind: 'u32', c: 'IFLA_BOND_PACKETS_PER_SLAVE' },
  adLacpRate: { type: 21, kind: 'u8', enum: BOND_AD_LACP_RATE, c: 'IFLA_BOND_AD_LACP_RATE' },
  adSelect: { type: 22, kind: 'u8', enum: BOND_AD_SELECT, c: 'IFLA_BOND_AD_SELECT' },
  adInfo: { type: 23, kind: 'nested', set: bondAdInfoAttributes, c: 'IFLA_BOND_AD_INFO' },
  adActorSysPrio: { type: 24, kind: 'u16', c: 'IFLA_BOND_AD_ACTOR_SYS_PRIO' },
  adUserPortKey: { type: 25, kind: 'u16', c: 'IFLA_BOND_AD_USER_PORT_KEY' },
  adActorSystem: { type: 26, kind: 'lladdr', c: 'IFLA_BOND_AD_ACTOR_SYSTEM' },
  tlbDynamicLb: { type: 27, kind: 'u8', c: 'IFLA_BOND_TLB_DYNAMIC_LB' },
  peerNotifDelay: { type: 28, kind: 'u32', c: 'IFLA_BOND_PEER_NOTIF_DELAY', doc: 'ms' },
  adLacpActive: {
    type: 29,
    kind: 'u8',
    enum: BOND_AD_LACP_ACTIVE,
    c: 'IFLA_BOND_AD_LACP_ACTIVE',
  },
  missedMax: { type: 30, kind: 'u8', c: 'IFLA_BOND_MISSED_MAX' },
  nsIp6Target: {
    type: 31,
    kind: 'custom',
    codec: zeroIndexedAddresses(6, 'IPv6 addresses numbered from 0'),
    c: 'IFLA_BOND_NS_IP6_TARGET',
    doc: 'NS monitor targets',
  },
  coupledControl: { type: 32, kind: 'u8', c: 'IFLA_BOND_COUPLED_CONTROL' },
});

export const bondSlaveAttributes = defineAttributes('bond_slave', {
  state: { type: 1, kind: 'u8', enum: BOND_SLAVE_STATE, c: 'IFLA_BOND_SLAVE_STATE' },
  miiStatus: { type: 2, kind: 'u8', enum: BOND_SLAVE_MII_STATUS, c: 'IFLA_BOND_SLAVE_MII_STATUS' },
  linkFailureCount: { type: 3, kind: 'u32', c: 'IFLA_BOND_SLAVE_LINK_FAILURE_COUNT' },
  permHwaddr: { type: 4, kind: 'lladdr', c: 'IFLA_BOND_SLAVE_PERM_HWADDR' },
  queueId: { type: 5, kind: 'u16', c: 'IFLA_BOND_SLAVE_QUEUE_ID' },
  adAggregatorId: { type: 6, kind: 'u16', c: 'IFLA_BOND_SLAVE_AD_AGGREGATOR_ID' },
  adActorOperPortState: {
    type: 7,
    kind: 'u8',
    flags: LACP_STATE,
    c: 'IFLA_BOND_SLAVE_AD_ACTOR_OPER_PORT_STATE',
  },
  adPartnerOperPortState: {
    type: 8,
    kind: 'u16',
    flags: LACP_STATE,
    c: 'IFLA_BOND_SLAVE_AD_PARTNER_OPER_PORT_STATE',
  },
  prio: { type: 9, kind: 's32', c: 'IFLA_BOND_SLAVE_PRIO' },
  actorPortPrio: { type: 10, kind: 'u16', c: 'IFLA_BOND_SLAVE_ACTOR_PORT_PRIO' },
  adChurnActorState: { type: 11, kind: 'u8', c: 'IFLA_BOND_SLAVE_AD_CHURN_ACTOR_STATE' },
  adChurnPartnerState: { type: 12, kind: 'u8', c: 'IFLA_BOND_SLAVE_AD_CHURN_PARTNER_STATE' },
});

export type BondData = Input<typeof bondAttributes.attrs>;
export type BondSlaveData = Input<typeof bondSlaveAttributes.attrs>;
