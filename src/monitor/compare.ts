// Whether two messages about the same object describe the same state. A dump and a
// notification of an unchanged object differ in a few places: notification-only attributes,
// counters and clocks, and per-family state the kernel updates without notifying the link.
// Those are left out; everything else is compared byte for byte, attribute by attribute.
import type { TrackedObject } from './types.js';

/**
 * Every kernel constant the comparison uses, by its name (checked against the headers, or the
 * YNL spec for those newer than 6.1, in test/monitor/compare.test.ts).
 */
export const COMPARED = {
  // struct sizes
  sizeof_ifinfomsg: 16,
  sizeof_ifaddrmsg: 8,
  sizeof_rtmsg: 12,
  sizeof_fib_rule_hdr: 12,
  sizeof_ndmsg: 12,
  offsetof_ifinfomsg_ifi_change: 12,
  // IFLA_*
  IFLA_STATS: 7,
  IFLA_LINKINFO: 18,
  IFLA_STATS64: 23,
  IFLA_AF_SPEC: 26,
  IFLA_CARRIER_CHANGES: 35,
  IFLA_EVENT: 44,
  IFLA_NEW_NETNSID: 45,
  IFLA_IF_NETNSID: 46,
  IFLA_CARRIER_UP_COUNT: 47,
  IFLA_CARRIER_DOWN_COUNT: 48,
  IFLA_NEW_IFINDEX: 49,
  IFLA_INFO_KIND: 1,
  IFLA_INFO_DATA: 2,
  IFLA_INFO_SLAVE_KIND: 4,
  IFLA_INFO_SLAVE_DATA: 5,
  AF_INET: 2,
  AF_INET6: 10,
  IFLA_INET_CONF: 1,
  IFLA_INET6_FLAGS: 1,
  IFLA_INET6_CONF: 2,
  IFLA_INET6_STATS: 3,
  IFLA_INET6_CACHEINFO: 5,
  IFLA_INET6_ICMP6STATS: 6,
  IFLA_INET6_RA_MTU: 9,
  IFLA_BR_HELLO_TIMER: 16,
  IFLA_BR_TCN_TIMER: 17,
  IFLA_BR_TOPOLOGY_CHANGE_TIMER: 18,
  IFLA_BR_GC_TIMER: 19,
  IFLA_BR_MCAST_QUERIER_STATE: 47,
  IFLA_BR_FDB_N_LEARNED: 48,
  IFLA_BRPORT_MESSAGE_AGE_TIMER: 21,
  IFLA_BRPORT_FORWARD_DELAY_TIMER: 22,
  IFLA_BRPORT_HOLD_TIMER: 23,
  IFLA_BRPORT_MCAST_EHT_HOSTS_CNT: 38,
  IFLA_BRPORT_MCAST_N_GROUPS: 41,
  // IFA_*, RTA_*, NDA_*
  IFA_CACHEINFO: 6,
  RTA_CACHEINFO: 12,
  RTA_EXPIRES: 23,
  NDA_CACHEINFO: 3,
  NDA_PROBES: 4,
} as const;

const K = COMPARED;

/**
 * What to leave out when comparing two attribute runs: attributes to skip (`drop`), and nests
 * compared by their own rule (`nested`; a function picks the rule from the nest's content).
 */
interface Skip {
  readonly drop?: ReadonlySet<number>;
  readonly nested?: ReadonlyMap<number, Skip | ((buf: Buffer, start: number, end: number) => Skip)>;
}

/** Per object: its fixed header, header bytes to skip, and what to leave out of its attributes. */
interface Comparison {
  header: number;
  /** [offset, length] runs of the header to skip. */
  skip: readonly (readonly [number, number])[];
  attributes: Skip;
}

const NONE: Skip = {};

// A bridge's IFLA_INFO_DATA: running timers, the multicast querier's state (timers), a counter
// of learned entries. A bridge port's IFLA_INFO_SLAVE_DATA: timers and counters.
const BRIDGE_DATA: Skip = {
  drop: new Set([
    K.IFLA_BR_HELLO_TIMER,
    K.IFLA_BR_TCN_TIMER,
    K.IFLA_BR_TOPOLOGY_CHANGE_TIMER,
    K.IFLA_BR_GC_TIMER,
    K.IFLA_BR_MCAST_QUERIER_STATE,
    K.IFLA_BR_FDB_N_LEARNED,
  ]),
};
const BRIDGE_PORT_DATA: Skip = {
  drop: new Set([
    K.IFLA_BRPORT_MESSAGE_AGE_TIMER,
    K.IFLA_BRPORT_FORWARD_DELAY_TIMER,
    K.IFLA_BRPORT_HOLD_TIMER,
    K.IFLA_BRPORT_MCAST_EHT_HOSTS_CNT,
    K.IFLA_BRPORT_MCAST_N_GROUPS,
  ]),
};

/** IFLA_LINKINFO: leave out the bridge's (or bridge port's) timers and counters. */
function linkinfoSkip(buf: Buffer, start: number, end: number): Skip {
  const nested = new Map<number, Skip>();
  for (let off = start; off + 4 <= end; ) {
    const len = buf.readUInt16LE(off);
    if (len < 4 || off + len > end) break;
    const type = buf.readUInt16LE(off + 2) & 0x3fff;
    // IFLA_INFO_KIND and IFLA_INFO_SLAVE_KIND are NUL-terminated strings.
    const bridge = buf.toString('latin1', off + 4, off + len).replace(/\0+$/, '') === 'bridge';
    if (bridge && type === K.IFLA_INFO_KIND) nested.set(K.IFLA_INFO_DATA, BRIDGE_DATA);
    if (bridge && type === K.IFLA_INFO_SLAVE_KIND) {
      nested.set(K.IFLA_INFO_SLAVE_DATA, BRIDGE_PORT_DATA);
    }
    off += (len + 3) & ~3;
  }
  return nested.size > 0 ? { nested } : NONE;
}

