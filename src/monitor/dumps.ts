// The dumps that read back what a group reports: one per "coverage" (a table the kernel walks in
// one dump), each a fixed header with every filter field zero, so the kernel returns all of it.
// A listing or a resync runs the dumps of the subscribed groups one after the other.
import {
  RTM_GETADDR,
  RTM_GETLINK,
  RTM_GETNEIGH,
  RTM_GETNSID,
  RTM_GETROUTE,
  RTM_GETRULE,
} from '../rtnetlink/constants.js';
import { RTNLGRP } from './groups.js';
import type { TrackedObject } from './types.js';

/** A table one dump walks; also the tag of every tracked entry it can confirm or remove. */
export type CoverageId =
  | 'link'
  | 'address/inet'
  | 'address/inet6'
  | 'route/inet'
  | 'route/inet6'
  | 'route/ipmr'
  | 'route/ip6mr'
  | 'route/mpls'
  | 'rule/inet'
  | 'rule/inet6'
  | 'neighbor'
  | 'neighbor/proxy'
  | 'neighbor/bridge'
  | 'nsid';

/** One dump request: message type and payload (sent with NLM_F_REQUEST | NLM_F_DUMP). */
export interface DumpSpec {
  readonly id: CoverageId;
  readonly object: TrackedObject;
  readonly type: number;
  readonly payload: Buffer;
}

/** `size` zero bytes with byte 0 (the family of every rtnetlink header) set. */
function header(size: number, family: number, set?: (b: Buffer) => void): Buffer {
  const b = Buffer.alloc(size);
  b[0] = family;
  set?.(b);
  return b;
}

// struct ifinfomsg 16, ifaddrmsg 8, rtmsg 12, fib_rule_hdr 12, ndmsg 12, rtgenmsg 1 (sent padded
// to 4). No IFLA_EXT_MASK on the link dump: notifications are filled with mask 0, and the dump
// must describe links the same way for its messages to compare equal to them.
const SPECS: readonly DumpSpec[] = [
  { id: 'link', object: 'link', type: RTM_GETLINK, payload: header(16, 0) },
  { id: 'address/inet', object: 'address', type: RTM_GETADDR, payload: header(8, 2) },
  { id: 'address/inet6', object: 'address', type: RTM_GETADDR, payload: header(8, 10) },
  { id: 'route/inet', object: 'route', type: RTM_GETROUTE, payload: header(12, 2) },
  { id: 'route/inet6', object: 'route', type: RTM_GETROUTE, payload: header(12, 10) },
  // RTNL_FAMILY_IPMR, RTNL_FAMILY_IP6MR, AF_MPLS
  { id: 'route/ipmr', object: 'route', type: RTM_GETROUTE, payload: header(12, 128) },
  { id: 'route/ip6mr', object: 'route', type: RTM_GETROUTE, payload: header(12, 129) },
  { id: 'route/mpls', object: 'route', type: RTM_GETROUTE, payload: header(12, 28) },
  { id: 'rule/inet', object: 'rule', type: RTM_GETRULE, payload: header(12, 2) },
  { id: 'rule/inet6', object: 'rule', type: RTM_GETRULE, payload: header(12, 10) },
  // AF_UNSPEC walks every neighbour table (ARP and NDP); proxy entries need ndm_flags =
  // NTF_PROXY (0x08, byte 10); the bridge FDB is the AF_BRIDGE dump.
  { id: 'neighbor', object: 'neighbor', type: RTM_GETNEIGH, payload: header(12, 0) },
  {
    id: 'neighbor/proxy',
    object: 'neighbor',
    type: RTM_GETNEIGH,
    payload: header(12, 0, (b) => {
      b[10] = 0x08;
    }),
  },
  { id: 'neighbor/bridge', object: 'neighbor', type: RTM_GETNEIGH, payload: header(12, 7) },
  { id: 'nsid', object: 'nsid', type: RTM_GETNSID, payload: header(4, 0) },
];

/** Every dump, by coverage id. */
export const DUMPS: Readonly<Record<CoverageId, DumpSpec>> = Object.fromEntries(
  SPECS.map((s) => [s.id, s]),
) as Record<CoverageId, DumpSpec>;

/** What each group's notifications are about, as the dumps that read it back. */
const GROUP_COVERAGE: Readonly<Record<number, readonly CoverageId[]>> = {
  [RTNLGRP.link]: ['link'],
  [RTNLGRP['ipv4-ifaddr']]: ['address/inet'],
  [RTNLGRP['ipv6-ifaddr']]: ['address/inet6'],
  [RTNLGRP['ipv4-route']]: ['route/inet'],
  [RTNLGRP['ipv6-route']]: ['route/inet6'],
  [RTNLGRP['ipv4-mroute']]: ['route/ipmr'],
  [RTNLGRP['ipv6-mroute']]: ['route/ip6mr'],
  [RTNLGRP['mpls-route']]: ['route/mpls'],
  [RTNLGRP['ipv4-rule']]: ['rule/inet'],
  [RTNLGRP['ipv6-rule']]: ['rule/inet6'],
  [RTNLGRP.neigh]: ['neighbor', 'neighbor/proxy', 'neighbor/bridge'],
  [RTNLGRP.nsid]: ['nsid'],
};

/**
 * The coverages of `groups` (group numbers), in dump order (links first, so a consumer
 * learns of devices before their addresses, routes and neighbours), optionally only those about
 * `objects`.
 */
export function coverageOfGroups(
  groups: readonly number[],
  objects?: ReadonlySet<TrackedObject>,
): CoverageId[] {
  const wanted = new Set<CoverageId>();
  for (const g of groups) for (const id of GROUP_COVERAGE[g] ?? []) wanted.add(id);
  return SPECS.filter((s) => wanted.has(s.id) && (!objects || objects.has(s.object))).map(
    (s) => s.id,
  );
}
