// rtnetlink message types and multicast groups, from <linux/rtnetlink.h>.

export const RTM_NEWLINK = 16;
export const RTM_DELLINK = 17;
export const RTM_GETLINK = 18;
export const RTM_SETLINK = 19;
export const RTM_NEWADDR = 20;
export const RTM_DELADDR = 21;
export const RTM_GETADDR = 22;
export const RTM_NEWROUTE = 24;
export const RTM_DELROUTE = 25;
export const RTM_GETROUTE = 26;
export const RTM_NEWNEIGH = 28;
export const RTM_DELNEIGH = 29;
export const RTM_GETNEIGH = 30;
export const RTM_NEWRULE = 32;
export const RTM_DELRULE = 33;
export const RTM_GETRULE = 34;
export const RTM_NEWNSID = 88;
export const RTM_DELNSID = 89;
export const RTM_GETNSID = 90;

/** Address families (<linux/socket.h>). */
export const AF_UNSPEC = 0;
export const AF_INET = 2;
export const AF_BRIDGE = 7;
export const AF_INET6 = 10;
export const AF_MPLS = 28;

/** enum rtnetlink_groups: the group numbers for NETLINK_ADD_MEMBERSHIP. */
export const RTNLGRP_LINK = 1;
export const RTNLGRP_NEIGH = 3;
export const RTNLGRP_IPV4_IFADDR = 5;
export const RTNLGRP_IPV4_ROUTE = 7;
export const RTNLGRP_IPV4_RULE = 8;
export const RTNLGRP_IPV6_IFADDR = 9;
export const RTNLGRP_IPV6_ROUTE = 11;
export const RTNLGRP_IPV6_RULE = 19;
export const RTNLGRP_NSID = 28;

const TYPE_NAMES: Record<number, string> = {
  16: 'RTM_NEWLINK',
  17: 'RTM_DELLINK',
  18: 'RTM_GETLINK',
  19: 'RTM_SETLINK',
  20: 'RTM_NEWADDR',
  21: 'RTM_DELADDR',
  22: 'RTM_GETADDR',
  24: 'RTM_NEWROUTE',
  25: 'RTM_DELROUTE',
  26: 'RTM_GETROUTE',
  28: 'RTM_NEWNEIGH',
  29: 'RTM_DELNEIGH',
  30: 'RTM_GETNEIGH',
  32: 'RTM_NEWRULE',
  33: 'RTM_DELRULE',
  34: 'RTM_GETRULE',
  88: 'RTM_NEWNSID',
  89: 'RTM_DELNSID',
  90: 'RTM_GETNSID',
};

/** The RTM_* name of an rtnetlink message type, if rtnl declares it. */
export function rtmTypeName(type: number): string | undefined {
  return TYPE_NAMES[type];
}

// Name maps for enum and flag fields, for the schemas' `enum:` / `flags:` and for the client.
// Keys are the kernel constant's suffix in lower case (RTN_UNICAST → unicast); where iproute2
// prints a different word, the TSDoc says so. Values are checked by the C compiler in
// test/rtnetlink/uapi-objects.test.ts.

/** Route types (rtm_type, RTN_*). iproute2 prints RTN_UNSPEC as `none`. */
export const RTN = {
  unspec: 0,
  unicast: 1,
  local: 2,
  broadcast: 3,
  anycast: 4,
  multicast: 5,
  blackhole: 6,
  unreachable: 7,
  prohibit: 8,
  throw: 9,
  nat: 10,
  xresolve: 11,
} as const;

/** Route origins (rtm_protocol, RTPROT_*), as iproute2's rt_protos names them. */
export const RTPROT = {
  unspec: 0,
  redirect: 1,
  kernel: 2,
  boot: 3,
  static: 4,
  gated: 8,
  ra: 9,
  mrt: 10,
  zebra: 11,
  bird: 12,
  dnrouted: 13,
  xorp: 14,
  ntk: 15,
  dhcp: 16,
  mrouted: 17,
  keepalived: 18,
  babel: 42,
  openr: 99,
  bgp: 186,
  isis: 187,
  ospf: 188,
  rip: 189,
  eigrp: 192,
} as const;

