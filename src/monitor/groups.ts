// rtnetlink multicast groups by name: enum rtnetlink_groups of <linux/rtnetlink.h> (RTNLGRP_*),
// the names `ip monitor` subscribes to for `all`, and a few object-level aliases. A group is
// joined with NETLINK_ADD_MEMBERSHIP, which takes the group number (groups above 32 exist and
// cannot be given as a bind() bitmask).
import { NetlinkEncodeError } from '../netlink/errors.js';

/**
 * The rtnetlink multicast groups rtnl names, in kebab case (`RTNLGRP_IPV4_IFADDR` →
 * `ipv4-ifaddr`). Numbers from enum rtnetlink_groups; checked against the headers by the C
 * compiler in test/monitor/groups.test.ts. A group newer than these is joined by number.
 */
export const RTNLGRP = {
  link: 1,
  notify: 2,
  neigh: 3,
  tc: 4,
  'ipv4-ifaddr': 5,
  'ipv4-mroute': 6,
  'ipv4-route': 7,
  'ipv4-rule': 8,
  'ipv6-ifaddr': 9,
  'ipv6-mroute': 10,
  'ipv6-route': 11,
  'ipv6-ifinfo': 12,
  'ipv6-prefix': 18,
  'ipv6-rule': 19,
  'nd-useropt': 20,
  'phonet-ifaddr': 21,
  'phonet-route': 22,
  dcb: 23,
  'ipv4-netconf': 24,
  'ipv6-netconf': 25,
  mdb: 26,
  'mpls-route': 27,
  nsid: 28,
  'mpls-netconf': 29,
  'ipv4-mroute-r': 30,
  'ipv6-mroute-r': 31,
  nexthop: 32,
  brvlan: 33,
  'mctp-ifaddr': 34,
  tunnel: 35,
  stats: 36,
} as const;

/** A group name of {@link RTNLGRP}. */
export type MonitorGroupName = keyof typeof RTNLGRP;

/**
 * Object-level names that stand for several groups, as `ip monitor` takes them: `address`
 * (IPv4 and IPv6 addresses), `route`, `rule`, `mroute`, `netconf`, and `neighbor` (= `neigh`).
 */
export const GROUP_ALIASES = {
  address: ['ipv4-ifaddr', 'ipv6-ifaddr'],
  route: ['ipv4-route', 'ipv6-route'],
  rule: ['ipv4-rule', 'ipv6-rule'],
  mroute: ['ipv4-mroute', 'ipv6-mroute'],
  netconf: ['ipv4-netconf', 'ipv6-netconf'],
  neighbor: ['neigh'],
} as const satisfies Record<string, readonly MonitorGroupName[]>;

/** A group alias of {@link GROUP_ALIASES}. */
export type MonitorGroupAlias = keyof typeof GROUP_ALIASES;

/** What `groups` accepts: group names, aliases, or raw RTNLGRP_* numbers. */
export type MonitorGroup = MonitorGroupName | MonitorGroupAlias | number;

/**
 * The groups of `'all'`: those `ip monitor all` joins (iproute2 6.1, read with strace): links,
 * neighbours, addresses, routes, multicast routes, rules, IPv6 prefixes, netconf, MPLS routes
 * and netconf, namespace ids, nexthops and statistics.
 */
export const ALL_GROUPS: readonly MonitorGroupName[] = [
  'link',
  'neigh',
  'ipv4-ifaddr',
  'ipv4-mroute',
  'ipv4-route',
  'ipv4-rule',
  'ipv6-ifaddr',
  'ipv6-mroute',
  'ipv6-route',
  'ipv6-prefix',
  'ipv6-rule',
  'ipv4-netconf',
  'ipv6-netconf',
  'mpls-route',
  'nsid',
  'mpls-netconf',
  'nexthop',
  'stats',
];

/** Largest group number accepted as a number (the kernel's groups are far below). */
const MAX_GROUP = 1023;

/** The name of group number `n`, if rtnl names it. */
export function groupName(n: number): MonitorGroupName | undefined {
  for (const [name, value] of Object.entries(RTNLGRP)) {
    if (value === n) return name as MonitorGroupName;
  }
  return undefined;
}

/**
 * Group numbers for `groups` (names, aliases, numbers, or `'all'`), sorted and without
 * repeats.
 *
 * @throws {NetlinkEncodeError} BAD_VALUE naming `monitor.groups[i]` for an unknown name or a
 *   number outside 1..1023, or `monitor.groups` for an empty or malformed list.
 */
export function resolveGroups(groups: readonly MonitorGroup[] | 'all'): number[] {
  const list: readonly unknown[] = groups === 'all' ? ALL_GROUPS : groups;
  if (!Array.isArray(list)) {
    throw new NetlinkEncodeError(
      'BAD_VALUE',
      `expected 'all' or a list of group names, got ${String(groups)}`,
      'monitor.groups',
    );
  }
  const out = new Set<number>();
  list.forEach((g, i) => {
    const path = `monitor.groups[${i}]`;
    if (typeof g === 'number') {
      if (!Number.isInteger(g) || g < 1 || g > MAX_GROUP) {
        throw new NetlinkEncodeError(
          'BAD_VALUE',
          `expected a group number in 1..${MAX_GROUP}, got ${g}`,
          path,
        );
      }
      out.add(g);
    } else if (typeof g === 'string' && Object.hasOwn(RTNLGRP, g)) {
      out.add(RTNLGRP[g as MonitorGroupName]);
    } else if (typeof g === 'string' && Object.hasOwn(GROUP_ALIASES, g)) {
      for (const name of GROUP_ALIASES[g as MonitorGroupAlias]) out.add(RTNLGRP[name]);
    } else {
      throw new NetlinkEncodeError(
        'BAD_VALUE',
        `unknown group ${JSON.stringify(g)}: expected one of ${[...Object.keys(RTNLGRP), ...Object.keys(GROUP_ALIASES)].join(', ')}, or a number`,
        path,
      );
    }
  });
  if (out.size === 0) {
    throw new NetlinkEncodeError('BAD_VALUE', 'no group to listen to', 'monitor.groups');
  }
  return [...out].sort((a, b) => a - b);
}
