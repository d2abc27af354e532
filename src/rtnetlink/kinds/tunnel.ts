// Attribute declarations shared by the IP tunnel kinds: IFLA_GRE_* (gre, gretap, erspan and
// their IPv6 twins), IFLA_IPTUN_* (ipip, sit, ip6tnl) and IFLA_VTI_* (vti, vti6), from
// <linux/if_tunnel.h>. Each kind's own file declares its set from these.
import type { AttrSpecs } from '../../netlink/schema.js';
import { IP6_TNL_FLAGS, TUNNEL_ENCAP, TUNNEL_ENCAP_FLAGS } from './common.js';

/** GRE header flag bits (GRE_CSUM, GRE_KEY, …) as IFLA_GRE_IFLAGS/OFLAGS carry them, in network order. */
export const GRE_FLAGS = {
  csum: 0x8000,
  routing: 0x4000,
  key: 0x2000,
  seq: 0x1000,
  strict: 0x0800,
} as const;

/** IFLA_GRE_ERSPAN_DIR. */
export const ERSPAN_DIR = { ingress: 0, egress: 1 } as const;

/** IFLA_IPTUN_FLAGS of sit (host order, despite the __be16 in the kernel). */
export const SIT_FLAGS = { isatap: 0x0001 } as const;

export const GRE_ATTRS = {
  link: { type: 1, kind: 'u32', c: 'IFLA_GRE_LINK', doc: 'ifindex of the underlay device' },
  iflags: { type: 2, kind: 'be16', flags: GRE_FLAGS, c: 'IFLA_GRE_IFLAGS' },
  oflags: { type: 3, kind: 'be16', flags: GRE_FLAGS, c: 'IFLA_GRE_OFLAGS' },
  ikey: { type: 4, kind: 'be32', c: 'IFLA_GRE_IKEY' },
  okey: { type: 5, kind: 'be32', c: 'IFLA_GRE_OKEY' },
  local: { type: 6, kind: 'ipaddr', c: 'IFLA_GRE_LOCAL' },
  remote: { type: 7, kind: 'ipaddr', c: 'IFLA_GRE_REMOTE' },
  ttl: { type: 8, kind: 'u8', c: 'IFLA_GRE_TTL', doc: 'TTL or hop limit (0: inherit)' },
  tos: { type: 9, kind: 'u8', c: 'IFLA_GRE_TOS' },
  pmtudisc: { type: 10, kind: 'u8', c: 'IFLA_GRE_PMTUDISC' },
  encapLimit: { type: 11, kind: 'u8', c: 'IFLA_GRE_ENCAP_LIMIT' },
  flowinfo: { type: 12, kind: 'be32', c: 'IFLA_GRE_FLOWINFO' },
  flags: { type: 13, kind: 'u32', flags: IP6_TNL_FLAGS, c: 'IFLA_GRE_FLAGS' },
  encapType: { type: 14, kind: 'u16', enum: TUNNEL_ENCAP, c: 'IFLA_GRE_ENCAP_TYPE' },
  encapFlags: { type: 15, kind: 'u16', flags: TUNNEL_ENCAP_FLAGS, c: 'IFLA_GRE_ENCAP_FLAGS' },
  encapSport: { type: 16, kind: 'be16', c: 'IFLA_GRE_ENCAP_SPORT' },
  encapDport: { type: 17, kind: 'be16', c: 'IFLA_GRE_ENCAP_DPORT' },
  collectMetadata: { type: 18, kind: 'flag', c: 'IFLA_GRE_COLLECT_METADATA' },
  ignoreDf: { type: 19, kind: 'u8', c: 'IFLA_GRE_IGNORE_DF' },
  fwmark: { type: 20, kind: 'u32', c: 'IFLA_GRE_FWMARK' },
  erspanIndex: { type: 21, kind: 'u32', c: 'IFLA_GRE_ERSPAN_INDEX' },
  erspanVer: { type: 22, kind: 'u8', c: 'IFLA_GRE_ERSPAN_VER' },
  erspanDir: { type: 23, kind: 'u8', enum: ERSPAN_DIR, c: 'IFLA_GRE_ERSPAN_DIR' },
  erspanHwid: { type: 24, kind: 'u16', c: 'IFLA_GRE_ERSPAN_HWID' },
} as const satisfies AttrSpecs;

