// Printing a link as `ip link show` / `ip address show` do (iproute2 6.1 ip/ipaddress.c:
// print_linkinfo, print_linkinfo_brief, print_link_flags, print_operstate, print_linkmode,
// print_queuelen, print_link_event, print_proto_down, print_linktype, print_af_spec,
// print_stats64; lib/utils.c print_name_and_link; lib/ll_addr.c ll_addr_n2a). Same keys, order,
// value types and text layout; the kind-specific part (`-d`) lives in link-kinds.ts.
import {
  ARPHRD,
  IN6_ADDR_GEN_MODE,
  LINK_EVENT,
  LINKMODE,
  type Link,
  OPERSTATE,
  type RtNetlink,
  STATS64_FIELDS,
} from '../../index.js';
import { getU32 } from '../args.js';
import type { GlobalOptions } from '../context.js';
import type { Output } from '../output.js';
import type { KindEnv } from './link-kinds.js';
import { confFiles, enumNumber, NameDb } from './route.js';

/** The `-d` printers of link-kinds.ts, loaded only when details are asked for. */
export type KindPrinters = typeof import('./link-kinds.js');

// IFF_* bits (<linux/if.h>).
const IFF_UP = 0x1;
const IFF_POINTOPOINT = 0x10;
const IFF_RUNNING = 0x40;

/** The IFF_* bits in the order print_link_flags tests them (NO-CARRIER and M-DOWN aside). */
const FLAG_ORDER: readonly (readonly [string, number])[] = [
  ['LOOPBACK', 0x8],
  ['BROADCAST', 0x2],
  ['POINTOPOINT', 0x10],
  ['MULTICAST', 0x1000],
  ['NOARP', 0x80],
  ['ALLMULTI', 0x200],
  ['PROMISC', 0x100],
  ['MASTER', 0x400],
  ['SLAVE', 0x800],
  ['DEBUG', 0x4],
  ['DYNAMIC', 0x8000],
  ['AUTOMEDIA', 0x4000],
  ['PORTSEL', 0x2000],
  ['NOTRAILERS', 0x20],
  ['UP', 0x1],
  ['LOWER_UP', 0x10000],
  ['DORMANT', 0x20000],
  ['ECHO', 0x40000],
];

const OPER_STATES = ['UNKNOWN', 'NOTPRESENT', 'DOWN', 'LOWERLAYERDOWN', 'TESTING', 'DORMANT', 'UP'];
const LINK_MODES = ['DEFAULT', 'DORMANT'];
const LINK_EVENTS = [
  'NONE',
  'REBOOT',
  'FEATURE CHANGE',
  'BONDING FAILOVER',
  'NOTIFY PEERS',
  'RESEND IGMP',
  'BONDING OPTION',
];
const ADDR_GEN_MODES = ['eui64', 'none', 'stable_secret', 'random'];

// ARPHRD_* numbers ll_addr_n2a treats specially (<linux/if_arp.h>).
const ARPHRD_TUNNEL = 768;
const ARPHRD_TUNNEL6 = 769;
const ARPHRD_SIT = 776;
const ARPHRD_IPGRE = 778;
const ARPHRD_IP6GRE = 823;
const ARPHRD_NUM: Record<string, number> = {
  ipip: ARPHRD_TUNNEL,
  tunnel6: ARPHRD_TUNNEL6,
  sit: ARPHRD_SIT,
  gre: ARPHRD_IPGRE,
  gre6: ARPHRD_IP6GRE,
};

/**
 * ifindex → name and flags of the links a printout mentions (masters, lower devices), as iproute2's
 * ll_map cache: filled from a dump, completed with RTM_GETLINK for what the dump did not cover.
 */
export class LinkNames {
  private readonly names = new Map<number, string>();
  private readonly flags = new Map<number, number>();
  private readonly rt: RtNetlink;

  constructor(rt: RtNetlink, links: readonly Link[] = []) {
    this.rt = rt;
    for (const l of links) this.add(l);
  }

  add(l: Link): void {
    this.names.set(l.index, l.name);
    this.flags.set(l.index, l.flags.raw);
  }

