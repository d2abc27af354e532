// rt.routes: list / iterate / get / add / replace / append / delete / flush. Requests come from
// the pure builders in ../requests/route.ts; replies are decoded with the route schema.

import { formatIp } from '../../netlink/address.js';
import type { NetlinkMessage } from '../../netlink/message.js';
import type { Decoded, FlagSet } from '../../netlink/schema.js';
import type { RtNetlink } from '../client.js';
import { RT_SCOPE, RT_TABLE, RTM_F, RTM_NEWROUTE, RTN, RTNH_F, RTPROT } from '../constants.js';
import {
  buildRouteDumpRequest,
  buildRouteGetRequest,
  buildRouteRequest,
  type RequestPlan,
  type RouteDumpFilter,
  type RouteGetSpec,
  type RouteOp,
  type RouteSpec,
} from '../requests/route.js';
import { ROUTER_PREF, routeMessage, rtaCacheinfo } from '../route.js';
import {
  checkDevRef,
  type DevRef,
  enumValue,
  flagSetOf,
  parseInetAddress,
  parseInetPrefix,
} from './inet.js';

/**
 * rtm_flags names: the RTNH_F_* bits of the low byte and the RTM_F_* bits; RTM_F_OFFLOAD,
 * RTM_F_TRAP and RTM_F_OFFLOAD_FAILED are `rt_offload`, `rt_trap`, `rt_offload_failed` (as
 * iproute2 prints them) so they do not clash with the next-hop bits of the same names.
 */
export const ROUTE_FLAGS = {
  ...RTNH_F,
  notify: RTM_F.notify,
  cloned: RTM_F.cloned,
  equalize: RTM_F.equalize,
  prefix: RTM_F.prefix,
  lookup_table: RTM_F.lookup_table,
  fib_match: RTM_F.fib_match,
  rt_offload: RTM_F.offload,
  rt_trap: RTM_F.trap,
  rt_offload_failed: RTM_F.offload_failed,
} as const;

/** The decoded RTA_* attributes of a route (the route schema's decode). */
export type RouteAttributes = Decoded<typeof routeMessage.attributes.attrs>;

/**
 * A route as the kernel reported it: the rtmsg fields with natural values, two conveniences
 * (`dst` and `table`), and every attribute as the route schema decodes it.
 */
export interface Route {
  /** AF_INET (2), AF_INET6 (10), … */
  family: number;
  dstLen: number;
  srcLen: number;
  tos: number;
  /** The table: RTA_TABLE when present (all 32 bits), else rtm_table; reserved ids by name. */
  table: keyof typeof RT_TABLE | number;
  protocol: keyof typeof RTPROT | number;
  scope: keyof typeof RT_SCOPE | number;
  type: keyof typeof RTN | number;
  /** rtm_flags; the set of a route without flags is shared and frozen. */
  flags: FlagSet<keyof typeof ROUTE_FLAGS>;
  /** 'default' for a zero-length prefix, else 'address/len' ('192.0.2.0/24', '2001:db8::/64'). */
  dst: string;
  /** The source prefix ('address/len') when the route has one (`ip route … from`). */
  src?: string | undefined;
  attributes: RouteAttributes;
}

/** A route's device: an ifindex, or a name the client resolves. */
export type RouteSpecInput = RouteSpec<DevRef>;

/**
 * What `list()` and `iterate()` select. `family`, `table`, `protocol`, `type` and `dev` go into
 * the dump request and the kernel filters on them; `dst`, `gateway` and `scope` are checked on
 * each decoded route (the kernel cannot filter on them). No table means every table.
 */
export interface RouteFilter extends RouteDumpFilter<DevRef> {
  /** Exactly this destination ('default' or a prefix). */
  dst?: string | undefined;
  /** Only routes through this gateway (RTA_GATEWAY). */
  gateway?: string | undefined;
  /** Only routes of this scope. */
  scope?: string | number | undefined;
}

/** Options of {@link Routes.get}: `ip route get`'s selectors, with devices by name or index. */
export type RouteGetOptions = Omit<RouteGetSpec<DevRef>, 'dst'>;

/**
 * The ifindex of a device given by index or name (a name costs one RTM_GETLINK; an index
 * costs nothing). Shared by the route, rule and neighbour classes.
 */
