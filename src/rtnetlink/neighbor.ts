// RTM_NEWNEIGH / RTM_DELNEIGH / RTM_GETNEIGH bodies: struct ndmsg + NDA_* attributes
// (<linux/neighbour.h>, cross-checked with the kernel's rt-neigh YNL spec). The same message
// carries ARP/NDP entries (AF_INET, AF_INET6) and bridge/vxlan FDB entries (AF_BRIDGE).
import { defineAttributes, defineMessage } from '../netlink/schema.js';
import { defineStruct, s32, struct, u8, u16, u32 } from '../netlink/struct.js';
import { NTF, NTF_EXT, NUD, RTPROT } from './constants.js';

/**
 * struct ndmsg. `state` holds NUD bits, `flags` NTF bits, `type` an RTN value (see
 * constants.ts for the name maps); `ifindex` is the device the entry belongs to.
 */
export interface Ndmsg {
  family: number;
  ifindex: number;
  state: number;
  flags: number;
  type: number;
}
export const ndmsg = defineStruct<Ndmsg>(
  struct(
    [
      u8('family'),
      u8('_pad1'),
      u16('_pad2'),
      s32('ifindex'),
      u16('state'),
      u8('flags'),
      u8('type'),
    ],
    'ndmsg',
  ),
);

/** struct nda_cacheinfo: ages in clock ticks (USER_HZ) since the entry was confirmed, used, updated. */
export interface NdaCacheinfo {
  ndm_confirmed: number;
  ndm_used: number;
  ndm_updated: number;
  ndm_refcnt: number;
}
export const ndaCacheinfo = defineStruct<NdaCacheinfo>(
  struct(
    [u32('ndm_confirmed'), u32('ndm_used'), u32('ndm_updated'), u32('ndm_refcnt')],
    'nda_cacheinfo',
  ),
);

/** NFEA_*: bridge FDB extensions inside NDA_FDB_EXT_ATTRS. */
export const fdbExtAttributes = defineAttributes('fdb_ext', {
  activityNotify: {
    type: 1,
    kind: 'u8',
    c: 'NFEA_ACTIVITY_NOTIFY',
    doc: 'FDB_NOTIFY_BIT / FDB_NOTIFY_INACTIVE_BIT',
  },
  dontRefresh: { type: 2, kind: 'flag', c: 'NFEA_DONT_REFRESH' },
});

/** NDA_* attributes. */
export const neighborAttributes = defineAttributes('neighbor', {
  dst: {
    type: 1,
    kind: 'ipaddr',
    c: 'NDA_DST',
    doc: 'Neighbour address (the remote VTEP of a vxlan FDB entry; absent on bridge FDB entries)',
  },
  lladdr: { type: 2, kind: 'lladdr', c: 'NDA_LLADDR', doc: 'Link-layer address' },
  cacheinfo: { type: 3, kind: 'struct', struct: ndaCacheinfo, c: 'NDA_CACHEINFO' },
  probes: { type: 4, kind: 'u32', c: 'NDA_PROBES' },
  vlan: { type: 5, kind: 'u16', c: 'NDA_VLAN', doc: 'VLAN id of an FDB entry' },
  port: { type: 6, kind: 'be16', c: 'NDA_PORT', doc: 'UDP port of a vxlan FDB entry' },
  vni: { type: 7, kind: 'u32', c: 'NDA_VNI' },
  ifindex: { type: 8, kind: 'u32', c: 'NDA_IFINDEX', doc: 'Output device of a vxlan FDB entry' },
  master: { type: 9, kind: 'u32', c: 'NDA_MASTER', doc: 'ifindex of the master (bridge)' },
  linkNetnsid: { type: 10, kind: 's32', c: 'NDA_LINK_NETNSID' },
  srcVni: { type: 11, kind: 'u32', c: 'NDA_SRC_VNI' },
  protocol: { type: 12, kind: 'u8', enum: RTPROT, c: 'NDA_PROTOCOL', doc: 'Who added the entry' },
  nhId: { type: 13, kind: 'u32', c: 'NDA_NH_ID' },
  fdbExtAttrs: { type: 14, kind: 'nested', set: fdbExtAttributes, c: 'NDA_FDB_EXT_ATTRS' },
  flagsExt: { type: 15, kind: 'u32', flags: NTF_EXT, c: 'NDA_FLAGS_EXT' },
  ndmStateMask: {
    type: 16,
    kind: 'u16',
    flags: NUD,
    c: 'NDA_NDM_STATE_MASK',
    doc: 'Dump filter: states to match',
  },
  ndmFlagsMask: {
    type: 17,
    kind: 'u8',
    flags: NTF,
    c: 'NDA_NDM_FLAGS_MASK',
    doc: 'Dump filter: flags to match',
  },
});

/** RTM_NEWNEIGH / RTM_DELNEIGH / RTM_GETNEIGH body. */
export const neighborMessage = defineMessage('neighbor', ndmsg, neighborAttributes);
