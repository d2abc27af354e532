// `rtnl address`: show / add / change / replace / delete / flush, with ip's words, filters,
// output and exit statuses (iproute2 6.1 ip/ipaddress.c: do_ipaddr, ipaddr_modify,
// ipaddr_list_flush_or_save, ipaddr_filter, print_addrinfo, print_ifa_flags, ipaddr_flush).
import {
  type Address,
  AF_INET,
  AF_INET6,
  type Link,
  type LinkFilter,
  type NetlinkMessage,
  RTM_DELADDR,
  RTM_GETADDR,
  RTM_NEWADDR,
  type RtNetlink,
} from '../../index.js';
import { Args, getPrefix1, type InetPrefix, matches, parseAddr, parsePrefix } from '../args.js';
import type { CliContext, CliFamily } from '../context.js';
import {
  ADDRESS_DUMP_MAGIC,
  dumpFileMessages,
  readDumpFile,
  restoreMessages,
  saveDump,
} from '../dumpfile.js';
import {
  CliError,
  CliUsageError,
  duparg,
  duparg2,
  formatNetlinkError,
  invarg,
  nodev,
  unknownCommand,
} from '../errors.js';
import type { Output } from '../output.js';
import { linkPasses, linkSelector, nameToIndex, type ShowFilter } from './link.js';
import {
  compressIPv6,
  LinkNames,
  type LinkPrintEnv,
  loadKindPrinters,
  printLinkinfo,
  printLinkStats,
  referencedIndexes,
} from './link-show.js';
import { enumNumber, familyName, familyNumber } from './route.js';

/** Usage of `rtnl address` (printed for `rtnl address help`). */
export const help = `Usage: rtnl address { add | change | replace | delete } IFADDR dev DEVICE [ OPTIONS ]
       rtnl address [ show ] [ dev DEVICE ] [ FILTERS ]
       rtnl address flush FILTERS (at least one)
       rtnl address save [ dev DEVICE ] > FILE
       rtnl address { showdump | restore } < FILE
       rtnl address help

IFADDR   ADDRESS[/LEN]  or  ADDRESS peer ADDRESS[/LEN]
OPTIONS  broadcast { ADDRESS | + | - }   anycast ADDRESS   label DEVICE[:NAME]
         scope { global | site | link | host | NUMBER }   metric NUMBER
         valid_lft { SECONDS | forever }   preferred_lft { SECONDS | forever }
         home  nodad  optimistic  mngtmpaddr  noprefixroute  autojoin
FILTERS  to PREFIX   scope SCOPE|all   label PATTERN   up   group GROUP
         master DEVICE   nomaster   type KIND   and address flags, each maybe negated
         with '-': permanent dynamic secondary primary tentative deprecated dadfailed
         temporary home nodad mngtmpaddr noprefixroute autojoin stable-privacy
`;

const INFINITY_LIFE_TIME = 0xffffffff;
const IFF_UP = 1;
const EADDRNOTAVAIL = 99;

// IFA_F_* bits (<linux/if_addr.h>).
const IFA_F_SECONDARY = 0x01;
const IFA_F_DEPRECATED = 0x20;
const IFA_F_PERMANENT = 0x80;
const IFA_F_MCAUTOJOIN = 0x400;

/** ip's ifa_flag_data table: name, mask, read-only, IPv6 only; the order print_ifa_flags uses. */
const IFA_FLAG_DATA: readonly (readonly [string, number, boolean, boolean])[] = [
  ['secondary', 0x01, true, false],
  ['temporary', 0x01, true, false],
  ['nodad', 0x02, false, true],
  ['optimistic', 0x04, false, true],
  ['dadfailed', 0x08, true, true],
  ['home', 0x10, false, true],
  ['deprecated', 0x20, true, true],
  ['tentative', 0x40, true, true],
  ['permanent', 0x80, true, true],
  ['mngtmpaddr', 0x100, false, true],
  ['noprefixroute', 0x200, false, false],
  ['autojoin', 0x400, false, false],
  ['stable-privacy', 0x800, true, true],
];

/** The library's names of the settable flags. */
const SETTABLE_NAMES: Record<string, string> = {
  nodad: 'nodad',
  optimistic: 'optimistic',
  home: 'homeaddress',
  mngtmpaddr: 'managetempaddr',
  noprefixroute: 'noprefixroute',
  autojoin: 'mcautojoin',
};

