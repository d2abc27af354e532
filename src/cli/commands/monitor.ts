// rtnl monitor: `ip monitor` (iproute2 6.1 ip/ipmonitor.c) on rtnl's Monitor.
//
//   rtnl monitor [ all | OBJECTS ] [ file FILE ] [ label ] [ all-nsid ] [ dev DEVICE ]
//
// Which groups each word joins, the `[LINK]`-style banners (with `all` or `label` only), the
// `Timestamp: … usec` line (-t) and `[…] ` prefix (-ts), and each event printed by the printer
// `rtnl OBJECT show` uses, with `Deleted ` for RTM_DEL*; netconf, nsid, nexthop, nexthop bucket,
// IPv6 prefix and address label events by the printers of monitor-printers.ts. `file FILE`
// replays what `rtmon file` (or `ip monitor` redirected by rtmon) saved: bare netlink messages,
// one after the other, each padded to 4 bytes, with NLMSG_TSTAMP records (type 15, u32 seconds +
// u32 microseconds) between them.
//
// -j: ip (6.1 and the newest) never opens a JSON context in the monitor and prints text; rtnl
// prints one JSON object per event and per line (JSON Lines): the object `ip -j OBJECT show`
// prints for it, `"deleted": true` first for a deletion, and the -t / -ts / all-nsid / label
// keys before that. monitor-json.ts defines the format.
import { readFileSync } from 'node:fs';
import {
  type Address,
  decodeValue,
  type Link,
  Monitor,
  type Neighbor,
  type NetlinkMessage,
  type NsidInfo,
  type Route,
  RTM_DELADDR,
  RTM_DELLINK,
  RTM_DELNEIGH,
  RTM_DELNSID,
  RTM_DELROUTE,
  RTM_DELRULE,
  RTM_F,
  RTM_GETNEIGH,
  RTM_NEWADDR,
  RTM_NEWLINK,
  RTM_NEWNEIGH,
  RTM_NEWNSID,
  RTM_NEWROUTE,
  RTM_NEWRULE,
  type RtNetlink,
  type Rule,
} from '../../index.js';
import { Args, matches } from '../args.js';
import type { CliContext, GlobalOptions } from '../context.js';
import { forgetDevices, isNoDevice } from '../devices.js';
import { dumpFileMessages } from '../dumpfile.js';
import { CliError, CliUsageError, invarg } from '../errors.js';
import type { Output } from '../output.js';
import { printAddrinfo } from './address.js';
import {
  LinkNames,
  type LinkPrintEnv,
  loadKindPrinters,
  printLinkinfo,
  referencedIndexes,
} from './link-show.js';
import { type HeadField, JsonLinesOutput } from './monitor-json.js';
import {
  attrs,
  netconfIndex,
  type PrinterEnv,
  printAddrlabel,
  printNetconf,
  printNexthop,
  printNexthopBucket,
  printNsid,
  printPrefix,
} from './monitor-printers.js';
import { type NeighFilter, neighMatches, printNeigh } from './neighbour.js';
import {
  emptyFilter,
  familyNumber,
  nums,
  printRoute,
  type RouteFilter,
  routeMatches,
} from './route.js';
import { printRule } from './rule.js';

export const help = `Usage: rtnl monitor [ all | OBJECTS ] [ FILE ] [ label ] [ all-nsid ]
                    [ dev DEVICE ]
OBJECTS :=  address | link | mroute | neigh | netconf |
            nexthop | nsid | prefix | route | rule | stats
FILE := file FILENAME
`;

// rtnetlink message types (<linux/rtnetlink.h>) and NLMSG_* (<linux/netlink.h>).
const NLMSG_NOOP = 1;
const NLMSG_ERROR = 2;
const NLMSG_DONE = 3;
/** iproute2's pseudo message type for the time stamps rtmon writes (libnetlink.h). */
const NLMSG_TSTAMP = 15;
const RTM_NEWPREFIX = 52;
const RTM_NEWADDRLABEL = 72;
const RTM_DELADDRLABEL = 73;
const RTM_NEWNETCONF = 80;
const RTM_DELNETCONF = 81;
const RTM_NEWSTATS = 92;
const RTM_NEWNEXTHOP = 104;
const RTM_DELNEXTHOP = 105;
const RTM_NEWNEXTHOPBUCKET = 116;
const RTM_DELNEXTHOPBUCKET = 117;