export async function resolveDev(rt: RtNetlink, dev: unknown, path: string): Promise<number> {
  const ref = checkDevRef(dev, path);
  return typeof ref === 'number' ? ref : rt.links.index(ref);
}

function prefixText(family: number, addr: string | undefined, len: number): string | undefined {
  if (addr !== undefined) return `${addr}/${len}`;
  if (len === 0) return undefined;
  return `${family === 10 ? '::' : '0.0.0.0'}/${len}`;
}

/** Names by number (0..255) of an enum map, first name first (as enumName picks). */
function namesOf(map: Readonly<Record<string, number>>): (string | undefined)[] {
  const out: (string | undefined)[] = new Array(256).fill(undefined);
  for (const [k, v] of Object.entries(map)) if (v < 256 && out[v] === undefined) out[v] = k;
  return out;
}
const TABLE_NAMES = namesOf(RT_TABLE);
const PROTO_NAMES = namesOf(RTPROT);
const SCOPE_NAMES = namesOf(RT_SCOPE);
const TYPE_NAMES = namesOf(RTN);
const PREF_NAMES = namesOf(ROUTER_PREF);

function named<N extends string>(names: (string | undefined)[], n: number): N | number {
  return n < 256 ? ((names[n] as N | undefined) ?? n) : n;
}

const DEC = Array.from({ length: 256 }, (_, i) => String(i));

function ipText(b: Buffer, o: number, n: number): string {
  if (n !== 4) return formatIp(b, o, n) as string;
  return `${DEC[b[o]!]}.${DEC[b[o + 1]!]}.${DEC[b[o + 2]!]}.${DEC[b[o + 3]!]}`;
}

/** The flag set of routes with no rtm_flags: shared, so frozen. */
const NO_FLAGS: Route['flags'] = Object.freeze({ names: Object.freeze([]) as never[], raw: 0 });

// The payload size of each attribute the fast path reads (by RTA_* number); 0: not read there.
const IP = -1;
const FAST_SIZE = new Int8Array(32);
for (const t of [1, 2, 5, 7]) FAST_SIZE[t] = IP; // RTA_DST, _SRC, _GATEWAY, _PREFSRC
for (const t of [3, 4, 6, 11, 15, 16, 23, 25, 30]) FAST_SIZE[t] = 4; // u32s
for (const t of [20, 26, 27]) FAST_SIZE[t] = 1; // RTA_PREF, _TTL_PROPAGATE, _IP_PROTO
for (const t of [28, 29]) FAST_SIZE[t] = 2; // RTA_SPORT, _DPORT (be16)
FAST_SIZE[12] = rtaCacheinfo.size; // RTA_CACHEINFO

/**
 * The attributes of a route in the common shapes (addresses, 32-bit ids, the cacheinfo), read
 * straight off the bytes: the same values the route schema decodes, without its generic walk,
 * so that decoding 100 000 routes stays cheap. Returns undefined for anything else (metrics,
 * multipath, encap, via, an unknown attribute, odd flag bits or sizes); the caller then uses
 * the schema, which also reports malformed bytes with their path.
 */