  /** Look up (once) every index in `indexes` the cache lacks; missing devices stay unknown. */
  async ensure(indexes: Iterable<number>): Promise<void> {
    for (const i of indexes) {
      if (i <= 0 || this.names.has(i)) continue;
      try {
        this.add(await this.rt.links.get(i));
      } catch {
        this.names.set(i, `if${i}`);
      }
    }
  }

  /** ll_index_to_name: the name, `*` for 0, `ifN` when unknown. */
  name(index: number): string {
    if (index === 0) return '*';
    return this.names.get(index) ?? `if${index}`;
  }

  /** ll_index_to_flags: the IFF_* bits, 0 when unknown. */
  flagsOf(index: number): number {
    return this.flags.get(index) ?? 0;
  }

  /** The device's ifindex by name (ll_name_to_index), 0 when unknown. */
  index(name: string): number {
    for (const [i, n] of this.names) if (n === name) return i;
    return 0;
  }
}

/** The ifindexes a link's printout refers to (for LinkNames.ensure). */
export function referencedIndexes(link: Link): number[] {
  const a = link.attributes;
  const out: number[] = [];
  if (a.master) out.push(a.master);
  if (a.link && a.linkNetnsid === undefined) out.push(a.link);
  const data = a.linkinfo?.data as { link?: unknown } | undefined;
  if (data && typeof data.link === 'number') out.push(data.link);
  const slave = a.linkinfo?.slaveData as { backupPort?: unknown } | undefined;
  if (slave && typeof slave.backupPort === 'number') out.push(slave.backupPort);
  return out;
}

/** What printLinkinfo needs besides the link. */
export interface LinkPrintEnv {
  out: Output;
  opts: GlobalOptions;
  names: LinkNames;
  /** `ip link` (1) rather than `ip address` (0): mode, addrgenmode, alias and stats differ. */
  doLink: boolean;
  /** filter.family: 'link' for `ip link` (AF_PACKET), else the address family shown. */
  family: string | undefined;
  /** Names of the namespaces by nsid (text only: `link-netns NAME`). */
  nsNames?: Map<number, string>;
  /** The kind printers (needed with -d only; see loadKindPrinters). */
  kinds?: KindPrinters;
}

/** Load the kind printers when `-d` will need them (they stay out of a plain `link show`). */
export async function loadKindPrinters(details: number): Promise<KindPrinters | undefined> {
  return details ? await import('./link-kinds.js') : undefined;
}

/**
 * The protodown reasons (lib/rt_names.c protodown_reason_n2a / _a2n): bits 0..31, no built-in
 * names, named in /etc/iproute2/protodown_reasons.d/*.conf.
 */
export const PROTODOWN_REASONS = new NameDb(
  [],
  () => confFiles('/etc/iproute2/protodown_reasons.d'),
  31,
  (w) => {
    const v = getU32(w);
    return v !== undefined && v < 32 ? v : undefined;
  },
);

/**
 * print_proto_down: `protodown on`, then `protodown_reason <NAME,…>` / "proto_down_reason":
 * [ "NAME", … ] (names, or numbers when unnamed or with -N), whether protodown is on or not.
 * Two quirks of iproute2 6.1 (unchanged in its newest release) are kept: it reads only the low
 * byte of IFLA_PROTO_DOWN_REASON_VALUE (rta_getattr_u8 of a u32), so reasons 8..31 never show;
 * and it tests tb[IFLA_PROTO_DOWN_REASON_VALUE] — index 2 of the link's own table, which is
 * IFLA_BROADCAST — rather than the nest's, so a link without a broadcast address shows none.
 */
function printProtoDown(out: Output, a: Link['attributes'], numeric: boolean): void {
  if (a.protoDown) out.any('proto_down', true, ' protodown on ');
  const reason = a.protoDownReason;
  if (reason === undefined || a.broadcast === undefined) return;
  let bits = (reason.value ?? 0) & 0xff;
  if (!bits) return;
  out.openArray(out.jsonContext ? 'proto_down_reason' : undefined, 'protodown_reason <');
  let first = true;
  for (let i = 0; bits; i++, bits >>>= 1) {
    if (!(bits & 1)) continue;
    const name = PROTODOWN_REASONS.text(i, numeric);
    out.any(undefined, name, first ? name : `,${name}`);
    first = false;
  }
  out.closeArray('>');
}

