// rt.routes: list / iterate / get / add / replace / append / delete / flush. Requests come from
// the pure builders in ../requests/route.ts; replies are decoded with the route schema.

import { formatIp } from '../../netlink/address.js';
import type { AttributeWriter } from '../../netlink/attributes.js';
import type {
  BulkOptions,
  BulkRequest,
  BulkResult,
  MessageView,
  SequenceOptions,
} from '../../netlink/connection.js';
import { NetlinkEncodeError } from '../../netlink/errors.js';
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
  routeEncoder,
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
  /** The source prefix ('address/len') when the route has one (`ip route … from`), else undefined. */
  src?: string | undefined;
  attributes: RouteAttributes;
}

/** A route's device: an ifindex, or a name the client resolves. */
export type RouteSpecInput = RouteSpec<DevRef>;

/**
 * What `list()` and `iterate()` select. `family`, `table`, `protocol`, `type`, `dev` and
 * `cloned` go into the dump request and the kernel filters on them; `dst`, `gateway` and
 * `scope` are checked on each decoded route (the kernel cannot filter on them). No table means
 * every table.
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
/** 'n.' for each byte value: a dotted quad in three concatenations. */
const DEC_DOT = DEC.map((d) => `${d}.`);
/** '/n' for each prefix length. */
const SLASH = DEC.map((d) => `/${d}`);

function ipText(b: Buffer, o: number, n: number): string {
  if (n !== 4) return formatIp(b, o, n) as string;
  return DEC_DOT[b[o]!]! + DEC_DOT[b[o + 1]!]! + DEC_DOT[b[o + 2]!]! + DEC[b[o + 3]!]!;
}

/** A little-endian u32, read without Buffer's argument checks (the caller checked the bounds). */
function u32(b: Buffer, at: number): number {
  return (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16)) + b[at + 3]! * 0x1000000;
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

/** The code of a sequence of attribute types (each < 32), as fastAttributes computes it. */
function shapeCode(...types: number[]): number {
  let code = 0;
  for (const t of types) code = code * 32 + t;
  return code;
}
// The shapes the kernel gives most routes (IPv4, in fib_dump_info's order): RTA_TABLE, then
// RTA_DST, RTA_PRIORITY, RTA_PREFSRC, RTA_GATEWAY when present, then RTA_OIF.
const TABLE_DST_OIF = shapeCode(15, 1, 4);
const TABLE_DST_PREFSRC_OIF = shapeCode(15, 1, 7, 4);
const TABLE_DST_GATEWAY_OIF = shapeCode(15, 1, 5, 4);
const TABLE_GATEWAY_OIF = shapeCode(15, 5, 4);
const TABLE_DST_PRIORITY_OIF = shapeCode(15, 1, 6, 4);
const TABLE_DST_PRIORITY_GATEWAY_OIF = shapeCode(15, 1, 6, 5, 4);
const TABLE_PRIORITY_GATEWAY_OIF = shapeCode(15, 6, 5, 4);
const TABLE_DST = shapeCode(15, 1);
/** Attribute types in wire order, for the shapes built one key at a time. */
const ORDER = new Uint8Array(64);

/**
 * The attributes of a route in the common shapes (addresses, 32-bit ids, the cacheinfo), read
 * straight off the bytes: the same values, keys and key order the route schema decodes, without
 * its generic walk, so that decoding 100 000 routes stays cheap. The commonest shapes are made
 * by object literals (a fixed shape each). Returns undefined for anything else (metrics,
 * multipath, encap, via, an unknown attribute, odd flag bits or sizes); the caller then uses
 * the schema, which also reports malformed bytes with their path.
 */
