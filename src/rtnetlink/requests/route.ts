// Pure builders of RTM_NEWROUTE / RTM_DELROUTE / RTM_GETROUTE requests (no I/O). Device names
// are already resolved to ifindexes by the caller (src/rtnetlink/api/routes.ts).
//
// Header defaults, flags and attribute order follow what iproute2 6.1's `ip route` sends, so
// that our request equals iproute2's byte for byte (seq and port id aside) for the command
// written in the usual order: `ip route add [TYPE] DST [from SRC] [nhid N] [encap …] [via GW]
// [table T] [metric M] [src PREFSRC] [realms R] [pref P] [expires S] [ttl-propagate …]
// [dev D] [METRICS…] [nexthop …]`. iproute2 emits attributes as it parses the command line,
// then appends RTA_OIF, RTA_METRICS and RTA_MULTIPATH; metrics keep the order they are given
// in (the keys' order here, as on iproute2's command line). Like iproute2, RTA_METRICS and
// RTA_MULTIPATH are sent without NLA_F_NESTED. Inside a hop, RTA_GATEWAY, RTA_ENCAP +
// RTA_ENCAP_TYPE and RTA_FLOW follow the hop object's keys (ip's `nexthop` words, in order).
import { ipv4PrefixInto } from '../../netlink/address.js';
import { AttributeWriter, NLA_F_NESTED } from '../../netlink/attributes.js';
import { NetlinkEncodeError } from '../../netlink/errors.js';
import { NLM_F_APPEND, NLM_F_CREATE, NLM_F_EXCL, NLM_F_REPLACE } from '../../netlink/message.js';
import type { AttributeSet, Input } from '../../netlink/schema.js';
import {
  AF_INET,
  AF_INET6,
  checkU32,
  checkUint,
  enumValue,
  flagsValue,
  type InetAddress,
  type InetFamily,
  type InetPrefix,
  parseFamily,
  parseInetAddress,
  parseInetPrefix,
} from '../api/inet.js';
import {
  RT_SCOPE,
  RT_TABLE,
  RTM_DELROUTE,
  RTM_GETROUTE,
  RTM_NEWROUTE,
  RTN,
  RTPROT,
} from '../constants.js';
import { LWTUNNEL_ENCAP, ROUTER_PREF, RTAX_FEATURE, routeAttributes } from '../route.js';

/**
 * A request ready to send: its message type, the nlmsg_flags beyond NLM_F_REQUEST | NLM_F_ACK
 * (which the engine always sets), and a function writing the payload (family header and
 * attributes) into the engine's writer. Everything was validated when the plan was made.
 */
export interface RequestPlan {
  readonly type: number;
  readonly flags: number;
  write(w: AttributeWriter): void;
}

/** The payload bytes of a plan (tests compare them with iproute2's). */
export function planPayload(plan: RequestPlan): Buffer {
  const w = new AttributeWriter(256);
  plan.write(w);
  return Buffer.from(w.bytes());
}

/** Family as a caller may give it: 'inet' | 'inet6' | 4 | 6 | 2 (AF_INET) | 10 (AF_INET6). */
export type FamilyInput = 'inet' | 'inet6' | 2 | 4 | 6 | 10;

// <linux/rtnetlink.h> enum rtattr_type_t
const RTA_DST = 1;
const RTA_SRC = 2;
const RTA_IIF = 3;
const RTA_OIF = 4;
const RTA_GATEWAY = 5;
const RTA_PRIORITY = 6;
const RTA_PREFSRC = 7;
const RTA_METRICS = 8;
const RTA_MULTIPATH = 9;
const RTA_FLOW = 11;
const RTA_TABLE = 15;
const RTA_MARK = 16;
const RTA_VIA = 18;
const RTA_PREF = 20;
const RTA_ENCAP_TYPE = 21;
const RTA_ENCAP = 22;
const RTA_EXPIRES = 23;
const RTA_UID = 25;
const RTA_TTL_PROPAGATE = 26;
const RTA_IP_PROTO = 27;
const RTA_SPORT = 28;
const RTA_DPORT = 29;
const RTA_NH_ID = 30;

// rtm_flags bits (<linux/rtnetlink.h>)
const RTNH_F_ONLINK = 4;
const RTM_F_NOTIFY = 0x100;
const RTM_F_CLONED = 0x200;
const RTM_F_LOOKUP_TABLE = 0x1000;
const RTM_F_FIB_MATCH = 0x2000;

/** RTAX_* numbers of the route metrics (<linux/rtnetlink.h>), by their key in RouteMetrics. */
export const RTAX = {
  mtu: 2,
  window: 3,
  rtt: 4,
  rttvar: 5,
  ssthresh: 6,
  cwnd: 7,
  advmss: 8,
  reordering: 9,
  hoplimit: 10,
  initcwnd: 11,
  features: 12,
  rtoMin: 13,
  initrwnd: 14,
  quickack: 15,
  ccAlgo: 16,
  fastopenNoCookie: 17,
} as const;
const RTAX_LOCK = 1;

