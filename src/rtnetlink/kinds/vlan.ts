// vlan (802.1Q / 802.1ad): IFLA_VLAN_* (<linux/if_link.h>).
import { defineAttributes, type Input } from '../../netlink/schema.js';
import { defineStruct, struct, u32 } from '../../netlink/struct.js';

/** Ethertypes of IFLA_VLAN_PROTOCOL (ETH_P_8021Q, ETH_P_8021AD), named as iproute2 names them. */
export const VLAN_PROTOCOL = { '802.1Q': 0x8100, '802.1ad': 0x88a8 } as const;

/** VLAN_FLAG_* (<linux/if_vlan.h>): the bits of struct ifla_vlan_flags. */
export const VLAN_FLAGS = {
  reorder_hdr: 0x1,
  gvrp: 0x2,
  loose_binding: 0x4,
  mvrp: 0x8,
  bridge_binding: 0x10,
} as const;

/** struct ifla_vlan_flags: `flags` (VLAN_FLAGS bits) to set within `mask`. */
export interface IflaVlanFlags {
  flags: number;
  mask: number;
}
export const iflaVlanFlags = defineStruct<IflaVlanFlags>(
  struct([u32('flags'), u32('mask')], 'ifla_vlan_flags'),
);

/** struct ifla_vlan_qos_mapping: skb priority `from` ↔ 802.1p priority `to`. */
export interface IflaVlanQosMapping {
  from: number;
  to: number;
}
export const iflaVlanQosMapping = defineStruct<IflaVlanQosMapping>(
  struct([u32('from'), u32('to')], 'ifla_vlan_qos_mapping'),
);

export const vlanQosAttributes = defineAttributes('vlan_qos', {
  mapping: {
    type: 1,
    kind: 'struct',
    struct: iflaVlanQosMapping,
    multi: true,
    c: 'IFLA_VLAN_QOS_MAPPING',
  },
});

export const vlanAttributes = defineAttributes('vlan', {
  id: { type: 1, kind: 'u16', c: 'IFLA_VLAN_ID', doc: 'VLAN id (0–4094)' },
  flags: { type: 2, kind: 'struct', struct: iflaVlanFlags, c: 'IFLA_VLAN_FLAGS' },
  egressQos: {
    type: 3,
    kind: 'nested',
    set: vlanQosAttributes,
    c: 'IFLA_VLAN_EGRESS_QOS',
    doc: 'skb priority → 802.1p mappings',
  },
  ingressQos: {
    type: 4,
    kind: 'nested',
    set: vlanQosAttributes,
    c: 'IFLA_VLAN_INGRESS_QOS',
    doc: '802.1p → skb priority mappings',
  },
  protocol: { type: 5, kind: 'be16', enum: VLAN_PROTOCOL, c: 'IFLA_VLAN_PROTOCOL' },
});

export type VlanData = Input<typeof vlanAttributes.attrs>;