/** ll_type_n2a: the hardware type's name, `[N]` when iproute2 has none or with -N. */
function linkTypeName(type: Link['type'], numeric: boolean): string {
  if (typeof type === 'number') return `[${type}]`;
  return numeric ? `[${ARPHRD[type]}]` : type;
}

function typeNum(type: Link['type']): number {
  return typeof type === 'number' ? type : (ARPHRD_NUM[type] ?? -1);
}

/** ll_addr_n2a: a hardware address as ip prints it (tunnels show their IP address). */
export function llAddr(addr: string, type: Link['type']): string {
  const bytes = addr.split(':');
  const t = typeNum(type);
  if (bytes.length === 4 && (t === ARPHRD_TUNNEL || t === ARPHRD_SIT || t === ARPHRD_IPGRE)) {
    return bytes.map((b) => Number.parseInt(b, 16)).join('.');
  }
  if (bytes.length === 16 && (t === ARPHRD_TUNNEL6 || t === ARPHRD_IP6GRE)) {
    const groups: string[] = [];
    for (let i = 0; i < 16; i += 2) groups.push(`${bytes[i]}${bytes[i + 1]}`);
    return compressIPv6(groups.map((g) => Number.parseInt(g, 16)));
  }
  return addr;
}

/** inet_ntop's IPv6 text for eight 16-bit groups (longest run of ≥ 2 zero groups compressed). */
export function compressIPv6(groups: readonly number[]): string {
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  // IPv4-mapped / compatible forms as glibc prints them.
  if (bestStart === 0 && (bestLen === 6 || (bestLen === 5 && groups[5] === 0xffff))) {
    const v4 = `${groups[6]! >> 8}.${groups[6]! & 255}.${groups[7]! >> 8}.${groups[7]! & 255}`;
    return bestLen === 6 ? `::${v4}` : `::ffff:${v4}`;
  }
  if (bestLen < 2) return hex.join(':');
  const head = hex.slice(0, bestStart).join(':');
  const tail = hex.slice(bestStart + bestLen).join(':');
  return `${head}::${tail}`;
}

/** print_name_and_link: `name` or `name@link` (JSON: "link"/"link_index" then "ifname"). */
function printNameAndLink(env: LinkPrintEnv, fmtWidth: number, link: Link): boolean {
  const { out, names } = env;
  const a = link.attributes;
  let name = link.name;
  let mdown = false;
  if (a.link !== undefined) {
    const iflink = a.link;
    if (iflink) {
      if (a.linkNetnsid !== undefined) {
        if (out.jsonContext) out.jsonOnly('link_index', iflink);
        else name = `${name}@if${iflink}`;
      } else {
        if (out.jsonContext) out.jsonOnly('link', names.name(iflink));
        else name = `${name}@${names.name(iflink)}`;
        mdown = !(names.flagsOf(iflink) & IFF_UP);
      }
    } else if (out.jsonContext) out.jsonOnly('link', null);
    else name = `${name}@NONE`;
  }
  const text = fmtWidth > 0 ? `${name.padEnd(fmtWidth)} ` : `${name}: `;
  out.any('ifname', name, text, 'ifname');
  return mdown;
}

/** print_link_flags: `<UP,LOWER_UP> ` / "flags": [...]. */
export function printLinkFlags(out: Output, raw: number, mdown: boolean): void {
  out.openArray(out.jsonContext ? 'flags' : undefined, '<');
  let flags = raw >>> 0;
  if (flags & IFF_UP && !(flags & IFF_RUNNING))
    out.any(undefined, 'NO-CARRIER', flags ? 'NO-CARRIER,' : 'NO-CARRIER');
  flags &= ~IFF_RUNNING;
  for (const [name, bit] of FLAG_ORDER) {
    if (!(flags & bit)) continue;
    flags = (flags & ~bit) >>> 0;
    out.any(undefined, name, flags ? `${name},` : name);
  }
  if (flags) out.any(undefined, flags.toString(16), flags.toString(16));
  if (mdown) out.any(undefined, 'M-DOWN', ',M-DOWN');
  out.closeArray('> ');
}

