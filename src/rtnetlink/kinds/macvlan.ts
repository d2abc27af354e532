// macvlan: IFLA_MACVLAN_* (<linux/if_link.h>). macvtap uses the same attributes.
import { defineAttributes, type Input } from '../../netlink/schema.js';

/** enum macvlan_mode. */
export const MACVLAN_MODE = {
  private: 1,
  vepa: 2,
  bridge: 4,
  passthru: 8,
  source: 16,
} as const;

/** MACVLAN_FLAG_*. */
export const MACVLAN_FLAGS = { nopromisc: 1, nodst: 2 } as const;

/** enum macvlan_macaddr_mode: what IFLA_MACVLAN_MACADDR(_DATA) does to the source list. */
export const MACVLAN_MACADDR_MODE = { add: 0, del: 1, flush: 2, set: 3 } as const;

export const macvlanMacaddrAttributes = defineAttributes('macvlan_macaddr', {
  macaddr: { type: 4, kind: 'lladdr', multi: true, c: 'IFLA_MACVLAN_MACADDR' },
});

export const macvlanAttributes = defineAttributes('macvlan', {
  mode: { type: 1, kind: 'u32', enum: MACVLAN_MODE, c: 'IFLA_MACVLAN_MODE' },
  flags: { type: 2, kind: 'u16', flags: MACVLAN_FLAGS, c: 'IFLA_MACVLAN_FLAGS' },
  macaddrMode: {
    type: 3,
    kind: 'u32',
    enum: MACVLAN_MACADDR_MODE,
    c: 'IFLA_MACVLAN_MACADDR_MODE',
  },
  macaddr: {
    type: 4,
    kind: 'lladdr',
    c: 'IFLA_MACVLAN_MACADDR',
    doc: 'Source MAC to add or delete (mode source)',
  },
  macaddrData: {
    type: 5,
    kind: 'nested',
    set: macvlanMacaddrAttributes,
    c: 'IFLA_MACVLAN_MACADDR_DATA',
    doc: 'The source MAC list (mode source)',
  },
  macaddrCount: { type: 6, kind: 'u32', c: 'IFLA_MACVLAN_MACADDR_COUNT' },
  bcQueueLen: {
    type: 7,
    kind: 'u32',
    c: 'IFLA_MACVLAN_BC_QUEUE_LEN',
    doc: 'Broadcast queue length requested',
  },
  bcQueueLenUsed: {
    type: 8,
    kind: 'u32',
    c: 'IFLA_MACVLAN_BC_QUEUE_LEN_USED',
    doc: 'Broadcast queue length in use (the largest request on the port)',
  },
  bcCutoff: {
    type: 9,
    kind: 's32',
    c: 'IFLA_MACVLAN_BC_CUTOFF',
    doc: 'Multicast addresses before broadcast delivery is used (Linux 6.5+)',
  },
});

export type MacvlanData = Input<typeof macvlanAttributes.attrs>;
