// vrf: IFLA_VRF_* (IFLA_INFO_DATA) and IFLA_VRF_PORT_* (IFLA_INFO_SLAVE_DATA of an enslaved
// link), <linux/if_link.h>.
import { defineAttributes, type Input } from '../../netlink/schema.js';

export const vrfAttributes = defineAttributes('vrf', {
  table: { type: 1, kind: 'u32', c: 'IFLA_VRF_TABLE', doc: 'Routing table of the VRF' },
});

export const vrfSlaveAttributes = defineAttributes('vrf_port', {
  table: { type: 1, kind: 'u32', c: 'IFLA_VRF_PORT_TABLE', doc: 'Table of the enslaving VRF' },
});

export type VrfData = Input<typeof vrfAttributes.attrs>;
export type VrfSlaveData = Input<typeof vrfSlaveAttributes.attrs>;