/**
 * What `ip route add|replace|append|prepend|change|test|del` does: the nlmsg_flags per
 * operation. `test` is RTM_NEWROUTE with NLM_F_EXCL alone (iproute2 6.1 do_iproute): EEXIST
 * when the route exists; without NLM_F_CREATE IPv4 answers ENOENT for a missing one, while
 * IPv6 adds it (the kernel ignores the missing NLM_F_CREATE there).
 */
export type RouteOp = 'add' | 'replace' | 'append' | 'prepend' | 'change' | 'test' | 'delete';

const OP_FLAGS: Record<RouteOp, number> = {
  add: NLM_F_CREATE | NLM_F_EXCL,
  replace: NLM_F_CREATE | NLM_F_REPLACE,
  append: NLM_F_CREATE | NLM_F_APPEND,
  prepend: NLM_F_CREATE,
  change: NLM_F_REPLACE,
  test: NLM_F_EXCL,
  delete: 0,
};

/**
 * Route metrics (RTA_METRICS), in the kernel's units (`rtt` in 1/8 ms, `rttvar` in 1/4 ms,
 * `rtoMin` in ms), sent in the order of the object's keys. `rtoMin` is always locked, as
 * iproute2 does (the kernel ignores an unlocked one).
 */
export interface RouteMetrics {
  mtu?: number | undefined;
  window?: number | undefined;
  rtt?: number | undefined;
  rttvar?: number | undefined;
  ssthresh?: number | undefined;
  cwnd?: number | undefined;
  advmss?: number | undefined;
  reordering?: number | undefined;
  hoplimit?: number | undefined;
  initcwnd?: number | undefined;
  /** RTAX_FEATURES: a number, or names of RTAX_FEATURE ('ecn'; the kernel allows few). */
  features?: number | (keyof typeof RTAX_FEATURE)[] | undefined;
  rtoMin?: number | undefined;
  initrwnd?: number | undefined;
  quickack?: 0 | 1 | undefined;
  /** RTAX_CC_ALGO: the congestion control algorithm's name (`ip route … congctl`). */
  ccAlgo?: string | undefined;
  fastopenNoCookie?: 0 | 1 | undefined;
  /** Metrics the kernel must not change (RTAX_LOCK bits), e.g. ['mtu']. */
  lock?: (keyof typeof RTAX)[] | undefined;
}

/**
 * One hop of a multipath route (struct rtnexthop + its attributes). Its gateway, encap and
 * realms attributes are written in the order of the object's keys, as iproute2 writes them in
 * the order of its command line (`nexthop via GW encap …` or `nexthop encap … via GW`).
 */
export interface NexthopSpec<Dev = number> {
  /** Gateway; one of another family than the route's goes in RTA_VIA. */
  gateway?: string | undefined;
  /** Output device: an ifindex here; the client also takes a name. */
  dev?: Dev | undefined;
  /** 1..256 (rtnh_hops + 1); default 1. */
  weight?: number | undefined;
  /** RTNH_F_ONLINK: the gateway is on the link even without a matching prefix. */
  onlink?: boolean | undefined;
  /** RTA_FLOW realms. */
  realms?: number | undefined;
  /**
   * A lightweight tunnel for this hop alone (RTA_ENCAP + RTA_ENCAP_TYPE inside the rtnexthop),
   * as in RouteSpec.encap: `{ type: 'ip', id: 5n, dst: '192.0.2.9' }`.
   */
  encap?: EncapSpec | undefined;
}

/**
 * A route to add, replace, append or delete. Only `dst` is required; the rest defaults as in
 * `ip route`: type unicast, protocol boot, table main (local for local, broadcast, nat and
 * anycast routes), scope link for a unicast route with neither gateway nor nexthops, universe
 * otherwise (host for local and nat routes, link for broadcast, multicast and anycast). A
 * delete only names the route: protocol, type and scope are then wildcards unless given.
 */