/** Route and address scopes (rtm_scope, ifa_scope: enum rt_scope_t). iproute2 prints universe as `global`. */
export const RT_SCOPE = {
  universe: 0,
  site: 200,
  link: 253,
  host: 254,
  nowhere: 255,
} as const;

/** Reserved routing table ids (enum rt_class_t). Ids above 255 travel only in RTA_TABLE / FRA_TABLE. */
export const RT_TABLE = {
  unspec: 0,
  compat: 252,
  default: 253,
  main: 254,
  local: 255,
} as const;

/**
 * rtm_flags bits from RTM_F_*. The low byte of rtm_flags carries RTNH_F_* (see {@link RTNH_F});
 * iproute2 prints offload, trap and offload_failed as `rt_offload`, `rt_trap`, `rt_offload_failed`.
 */
export const RTM_F = {
  notify: 0x100,
  cloned: 0x200,
  equalize: 0x400,
  prefix: 0x800,
  lookup_table: 0x1000,
  fib_match: 0x2000,
  offload: 0x4000,
  trap: 0x8000,
  offload_failed: 0x20000000,
} as const;

/** Next-hop flags (rtnh_flags, and the low byte of rtm_flags: RTNH_F_*). */
export const RTNH_F = {
  dead: 1,
  pervasive: 2,
  onlink: 4,
  offload: 8,
  linkdown: 16,
  unresolved: 32,
  trap: 64,
} as const;

/**
 * fib_rule_hdr.action (FR_ACT_*). `ip rule` says `lookup TABLE` for to_tbl, and prints
 * blackhole / unreachable / prohibit with the route-type names of the same numbers.
 */
export const FR_ACT = {
  unspec: 0,
  to_tbl: 1,
  goto: 2,
  nop: 3,
  res3: 4,
  res4: 5,
  blackhole: 6,
  unreachable: 7,
  prohibit: 8,
} as const;

/** fib_rule_hdr.flags (FIB_RULE_*); `invert` is `ip rule not …`. */
export const FIB_RULE = {
  permanent: 0x1,
  invert: 0x2,
  unresolved: 0x4,
  iif_detached: 0x8,
  oif_detached: 0x10,
  find_saddr: 0x10000,
} as const;

/** Neighbour states (ndm_state, NUD_*): a bit set; `none` is the empty set. */
export const NUD = {
  none: 0x00,
  incomplete: 0x01,
  reachable: 0x02,
  stale: 0x04,
  delay: 0x08,
  probe: 0x10,
  failed: 0x20,
  noarp: 0x40,
  permanent: 0x80,
} as const;

/** Neighbour flags (ndm_flags, NTF_*). iproute2 prints ext_learned as `extern_learn`. */
export const NTF = {
  use: 0x01,
  self: 0x02,
  master: 0x04,
  proxy: 0x08,
  ext_learned: 0x10,
  offloaded: 0x20,
  sticky: 0x40,
  router: 0x80,
} as const;

/** Extended neighbour flags (NDA_FLAGS_EXT: NTF_EXT_*). locked (6.2) and ext_validated are newer than the 6.1 headers. */
export const NTF_EXT = {
  managed: 0x1,
  locked: 0x2,
  ext_validated: 0x4,
} as const;

/**
 * Address flags (IFA_F_*), named as the kernel's rt-addr spec names them. The low 8 bits also
 * travel in ifaddrmsg.flags; IFA_FLAGS carries all 32. iproute2 prints homeaddress as `home`,
 * managetempaddr as `mngtmpaddr`, mcautojoin as `autojoin`, stableprivacy as `stable-privacy`,
 * and secondary as `temporary` on IPv6.
 */
export const IFA_F = {
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

/** Who added an address (IFA_PROTO: IFAPROT_*). */
export const IFAPROT = {
  unspec: 0,
  kernel_lo: 1,
  kernel_ra: 2,
  kernel_ll: 3,
} as const;