/** RTM_F_CLONED: ip monitor drops cached routes. */
/** RTNL_FAMILY_IPMR / RTNL_FAMILY_IP6MR: multicast routes. */
const RTNL_FAMILY_IPMR = 128;
const RTNL_FAMILY_IP6MR = 129;
const NLMSG_HDRLEN = 16;

// enum rtnetlink_groups (<linux/rtnetlink.h>).
const G = {
  link: 1,
  neigh: 3,
  ipv4Ifaddr: 5,
  ipv4Mroute: 6,
  ipv4Route: 7,
  ipv4Rule: 8,
  ipv6Ifaddr: 9,
  ipv6Mroute: 10,
  ipv6Route: 11,
  ipv6Prefix: 18,
  ipv6Rule: 19,
  ipv4Netconf: 24,
  ipv6Netconf: 25,
  mplsRoute: 27,
  nsid: 28,
  mplsNetconf: 29,
  nexthop: 32,
  stats: 36,
} as const;

type Fam = 'inet' | 'inet6' | 'mpls' | undefined;

/**
 * The object words in ip's order (the first a word is a prefix of wins, so `n` is neigh) with
 * the groups each joins: [group, family that must be preferred or unset].
 */
const OBJECT_WORDS: readonly (readonly [string, readonly (readonly [number, Fam])[]])[] = [
  ['link', [[G.link, undefined]]],
  [
    'address',
    [
      [G.ipv4Ifaddr, 'inet'],
      [G.ipv6Ifaddr, 'inet6'],
    ],
  ],
  [
    'route',
    [
      [G.ipv4Route, 'inet'],
      [G.ipv6Route, 'inet6'],
      [G.mplsRoute, 'mpls'],
    ],
  ],
  [
    'mroute',
    [
      [G.ipv4Mroute, 'inet'],
      [G.ipv6Mroute, 'inet6'],
    ],
  ],
  ['prefix', [[G.ipv6Prefix, 'inet6']]],
  ['neigh', [[G.neigh, undefined]]],
  [
    'netconf',
    [
      [G.ipv4Netconf, 'inet'],
      [G.ipv6Netconf, 'inet6'],
      [G.mplsNetconf, 'mpls'],
    ],
  ],
  [
    'rule',
    [
      [G.ipv4Rule, 'inet'],
      [G.ipv6Rule, 'inet6'],
    ],
  ],
  ['nsid', [[G.nsid, undefined]]],
  ['nexthop', [[G.nexthop, undefined]]],
];

/** What the words after `monitor` ask for. */
export interface MonitorRequest {
  /** The multicast groups to join, sorted. */
  groups: number[];
  /** Print `[LINK]`-style banners (`all` or `label`). */
  banner: boolean;
  /** `file FILE`: replay it instead of listening. */
  file?: string;
  /** `dev DEVICE`. */
  dev?: string;
  /** `all-nsid`: events of every namespace this one has an id for, each headed `[nsid N]`. */
  allNsid: boolean;
}

/** Parse `rtnl monitor` words as do_ipmonitor does. */
export function parseMonitorArgs(args: readonly string[], opts: GlobalOptions): MonitorRequest {
  const req: MonitorRequest = { groups: [], banner: false, allNsid: false };
  const chosen = new Set<number>();
  let objects = false;
  const fam = opts.family;
  const words = new Args(args);
  while (!words.done) {
    const w = words.next()!;
    if (matches(w, 'file')) {
      req.file = words.needValue();
      continue;
    }
    if (matches(w, 'label')) {
      req.banner = true;
      continue;
    }
    const obj = OBJECT_WORDS.find(([name]) => matches(w, name));
    if (obj) {
      objects = true;
      for (const [group, only] of obj[1]) if (!fam || !only || fam === only) chosen.add(group);
    } else if (w === 'stats') {
      objects = true;
      chosen.add(G.stats);
    } else if (w === 'all') {
      req.banner = true;
    } else if (matches(w, 'all-nsid')) {
      req.allNsid = true;
    } else if (matches(w, 'help')) {
      throw new CliError(help.trimEnd(), 255);
    } else if (w === 'dev') {
      req.dev = words.needValue();
    } else {
      throw new CliUsageError(`Argument "${w}" is unknown, try "rtnl monitor help".`);
    }
  }
  if (!objects) {
    // No object word: all of them (ip 6.1 sets every l* flag), so -4 / -6 narrow them too.
    for (const [, groups] of OBJECT_WORDS) {
      for (const [group, only] of groups) if (!fam || !only || fam === only) chosen.add(group);
    }
    chosen.add(G.stats);
  }
  req.groups = [...chosen].sort((a, b) => a - b);
  return req;
}