export interface RouteSpec<Dev = number> {
  /** 'default', a prefix ('192.0.2.0/24', '2001:db8::/32') or an address (a host route). */
  dst: string;
  /** Needed only when nothing else tells the family ('default' with no gateway): 'inet'. */
  family?: FamilyInput | undefined;
  /** RTN_* type by name ('unicast', 'blackhole', 'unreachable', 'prohibit', 'local', …). */
  type?: string | number | undefined;
  /** Source prefix the route applies to (RTA_SRC; `ip route … from`). */
  src?: string | undefined;
  tos?: number | undefined;
  /** Gateway (RTA_GATEWAY; RTA_VIA when of another family than the route). */
  gateway?: string | undefined;
  /** Output device (RTA_OIF): an ifindex here; the client also takes a name. */
  dev?: Dev | undefined;
  /** Preferred source address (RTA_PREFSRC; `ip route … src`). */
  prefsrc?: string | undefined;
  /** The metric (RTA_PRIORITY; `ip route … metric`). */
  priority?: number | undefined;
  /** Table by name ('main', 'local', 'default') or id; ids ≥ 256 travel in RTA_TABLE. */
  table?: string | number | undefined;
  /** RTPROT_* by name ('boot', 'static', 'kernel', …) or number. */
  protocol?: string | number | undefined;
  /** RT_SCOPE_* by name ('universe', 'link', 'host', …) or number. */
  scope?: string | number | undefined;
  /** RTNH_F_ONLINK in rtm_flags. */
  onlink?: boolean | undefined;
  /** Use nexthop object `nhid` (RTA_NH_ID). */
  nhid?: number | undefined;
  /** RTA_FLOW realms. */
  realms?: number | undefined;
  /** RTA_EXPIRES in seconds (IPv6). */
  expires?: number | undefined;
  /** RTA_PREF router preference (IPv6): 'low' | 'medium' | 'high' or the number. */
  pref?: keyof typeof ROUTER_PREF | number | undefined;
  /** RTA_TTL_PROPAGATE (MPLS). */
  ttlPropagate?: boolean | undefined;
  metrics?: RouteMetrics | undefined;
  /** A lightweight tunnel (RTA_ENCAP + RTA_ENCAP_TYPE): `{ type: 'mpls', dst: [100, 200] }`. */
  encap?: EncapSpec | undefined;
  /** Multipath (RTA_MULTIPATH): one entry per hop. */
  nexthops?: NexthopSpec<Dev>[] | undefined;
  /**
   * RTM_F_CLONED in rtm_flags: name a cached route (an IPv6 route exception, learned from a
   * "packet too big" or a redirect; `ip -6 route show cache`) rather than the route it was
   * cloned from. Delete only, IPv6 only: the kernel turns the flag into RTF_CACHE and removes
   * just the exception (inet6_rtm_delroute → ip6_route_del), while IPv4 ignores it and would
   * delete a route of the FIB (its cache is flushed whole through net.ipv4.route.flush).
   */
  cloned?: boolean | undefined;
}

const RT_SCOPE_UNIVERSE = 0;
const RT_SCOPE_LINK = 253;
const RT_SCOPE_HOST = 254;
const RT_SCOPE_NOWHERE = 255;
const RT_TABLE_MAIN = 254;
const RT_TABLE_LOCAL = 255;
const RTN_UNSPEC = 0;
const RTN_UNICAST = 1;
const RTN_LOCAL = 2;
const RTN_BROADCAST = 3;
const RTN_ANYCAST = 4;
const RTN_MULTICAST = 5;
const RTN_NAT = 10;
const RTPROT_BOOT = 3;

function bad(path: string, message: string): NetlinkEncodeError {
  return new NetlinkEncodeError('BAD_VALUE', message, path);
}

/** The route's destination: a prefix, or 'default' (no RTA_DST, dst_len 0). */
function parseDst(dst: unknown, path: string): InetPrefix | undefined {
  if (dst === 'default' || dst === 'all' || dst === 'any') return undefined;
  return parseInetPrefix(dst, path);
}

/** Table id → [rtm_table, RTA_TABLE or undefined], as iproute2 splits it. */
function splitTable(id: number): [number, number | undefined] {
  return id < 256 ? [id, undefined] : [0, id];
}

/** Table by name or id, checked. */
export function tableId(table: unknown, path: string): number {
  return enumValue(RT_TABLE, table, 0xffffffff, path);
}

function sameFamily(a: InetAddress | InetPrefix, family: InetFamily, path: string): void {
  if (a.family !== family) {
    throw bad(path, `${a.address} is not an ${family === AF_INET ? 'IPv4' : 'IPv6'} address`);
  }
}

/** A hop's attributes, in the order they are written. */
type HopAttr =
  | { kind: 'gateway'; gateway: InetAddress }
  | { kind: 'encap'; encap: EncodedEncap }
  | { kind: 'realms'; realms: number };

interface Hop {
  ifindex: number;
  hops: number;
  flags: number;
  attrs: HopAttr[];
}

// The fields of a RouteSpec and a NexthopSpec: anything else is a mistake (`metric` for
// `priority`) that would otherwise be dropped without a word.
const ROUTE_KEYS = new Set([
  'dst',
  'family',
  'type',
  'src',
  'tos',
  'gateway',
  'dev',
  'prefsrc',
  'priority',
  'table',
  'protocol',
  'scope',
  'onlink',
  'nhid',
  'realms',
  'expires',
  'pref',
  'ttlPropagate',
  'metrics',
  'encap',
  'nexthops',
  'cloned',
]);
const NEXTHOP_KEYS = new Set(['gateway', 'dev', 'weight', 'onlink', 'realms', 'encap']);

function checkKeys(o: object, known: ReadonlySet<string>, path: string, hint: string): void {
  for (const key in o) {
    if (!known.has(key)) {
      throw new NetlinkEncodeError(
        'UNKNOWN_ATTRIBUTE',
        `unknown field "${key}" (known: ${[...known].join(', ')})${hint}`,
        `${path}.${key}`,
      );
    }
  }
}

/**
 * Build the request for `op` on the route `spec` (ifindexes already resolved). Throws
 * NetlinkEncodeError 'BAD_VALUE' naming the field (`route.dst`, `route.nexthops[1].weight`,
 * …) for anything malformed.
 */