/** print_operstate (full and brief forms). */
function printOperstate(out: Output, brief: boolean, v: unknown): void {
  const state = enumNumber(OPERSTATE, v);
  if (state >= OPER_STATES.length) {
    if (out.jsonContext) out.jsonOnly('operstate_index', state);
    else out.print(`state 0x${state.toString(16)}`);
    return;
  }
  const name = OPER_STATES[state]!;
  const color = state === 6 ? 'operstate-up' : state === 2 ? 'operstate-down' : undefined;
  if (brief) out.any('operstate', name, `${name.padEnd(14)} `, color);
  else if (out.jsonContext) out.jsonOnly('operstate', name);
  else out.print(`state ${out.color(color, `${name} `)}`);
}

/**
 * rtnl_group_n2a: group 0 is `default` (iproute2's /etc/iproute2/group), others their number;
 * always the number with -N.
 */
function groupName(group: number, numeric: boolean): string {
  return group === 0 && !numeric ? 'default' : String(group);
}

/** print_linkinfo_brief. */
function printLinkBrief(env: LinkPrintEnv, link: Link): void {
  const { out } = env;
  const a = link.attributes;
  const mdown = printNameAndLink(env, 16, link);
  if (a.operstate !== undefined) printOperstate(out, true, a.operstate);
  if (env.family === 'link') {
    if (a.address !== undefined) {
      out.any('address', llAddr(a.address, link.type), `${llAddr(a.address, link.type)} `, 'mac');
    }
    printLinkFlags(out, link.flags.raw, mdown);
    out.text('\n');
  }
}

/** print_linktype: "linkinfo": { info_kind, info_data, info_slave_kind, info_slave_data }. */
function printLinktype(env: LinkPrintEnv, link: Link): void {
  const { out } = env;
  const info = link.attributes.linkinfo;
  const kinds = env.kinds;
  if (!info || !kinds) return;
  out.openObject('linkinfo');
  const kenv: KindEnv = { out, names: env.names, opts: env.opts };
  if (info.kind !== undefined) {
    out.nl();
    out.any('info_kind', info.kind, `    ${info.kind} `);
    kinds.printKindData(kenv, info.kind, info.data as Record<string, unknown> | undefined);
  }
  if (info.slaveKind !== undefined) {
    out.nl();
    out.any('info_slave_kind', info.slaveKind, `    ${info.slaveKind}_slave `);
    kinds.printSlaveData(
      kenv,
      info.slaveKind,
      info.slaveData as Record<string, unknown> | undefined,
    );
  }
  out.closeObject();
}

/** print_af_spec: the IPv6 address generation mode. */
function printAfSpec(out: Output, link: Link): void {
  const mode = link.attributes.afSpec?.inet6?.addrGenMode;
  if (mode === undefined) return;
  const n = enumNumber(IN6_ADDR_GEN_MODE, mode);
  const text = ADDR_GEN_MODES[n] ?? `0x${n.toString(16).padStart(2, '0')}`;
  out.any('inet6_addr_gen_mode', text, `addrgenmode ${text} `);
}

function hexString(data: Uint8Array): string {
  return Buffer.from(data).toString('hex');
}

/** The statistics a link carries, as get_rtnl_link_stats_rta reads them. */
export function linkStats(
  link: Link,
): { key: 'stats64' | 'stats'; s: Record<string, bigint> } | undefined {
  const a = link.attributes;
  const s64 = a.stats64 as Record<string, bigint | undefined> | undefined;
  const s32 = a.stats as Record<string, number | undefined> | undefined;
  const src = s64 ?? s32;
  if (!src) return inet6Stats(a.protinfo);
  const s: Record<string, bigint> = {};
  for (const f of STATS_FIELDS) s[f] = BigInt(src[f] ?? 0);
  return { key: s64 ? 'stats64' : 'stats', s };
}