// ---------------------------------------------------------------------------------------------
// Time stamps (lib/utils.c print_timestamp, libnetlink.c print_nlmsg_timestamp).

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n: number) => String(n).padStart(2, '0');

/** asctime(localtime(secs)) without its newline: `Sun Nov 29 08:09:22 2026`. */
export function asctime(secs: number): string {
  const d = new Date(secs * 1000);
  const time = `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
  return `${DAYS[d.getDay()]} ${MONTHS[d.getMonth()]} ${String(d.getDate()).padStart(2)} ${time} ${d.getFullYear()}`;
}

/** -t's text without `Timestamp: ` (`Sun Nov 29 08:09:22 2026 123456 usec`), -ts's without `[]`. */
export function timestampValue(short: boolean, micros: bigint): string {
  const secs = Number(micros / 1_000_000n);
  const usec = Number(micros % 1_000_000n);
  if (!short) return `${asctime(secs)} ${usec} usec`;
  const d = new Date(secs * 1000);
  const date = `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}`;
  const time = `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
  return `${date}T${time}.${String(usec).padStart(6, '0')}`;
}

/** `-t`: `Timestamp: <asctime> <usec> usec\n`; `-ts`: `[YYYY-MM-DDTHH:MM:SS.uuuuuu] `. */
export function timestampText(short: boolean, micros: bigint): string {
  const v = timestampValue(short, micros);
  return short ? `[${v}] ` : `Timestamp: ${v}\n`;
}

/** The wall clock in microseconds (gettimeofday). */
function nowMicros(): bigint {
  return BigInt(Math.floor((performance.timeOrigin + performance.now()) * 1000));
}

/** What handling an event needs. */
interface MonitorState {
  ctx: CliContext;
  out: Output;
  /** With -j: `out`, as the JSON Lines output (an event per line). */
  json: JsonLinesOutput | undefined;
  /** What the printers of monitor-printers.ts need. */
  env: PrinterEnv;
  rt: RtNetlink;
  names: MonitorNames;
  req: MonitorRequest;
  /** The ifindex of `dev DEVICE`, 0 for none. */
  ifindex: number;
  family: number;
  linkEnv: LinkPrintEnv;
  routeFilter: RouteFilter;
  neighFilter: NeighFilter;
}

/**
 * ip's ll_map as the monitor keeps it: filled by a link dump at start (live only), learns each
 * RTM_NEWLINK (a known index keeps its first name, as ip's ll_remember_index does), forgets on
 * RTM_DELLINK, and asks the kernel about an index it lacks (ll_link_get), else `ifN`.
 */
class MonitorNames extends LinkNames {
  private readonly map = new Map<number, string>();
  private readonly client: RtNetlink;
  /** The client the printers get: its `links.get(index)` answers from this map first. */
  readonly printRt: RtNetlink;

  constructor(rt: RtNetlink) {
    super(rt);
    this.client = rt;
    // Methods run on the real objects (their private fields do not exist on a proxy).
    const own = (target: object, key: string | symbol): unknown => {
      const v: unknown = Reflect.get(target, key);
      return typeof v === 'function' ? v.bind(target) : v;
    };
    const links = new Proxy(rt.links, {
      get: (target, key) => {
        if (key !== 'get') return own(target, key);
        return async (dev: unknown) => {
          if (typeof dev === 'number' && this.map.has(dev)) {
            return { index: dev, name: this.map.get(dev) };
          }
          return target.get(dev as never);
        };
      },
    });
    this.printRt = new Proxy(rt, {
      get: (target, key) => (key === 'links' ? links : own(target, key)),
    });
  }

  /** ll_remember_index. */
  remember(index: number, name: string | undefined): void {
    if (name === undefined) this.map.delete(index);
    else if (!this.map.has(index)) this.map.set(index, name);
    // The printers' device cache must not outlive a change of this map.
    forgetDevices();
  }

  override name(index: number): string {
    if (index === 0) return '*';
    return this.map.get(index) ?? `if${index}`;
  }

  /** Look up, once, the indexes the next printout needs (ll_link_get). */
  async resolve(indexes: Iterable<number>): Promise<void> {
    for (const i of indexes) {
      if (i <= 0 || this.map.has(i)) continue;
      try {
        this.map.set(i, (await this.client.links.get(i)).name);
      } catch (err) {
        if (!isNoDevice(err)) throw err;
      }
    }
  }
}

