// ipvlan (and ipvtap): IFLA_IPVLAN_* (<linux/if_link.h>).
import { defineAttributes, type Input } from '../../netlink/schema.js';

/** enum ipvlan_mode. */
export const IPVLAN_MODE = { l2: 0, l3: 1, l3s: 2 } as const;

/** IPVLAN_F_* (without either: bridge mode). */
export const IPVLAN_FLAGS = { private: 0x01, vepa: 0x02 } as const;

export const ipvlanAttributes = defineAttributes('ipvlan', {
  mode: { type: 1, kind: 'u16', enum: IPVLAN_MODE, c: 'IFLA_IPVLAN_MODE' },
  flags: { type: 2, kind: 'u16', flags: IPVLAN_FLAGS, c: 'IFLA_IPVLAN_FLAGS' },
});

export type IpvlanData = Input<typeof ipvlanAttributes.attrs>;