/**
 * get_snmp_counters: the IPv6 counters (IFLA_PROTINFO → IFLA_INET6_STATS, ipstats_mib indexes of
 * <linux/snmp.h>) standing in for the link counters in `ip -6 -s address`.
 */
function inet6Stats(protinfo: Uint8Array | undefined): ReturnType<typeof linkStats> {
  if (!protinfo) return undefined;
  const buf = Buffer.from(protinfo.buffer, protinfo.byteOffset, protinfo.byteLength);
  for (let off = 0; off + 4 <= buf.length; ) {
    const len = buf.readUInt16LE(off);
    const type = buf.readUInt16LE(off + 2) & 0x3fff;
    if (len < 4) break;
    if (type === 3 /* IFLA_INET6_STATS */) {
      const mib = (i: number) =>
        off + 4 + (i + 1) * 8 <= off + len ? buf.readBigUInt64LE(off + 4 + i * 8) : 0n;
      const s: Record<string, bigint> = {};
      for (const f of STATS_FIELDS) s[f] = 0n;
      s.rx_packets = mib(1); // IPSTATS_MIB_INPKTS
      s.rx_bytes = mib(2); // IPSTATS_MIB_INOCTETS
      s.tx_packets = mib(5); // IPSTATS_MIB_OUTPKTS
      s.tx_bytes = mib(6); // IPSTATS_MIB_OUTOCTETS
      s.rx_errors = mib(13); // IPSTATS_MIB_INDISCARDS
      s.tx_errors = mib(14); // IPSTATS_MIB_OUTDISCARDS
      s.multicast = mib(23); // IPSTATS_MIB_INMCASTPKTS
      s.rx_frame_errors = mib(31); // IPSTATS_MIB_CSUMERRORS
      return { key: 'stats64', s };
    }
    off += (len + 3) & ~3;
  }
  return { key: 'stats64', s: Object.fromEntries(STATS_FIELDS.map((f) => [f, 0n])) };
}

const STATS_FIELDS = STATS64_FIELDS;

function digits(v: bigint): number {
  return v.toString().length;
}