const SCOPE_NAMES: Record<number, string> = {
  0: 'global',
  200: 'site',
  253: 'link',
  254: 'host',
  255: 'nowhere',
};
const SCOPE_NUM: Record<string, number> = {
  universe: 0,
  global: 0,
  site: 200,
  link: 253,
  host: 254,
  nowhere: 255,
};

/** rtnl_rtscope_n2a. */
function scopeName(scope: number, numeric: boolean): string {
  return numeric ? String(scope) : (SCOPE_NAMES[scope] ?? String(scope));
}

/** rtnl_rtscope_a2n: a scope word or a number 0..255. */
function scopeNumber(arg: string): number | undefined {
  if (Object.hasOwn(SCOPE_NUM, arg) && arg !== 'universe') return SCOPE_NUM[arg];
  const m = /^(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/.exec(arg);
  if (!m) return undefined;
  const v = Number(/^0[0-7]+$/.test(arg) ? Number.parseInt(arg, 8) : Number(arg));
  return v <= 255 ? v : undefined;
}

/** The filters of `ip address show|flush` (struct filter of ip/ipaddress.c). */
interface AddrFilter extends ShowFilter {
  family: number;
  pfx?: InetPrefix;
  scope: number;
  scopemask: number;
  flags: number;
  flagmask: number;
  /** The device's ifindex once `dev` is resolved. */
  ifindex?: number;
}

/** get_filter: a FLAG word of FLAG-LIST (with `-` inverting). */
function flagFilter(f: AddrFilter, word: string): boolean {
  let arg = word;
  let inv = false;
  if (arg.startsWith('-')) {
    inv = true;
    arg = arg.slice(1);
  }
  if (arg === 'dynamic') {
    inv = !inv;
    arg = 'permanent';
  } else if (arg === 'primary') {
    inv = !inv;
    arg = 'secondary';
  }
  const row = IFA_FLAG_DATA.find(([name]) => name === arg);
  if (!row) return false;
  if (inv) f.flags &= ~row[1];
  else f.flags |= row[1];
  f.flagmask |= row[1];
  return true;
}

function addrFlags(a: Address): number {
  return a.flags.raw >>> 0;
}

function scopeOf(a: Address): number {
  return enumNumber(SCOPE_NUM, a.scope);
}

/** The local address of an entry (IFA_LOCAL, else IFA_ADDRESS). */
function localOf(a: Address): string | undefined {
  return a.attributes.local ?? a.attributes.address;
}

function addrBytes(text: string): number[] {
  if (text.includes(':')) {
    const [head, tail] = text.split('::') as [string, string | undefined];
    const parse = (s: string) => (s ? s.split(':') : []);
    let h = parse(head);
    let t = tail === undefined ? [] : parse(tail);
    const v4 = (parts: string[]) => {
      const last = parts[parts.length - 1];
      if (last?.includes('.')) {
        const b = last.split('.').map(Number);
        parts.splice(
          parts.length - 1,
          1,
          ((b[0]! << 8) | b[1]!).toString(16),
          ((b[2]! << 8) | b[3]!).toString(16),
        );
      }
      return parts;
    };
    h = v4(h);
    t = v4(t);
    const groups = [...h, ...Array(8 - h.length - t.length).fill('0'), ...t].map((g) =>
      Number.parseInt(g, 16),
    );
    return groups.flatMap((g) => [g >> 8, g & 255]);
  }
  return text.split('.').map(Number);
}

/** inet_addr_match_rta with the `to PREFIX` filter. */
function prefixMatches(pfx: InetPrefix | undefined, addr: string | undefined): boolean {
  if (!pfx || addr === undefined || pfx.prefixlen <= 0) return true;
  const isV6 = addr.includes(':');
  if ((pfx.family === 'inet6') !== isV6) return false;
  const a = addrBytes(addr);
  const b = addrBytes(pfx.address);
  let bits = pfx.prefixlen;
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if (((a[i] ?? 0) & mask) !== ((b[i] ?? 0) & mask)) return false;
  }
  return true;
}

