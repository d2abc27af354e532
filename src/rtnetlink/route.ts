// RTM_NEWROUTE / RTM_GETROUTE bodies: struct rtmsg + RTA_* attributes (<linux/rtnetlink.h>).
// RTA_METRICS, RTA_MULTIPATH and RTA_ENCAP keep raw bytes until the route issue decodes them.
import { defineAttributes, defineMessage } from '../netlink/schema.js';
import { defineStruct, s32, struct, u8, u32 } from '../netlink/struct.js';

/** struct rtmsg */
export interface Rtmsg {
  family: number;
  dst_len: number;
  src_len: number;
  tos: number;
  table: number;
  protocol: number;
  scope: number;
  type: number;
  flags: number;
}
export const rtmsg = defineStruct<Rtmsg>(
  struct(
    [
      u8('family'),
      u8('dst_len'),
      u8('src_len'),
      u8('tos'),
      u8('table'),
      u8('protocol'),
      u8('scope'),
      u8('type'),
      u32('flags'),
    ],
    'rtmsg',
  ),
);

/** struct rta_cacheinfo */
export interface RtaCacheinfo {
  rta_clntref: number;
  rta_lastuse: number;
  rta_expires: number;
  rta_error: number;
  rta_used: number;
  rta_id: number;
  rta_ts: number;
  rta_tsage: number;
}
export const rtaCacheinfo = defineStruct<RtaCacheinfo>(
  struct(
    [
      u32('rta_clntref'),
      u32('rta_lastuse'),
      s32('rta_expires'),
      u32('rta_error'),
      u32('rta_used'),
      u32('rta_id'),
      u32('rta_ts'),
      u32('rta_tsage'),
    ],
    'rta_cacheinfo',
  ),
);

export const routeAttributes = defineAttributes('route', {
  dst: { type: 1, kind: 'ipaddr', c: 'RTA_DST' },
  src: { type: 2, kind: 'ipaddr', c: 'RTA_SRC' },
  iif: { type: 3, kind: 'u32', c: 'RTA_IIF' },
  oif: { type: 4, kind: 'u32', c: 'RTA_OIF' },
  gateway: { type: 5, kind: 'ipaddr', c: 'RTA_GATEWAY' },
  priority: { type: 6, kind: 'u32', c: 'RTA_PRIORITY', doc: 'Metric' },
  prefsrc: { type: 7, kind: 'ipaddr', c: 'RTA_PREFSRC' },
  metrics: { type: 8, kind: 'binary', c: 'RTA_METRICS' },
  multipath: { type: 9, kind: 'binary', c: 'RTA_MULTIPATH' },
  protoinfo: { type: 10, kind: 'binary', c: 'RTA_PROTOINFO' },
  flow: { type: 11, kind: 'u32', c: 'RTA_FLOW' },
  cacheinfo: { type: 12, kind: 'struct', struct: rtaCacheinfo, c: 'RTA_CACHEINFO' },
  session: { type: 13, kind: 'binary', c: 'RTA_SESSION' },
  mpAlgo: { type: 14, kind: 'binary', c: 'RTA_MP_ALGO' },
  table: {
    type: 15,
    kind: 'u32',
    c: 'RTA_TABLE',
    doc: 'Table id (all 32 bits; rtmsg.table holds at most 255)',
  },
  mark: { type: 16, kind: 'u32', c: 'RTA_MARK' },
  mfcStats: { type: 17, kind: 'binary', c: 'RTA_MFC_STATS' },
  via: { type: 18, kind: 'binary', c: 'RTA_VIA' },
  newdst: { type: 19, kind: 'binary', c: 'RTA_NEWDST' },
  pref: { type: 20, kind: 'u8', c: 'RTA_PREF' },
  encapType: { type: 21, kind: 'u16', c: 'RTA_ENCAP_TYPE' },
  encap: { type: 22, kind: 'binary', c: 'RTA_ENCAP' },
  expires: { type: 23, kind: 'u32', c: 'RTA_EXPIRES' },
  pad: { type: 24, kind: 'binary', c: 'RTA_PAD' },
  uid: { type: 25, kind: 'u32', c: 'RTA_UID' },
  ttlPropagate: { type: 26, kind: 'u8', c: 'RTA_TTL_PROPAGATE' },
  ipProto: { type: 27, kind: 'u8', c: 'RTA_IP_PROTO' },
  sport: { type: 28, kind: 'be16', c: 'RTA_SPORT' },
  dport: { type: 29, kind: 'be16', c: 'RTA_DPORT' },
  nhId: { type: 30, kind: 'u32', c: 'RTA_NH_ID' },
});

export const routeMessage = defineMessage('route', rtmsg, routeAttributes);