/** What an event's header says besides ip's banner. */
interface EventHead {
  /** The id of the namespace the event came from (all-nsid), -1 for the monitor's own. */
  nsid?: number;
  /** `"deleted": true` in JSON (the text printers print their own `Deleted `). */
  deleted?: boolean;
  /** `"miss": null` in JSON (RTM_GETNEIGH). */
  miss?: boolean;
}

/**
 * ipmonitor.c print_headers: -t / -ts time, `[nsid N]` (all-nsid), the banner (label / all).
 * With -j, it starts the event's object with the same facts as keys (monitor-json.ts).
 */
function printHeaders(st: MonitorState, banner: string, head: EventHead = {}): void {
  const t = st.ctx.opts.timestamp;
  const now = t ? nowMicros() : 0n;
  const nsid = head.nsid ?? -1;
  if (st.json) {
    const fields: HeadField[] = [];
    if (t) fields.push([t === 2 ? 'timestamp_short' : 'timestamp', timestampValue(t === 2, now)]);
    if (st.req.allNsid) fields.push(['source_nsid', nsid]);
    if (st.req.banner) fields.push(['object', banner.slice(1, -1).toLowerCase()]);
    if (head.deleted) fields.push(['deleted', true]);
    if (head.miss) fields.push(['miss', null]);
    st.json.beginEvent(fields);
    return;
  }
  if (t) st.out.print(timestampText(t === 2, now));
  if (st.req.allNsid) st.out.print(nsid < 0 ? '[nsid current]' : `[nsid ${nsid}]`);
  if (st.req.banner) st.out.print(banner);
}

function unsupported(st: MonitorState, what: string): void {
  st.out.error(`rtnl monitor: ${what} messages are not printed by rtnl (not supported)`);
}

/**
 * ipmonitor.c accept_msg: print one message. `nsid`: the id of the namespace it came from
 * (all-nsid), -1 for the monitor's own.
 */
export async function printMessage(st: MonitorState, m: NetlinkMessage, nsid = -1): Promise<void> {
  try {
    await printOne(st, m, nsid);
  } finally {
    st.json?.endEvent();
  }
}