/** fnmatch(3) without flags, for `label PATTERN`. */
function fnmatch(pattern: string, text: string): boolean {
  let re = '^';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end < 0) re += '\\[';
      else {
        let set = pattern.slice(i + 1, end);
        if (set.startsWith('!')) set = `^${set.slice(1)}`;
        re += `[${set.replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else if (c === '\\' && i + 1 < pattern.length) re += `\\${pattern[++i]}`;
    else re += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`${re}$`, 's').test(text);
}

/** The per-address checks print_addrinfo and ipaddr_filter make. */
function addrPasses(a: Address, f: AddrFilter, names: LinkNames, withIndex = true): boolean {
  if (withIndex && f.dev !== undefined && f.ifindex !== undefined && a.index !== f.ifindex) {
    return false;
  }
  if ((f.scope ^ scopeOf(a)) & f.scopemask) return false;
  if ((f.flags ^ addrFlags(a)) & f.flagmask) return false;
  if (f.family && f.family !== a.family) return false;
  if (f.label !== undefined) {
    const label = a.attributes.label ?? names.name(a.index);
    if (!fnmatch(f.label, label)) return false;
  }
  return prefixMatches(f.pfx, localOf(a));
}

type AddrFilterWithIndex = AddrFilter;

/** format_host_rta: the address as text (rtnl never resolves names). */
function hostText(addr: string): string {
  if (!addr.includes(':')) return addr;
  const b = addrBytes(addr);
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((b[i]! << 8) | b[i + 1]!);
  return compressIPv6(groups);
}

/** print_ifa_flags. */
function printIfaFlags(out: Output, a: Address, raw: number): void {
  let flags = raw;
  for (const [name, mask] of IFA_FLAG_DATA) {
    if (mask === IFA_F_PERMANENT) {
      if (!(flags & mask)) out.any('dynamic', true, 'dynamic ');
    } else if (flags & mask) {
      if (mask === IFA_F_SECONDARY && a.family === AF_INET6) {
        out.any('temporary', true, 'temporary ');
      } else {
        out.text(`${name} `);
        out.jsonOnly(name, true);
      }
    }
    flags &= ~mask;
  }
  if (flags) {
    const h = flags.toString(16).padStart(2, '0');
    if (out.jsonContext) out.jsonOnly('ifa_flags', h);
    else out.print(`flags ${h} `);
  }
}

/** print_addrinfo: one address (inside an open JSON object). */
export function printAddrinfo(
  out: Output,
  a: Address,
  opts: { brief: boolean; oneline: boolean; numeric: boolean },
  names: LinkNames,
  deleted = false,
): void {
  const at = a.attributes;
  const flags = addrFlags(a);
  if (deleted) out.any('deleted', true, 'Deleted ');
  if (!opts.brief) {
    if (opts.oneline) {
      const dev = names.name(a.index);
      if (out.jsonContext) {
        out.jsonOnly('index', a.index);
        out.jsonOnly('dev', dev);
      } else out.print(`${a.index}: ${dev}`);
    }
    const name = familyName(a.family);
    if (!name.startsWith('?')) out.any('family', name, `    ${name} `);
    else out.any('family_index', a.family, `    family ${a.family} `);
  }
  const color = a.family === AF_INET ? 'inet' : a.family === AF_INET6 ? 'inet6' : undefined;
  const local = at.local ?? at.address;
  const address = at.address ?? at.local;
  if (local !== undefined) {
    out.any('local', hostText(local), hostText(local), color);
    if (address !== undefined && hostText(address) !== hostText(local)) {
      out.text(' peer ');
      out.any('address', hostText(address), hostText(address), color);
    }
    out.any('prefixlen', a.prefixlen, `/${a.prefixlen} `);
    if (at.rtPriority !== undefined) out.any('metric', at.rtPriority, `metric ${at.rtPriority} `);
  }
  if (opts.brief) return;
  if (at.broadcast !== undefined) {
    out.text('brd ');
    out.any('broadcast', hostText(at.broadcast), `${hostText(at.broadcast)} `, color);
  }
  if (at.anycast !== undefined) {
    out.text('any ');
    out.any('anycast', hostText(at.anycast), `${hostText(at.anycast)} `, color);
  }
  const scope = scopeName(scopeOf(a), opts.numeric);
  out.any('scope', scope, `scope ${scope} `);
  printIfaFlags(out, a, flags);
  if (at.label !== undefined) out.any('label', at.label, at.label);
  const ci = at.cacheinfo;
  if (ci) {
    out.nl();
    out.text('       valid_lft ');
    if (ci.ifa_valid === INFINITY_LIFE_TIME) {
      out.jsonOnly('valid_life_time', INFINITY_LIFE_TIME);
      out.text('forever');
    } else out.any('valid_life_time', ci.ifa_valid, `${ci.ifa_valid}sec`);
    out.text(' preferred_lft ');
    if (ci.ifa_prefered === INFINITY_LIFE_TIME) {
      out.jsonOnly('preferred_life_time', INFINITY_LIFE_TIME);
      out.text('forever');
    } else if (flags & IFA_F_DEPRECATED) {
      const v = ci.ifa_prefered | 0;
      out.any('preferred_life_time', v, `${v}sec`);
    } else out.any('preferred_life_time', ci.ifa_prefered, `${ci.ifa_prefered}sec`);
  }
  out.text('\n');
}

/**
 * The filter of a show/flush/save command line and the client, `dev` resolved: or ip's exit
 * status 1 after `Device "X" does not exist.` when it names no device.
 */
async function filterAndClient(
  ctx: CliContext,
  words: string[],
): Promise<{ f: AddrFilterWithIndex; rt: RtNetlink } | number> {
  const f = await parseFilter(ctx, words);
  const rt = await ctx.rt();
  if (f.dev !== undefined) {
    f.ifindex = await nameToIndex(rt, f.dev);
    if (!f.ifindex) {
      ctx.out.error(`Device "${f.dev}" does not exist.`);
      return 1;
    }
  }
  return { f, rt };
}

/** Parse the filter words of `ip address show|flush`. */
async function parseFilter(ctx: CliContext, words: string[]): Promise<AddrFilterWithIndex> {
  const f: AddrFilterWithIndex = {
    family: familyNumber(ctx.opts.family),
    scope: 0,
    scopemask: 0,
    flags: 0,
    flagmask: 0,
  };
  const a = new Args(words);
  while (!a.done) {
    const w = a.next()!;
    if (w === 'to') {
      const v = a.needValue();
      const fam = f.family === AF_INET ? 'inet' : f.family === AF_INET6 ? 'inet6' : ctx.opts.family;
      const p = getPrefix1(v, fam === 'link' ? undefined : fam);
      if (!p) {
        if (fam === 'link') {
          throw new CliError(
            `Error: "${v}" may be inet prefix, but it is not allowed in this context.`,
            1,
          );
        }
        parsePrefix(v, fam);
        throw invarg('invalid "to"\n', v);
      }
      f.pfx = p;
      if (!f.family) f.family = familyNumber(p.family);
    } else if (w === 'scope') {
      const v = a.needValue();
      f.scopemask = -1;
      const s = scopeNumber(v);
      if (s === undefined) {
        if (v !== 'all') throw invarg('invalid "scope"\n', v);
        f.scope = 255;
        f.scopemask = 0;
      } else f.scope = s;
    } else if (w === 'up') f.up = true;
    else if (flagFilter(f, w)) {
      // a FLAG-LIST word
    } else if (w === 'label') f.label = a.needValue();
    else if (await linkSelector(ctx, a, w, f)) {
      // group, master, vrf, nomaster, type
    } else {
      let dev = w;
      if (w === 'dev') dev = a.needValue();
      else if (matches(w, 'help')) throw new CliUsageError(help.trimEnd());
      if (f.dev !== undefined) throw duparg2('dev', dev);
      f.dev = dev;
    }
  }
  return f;
}

async function addressShow(ctx: CliContext, words: string[]): Promise<number> {
  const { opts, out } = ctx;
  const parsed = await filterAndClient(ctx, words);
  if (typeof parsed === 'number') return parsed;
  const { f, rt } = parsed;
  const names = new LinkNames(rt);
  let links: Link[];
  if (f.ifindex) {
    links = [await rt.links.get(f.ifindex)];
  } else if (opts.family === 'inet6') {
    // The link dump uses the command line's family (preferred_family), not one `to` implied.
    links = await inet6Links(rt);
  } else {
    const lf: LinkFilter = {};
    if (f.master !== undefined && f.master > 0) lf.master = f.master;
    if (f.kind !== undefined) lf.kind = f.kind;
    links = await rt.links.list(lf);
    if (f.master === -1) links = links.filter((l) => !l.attributes.master);
  }
  for (const l of links) names.add(l);
  await names.ensure(links.flatMap(referencedIndexes));
  const isPacket = f.family === 17;
  let addrs: Address[] = [];
  const noLink = opts.oneline && !isPacket;
  if (!isPacket) {
    addrs = await listAddresses(rt, f);
    // ipaddr_filter: keep links with a matching address, or with none at all (any family).
    links = links.filter((l) => {
      let missing = true;
      for (const a of addrs) {
        if (a.index !== l.index) continue;
        missing = false;
        if (addrPasses(a, f, names, false)) return true;
      }
      return missing && (f.family === 0 || f.family === 17);
    });
  }
  const env: LinkPrintEnv = {
    out,
    opts,
    names,
    doLink: false,
    family: f.family === 0 ? undefined : familyName(f.family),
  };
  const kinds = await loadKindPrinters(opts.details);
  if (kinds) env.kinds = kinds;
  const printOpts = { brief: opts.brief, oneline: opts.oneline, numeric: opts.numeric };
  out.openJson();
  for (const l of links) {
    out.openObject();
    let res = 0;
    if (opts.brief || !noLink)
      res = linkPasses(l, f) && f.label === undefined ? (printLinkinfo(env, l) ? 1 : -1) : -1;
    if (f.label !== undefined && (opts.brief || !noLink)) res = 0;
    if (res >= 0 && !isPacket) {
      out.openArray('addr_info');
      for (const a of addrs) {
        if (a.index !== l.index || (f.family && f.family !== a.family)) continue;
        if (f.up && !(l.flags.raw & IFF_UP)) continue;
        // ip opens the object before print_addrinfo applies its own filters: an address they
        // drop still leaves an empty {} in the JSON.
        out.openObject();
        if (addrPasses(a, f, names)) printAddrinfo(out, a, printOpts, names);
        out.closeObject();
      }
      if (out.jsonContext) out.closeArray();
      if (opts.brief) out.text('\n');
    }
    if (res > 0 && opts.stats) {
      printLinkStats(out, l, opts.stats);
      out.nl();
    }
    out.closeObject();
  }
  out.closeJson();
  return 0;
}

/**
 * `ip -6 address` dumps links with ifi_family AF_INET6 (rtnl_linkdump_req), which the kernel's
 * IPv6 code answers with its own short messages (name, MTU, state, address, IFLA_PROTINFO):
 * built from the public codec, since the client's list() asks the generic dump.
 */
async function inet6Links(rt: RtNetlink): Promise<Link[]> {
  const { RTM_GETLINK, RTM_NEWLINK, decodeLink, linkMessage } = await import('../../index.js');
  const msgs = await rt.connection
    .dump(RTM_GETLINK, (w) =>
      linkMessage.encode(w, { header: { family: AF_INET6 }, attributes: {} }),
    )
    .list();
  const links = msgs.filter((m) => m.type === RTM_NEWLINK).map((m) => decodeLink(m));
  // Those messages carry no IFLA_TXQLEN; ip asks the SIOCGIFTXQLEN ioctl, which answers what
  // the generic dump reports.
  if (links.some((l) => l.attributes.txqlen === undefined)) {
    const qlen = new Map((await rt.links.list()).map((l) => [l.index, l.attributes.txqlen]));
    for (const l of links) {
      const q = qlen.get(l.index);
      if (l.attributes.txqlen === undefined && q !== undefined) l.attributes.txqlen = q;
    }
  }
  return links;
}

/** The address dump ip makes (family and ifindex filtered by the kernel). */
async function listAddresses(rt: RtNetlink, f: AddrFilterWithIndex): Promise<Address[]> {
  const filter: { family?: 'inet' | 'inet6'; dev?: number } = {};
  if (f.family === AF_INET) filter.family = 'inet';
  else if (f.family === AF_INET6) filter.family = 'inet6';
  if (f.ifindex) filter.dev = f.ifindex;
  if (f.family && f.family !== AF_INET && f.family !== AF_INET6) return [];
  return rt.addresses.list(filter);
}

// ---- flush ---------------------------------------------------------------------------------

async function addressFlush(ctx: CliContext, words: string[]): Promise<number> {
  const { out, opts } = ctx;
  if (words.length === 0) {
    out.error('Flush requires arguments.');
    return 1;
  }
  if (opts.family === 'link') {
    out.error('Cannot flush link addresses.');
    return 1;
  }
  const parsed = await filterAndClient(ctx, words);
  if (typeof parsed === 'number') return parsed;
  const { f, rt } = parsed;
  const names = new LinkNames(rt, await rt.links.list());
  const loops = opts.loops;
  for (let round = 0; loops === 0 || round < loops; ) {
    const all = await listAddresses(rt, f);
    const victims = all.filter((a) => addrPasses(a, f, names) && !(f.up && false));
    if (victims.length === 0) {
      if (opts.stats) {
        out.print(
          round === 0
            ? 'Nothing to flush.\n'
            : `*** Flush is complete after ${round} round${round > 1 ? 's' : ''} ***\n`,
        );
      }
      return 0;
    }
    round++;
    for (const a of victims) {
      const local = localOf(a);
      if (local === undefined) continue;
      const spec: Record<string, unknown> = { dev: a.index, address: `${local}/${a.prefixlen}` };
      const peer = a.attributes.address;
      if (peer !== undefined && peer !== local) spec.peer = `${peer}/${a.prefixlen}`;
      try {
        await rt.addresses.delete(
          spec as unknown as Parameters<RtNetlink['addresses']['delete']>[0],
        );
      } catch (err) {
        if ((err as { errno?: unknown }).errno !== EADDRNOTAVAIL) {
          out.error(`Failed to send flush request: ${(err as Error).message}`);
          return 1;
        }
      }
      if (opts.stats > 1) {
        out.openObject();
        printAddrinfo(out, a, { brief: false, oneline: true, numeric: opts.numeric }, names, true);
        out.closeObject();
      }
    }
    if (opts.stats) out.print(`\n*** Round ${round}, deleting ${victims.length} addresses ***\n`);
    // Flushing primaries only: one round, or promoted secondaries would go too.
    if (!(f.flags & IFA_F_SECONDARY) && f.flagmask & IFA_F_SECONDARY) {
      if (opts.stats)
        out.print(`*** Flush is complete after ${round} round${round > 1 ? 's' : ''} ***\n`);
      return 0;
    }
  }
  out.error(`*** Flush remains incomplete after ${loops} rounds. ***`);
  return 1;
}

// ---- add / change / replace / delete ---------------------------------------------------------

type AddrOp = 'add' | 'change' | 'replace' | 'delete';

function setLifetime(v: string): number | undefined {
  if (v === 'forever') return INFINITY_LIFE_TIME;
  const m = /^(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/.exec(v);
  if (!m) return undefined;
  const n = /^0[0-7]+$/.test(v) ? Number.parseInt(v, 8) : Number(v);
  return n <= 0xffffffff ? n : undefined;
}

async function addressModify(ctx: CliContext, op: AddrOp, words: string[]): Promise<number> {
  const { out } = ctx;
  let family: CliFamily | undefined = ctx.opts.family;
  const fam = () =>
    family === 'inet' || family === 'inet6' ? family : family === undefined ? undefined : family;
  const spec: Record<string, unknown> = {};
  let dev: string | undefined;
  let local: InetPrefix | undefined;
  let localArg = '';
  let peer: InetPrefix | undefined;
  let brd: string | undefined;
  let anycastSet = false;
  let scoped = false;
  let validArg: string | undefined;
  let preferredArg: string | undefined;
  let valid = INFINITY_LIFE_TIME;
  let preferred = INFINITY_LIFE_TIME;
  const flags: string[] = [];
  let flagBits = 0;
  const a = new Args(words);
  while (!a.done) {
    const w = a.next()!;
    if (w === 'peer' || w === 'remote') {
      const v = a.needValue();
      if (peer) throw duparg('peer', v);
      peer = parsePrefix(v, fam());
      family ??= peer.family;
      spec.peer = `${peer.address}/${peer.prefixlen}`;
    } else if (matches(w, 'broadcast') || w === 'brd') {
      const v = a.needValue();
      if (brd !== undefined) throw duparg('broadcast', v);
      if (v === '+' || v === '-') brd = v;
      else {
        const ad = parseAddr(v, fam());
        family ??= ad.family;
        brd = ad.address;
      }
      spec.broadcast = brd;
    } else if (w === 'anycast') {
      const v = a.needValue();
      if (anycastSet) throw duparg('anycast', v);
      const ad = parseAddr(v, fam());
      family ??= ad.family;
      spec.anycast = ad.address;
      anycastSet = true;
    } else if (w === 'scope') {
      const v = a.needValue();
      const s = scopeNumber(v);
      if (s === undefined) throw invarg('invalid scope value.', v);
      spec.scope = s;
      scoped = true;
    } else if (w === 'dev') {
      dev = a.needValue();
    } else if (w === 'label') {
      spec.label = a.needValue();
    } else if (matches(w, 'metric') || matches(w, 'priority') || matches(w, 'preference')) {
      const v = a.needValue();
      const n = setLifetime(v);
      if (n === undefined || v === 'forever') throw invarg('"metric" value is invalid\n', v);
      spec.metric = n;
    } else if (matches(w, 'valid_lft')) {
      if (validArg !== undefined) throw duparg('valid_lft', w);
      validArg = a.needValue();
      const n = setLifetime(validArg);
      if (n === undefined) throw invarg('valid_lft value', validArg);
      valid = n;
    } else if (matches(w, 'preferred_lft')) {
      if (preferredArg !== undefined) throw duparg('preferred_lft', w);
      preferredArg = a.needValue();
      const n = setLifetime(preferredArg);
      if (n === undefined) throw invarg('preferred_lft value', preferredArg);
      preferred = n;
    } else if (IFA_FLAG_DATA.some(([name]) => name === w)) {
      const [name, mask, readonly, v6only] = IFA_FLAG_DATA.find(([n]) => n === w)!;
      if (readonly) out.error(`Warning: ${name} option is not mutable from userspace`);
      else if (v6only && family !== 'inet6') {
        out.error(`Warning: ${name} option can be set only for IPv6 addresses`);
      } else {
        flags.push(SETTABLE_NAMES[name]!);
        flagBits |= mask;
      }
    } else {
      let v = w;
      if (w === 'local') v = a.needValue();
      if (matches(v, 'help')) throw new CliUsageError(help.trimEnd());
      if (local) throw duparg2('local', v);
      localArg = v;
      local = parsePrefix(v, fam());
      family ??= local.family;
    }
  }
  if (dev === undefined) {
    out.error('Not enough information: "dev" argument is required.');
    return 1;
  }
  if (!local) {
    // ip sends the request anyway and the kernel refuses it; the library needs an address.
    throw new CliError('Error: an address is required (IFADDR).', 1);
  }
  let address = `${local.address}/${local.prefixlen}`;
  if (!peer && op === 'delete' && local.family === 'inet' && !local.prefixSpecified) {
    out.error(
      `Warning: Executing wildcard deletion to stay compatible with old scripts.\n` +
        `         Explicitly specify the prefix length (${localArg}/32) to avoid this warning.\n` +
        `         This special behaviour is likely to disappear in further releases,\n` +
        '         fix your scripts!',
    );
    address = local.address;
  }
  if ((brd === '+' || brd === '-') && op !== 'delete' && family !== 'inet') {
    out.error('Broadcast can be set only for IPv4 addresses');
    return 1;
  }
  if (op === 'delete' && (brd === '+' || brd === '-')) delete spec.broadcast;
  const rt = await ctx.rt();
  const index = await nameToIndex(rt, dev);
  if (!index) throw nodev(dev);
  if (validArg !== undefined || preferredArg !== undefined) {
    if (!valid) {
      out.error('valid_lft is zero');
      return 1;
    }
    if (valid < preferred) {
      out.error('preferred_lft is greater than valid_lft');
      return 1;
    }
  }
  if (flagBits & IFA_F_MCAUTOJOIN) {
    const first = Number(local.address.split('.')[0]);
    const multi =
      local.family === 'inet6' ? /^ff/i.test(local.address) : first >= 224 && first <= 239;
    if (!multi) {
      out.error('autojoin needs multicast address');
      return 1;
    }
  }
  const full: Record<string, unknown> = { dev: index, address, ...spec };
  if (!scoped && op !== 'delete') delete full.scope;
  if (flags.length) full.flags = flags;
  if (validArg !== undefined || preferredArg !== undefined) {
    full.validLft = valid === INFINITY_LIFE_TIME ? 'forever' : valid;
    full.preferredLft = preferred === INFINITY_LIFE_TIME ? 'forever' : preferred;
  }
  type Spec = Parameters<RtNetlink['addresses']['add']>[0];
  if (op === 'add') await rt.addresses.add(full as unknown as Spec);
  else if (op === 'change') await rt.addresses.change(full as unknown as Spec);
  else if (op === 'replace') await rt.addresses.replace(full as unknown as Spec);
  else await rt.addresses.delete(full as unknown as Spec);
  return 0;
}

// ---- save / showdump / restore (ipaddr_list_flush_or_save IPADD_SAVE, ipaddr_showdump,
// ipaddr_restore) ---------------------------------------------------------------------------

/**
 * `ip address save [FILTERS]`: the raw RTM_GETADDR dump (of `-f FAMILY` and `dev`; ip parses
 * the other filter words but saves every address) after the magic number, on stdout.
 */
async function addressSave(ctx: CliContext, words: string[]): Promise<number> {
  const { out, opts } = ctx;
  const parsed = await filterAndClient(ctx, words);
  if (typeof parsed === 'number') return parsed;
  const { f, rt } = parsed;
  // rtnl_addrdump_req: struct ifaddrmsg with the preferred family and ipaddr_dump_filter's index.
  const req = Buffer.alloc(8);
  req[0] = familyNumber(opts.family);
  req.writeUInt32LE(f.ifindex ?? 0, 4);
  const refused = await saveDump(out, ADDRESS_DUMP_MAGIC, async () => rt, RTM_GETADDR, req);
  if (refused === undefined) return 0;
  out.error(formatNetlinkError(refused));
  out.error('Save terminated');
  return 1;
}

/** The ifa_index of a saved message (show_handler prints it before checking the type). */
function savedIndex(m: NetlinkMessage): number {
  return m.payload.length >= 8 ? m.payload.readUInt32LE(4) : 0;
}

/** `ip address showdump < FILE`: `ifN:` and the address of each saved message. */
async function addressShowdump(ctx: CliContext): Promise<number> {
  const { out, opts } = ctx;
  const file = await readDumpFile('address', ADDRESS_DUMP_MAGIC, 255);
  const names = new LinkNames(await ctx.rt());
  // ipaddr_showdump never resets ip's filter: its `oneline` stays 0, so no `N: dev` prefix.
  const printOpts = { brief: opts.brief, oneline: false, numeric: opts.numeric };
  const { decodeAddress } = await import('../../index.js');
  out.openJson();
  out.openObject();
  out.openArray('addr_info');
  const it = dumpFileMessages(file.data, file.base);
  let status = 0;
  for (;;) {
    const next = it.next();
    if (next.done) {
      if (next.value !== undefined) {
        out.error(next.value);
        status = 255;
      }
      break;
    }
    const m = next.value;
    out.openObject();
    const index = savedIndex(m);
    out.any('index', index, `if${index}:`);
    out.nl();
    if (m.type === RTM_NEWADDR || m.type === RTM_DELADDR) {
      printAddrinfo(out, decodeAddress(m), printOpts, names, m.type === RTM_DELADDR);
    }
    out.closeObject();
  }
  out.closeArray();
  out.closeObject();
  out.closeJson();
  return status;
}

/**
 * `ip address restore < FILE`: each saved message sent back with NLM_F_CREATE added (and
 * NLM_F_REQUEST | NLM_F_ACK). An address that exists already (EEXIST) is reported and skipped;
 * any other refusal ends the restore with exit status 255.
 */
async function addressRestore(ctx: CliContext): Promise<number> {
  const file = await readDumpFile('address', ADDRESS_DUMP_MAGIC, 255);
  return restoreMessages(await ctx.rt(), ctx.out, file, 255);
}

/** `rtnl address …` */
export default async function address(ctx: CliContext, args: string[]): Promise<number> {
  const [cmd, ...rest] = args;
  if (cmd === undefined) return addressShow(ctx, []);
  if (matches(cmd, 'add')) return addressModify(ctx, 'add', rest);
  // ip sends NLM_F_REPLACE alone for change: the address must exist.
  if (matches(cmd, 'change') || cmd === 'chg') return addressModify(ctx, 'change', rest);
  if (matches(cmd, 'replace')) return addressModify(ctx, 'replace', rest);
  if (matches(cmd, 'delete')) return addressModify(ctx, 'delete', rest);
  if (matches(cmd, 'list') || matches(cmd, 'show') || matches(cmd, 'lst')) {
    return addressShow(ctx, rest);
  }
  if (matches(cmd, 'flush')) return addressFlush(ctx, rest);
  if (matches(cmd, 'save')) return addressSave(ctx, rest);
  if (matches(cmd, 'showdump')) return addressShowdump(ctx);
  if (matches(cmd, 'restore')) return addressRestore(ctx);
  if (matches(cmd, 'help')) throw new CliUsageError(help.trimEnd());
  throw unknownCommand(cmd, 'address');
}