function fastAttributes(b: Buffer, start: number, end: number): RouteAttributes | undefined {
  let dst: string | undefined;
  let src: string | undefined;
  let gateway: string | undefined;
  let prefsrc: string | undefined;
  let iif: number | undefined;
  let oif: number | undefined;
  let priority: number | undefined;
  let flow: number | undefined;
  let table: number | undefined;
  let mark: number | undefined;
  let expires: number | undefined;
  let uid: number | undefined;
  let nhId: number | undefined;
  let cacheinfo: RouteAttributes['cacheinfo'];
  let pref: RouteAttributes['pref'];
  let ttlPropagate: number | undefined;
  let ipProto: number | undefined;
  let sport: number | undefined;
  let dport: number | undefined;
  let code = 0;
  let count = 0;
  let off = start;
  while (off + 4 <= end) {
    const len = b[off]! | (b[off + 1]! << 8);
    const type = b[off + 2]! | (b[off + 3]! << 8);
    if (len < 4 || off + len > end || count === ORDER.length) return undefined;
    const at = off + 4;
    const n = len - 4;
    const want = type < 32 ? FAST_SIZE[type]! : 0;
    if (want === 0 || (want === IP ? n !== 4 && n !== 16 : n !== want)) return undefined;
    switch (type) {
      case 1:
        dst = ipText(b, at, n);
        break;
      case 2:
        src = ipText(b, at, n);
        break;
      case 5:
        gateway = ipText(b, at, n);
        break;
      case 7:
        prefsrc = ipText(b, at, n);
        break;
      case 3:
        iif = u32(b, at);
        break;
      case 4:
        oif = u32(b, at);
        break;
      case 6:
        priority = u32(b, at);
        break;
      case 11:
        flow = u32(b, at);
        break;
      case 15:
        table = u32(b, at);
        break;
      case 16:
        mark = u32(b, at);
        break;
      case 23:
        expires = u32(b, at);
        break;
      case 25:
        uid = u32(b, at);
        break;
      case 30:
        nhId = u32(b, at);
        break;
      case 12:
        cacheinfo = rtaCacheinfo.decode(b, at, n);
        break;
      case 20:
        pref = named(PREF_NAMES, b[at]!) as keyof typeof ROUTER_PREF | number;
        break;
      case 26:
        ttlPropagate = b[at]!;
        break;
      case 27:
        ipProto = b[at]!;
        break;
      case 28:
        sport = (b[at]! << 8) | b[at + 1]!;
        break;
      default: // 29
        dport = (b[at]! << 8) | b[at + 1]!;
    }
    ORDER[count++] = type;
    // Six types fit the code exactly; longer runs get a code no shape has.
    code = count <= 6 ? code * 32 + type : -1;
    off += (len + 3) & ~3;
  }
  if (off < end) return undefined;
  switch (code) {
    case TABLE_DST_OIF:
      return { table: table!, dst: dst!, oif: oif! };
    case TABLE_DST_PREFSRC_OIF:
      return { table: table!, dst: dst!, prefsrc: prefsrc!, oif: oif! };
    case TABLE_DST_GATEWAY_OIF:
      return { table: table!, dst: dst!, gateway: gateway!, oif: oif! };
    case TABLE_GATEWAY_OIF:
      return { table: table!, gateway: gateway!, oif: oif! };
    case TABLE_DST_PRIORITY_OIF:
      return { table: table!, dst: dst!, priority: priority!, oif: oif! };
    case TABLE_DST_PRIORITY_GATEWAY_OIF:
      return { table: table!, dst: dst!, priority: priority!, gateway: gateway!, oif: oif! };
    case TABLE_PRIORITY_GATEWAY_OIF:
      return { table: table!, priority: priority!, gateway: gateway!, oif: oif! };
    case TABLE_DST:
      return { table: table!, dst: dst! };
  }
  // Any other shape: keys added in wire order (a repeated attribute keeps its first place and
  // its last value, as the schema's decode does).
  const a: RouteAttributes = {};
  for (let i = 0; i < count; i++) {
    switch (ORDER[i]) {
      case 1:
        a.dst = dst!;
        break;
      case 2:
        a.src = src!;
        break;
      case 5:
        a.gateway = gateway!;
        break;
      case 7:
        a.prefsrc = prefsrc!;
        break;
      case 3:
        a.iif = iif!;
        break;
      case 4:
        a.oif = oif!;
        break;
      case 6:
        a.priority = priority!;
        break;
      case 11:
        a.flow = flow!;
        break;
      case 15:
        a.table = table!;
        break;
      case 16:
        a.mark = mark!;
        break;
      case 23:
        a.expires = expires!;
        break;
      case 25:
        a.uid = uid!;
        break;
      case 30:
        a.nhId = nhId!;
        break;
      case 12:
        a.cacheinfo = cacheinfo!;
        break;
      case 20:
        a.pref = pref!;
        break;
      case 26:
        a.ttlPropagate = ttlPropagate!;
        break;
      case 27:
        a.ipProto = ipProto!;
        break;
      case 28:
        a.sport = sport!;
        break;
      default: // 29
        a.dport = dport!;
    }
  }
  return a;
}

