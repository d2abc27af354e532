// `rtnl route`: list / show / get / add / del / change / replace / prepend / append / flush, with
// ip's grammar (iproute2 6.1 ip/iproute.c) and ip's output, text and -j, key for key.
//
// This module also holds what `rule` and `neighbour` share with it: iproute2's name databases
// (rt_tables, rt_protos, rt_scopes, rt_realms, rt_dsfield, group, /etc/protocols). The
// ifindex ↔ name cache (ip's ll_map) is ../devices.ts.
import {
  closeSync,
  constants as fsConstants,
  openSync,
  readdirSync,
  readFileSync,
  writeSync,
} from 'node:fs';
import {
  AF_INET,
  AF_INET6,
  type EncapSpec,
  errnoText,
  ipv4PrefixInto,
  metricsAttributes,
  NetlinkError,
  netns,
  parseIpv4,
  parseIpv6,
  type Route,
  type RouteSpecInput,
  RT_SCOPE,
  RT_TABLE,
  RTM_F,
  RTN,
  RTPROT,
  type RtaCacheinfo,
  type RtNetlink,
} from '../../index.js';
import {
  Args,
  getPrefix1,
  getU8,
  getU32,
  getU64,
  type InetPrefix,
  matches,
  parseAddr,
  parsePrefix,
  parseU32,
  readFamily,
} from '../args.js';
import type { CliContext, CliFamily, GlobalOptions, PlannedWrite } from '../context.js';
import { cachedDevIndex, devIndex, devName, isNoDevice } from '../devices.js';
import {
  CliError,
  CliUsageError,
  duparg2,
  formatNetlinkError,
  invarg,
  nodev,
  unknownCommand,
} from '../errors.js';
import type { ColorKind, Output } from '../output.js';

/** The usage of `rtnl route` (printed for `rtnl route help`, exit status 255). */
export const help = `Usage: rtnl route [ list | show ] [ SELECTOR ]
       rtnl route flush SELECTOR
       rtnl route save SELECTOR > FILE
       rtnl route { restore | showdump } < FILE
       rtnl route get [ fibmatch | notify ] ADDRESS [ from ADDRESS ] [ iif DEV ] [ oif DEV ]
                      [ tos TOS ] [ mark NUMBER ] [ uid NUMBER ] [ ipproto PROTOCOL ]
                      [ sport NUMBER ] [ dport NUMBER ] [ vrf NAME ] [ connected ]
       rtnl route { add | del | change | append | replace | prepend | test } ROUTE
SELECTOR := [ root PREFIX ] [ match PREFIX ] [ exact PREFIX ] [ table TABLE_ID ]
            [ vrf NAME ] [ cache | cloned ]
            [ proto RTPROTO ] [ type TYPE ] [ scope SCOPE ] [ dev DEV ] [ iif DEV ]
            [ via ADDRESS ] [ src ADDRESS ] [ from SELECTOR ] [ metric NUMBER ]
            [ tos TOS ] [ mark NUMBER ] [ realms REALMS ]
ROUTE := [ TYPE ] PREFIX [ from PREFIX ] [ tos TOS ] [ table TABLE_ID ] [ proto RTPROTO ]
         [ scope SCOPE ] [ metric METRIC ] [ ttl-propagate { enabled | disabled } ]
         { NH | nhid ID } OPTIONS [ nexthop NH ]...
NH := [ via [ FAMILY ] ADDRESS ] [ dev DEV ] [ weight NUMBER ] [ onlink ] [ realms REALMS ]
OPTIONS := [ src ADDRESS ] [ realms REALMS ] [ onlink ] [ pref { low | medium | high } ]
           [ encap ENCAP ]
           [ expires SECONDS ] [ mtu [ lock ] NUMBER ] [ advmss [ lock ] NUMBER ]
           [ rtt [ lock ] TIME ] [ rttvar [ lock ] TIME ] [ rto_min TIME ]
           [ reordering [ lock ] NUMBER ] [ window [ lock ] NUMBER ] [ cwnd [ lock ] NUMBER ]
           [ initcwnd [ lock ] NUMBER ] [ initrwnd [ lock ] NUMBER ] [ ssthresh [ lock ] NUMBER ]
           [ hoplimit [ lock ] NUMBER ] [ features ecn ] [ quickack { 0 | 1 } ]
           [ congctl [ lock ] NAME ] [ fastopen_no_cookie { 0 | 1 } ]
TYPE := { unicast | local | broadcast | multicast | throw | unreachable | prohibit |
          blackhole | nat }
TABLE_ID := { local | main | default | all | NUMBER }
SCOPE := { host | link | global | NUMBER }
RTPROTO := { kernel | boot | static | NUMBER }
TIME := NUMBER[s|ms]
FAMILY := { inet | inet6 }
ENCAP := { mpls LABEL[/LABEL...] [ ttl TTL ] |
           ip [ id ID ] [ dst ADDRESS ] [ src ADDRESS ] [ tos TOS ] [ ttl TTL ] [ key ] [ csum ] [ seq ] |
           ip6 [ id ID ] [ dst ADDRESS ] [ src ADDRESS ] [ tc TC ] [ hoplimit HOPS ] [ key ] [ csum ] [ seq ] |
           seg6 mode { inline | encap | l2encap | encap.red | l2encap.red } segs ADDRESS[,ADDRESS...] }
`;

// ---------------------------------------------------------------------------------------------
// Shared: iproute2's name databases (lib/rt_names.c). Built-in names first, then the files under
// /etc/iproute2 (read once, on first use), later definitions of an id replacing earlier ones.

const CONFDIR = '/etc/iproute2';

function readIdNames(file: string, out: [number, string][]): void {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return;
  }
  for (const raw of text.split('\n')) {
    const line = raw.replace(/^[ \t]+/, '');
    if (line === '' || line.startsWith('#')) continue;
    const m = /^(0x[0-9a-fA-F]+|-?\d+)\s+(\S+)/.exec(line);
    if (!m) return; // ip stops at a corrupted line ("Database … is corrupted")
    const id = m[1]!.startsWith('0x') ? Number.parseInt(m[1]!, 16) : Number.parseInt(m[1]!, 10);
    if (id >= 0) out.push([id, m[2]!]);
  }
}

/** The `*.conf` files of a `.d` directory, as rt_names.c reads them (none when it is missing). */
export function confFiles(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((f) => !f.startsWith('.') && f.length > 5 && f.endsWith('.conf'))
      .map((f) => `${dir}/${f}`);
  } catch {
    return [];
  }
}

/** One of iproute2's id ↔ name databases. */
export class NameDb {
  readonly #builtin: readonly [number, string][];
  readonly #files: () => string[];
  readonly #max: number;
  readonly #parse: (word: string) => number | undefined;
  #byId: Map<number, string> | undefined;
  #entries: [number, string][] | undefined;

  constructor(
    builtin: readonly [number, string][],
    files: () => string[],
    max: number,
    parse: (word: string) => number | undefined,
  ) {
    this.#builtin = builtin;
    this.#files = files;
    this.#max = max;
    this.#parse = parse;
  }

