// vxlan: IFLA_VXLAN_* (<linux/if_link.h>; 31–34 from Linux 6.6–6.16, see uapi-link.test.ts).
import { defineAttributes, type Input } from '../../netlink/schema.js';
import { defineStruct, struct, u16be } from '../../netlink/struct.js';
import { flagOrU8 } from './common.js';

/** struct ifla_vxlan_port_range: the UDP source port range, both ends in network order. */
export interface IflaVxlanPortRange {
  low: number;
  high: number;
}
export const iflaVxlanPortRange = defineStruct<IflaVxlanPortRange>(
  struct([u16be('low'), u16be('high')], 'ifla_vxlan_port_range'),
);

/** enum ifla_vxlan_df. */
export const VXLAN_DF = { unset: 0, set: 1, inherit: 2 } as const;

export const vxlanAttributes = defineAttributes('vxlan', {
  id: { type: 1, kind: 'u32', c: 'IFLA_VXLAN_ID', doc: 'VXLAN network identifier (VNI)' },
  group: {
    type: 2,
    kind: 'ipaddr',
    c: 'IFLA_VXLAN_GROUP',
    doc: 'IPv4 multicast group or unicast remote',
  },
  link: { type: 3, kind: 'u32', c: 'IFLA_VXLAN_LINK', doc: 'ifindex of the underlay device' },
  local: { type: 4, kind: 'ipaddr', c: 'IFLA_VXLAN_LOCAL', doc: 'IPv4 source address' },
  ttl: { type: 5, kind: 'u8', c: 'IFLA_VXLAN_TTL' },
  tos: { type: 6, kind: 'u8', c: 'IFLA_VXLAN_TOS' },
  learning: { type: 7, kind: 'u8', c: 'IFLA_VXLAN_LEARNING' },
  ageing: { type: 8, kind: 'u32', c: 'IFLA_VXLAN_AGEING', doc: 'FDB entry lifetime, seconds' },
  limit: { type: 9, kind: 'u32', c: 'IFLA_VXLAN_LIMIT', doc: 'Maximum FDB entries' },
  portRange: {
    type: 10,
    kind: 'struct',
    struct: iflaVxlanPortRange,
    c: 'IFLA_VXLAN_PORT_RANGE',
    doc: 'UDP source port range',
  },
  proxy: { type: 11, kind: 'u8', c: 'IFLA_VXLAN_PROXY' },
  rsc: { type: 12, kind: 'u8', c: 'IFLA_VXLAN_RSC' },
  l2miss: { type: 13, kind: 'u8', c: 'IFLA_VXLAN_L2MISS' },
  l3miss: { type: 14, kind: 'u8', c: 'IFLA_VXLAN_L3MISS' },
  port: { type: 15, kind: 'be16', c: 'IFLA_VXLAN_PORT', doc: 'UDP destination port' },
  group6: { type: 16, kind: 'ipaddr', c: 'IFLA_VXLAN_GROUP6' },
  local6: { type: 17, kind: 'ipaddr', c: 'IFLA_VXLAN_LOCAL6' },
  udpCsum: { type: 18, kind: 'u8', c: 'IFLA_VXLAN_UDP_CSUM' },
  udpZeroCsum6Tx: { type: 19, kind: 'u8', c: 'IFLA_VXLAN_UDP_ZERO_CSUM6_TX' },
  udpZeroCsum6Rx: { type: 20, kind: 'u8', c: 'IFLA_VXLAN_UDP_ZERO_CSUM6_RX' },
  remcsumTx: { type: 21, kind: 'u8', c: 'IFLA_VXLAN_REMCSUM_TX' },
  remcsumRx: { type: 22, kind: 'u8', c: 'IFLA_VXLAN_REMCSUM_RX' },
  gbp: { type: 23, kind: 'flag', c: 'IFLA_VXLAN_GBP', doc: 'Group Based Policy extension' },
  remcsumNopartial: { type: 24, kind: 'flag', c: 'IFLA_VXLAN_REMCSUM_NOPARTIAL' },
  collectMetadata: {
    type: 25,
    kind: 'u8',
    c: 'IFLA_VXLAN_COLLECT_METADATA',
    doc: 'External control plane (lwtunnel)',
  },
  label: { type: 26, kind: 'be32', c: 'IFLA_VXLAN_LABEL', doc: 'IPv6 flow label' },
  gpe: { type: 27, kind: 'flag', c: 'IFLA_VXLAN_GPE', doc: 'Generic Protocol Extension' },
  ttlInherit: {
    type: 28,
    kind: 'custom',
    codec: flagOrU8,
    c: 'IFLA_VXLAN_TTL_INHERIT',
    doc: 'A flag in requests (true); the kernel reports a u8',
  },
  df: { type: 29, kind: 'u8', enum: VXLAN_DF, c: 'IFLA_VXLAN_DF' },
  vnifilter: { type: 30, kind: 'u8', c: 'IFLA_VXLAN_VNIFILTER' },
  localbypass: { type: 31, kind: 'u8', c: 'IFLA_VXLAN_LOCALBYPASS' },
  labelPolicy: {
    type: 32,
    kind: 'u32',
    c: 'IFLA_VXLAN_LABEL_POLICY',
    doc: 'IPv6 flow label policy (0 fixed, 1 inherit)',
  },
  reservedBits: {
    type: 33,
    kind: 'binary',
    c: 'IFLA_VXLAN_RESERVED_BITS',
    doc: 'The 8 VXLAN header bytes allowed to carry set bits',
  },
  mcRoute: { type: 34, kind: 'u8', c: 'IFLA_VXLAN_MC_ROUTE' },
});

export type VxlanData = Input<typeof vxlanAttributes.attrs>;