// struct rtmsg is 12 bytes; the attributes follow it.
const RTMSG_SIZE = 12;
const MAX_RETRIES = 5;

/** Turn an RTM_NEWROUTE message (or its payload) into a {@link Route}. */
export function decodeRoute(msg: NetlinkMessage | Uint8Array): Route {
  const payload = msg instanceof Uint8Array ? msg : msg.payload;
  const b = Buffer.isBuffer(payload)
    ? payload
    : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
  return routeAt(b, 0, b.length, false);
}

/**
 * The route whose rtmsg payload is `b[start, end)`. Common routes are read straight off the
 * bytes into strings and numbers; the rest goes through the route schema, from a copy when
 * `borrowed` (the bytes are the socket's and about to be overwritten, and the schema may keep
 * views of them). Every route has the same keys in the same order (`src` undefined when absent),
 * so the objects share one shape.
 */
function routeAt(b: Buffer, start: number, end: number, borrowed: boolean): Route {
  let attributes =
    end - start >= RTMSG_SIZE ? fastAttributes(b, start + RTMSG_SIZE, end) : undefined;
  if (attributes === undefined) {
    const own = borrowed ? Buffer.from(b.subarray(start, end)) : b.subarray(start, end);
    attributes = routeMessage.decode(own).attributes;
  }
  const family = b[start]!;
  const dstLen = b[start + 1]!;
  const srcLen = b[start + 2]!;
  const rawFlags = u32(b, start + 8);
  const dst = attributes.dst;
  const src = attributes.src;
  return {
    family,
    dstLen,
    srcLen,
    tos: b[start + 3]!,
    table: named(TABLE_NAMES, attributes.table ?? b[start + 4]!) as Route['table'],
    protocol: named(PROTO_NAMES, b[start + 5]!),
    scope: named(SCOPE_NAMES, b[start + 6]!),
    type: named(TYPE_NAMES, b[start + 7]!),
    flags: rawFlags === 0 ? NO_FLAGS : flagSetOf(ROUTE_FLAGS, rawFlags),
    dst:
      dst !== undefined
        ? dst + SLASH[dstLen]!
        : (prefixText(family, undefined, dstLen) ?? 'default'),
    src:
      src !== undefined
        ? src + SLASH[srcLen]!
        : srcLen === 0
          ? undefined
          : prefixText(family, undefined, srcLen),
    attributes,
  };
}

/** The RTM_NEWROUTE messages of a dump as routes, decoded in place; `match` filters. */
function routeDecoder(
  match: ((r: Route) => boolean) | undefined,
): (m: MessageView) => Route | undefined {
  if (match === undefined) {
    return (m) => (m.type === RTM_NEWROUTE ? routeAt(m.buffer, m.start, m.end, true) : undefined);
  }
  return (m) => {
    if (m.type !== RTM_NEWROUTE) return undefined;
    const route = routeAt(m.buffer, m.start, m.end, true);
    return match(route) ? route : undefined;
  };
}

const ROUTE_OPS: readonly RouteOp[] = [
  'add',
  'replace',
  'append',
  'prepend',
  'change',
  'test',
  'delete',
];

/** Options of {@link Routes.addMany} and {@link Routes.deleteMany}. */
export type RouteBulkOptions = Omit<BulkOptions, 'schema'>;

/**
 * An ordered stream of route changes (see {@link Routes.sequence}): each push is encoded at
 * once and sent while the next ones are made; nothing after the first refusal is sent.
 */
export interface RouteSequence {
  /**
   * Encode the change and queue it behind those pushed before; returns its index in the
   * result. Devices are ifindexes here (look names up first, e.g. with `rt.links.index`).
   *
   * @throws {NetlinkEncodeError} for an unknown op or a malformed spec (nothing is queued),
   *   and `BAD_VALUE` on `route.dev` for a device name.
   */
  push(op: RouteOp, spec: RouteSpec<number>): number;
  /** Changes pushed so far. */
  readonly count: number;
  /** True once the kernel refused one: later pushes will not be sent (see RequestSequence). */
  readonly stopped: boolean;
  /** No more changes: one outcome per push, by index (see RequestSequence.end). */
  end(): Promise<BulkResult>;
}