export function buildRouteRequest(op: RouteOp, spec: RouteSpec<number>): RequestPlan {
  if (typeof spec !== 'object' || spec === null) throw bad('route', 'expected a route object');
  if (!Object.hasOwn(OP_FLAGS, op)) throw bad('route', `unknown operation ${String(op)}`);
  checkKeys(
    spec,
    ROUTE_KEYS,
    'route',
    spec && 'metric' in spec ? '; the metric is "priority"' : '',
  );
  if (Array.isArray(spec.nexthops)) {
    for (let i = 0; i < spec.nexthops.length; i++) {
      const hop = spec.nexthops[i];
      if (typeof hop === 'object' && hop !== null) {
        checkKeys(hop, NEXTHOP_KEYS, `route.nexthops[${i}]`, '');
      }
    }
  }
  const del = op === 'delete';
  const dst = parseDst(spec.dst, 'route.dst');
  const src = spec.src === undefined ? undefined : parseInetPrefix(spec.src, 'route.src');
  const gateway =
    spec.gateway === undefined ? undefined : parseInetAddress(spec.gateway, 'route.gateway');
  const prefsrc =
    spec.prefsrc === undefined ? undefined : parseInetAddress(spec.prefsrc, 'route.prefsrc');

  // The family is the first address's (iproute2 takes it from whatever it parses first).
  let family: InetFamily | undefined =
    spec.family !== undefined ? parseFamily(spec.family, 'route.family') : undefined;
  family ??= dst?.family ?? src?.family ?? gateway?.family ?? prefsrc?.family;
  if (family === undefined && spec.nexthops?.[0]?.gateway !== undefined) {
    family = parseInetAddress(spec.nexthops[0].gateway, 'route.nexthops[0].gateway').family;
  }
  family ??= AF_INET;
  if (dst) sameFamily(dst, family, 'route.dst');
  if (src) sameFamily(src, family, 'route.src');
  if (prefsrc) sameFamily(prefsrc, family, 'route.prefsrc');

  const typeGiven = spec.type !== undefined;
  const type = typeGiven
    ? enumValue(RTN, spec.type, 255, 'route.type')
    : del
      ? RTN_UNSPEC
      : RTN_UNICAST;
  const protocol =
    spec.protocol !== undefined
      ? enumValue(RTPROT, spec.protocol, 255, 'route.protocol')
      : del
        ? 0
        : RTPROT_BOOT;
  const tos = spec.tos === undefined ? 0 : checkUint(spec.tos, 255, 'route.tos');
  let tableNum: number;
  if (spec.table !== undefined) tableNum = tableId(spec.table, 'route.table');
  else if (
    type === RTN_LOCAL ||
    type === RTN_BROADCAST ||
    type === RTN_NAT ||
    type === RTN_ANYCAST
  ) {
    tableNum = RT_TABLE_LOCAL;
  } else tableNum = RT_TABLE_MAIN;
  const [rtmTable, rtaTable] = splitTable(tableNum);

  const oif = spec.dev === undefined ? undefined : checkU32(spec.dev, 'route.dev');
  const priority =
    spec.priority === undefined ? undefined : checkU32(spec.priority, 'route.priority');
  const nhid = spec.nhid === undefined ? undefined : checkU32(spec.nhid, 'route.nhid');
  const realms = spec.realms === undefined ? undefined : checkU32(spec.realms, 'route.realms');
  const expires = spec.expires === undefined ? undefined : checkU32(spec.expires, 'route.expires');
  const pref =
    spec.pref === undefined ? undefined : enumValue(ROUTER_PREF, spec.pref, 255, 'route.pref');
  if (spec.ttlPropagate !== undefined && typeof spec.ttlPropagate !== 'boolean') {
    throw bad('route.ttlPropagate', 'expected a boolean');
  }
  if (spec.onlink !== undefined && typeof spec.onlink !== 'boolean') {
    throw bad('route.onlink', 'expected a boolean');
  }
  const metrics = spec.metrics === undefined ? undefined : metricList(spec.metrics);
  const encap = spec.encap === undefined ? undefined : encapBytes(spec.encap);
  const hops = spec.nexthops === undefined ? undefined : hopList(spec.nexthops);

  let scope: number;
  if (spec.scope !== undefined) scope = enumValue(RT_SCOPE, spec.scope, 255, 'route.scope');
  else if (family === AF_INET6) scope = RT_SCOPE_UNIVERSE;
  else if (type === RTN_LOCAL || type === RTN_NAT) scope = RT_SCOPE_HOST;
  else if (type === RTN_BROADCAST || type === RTN_MULTICAST || type === RTN_ANYCAST) {
    scope = RT_SCOPE_LINK;
  } else if (type === RTN_UNICAST || type === RTN_UNSPEC) {
    if (del) scope = RT_SCOPE_NOWHERE;
    else if (!gateway && !hops && nhid === undefined) scope = RT_SCOPE_LINK;
    else scope = RT_SCOPE_UNIVERSE;
  } else scope = del ? RT_SCOPE_NOWHERE : RT_SCOPE_UNIVERSE;

  if (spec.cloned !== undefined && typeof spec.cloned !== 'boolean') {
    throw bad('route.cloned', 'expected a boolean');
  }
  if (spec.cloned && !del) {
    throw bad('route.cloned', 'only a delete can name a cached route (RTM_F_CLONED)');
  }
  if (spec.cloned && family !== AF_INET6) {
    throw bad(
      'route.cloned',
      'IPv4 cached routes cannot be deleted one by one (the kernel would delete a FIB route); ' +
        'write net.ipv4.route.flush instead',
    );
  }

  const fam = family;
  const rtmFlags = (spec.onlink ? RTNH_F_ONLINK : 0) | (spec.cloned ? RTM_F_CLONED : 0);
  return {
    type: del ? RTM_DELROUTE : RTM_NEWROUTE,
    flags: OP_FLAGS[op],
    write(w) {
      // struct rtmsg
      w.rawU8(fam);
      w.rawU8(dst ? dst.prefixLen : 0);
      w.rawU8(src ? src.prefixLen : 0);
      w.rawU8(tos);
      w.rawU8(rtmTable);
      w.rawU8(protocol);
      w.rawU8(scope);
      w.rawU8(type);
      w.rawU32(rtmFlags);
      if (dst) w.binary(RTA_DST, dst.bytes);
      if (src) w.binary(RTA_SRC, src.bytes);
      if (nhid !== undefined) w.u32(RTA_NH_ID, nhid);
      if (encap) writeEncap(w, encap);
      if (gateway) writeGateway(w, gateway, fam);
      if (rtaTable !== undefined) w.u32(RTA_TABLE, rtaTable);
      if (priority !== undefined) w.u32(RTA_PRIORITY, priority);
      if (prefsrc) w.binary(RTA_PREFSRC, prefsrc.bytes);
      if (realms !== undefined) w.u32(RTA_FLOW, realms);
      if (pref !== undefined) w.u8(RTA_PREF, pref);
      if (expires !== undefined) w.u32(RTA_EXPIRES, expires);
      if (spec.ttlPropagate !== undefined) w.u8(RTA_TTL_PROPAGATE, spec.ttlPropagate ? 1 : 0);
      if (oif !== undefined) w.u32(RTA_OIF, oif);
      if (metrics) writeMetrics(w, metrics);
      if (hops) writeHops(w, hops, fam);
    },
  };
}

