// `rtnl monitor` printers for the messages that have no `rtnl OBJECT show` printer: netconf
// (ipnetconf.c print_netconf), namespace ids (ipnetns.c print_nsid), nexthops and nexthop
// buckets (ipnexthop.c print_cache_nexthop / print_nexthop_bucket), IPv6 prefixes (ipprefix.c
// print_prefix) and address labels (ipaddrlabel.c print_addrlabel). Each writes ip's text, or
// with -j the JSON keys iproute2's printer emits (monitor-json.ts says what a line holds). The
// messages are read with a small attribute walker: the library has no schema for them (its
// monitor delivers them as `other`, with the raw payload).
import { AF_INET, AF_INET6, type NetlinkMessage, type NsidInfo, RTM_DELNSID } from '../../index.js';
import { formatG, type Output } from '../output.js';
import { compressIPv6 } from './link-show.js';
import { familyName, PROTOS, SCOPES } from './route.js';

/** What a printer needs besides the message. */
export interface PrinterEnv {
  out: Output;
  /** ll_index_to_name. */
  name(index: number): string;
  numeric: boolean;
  details: number;
}

// rtnetlink message types (<linux/rtnetlink.h>).
const RTM_DELNETCONF = 81;
const RTM_DELNEXTHOP = 105;
const RTM_DELADDRLABEL = 73;

/** The attributes of a message after its fixed header: type (NLA_TYPE_MASK applied) → payload. */
export function attrs(payload: Buffer, start: number): Map<number, Buffer> {
  const out = new Map<number, Buffer>();
  let off = start;
  while (off + 4 <= payload.length) {
    const len = payload.readUInt16LE(off);
    if (len < 4 || off + len > payload.length) break;
    out.set(payload.readUInt16LE(off + 2) & 0x3fff, payload.subarray(off + 4, off + len));
    off += (len + 3) & ~3;
  }
  return out;
}

const u16 = (b: Buffer | undefined) => (b && b.length >= 2 ? b.readUInt16LE(0) : undefined);
const u32 = (b: Buffer | undefined) => (b && b.length >= 4 ? b.readUInt32LE(0) : undefined);
const u64 = (b: Buffer | undefined) => (b && b.length >= 8 ? b.readBigUInt64LE(0) : undefined);

