// Pure builders of RTM_NEWRULE / RTM_DELRULE / RTM_GETRULE requests (no I/O).
//
// Header defaults, flags and attribute order follow what iproute2 6.1's `ip rule` sends, so
// that our request equals iproute2's byte for byte (seq and port id aside) for the command
// written in the usual order: selectors as `ip rule show` prints them (not, from, to, tos,
// fwmark, iif, oif, l3mdev, uidrange, ipproto, sport, dport, tun_id), then the action (lookup,
// suppress_prefixlength, suppress_ifgroup, realms, nat / goto / nop / blackhole …), then
// `pref N` and `protocol P`: `ip rule add from 192.0.2.0/24 lookup 100 pref 100 protocol static`.
import { NetlinkEncodeError } from '../../netlink/errors.js';
import { NLM_F_CREATE, NLM_F_EXCL } from '../../netlink/message.js';
import {
  AF_INET,
  AF_INET6,
  checkU32,
  checkUint,
  enumValue,
  type InetFamily,
  type InetPrefix,
  parseFamily,
  parseInetAddress,
  parseInetPrefix,
} from '../api/inet.js';
import { FR_ACT, RTM_DELRULE, RTM_GETRULE, RTM_NEWRULE, RTPROT } from '../constants.js';
import type { FamilyInput, RequestPlan } from './route.js';
import { tableId } from './route.js';

// <linux/fib_rules.h> FRA_*
const FRA_DST = 1;
const FRA_SRC = 2;
const FRA_IIFNAME = 3;
const FRA_GOTO = 4;
const FRA_PRIORITY = 6;
const FRA_FWMARK = 10;
const FRA_FLOW = 11;
const FRA_TUN_ID = 12;
const FRA_SUPPRESS_IFGROUP = 13;
const FRA_SUPPRESS_PREFIXLEN = 14;
const FRA_TABLE = 15;
const FRA_FWMASK = 16;
const FRA_OIFNAME = 17;
const FRA_L3MDEV = 19;
const FRA_UID_RANGE = 20;
const FRA_PROTOCOL = 21;
const FRA_IP_PROTO = 22;
const FRA_SPORT_RANGE = 23;
const FRA_DPORT_RANGE = 24;
// <linux/rtnetlink.h> RTA_GATEWAY: what `ip rule … nat ADDRESS` sends, in the slot
// <linux/fib_rules.h> calls FRA_UNUSED2 (the kernel no longer reads it).
const RTA_GATEWAY = 5;
// <linux/rtnetlink.h> RTN_NAT: the route type ip puts in fib_rule_hdr.action for `nat`.
const RTN_NAT = 10;

const FIB_RULE_INVERT = 0x2;
const RT_TABLE_MAIN = 254;
const IFNAME_MAX = 15;

/** A few IP protocol names for `ipProto` (<netinet/in.h> IPPROTO_*). */
export const IP_PROTO = { icmp: 1, tcp: 6, udp: 17, gre: 47, icmpv6: 58, sctp: 132 } as const;

/** An inclusive range of ports or UIDs; a single number means start = end. */
export type RangeInput = number | { start: number; end: number };

/**
 * A policy routing rule (`ip rule add|del`). Without an action, `add` makes a lookup rule
 * (FR_ACT_TO_TBL) in table main unless `table` says otherwise; `delete` matches any rule with
 * the fields given.
 */