/** A route change encoded: its message type, extra nlmsg_flags and payload bytes. */
export interface EncodedRoute {
  readonly type: number;
  readonly flags: number;
  readonly payload: Uint8Array;
}

/** What a route encoder remembers of the change before (see {@link routeEncoder}). */
interface LastRoute {
  op: RouteOp;
  spec: Record<string, unknown>;
  keys: number;
  type: number;
  flags: number;
  family: InetFamily;
  payload: Buffer;
}

// The payload of a route request with a destination: struct rtmsg (rtm_dst_len at 1), then
// RTA_DST (its address at 16), as buildRouteRequest writes them.
const RTMSG_DST_LEN = 1;
const DST_ATTR = 12;
const DST_ADDRESS = 16;

/**
 * buildRouteRequest for a stream of changes, as bytes. A change that differs from the one
 * before only in its destination (same op, the same fields with the same primitive values, a
 * destination of the same family) is that one's encoding with rtm_dst_len and RTA_DST
 * rewritten: nothing else in the request depends on the destination. A script of similar lines
 * (`route add PREFIX dev D` ten thousand times) is mostly such changes. Everything else, and
 * every spec with an object-valued field (metrics, nexthops, encap, which the caller could
 * change in place), is built in full. Errors are buildRouteRequest's.
 */
export function routeEncoder(): (op: RouteOp, spec: RouteSpec<number>) => EncodedRoute {
  let last: LastRoute | undefined;
  return (op, spec) => {
    if (last !== undefined && op === last.op && sameButDst(spec, last)) {
      const text = (spec as { dst?: unknown }).dst;
      // `A.B.C.D/N`, nearly every line of a script: straight into the copy.
      if (last.family === AF_INET && typeof text === 'string') {
        const payload = new Uint8Array(last.payload);
        const len = ipv4PrefixInto(text, payload, DST_ADDRESS);
        if (len >= 0) {
          payload[RTMSG_DST_LEN] = len;
          return { type: last.type, flags: last.flags, payload };
        }
      }
      const dst = parseDst(text, 'route.dst');
      if (dst !== undefined && dst.family === last.family) {
        const payload = new Uint8Array(last.payload);
        payload[RTMSG_DST_LEN] = dst.prefixLen;
        payload.set(dst.bytes, DST_ADDRESS);
        return { type: last.type, flags: last.flags, payload };
      }
    }
    const plan = buildRouteRequest(op, spec);
    const payload = planPayload(plan);
    last = remember(op, spec, plan, payload);
    return { type: plan.type, flags: plan.flags, payload };
  };
}

