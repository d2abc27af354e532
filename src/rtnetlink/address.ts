// RTM_NEWADDR / RTM_DELADDR / RTM_GETADDR bodies: struct ifaddrmsg + IFA_* attributes
// (<linux/if_addr.h>, cross-checked with the kernel's rt-addr YNL spec).
import { defineAttributes, defineMessage } from '../netlink/schema.js';
import { defineStruct, struct, u8, u32 } from '../netlink/struct.js';
import { IFA_F, IFAPROT } from './constants.js';

/**
 * struct ifaddrmsg. `flags` holds the low 8 bits of the address flags ({@link IFA_F}; the 32-bit
 * IFA_FLAGS attribute carries them all), `scope` an RT_SCOPE value, `index` the ifindex.
 */
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

/** IFA_F_* address flags (the same map as {@link IFA_F}); the low 8 bits also travel in ifaddrmsg.flags. */
export const IFA_FLAGS = IFA_F;

/** IFA_* attributes. */
export const addressAttributes = defineAttributes('address', {
  address: {
    type: 1,
    kind: 'ipaddr',
    c: 'IFA_ADDRESS',
    doc: 'Prefix address (the peer on point-to-point links)',
  },
  local: { type: 2, kind: 'ipaddr', c: 'IFA_LOCAL', doc: 'Local address' },
  label: { type: 3, kind: 'string', c: 'IFA_LABEL', doc: 'IPv4 label (ifname or ifname:alias)' },
  broadcast: { type: 4, kind: 'ipaddr', c: 'IFA_BROADCAST' },
  anycast: { type: 5, kind: 'ipaddr', c: 'IFA_ANYCAST' },
  cacheinfo: {
    type: 6,
    kind: 'struct',
    struct: ifaCacheinfo,
    c: 'IFA_CACHEINFO',
    doc: 'Preferred and valid lifetimes (s; 0xffffffff = forever), creation and update stamps',
  },
  multicast: { type: 7, kind: 'ipaddr', c: 'IFA_MULTICAST' },
  flags: { type: 8, kind: 'u32', flags: IFA_FLAGS, c: 'IFA_FLAGS', doc: 'All 32 flag bits' },
  rtPriority: { type: 9, kind: 'u32', c: 'IFA_RT_PRIORITY', doc: 'Metric of the prefix route' },
  targetNetnsid: { type: 10, kind: 's32', c: 'IFA_TARGET_NETNSID' },
  proto: { type: 11, kind: 'u8', enum: IFAPROT, c: 'IFA_PROTO', doc: 'Who added the address' },
});

/** RTM_NEWADDR / RTM_DELADDR / RTM_GETADDR body. */
export const addressMessage = defineMessage('address', ifaddrmsg, addressAttributes);