async function printOne(st: MonitorState, m: NetlinkMessage, nsid: number): Promise<void> {
  const { out, opts } = { out: st.out, opts: st.ctx.opts };
  switch (m.type) {
    case RTM_NEWROUTE:
    case RTM_DELROUTE: {
      if (m.payload.length < 12) {
        out.error(`BUG: wrong nlmsg len ${m.payload.length - 12}`);
        return;
      }
      if (m.payload.readUInt32LE(8) & RTM_F.cloned) return;
      const family = m.payload[0]!;
      if (family === RTNL_FAMILY_IPMR || family === RTNL_FAMILY_IP6MR) {
        unsupported(st, '[MROUTE]');
        return;
      }
      const deleted = m.type === RTM_DELROUTE;
      printHeaders(st, '[ROUTE]', { nsid, deleted });
      // print_route's own filter (after the banner): -4 / -6, `dev`.
      if (st.family && family !== st.family) return;
      const r = decodeValue('route', m) as Route;
      const n = nums(r);
      if (!routeMatches(st.routeFilter, r, n, 0)) return;
      const a = r.attributes as { oif?: number; iif?: number; multipath?: { ifindex?: number }[] };
      const idx = [a.oif ?? 0, a.iif ?? 0, ...(a.multipath ?? []).map((h) => h.ifindex ?? 0)];
      await st.names.resolve(idx);
      if (deleted) out.text('Deleted ');
      await printRoute(
        {
          rt: st.rt,
          out,
          details: opts.details,
          stats: opts.stats,
          numeric: opts.numeric,
          filter: st.routeFilter,
        },
        r,
        n,
      );
      return;
    }
    case RTM_NEWLINK:
    case RTM_DELLINK: {
      const link = decodeValue('link', m) as Link;
      // ll_remember_index: learn a new device, forget a deleted one.
      st.names.remember(link.index, m.type === RTM_DELLINK ? undefined : link.name);
      if (st.ifindex && link.index !== st.ifindex) return;
      await st.names.resolve(referencedIndexes(link));
      printHeaders(st, '[LINK]', { nsid });
      // The monitor's filter has no showqueue: no `qlen` (JSON: what `ip -j link show` prints).
      const { txqlen: _qlen, ...attributes } = link.attributes;
      const shown: Link = st.json ? link : { ...link, attributes };
      out.openObject();
      printLinkinfo(st.linkEnv, shown, m.type === RTM_DELLINK);
      out.closeObject();
      return;
    }
    case RTM_NEWADDR:
    case RTM_DELADDR: {
      const a = decodeValue('address', m) as Address;
      if (st.ifindex && a.index !== st.ifindex) return;
      await st.names.resolve([a.index]);
      printHeaders(st, '[ADDR]', { nsid });
      out.openObject();
      printAddrinfo(
        out,
        a,
        { brief: opts.brief, oneline: true, numeric: opts.numeric },
        st.names,
        m.type === RTM_DELADDR,
      );
      out.closeObject();
      return;
    }
    case RTM_NEWNEIGH:
    case RTM_DELNEIGH:
    case RTM_GETNEIGH: {
      if (st.family && m.payload[0] !== st.family) return;
      const n = decodeValue('neighbor', m) as Neighbor;
      if (!neighMatches(st.neighFilter, n)) return;
      const deleted = m.type === RTM_DELNEIGH;
      const miss = m.type === RTM_GETNEIGH;
      printHeaders(st, '[NEIGH]', { nsid, deleted, miss });
      if (deleted) out.text('Deleted ');
      else if (miss) out.text('miss ');
      await printNeigh(
        {
          rt: st.rt,
          out,
          stats: opts.stats,
          brief: opts.brief,
          numeric: opts.numeric,
          filter: st.neighFilter,
        },
        n,
      );
      return;
    }
    case RTM_NEWRULE:
    case RTM_DELRULE: {
      const deleted = m.type === RTM_DELRULE;
      printHeaders(st, '[RULE]', { nsid, deleted });
      if (st.family && m.payload[0] !== st.family) return;
      const r = decodeValue('rule', m) as Rule;
      if (deleted) out.text('Deleted ');
      printRule({ out, details: opts.details, numeric: opts.numeric }, r);
      return;
    }
    case NLMSG_TSTAMP: {
      if (m.payload.length < 8) return;
      const secs = m.payload.readUInt32LE(0);
      const usecs = m.payload.readUInt32LE(4);
      const text = `${asctime(secs)} ${usecs} us`;
      if (st.json) st.json.line([['timestamp', text]]);
      else out.print(`Timestamp: ${text}\n`);
      return;
    }
    case RTM_NEWNETCONF:
    case RTM_DELNETCONF: {
      if (m.payload.length < 4) return;
      const index = netconfIndex(m);
      if (st.ifindex && index !== st.ifindex) return;
      if (index !== undefined && index > 0) await st.names.resolve([index]);
      printHeaders(st, '[NETCONF]', { nsid });
      printNetconf(st.env, m);
      return;
    }
    case RTM_NEWNSID:
    case RTM_DELNSID:
      printHeaders(st, '[NSID]', { nsid });
      printNsid(st.env, m, decodeValue('nsid', m) as NsidInfo);
      return;
    case RTM_NEWNEXTHOP:
    case RTM_DELNEXTHOP:
      await st.names.resolve(nexthopIndexes(m));
      printHeaders(st, '[NEXTHOP]', { nsid });
      printNexthop(st.env, m);
      return;
    case RTM_NEWNEXTHOPBUCKET:
    case RTM_DELNEXTHOPBUCKET:
      printHeaders(st, '[NEXTHOPBUCKET]', { nsid });
      printNexthopBucket(st.env, m);
      return;
    case RTM_NEWADDRLABEL:
    case RTM_DELADDRLABEL:
      if (m.payload.length >= 8) await st.names.resolve([m.payload.readUInt32LE(4)]);
      printHeaders(st, '[ADDRLABEL]', { nsid });
      printAddrlabel(st.env, m);
      return;
    case RTM_NEWPREFIX:
      if (m.payload.length >= 8) await st.names.resolve([m.payload.readInt32LE(4)]);
      printHeaders(st, '[PREFIX]', { nsid });
      printPrefix(st.env, m, st.family);
      return;
    case RTM_NEWSTATS:
      unsupported(st, '[STATS]');
      return;
    case NLMSG_ERROR:
    case NLMSG_NOOP:
    case NLMSG_DONE:
      return;
    default: {
      const hex = (v: number) => `0x${(v >>> 0).toString(16).padStart(8, '0')}`;
      const len = m.payload.length + NLMSG_HDRLEN;
      out.error(
        `Unknown message: type=${hex(m.type)}(${m.type}) flags=${hex(m.flags)}(${m.flags}) len=${hex(len)}(${len})`,
      );
    }
  }
}