  #load(): [number, string][] {
    if (this.#entries) return this.#entries;
    const all: [number, string][] = [...this.#builtin];
    for (const f of this.#files()) readIdNames(f, all);
    this.#entries = all.filter(([id]) => id <= this.#max);
    this.#byId = new Map(this.#entries);
    return this.#entries;
  }

  /** The name of `id`, or undefined (ip then prints the number). */
  name(id: number): string | undefined {
    this.#load();
    return this.#byId!.get(id);
  }

  /** ip's *_n2a: the name, or the number as text; always the number with -N. */
  text(id: number, numeric: boolean): string {
    if (numeric) return String(id);
    return this.name(id) ?? String(id);
  }

  /** ip's *_a2n: a name, else a number in range; undefined when neither. */
  id(word: string): number | undefined {
    // The lowest id (modulo 256, as ip's hash buckets) wins when a name appears twice.
    let best: number | undefined;
    for (const [id, name] of this.#load()) {
      if (name === word && (best === undefined || (id & 255) < (best & 255))) best = id;
    }
    return best ?? this.#parse(word);
  }
}

const parseByte0 = (w: string): number | undefined => {
  const v = getU32(w);
  return v !== undefined && v <= 255 ? v : undefined;
};

/** Routing tables (rt_tables, rt_tables.d/*.conf); ids are 32-bit. */
export const TABLES = new NameDb(
  [
    [253, 'default'],
    [254, 'main'],
    [255, 'local'],
  ],
  () => [`${CONFDIR}/rt_tables`, ...confFiles(`${CONFDIR}/rt_tables.d`)],
  0xffffffff,
  (w) => getU32(w),
);

/** Route origins (rt_protos, rt_protos.d/*.conf). */
export const PROTOS = new NameDb(
  [
    [0, 'unspec'],
    [1, 'redirect'],
    [2, 'kernel'],
    [3, 'boot'],
    [4, 'static'],
    [8, 'gated'],
    [9, 'ra'],
    [10, 'mrt'],
    [11, 'zebra'],
    [12, 'bird'],
    [13, 'dnrouted'],
    [14, 'xorp'],
    [15, 'ntk'],
    [16, 'dhcp'],
    [18, 'keepalived'],
    [42, 'babel'],
    [99, 'openr'],
    [186, 'bgp'],
    [187, 'isis'],
    [188, 'ospf'],
    [189, 'rip'],
    [192, 'eigrp'],
  ],
  () => [`${CONFDIR}/rt_protos`, ...confFiles(`${CONFDIR}/rt_protos.d`)],
  255,
  parseByte0,
);

/** Scopes (rt_scopes). */
export const SCOPES = new NameDb(
  [
    [0, 'global'],
    [255, 'nowhere'],
    [254, 'host'],
    [253, 'link'],
    [200, 'site'],
  ],
  () => [`${CONFDIR}/rt_scopes`],
  255,
  parseByte0,
);

/** Realms (rt_realms). */
export const REALMS = new NameDb([[0, 'cosmos']], () => [`${CONFDIR}/rt_realms`], 255, parseByte0);

/** DSCP / TOS names (rt_dsfield); numbers are read in hex, as ip does. */
export const DSFIELDS = new NameDb(
  [],
  () => [`${CONFDIR}/rt_dsfield`],
  255,
  (w) => {
    const t = w.replace(/^[ \t]*\+?/, '').replace(/^0[xX]/, '');
    if (!/^[0-9a-fA-F]+$/.test(t)) return undefined;
    const v = Number.parseInt(t, 16);
    return v <= 255 ? v : undefined;
  },
);

/** Device groups (group). */
export const GROUPS = new NameDb(
  [[0, 'default']],
  () => [`${CONFDIR}/group`],
  0x7fffffff,
  (w) => {
    const m = /^[ \t]*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/.exec(w);
    if (!m || m[1] === '-') return undefined;
    const v = Number(m[2]!.startsWith('0') && !/^0[xX]/.test(m[2]!) ? `0o${m[2]!}` : m[2]);
    return Number.isSafeInteger(v) && v <= 0x7fffffff ? v : undefined;
  },
);

/** ip's rtnl_dsfield_n2a: a name, else `0x%02x`. */
export function dsfieldText(tos: number, numeric: boolean): string {
  const name = numeric ? undefined : DSFIELDS.name(tos);
  return name ?? `0x${tos.toString(16).padStart(2, '0')}`;
}

/** ip's rtnl_rtntype_n2a. */
export function rtnTypeText(type: number, numeric: boolean): string {
  if (numeric) return String(type);
  return RTN_NAMES[type] ?? String(type);
}
const RTN_NAMES = [
  'none',
  'unicast',
  'local',
  'broadcast',
  'anycast',
  'multicast',
  'blackhole',
  'unreachable',
  'prohibit',
  'throw',
  'nat',
  'xresolve',
];

/** ip's rtnl_rtntype_a2n: a route type by name (prefixes for most), or a number ≤ 255. */
export function rtnTypeId(arg: string): number | undefined {
  if (arg === 'local') return 2;
  if (arg === 'nat') return 10;
  if (matches(arg, 'broadcast') || arg === 'brd') return 3;
  if (matches(arg, 'anycast')) return 4;
  if (matches(arg, 'multicast')) return 5;
  if (matches(arg, 'prohibit')) return 8;
  if (matches(arg, 'unreachable')) return 7;
  if (matches(arg, 'blackhole')) return 6;
  if (matches(arg, 'xresolve')) return 11;
  if (matches(arg, 'unicast')) return 1;
  if (arg === 'throw') return 9;
  return parseByte0(arg);
}

interface Proto {
  name: string;
  num: number;
  aliases: string[];
}
let protocols: Proto[] | undefined;
function ipProtocols(): Proto[] {
  if (protocols) return protocols;
  protocols = [];
  let text = '';
  try {
    text = readFileSync('/etc/protocols', 'utf8');
  } catch {
    return protocols;
  }
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    if (!line) continue;
    const [name, num, ...aliases] = line.split(/\s+/);
    if (name && num && /^\d+$/.test(num)) protocols.push({ name, num: Number(num), aliases });
  }
  return protocols;
}

/** ip's inet_proto_a2n: a decimal number ≤ 255, or a name from /etc/protocols. */
export function ipProtoId(arg: string): number | undefined {
  const v = getU8(arg, 10);
  if (v !== undefined) return v;
  return ipProtocols().find((p) => p.name === arg || p.aliases.includes(arg))?.num;
}

/** ip's inet_proto_n2a: the name from /etc/protocols, else `ipproto-N`. */
export function ipProtoText(num: number, numeric: boolean): string {
  const p = numeric ? undefined : ipProtocols().find((x) => x.num === num);
  return p ? p.name : `ipproto-${num}`;
}

/** ip's get_rt_realms_or_raw: `[FROM/]TO` by realm names or numbers, else one raw u32. */
export function parseRealms(arg: string): number | undefined {
  const slash = arg.indexOf('/');
  let realms = 0;
  let rest = arg;
  let ok = true;
  if (slash >= 0) {
    const from = REALMS.id(arg.slice(0, slash));
    if (from === undefined) ok = false;
    else {
      realms = (from << 16) >>> 0;
      rest = arg.slice(slash + 1);
    }
  }
  if (ok && rest !== '') {
    const to = REALMS.id(rest);
    if (to === undefined) ok = false;
    else realms = (realms | to) >>> 0;
  }
  return ok ? realms : getU32(arg);
}

/** USER_HZ, by which the kernel's clock_t values are divided (ip's get_user_hz). */
export function userHz(): number {
  const hz = Number.parseInt(process.env.HZ ?? '', 10);
  return Number.isFinite(hz) && hz > 0 ? hz : 100;
}

// ---------------------------------------------------------------------------------------------
// Shared: ip's ll_map (ifindex ↔ name), see ../devices.ts.

/** devIndex, or ip's `Cannot find device "NAME"` (exit status 1). */
export async function requireDev(rt: RtNetlink, name: string): Promise<number> {
  const index = await devIndex(rt, name);
  if (!index) throw nodev(name);
  return index;
}

// ---------------------------------------------------------------------------------------------
// Shared: small conversions.

/** AF_* number of a CLI family (ip's preferred_family); 0 when none. */
export function familyNumber(f: CliFamily | undefined): number {
  switch (f) {
    case 'inet':
      return 2;
    case 'inet6':
      return 10;
    case 'link':
      return 17;
    case 'bridge':
      return 7;
    case 'mpls':
      return 28;
    default:
      return 0;
  }
}

/** ip's family_name. */
export function familyName(af: number): string {
  switch (af) {
    case 0:
      return 'unspec';
    case 1:
      return 'unix';
    case 2:
      return 'inet';
    case 10:
      return 'inet6';
    case 4:
      return 'ipx';
    case 12:
      return 'dnet';
    case 17:
      return 'link';
    case 7:
      return 'bridge';
    case 28:
      return 'mpls';
    default:
      return '???';
  }
}

/** The colour ip gives an address of family `af` (ifa_family_color). */
export function familyColor(af: number): ColorKind | undefined {
  return af === 2 ? 'inet' : af === 10 ? 'inet6' : undefined;
}

/** A number for a name of one of the client's enum maps (numbers pass through). */
export function enumNumber(map: Readonly<Record<string, number>>, v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && Object.hasOwn(map, v)) return map[v]!;
  return Number(v) || 0;
}

/** A prefix as ip's inet_prefix: family (0 = unspecified), bit length, 16 bytes of address. */
export interface Prefix {
  family: number;
  bitlen: number;
  bytes: Uint8Array;
  specified: boolean;
}

/** Turn a parsed CLI prefix into a {@link Prefix}; `family` is what ip passed get_prefix. */
export function toPrefix(p: InetPrefix, family: number): Prefix {
  const bytes = new Uint8Array(16);
  if (!p.any) {
    const b = p.family === 'inet6' ? parseIpv6(p.address) : parseIpv4(p.address);
    if (b) bytes.set(b);
  }
  return {
    family: p.any ? family : familyNumber(p.family),
    bitlen: p.any && !p.prefixSpecified ? 0 : p.prefixlen,
    bytes,
    specified: p.prefixSpecified,
  };
}

/** Address text → 16 zero-padded bytes (zeros when absent or not an address). */
export function addrBytes(text: string | undefined): Uint8Array {
  const out = new Uint8Array(16);
  if (text === undefined) return out;
  const b = text.includes(':') ? parseIpv6(text) : parseIpv4(text);
  if (b) out.set(b);
  return out;
}

/** ip's inet_addr_match: the first `bits` bits of a and b are equal. */
export function addrMatch(a: Uint8Array, b: Uint8Array, bits: number): boolean {
  const whole = bits >> 3;
  for (let i = 0; i < whole; i++) if (a[i] !== b[i]) return false;
  const rest = bits & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return ((a[whole]! ^ b[whole]!) & mask) === 0;
}

/** Does this error come from the kernel with errno `code`? */
export function isErrno(err: unknown, code: string): boolean {
  return err instanceof NetlinkError && err.code === code;
}

/**
 * Run `fn` over `items` with at most 64 requests pending at a time (the engine's window):
 * handing the engine 10 000 requests at once costs several times more than feeding it.
 */
export async function inChunks<T>(
  items: readonly T[],
  fn: (item: T) => Promise<void>,
): Promise<void> {
  const CHUNK = 64;
  for (let i = 0; i < items.length; i += CHUNK) {
    await Promise.all(items.slice(i, i + CHUNK).map(fn));
  }
}

/** A feature of ip the library under rtnl does not offer (yet). */
function unsupported(what: string): CliError {
  return new CliError(`rtnl: ${what} is not supported`, 255);
}

// ---------------------------------------------------------------------------------------------
// ip route list / show / flush: the filter (ip's `filter` struct) and its test (filter_nlmsg).

const RT_TABLE_MAIN = 254;
const RTN_UNICAST = 1;
const RTN_MULTICAST = 5;
const RTN_UNREACHABLE = 7;
const RTPROT_BOOT = 3;

export interface RouteFilter {
  tb: number;
  /** 0: no clones, 1: only clones (`cache`), 2: either (route get). */
  cloned: number;
  protocol: number;
  protocolmask: number;
  scope: number;
  scopemask: number;
  typemask: bigint;
  tos: number;
  tosmask: number;
  iif: number;
  iifmask: number;
  oif: number;
  oifmask: number;
  mark: number;
  markmask: number;
  realm: number;
  realmmask: number;
  metric: number;
  metricmask: number;
  rprefsrc?: Prefix;
  rvia?: Prefix;
  rdst?: Prefix;
  mdst?: Prefix;
  rsrc?: Prefix;
  msrc?: Prefix;
  /** Flushing: skip the IPv6 null entry, as ip's filter_nlmsg does when flushb is set. */
  flush: boolean;
}

/**
 * A `protocol` / `scope` selector as ip's route filter takes it: a name or number matched
 * exactly (mask -1), or `all`, which matches anything (value `allValue`, mask 0).
 */
function maskedId(
  db: NameDb,
  v: string,
  allValue: number,
  what: string,
): [value: number, mask: number] {
  const n = db.id(v);
  if (n !== undefined) return [n, -1];
  if (v !== 'all') throw invarg(`invalid "${what}"\n`, v);
  return [allValue, 0];
}

export function emptyFilter(): RouteFilter {
  return {
    tb: 0,
    cloned: 0,
    protocol: 0,
    protocolmask: 0,
    scope: 0,
    scopemask: 0,
    typemask: 0n,
    tos: 0,
    tosmask: 0,
    iif: 0,
    iifmask: 0,
    oif: 0,
    oifmask: 0,
    mark: 0,
    markmask: 0,
    realm: 0,
    realmmask: 0,
    metric: 0,
    metricmask: 0,
    flush: false,
  };
}

/** The numbers behind a decoded route (the client names reserved values). */
export interface RouteNums {
  table: number;
  protocol: number;
  scope: number;
  type: number;
  flags: number;
  hostLen: number;
}

export function nums(r: Route): RouteNums {
  return {
    table: enumNumber(RT_TABLE, r.table),
    protocol: enumNumber(RTPROT, r.protocol),
    scope: enumNumber(RT_SCOPE, r.scope),
    type: enumNumber(RTN, r.type),
    flags: r.flags.raw,
    hostLen: r.family === 10 ? 128 : r.family === 2 ? 32 : 0,
  };
}

function prefixFails(
  p: Prefix | undefined,
  routeFamily: number,
  len: number,
  addr: () => Uint8Array,
  match: boolean,
): boolean {
  if (!p || (!p.family && !p.specified)) return false;
  if (p.family && p.family !== routeFamily) return true;
  if (match) {
    if (p.bitlen >= 0 && p.bitlen < len) return true;
    return !addrMatch(addr(), p.bytes, len);
  }
  if (p.bitlen > len) return true;
  return !addrMatch(addr(), p.bytes, p.bitlen);
}