/** A bulk's `route.x` error, renamed `routes[i].x` so it says which spec it was. */
function atIndex(err: unknown, i: number): unknown {
  if (!(err instanceof NetlinkEncodeError) || !err.path.startsWith('route')) return err;
  const rest = err.path.slice('route'.length);
  const prefix = `${err.path}: `;
  const text = err.message.startsWith(prefix) ? err.message.slice(prefix.length) : err.message;
  return new NetlinkEncodeError(err.code, text, `routes[${i}]${rest}`);
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
   * Routes are decoded as the dump's datagrams arrive, straight into the result; the dump
   * starts again (up to 5 times) if the kernel says the table changed while it was walked.
   */
  async list(filter: RouteFilter = {}): Promise<Route[]> {
    const { plan, match } = await this.#dump(filter);
    return this.#rt.connection
      .dump(plan.type, (w) => plan.write(w), {
        flags: plan.flags,
        decode: routeDecoder(match),
        onInterrupted: 'retry',
        maxRetries: MAX_RETRIES,
      })
      .list();
  }

  /**
   * Stream the routes matching `filter`, decoded as their datagrams arrive: memory stays
   * bounded however large the table (the dump pauses while the consumer is behind).
   */
  iterate(filter: RouteFilter = {}): AsyncIterableIterator<Route> {
    // Once the filter is checked (and a device name resolved), every next() is the engine's
    // own: one promise per route, already settled when the route is buffered.
    let inner: AsyncIterator<Route> | undefined;
    let ready: Promise<void> | undefined;
    const DONE: IteratorResult<Route> = { done: true, value: undefined };
    const start = async (): Promise<void> => {
      const { plan, match } = await this.#dump(filter);
      inner = this.#rt.connection
        .dump(plan.type, (w) => plan.write(w), { flags: plan.flags, decode: routeDecoder(match) })
        [Symbol.asyncIterator]();
    };
    return {
      [Symbol.asyncIterator]() {
        return this;
      },
      next(): Promise<IteratorResult<Route>> {
        if (inner) return inner.next();
        ready ??= start();
        return ready.then(() => inner!.next());
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

  /** Add a route before existing ones of the same prefix (`ip route prepend`: NLM_F_CREATE). */
  prepend(spec: RouteSpecInput): Promise<void> {
    return this.#modify('prepend', spec);
  }

  /** Change an existing route (`ip route change`: NLM_F_REPLACE; ENOENT if there is none). */
  change(spec: RouteSpecInput): Promise<void> {
    return this.#modify('change', spec);
  }

  /**
   * Ask whether a route exists (`ip route test`: RTM_NEWROUTE with NLM_F_EXCL alone). Rejects
   * with EEXIST when it does. For a missing route IPv4 answers ENOENT and nothing changes,
   * but IPv6 adds the route (the kernel ignores the missing NLM_F_CREATE there).
   */
  test(spec: RouteSpecInput): Promise<void> {
    return this.#modify('test', spec);
  }

  /**
   * Delete a route: a spec naming it (`ip route del`: unset protocol, type and scope match any
   * route), or a {@link Route} from `list()` (deleted exactly: its table, type, protocol,
   * scope, device, gateway and metric). A cached IPv6 route from `list({ cloned: true })`
   * keeps RTM_F_CLONED (`cloned: true`), so only that exception goes, not the route it was
   * cloned from (what `ip -6 route flush cache` does); a cached IPv4 route is refused
   * (BAD_VALUE `route.cloned`): the kernel drops those only all at once, through
   * net.ipv4.route.flush.
   */
  delete(route: RouteSpecInput | Route): Promise<void> {
    return this.#modify('delete', isRoute(route) ? specOf(route) : route);
  }

  /**
   * Add many routes at once (`ip -batch` of `ip route add`; NLM_F_CREATE | NLM_F_EXCL each).
   * Every spec is checked before anything is sent (a NetlinkEncodeError naming the spec,
   * `routes[3].gateway`), each device name is resolved once however many specs use it, and
   * the requests go out through the engine's bulk path ({@link Connection.requestMany}): framed
   * together, a window's worth in flight, acks matched by sequence range. Resolves once with
   * the outcome of every spec by index: `errors[i]` is undefined when `specs[i]` was added,
   * else the kernel's refusal (a NetlinkError with its extended-ack text, e.g. EEXIST).
   */
  addMany(specs: readonly RouteSpecInput[], options: RouteBulkOptions = {}): Promise<BulkResult> {
    return this.#many('add', specs, options);
  }

  /**
   * Delete many routes at once: specs naming them or {@link Route}s from `list()`, as
   * {@link Routes.delete} takes them, through the bulk path (see {@link Routes.addMany}).
   */
  deleteMany(
    routes: readonly (RouteSpecInput | Route)[],
    options: RouteBulkOptions = {},
  ): Promise<BulkResult> {
    const specs = Array.isArray(routes)
      ? routes.map((r) => (isRoute(r) ? specOf(r) : r))
      : (routes as RouteSpecInput[]);
    return this.#many('delete', specs, options);
  }

  /**
   * {@link Routes.addMany} for any change: `op` is `add`, `replace`, `append`, `prepend`,
   * `change`, `test` or `delete`, with the flags {@link Routes.add} and its siblings use. With
   * `{ stopOnError: true }` the requests go out one at a time and nothing after the first
   * refusal is sent (see {@link BulkOptions.stopOnError}): a script of dependent changes.
   */
  applyMany(
    op: RouteOp,
    specs: readonly RouteSpecInput[],
    options: RouteBulkOptions = {},
  ): Promise<BulkResult> {
    if (!ROUTE_OPS.includes(op)) {
      return Promise.reject(
        new NetlinkEncodeError('BAD_VALUE', `unknown op ${JSON.stringify(op)}`, 'op'),
      );
    }
    return this.#many(op, specs, options);
  }

  /**
   * An ordered stream of changes for a script that is applied as it is read (what
   * `rtnl -batch` does with runs of route lines): push changes of any op one by one; the
   * kernel works on the first while the next are encoded, one request at a time, and nothing
   * after the first refusal is sent. The connection sends nothing else until the sequence has
   * ended. See {@link Connection.sequence}.
   *
   * ```ts
   * const seq = rt.routes.sequence();
   * for (const line of lines) {
   *   seq.push('add', { dst: line, dev: index });
   *   if (seq.stopped) break;
   * }
   * const { errors } = await seq.end();
   * ```
   */
  sequence(options: Omit<SequenceOptions, 'schema'> = {}): RouteSequence {
    const seq = this.#rt.connection.sequence({ ...options, schema: routeMessage });
    const encode = routeEncoder();
    return {
      push(op, spec) {
        if (!ROUTE_OPS.includes(op)) {
          throw new NetlinkEncodeError('BAD_VALUE', `unknown op ${JSON.stringify(op)}`, 'op');
        }
        if (hasNames(spec)) {
          throw new NetlinkEncodeError(
            'BAD_VALUE',
            'a sequence takes ifindexes: look device names up first',
            'route.dev',
          );
        }
        return seq.push(encode(op, spec));
      },
      get count() {
        return seq.count;
      },
      get stopped() {
        return seq.stopped;
      },
      end: () => seq.end(),
    };
  }

  #many(
    op: RouteOp,
    specs: readonly RouteSpecInput[],
    options: RouteBulkOptions,
  ): Promise<BulkResult> {
    if (!Array.isArray(specs)) {
      return Promise.reject(
        new NetlinkEncodeError('BAD_VALUE', 'expected an array of routes', 'routes'),
      );
    }
    // Without names to look up the requests are framed and handed to the engine in this very
    // call, so the kernel starts on them before the caller's next line (a batch parses its next
    // run meanwhile).
    if (!specs.some(hasNames)) return this.#sendMany(op, specs, undefined, options);
    return this.#resolveNames(op, specs).then((names) => this.#sendMany(op, specs, names, options));
  }

  #sendMany(
    op: RouteOp,
    specs: readonly RouteSpecInput[],
    names: Map<string, number> | undefined,
    options: RouteBulkOptions,
  ): Promise<BulkResult> {
    // Each request is built as the engine frames it and dropped right after: 10 000 plans
    // never sit in memory at once. A bad spec still stops everything before anything is sent.
    function* requests(): Generator<BulkRequest> {
      const request: { type: number; flags: number; payload: (w: AttributeWriter) => void } = {
        type: 0,
        flags: 0,
        payload: () => {},
      };
      for (let i = 0; i < specs.length; i++) {
        let plan: RequestPlan;
        try {
          const spec = specs[i]!;
          plan =
            names !== undefined && hasNames(spec)
              ? buildRouteRequest(
                  op,
                  withDevs(spec, (dev) => names.get(dev)!),
                )
              : buildRouteRequest(op, spec as RouteSpec<number>);
        } catch (err) {
          throw atIndex(err, i);
        }
        request.type = plan.type;
        request.flags = plan.flags;
        request.payload = (w) => plan.write(w);
        yield request;
      }
    }
    return this.#rt.connection.requestMany(requests(), { ...options, schema: routeMessage });
  }

  /**
   * The ifindex of every device name the specs use, each looked up once; undefined when they
   * use none. Every spec is checked before the first lookup leaves, so a bad one is refused
   * with nothing sent at all.
   */
  async #resolveNames(
    op: RouteOp,
    specs: readonly RouteSpecInput[],
  ): Promise<Map<string, number> | undefined> {
    if (!specs.some(hasNames)) return undefined;
    const names = new Map<string, number>();
    for (let i = 0; i < specs.length; i++) {
      const spec = specs[i]!;
      try {
        if (!hasNames(spec)) {
          buildRouteRequest(op, spec as RouteSpec<number>);
          continue;
        }
        // Checked with the names standing in as 0; built for real once they are resolved.
        buildRouteRequest(
          op,
          withDevs(spec, () => 0),
        );
        if (typeof spec.dev === 'string') {
          names.set(checkDevRef(spec.dev, 'route.dev') as string, 0);
        }
        spec.nexthops?.forEach((h, j) => {
          if (typeof h.dev === 'string') {
            names.set(checkDevRef(h.dev, `route.nexthops[${j}].dev`) as string, 0);
          }
        });
      } catch (err) {
        throw atIndex(err, i);
      }
    }
    const list = [...names.keys()];
    const indexes = await Promise.all(list.map((n) => this.#rt.links.index(n)));
    for (let k = 0; k < list.length; k++) names.set(list[k]!, indexes[k]!);
    return names;
  }

  /**
   * Delete every route matching `filter` (`ip route flush`); the table defaults to main, as in
   * `ip route flush`. Resolves with the routes deleted; rejects with the first refusal (the
   * other deletes still happen), through the bulk path.
   */
  async flush(filter: RouteFilter = {}): Promise<Route[]> {
    const routes = await this.list({ table: 'main', ...filter });
    const result = await this.deleteMany(routes);
    const refused = result.errors.find((e) => e !== undefined);
    if (refused) throw refused;
    return routes;
  }

  #modify(op: RouteOp, spec: RouteSpecInput): Promise<void> {
    if (hasNames(spec)) return this.#plan(op, spec).then((plan) => this.#send(plan).then(toVoid));
    // No name to resolve: build and send in this tick, without an async frame per route
    // (10 000 of them may be waiting at once).
    let plan: RequestPlan;
    try {
      plan = buildRouteRequest(op, spec as RouteSpec<number>);
    } catch (err) {
      return Promise.reject(err);
    }
    return this.#send(plan).then(toVoid);
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

  async #dump(
    filter: RouteFilter,
  ): Promise<{ plan: RequestPlan; match: ((r: Route) => boolean) | undefined }> {
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
    if (wantDst === undefined && wantGw === undefined && wantScope === undefined) {
      return { plan, match: undefined };
    }
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

function toVoid(): void {}

/** Whether a spec names a device (its own or a hop's) that must be resolved first. */
function hasNames(spec: RouteSpecInput): boolean {
  return (
    typeof spec === 'object' &&
    spec !== null &&
    (typeof spec.dev === 'string' ||
      (Array.isArray(spec.nexthops) && spec.nexthops.some((h) => typeof h?.dev === 'string')))
  );
}

/** The spec with every device name replaced by `index(name)`. */
function withDevs(spec: RouteSpecInput, index: (name: string) => number): RouteSpec<number> {
  const out: RouteSpec<number> = {
    ...spec,
    dev: typeof spec.dev === 'string' ? index(spec.dev) : spec.dev,
    nexthops: spec.nexthops?.map((h) => ({
      ...h,
      dev: typeof h.dev === 'string' ? index(h.dev) : h.dev,
    })),
  };
  if (out.dev === undefined) delete out.dev;
  if (out.nexthops === undefined) delete out.nexthops;
  return out;
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
  // A cached route names itself with RTM_F_CLONED: without it the kernel would delete the
  // route of the FIB it was cloned from.
  if (r.flags.raw & RTM_F.cloned) spec.cloned = true;
  return spec;
}