/** print_stats64: the `-s` block (JSON "stats64"/"stats" object, or ip's column layout). */
export function printStats64(
  out: Output,
  stats: Record<string, bigint>,
  carrierChanges: number | undefined,
  what: string | undefined,
  level: number,
): void {
  const s = stats as Record<(typeof STATS_FIELDS)[number], bigint>;
  if (out.jsonContext) {
    if (what) out.openObject(what);
    out.openObject('rx');
    out.jsonOnly('bytes', s.rx_bytes);
    out.jsonOnly('packets', s.rx_packets);
    out.jsonOnly('errors', s.rx_errors);
    out.jsonOnly('dropped', s.rx_dropped);
    out.jsonOnly('over_errors', s.rx_over_errors);
    out.jsonOnly('multicast', s.multicast);
    if (s.rx_compressed) out.jsonOnly('compressed', s.rx_compressed);
    if (level > 1) {
      out.jsonOnly('length_errors', s.rx_length_errors);
      out.jsonOnly('crc_errors', s.rx_crc_errors);
      out.jsonOnly('frame_errors', s.rx_frame_errors);
      out.jsonOnly('fifo_errors', s.rx_fifo_errors);
      out.jsonOnly('missed_errors', s.rx_missed_errors);
      if (s.rx_nohandler) out.jsonOnly('nohandler', s.rx_nohandler);
      if (s.rx_otherhost_dropped) out.jsonOnly('otherhost', s.rx_otherhost_dropped);
    }
    out.closeObject();
    out.openObject('tx');
    out.jsonOnly('bytes', s.tx_bytes);
    out.jsonOnly('packets', s.tx_packets);
    out.jsonOnly('errors', s.tx_errors);
    out.jsonOnly('dropped', s.tx_dropped);
    out.jsonOnly('carrier_errors', s.tx_carrier_errors);
    out.jsonOnly('collisions', s.collisions);
    if (s.tx_compressed) out.jsonOnly('compressed', s.tx_compressed);
    if (level > 1) {
      out.jsonOnly('aborted_errors', s.tx_aborted_errors);
      out.jsonOnly('fifo_errors', s.tx_fifo_errors);
      out.jsonOnly('window_errors', s.tx_window_errors);
      out.jsonOnly('heartbeat_errors', s.tx_heartbeat_errors);
      if (carrierChanges !== undefined) out.jsonOnly('carrier_changes', carrierChanges);
    }
    out.closeObject();
    if (what) out.closeObject();
    return;
  }
  const cols = [
    '*X errors:'.length,
    'packets'.length,
    'errors'.length,
    'dropped'.length,
    'heartbt'.length,
    'overrun'.length,
    'compressed'.length,
    'otherhost'.length,
  ];
  const size = (...vals: bigint[]) => {
    if (out.human) return;
    vals.forEach((v, i) => {
      cols[i] = Math.max(cols[i]!, digits(v));
    });
  };
  const cc = BigInt(carrierChanges ?? 0);
  size(
    s.rx_bytes,
    s.rx_packets,
    s.rx_errors,
    s.rx_dropped,
    s.rx_missed_errors,
    s.multicast,
    s.rx_compressed,
    0n,
  );
  if (level > 1) {
    size(
      0n,
      s.rx_length_errors,
      s.rx_crc_errors,
      s.rx_frame_errors,
      s.rx_fifo_errors,
      s.rx_over_errors,
      s.rx_nohandler,
      s.rx_otherhost_dropped,
    );
  }
  size(
    s.tx_bytes,
    s.tx_packets,
    s.tx_errors,
    s.tx_dropped,
    s.tx_carrier_errors,
    s.collisions,
    s.tx_compressed,
    0n,
  );
  if (level > 1) {
    size(
      0n,
      0n,
      s.tx_aborted_errors,
      s.tx_fifo_errors,
      s.tx_window_errors,
      s.tx_heartbeat_errors,
      cc,
      0n,
    );
  }
  const c = cols as [number, number, number, number, number, number, number, number];
  const pad = (t: string, w: number) => t.padStart(w);
  const n = (w: number, v: bigint) => out.num(w, v);
  const sl = out.sl;
  let t = `    RX: ${pad('bytes', c[0] - 4)} ${pad('packets', c[1])} ${pad('errors', c[2])} ${pad('dropped', c[3])} ${pad('missed', c[4])} ${pad('mcast', c[5])} ${pad(s.rx_compressed ? 'compressed' : '', c[6])}${sl}`;
  t += `    ${n(c[0], s.rx_bytes)}${n(c[1], s.rx_packets)}${n(c[2], s.rx_errors)}${n(c[3], s.rx_dropped)}${n(c[4], s.rx_missed_errors)}${n(c[5], s.multicast)}`;
  if (s.rx_compressed) t += n(c[6], s.rx_compressed);
  if (level > 1) {
    t += sl;
    t += `    RX errors:${pad('', c[0] - 10)} ${pad('length', c[1])} ${pad('crc', c[2])} ${pad('frame', c[3])} ${pad('fifo', c[4])} ${pad('overrun', c[5])}${s.rx_nohandler ? pad(' nohandler', c[6] + 1) : ''}${s.rx_otherhost_dropped ? pad(' otherhost', c[7] + 1) : ''}${sl}`;
    t += `${''.padStart(c[0] + 5)}${n(c[1], s.rx_length_errors)}${n(c[2], s.rx_crc_errors)}${n(c[3], s.rx_frame_errors)}${n(c[4], s.rx_fifo_errors)}${n(c[5], s.rx_over_errors)}`;
    if (s.rx_nohandler) t += n(c[6], s.rx_nohandler);
    if (s.rx_otherhost_dropped) t += n(c[7], s.rx_otherhost_dropped);
  }
  t += sl;
  t += `    TX: ${pad('bytes', c[0] - 4)} ${pad('packets', c[1])} ${pad('errors', c[2])} ${pad('dropped', c[3])} ${pad('carrier', c[4])} ${pad('collsns', c[5])} ${pad(s.tx_compressed ? 'compressed' : '', c[6])}${sl}`;
  t += `    ${n(c[0], s.tx_bytes)}${n(c[1], s.tx_packets)}${n(c[2], s.tx_errors)}${n(c[3], s.tx_dropped)}${n(c[4], s.tx_carrier_errors)}${n(c[5], s.collisions)}`;
  if (s.tx_compressed) t += n(c[6], s.tx_compressed);
  if (level > 1) {
    t += sl;
    t += `    TX errors:${pad('', c[0] - 10)} ${pad('aborted', c[1])} ${pad('fifo', c[2])} ${pad('window', c[3])} ${pad('heartbt', c[4])} ${pad(carrierChanges !== undefined ? 'transns' : '', c[5])}${sl}`;
    t += `${''.padStart(c[0] + 5)}${n(c[1], s.tx_aborted_errors)}${n(c[2], s.tx_fifo_errors)}${n(c[3], s.tx_window_errors)}${n(c[4], s.tx_heartbeat_errors)}`;
    if (carrierChanges !== undefined) t += n(c[5], cc);
  }
  out.print(t);
}