/** inet_ntop of a 4- or 16-byte address (other lengths: hex, as ip's rt_addr_n2a falls back). */
export function addrText(b: Buffer): string {
  if (b.length === 4) return `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;
  if (b.length === 16) {
    const groups: number[] = [];
    for (let i = 0; i < 16; i += 2) groups.push(b.readUInt16BE(i));
    return compressIPv6(groups);
  }
  return b.toString('hex');
}

function familyColor(family: number) {
  return family === AF_INET ? 'inet' : family === AF_INET6 ? 'inet6' : undefined;
}

/** print_on_off: `KEY on|off ` in text, a boolean in JSON. */
function onOff(out: Output, key: string, v: number): void {
  out.any(key, v !== 0, `${key} ${v ? 'on' : 'off'} `);
}

// ---------------------------------------------------------------------------------------------
// netconf (struct netconfmsg: u8 ncm_family, padded to 4).

const RP_FILTER = ['off', 'strict', 'loose'];
const NETCONFA_IFINDEX = 1;
const NETCONFA_FORWARDING = 2;
const NETCONFA_RP_FILTER = 3;
/** NETCONFA_* on/off attributes after rp_filter, in ip's order. */
const NETCONF_SWITCHES: readonly (readonly [number, string])[] = [
  [4, 'mc_forwarding'], // NETCONFA_MC_FORWARDING
  [5, 'proxy_neigh'], // NETCONFA_PROXY_NEIGH
  [6, 'ignore_routes_with_linkdown'], // NETCONFA_IGNORE_ROUTES_WITH_LINKDOWN
  [7, 'input'], // NETCONFA_INPUT
];

/** The interface index a netconf message is about (NETCONFA_IFINDEX), if it says. */
export function netconfIndex(m: NetlinkMessage): number | undefined {
  const v = u32(attrs(m.payload, 4).get(NETCONFA_IFINDEX));
  return v === undefined ? undefined : v | 0;
}

/** print_netconf, after the headers: one object. */
export function printNetconf(env: PrinterEnv, m: NetlinkMessage): void {
  const { out } = env;
  const family = m.payload[0]!;
  const tb = attrs(m.payload, 4);
  out.openObject();
  if (m.type === RTM_DELNETCONF) out.any('deleted', true, 'Deleted ');
  const fam = familyName(family);
  out.any('family', fam, `${fam} `);
  const index = netconfIndex(m);
  if (index !== undefined) {
    // NETCONFA_IFINDEX_ALL (-1), NETCONFA_IFINDEX_DEFAULT (-2)
    const dev = index === -1 ? 'all' : index === -2 ? 'default' : env.name(index);
    out.any('interface', dev, `${dev} `, 'ifname');
  }
  const fwd = u32(tb.get(NETCONFA_FORWARDING));
  if (fwd !== undefined) onOff(out, 'forwarding', fwd);
  const rp = u32(tb.get(NETCONFA_RP_FILTER));
  if (rp !== undefined) {
    const name = RP_FILTER[rp];
    out.any('rp_filter', name ?? rp, `rp_filter ${name ?? rp} `);
  }
  for (const [type, key] of NETCONF_SWITCHES) {
    const v = u32(tb.get(type));
    if (v !== undefined) onOff(out, key, v);
  }
  out.closeObject();
  out.text('\n');
}

// ---------------------------------------------------------------------------------------------
// nsid

/** print_nsid (without iproute2's namespace names, which name /run/netns entries). */
export function printNsid(env: PrinterEnv, m: NetlinkMessage, v: NsidInfo): void {
  const { out } = env;
  out.openObject();
  if (m.type === RTM_DELNSID) out.any('deleted', true, 'Deleted ');
  if (v.nsid < 0) out.text('nsid unassigned ');
  else out.any('nsid', v.nsid, `nsid ${v.nsid} `);
  const cur = (v.attributes as { currentNsid?: number }).currentNsid;
  if (cur !== undefined) {
    if (cur < 0) out.text('current-nsid unassigned ');
    else out.any('current-nsid', cur, `current-nsid ${cur} `);
  }
  out.text('\n');
  out.closeObject();
}

// ---------------------------------------------------------------------------------------------
// nexthops (struct nhmsg: u8 family, scope, protocol, resvd; u32 nh_flags).

const NHA_ID = 1;
const NHA_GROUP = 2;
const NHA_GROUP_TYPE = 3;
const NHA_BLACKHOLE = 4;
const NHA_OIF = 5;
const NHA_GATEWAY = 6;
const NHA_FDB = 11;
const NHA_RES_GROUP = 12;
const NHA_RES_BUCKET = 13;
/** NEXTHOP_GRP_TYPE_MPATH, NEXTHOP_GRP_TYPE_RES. */
const NH_GROUP_TYPES = ['mpath', 'resilient'];
const RT_SCOPE_UNIVERSE = 0;
const RTPROT_UNSPEC = 0;

/** print_rt_flags: RTNH_F_* / RTM_F_* names in ip's order (a `flags` array in JSON). */
const RT_FLAGS: readonly (readonly [number, string])[] = [
  [0x1, 'dead'], // RTNH_F_DEAD
  [0x4, 'onlink'], // RTNH_F_ONLINK
  [0x2, 'pervasive'], // RTNH_F_PERVASIVE
  [0x8, 'offload'], // RTNH_F_OFFLOAD
  [0x40, 'trap'], // RTNH_F_TRAP
  [0x100, 'notify'], // RTM_F_NOTIFY
  [0x10, 'linkdown'], // RTNH_F_LINKDOWN
  [0x20, 'unresolved'], // RTNH_F_UNRESOLVED
  [0x4000, 'rt_offload'], // RTM_F_OFFLOAD
  [0x8000, 'rt_trap'], // RTM_F_TRAP
  [0x20000000, 'rt_offload_failed'], // RTM_F_OFFLOAD_FAILED
];

function printRtFlags(out: Output, flags: number): void {
  if (out.jsonContext) out.openArray('flags');
  for (const [bit, name] of RT_FLAGS) if (flags & bit) out.any(undefined, name, `${name} `);
  if (out.jsonContext) out.closeArray();
}

/** print_tv of a clock_t in 1/100 s (__jiffies_to_tv): `%g` seconds. */
function printJiffies(out: Output, key: string, jiffies: number | bigint): void {
  const centis = BigInt(jiffies);
  const secs = Number(centis / 100n) + Number(centis % 100n) / 100;
  out.any(key, secs, `${key} ${formatG(secs)} `);
}

/** print_cache_nexthop's entry: one nexthop (or group). */
export function printNexthop(env: PrinterEnv, m: NetlinkMessage): void {
  const { out } = env;
  if (m.payload.length < 8) {
    out.error(`BUG: wrong nlmsg len ${m.payload.length - 8}`);
    return;
  }
  const family = m.payload[0]!;
  const scope = m.payload[1]!;
  const protocol = m.payload[2]!;
  const flags = m.payload.readUInt32LE(4);
  const tb = attrs(m.payload, 8);
  const id = u32(tb.get(NHA_ID)) ?? 0;
  const group = tb.get(NHA_GROUP);
  if (group && (group.length === 0 || group.length % 8 !== 0)) {
    out.print(`<nexthop id ${id} invalid nexthop group>`);
    out.error('Error parsing nexthop: Invalid argument');
    return;
  }
  const gw = tb.get(NHA_GATEWAY);
  if (gw && gw.length > 16) {
    out.print(`<nexthop id ${id} invalid gateway length ${gw.length}>\n`);
    out.error('Error parsing nexthop: Invalid argument');
    return;
  }
  out.openObject();
  if (m.type === RTM_DELNEXTHOP) out.any('deleted', true, 'Deleted ');
  out.any('id', id, `id ${id} `);
  if (group) {
    out.openArray('group');
    out.text('group ');
    for (let i = 0; i < group.length; i += 8) {
      out.openObject();
      if (i) out.text('/');
      const nh = group.readUInt32LE(i);
      out.any('id', nh, String(nh));
      const weight = group[i + 4]!;
      if (weight) out.any('weight', weight + 1, `,${weight + 1}`);
      out.closeObject();
    }
    out.text(' ');
    if (out.jsonContext) out.closeArray();
  }
  const type = u16(tb.get(NHA_GROUP_TYPE)) ?? 0;
  // The default type (mpath) is not printed, "in order not to break existing output".
  if (type !== 0) {
    const name = NH_GROUP_TYPES[type] ?? '<unknown type>';
    out.any('type', name, `type ${name} `);
  }
  const res = tb.get(NHA_RES_GROUP);
  if (res) {
    const rt = attrs(res, 0);
    out.openObject('resilient_args');
    const buckets = u16(rt.get(1)) ?? 0; // NHA_RES_GROUP_BUCKETS
    out.any('buckets', buckets, `buckets ${buckets} `);
    printJiffies(out, 'idle_timer', u32(rt.get(2)) ?? 0); // NHA_RES_GROUP_IDLE_TIMER
    printJiffies(out, 'unbalanced_timer', u32(rt.get(3)) ?? 0); // NHA_RES_GROUP_UNBALANCED_TIMER
    printJiffies(out, 'unbalanced_time', u64(rt.get(4)) ?? 0n); // NHA_RES_GROUP_UNBALANCED_TIME
    out.closeObject();
  }
  if (gw && gw.length > 0) {
    const text = addrText(gw);
    if (out.jsonContext) out.jsonOnly('gateway', text);
    else {
      out.print('via ');
      out.print(`${out.color(familyColor(family), text)} `);
    }
  }
  const oif = u32(tb.get(NHA_OIF));
  if (oif) {
    const dev = env.name(oif);
    if (out.jsonContext) out.jsonOnly('dev', dev);
    else out.print(`dev ${out.color('ifname', dev)} `);
  }
  if (scope !== RT_SCOPE_UNIVERSE || env.details > 0) {
    const s = SCOPES.text(scope, env.numeric);
    out.any('scope', s, `scope ${s} `);
  }
  if (tb.has(NHA_BLACKHOLE)) out.any('blackhole', null, 'blackhole ');
  if (protocol !== RTPROT_UNSPEC || env.details > 0) {
    const p = PROTOS.text(protocol, env.numeric);
    out.any('protocol', p, `proto ${p} `);
  }
  printRtFlags(out, flags);
  if (tb.has(NHA_FDB)) out.any('fdb', null, 'fdb');
  out.closeObject();
  out.text('\n');
}

/** print_nexthop_bucket. */
export function printNexthopBucket(env: PrinterEnv, m: NetlinkMessage): void {
  const { out } = env;
  if (m.payload.length < 8) {
    out.error(`BUG: wrong nlmsg len ${m.payload.length - 8}`);
    return;
  }
  const tb = attrs(m.payload, 8);
  out.openObject();
  // ip compares with RTM_DELNEXTHOP here, so a bucket is never printed as deleted.
  if (m.type === RTM_DELNEXTHOP) out.any('deleted', true, 'Deleted ');
  const id = u32(tb.get(NHA_ID));
  if (id !== undefined) out.any('id', id, `id ${id} `);
  const bucket = tb.get(NHA_RES_BUCKET);
  if (bucket) {
    const bt = attrs(bucket, 0);
    out.openObject('bucket');
    const index = u16(bt.get(1)); // NHA_RES_BUCKET_INDEX
    if (index !== undefined) out.any('index', index, `index ${index} `);
    const idle = u64(bt.get(2)); // NHA_RES_BUCKET_IDLE_TIME
    if (idle !== undefined) printJiffies(out, 'idle_time', idle);
    const nhid = u32(bt.get(3)); // NHA_RES_BUCKET_NH_ID
    if (nhid !== undefined) out.any('nhid', nhid, `nhid ${nhid} `);
    out.closeObject();
  }
  printRtFlags(out, m.payload.readUInt32LE(4));
  out.text('\n');
  out.closeObject();
}

// ---------------------------------------------------------------------------------------------
// IPv6 prefixes (struct prefixmsg: u8 family, pad1, u16 pad2, s32 ifindex, u8 type, len, flags,
// pad3 = 12 bytes).

const ND_OPT_PREFIX_INFORMATION = 3;
const PREFIX_ADDRESS = 1;
const PREFIX_CACHEINFO = 2;
/** IF_PREFIX_ONLINK, IF_PREFIX_AUTOCONF (<net/if_inet6.h>). */
const IF_PREFIX_ONLINK = 0x01;
const IF_PREFIX_AUTOCONF = 0x02;

/** print_prefix (ip prints it as text only; JSON keys are rtnl's, see monitor-json.ts). */
export function printPrefix(env: PrinterEnv, m: NetlinkMessage, preferredFamily: number): void {
  const { out } = env;
  if (m.payload.length < 12) {
    out.error(`BUG: wrong nlmsg len ${m.payload.length - 12}`);
    return;
  }
  if ((preferredFamily || AF_INET6) !== AF_INET6) return;
  const family = m.payload[0]!;
  if (family !== AF_INET6) {
    out.error(`incorrect protocol family: ${family}`);
    return;
  }
  const type = m.payload[8]!;
  if (type !== ND_OPT_PREFIX_INFORMATION) {
    out.error(`wrong ND type ${type}`);
    return;
  }
  const ifindex = m.payload.readInt32LE(4);
  const len = m.payload[9]!;
  const flags = m.payload[10]!;
  const tb = attrs(m.payload, 12);
  out.openObject();
  const addr = tb.get(PREFIX_ADDRESS);
  // ip prints no blank between the prefix and `dev`.
  if (addr) out.any('prefix', `${addrText(addr)}/${len}`, `prefix ${addrText(addr)}/${len}`);
  const dev = env.name(ifindex);
  out.any('dev', dev, `dev ${dev} `);
  if (flags & IF_PREFIX_ONLINK) out.any('onlink', true, 'onlink ');
  if (flags & IF_PREFIX_AUTOCONF) out.any('autoconf', true, 'autoconf ');
  const ci = tb.get(PREFIX_CACHEINFO);
  if (ci && ci.length >= 8) {
    // struct prefix_cacheinfo: preferred_time, then valid_time; ip prints valid first.
    const valid = ci.readUInt32LE(4);
    const preferred = ci.readUInt32LE(0);
    out.any('valid', valid, `valid ${valid} `);
    out.any('preferred', preferred, `preferred ${preferred} `);
  }
  out.closeObject();
  out.text('\n');
}

// ---------------------------------------------------------------------------------------------
// address labels (struct ifaddrlblmsg: u8 family, reserved, prefixlen, flags; u32 index, seq).

const IFAL_ADDRESS = 1;
const IFAL_LABEL = 2;

/** print_addrlabel. */
export function printAddrlabel(env: PrinterEnv, m: NetlinkMessage): void {
  const { out } = env;
  if (m.payload.length < 12) return;
  const family = m.payload[0]!;
  const prefixlen = m.payload[2]!;
  const index = m.payload.readUInt32LE(4);
  const tb = attrs(m.payload, 12);
  out.openObject();
  if (m.type === RTM_DELADDRLABEL) out.any('deleted', true, 'Deleted ');
  const addr = tb.get(IFAL_ADDRESS);
  if (addr) {
    out.text('prefix ');
    out.any('address', addrText(addr), addrText(addr), familyColor(family));
    out.any('prefixlen', prefixlen, `/${prefixlen} `);
  }
  if (index) {
    out.text('dev ');
    const dev = env.name(index);
    out.any('ifname', dev, `${dev} `, 'ifname');
  }
  const label = tb.get(IFAL_LABEL);
  if (label && label.length === 4) {
    const v = label.readUInt32LE(0);
    out.any('label', v, `label ${v} `);
  }
  out.text('\n');
  out.closeObject();
}