function fastAttributes(b: Buffer, start: number, end: number): RouteAttributes | undefined {
  const a: RouteAttributes = {};
  let off = start;
  while (off + 4 <= end) {
    const len = b[off]! | (b[off + 1]! << 8);
    const type = b[off + 2]! | (b[off + 3]! << 8);
    if (len < 4 || off + len > end) return undefined;
    const at = off + 4;
    const n = len - 4;
    const want = type < 32 ? FAST_SIZE[type]! : 0;
    if (want === 0 || (want === IP ? n !== 4 && n !== 16 : n !== want)) return undefined;
    switch (type) {
      case 1:
        a.dst = ipText(b, at, n);
        break;
      case 2:
        a.src = ipText(b, at, n);
        break;
      case 5:
        a.gateway = ipText(b, at, n);
        break;
      case 7:
        a.prefsrc = ipText(b, at, n);
        break;
      case 3:
        a.iif = b.readUInt32LE(at);
        break;
      case 4:
        a.oif = b.readUInt32LE(at);
        break;
      case 6:
        a.priority = b.readUInt32LE(at);
        break;
      case 11:
        a.flow = b.readUInt32LE(at);
        break;
      case 15:
        a.table = b.readUInt32LE(at);
        break;
      case 16:
        a.mark = b.readUInt32LE(at);
        break;
      case 23:
        a.expires = b.readUInt32LE(at);
        break;
      case 25:
        a.uid = b.readUInt32LE(at);
        break;
      case 30:
        a.nhId = b.readUInt32LE(at);
        break;
      case 12:
        a.cacheinfo = rtaCacheinfo.decode(b, at, n);
        break;
      case 20:
        a.pref = named(PREF_NAMES, b[at]!) as keyof typeof ROUTER_PREF | number;
        break;
      case 26:
        a.ttlPropagate = b[at]!;
        break;
      case 27:
        a.ipProto = b[at]!;
        break;
      case 28:
        a.sport = b.readUInt16BE(at);
        break;
      default: // 29
        a.dport = b.readUInt16BE(at);
    }
    off += (len + 3) & ~3;
  }
  return off >= end ? a : undefined;
}

// struct rtmsg is 12 bytes; the attributes follow it.
const RTMSG_SIZE = 12;
/** The engine's code for a dump the kernel flagged NLM_F_DUMP_INTR. */
const DUMP_INTERRUPTED = 'ERR_RTNL_DUMP_INTERRUPTED';
const MAX_RETRIES = 5;

/** Turn an RTM_NEWROUTE message into a {@link Route}. */
export function decodeRoute(msg: NetlinkMessage | Uint8Array): Route {
  const payload = msg instanceof Uint8Array ? msg : msg.payload;
  const b = Buffer.isBuffer(payload)
    ? payload
    : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
  const attributes =
    (b.length >= RTMSG_SIZE ? fastAttributes(b, RTMSG_SIZE, b.length) : undefined) ??
    routeMessage.decode(b).attributes;
  const family = b[0]!;
  const dstLen = b[1]!;
  const srcLen = b[2]!;
  const rawFlags = b.readUInt32LE(8);
  const route: Route = {
    family,
    dstLen,
    srcLen,
    tos: b[3]!,
    table: named(TABLE_NAMES, attributes.table ?? b[4]!) as Route['table'],
    protocol: named(PROTO_NAMES, b[5]!),
    scope: named(SCOPE_NAMES, b[6]!),
    type: named(TYPE_NAMES, b[7]!),
    flags: rawFlags === 0 ? NO_FLAGS : flagSetOf(ROUTE_FLAGS, rawFlags),
    dst:
      attributes.dst !== undefined
        ? `${attributes.dst}/${DEC[dstLen]}`
        : (prefixText(family, undefined, dstLen) ?? 'default'),
    attributes,
  };
  const src = prefixText(family, attributes.src, srcLen);
  if (src !== undefined) route.src = src;
  return route;
}

function normalPrefix(text: string, path: string): string {
  if (text === 'default') return text;
  const p = parseInetPrefix(text, path);
  return `${formatIp(p.bytes)}/${p.prefixLen}`;
}

/** Routes (RTM_NEWROUTE / RTM_DELROUTE / RTM_GETROUTE). Reach it as `rt.routes`. */
export class Routes {
  readonly #rt: RtNetlink;

  constructor(rt: RtNetlink) {
    this.#rt = rt;
  }