/** ip's filter_nlmsg for routes. */
export function routeMatches(f: RouteFilter, r: Route, n: RouteNums, family: number): boolean {
  const a = r.attributes;
  if (family && r.family !== family) return false;
  if (f.cloned === Number(!(n.flags & RTM_F.cloned))) return false;
  if (f.tb > 0 && f.tb !== n.table) return false;
  if ((f.protocol ^ n.protocol) & f.protocolmask) return false;
  if ((f.scope ^ n.scope) & f.scopemask) return false;
  if (f.typemask && !(f.typemask & (1n << BigInt(n.type)))) return false;
  if ((f.tos ^ r.tos) & f.tosmask) return false;
  const dst = () => addrBytes(a.dst);
  if (prefixFails(f.rdst, r.family, r.dstLen, dst, false)) return false;
  if (prefixFails(f.mdst, r.family, r.dstLen, dst, true)) return false;
  const src = () => addrBytes(a.src);
  if (prefixFails(f.rsrc, r.family, r.srcLen, src, false)) return false;
  if (f.msrc && (f.msrc.family || f.msrc.specified)) {
    if (f.msrc.family && f.msrc.family !== r.family) return false;
    if (f.msrc.bitlen >= 0 && f.msrc.bitlen < r.srcLen) return false;
    if (f.msrc.bitlen >= 0 && !addrMatch(src(), f.msrc.bytes, r.srcLen)) return false;
  }
  if (f.rvia?.family) {
    const viaFamily = a.via ? viaAf(a.via.family) : r.family;
    if (viaFamily !== f.rvia.family) return false;
    const via =
      f.rvia.bitlen > 0 ? addrBytes(a.via ? a.via.address : a.gateway) : new Uint8Array(16);
    if (!addrMatch(via, f.rvia.bytes, f.rvia.bitlen)) return false;
  }
  if (f.rprefsrc?.family) {
    if (r.family !== f.rprefsrc.family) return false;
    const ps = f.rprefsrc.bitlen > 0 ? addrBytes(a.prefsrc) : new Uint8Array(16);
    if (!addrMatch(ps, f.rprefsrc.bytes, f.rprefsrc.bitlen)) return false;
  }
  if (f.realmmask && (((a.flow ?? 0) ^ f.realm) & f.realmmask) >>> 0 !== 0) return false;
  if (f.iifmask && ((a.iif ?? 0) ^ f.iif) & f.iifmask) return false;
  if (f.oifmask && ((a.oif ?? 0) ^ f.oif) & f.oifmask) return false;
  if (f.markmask && ((a.mark ?? 0) ^ f.mark) & f.markmask) return false;
  if (f.metricmask && ((a.priority ?? 0) ^ f.metric) & f.metricmask) return false;
  if (
    f.flush &&
    r.family === 10 &&
    r.dstLen === 0 &&
    n.type === RTN_UNREACHABLE &&
    a.priority === 0xffffffff
  ) {
    return false;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// print_route: one route, text or JSON, as ip prints it.

/** What the printer needs besides the route: the options and the active filter. */
export interface PrintContext {
  rt: RtNetlink;
  out: Output;
  details: number;
  stats: number;
  numeric: boolean;
  filter: RouteFilter;
}

/** The PrintContext of a command: the options' -d, -s and -N, printing to `out`. */
export function printContext(
  rt: RtNetlink,
  out: Output,
  opts: GlobalOptions,
  filter: RouteFilter,
): PrintContext {
  return { rt, out, details: opts.details, stats: opts.stats, numeric: opts.numeric, filter };
}

// print_rt_flags: rtm_flags / rtnh_flags names, in ip's order.
const RT_FLAG_NAMES: readonly [number, string][] = [
  [0x1, 'dead'],
  [0x4, 'onlink'],
  [0x2, 'pervasive'],
  [0x8, 'offload'],
  [0x40, 'trap'],
  [0x100, 'notify'],
  [0x10, 'linkdown'],
  [0x20, 'unresolved'],
  [0x4000, 'rt_offload'],
  [0x8000, 'rt_trap'],
  [0x20000000, 'rt_offload_failed'],
];

function printRtFlags(out: Output, flags: number): void {
  if (out.jsonContext) out.openArray('flags');
  for (const [bit, name] of RT_FLAG_NAMES) if (flags & bit) out.any(undefined, name, `${name} `);
  if (out.jsonContext) out.closeArray();
}

// print_cache_flags: the RTCF_* bits above 0xffff of a cloned IPv4 route.
const RTCF_NAMES: readonly [number, string][] = [
  [0x80000000, 'local'],
  [0x40000000, 'reject'],
  [0x20000000, 'mc'],
  [0x10000000, 'brd'],
  [0x08000000, 'dst-nat'],
  [0x00800000, 'src-nat'],
  [0x00400000, 'masq'],
  [0x00020000, 'dst-direct'],
  [0x04000000, 'src-direct'],
  [0x00040000, 'redirected'],
  [0x01000000, 'redirect'],
  [0x00200000, 'fastroute'],
  [0x00010000, 'notify'],
  [0x00080000, 'proxy'],
];

function printCacheFlags(out: Output, raw: number): void {
  let flags = (raw & ~0xffff) >>> 0;
  if (out.jsonContext) {
    out.openArray('cache');
  } else {
    out.text(`${out.sl}    cache `);
    if (flags === 0) return;
    out.text('<');
  }
  for (const [bit, name] of RTCF_NAMES) {
    if (!(flags & bit)) continue;
    flags = (flags & ~bit) >>> 0;
    if (out.jsonContext) out.jsonOnly(undefined, name);
    else out.text(`${name}${flags ? ',' : '> '}`);
  }
  if (flags) out.any('flags', flags.toString(16), `${flags.toString(16)}>`);
  if (out.jsonContext) out.closeArray();
}

function printCacheinfo(p: PrintContext, ci: RtaCacheinfo): void {
  const { out } = p;
  const hz = userHz();
  if (ci.rta_expires !== 0) {
    const v = Math.trunc(ci.rta_expires / hz);
    out.any('expires', v, `expires ${v}sec `);
  }
  if (ci.rta_error !== 0) out.any('error', ci.rta_error, `error ${ci.rta_error} `);
  if (p.stats) {
    if (ci.rta_clntref) out.any('users', ci.rta_clntref, `users ${ci.rta_clntref} `);
    if (ci.rta_used !== 0) out.any('used', ci.rta_used, `used ${ci.rta_used} `);
    if (ci.rta_lastuse !== 0) {
      const age = Math.trunc(ci.rta_lastuse / hz);
      out.any('age', age, `age ${age}sec `);
    }
  }
  if (ci.rta_id) {
    out.any(
      'ipid',
      `0x${ci.rta_id.toString(16)}`,
      `ipid 0x${ci.rta_id.toString(16).padStart(4, '0')} `,
    );
  }
  if (ci.rta_ts || ci.rta_tsage) {
    out.any('ts', `0x${ci.rta_ts.toString(16)}`, `ts 0x${ci.rta_ts.toString(16)}`);
    out.any('tsage', ci.rta_tsage, `tsage ${ci.rta_tsage}sec `);
  }
}

function printFlow(p: PrintContext, flow: number): void {
  const { out } = p;
  const from = flow >>> 16;
  const to = flow & 0xffff;
  if (out.jsonContext) {
    out.openObject('flow');
    if (from) out.jsonOnly('from', REALMS.text(from, p.numeric));
    out.jsonOnly('to', REALMS.text(to, p.numeric));
    out.closeObject();
    return;
  }
  out.text(`realm${from ? 's' : ''} `);
  if (from) out.text(`${REALMS.text(from, p.numeric)}/`);
  out.text(`${REALMS.text(to, p.numeric)} `);
}

function printGateway(out: Output, family: number, gw: string): void {
  if (out.jsonContext) out.jsonOnly('gateway', gw);
  else {
    out.text('via ');
    out.text(`${gw} `, familyColor(family));
  }
}

function viaAf(family: string | number): number {
  return typeof family === 'number' ? family : familyNumber(family as CliFamily);
}

function printVia(out: Output, via: { family: string | number; address: string }): void {
  const af = viaAf(via.family);
  if (out.jsonContext) {
    out.openObject('via');
    out.jsonOnly('family', familyName(af));
    out.jsonOnly('host', via.address);
    out.closeObject();
  } else {
    out.text(`via ${familyName(af)} `);
    out.text(`${via.address} `, familyColor(af));
  }
}

function labelsText(labels: readonly { label: number }[]): string {
  return labels.map((l) => String(l.label)).join('/');
}

function printNewdst(out: Output, family: number, labels: readonly { label: number }[]): void {
  const text = labelsText(labels);
  if (out.jsonContext) out.jsonOnly('to', text);
  else {
    out.text('as to ');
    out.text(`${text} `, familyColor(family));
  }
}

// RTAX_* names as ip prints them (mx_names), by metric number.
const MX_NAMES: readonly (string | undefined)[] = [
  undefined,
  undefined,
  'mtu',
  'window',
  'rtt',
  'rttvar',
  'ssthresh',
  'cwnd',
  'advmss',
  'reordering',
  'hoplimit',
  'initcwnd',
  'features',
  'rto_min',
  'initrwnd',
  'quickack',
  'congctl',
  'fastopen_no_cookie',
];
// The client's key for each RTAX number (the library's metrics schema names them).
const MX_KEYS: readonly (string | undefined)[] = (() => {
  const keys: (string | undefined)[] = [];
  for (const [key, spec] of Object.entries(metricsAttributes.attrs)) keys[spec.type] = key;
  return keys;
})();
const RTAX_RTT = 4;
const RTAX_RTTVAR = 5;
const RTAX_HOPLIMIT = 10;
const RTAX_FEATURES = 12;
const RTAX_RTO_MIN = 13;
const RTAX_CC_ALGO = 16;
const RTAX_FEATURE_ECN = 1;

function metricValue(v: unknown): number {
  if (typeof v === 'number') return v >>> 0;
  if (typeof v === 'object' && v !== null && 'raw' in v) return (v as { raw: number }).raw >>> 0;
  return 0;
}

function printMetrics(out: Output, metrics: Readonly<Record<string, unknown>>): void {
  if (out.jsonContext) {
    out.openArray('metrics');
    out.openObject();
  }
  const lock = metricValue(metrics.lock);
  for (let i = 2; i < MX_KEYS.length; i++) {
    const v = metrics[MX_KEYS[i]!];
    const locked = i < 32 && (lock & (1 << i)) !== 0;
    if (v === undefined && !locked) continue;
    let val = v !== undefined && i !== RTAX_CC_ALGO ? metricValue(v) : 0;
    if (i === RTAX_HOPLIMIT && val === 0xffffffff) continue;
    const name = MX_NAMES[i]!;
    out.text(`${name} `);
    if (locked) out.text('lock ');
    if (i === RTAX_FEATURES) {
      const of = val;
      if (val & RTAX_FEATURE_ECN) {
        out.any('ecn', null, 'ecn ');
        val &= ~RTAX_FEATURE_ECN;
      }
      if (val) out.any('features', `0x${of.toString(16)}`, `0x${of.toString(16)} `);
    } else if (i === RTAX_RTT || i === RTAX_RTTVAR || i === RTAX_RTO_MIN) {
      if (i === RTAX_RTT) val = Math.trunc(val / 8);
      else if (i === RTAX_RTTVAR) val = Math.trunc(val / 4);
      if (out.jsonContext) out.jsonOnly(name, val);
      else out.text(val >= 1000 ? `${formatG(val / 1e3)}s ` : `${val}ms `);
    } else if (i === RTAX_CC_ALGO) {
      const s = typeof v === 'string' ? v : '';
      out.any('congestion', s, `${s} `);
    } else {
      out.any(name, val, `${val} `);
    }
  }
  if (out.jsonContext) {
    out.closeObject();
    out.closeArray();
  }
}

/** C's %g for the few values ip prints with it. */
function formatG(v: number): string {
  const s = v.toPrecision(6);
  if (s.includes('e')) {
    const [m, e] = s.split('e') as [string, string];
    const mant = m.includes('.') ? m.replace(/\.?0+$/, '') : m;
    const exp = Number(e);
    return `${mant}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  return s.includes('.') ? s.replace(/\.?0+$/, '') : s;
}

// lwt_print_encap's type names.
const ENCAP_NAMES: Record<string, string> = {
  mpls: 'mpls',
  ip: 'ip',
  ila: 'ila',
  ip6: 'ip6',
  bpf: 'bpf',
  seg6: 'seg6',
  seg6_local: 'seg6local',
  rpl: 'rpl',
  ioam6: 'ioam6',
  xfrm: 'xfrm',
};
const TUNNEL_KEY = 0x4;
const TUNNEL_CSUM = 0x1;
const TUNNEL_SEQ = 0x8;

async function printEncap(
  p: PrintContext,
  type: string | number | undefined,
  encap: unknown,
): Promise<void> {
  if (type === undefined) return;
  const { out } = p;
  const name = typeof type === 'string' ? (ENCAP_NAMES[type] ?? 'unknown') : 'unknown';
  out.any('encap', name, ` encap ${name} `);
  const e = (typeof encap === 'object' && encap !== null ? encap : {}) as Record<string, unknown>;
  if (type === 'mpls') {
    if (Array.isArray(e.dst)) {
      const t = labelsText(e.dst as { label: number }[]);
      out.any('dst', t, ` ${t} `);
    }
    if (typeof e.ttl === 'number') out.any('ttl', e.ttl, `ttl ${e.ttl} `);
  } else if (type === 'ip' || type === 'ip6') {
    const v6 = type === 'ip6';
    const color: ColorKind = v6 ? 'inet6' : 'inet';
    if (typeof e.id === 'bigint') out.any('id', e.id, `id ${e.id} `);
    if (typeof e.src === 'string') out.any('src', e.src, `src ${e.src} `, color);
    if (typeof e.dst === 'string') out.any('dst', e.dst, `dst ${e.dst} `, color);
    const ttl = v6 ? e.hoplimit : e.ttl;
    if (typeof ttl === 'number')
      out.any(v6 ? 'hoplimit' : 'ttl', ttl, `${v6 ? 'hoplimit' : 'ttl'} ${ttl} `);
    const tos = v6 ? e.tc : e.tos;
    if (typeof tos === 'number') out.any(v6 ? 'tc' : 'tos', tos, `${v6 ? 'tc' : 'tos'} ${tos} `);
    if (typeof e.flags === 'number') {
      if (e.flags & TUNNEL_KEY) out.any('key', true, 'key ');
      if (e.flags & TUNNEL_CSUM) out.any('csum', true, 'csum ');
      if (e.flags & TUNNEL_SEQ) out.any('seq', true, 'seq ');
    }
  } else if (type === 'seg6') {
    const srh = e.srh as { mode: string | number; segments: string[] } | undefined;
    if (srh) {
      const mode = typeof srh.mode === 'string' ? srh.mode : '<unknown>';
      out.any('mode', mode, `mode ${mode} `);
      if (out.jsonContext) out.openArray('segs');
      else out.text(`segs ${srh.segments.length} [ `);
      for (const s of srh.segments) out.any(undefined, s, `${s} `, 'inet6');
      if (out.jsonContext) out.closeArray();
      else out.text('] ');
    }
  } else if (type === 'xfrm') {
    if (typeof e.ifId === 'number') out.any('if_id', e.ifId, `if_id ${e.ifId} `);
    if (typeof e.link === 'number') {
      const dev = await devName(p.rt, e.link);
      out.any('link_dev', dev, `link_dev ${dev} `);
    }
  }
}

async function printMultipath(
  p: PrintContext,
  r: Route,
  n: RouteNums,
  hops: readonly {
    flags: { raw: number };
    hops: number;
    ifindex: number;
    attributes: Record<string, unknown>;
  }[],
): Promise<void> {
  const { out } = p;
  const mcast = (n.flags & RTM_F.cloned) !== 0 && n.type === RTN_MULTICAST;
  if (out.jsonContext) out.openArray('nexthops');
  let first = true;
  for (const nh of hops) {
    out.openObject();
    if (mcast) {
      out.text(first ? 'Oifs: ' : ' ');
      first = false;
    } else out.text(`${out.sl}\tnexthop `);
    const a = nh.attributes;
    if (a.encap !== undefined) await printEncap(p, a.encapType as string, a.encap);
    if (Array.isArray(a.newdst)) printNewdst(out, r.family, a.newdst as { label: number }[]);
    if (typeof a.gateway === 'string') printGateway(out, r.family, a.gateway);
    if (a.via) printVia(out, a.via as { family: string; address: string });
    if (typeof a.flow === 'number') printFlow(p, a.flow);
    const dev = await devName(p.rt, nh.ifindex);
    if (mcast) {
      out.any('dev', dev, dev);
      if (nh.hops !== 1) out.any('ttl', nh.hops, `(ttl>${nh.hops})`);
      out.text(' ');
    } else {
      out.any('dev', dev, `dev ${dev} `);
      if (r.family !== 28) out.any('weight', nh.hops + 1, `weight ${nh.hops + 1} `);
    }
    printRtFlags(out, nh.flags.raw);
    out.closeObject();
  }
  if (out.jsonContext) out.closeArray();
}

/** ip's print_route. */
export async function printRoute(p: PrintContext, r: Route, n: RouteNums): Promise<void> {
  const { out, filter: f, numeric } = p;
  const a = r.attributes;
  out.openObject();
  if (
    (n.type !== RTN_UNICAST || p.details > 0) &&
    (!f.typemask || f.typemask & (1n << BigInt(n.type)))
  ) {
    const t = rtnTypeText(n.type, numeric);
    out.any('type', t, `${t} `);
  }
  let dst: string;
  let color: ColorKind | undefined;
  if (a.dst !== undefined) {
    color = familyColor(r.family);
    dst = r.dstLen !== n.hostLen ? `${a.dst}/${r.dstLen}` : a.dst;
  } else if (r.dstLen) dst = `0/${r.dstLen} `;
  else dst = 'default';
  out.any('dst', dst, `${dst} `, color);
  if (a.src !== undefined) {
    const from = r.srcLen !== n.hostLen ? `${a.src}/${r.srcLen}` : a.src;
    out.any('from', from, `from ${from} `, familyColor(r.family));
  } else if (r.srcLen) {
    out.any('src', `0/${r.srcLen}`, `from 0/${r.srcLen} `);
  }
  if (a.nhId !== undefined) out.any('nhid', a.nhId, `nhid ${a.nhId} `);
  if (Array.isArray(a.newdst)) printNewdst(out, r.family, a.newdst);
  if (a.encap !== undefined) await printEncap(p, a.encapType, a.encap);
  if (r.tos && f.tosmask !== -1) {
    const t = dsfieldText(r.tos, numeric);
    out.any('tos', t, `tos ${t} `);
  }
  if (a.gateway !== undefined && (f.rvia?.bitlen ?? 0) !== n.hostLen) {
    printGateway(out, r.family, a.gateway);
  }
  if (a.via) printVia(out, a.via);
  if (a.oif !== undefined && f.oifmask !== -1) {
    const dev = await devName(p.rt, a.oif);
    if (out.jsonContext) out.jsonOnly('dev', dev);
    else {
      out.text('dev ');
      out.text(`${dev} `, 'ifname');
    }
  }
  if (n.table && (n.table !== RT_TABLE_MAIN || p.details > 0) && !f.tb) {
    const t = TABLES.text(n.table, numeric);
    out.any('table', t, `table ${t} `);
  }
  if (!(n.flags & RTM_F.cloned)) {
    if ((n.protocol !== RTPROT_BOOT || p.details > 0) && f.protocolmask !== -1) {
      const t = PROTOS.text(n.protocol, numeric);
      out.any('protocol', t, `proto ${t} `);
    }
    if ((n.scope !== 0 || p.details > 0) && f.scopemask !== -1) {
      const t = SCOPES.text(n.scope, numeric);
      out.any('scope', t, `scope ${t} `);
    }
  }
  if (a.prefsrc !== undefined && (f.rprefsrc?.bitlen ?? 0) !== n.hostLen) {
    if (out.jsonContext) out.jsonOnly('prefsrc', a.prefsrc);
    else {
      out.text('src ');
      out.text(`${a.prefsrc} `, familyColor(r.family));
    }
  }
  if (a.priority !== undefined && f.metricmask !== -1) {
    out.any('metric', a.priority, `metric ${a.priority} `);
  }
  printRtFlags(out, n.flags);
  if (a.mark) {
    if (out.jsonContext) out.jsonOnly('mark', a.mark);
    else out.text(a.mark >= 16 ? `mark 0x${a.mark.toString(16)} ` : `mark ${a.mark} `);
  }
  if (a.flow !== undefined && f.realmmask !== 0xffffffff) printFlow(p, a.flow);
  if (a.uid !== undefined) out.any('uid', a.uid, `uid ${a.uid} `);
  if (r.family === 2) {
    if (n.flags & RTM_F.cloned) printCacheFlags(out, n.flags);
    if (a.cacheinfo) printCacheinfo(p, a.cacheinfo);
  } else if (r.family === 10) {
    if (a.cacheinfo) printCacheinfo(p, a.cacheinfo);
  }
  if (a.metrics) printMetrics(out, a.metrics as Record<string, unknown>);
  if (a.iif !== undefined && f.iifmask !== -1) {
    const dev = await devName(p.rt, a.iif);
    if (out.jsonContext) out.jsonOnly('iif', dev);
    else {
      out.text('iif ');
      out.text(`${dev} `, 'ifname');
    }
  }
  if (a.pref !== undefined) {
    if (typeof a.pref === 'string') out.any('pref', a.pref, `pref ${a.pref}`);
    else out.any('pref', a.pref, String(a.pref));
  }
  if (a.ttlPropagate !== undefined) {
    const on = a.ttlPropagate !== 0;
    if (out.jsonContext) out.jsonOnly('ttl-propogate', on);
    else out.text(`ttl-propogate ${on ? 'enabled' : 'disabled'}`);
  }
  if (a.multipath) {
    await printMultipath(p, r, n, a.multipath as unknown as Parameters<typeof printMultipath>[3]);
  }
  out.text('\n');
  out.closeObject();
}

// ---------------------------------------------------------------------------------------------
// ip route list / show / flush.

/** The dump family ip uses (its dump_family), as the client's family filter. */
function clientFamily(af: number): 'inet' | 'inet6' | undefined {
  if (af === 2) return 'inet';
  if (af === 10) return 'inet6';
  if (af === 0) return undefined;
  throw unsupported(`the ${familyName(af)} family`);
}

/** A parsed `ip route list|flush|save` SELECTOR: ip's filter and its dump family. */
export interface RouteSelection {
  /** ip's `filter` (filter_nlmsg's input); `flush` is left false. */
  filter: RouteFilter;
  /** ip's dump_family: AF_INET when no family was given but a table was (the default). */
  dumpFamily: number;
}

/**
 * Parse the SELECTOR of `ip route list|flush|save` as iproute_list_flush_or_save does (table
 * main unless told otherwise, `table all`, `cache`, `vrf`, `tos`, `protocol`, `scope`, `type`,
 * `dev`/`oif`, `iif`, `mark`, `metric`, `via`, `src`, `realms`, `from …`, `to …`); devices are
 * resolved after the loop, as ip does. Shared by list, flush and save (route-save.ts).
 */
export async function parseRouteSelector(
  ctx: CliContext,
  args: readonly string[],
): Promise<RouteSelection> {
  let dumpFamily = familyNumber(ctx.opts.family);
  const f = emptyFilter();
  f.tb = RT_TABLE_MAIN;
  let iifName: string | undefined;
  let oifName: string | undefined;
  let mark = 0;
  const fam = (): CliFamily | undefined => cliFamily(dumpFamily);
  const a = new Args(args);
  while (!a.done) {
    const w = a.next()!;
    if (matches(w, 'table')) {
      const v = a.needValue();
      const tid = TABLES.id(v);
      if (tid === undefined) {
        if (v === 'all') f.tb = 0;
        else if (v === 'cache') f.cloned = 1;
        else if (v === 'help') throw usageError();
        else throw invarg('table id value is invalid\n', v);
      } else f.tb = tid;
    } else if (matches(w, 'vrf')) {
      const v = a.needValue();
      f.tb = await vrfTable(ctx, v);
      f.typemask = ~((1n << 2n) | (1n << 3n)) & 0xffffffffffffffffn;
    } else if (matches(w, 'cached') || matches(w, 'cloned')) {
      f.cloned = 1;
    } else if (w === 'tos' || matches(w, 'dsfield')) {
      const v = a.needValue();
      const tos = DSFIELDS.id(v);
      if (tos === undefined) throw invarg('TOS value is invalid\n', v);
      f.tos = tos;
      f.tosmask = -1;
    } else if (matches(w, 'protocol')) {
      [f.protocol, f.protocolmask] = maskedId(PROTOS, a.needValue(), 0, 'protocol');
    } else if (matches(w, 'scope')) {
      [f.scope, f.scopemask] = maskedId(SCOPES, a.needValue(), 255, 'scope');
    } else if (matches(w, 'type')) {
      const v = a.needValue();
      const type = rtnTypeId(v);
      if (type === undefined) throw invarg('node type value is invalid\n', v);
      f.typemask = 1n << BigInt(type);
    } else if (w === 'dev' || w === 'oif') {
      oifName = a.needValue();
    } else if (w === 'iif') {
      iifName = a.needValue();
    } else if (w === 'mark') {
      mark = parseU32(a.needValue(), 'invalid mark value');
      f.markmask = -1;
    } else if (matches(w, 'metric') || matches(w, 'priority') || w === 'preference') {
      f.metric = parseU32(a.needValue(), '"metric" value is invalid\n');
      f.metricmask = -1;
    } else if (w === 'via') {
      let v = a.needValue();
      let family = readFamily(v);
      if (family === undefined) family = fam();
      else v = a.needValue();
      f.rvia = toPrefix(parsePrefix(v, family), familyNumber(family));
    } else if (w === 'src') {
      f.rprefsrc = toPrefix(parsePrefix(a.needValue(), fam()), dumpFamily);
    } else if (matches(w, 'realms')) {
      const v = a.needValue();
      const realm = parseRealms(v);
      if (realm === undefined) throw invarg('invalid realms\n', v);
      f.realm = realm;
      let mask = 0xffffffff;
      if ((realm & 0xffff) === 0 && v.endsWith('/')) mask = (mask & ~0xffff) >>> 0;
      if ((realm & 0xffff0000) === 0 && (!v.includes('/') || v.startsWith('/'))) {
        mask = (mask & ~0xffff0000) >>> 0;
      }
      f.realmmask = mask;
    } else if (matches(w, 'from')) {
      let v = a.needValue();
      if (matches(v, 'root')) {
        f.rsrc = toPrefix(parsePrefix(a.needValue(), fam()), dumpFamily);
      } else if (matches(v, 'match')) {
        f.msrc = toPrefix(parsePrefix(a.needValue(), fam()), dumpFamily);
      } else {
        if (matches(v, 'exact')) v = a.needValue();
        f.msrc = toPrefix(parsePrefix(v, fam()), dumpFamily);
        f.rsrc = f.msrc;
      }
    } else {
      let v = w;
      if (matches(v, 'to')) v = a.needValue();
      if (matches(v, 'root')) {
        f.rdst = toPrefix(parsePrefix(a.needValue(), fam()), dumpFamily);
      } else if (matches(v, 'match')) {
        f.mdst = toPrefix(parsePrefix(a.needValue(), fam()), dumpFamily);
      } else {
        if (matches(v, 'exact')) v = a.needValue();
        f.mdst = toPrefix(parsePrefix(v, fam()), dumpFamily);
        f.rdst = f.mdst;
      }
    }
  }
  if (dumpFamily === 0 && f.tb) dumpFamily = 2;
  if (iifName !== undefined || oifName !== undefined) {
    const rt = await ctx.rt();
    if (iifName !== undefined) {
      f.iif = await requireDev(rt, iifName);
      f.iifmask = -1;
    }
    if (oifName !== undefined) {
      f.oif = await requireDev(rt, oifName);
      f.oifmask = -1;
    }
  }
  f.mark = mark;
  return { filter: f, dumpFamily };
}

async function listOrFlush(ctx: CliContext, args: string[], flush: boolean): Promise<number> {
  const { out, opts } = ctx;
  if (flush && args.length === 0) throw new CliError('"ip route flush" requires arguments.', 1);
  const { filter: f, dumpFamily } = await parseRouteSelector(ctx, args);
  f.flush = flush;
  const clientFam = clientFamily(dumpFamily);
  const rt = await ctx.rt();
  // ip's iproute_flush with `cache`: unless the family is IPv6, write the IPv4 flush sysctl (a
  // failure is reported, not fatal); IPv4 stops there, the others go on to delete the cached
  // routes one by one (rt.routes.delete keeps RTM_F_CLONED: only the IPv6 exception goes).
  if (flush && f.cloned === 1 && dumpFamily !== AF_INET6) {
    await flushIpv4Cache(ctx);
    if (opts.stats) out.print('*** IPv4 routing cache is flushed.\n');
    if (dumpFamily === AF_INET) return 0;
  }
  // ip's iproute_dump_filter: `cache` / `cloned` ask for the cached routes (RTM_F_CLONED).
  const dump = {
    ...(clientFam ? { family: clientFam } : {}),
    ...(f.tb ? { table: f.tb } : {}),
    ...(f.protocolmask ? { protocol: f.protocol } : {}),
    ...(f.oif ? { dev: f.oif } : {}),
    ...(f.cloned === 1 ? { cloned: true } : {}),
  };
  const p = printContext(rt, out, opts, f);
  if (flush) return flushRoutes(p, dump, dumpFamily);

  // The JSON document opens with the first route (or at the end): a dump the kernel refuses
  // before any route leaves ip's lone "[" on stdout, which a document opened early would close.
  let opened = false;
  try {
    for await (const r of rt.routes.iterate(dump)) {
      const n = nums(r);
      if (!routeMatches(f, r, n, dumpFamily)) continue;
      if (!opened) out.openJson();
      opened = true;
      await printRoute(p, r, n);
    }
  } catch (err) {
    if (!(err instanceof NetlinkError)) throw err;
    // A missing main table is no error for ip (save_route_errhndlr); anything else ends the dump.
    if (!(f.tb === RT_TABLE_MAIN && err.code === 'ENOENT')) {
      if (!opened && opts.json) out.print(opts.pretty ? '[ ' : '[');
      out.error(formatNetlinkError(err));
      out.error('Dump terminated');
      return 2;
    }
  }
  out.openJson();
  out.closeJson();
  return 0;
}

async function flushRoutes(
  p: PrintContext,
  dump: Parameters<RtNetlink['routes']['list']>[0],
  dumpFamily: number,
): Promise<number> {
  const { rt, out, filter: f } = p;
  const cache = f.cloned === 1;
  for (let round = 0; ; round++) {
    const gone: Route[] = [];
    for await (const r of rt.routes.iterate(dump)) {
      const n = nums(r);
      if (!routeMatches(f, r, n, dumpFamily)) continue;
      // The sysctl write just before dropped the IPv4 cache (the kernel stops dumping entries
      // of an older generation); one learned since cannot be deleted alone (rt.routes.delete
      // refuses it: the kernel would delete a FIB route), so it is left for the next flush.
      if (cache && r.family === AF_INET) continue;
      gone.push(r);
      if (p.stats >= 2) await printRoute(p, r, n);
    }
    if (gone.length === 0) {
      if (p.stats) {
        // After an IPv4 cache flush ip reports "complete after 0 round", not "Nothing".
        if (round === 0 && (!cache || dumpFamily === AF_INET6)) out.print('Nothing to flush.\n');
        else out.print(`*** Flush is complete after ${round} round${round > 1 ? 's' : ''} ***\n`);
      }
      return 0;
    }
    await inChunks(gone, (r) =>
      rt.routes.delete(r).catch((err: unknown) => {
        if (!isErrno(err, 'ESRCH')) throw err;
      }),
    );
    if (p.stats) out.print(`\n*** Round ${round + 1}, deleting ${gone.length} entries ***\n`);
  }
}

const ROUTE_FLUSH_PATH = '/proc/sys/net/ipv4/route/flush';

// Run by `node -e` inside the namespace: open the sysctl write-only, write "-1"; print
// `open ERRNO` or `write` on failure (the caller words it as ip does).
const FLUSH_SCRIPT = [
  "const fs = require('node:fs');",
  'let fd;',
  'try { fd = fs.openSync(process.argv[1], fs.constants.O_WRONLY); }',
  "catch (e) { process.stdout.write('open ' + -e.errno); process.exit(0); }",
  "try { if (fs.writeSync(fd, '-1') < 2) throw 0; } catch { process.stdout.write('write'); }",
].join('\n');

/**
 * ip's iproute_flush_cache: write "-1" to /proc/sys/net/ipv4/route/flush of the namespace the
 * command works in, which drops every cached IPv4 route (rt_cache_flush bumps the route
 * generation). A /proc/sys/net file belongs to the namespace of the process that opens it,
 * and Node's threads never change namespace, so with `-n NETNS` a short `node -e` writes it
 * from inside through the library's netns.exec (the exec helper: setns, then exec). A failure
 * is printed in ip's words and, as in ip, does not change the exit status.
 */
async function flushIpv4Cache(ctx: CliContext): Promise<void> {
  let failure: string;
  if (ctx.opts.netns === undefined) {
    failure = writeFlushHere();
  } else {
    const r = await netns.exec(
      ctx.opts.netns,
      process.execPath,
      ['-e', FLUSH_SCRIPT, ROUTE_FLUSH_PATH],
      { etc: false },
    );
    if (r.code !== 0) {
      throw new CliError(`rtnl: writing ${ROUTE_FLUSH_PATH} failed: ${r.stderr.trim()}`, 255);
    }
    failure = r.stdout;
  }
  if (failure.startsWith('open ')) {
    ctx.out.error(`Cannot open "${ROUTE_FLUSH_PATH}": ${errnoText(Number(failure.slice(5)))}`);
  } else if (failure === 'write') {
    ctx.out.error('Cannot flush routing cache');
  }
}

/** FLUSH_SCRIPT in this process (no -n: the namespace is ours); its failure word or ''. */
function writeFlushHere(): string {
  let fd: number;
  try {
    fd = openSync(ROUTE_FLUSH_PATH, fsConstants.O_WRONLY);
  } catch (err) {
    return `open ${-((err as { errno?: number }).errno ?? 0)}`;
  }
  try {
    return writeSync(fd, '-1') < 2 ? 'write' : '';
  } catch {
    return 'write';
  } finally {
    closeSync(fd);
  }
}

/** The CLI family of address family `af` (ip's family_name), if it is one. */
function cliFamily(af: number): CliFamily | undefined {
  const name = familyName(af);
  return familyNumber(name as CliFamily) === af && af !== 0 ? (name as CliFamily) : undefined;
}

/** ip's ipvrf_get_table: the table of VRF device `name`, or `Invalid VRF`. */
async function vrfTable(ctx: CliContext, name: string): Promise<number> {
  const rt = await ctx.rt();
  try {
    const link = await rt.links.get(name);
    const info = link.attributes.linkinfo as
      | { kind?: string; data?: { table?: number } }
      | undefined;
    if (link.kind === 'vrf' && typeof info?.data?.table === 'number' && info.data.table) {
      return info.data.table;
    }
  } catch (err) {
    if (!isNoDevice(err)) throw err;
  }
  throw invarg('Invalid VRF\n', name);
}

function usageError(): CliUsageError {
  return new CliUsageError(help.trimEnd());
}

// ---------------------------------------------------------------------------------------------
// ip route add / del / change / replace / prepend / append / test (iproute_modify).

type Op = 'add' | 'change' | 'replace' | 'prepend' | 'append' | 'test' | 'delete';
type Spec = RouteSpecInput & Record<string, unknown>;
type Hop = NonNullable<RouteSpecInput['nexthops']>[number];
type Metrics = NonNullable<RouteSpecInput['metrics']>;

/** get_time_rtt: `N`, `Ns`/`Nsec`/`Nsecs`, `Nms`/`Nmsec`/`Nmsecs`; `raw` when unitless. */
function timeRtt(arg: string): { val: number; raw: boolean } | undefined {
  const m = /^([ \t]*[+]?[0-9]*\.?[0-9]*(?:[eE][+-]?\d+)?|[ \t]*0[xX][0-9a-fA-F]+)(.*)$/.exec(arg);
  if (!m || m[1]!.trim() === '' || m[1]!.trim() === '.') return undefined;
  let t: number;
  if (arg.includes('.')) t = Number.parseFloat(m[1]!);
  else {
    const v = getU32(m[1]!.trim()) ?? getBig(m[1]!);
    if (v === undefined) return undefined;
    t = v;
  }
  if (!Number.isFinite(t) || t < 0) return undefined;
  const unit = m[2]!.toLowerCase();
  let raw = true;
  if (unit) {
    raw = false;
    if (unit === 's' || unit === 'sec' || unit === 'secs') t *= 1000;
    else if (unit !== 'ms' && unit !== 'msec' && unit !== 'msecs') return undefined;
  }
  let val = Math.trunc(t) >>> 0;
  if (val < t) val = (val + 1) >>> 0;
  return { val, raw };
}

function getBig(text: string): number | undefined {
  const t = text.trim();
  return /^\d+$/.test(t) ? Number(t) % 2 ** 32 : undefined;
}

/**
 * `default` / `all` / `any` as a prefix of length 0. ip sends it as an all-zero address of the
 * family known at that point of the command line (`ip -6 route add default …` carries a
 * 16-byte RTA_DST), and without one when no family is known yet: 'default' then.
 */
function anyPrefix(p: InetPrefix, known: CliFamily | undefined): string | undefined {
  if (!p.any) return undefined;
  if (p.keyword === 'default' && known === 'inet') return '0.0.0.0/0';
  if (p.keyword === 'default' && known === 'inet6') return '::/0';
  return 'default';
}

interface ModifyState {
  family: CliFamily | undefined;
  /** Where the destination word was, and the family known when it was read. */
  dstAt?: number;
  dstKnown?: CliFamily | undefined;
}

/** The destination word (ip's `[ to ] [ TYPE ] PREFIX`, after TYPE): sets spec.dst; true. */
function destination(
  st: ModifyState,
  spec: Partial<Spec>,
  v: string,
  dstOk: boolean,
  at: number,
): boolean {
  if (dstOk) throw duparg2('to', v);
  const known = st.family;
  const p = parsePrefix(v, known);
  if (st.family === undefined && !p.any) st.family = p.family;
  spec.dst = anyPrefix(p, known) ?? `${p.address}/${p.prefixlen}`;
  st.dstAt = at;
  st.dstKnown = known;
  return true;
}

function hasKeys(o: object): boolean {
  for (const _ in o) return true;
  return false;
}

function parseNexthop(a: Args, st: ModifyState, devs: (string | undefined)[]): Hop {
  const hop: Hop = {};
  let dev: string | undefined;
  while (!a.done) {
    const w = a.peek()!;
    if (w === 'via') {
      a.next();
      let v = a.needValue();
      let family = readFamily(v);
      if (family === undefined) family = st.family;
      else v = a.needValue();
      const addr = parseAddr(v, family);
      st.family ??= addr.family;
      hop.gateway = addr.address;
    } else if (w === 'dev') {
      a.next();
      dev = a.needValue();
    } else if (w === 'weight') {
      a.next();
      const v = a.needValue();
      const n = getU32(v);
      if (n === undefined || n === 0 || n > 256) throw invarg('"weight" is invalid\n', v);
      hop.weight = n;
    } else if (w === 'onlink') {
      a.next();
      hop.onlink = true;
    } else if (matches(w, 'realms')) {
      a.next();
      const v = a.needValue();
      const realm = parseRealms(v);
      if (realm === undefined) throw invarg('"realm" value is invalid\n', v);
      hop.realms = realm;
    } else if (w === 'encap') {
      // RTA_ENCAP + RTA_ENCAP_TYPE inside this rtnexthop, where ip's parse_one_nh puts them
      // (the hop's keys keep the words' order).
      a.next();
      hop.encap = parseEncap(a);
    } else if (w === 'as') {
      throw unsupported(`"${w}" in a nexthop`);
    } else break;
  }
  devs.push(dev);
  return hop;
}

function parseNexthops(a: Args, st: ModifyState, devs: (string | undefined)[]): Hop[] {
  const hops: Hop[] = [];
  while (!a.done) {
    const w = a.next()!;
    if (w !== 'nexthop') {
      throw new CliUsageError(`Error: "nexthop" or end of line is expected instead of "${w}"`);
    }
    if (a.done) throw new CliUsageError('Error: unexpected end of line after "nexthop"');
    hops.push(parseNexthop(a, st, devs));
  }
  return hops;
}

/** A metric keyword: value with optional `lock`; `conv` checks and converts the value. */
function metricArg(
  a: Args,
  metrics: Record<string, unknown>,
  locks: string[],
  key: string,
  conv: (v: string) => number | string,
): void {
  let v = a.needValue();
  if (v === 'lock') {
    locks.push(key);
    v = a.needValue();
  }
  metrics[key] = conv(v);
}

function unsignedOr(msg: string): (v: string) => number {
  return (v) => parseU32(v, msg);
}

/** A `route add|change|…` line, parsed: names still to be looked up. */
interface ParsedModify {
  spec: Partial<Spec>;
  st: ModifyState;
  metrics: Record<string, unknown>;
  locks: string[];
  dev: string | undefined;
  /** `vrf NAME`: its table is looked up. */
  vrf: string | undefined;
  nexthops: Hop[] | undefined;
  hopDevs: (string | undefined)[];
}

async function modify(ctx: CliContext, op: Op, args: string[]): Promise<number> {
  const p = parseModify(ctx, args);
  const { spec, nexthops, hopDevs } = p;
  if (p.vrf !== undefined) spec.table = await vrfTable(ctx, p.vrf);
  const rt = await ctx.rt();
  let index: number | undefined;
  // A cached device costs no await.
  if (p.dev !== undefined) index = cachedDevIndex(rt, p.dev) ?? (await requireDev(rt, p.dev));
  if (nexthops) {
    for (let i = 0; i < nexthops.length; i++) {
      const name = hopDevs[i];
      if (name === undefined) continue;
      const index = await devIndex(rt, name);
      if (!index) {
        throw new CliUsageError(`Cannot find device "${name}"\nError: cannot parse nexthop`);
      }
      nexthops[i]!.dev = index;
    }
  }
  await send(rt, op, finishSpec(p, index));
  return 0;
}

/** The spec of a parsed line, its device (if any) being `index`. */
function finishSpec(p: ParsedModify, index: number | undefined): Spec {
  const { spec, metrics, locks, st } = p;
  if (index !== undefined) spec.dev = index;
  if (locks.length > 0 || hasKeys(metrics)) {
    const m: Record<string, unknown> = { ...metrics };
    if (locks.length > 0) m.lock = locks;
    spec.metrics = m as Metrics;
  }
  if (p.nexthops) spec.nexthops = p.nexthops;
  if (st.family === 'inet' || st.family === 'inet6') spec.family = st.family;
  else if (st.family !== undefined) throw unsupported(`the ${st.family} family`);
  return spec as Spec;
}

const OPS: readonly (readonly [word: string, op: Op])[] = [
  ['add', 'add'],
  ['change', 'change'],
  ['replace', 'replace'],
  ['prepend', 'prepend'],
  ['append', 'append'],
  ['test', 'test'],
  ['delete', 'delete'],
];

/** The change a command word names (`add`, `chg`, `del` …), as the dispatcher below reads it. */
function opOf(cmd: string | undefined): Op | undefined {
  if (cmd === undefined) return undefined;
  if (cmd === 'chg') return 'change';
  // ip's chain, in its order: `t`/`te` are `test`, not `delete`.
  for (const [word, op] of OPS) if (matches(cmd, word)) return op;
  return undefined;
}

const SUBMIT: Record<Op, PlannedWrite['submit']> = Object.fromEntries(
  OPS.map(([, op]) => [
    op,
    (rt: RtNetlink, items: unknown[]) => rt.routes.applyMany(op, items as RouteSpecInput[]),
  ]),
) as Record<Op, PlannedWrite['submit']>;

const SEQUENCE: PlannedWrite['sequence'] = (rt) => rt.routes.sequence();

/**
 * The `-batch` fast lane (see PlannedWrite): a `route add|change|replace|prepend|append|del`
 * line whose devices are already known becomes a spec without any await. Lines that need a
 * lookup (a device not seen yet, nexthop devices, `vrf`) return undefined and run normally.
 */
export function plan(
  ctx: CliContext,
  rt: RtNetlink,
  words: readonly string[],
  from: number,
): PlannedWrite | undefined {
  const hit = lastPlan !== undefined ? reusePlan(lastPlan, ctx, rt, words, from) : undefined;
  if (hit !== undefined) return hit;
  lastPlan = undefined;
  const op = opOf(words[from]);
  if (op === undefined) return undefined;
  const p = parseModify(ctx, words, from + 1);
  if (p.vrf !== undefined) return undefined;
  for (const d of p.hopDevs) if (d !== undefined) return undefined;
  let index: number | undefined;
  if (p.dev !== undefined) {
    index = cachedDevIndex(rt, p.dev);
    if (index === undefined) return undefined;
  }
  const spec = finishSpec(p, index);
  lastPlan = memoOf(ctx, words, from, op, p, spec);
  return { key: op, item: spec, submit: SUBMIT[op], sequence: SEQUENCE };
}

/**
 * The last line plan() parsed in full, for the lines after it that differ from it only in the
 * destination word (a script of `route add PREFIX dev D` lines): their spec is its spec with
 * their destination, read as parseModify reads it. Only specs of plain values are kept.
 */
interface PlanMemo {
  words: readonly string[];
  from: number;
  /** The global -4/-6 the line was read with. */
  optsFamily: CliFamily | undefined;
  op: Op;
  dstAt: number;
  /** The family known when the destination was read, and the destination's own. */
  known: CliFamily | undefined;
  family: CliFamily;
  dev: string | undefined;
  spec: Spec;
}

let lastPlan: PlanMemo | undefined;
const SCRATCH = new Uint8Array(4);

function memoOf(
  ctx: CliContext,
  words: readonly string[],
  from: number,
  op: Op,
  p: ParsedModify,
  spec: Spec,
): PlanMemo | undefined {
  const { dstAt } = p.st;
  if (dstAt === undefined || p.st.family === undefined) return undefined;
  for (const key in spec) {
    const v = spec[key as keyof Spec];
    if (typeof v === 'object' && v !== null) return undefined;
  }
  return {
    words,
    from,
    optsFamily: ctx.opts.family,
    op,
    dstAt,
    known: p.st.dstKnown,
    family: p.st.family,
    dev: p.dev,
    spec,
  };
}

/** The plan of a line that differs from the memo's only in its destination, or undefined. */
function reusePlan(
  m: PlanMemo,
  ctx: CliContext,
  rt: RtNetlink,
  words: readonly string[],
  from: number,
): PlannedWrite | undefined {
  const n = words.length;
  if (n !== m.words.length || from !== m.from || ctx.opts.family !== m.optsFamily) {
    return undefined;
  }
  for (let i = from; i < n; i++) if (i !== m.dstAt && words[i] !== m.words[i]) return undefined;
  const word = words[m.dstAt]!;
  let dst: string;
  if (m.family === 'inet' && ipv4PrefixInto(word, SCRATCH, 0) >= 0) {
    // `A.B.C.D/N` as ip prints it: get_prefix reads it as itself.
    dst = word;
  } else {
    const p = parsePrefix(word, m.known);
    // A destination of another family (or `default`) changes how the rest of the line reads.
    if (p.any || p.family !== m.family) return undefined;
    dst = `${p.address}/${p.prefixlen}`;
  }
  let index: number | undefined;
  if (m.dev !== undefined) {
    index = cachedDevIndex(rt, m.dev);
    if (index === undefined) return undefined;
  }
  const spec: Spec = { ...m.spec, dst };
  if (index !== undefined) spec.dev = index;
  return { key: m.op, item: spec, submit: SUBMIT[m.op], sequence: SEQUENCE };
}

/** ip's iproute_modify argument loop: everything but the lookups. */
function parseModify(ctx: CliContext, args: readonly string[], from = 0): ParsedModify {
  const st: ModifyState = { family: ctx.opts.family };
  const spec: Partial<Spec> = {};
  const metrics: Record<string, unknown> = {};
  const locks: string[] = [];
  let gwOk = false;
  let dstOk = false;
  let dev: string | undefined;
  let vrf: string | undefined;
  let nexthops: Hop[] | undefined;
  const hopDevs: (string | undefined)[] = [];
  const setFamily = (p: InetPrefix): void => {
    if (st.family === undefined && !p.any) st.family = p.family;
  };
  const a = new Args(args, from);
  while (!a.done) {
    const w = a.next()!;
    // The two words of nearly every line first. The order of the chain below is ip's, and
    // neither shortcut changes what it selects: no keyword there has `dev` or `oif` as a
    // prefix, and none starts with a digit (a digit can only begin the destination).
    if (w === 'dev' || w === 'oif') {
      dev = a.needValue();
      continue;
    }
    const c0 = w.charCodeAt(0);
    if (c0 >= 0x30 && c0 <= 0x39) {
      dstOk = destination(st, spec, w, dstOk, a.currentIndex);
      continue;
    }
    if (w === 'src') {
      const addr = parseAddr(a.needValue(), st.family);
      setFamily(addr);
      spec.prefsrc = addr.address;
    } else if (w === 'as') {
      throw unsupported('"as" (RTA_NEWDST)');
    } else if (w === 'via') {
      if (gwOk) throw invarg('use nexthop syntax to specify multiple via\n', w);
      gwOk = true;
      let v = a.needValue();
      let family = readFamily(v);
      if (family === undefined) family = st.family;
      else v = a.needValue();
      const addr = parseAddr(v, family);
      setFamily(addr);
      spec.gateway = addr.address;
    } else if (w === 'from') {
      const known = st.family;
      const p = parsePrefix(a.needValue(), known);
      setFamily(p);
      const any = anyPrefix(p, known);
      if (any === undefined) spec.src = `${p.address}/${p.prefixlen}`;
      else if (any !== 'default') spec.src = any;
    } else if (w === 'tos' || matches(w, 'dsfield')) {
      const v = a.needValue();
      const tos = DSFIELDS.id(v);
      if (tos === undefined) throw invarg('"tos" value is invalid\n', v);
      spec.tos = tos;
    } else if (w === 'expires') {
      spec.expires = parseU32(a.needValue(), '"expires" value is invalid\n');
    } else if (matches(w, 'metric') || matches(w, 'priority') || w === 'preference') {
      spec.priority = parseU32(a.needValue(), '"metric" value is invalid\n');
    } else if (w === 'scope') {
      const v = a.needValue();
      const scope = SCOPES.id(v);
      if (scope === undefined) throw invarg('invalid "scope" value\n', v);
      spec.scope = scope;
    } else if (w === 'mtu') {
      metricArg(a, metrics, locks, 'mtu', unsignedOr('"mtu" value is invalid\n'));
    } else if (w === 'hoplimit') {
      metricArg(a, metrics, locks, 'hoplimit', (v) => {
        const n = getU32(v);
        if (n === undefined || n > 255) throw invarg('"hoplimit" value is invalid\n', v);
        return n;
      });
    } else if (w === 'advmss') {
      metricArg(a, metrics, locks, 'advmss', unsignedOr('"mss" value is invalid\n'));
    } else if (matches(w, 'reordering')) {
      metricArg(a, metrics, locks, 'reordering', unsignedOr('"reordering" value is invalid\n'));
    } else if (w === 'rtt') {
      metricArg(a, metrics, locks, 'rtt', (v) => {
        const t = timeRtt(v);
        if (!t) throw invarg('"rtt" value is invalid\n', v);
        return t.raw ? t.val : (t.val * 8) >>> 0;
      });
    } else if (w === 'rto_min') {
      const v = a.needValue();
      const t = timeRtt(v);
      if (!t) throw invarg('"rto_min" value is invalid\n', v);
      metrics.rtoMin = t.val;
    } else if (matches(w, 'window')) {
      metricArg(a, metrics, locks, 'window', unsignedOr('"window" value is invalid\n'));
    } else if (matches(w, 'cwnd')) {
      metricArg(a, metrics, locks, 'cwnd', unsignedOr('"cwnd" value is invalid\n'));
    } else if (matches(w, 'initcwnd')) {
      metricArg(a, metrics, locks, 'initcwnd', unsignedOr('"initcwnd" value is invalid\n'));
    } else if (matches(w, 'initrwnd')) {
      metricArg(a, metrics, locks, 'initrwnd', unsignedOr('"initrwnd" value is invalid\n'));
    } else if (matches(w, 'features')) {
      const v = a.needValue();
      if (v !== 'ecn') throw invarg('"features" value not valid\n', v);
      metrics.features = RTAX_FEATURE_ECN;
    } else if (matches(w, 'quickack')) {
      const v = a.needValue();
      const n = getU32(v);
      if (n === undefined) throw invarg('"quickack" value is invalid\n', v);
      if (n !== 0 && n !== 1) throw invarg('"quickack" value should be 0 or 1\n', v);
      metrics.quickack = n;
    } else if (matches(w, 'congctl')) {
      metricArg(a, metrics, locks, 'ccAlgo', (v) => v);
    } else if (matches(w, 'rttvar')) {
      metricArg(a, metrics, locks, 'rttvar', (v) => {
        const t = timeRtt(v);
        if (!t) throw invarg('"rttvar" value is invalid\n', v);
        return t.raw ? t.val : (t.val * 4) >>> 0;
      });
    } else if (matches(w, 'ssthresh')) {
      metricArg(a, metrics, locks, 'ssthresh', unsignedOr('"ssthresh" value is invalid\n'));
    } else if (matches(w, 'realms')) {
      const v = a.needValue();
      const realm = parseRealms(v);
      if (realm === undefined) throw invarg('"realm" value is invalid\n', v);
      spec.realms = realm;
    } else if (w === 'onlink') {
      spec.onlink = true;
    } else if (w === 'nexthop') {
      a.back();
      nexthops = parseNexthops(a, st, hopDevs);
      break;
    } else if (w === 'nhid') {
      spec.nhid = parseU32(a.needValue(), '"id" value is invalid\n');
    } else if (matches(w, 'protocol')) {
      const v = a.needValue();
      const prot = PROTOS.id(v);
      if (prot === undefined) throw invarg('"protocol" value is invalid\n', v);
      spec.protocol = prot;
    } else if (matches(w, 'table')) {
      const v = a.needValue();
      const tid = TABLES.id(v);
      if (tid === undefined) throw invarg('"table" value is invalid\n', v);
      spec.table = tid;
      // The later of `table` and `vrf` wins, as in ip.
      vrf = undefined;
    } else if (matches(w, 'vrf')) {
      vrf = a.needValue();
    } else if (w === 'dev' || w === 'oif') {
      dev = a.needValue();
    } else if (matches(w, 'pref')) {
      const v = a.needValue();
      if (v === 'low' || v === 'medium' || v === 'high') spec.pref = v;
      else {
        const n = getU8(v);
        if (n === undefined) throw invarg('"pref" value is invalid\n', v);
        spec.pref = n;
      }
    } else if (w === 'encap') {
      spec.encap = parseEncap(a);
    } else if (w === 'ttl-propagate') {
      const v = a.needValue();
      if (matches(v, 'enabled')) spec.ttlPropagate = true;
      else if (matches(v, 'disabled')) spec.ttlPropagate = false;
      else throw invarg('"ttl-propagate" value is invalid\n', v);
    } else if (matches(w, 'fastopen_no_cookie')) {
      const v = a.needValue();
      const n = getU32(v);
      if (n === undefined) throw invarg('"fastopen_no_cookie" value is invalid\n', v);
      if (n !== 0 && n !== 1) throw invarg('"fastopen_no_cookie" value should be 0 or 1\n', v);
      metrics.fastopenNoCookie = n;
    } else {
      let v = w;
      if (v === 'to') v = a.needValue();
      const c = v.charCodeAt(0);
      if (!(c >= 0x30 && c <= 0x39)) {
        const type = rtnTypeId(v);
        if (type !== undefined) {
          spec.type = type;
          v = a.needValue();
        }
      }
      if (matches(v, 'help')) throw usageError();
      dstOk = destination(st, spec, v, dstOk, a.currentIndex);
    }
  }
  if (!dstOk) throw usageError();
  return { spec, st, metrics, locks, dev, vrf, nexthops, hopDevs };
}

// ---------------------------------------------------------------------------------------------
// `encap TYPE …` (iproute2 ip/iproute_lwtunnel.c lwt_parse_encap): the lightweight tunnels the
// client encodes (mpls, ip, ip6, seg6); each sub-parser takes the words it knows and leaves the
// first other one to the route's own loop.

const SEG6_MODES = ['inline', 'encap', 'l2encap', 'encap.red', 'l2encap.red'] as const;
const ENCAP_WORDS = [
  'mpls',
  'ip',
  'ip6',
  'ila',
  'bpf',
  'seg6',
  'seg6local',
  'rpl',
  'ioam6',
  'xfrm',
];

/** `once` flags for ip's `if (x_ok++) duparg2(...)`. */
function once(seen: Set<string>, key: string, value: string): void {
  if (seen.has(key)) throw duparg2(key, value);
  seen.add(key);
}

function parseEncap(a: Args): EncapSpec {
  const typeWord = a.needValue();
  if (typeWord === 'help') throw usageError();
  if (!ENCAP_WORDS.includes(typeWord)) throw invarg('"encap type" value is invalid\n', typeWord);
  if (a.remaining < 2) {
    if (a.remaining === 0) a.needValue();
    throw new CliUsageError('Error: unexpected end of line after "encap"');
  }
  const seen = new Set<string>();
  if (typeWord === 'mpls') {
    const v = a.needValue();
    if (!/^\d+(\/\d+)*$/.test(v) || v.split('/').some((l) => Number(l) >= 1 << 20)) {
      throw new CliError(`Error: mpls address is expected rather than "${v}".`, 1);
    }
    const spec: Record<string, unknown> = { type: 'mpls', dst: v.split('/').map(Number) };
    while (a.peek() === 'ttl') {
      a.next();
      const t = a.needValue();
      once(seen, 'ttl', t);
      const ttl = getU8(t);
      if (ttl === undefined) throw invarg('"ttl" value is invalid\n', t);
      spec.ttl = ttl;
    }
    return spec as EncapSpec;
  }
  if (typeWord === 'ip' || typeWord === 'ip6') {
    const v6 = typeWord === 'ip6';
    const family: CliFamily = v6 ? 'inet6' : 'inet';
    const spec: Record<string, unknown> = { type: typeWord };
    let flags = 0;
    for (;;) {
      const w = a.peek();
      if (w === 'id') {
        a.next();
        const v = a.needValue();
        once(seen, 'id', v);
        const id = getU64(v);
        if (id === undefined) throw invarg('"id" value is invalid\n', v);
        spec.id = id;
      } else if (w === 'dst' || w === 'src') {
        a.next();
        const v = a.needValue();
        once(seen, w, v);
        spec[w] = parseAddr(v, family).address;
      } else if (w === (v6 ? 'tc' : 'tos')) {
        a.next();
        const v = a.needValue();
        once(seen, w, v);
        const tos = DSFIELDS.id(v);
        if (tos === undefined) throw invarg(`"${w}" value is invalid\n`, v);
        spec[w] = tos;
      } else if (w === (v6 ? 'hoplimit' : 'ttl')) {
        a.next();
        const v = a.needValue();
        once(seen, w, v);
        const ttl = getU8(v);
        if (ttl === undefined) throw invarg(`"${w}" value is invalid\n`, v);
        spec[w] = ttl;
      } else if (w === 'key' || w === 'csum' || w === 'seq') {
        a.next();
        once(seen, w, w);
        flags |= w === 'key' ? TUNNEL_KEY : w === 'csum' ? TUNNEL_CSUM : TUNNEL_SEQ;
      } else if (w === 'geneve_opts' || w === 'vxlan_opts' || w === 'erspan_opts') {
        throw unsupported(`"encap ${typeWord} ${w}"`);
      } else break;
    }
    if (flags) spec.flags = flags;
    return spec as EncapSpec;
  }
  if (typeWord === 'seg6') {
    let mode: string | undefined;
    let segs: string[] | undefined;
    for (;;) {
      const w = a.peek();
      if (w === 'mode') {
        a.next();
        const v = a.needValue();
        once(seen, 'mode', v);
        if (!(SEG6_MODES as readonly string[]).includes(v)) {
          throw invarg('"mode" value is invalid\n', v);
        }
        mode = v;
      } else if (w === 'segs') {
        a.next();
        const v = a.needValue();
        once(seen, 'segs', v);
        if (mode === undefined) throw invarg('"segs" provided before "mode"\n', v);
        segs = v.split(',');
        for (const seg of segs) parseAddr(seg, 'inet6');
      } else if (w === 'hmac') {
        throw unsupported('"encap seg6 … hmac"');
      } else break;
    }
    if (mode === undefined || segs === undefined) {
      throw unsupported('"encap seg6" without both "mode" and "segs"');
    }
    // Inline mode keeps a last segment for the packet's own destination (ip's parse_srh adds
    // it as ::, the kernel fills it in).
    const segments = mode === 'inline' ? [...segs, '::'] : segs;
    return { type: 'seg6', srh: { mode, segments } } as EncapSpec;
  }
  throw unsupported(`"encap ${typeWord}"`);
}

type ExtraOps = {
  change?: (spec: RouteSpecInput) => Promise<void>;
  prepend?: (spec: RouteSpecInput) => Promise<void>;
};

function send(rt: RtNetlink, op: Op, spec: Spec): Promise<void> {
  switch (op) {
    case 'add':
      return rt.routes.add(spec);
    case 'replace':
      return rt.routes.replace(spec);
    case 'append':
      return rt.routes.append(spec);
    case 'test':
      return rt.routes.test(spec);
    case 'delete':
      return rt.routes.delete(spec);
    default: {
      // NLM_F_REPLACE alone (change) and NLM_F_CREATE alone (prepend): the request builders have
      // them, the Routes class does not expose them yet (see the CLI report).
      const fn = (rt.routes as unknown as ExtraOps)[op];
      if (!fn) throw unsupported(`"route ${op}" (no rt.routes.${op}() in this library)`);
      return fn.call(rt.routes, spec);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// ip route get.

async function get(ctx: CliContext, args: string[]): Promise<number> {
  const { out, opts } = ctx;
  let family: CliFamily | undefined = opts.family;
  const o: NonNullable<Parameters<RtNetlink['routes']['get']>[1]> = {};
  let dst: string | undefined;
  let idev: string | undefined;
  let odev: string | undefined;
  let connected = false;
  let fromOk = false;
  const a = new Args(args);
  while (!a.done) {
    const w = a.next()!;
    if (w === 'tos' || matches(w, 'dsfield')) {
      const v = a.needValue();
      const tos = DSFIELDS.id(v);
      if (tos === undefined) throw invarg('TOS value is invalid\n', v);
      o.tos = tos;
    } else if (matches(w, 'from')) {
      const v = a.needValue();
      if (matches(v, 'help')) throw usageError();
      fromOk = true;
      const p = parsePrefix(v, family);
      if (!p.any) family ??= p.family;
      if (!p.any) o.src = p.address;
    } else if (matches(w, 'iif')) {
      idev = a.needValue();
    } else if (matches(w, 'mark')) {
      const v = a.needValue();
      o.mark = parseU32(v, 'invalid mark value');
    } else if (matches(w, 'oif') || w === 'dev') {
      odev = a.needValue();
    } else if (matches(w, 'notify')) {
      o.notify = true;
    } else if (matches(w, 'connected')) {
      connected = true;
    } else if (matches(w, 'vrf')) {
      // name_is_vrf, at once: the VRF device is then the output device.
      const v = a.needValue();
      await vrfTable(ctx, v);
      odev = v;
    } else if (matches(w, 'uid')) {
      const v = a.needValue();
      o.uid = parseU32(v, 'invalid UID\n');
    } else if (matches(w, 'fibmatch')) {
      o.fibMatch = true;
    } else if (w === 'as') {
      throw unsupported('"as"');
    } else if (matches(w, 'sport')) {
      const v = a.needValue();
      const n = getU32(v);
      if (n === undefined || n > 0xffff) throw invarg('invalid sport\n', v);
      o.sport = n;
    } else if (matches(w, 'dport')) {
      const v = a.needValue();
      const n = getU32(v);
      if (n === undefined || n > 0xffff) throw invarg('invalid dport\n', v);
      o.dport = n;
    } else if (matches(w, 'ipproto')) {
      const v = a.needValue();
      const n = ipProtoId(v);
      if (n === undefined) throw invarg('Invalid "ipproto" value\n', v);
      o.ipProto = n;
    } else {
      let v = w;
      if (v === 'to') v = a.needValue();
      if (matches(v, 'help')) throw usageError();
      const p = getPrefix1(v, family);
      if (!p) {
        throw new CliError(
          `Error: ${family ?? 'any valid'} prefix is expected rather than "${v}".`,
          1,
        );
      }
      if (!p.any) family ??= p.family;
      const full = p.family === 'inet6' ? 128 : 32;
      if (!p.any && p.prefixlen !== full) {
        out.error(
          `Warning: /${p.prefixlen} as prefix is invalid, only /${full} (or none) is supported.`,
        );
      }
      dst = p.any ? (p.family === 'inet6' ? '::' : '0.0.0.0') : p.address;
    }
  }
  if (dst === undefined) throw new CliError('need at least a destination address', 1);
  const rt = await ctx.rt();
  if (idev !== undefined) o.iif = await requireDev(rt, idev);
  if (odev !== undefined) o.oif = await requireDev(rt, odev);
  const p = printContext(rt, out, opts, { ...emptyFilter(), cloned: 2 });
  const route = await rt.routes.get(dst, o);
  out.openJson();
  await printRoute(p, route, nums(route));
  if (connected && !fromOk) {
    // ip's `connected` means to ask again from the route's source address, but iproute2 6.1
    // edits its copy of the answer and sends the first request unchanged: the same route is
    // printed twice, the second time outside the JSON document (as text) with -j.
    if (route.attributes.prefsrc === undefined && route.attributes.src === undefined) {
      out.closeJson();
      throw new CliError('Failed to connect the route', 1);
    }
    out.closeJson();
    const again = await rt.routes.get(dst, o);
    await printRoute(p, again, nums(again));
    return 0;
  }
  out.closeJson();
  return 0;
}

// ---------------------------------------------------------------------------------------------
// The object's entry point (ip's do_iproute).

/** `rtnl route …`. */
export default function route(ctx: CliContext, args: string[]): Promise<number> {
  const cmd = args[0];
  const rest = args.slice(1);
  if (cmd === undefined) return listOrFlush(ctx, [], false);
  const op = opOf(cmd);
  if (op !== undefined) return modify(ctx, op, rest);
  if (matches(cmd, 'list') || matches(cmd, 'show') || matches(cmd, 'lst')) {
    return listOrFlush(ctx, rest, false);
  }
  if (matches(cmd, 'get')) return get(ctx, rest);
  if (matches(cmd, 'flush')) return listOrFlush(ctx, rest, true);
  // route-save.ts uses this module's printers: loaded on demand (no import cycle at load).
  if (matches(cmd, 'save')) return import('./route-save.js').then((m) => m.routeSave(ctx, rest));
  if (matches(cmd, 'restore')) return import('./route-save.js').then((m) => m.routeRestore(ctx));
  if (matches(cmd, 'showdump')) return import('./route-save.js').then((m) => m.routeShowdump(ctx));
  if (matches(cmd, 'help')) throw usageError();
  throw unknownCommand(cmd, 'route');
}