/** The record of a change a later one may reuse, or undefined when none may. */
function remember(
  op: RouteOp,
  spec: RouteSpec<number>,
  plan: RequestPlan,
  payload: Buffer,
): LastRoute | undefined {
  const fields: Record<string, unknown> = {};
  let keys = 0;
  for (const key in spec) {
    const v = (spec as unknown as Record<string, unknown>)[key];
    if (typeof v === 'object' && v !== null) return undefined;
    fields[key] = v;
    keys++;
  }
  const dst = parseDst(spec.dst, 'route.dst');
  if (dst === undefined) return undefined;
  // RTA_DST where it is expected: its length and type.
  if (
    payload.length < DST_ADDRESS + dst.bytes.length ||
    payload.readUInt16LE(DST_ATTR) !== 4 + dst.bytes.length ||
    payload.readUInt16LE(DST_ATTR + 2) !== RTA_DST
  ) {
    return undefined;
  }
  return {
    op,
    spec: fields,
    keys,
    type: plan.type,
    flags: plan.flags,
    family: dst.family,
    payload,
  };
}

/** Whether `spec` has exactly the fields of the last one, with the same values but `dst`. */
function sameButDst(spec: unknown, last: LastRoute): boolean {
  if (typeof spec !== 'object' || spec === null) return false;
  let keys = 0;
  for (const key in spec) {
    keys++;
    if (key === 'dst') continue;
    const v = (spec as Record<string, unknown>)[key];
    if (v !== last.spec[key] || !Object.hasOwn(last.spec, key)) return false;
  }
  return keys === last.keys;
}

type EncapSets = typeof routeAttributes.attrs.encap.sets;

/**
 * A lightweight tunnel: `type` (an RTA_ENCAP_TYPE name) and that type's attributes as the route
 * schema declares them, sent in the order of the object's keys.
 */
export type EncapSpec = {
  [K in keyof EncapSets]: { type: K } & (EncapSets[K] extends AttributeSet<infer A>
    ? Input<A>
    : never);
}[keyof EncapSets];

/** An encap's RTA_ENCAP_TYPE and the payload of its RTA_ENCAP. */
interface EncodedEncap {
  type: number;
  bytes: Uint8Array;
}

/**
 * Encode the encap's attributes now (so a bad value is refused before anything is sent);
 * `path` names it in errors (`route.encap`, `route.nexthops[1].encap`).
 */
function encapBytes(encap: EncapSpec, path = 'route.encap'): EncodedEncap {
  if (typeof encap !== 'object' || encap === null) throw bad(path, 'expected an object');
  const { type, ...attrs } = encap as { type: unknown } & Record<string, unknown>;
  const sets = routeAttributes.attrs.encap.sets as Record<string, AttributeSet>;
  if (typeof type !== 'string' || !Object.hasOwn(sets, type)) {
    throw bad(`${path}.type`, `expected one of ${Object.keys(sets).join(', ')}`);
  }
  const w = new AttributeWriter(64);
  sets[type]!.encode(w, attrs, `${path}(${type})`);
  return {
    type: LWTUNNEL_ENCAP[type as keyof typeof LWTUNNEL_ENCAP],
    bytes: Buffer.from(w.bytes()),
  };
}

/** RTA_ENCAP (NLA_F_NESTED, as iproute2's rta_nest sets it) then RTA_ENCAP_TYPE. */
function writeEncap(w: AttributeWriter, encap: EncodedEncap): void {
  w.binary(RTA_ENCAP, encap.bytes, NLA_F_NESTED);
  w.u16(RTA_ENCAP_TYPE, encap.type);
}

function writeGateway(w: AttributeWriter, gw: InetAddress, family: InetFamily): void {
  if (gw.family === family) {
    w.binary(RTA_GATEWAY, gw.bytes);
    return;
  }
  // struct rtvia: __kernel_sa_family_t (u16, host order) + the address.
  const at = w.begin(RTA_VIA);
  w.rawU16(gw.family);
  w.rawBytes(gw.bytes);
  w.end(at);
}

type MetricEntry = [number, number | string];

function metricList(m: RouteMetrics): { entries: MetricEntry[]; lock: number } {
  if (typeof m !== 'object' || m === null) throw bad('route.metrics', 'expected an object');
  const entries: MetricEntry[] = [];
  let lock = 0;
  for (const key of Object.keys(m)) {
    const v = m[key as keyof RouteMetrics];
    if (key === 'lock' || v === undefined) continue;
    const path = `route.metrics.${key}`;
    if (!Object.hasOwn(RTAX, key)) {
      throw bad(path, `unknown metric (known: ${Object.keys(RTAX).join(', ')}, lock)`);
    }
    const num = RTAX[key as keyof typeof RTAX];
    if (key === 'ccAlgo') {
      if (typeof v !== 'string' || v === '' || v.includes('\0')) {
        throw bad(path, 'expected the name of a congestion control algorithm');
      }
      entries.push([num, v]);
    } else if (key === 'features') {
      entries.push([num, flagsValue(RTAX_FEATURE, v, 0xffffffff, path)]);
    } else if (key === 'quickack' || key === 'fastopenNoCookie') {
      entries.push([num, checkUint(v, 1, path)]);
    } else if (key === 'hoplimit') {
      entries.push([num, checkUint(v, 255, path)]);
    } else {
      if (key === 'rtoMin') lock |= 1 << RTAX.rtoMin;
      entries.push([num, checkU32(v, path)]);
    }
  }
  if (m.lock !== undefined) {
    if (!Array.isArray(m.lock)) throw bad('route.metrics.lock', 'expected a list of metric names');
    for (const name of m.lock) {
      if (typeof name !== 'string' || !Object.hasOwn(RTAX, name)) {
        throw bad('route.metrics.lock', `"${String(name)}" is not a metric`);
      }
      lock |= 1 << RTAX[name];
    }
  }
  return { entries, lock: lock >>> 0 };
}