export interface RuleSpec {
  /** Needed only when no prefix tells the family: 'inet' (default) or 'inet6'. */
  family?: FamilyInput | undefined;
  /** FRA_PRIORITY: the rule's preference (`ip rule … pref N`). */
  priority?: number | undefined;
  /** FIB_RULE_INVERT: the rule matches what the selectors do not (`ip rule … not …`). */
  invert?: boolean | undefined;
  /** Source prefix, or 'all' (`from`). */
  src?: string | undefined;
  /** Destination prefix, or 'all' (`to`). */
  dst?: string | undefined;
  tos?: number | undefined;
  fwmark?: number | undefined;
  fwmask?: number | undefined;
  /** FRA_IIFNAME: the input device, by name (it need not exist). */
  iif?: string | undefined;
  /** FRA_OIFNAME: the output device, by name. */
  oif?: string | undefined;
  /** FRA_L3MDEV: look up the table of the packet's l3mdev (VRF). */
  l3mdev?: boolean | undefined;
  uidRange?: RangeInput | undefined;
  /** FRA_IP_PROTO: a protocol number or a name of {@link IP_PROTO}. */
  ipProto?: keyof typeof IP_PROTO | number | undefined;
  sport?: RangeInput | undefined;
  dport?: RangeInput | undefined;
  /** FRA_TUN_ID (64 bits). */
  tunId?: bigint | undefined;
  /** Table by name or id (`lookup`); ids ≥ 256 travel in FRA_TABLE. */
  table?: string | number | undefined;
  suppressPrefixlen?: number | undefined;
  suppressIfgroup?: number | undefined;
  /** FRA_FLOW realms. */
  realms?: number | undefined;
  /**
   * FR_ACT_* by name ('to_tbl', 'goto', 'nop', 'blackhole', 'unreachable', 'prohibit'); default
   * 'to_tbl' for add ('goto' when `goto` is given).
   */
  action?: keyof typeof FR_ACT | number | undefined;
  /** FRA_GOTO: the priority of the rule to continue at (implies action 'goto'). */
  goto?: number | undefined;
  /**
   * Deprecated route NAT (`ip rule … nat ADDRESS`): an IPv4 address sent as RTA_GATEWAY; the
   * action is RTN_NAT (10) unless `action` or `goto` gives another. The kernel keeps the
   * action but not the address: the rule reads back as `masquerade`.
   */
  nat?: string | undefined;
  /** FRA_PROTOCOL: who added the rule ('boot', 'static', …). */
  protocol?: string | number | undefined;
}

function bad(path: string, message: string): NetlinkEncodeError {
  return new NetlinkEncodeError('BAD_VALUE', message, path);
}

function prefix(text: unknown, path: string): InetPrefix | 'all' {
  if (text === 'all' || text === 'default' || text === 'any') return 'all';
  return parseInetPrefix(text, path);
}

function range(value: RangeInput, max: number, path: string): [number, number] {
  if (typeof value === 'number') {
    const v = checkUint(value, max, path);
    return [v, v];
  }
  if (typeof value !== 'object' || value === null) {
    throw bad(path, 'expected a number or { start, end }');
  }
  const start = checkUint(value.start, max, `${path}.start`);
  const end = checkUint(value.end, max, `${path}.end`);
  if (end < start) throw bad(path, `end ${end} is below start ${start}`);
  return [start, end];
}

function ifname(value: unknown, path: string): string {
  if (typeof value !== 'string' || value === '' || /[/:\s]/.test(value)) {
    throw bad(path, `expected a device name, got ${String(value)}`);
  }
  if (Buffer.byteLength(value) > IFNAME_MAX) {
    throw bad(path, `device name "${value}" is longer than ${IFNAME_MAX} bytes`);
  }
  return value;
}

