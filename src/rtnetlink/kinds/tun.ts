// tun/tap: IFLA_TUN_* (<linux/if_link.h>). The kernel reports these; creating a tun/tap device
// goes through /dev/net/tun (TUNSETIFF), not RTM_NEWLINK.
import { defineAttributes, type Input } from '../../netlink/schema.js';

/** IFLA_TUN_TYPE: IFF_TUN / IFF_TAP (<linux/if_tun.h>). */
export const TUN_TYPE = { tun: 1, tap: 2 } as const;

export const tunAttributes = defineAttributes('tun', {
  owner: { type: 1, kind: 'u32', c: 'IFLA_TUN_OWNER', doc: 'Owning uid (absent: none)' },
  group: { type: 2, kind: 'u32', c: 'IFLA_TUN_GROUP', doc: 'Owning gid (absent: none)' },
  type: { type: 3, kind: 'u8', enum: TUN_TYPE, c: 'IFLA_TUN_TYPE' },
  pi: { type: 4, kind: 'u8', c: 'IFLA_TUN_PI', doc: '1: packets carry struct tun_pi' },
  vnetHdr: { type: 5, kind: 'u8', c: 'IFLA_TUN_VNET_HDR' },
  persist: { type: 6, kind: 'u8', c: 'IFLA_TUN_PERSIST' },
  multiQueue: { type: 7, kind: 'u8', c: 'IFLA_TUN_MULTI_QUEUE' },
  numQueues: { type: 8, kind: 'u32', c: 'IFLA_TUN_NUM_QUEUES' },
  numDisabledQueues: { type: 9, kind: 'u32', c: 'IFLA_TUN_NUM_DISABLED_QUEUES' },
});

export type TunData = Input<typeof tunAttributes.attrs>;