/** The device a nexthop message names (NHA_OIF), for the name lookup before printing. */
function nexthopIndexes(m: NetlinkMessage): number[] {
  const oif = m.payload.length >= 8 ? attrs(m.payload, 8).get(5) : undefined; // NHA_OIF
  return oif && oif.length >= 4 ? [oif.readUInt32LE(0)] : [];
}

async function makeState(ctx: CliContext, req: MonitorRequest): Promise<MonitorState> {
  const client = await ctx.rt();
  // -j: one JSON object per event and per line (monitor-json.ts); ip prints text.
  const json = ctx.opts.json ? new JsonLinesOutput(ctx.opts) : undefined;
  const out = json ?? ctx.out;
  const names = new MonitorNames(client);
  const rt = names.printRt;
  let ifindex = 0;
  if (req.dev !== undefined) {
    try {
      ifindex = (await client.links.get(req.dev)).index;
    } catch {
      ifindex = 0;
    }
    if (!ifindex) throw invarg('Device does not exist\n', req.dev);
  }
  const routeFilter = emptyFilter();
  if (ifindex) {
    routeFilter.oif = ifindex;
    routeFilter.oifmask = -1;
  }
  const neighFilter: NeighFilter = {
    family: 0,
    index: ifindex,
    state: ~0,
    unusedOnly: false,
    protocol: 0,
  };
  const kinds = await loadKindPrinters(ctx.opts.details);
  return {
    ctx,
    out,
    json,
    env: {
      out,
      name: (index) => names.name(index),
      numeric: ctx.opts.numeric,
      details: ctx.opts.details,
    },
    rt,
    names,
    req,
    ifindex,
    family: familyNumber(ctx.opts.family),
    routeFilter,
    neighFilter,
    linkEnv: {
      out,
      opts: ctx.opts,
      names,
      // JSON: the object `ip -j link show` prints (ip link's do_link keys too).
      doLink: json !== undefined,
      family: undefined,
      ...(kinds ? { kinds } : {}),
    },
  };
}

async function replay(ctx: CliContext, req: MonitorRequest, file: string): Promise<number> {
  let data: Buffer;
  try {
    data = readFileSync(file);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const text = e.code === 'ENOENT' ? 'No such file or directory' : (e.message ?? String(err));
    throw new CliError(`Cannot fopen: ${text}`, 255);
  }
  const st = await makeState(ctx, req);
  const it = dumpFileMessages(data);
  for (;;) {
    const next = it.next();
    if (next.done) {
      st.out.flush();
      if (next.value === undefined) return 0;
      st.out.error(next.value);
      return 1; // rtnl_from_file's -1, as do_ipmonitor returns it
    }
    await printMessage(st, next.value);
  }
}

async function listen(ctx: CliContext, req: MonitorRequest): Promise<number> {
  const mon = await Monitor.open({
    groups: req.groups,
    // NETLINK_LISTEN_ALL_NSID: each event says which namespace it came from (`e.nsid`).
    ...(req.allNsid ? { allNsid: true } : {}),
    ...(ctx.opts.netns !== undefined ? { netns: ctx.opts.netns } : {}),
  });
  const st = await makeState(ctx, req);
  // ll_init_map: every device's name, after joining the groups (as ip does).
  for (const l of await st.rt.links.list()) st.names.remember(l.index, l.name);
  // Events are printed one at a time, in order, each flushed (ip fflush()es after each).
  let chain: Promise<void> = Promise.resolve();
  return await new Promise<number>((resolve, reject) => {
    mon.on('event', (e) => {
      chain = chain
        .then(() => printMessage(st, e.message, e.nsid ?? -1))
        .then(() => st.out.flush())
        .catch((err: unknown) => {
          mon.close();
          reject(err);
        });
    });
    mon.on('error', (err) => st.out.error(`rtnl monitor: ${err.message}`));
    mon.on('close', () => resolve(0));
  });
}

/** `rtnl monitor …`. */
export default async function monitor(ctx: CliContext, args: string[]): Promise<number> {
  const req = parseMonitorArgs(args, ctx.opts);
  if (req.file !== undefined) return replay(ctx, req, req.file);
  return listen(ctx, req);
}