/** __print_link_stats. */
export function printLinkStats(out: Output, link: Link, level: number): void {
  const st = linkStats(link);
  if (!st) return;
  printStats64(out, st.s, link.attributes.carrierChanges, st.key, level);
}

/**
 * print_linkinfo: one link, inside an open JSON object when -j (the caller opens and closes
 * it). Returns false when ip would print nothing for it (no name).
 */
export function printLinkinfo(env: LinkPrintEnv, link: Link, deleted = false): boolean {
  const { out, opts } = env;
  const a = link.attributes;
  if (!link.name) return false;
  if (deleted) out.any('deleted', true, 'Deleted ');
  if (opts.brief) {
    printLinkBrief(env, link);
    return true;
  }
  out.any('ifindex', link.index, `${link.index}: `);
  const mdown = printNameAndLink(env, 0, link);
  printLinkFlags(out, link.flags.raw, mdown);
  if (a.mtu !== undefined) out.any('mtu', a.mtu, `mtu ${a.mtu} `);
  if (a.qdisc !== undefined) out.any('qdisc', a.qdisc, `qdisc ${a.qdisc} `);
  if (a.master !== undefined) {
    const m = env.names.name(a.master);
    out.any('master', m, `master ${m} `);
  }
  if (a.operstate !== undefined) printOperstate(out, false, a.operstate);
  if (env.doLink && a.linkmode !== undefined) {
    const mode = enumNumber(LINKMODE, a.linkmode);
    if (mode >= LINK_MODES.length) out.any('linkmode_index', mode, `mode ${mode} `);
    else out.any('linkmode', LINK_MODES[mode]!, `mode ${LINK_MODES[mode]} `);
  }
  if (a.group !== undefined) {
    const g = groupName(a.group, opts.numeric);
    out.any('group', g, `group ${g} `);
  }
  // filter.showqueue is always set for show; a missing IFLA_TXQLEN makes ip ask by ioctl,
  // which rtnl does not (every kernel since 2.6 sends it).
  if (a.txqlen) out.any('txqlen', a.txqlen, `qlen ${a.txqlen}`);
  if (a.event !== undefined) {
    const ev = enumNumber(LINK_EVENT, a.event);
    if (ev >= LINK_EVENTS.length) out.any('event', ev, `event ${ev} `);
    else if (ev) out.any('event', LINK_EVENTS[ev]!, `event ${LINK_EVENTS[ev]} `);
  }
  if (!env.family || env.family === 'link' || opts.details) {
    out.nl();
    const lt = linkTypeName(link.type, opts.numeric);
    out.any('link_type', lt, `    link/${lt} `);
    if (a.address !== undefined) {
      const addr = llAddr(a.address, link.type);
      out.any('address', addr, addr, 'mac');
    }
    if (a.broadcast !== undefined) {
      if (link.flags.raw & IFF_POINTOPOINT) {
        out.text(' peer ');
        out.jsonOnly('link_pointtopoint', true);
      } else out.text(' brd ');
      const brd = llAddr(a.broadcast, link.type);
      out.any('broadcast', brd, brd, 'mac');
    }
    if (a.permAddress !== undefined && a.permAddress !== a.address) {
      out.text(' permaddr ');
      const p = llAddr(a.permAddress, link.type);
      out.any('permaddr', p, p, 'mac');
    }
  }
  if (a.linkNetnsid !== undefined) {
    const id = a.linkNetnsid;
    if (out.jsonContext) out.jsonOnly('link_netnsid', id);
    else if (id >= 0) {
      const name = env.nsNames?.get(id);
      out.print(name !== undefined ? ` link-netns ${name}` : ` link-netnsid ${id}`);
    } else out.print(' link-netnsid unknown');
  }
  if (a.newNetnsid !== undefined) {
    const name = env.nsNames?.get(a.newNetnsid);
    out.text(name !== undefined ? ` new-netns ${name}` : ` new-netnsid ${a.newNetnsid}`);
  }
  if (a.newIfindex !== undefined) out.text(` new-ifindex ${a.newIfindex}`);
  if (a.protoDown !== undefined) printProtoDown(out, a, opts.numeric);
  if (opts.details) {
    if (a.promiscuity !== undefined) {
      out.any('promiscuity', a.promiscuity, ` promiscuity ${a.promiscuity} `);
    }
    if (a.allmulti !== undefined) out.any('allmulti', a.allmulti, ` allmulti ${a.allmulti} `);
    if (a.minMtu !== undefined) out.any('min_mtu', a.minMtu, `minmtu ${a.minMtu} `);
    if (a.maxMtu !== undefined) out.any('max_mtu', a.maxMtu, `maxmtu ${a.maxMtu} `);
    if (a.linkinfo) printLinktype(env, link);
    if (env.doLink && a.afSpec) printAfSpec(out, link);
    const u32s: readonly (readonly [keyof typeof a, string, string])[] = [
      ['numTxQueues', 'num_tx_queues', 'numtxqueues'],
      ['numRxQueues', 'num_rx_queues', 'numrxqueues'],
      ['gsoMaxSize', 'gso_max_size', 'gso_max_size'],
      ['gsoMaxSegs', 'gso_max_segs', 'gso_max_segs'],
      ['tsoMaxSize', 'tso_max_size', 'tso_max_size'],
      ['tsoMaxSegs', 'tso_max_segs', 'tso_max_segs'],
      ['groMaxSize', 'gro_max_size', 'gro_max_size'],
    ];
    for (const [attr, key, word] of u32s) {
      const v = a[attr];
      if (typeof v === 'number') out.any(key, v, `${word} ${v} `);
    }
    if (a.physPortName !== undefined) {
      out.any('phys_port_name', a.physPortName, `portname ${a.physPortName} `);
    }
    if (a.physPortId !== undefined) {
      const h = hexString(a.physPortId);
      out.any('phys_port_id', h, `portid ${h} `);
    }
    if (a.physSwitchId !== undefined) {
      const h = hexString(a.physSwitchId);
      out.any('phys_switch_id', h, `switchid ${h} `);
    }
    if (a.parentDevBusName !== undefined) {
      out.any('parentbus', a.parentDevBusName, `parentbus ${a.parentDevBusName} `);
    }
    if (a.parentDevName !== undefined) {
      out.any('parentdev', a.parentDevName, `parentdev ${a.parentDevName} `);
    }
  }
  if ((env.doLink || opts.details) && a.ifalias !== undefined) {
    out.text(`${out.sl}    `);
    out.any('ifalias', a.ifalias, `alias ${a.ifalias}`);
  }
  if (env.doLink && opts.stats) {
    out.nl();
    printLinkStats(out, link, opts.stats);
  }
  const alt = a.propList as { altIfname?: string | string[] } | undefined;
  if (alt) {
    const list = alt.altIfname === undefined ? [] : ([] as string[]).concat(alt.altIfname);
    out.openArray('altnames');
    for (const n of list) {
      out.text(`${out.sl}    altname `);
      out.any(undefined, n, n);
    }
    if (out.jsonContext) out.closeArray();
  }
  out.text('\n');
  return true;
}