function writeMetrics(w: AttributeWriter, m: { entries: MetricEntry[]; lock: number }): void {
  if (m.entries.length === 0 && m.lock === 0) return;
  const at = w.begin(RTA_METRICS);
  for (const [num, v] of m.entries) {
    // RTAX_CC_ALGO: the name without its NUL, as iproute2 sends it.
    if (typeof v === 'string') w.binary(num, Buffer.from(v, 'utf8'));
    else w.u32(num, v);
  }
  if (m.lock) w.u32(RTAX_LOCK, m.lock);
  w.end(at);
}

function hopList(list: NexthopSpec<number>[]): Hop[] {
  if (!Array.isArray(list) || list.length === 0) {
    throw bad('route.nexthops', 'expected a non-empty list of nexthops');
  }
  return list.map((h, i) => {
    const path = `route.nexthops[${i}]`;
    if (typeof h !== 'object' || h === null) throw bad(path, 'expected an object');
    const weight = h.weight === undefined ? 1 : checkUint(h.weight, 256, `${path}.weight`);
    if (weight === 0) throw bad(`${path}.weight`, 'expected an integer in 1..256, got 0');
    // The attributes in the order of the hop's keys (iproute2's command-line order).
    const attrs: HopAttr[] = [];
    for (const key of Object.keys(h)) {
      if (key === 'gateway' && h.gateway !== undefined) {
        attrs.push({ kind: 'gateway', gateway: parseInetAddress(h.gateway, `${path}.gateway`) });
      } else if (key === 'encap' && h.encap !== undefined) {
        attrs.push({ kind: 'encap', encap: encapBytes(h.encap, `${path}.encap`) });
      } else if (key === 'realms' && h.realms !== undefined) {
        attrs.push({ kind: 'realms', realms: checkU32(h.realms, `${path}.realms`) });
      }
    }
    return {
      ifindex: h.dev === undefined ? 0 : checkUint(h.dev, 0x7fffffff, `${path}.dev`),
      hops: weight - 1,
      flags: h.onlink ? RTNH_F_ONLINK : 0,
      attrs,
    };
  });
}

function writeHops(w: AttributeWriter, hops: Hop[], family: InetFamily): void {
  const at = w.begin(RTA_MULTIPATH);
  for (const h of hops) {
    // struct rtnexthop { u16 rtnh_len; u8 rtnh_flags; u8 rtnh_hops; s32 rtnh_ifindex; }
    const start = w.pos;
    w.rawU16(0);
    w.rawU8(h.flags);
    w.rawU8(h.hops);
    w.rawU32(h.ifindex);
    for (const a of h.attrs) {
      if (a.kind === 'gateway') writeGateway(w, a.gateway, family);
      else if (a.kind === 'encap') writeEncap(w, a.encap);
      else w.u32(RTA_FLOW, a.realms);
    }
    w.buf.writeUInt16LE(w.pos - start, start);
  }
  w.end(at);
}

/** What `ip route get` asks: the route the kernel would use for a packet. */
export interface RouteGetSpec<Dev = number> {
  /** Destination address (a bare address, or with a full-length prefix). */
  dst: string;
  /** Source address of the packet (RTA_SRC). */
  src?: string | undefined;
  /** Incoming device (RTA_IIF): an ifindex here; the client also takes a name. */
  iif?: Dev | undefined;
  /** Outgoing device (RTA_OIF). */
  oif?: Dev | undefined;
  mark?: number | undefined;
  uid?: number | undefined;
  tos?: number | undefined;
  /** IP protocol number for a policy lookup (RTA_IP_PROTO). */
  ipProto?: number | undefined;
  sport?: number | undefined;
  dport?: number | undefined;
  /** RTM_F_FIB_MATCH: return the FIB entry that matched rather than the resolved route. */
  fibMatch?: boolean | undefined;
  /**
   * RTM_F_NOTIFY (`ip route get … notify`): IPv4 marks the looked-up route RTCF_NOTIFY (the
   * answer carries the flag); IPv6 refuses the flag (EINVAL).
   */
  notify?: boolean | undefined;
}