const IPTUN_COMMON = {
  link: { type: 1, kind: 'u32', c: 'IFLA_IPTUN_LINK', doc: 'ifindex of the underlay device' },
  local: { type: 2, kind: 'ipaddr', c: 'IFLA_IPTUN_LOCAL' },
  remote: { type: 3, kind: 'ipaddr', c: 'IFLA_IPTUN_REMOTE' },
  ttl: { type: 4, kind: 'u8', c: 'IFLA_IPTUN_TTL', doc: 'TTL or hop limit (0: inherit)' },
  tos: { type: 5, kind: 'u8', c: 'IFLA_IPTUN_TOS' },
  encapLimit: { type: 6, kind: 'u8', c: 'IFLA_IPTUN_ENCAP_LIMIT' },
  flowinfo: { type: 7, kind: 'be32', c: 'IFLA_IPTUN_FLOWINFO' },
  proto: { type: 9, kind: 'u8', c: 'IFLA_IPTUN_PROTO', doc: 'Inner protocol (IPPROTO_*, 0 any)' },
  pmtudisc: { type: 10, kind: 'u8', c: 'IFLA_IPTUN_PMTUDISC' },
  prefix6rd: { type: 11, kind: 'ipaddr', c: 'IFLA_IPTUN_6RD_PREFIX' },
  relayPrefix6rd: { type: 12, kind: 'ipaddr', c: 'IFLA_IPTUN_6RD_RELAY_PREFIX' },
  prefixlen6rd: { type: 13, kind: 'u16', c: 'IFLA_IPTUN_6RD_PREFIXLEN' },
  relayPrefixlen6rd: { type: 14, kind: 'u16', c: 'IFLA_IPTUN_6RD_RELAY_PREFIXLEN' },
  encapType: { type: 15, kind: 'u16', enum: TUNNEL_ENCAP, c: 'IFLA_IPTUN_ENCAP_TYPE' },
  encapFlags: { type: 16, kind: 'u16', flags: TUNNEL_ENCAP_FLAGS, c: 'IFLA_IPTUN_ENCAP_FLAGS' },
  encapSport: { type: 17, kind: 'be16', c: 'IFLA_IPTUN_ENCAP_SPORT' },
  encapDport: { type: 18, kind: 'be16', c: 'IFLA_IPTUN_ENCAP_DPORT' },
  collectMetadata: { type: 19, kind: 'flag', c: 'IFLA_IPTUN_COLLECT_METADATA' },
  fwmark: { type: 20, kind: 'u32', c: 'IFLA_IPTUN_FWMARK' },
} as const satisfies AttrSpecs;

/** IFLA_IPTUN_* of ipip and sit: 16-bit flags. */
export const IPTUN_ATTRS = {
  ...IPTUN_COMMON,
  flags: { type: 8, kind: 'u16', flags: SIT_FLAGS, c: 'IFLA_IPTUN_FLAGS' },
} as const satisfies AttrSpecs;

/** IFLA_IPTUN_* of ip6tnl: 32-bit IP6_TNL_F_* flags. */
export const IP6TNL_ATTRS = {
  ...IPTUN_COMMON,
  flags: { type: 8, kind: 'u32', flags: IP6_TNL_FLAGS, c: 'IFLA_IPTUN_FLAGS' },
} as const satisfies AttrSpecs;

export const VTI_ATTRS = {
  link: { type: 1, kind: 'u32', c: 'IFLA_VTI_LINK', doc: 'ifindex of the underlay device' },
  ikey: { type: 2, kind: 'be32', c: 'IFLA_VTI_IKEY' },
  okey: { type: 3, kind: 'be32', c: 'IFLA_VTI_OKEY' },
  local: { type: 4, kind: 'ipaddr', c: 'IFLA_VTI_LOCAL' },
  remote: { type: 5, kind: 'ipaddr', c: 'IFLA_VTI_REMOTE' },
  fwmark: { type: 6, kind: 'u32', c: 'IFLA_VTI_FWMARK' },
} as const satisfies AttrSpecs;