  /**
   * Every route matching `filter` (every route of every table and family without one). See
   * {@link RouteFilter} for what the kernel filters and what is filtered after decoding.
   */
  async list(filter: RouteFilter = {}): Promise<Route[]> {
    const { plan, match } = await this.#dump(filter);
    // Decode while the dump streams in (the datagrams are dropped as they are read, which keeps
    // the heap small and the collector quiet), and start again if the kernel says the table
    // changed while it was walked.
    for (let attempt = 0; ; attempt++) {
      const out: Route[] = [];
      try {
        for await (const msg of this.#rt.connection.dump(plan.type, (w) => plan.write(w), {
          flags: plan.flags,
        })) {
          if (msg.type !== RTM_NEWROUTE) continue;
          const route = decodeRoute(msg);
          if (match(route)) out.push(route);
        }
        return out;
      } catch (err) {
        if ((err as { code?: unknown }).code !== DUMP_INTERRUPTED || attempt >= MAX_RETRIES) {
          throw err;
        }
      }
    }
  }

  /**
   * Stream the routes matching `filter`, decoded one message at a time: memory stays bounded
   * however large the table (the dump pauses while the consumer is behind).
   */
  iterate(filter: RouteFilter = {}): AsyncIterableIterator<Route> {
    // A hand-written iterator rather than an async generator: one promise per route instead of
    // a generator resumption on top of the engine's own iteration.
    let inner: AsyncIterator<NetlinkMessage> | undefined;
    let match: (r: Route) => boolean = () => true;
    let ready: Promise<void> | undefined;
    const DONE: IteratorResult<Route> = { done: true, value: undefined };
    const step = (
      r: IteratorResult<NetlinkMessage>,
    ): IteratorResult<Route> | Promise<IteratorResult<Route>> => {
      if (r.done) return DONE;
      if (r.value.type === RTM_NEWROUTE) {
        const route = decodeRoute(r.value);
        if (match(route)) return { done: false, value: route };
      }
      return inner!.next().then(step);
    };
    const start = async (): Promise<void> => {
      const dump = await this.#dump(filter);
      match = dump.match;
      const { plan } = dump;
      inner = this.#rt.connection
        .dump(plan.type, (w) => plan.write(w), { flags: plan.flags })
        [Symbol.asyncIterator]();
    };
    return {
      [Symbol.asyncIterator]() {
        return this;
      },
      next(): Promise<IteratorResult<Route>> {
        if (inner) return inner.next().then(step);
        ready ??= start();
        return ready.then(() => inner!.next().then(step));
      },
      async return(): Promise<IteratorResult<Route>> {
        await inner?.return?.();
        return DONE;
      },
    };
  }

  /**
   * The route the kernel would use to reach `dst` (`ip route get`): RTM_GETROUTE, with
   * RTM_F_LOOKUP_TABLE for IPv4 so that `table` is the table the lookup used.
   */
  async get(dst: string, options: RouteGetOptions = {}): Promise<Route> {
    const probe = buildRouteGetRequest({
      ...options,
      dst,
      iif: typeof options.iif === 'number' ? options.iif : undefined,
      oif: typeof options.oif === 'number' ? options.oif : undefined,
    });
    let plan = probe;
    if (typeof options.iif === 'string' || typeof options.oif === 'string') {
      const iif =
        options.iif === undefined
          ? undefined
          : await resolveDev(this.#rt, options.iif, 'route.iif');
      const oif =
        options.oif === undefined
          ? undefined
          : await resolveDev(this.#rt, options.oif, 'route.oif');
      plan = buildRouteGetRequest({ ...options, dst, iif, oif });
    }
    const replies = await this.#send(plan);
    const reply = replies.find((m) => m.type === RTM_NEWROUTE);
    if (!reply) throw new Error(`no route returned for ${dst}`);
    return decodeRoute(reply);
  }

  /** Add a route (`ip route add`: NLM_F_CREATE | NLM_F_EXCL); EEXIST if it exists. */
  add(spec: RouteSpecInput): Promise<void> {
    return this.#modify('add', spec);
  }

  /** Add or replace a route (`ip route replace`: NLM_F_CREATE | NLM_F_REPLACE). */
  replace(spec: RouteSpecInput): Promise<void> {
    return this.#modify('replace', spec);
  }

  /** Add a route after existing ones of the same prefix (`ip route append`: NLM_F_APPEND). */
  append(spec: RouteSpecInput): Promise<void> {
    return this.#modify('append', spec);
  }

  /**
   * Delete a route: a spec naming it (`ip route del`: unset protocol, type and scope match any
   * route), or a {@link Route} from `list()` (deleted exactly: its table, type, protocol,
   * scope, device, gateway and metric).
   */
  delete(route: RouteSpecInput | Route): Promise<void> {
    return this.#modify('delete', isRoute(route) ? specOf(route) : route);
  }

  /**
   * Delete every route matching `filter` (`ip route flush`); the table defaults to main, as in
   * `ip route flush`. Resolves with the routes deleted.
   */
  async flush(filter: RouteFilter = {}): Promise<Route[]> {
    const routes = await this.list({ table: 'main', ...filter });
    await Promise.all(routes.map((r) => this.delete(r)));
    return routes;
  }

  async #modify(op: RouteOp, spec: RouteSpecInput): Promise<void> {
    await this.#send(await this.#plan(op, spec));
  }

  #send(plan: RequestPlan): Promise<NetlinkMessage[]> {
    return this.#rt.connection.request(plan.type, (w) => plan.write(w), {
      flags: plan.flags,
      schema: routeMessage,
    });
  }

  /** Validate everything, then resolve device names (only when some are names), then build. */
  async #plan(op: RouteOp, spec: RouteSpecInput): Promise<RequestPlan> {
    const named =
      typeof spec === 'object' &&
      spec !== null &&
      (typeof spec.dev === 'string' ||
        (Array.isArray(spec.nexthops) && spec.nexthops.some((h) => typeof h?.dev === 'string')));
    if (!named) return buildRouteRequest(op, spec as RouteSpec<number>);
    // Check the whole spec before the first name lookup leaves.
    buildRouteRequest(op, {
      ...spec,
      dev: typeof spec.dev === 'string' ? 0 : spec.dev,
      nexthops: spec.nexthops?.map((h) => ({ ...h, dev: typeof h.dev === 'string' ? 0 : h.dev })),
    });
    const resolved: RouteSpec<number> = {
      ...spec,
      dev: spec.dev === undefined ? undefined : await resolveDev(this.#rt, spec.dev, 'route.dev'),
      nexthops:
        spec.nexthops === undefined
          ? undefined
          : await Promise.all(
              spec.nexthops.map(async (h, i) => ({
                ...h,
                dev:
                  h.dev === undefined
                    ? undefined
                    : await resolveDev(this.#rt, h.dev, `route.nexthops[${i}].dev`),
              })),
            ),
    };
    if (resolved.dev === undefined) delete resolved.dev;
    if (resolved.nexthops === undefined) delete resolved.nexthops;
    return buildRouteRequest(op, resolved);
  }

  async #dump(filter: RouteFilter): Promise<{ plan: RequestPlan; match: (r: Route) => boolean }> {
    const { dst, gateway, scope, dev, ...kernel } = filter;
    // Validate every field before anything is sent.
    const wantDst = dst === undefined ? undefined : normalPrefix(dst, 'routeFilter.dst');
    const wantGw =
      gateway === undefined
        ? undefined
        : formatIp(parseInetAddress(gateway, 'routeFilter.gateway').bytes);
    const wantScope =
      scope === undefined ? undefined : enumValue(RT_SCOPE, scope, 255, 'routeFilter.scope');
    buildRouteDumpRequest({ ...kernel, dev: typeof dev === 'string' ? 0 : dev });
    const oif = dev === undefined ? undefined : await resolveDev(this.#rt, dev, 'routeFilter.dev');
    const plan = buildRouteDumpRequest(oif === undefined ? kernel : { ...kernel, dev: oif });
    const match = (r: Route): boolean => {
      if (wantDst !== undefined && r.dst !== wantDst) return false;
      if (wantGw !== undefined && r.attributes.gateway !== wantGw) return false;
      if (wantScope !== undefined && enumValue(RT_SCOPE, r.scope, 255, '') !== wantScope) {
        return false;
      }
      return true;
    };
    return { plan, match };
  }
}

function isRoute(x: unknown): x is Route {
  return typeof x === 'object' && x !== null && 'attributes' in x && 'dstLen' in x;
}

/** The delete spec naming exactly this route. */
function specOf(r: Route): RouteSpec<number> {
  const a = r.attributes;
  const spec: RouteSpec<number> = {
    dst: r.dst,
    family: r.family === 10 ? 'inet6' : 'inet',
    table: r.table,
    type: r.type,
    protocol: r.protocol,
    scope: r.scope,
  };
  if (r.src !== undefined) spec.src = r.src;
  if (r.tos) spec.tos = r.tos;
  if (a.oif !== undefined) spec.dev = a.oif;
  if (a.gateway !== undefined) spec.gateway = a.gateway;
  if (a.priority !== undefined) spec.priority = a.priority;
  return spec;
}