/** Build `ip rule add` (`op` 'add': NLM_F_CREATE | NLM_F_EXCL) or `ip rule del`. */
export function buildRuleRequest(op: 'add' | 'delete', spec: RuleSpec): RequestPlan {
  if (typeof spec !== 'object' || spec === null) throw bad('rule', 'expected a rule object');
  const add = op === 'add';
  if (!add && op !== 'delete') throw bad('rule', `unknown operation ${String(op)}`);
  const src = spec.src === undefined ? undefined : prefix(spec.src, 'rule.src');
  const dst = spec.dst === undefined ? undefined : prefix(spec.dst, 'rule.dst');
  let family: InetFamily | undefined =
    spec.family === undefined ? undefined : parseFamily(spec.family, 'rule.family');
  family ??= (src !== 'all' ? src?.family : undefined) ?? (dst !== 'all' ? dst?.family : undefined);
  family ??= AF_INET;
  for (const [p, path] of [
    [src, 'rule.src'],
    [dst, 'rule.dst'],
  ] as const) {
    if (p && p !== 'all' && p.family !== family) {
      throw bad(path, `${p.address} is not of the rule's family`);
    }
  }
  const priority =
    spec.priority === undefined ? undefined : checkU32(spec.priority, 'rule.priority');
  const tos = spec.tos === undefined ? 0 : checkUint(spec.tos, 255, 'rule.tos');
  const fwmark = spec.fwmark === undefined ? undefined : checkU32(spec.fwmark, 'rule.fwmark');
  const fwmask = spec.fwmask === undefined ? undefined : checkU32(spec.fwmask, 'rule.fwmask');
  const iif = spec.iif === undefined ? undefined : ifname(spec.iif, 'rule.iif');
  const oif = spec.oif === undefined ? undefined : ifname(spec.oif, 'rule.oif');
  if (spec.l3mdev !== undefined && typeof spec.l3mdev !== 'boolean') {
    throw bad('rule.l3mdev', 'expected a boolean');
  }
  if (spec.invert !== undefined && typeof spec.invert !== 'boolean') {
    throw bad('rule.invert', 'expected a boolean');
  }
  const uid =
    spec.uidRange === undefined ? undefined : range(spec.uidRange, 0xffffffff, 'rule.uidRange');
  const ipProto =
    spec.ipProto === undefined ? undefined : enumValue(IP_PROTO, spec.ipProto, 255, 'rule.ipProto');
  const sport = spec.sport === undefined ? undefined : range(spec.sport, 0xffff, 'rule.sport');
  const dport = spec.dport === undefined ? undefined : range(spec.dport, 0xffff, 'rule.dport');
  if (
    spec.tunId !== undefined &&
    (typeof spec.tunId !== 'bigint' || spec.tunId < 0n || spec.tunId >= 2n ** 64n)
  ) {
    throw bad('rule.tunId', 'expected a bigint in 0..2^64-1');
  }
  const tunId = spec.tunId;
  const table = spec.table === undefined ? undefined : tableId(spec.table, 'rule.table');
  if (spec.l3mdev && table !== undefined && table !== 0) {
    throw bad('rule.table', 'a table cannot be given for an l3mdev rule');
  }
  const suppressPrefixlen =
    spec.suppressPrefixlen === undefined
      ? undefined
      : checkUint(spec.suppressPrefixlen, 0x7fffffff, 'rule.suppressPrefixlen');
  const suppressIfgroup =
    spec.suppressIfgroup === undefined
      ? undefined
      : checkU32(spec.suppressIfgroup, 'rule.suppressIfgroup');
  const realms = spec.realms === undefined ? undefined : checkU32(spec.realms, 'rule.realms');
  const gotoTarget = spec.goto === undefined ? undefined : checkU32(spec.goto, 'rule.goto');
  const nat = spec.nat === undefined ? undefined : natAddress(spec.nat);
  const protocol =
    spec.protocol === undefined
      ? undefined
      : enumValue(RTPROT, spec.protocol, 255, 'rule.protocol');
  let action: number;
  if (spec.action !== undefined) action = enumValue(FR_ACT, spec.action, 255, 'rule.action');
  else if (gotoTarget !== undefined) action = FR_ACT.goto;
  else if (nat !== undefined) action = RTN_NAT;
  else action = add ? FR_ACT.to_tbl : FR_ACT.unspec;
  // iproute2: a rule with an explicit action or l3mdev needs no table; add defaults to main.
  const tableOk =
    table !== undefined || spec.action !== undefined || gotoTarget !== undefined || !!spec.l3mdev;
  const tableNum = table ?? (add && !tableOk ? RT_TABLE_MAIN : 0);
  const hdrTable = tableNum < 256 ? tableNum : 0;
  const fraTable = tableNum >= 256 ? tableNum : undefined;
  const fam = family;
  const flags = spec.invert ? FIB_RULE_INVERT : 0;

  return {
    type: add ? RTM_NEWRULE : RTM_DELRULE,
    flags: add ? NLM_F_CREATE | NLM_F_EXCL : 0,
    write(w) {
      // struct fib_rule_hdr
      w.rawU8(fam);
      w.rawU8(dst && dst !== 'all' ? dst.prefixLen : 0);
      w.rawU8(src && src !== 'all' ? src.prefixLen : 0);
      w.rawU8(tos);
      w.rawU8(hdrTable);
      w.rawU8(0);
      w.rawU8(0);
      w.rawU8(action);
      w.rawU32(flags);
      // 'all' is an empty FRA_SRC / FRA_DST with length 0, as iproute2 sends it.
      if (src) w.binary(FRA_SRC, src === 'all' ? EMPTY : src.bytes);
      if (dst) w.binary(FRA_DST, dst === 'all' ? EMPTY : dst.bytes);
      if (fwmark !== undefined) w.u32(FRA_FWMARK, fwmark);
      if (fwmask !== undefined) w.u32(FRA_FWMASK, fwmask);
      if (iif !== undefined) w.string(FRA_IIFNAME, iif);
      if (oif !== undefined) w.string(FRA_OIFNAME, oif);
      if (spec.l3mdev) w.u8(FRA_L3MDEV, 1);
      if (uid) {
        const at = w.begin(FRA_UID_RANGE);
        w.rawU32(uid[0]);
        w.rawU32(uid[1]);
        w.end(at);
      }
      if (ipProto !== undefined) w.u8(FRA_IP_PROTO, ipProto);
      if (sport) writePorts(w, FRA_SPORT_RANGE, sport);
      if (dport) writePorts(w, FRA_DPORT_RANGE, dport);
      if (tunId !== undefined) {
        const b = Buffer.alloc(8);
        b.writeBigUInt64BE(tunId);
        w.binary(FRA_TUN_ID, b);
      }
      if (fraTable !== undefined) w.u32(FRA_TABLE, fraTable);
      if (suppressPrefixlen !== undefined) w.u32(FRA_SUPPRESS_PREFIXLEN, suppressPrefixlen);
      if (suppressIfgroup !== undefined) w.u32(FRA_SUPPRESS_IFGROUP, suppressIfgroup);
      if (realms !== undefined) w.u32(FRA_FLOW, realms);
      if (nat !== undefined) w.binary(RTA_GATEWAY, nat);
      if (gotoTarget !== undefined) w.u32(FRA_GOTO, gotoTarget);
      if (priority !== undefined) w.u32(FRA_PRIORITY, priority);
      if (protocol !== undefined) w.u8(FRA_PROTOCOL, protocol);
    },
  };
}

const EMPTY = new Uint8Array(0);

/** The IPv4 address of `nat` (ip's get_addr32: IPv4 whatever the rule's family). */
function natAddress(text: unknown): Uint8Array {
  const a = parseInetAddress(text, 'rule.nat');
  if (a.family === AF_INET6) throw bad('rule.nat', `${String(text)} is not an IPv4 address`);
  return a.bytes;
}

function writePorts(
  w: Parameters<RequestPlan['write']>[0],
  type: number,
  [start, end]: [number, number],
): void {
  // struct fib_rule_port_range { __u16 start; __u16 end; } in host order.
  const at = w.begin(type);
  w.rawU16(start);
  w.rawU16(end);
  w.end(at);
}

/** Build a rule dump request (RTM_GETRULE | NLM_F_DUMP) for one family or all. */
export function buildRuleDumpRequest(family?: FamilyInput): RequestPlan {
  const fam = family === undefined ? 0 : parseFamily(family, 'ruleFilter.family');
  return {
    type: RTM_GETRULE,
    flags: 0,
    write(w) {
      w.rawU8(fam);
      w.zeros(11);
    },
  };
}