/** Build `ip route get`'s request (RTM_GETROUTE with RTM_F_LOOKUP_TABLE for IPv4). */
export function buildRouteGetRequest(spec: RouteGetSpec<number>): RequestPlan {
  if (typeof spec !== 'object' || spec === null) throw bad('route', 'expected an object');
  const dst = parseInetPrefix(spec.dst, 'route.dst');
  const full = dst.family === AF_INET6 ? 128 : 32;
  if (dst.prefixLen !== full) {
    throw bad('route.dst', `a lookup takes one address (/${full}), got /${dst.prefixLen}`);
  }
  const src = spec.src === undefined ? undefined : parseInetAddress(spec.src, 'route.src');
  if (src) sameFamily(src, dst.family, 'route.src');
  const iif = spec.iif === undefined ? undefined : checkU32(spec.iif, 'route.iif');
  const oif = spec.oif === undefined ? undefined : checkU32(spec.oif, 'route.oif');
  const mark = spec.mark === undefined ? undefined : checkU32(spec.mark, 'route.mark');
  const uid = spec.uid === undefined ? undefined : checkU32(spec.uid, 'route.uid');
  const tos = spec.tos === undefined ? 0 : checkUint(spec.tos, 255, 'route.tos');
  const ipProto =
    spec.ipProto === undefined ? undefined : checkUint(spec.ipProto, 255, 'route.ipProto');
  const sport = spec.sport === undefined ? undefined : checkUint(spec.sport, 0xffff, 'route.sport');
  const dport = spec.dport === undefined ? undefined : checkUint(spec.dport, 0xffff, 'route.dport');
  if (spec.notify !== undefined && typeof spec.notify !== 'boolean') {
    throw bad('route.notify', 'expected a boolean');
  }
  let flags = spec.notify ? RTM_F_NOTIFY : 0;
  if (dst.family === AF_INET) flags |= RTM_F_LOOKUP_TABLE;
  if (spec.fibMatch) flags |= RTM_F_FIB_MATCH;
  return {
    type: RTM_GETROUTE,
    flags: 0,
    write(w) {
      w.rawU8(dst.family);
      w.rawU8(full);
      w.rawU8(src ? (src.family === AF_INET6 ? 128 : 32) : 0);
      w.rawU8(tos);
      w.rawU32(0); // table, protocol, scope, type
      w.rawU32(flags);
      w.binary(RTA_DST, dst.bytes);
      if (src) w.binary(RTA_SRC, src.bytes);
      if (uid !== undefined) w.u32(RTA_UID, uid);
      if (ipProto !== undefined) w.u8(RTA_IP_PROTO, ipProto);
      if (sport !== undefined) w.be16(RTA_SPORT, sport);
      if (dport !== undefined) w.be16(RTA_DPORT, dport);
      if (iif !== undefined) w.u32(RTA_IIF, iif);
      if (oif !== undefined) w.u32(RTA_OIF, oif);
      if (mark) w.u32(RTA_MARK, mark);
    },
  };
}

/** Filters the kernel applies to a route dump (strict checking on). */
export interface RouteDumpFilter<Dev = number> {
  family?: FamilyInput | undefined;
  /** Only this table (RTA_TABLE). */
  table?: string | number | undefined;
  /** Only routes of this protocol (rtm_protocol). */
  protocol?: string | number | undefined;
  /** Only routes of this type (rtm_type). */
  type?: string | number | undefined;
  /** Only routes through this output device (RTA_OIF). */
  dev?: Dev | undefined;
  /**
   * RTM_F_CLONED (`ip route show cache`): the kernel dumps the cached routes (IPv4 next-hop
   * exceptions, IPv6 exception routes such as a learned path MTU) as well as the others;
   * each cached one carries RTM_F_CLONED in its flags.
   */
  cloned?: boolean | undefined;
}

/** Build a route dump request (RTM_GETROUTE | NLM_F_DUMP) filtered by the kernel. */
export function buildRouteDumpRequest(filter: RouteDumpFilter<number> = {}): RequestPlan {
  const family = filter.family === undefined ? 0 : parseFamily(filter.family, 'routeFilter.family');
  const table = filter.table === undefined ? undefined : tableId(filter.table, 'routeFilter.table');
  const protocol =
    filter.protocol === undefined
      ? 0
      : enumValue(RTPROT, filter.protocol, 255, 'routeFilter.protocol');
  const type = filter.type === undefined ? 0 : enumValue(RTN, filter.type, 255, 'routeFilter.type');
  const oif = filter.dev === undefined ? undefined : checkU32(filter.dev, 'routeFilter.dev');
  if (filter.cloned !== undefined && typeof filter.cloned !== 'boolean') {
    throw bad('routeFilter.cloned', 'expected a boolean');
  }
  const rtmFlags = filter.cloned ? RTM_F_CLONED : 0;
  return {
    type: RTM_GETROUTE,
    flags: 0,
    write(w) {
      w.rawU8(family);
      w.rawU8(0);
      w.rawU8(0);
      w.rawU8(0);
      w.rawU8(0); // table: RTA_TABLE carries it (all 32 bits)
      w.rawU8(protocol);
      w.rawU8(0);
      w.rawU8(type);
      w.rawU32(rtmFlags);
      if (table !== undefined) w.u32(RTA_TABLE, table);
      if (oif !== undefined) w.u32(RTA_OIF, oif);
    },
  };
}
