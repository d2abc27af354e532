// RTM_NEWADDR / RTM_GETADDR bodies: struct ifaddrmsg + IFA_* attributes (<linux/if_addr.h>).
import { defineAttributes, defineMessage } from '../netlink/schema.js';
import { defineStruct, struct, u8, u32 } from '../netlink/struct.js';

/** struct ifaddrmsg */
export interface Ifaddrmsg {
  family: number;
  prefixlen: number;
  flags: number;
  scope: number;
  index: number;
}
export const ifaddrmsg = defineStruct<Ifaddrmsg>(
  struct([u8('family'), u8('prefixlen'), u8('flags'), u8('scope'), u32('index')], 'ifaddrmsg'),
);

/** struct ifa_cacheinfo: lifetimes in seconds (0xffffffff = forever), stamps in 1/100 s. */
export interface IfaCacheinfo {
  ifa_prefered: number;
  ifa_valid: number;
  cstamp: number;
  tstamp: number;
}
export const ifaCacheinfo = defineStruct<IfaCacheinfo>(
  struct([u32('ifa_prefered'), u32('ifa_valid'), u32('cstamp'), u32('tstamp')], 'ifa_cacheinfo'),
);

/** IFA_F_* address flags; the low 8 bits also travel in ifaddrmsg.flags. */
export const IFA_FLAGS = {
  secondary: 0x01,
  nodad: 0x02,
  optimistic: 0x04,
  dadfailed: 0x08,
  homeaddress: 0x10,
  deprecated: 0x20,
  tentative: 0x40,
  permanent: 0x80,
  managetempaddr: 0x100,
  noprefixroute: 0x200,
  mcautojoin: 0x400,
  stableprivacy: 0x800,
} as const;

export const addressAttributes = defineAttributes('address', {
  address: {
    type: 1,
    kind: 'ipaddr',
    c: 'IFA_ADDRESS',
    doc: 'Prefix address (the peer on point-to-point links)',
  },
  local: { type: 2, kind: 'ipaddr', c: 'IFA_LOCAL', doc: 'Local address' },
  label: { type: 3, kind: 'string', c: 'IFA_LABEL' },
  broadcast: { type: 4, kind: 'ipaddr', c: 'IFA_BROADCAST' },
  anycast: { type: 5, kind: 'ipaddr', c: 'IFA_ANYCAST' },
  cacheinfo: { type: 6, kind: 'struct', struct: ifaCacheinfo, c: 'IFA_CACHEINFO' },
  multicast: { type: 7, kind: 'ipaddr', c: 'IFA_MULTICAST' },
  flags: { type: 8, kind: 'u32', flags: IFA_FLAGS, c: 'IFA_FLAGS', doc: 'All 32 flag bits' },
  rtPriority: { type: 9, kind: 'u32', c: 'IFA_RT_PRIORITY', doc: 'Metric of the prefix route' },
  targetNetnsid: { type: 10, kind: 's32', c: 'IFA_TARGET_NETNSID' },
  proto: { type: 11, kind: 'u8', c: 'IFA_PROTO' },
});

export const addressMessage = defineMessage('address', ifaddrmsg, addressAttributes);