const COMPARISON: Record<TrackedObject, Comparison> = {
  link: {
    header: K.sizeof_ifinfomsg,
    // ifi_change says which flags changed: set in notifications, 0 in dumps.
    skip: [[K.offsetof_ifinfomsg_ifi_change, 4]],
    attributes: {
      drop: new Set([
        K.IFLA_STATS,
        K.IFLA_STATS64,
        K.IFLA_CARRIER_CHANGES,
        K.IFLA_CARRIER_UP_COUNT,
        K.IFLA_CARRIER_DOWN_COUNT,
        // Only in notifications.
        K.IFLA_EVENT,
        K.IFLA_NEW_NETNSID,
        K.IFLA_IF_NETNSID,
        K.IFLA_NEW_IFINDEX,
      ]),
      nested: new Map<number, Skip | ((buf: Buffer, start: number, end: number) => Skip)>([
        // Per-family state that changes without a link notification, or just after one:
        // devconf (sysctls: the netconf group's business; IPv6's mtu6 follows an MTU change
        // after the link was notified), IPv6's flags (RS sent, RA received, notified to
        // ipv6-ifinfo), statistics, cache info, the RA's MTU. IPv6's token and address
        // generation mode, which `ip link set` changes, are compared.
        [
          K.IFLA_AF_SPEC,
          {
            nested: new Map([
              [K.AF_INET, { drop: new Set([K.IFLA_INET_CONF]) }],
              [
                K.AF_INET6,
                {
                  drop: new Set([
                    K.IFLA_INET6_FLAGS,
                    K.IFLA_INET6_CONF,
                    K.IFLA_INET6_STATS,
                    K.IFLA_INET6_CACHEINFO,
                    K.IFLA_INET6_ICMP6STATS,
                    K.IFLA_INET6_RA_MTU,
                  ]),
                },
              ],
            ]),
          },
        ],
        [K.IFLA_LINKINFO, linkinfoSkip],
      ]),
    },
  },
  // Lifetimes count down, timestamps.
  address: {
    header: K.sizeof_ifaddrmsg,
    skip: [],
    attributes: { drop: new Set([K.IFA_CACHEINFO]) },
  },
  route: {
    header: K.sizeof_rtmsg,
    skip: [],
    attributes: { drop: new Set([K.RTA_CACHEINFO, K.RTA_EXPIRES]) },
  },
  rule: { header: K.sizeof_fib_rule_hdr, skip: [], attributes: NONE },
  // Ages (used, confirmed, updated) and the probe count.
  neighbor: {
    header: K.sizeof_ndmsg,
    skip: [],
    attributes: { drop: new Set([K.NDA_CACHEINFO, K.NDA_PROBES]) },
  },
  // struct rtgenmsg: one byte, padded to 4.
  nsid: { header: 4, skip: [[1, 3]], attributes: NONE },
};

/**
 * Whether two payloads about `object` describe the same state: equal apart from
 * notification-only attributes, counters, clocks and per-family link state (see
 * {@link COMPARED}), attribute by attribute in order.
 */
export function sameState(object: TrackedObject, a: Buffer, b: Buffer): boolean {
  const c = COMPARISON[object];
  if (a.length < c.header || b.length < c.header) return a.equals(b);
  for (let i = 0; i < c.header; i++) {
    if (a[i] !== b[i] && !c.skip.some(([off, len]) => i >= off && i < off + len)) return false;
  }
  return sameAttributes(a, c.header, a.length, b, c.header, b.length, c.attributes);
}

/** Compare two attribute runs in order, leaving out what `skip` says. */
function sameAttributes(
  a: Buffer,
  i: number,
  aEnd: number,
  b: Buffer,
  j: number,
  bEnd: number,
  skip: Skip,
): boolean {
  for (;;) {
    i = nextKept(a, i, aEnd, skip);
    j = nextKept(b, j, bEnd, skip);
    if (i >= aEnd || j >= bEnd) return i >= aEnd && j >= bEnd;
    const aLen = a.readUInt16LE(i);
    const bLen = b.readUInt16LE(j);
    const type = a.readUInt16LE(i + 2);
    if (type !== b.readUInt16LE(j + 2) || aLen < 4 || bLen < 4) return false;
    if (i + aLen > aEnd || j + bLen > bEnd) return false;
    const rule = skip.nested?.get(type & 0x3fff);
    if (rule !== undefined) {
      const inner = typeof rule === 'function' ? rule(a, i + 4, i + aLen) : rule;
      if (!sameAttributes(a, i + 4, i + aLen, b, j + 4, j + bLen, inner)) return false;
    } else if (aLen !== bLen || a.compare(b, j, j + bLen, i, i + aLen) !== 0) {
      return false;
    }
    i += (aLen + 3) & ~3;
    j += (bLen + 3) & ~3;
  }
}

/** The offset of the next attribute at or after `off` that is compared (`end` when none). */
function nextKept(buf: Buffer, off: number, end: number, skip: Skip): number {
  const drop = skip.drop;
  while (off + 4 <= end) {
    const len = buf.readUInt16LE(off);
    if (len < 4 || drop === undefined || !drop.has(buf.readUInt16LE(off + 2) & 0x3fff)) return off;
    off += (len + 3) & ~3;
  }
  return end;
}
