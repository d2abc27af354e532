// `rtnl rule`: list / show / add / del / flush / save / restore of policy routing rules, with
// ip's grammar and output (iproute2 6.1 ip/iprule.c: iprule_modify, iprule_list_flush_or_save,
// print_rule, iprule_restore). The save file format is ../dumpfile.ts.
import {
  FR_ACT,
  RT_TABLE,
  RTM_GETRULE,
  RTPROT,
  type RtNetlink,
  type Rule,
  type RuleSpec,
} from '../../index.js';
import {
  Args,
  checkIfname,
  getAddr1,
  getInteger,
  getU32,
  getU64,
  matches,
  parsePrefix,
  parseU32,
} from '../args.js';
import type { CliContext, CliFamily } from '../context.js';
import { RULE_DUMP_MAGIC, readDumpFile, restoreMessages, saveDump } from '../dumpfile.js';
import { CliError, CliUsageError, formatNetlinkError, invarg, unknownCommand } from '../errors.js';
import type { Output } from '../output.js';
import {
  addrBytes,
  addrMatch,
  DSFIELDS,
  dsfieldText,
  enumNumber,
  familyColor,
  familyNumber,
  GROUPS,
  ipProtoId,
  ipProtoText,
  PROTOS,
  type Prefix,
  parseRealms,
  REALMS,
  rtnTypeId,
  rtnTypeText,
  TABLES,
  toPrefix,
} from './route.js';

/** The usage of `rtnl rule` (printed for `rtnl rule help`, exit status 255). */
export const help = `Usage: rtnl rule { add | del } SELECTOR ACTION
       rtnl rule flush [ SELECTOR ]
       rtnl rule save > FILE
       rtnl rule restore < FILE
       rtnl rule [ list | show ] [ SELECTOR ]
SELECTOR := [ not ] [ from PREFIX ] [ to PREFIX ] [ tos TOS ] [ fwmark FWMARK[/MASK] ]
            [ iif DEV ] [ oif DEV ] [ pref NUMBER ] [ l3mdev ] [ uidrange NUMBER-NUMBER ]
            [ ipproto PROTOCOL ] [ sport NUMBER[-NUMBER] ] [ dport NUMBER[-NUMBER] ]
            [ tun_id NUMBER ]
ACTION := [ table TABLE_ID ] [ protocol PROTO ] [ nat ADDRESS ]
          [ realms [SRCREALM/]DSTREALM ] [ goto NUMBER ] [ nop ]
          [ blackhole | unreachable | prohibit ] SUPPRESSOR
SUPPRESSOR := [ suppress_prefixlength NUMBER ] [ suppress_ifgroup DEVGROUP ]
TABLE_ID := { local | main | default | NUMBER }
`;

const FIB_RULE_INVERT = 0x2;
const FIB_RULE_UNRESOLVED = 0x4;
const FIB_RULE_IIF_DETACHED = 0x8;
const FIB_RULE_OIF_DETACHED = 0x10;
const RTN_NAT = 10;
const RTPROT_KERNEL = 2;
const UNSET = 0xffffffff;

interface RuleFilter {
  not: boolean;
  l3mdev: boolean;
  iif?: string;
  oif?: string;
  uidrange?: [number, number];
  tb: number;
  tos: number;
  tosmask: boolean;
  pref: number;
  prefmask: boolean;
  fwmark: number;
  fwmask: number;
  tunId: bigint;
  src?: Prefix;
  dst?: Prefix;
  protocol: number;
  protocolmask: number;
  sport?: [number, number];
  dport?: [number, number];
  ipproto: number;
}

function emptyFilter(): RuleFilter {
  return {
    not: false,
    l3mdev: false,
    tb: 0,
    tos: 0,
    tosmask: false,
    pref: 0,
    prefmask: false,
    fwmark: 0,
    fwmask: 0,
    tunId: 0n,
    protocol: 0,
    protocolmask: 0,
    ipproto: 0,
  };
}

/** sscanf("%u-%u"): two unsigned numbers; undefined unless both are there. */
function uidRange(arg: string): [number, number] | undefined {
  const m = /^\s*\+?(\d+)-\s*\+?(\d+)/.exec(arg);
  if (!m) return undefined;
  return [Number(m[1]) >>> 0, Number(m[2]) >>> 0];
}

/** sscanf("%hu-%hu"): one or two numbers (truncated to 16 bits, as %hu does). */
function portRange(arg: string): [number, number] | undefined {
  const m = /^\s*\+?(\d+)(?:-\s*\+?(\d+))?/.exec(arg);
  if (!m) return undefined;
  const start = Number(m[1]) & 0xffff;
  return [start, m[2] === undefined ? start : Number(m[2]) & 0xffff];
}

/** `fwmark MARK[/MASK]`. */
function fwmarkArg(arg: string): { mark: number; mask?: number } {
  const slash = arg.indexOf('/');
  const markText = slash >= 0 ? arg.slice(0, slash) : arg;
  const mark = getU32(markText);
  if (mark === undefined) throw invarg('fwmark value is invalid\n', markText);
  if (slash < 0) return { mark };
  const maskText = arg.slice(slash + 1);
  const mask = getU32(maskText);
  if (mask === undefined) throw invarg('fwmask value is invalid\n', maskText);
  return { mark, mask };
}

function hostLen(family: number): number {
  return family === 10 ? 128 : family === 2 ? 32 : 0;
}

/** ip's filter_nlmsg for rules. */
function ruleMatches(f: RuleFilter, r: Rule): boolean {
  const a = r.attributes;
  if (f.prefmask && f.pref !== (a.priority ?? 0)) return false;
  if (f.not && !(r.flags.raw & FIB_RULE_INVERT)) return false;
  for (const [p, len, addr] of [
    [f.src, r.srcLen, a.src],
    [f.dst, r.dstLen, a.dst],
  ] as const) {
    if (!p?.family) continue;
    if (p.family !== r.family || p.bitlen > len) return false;
    if (addr !== undefined && p.bitlen > 0 && !addrMatch(addrBytes(addr), p.bytes, p.bitlen)) {
      return false;
    }
  }
  if (f.tosmask && f.tos !== r.tos) return false;
  if (f.fwmark && f.fwmark !== (a.fwmark ?? 0)) return false;
  if (f.fwmask && f.fwmask !== (a.fwmask ?? 0)) return false;
  if (f.iif !== undefined && a.iifname !== f.iif) return false;
  if (f.oif !== undefined && a.oifname !== f.oif) return false;
  if (f.l3mdev && !a.l3mdev) return false;
  if (f.uidrange) {
    const u = a.uidRange;
    if (!u || u.start !== f.uidrange[0] || u.end !== f.uidrange[1]) return false;
  }
  if (f.ipproto && f.ipproto !== (a.ipProto ?? 0)) return false;
  for (const [want, got] of [
    [f.sport, a.sportRange],
    [f.dport, a.dportRange],
  ] as const) {
    if (!want?.[0]) continue;
    if (!got || got.start !== want[0] || got.end !== want[1]) return false;
  }
  if (f.tunId) {
    if (typeof a.tunId !== 'bigint' || a.tunId !== f.tunId) return false;
  }
  if (f.tb > 0 && f.tb !== tableOf(r)) return false;
  return true;
}

function tableOf(r: Rule): number {
  return enumNumber(RT_TABLE, r.table);
}

export interface PrintContext {
  out: Output;
  details: number;
  numeric: boolean;
}

/** ip's print_rule. */
export function printRule(p: PrintContext, r: Rule): void {
  const { out, numeric } = p;
  const a = r.attributes;
  const host = hostLen(r.family);
  const flags = r.flags.raw;
  out.openObject();
  const prio = a.priority ?? 0;
  out.any('priority', prio, `${prio}:\t`);
  if (flags & FIB_RULE_INVERT) out.any('not', null, 'not ');
  if (a.src !== undefined) {
    out.text('from ');
    out.any('src', a.src, a.src, familyColor(r.family));
    if (r.srcLen !== host) out.any('srclen', r.srcLen, `/${r.srcLen}`);
  } else if (r.srcLen) {
    out.any('src', '0', 'from 0');
    out.any('srclen', r.srcLen, `/${r.srcLen}`);
  } else {
    out.any('src', 'all', 'from all');
  }
  if (a.dst !== undefined) {
    out.text(' to ');
    out.any('dst', a.dst, a.dst, familyColor(r.family));
    if (r.dstLen !== host) out.any('dstlen', r.dstLen, `/${r.dstLen}`);
  } else if (r.dstLen) {
    out.any('dst', '0', ' to 0');
    out.any('dstlen', r.dstLen, `/${r.dstLen}`);
  }
  if (r.tos) {
    const t = dsfieldText(r.tos, numeric);
    out.any('tos', t, ` tos ${t}`);
  }
  if (a.fwmark !== undefined || a.fwmask !== undefined) {
    const mark = `0x${(a.fwmark ?? 0).toString(16)}`.replace(/^0x0$/, '0');
    out.any('fwmark', mark, ` fwmark ${mark}`);
    if (a.fwmask !== undefined && a.fwmask !== 0xffffffff) {
      const mask = `0x${a.fwmask.toString(16)}`.replace(/^0x0$/, '0');
      out.any('fwmask', mask, `/${mask}`);
    }
  }
  if (a.iifname !== undefined) {
    out.text(' iif ');
    out.any('iif', a.iifname, a.iifname, 'ifname');
    if (flags & FIB_RULE_IIF_DETACHED) out.any('iif_detached', null, ' [detached]');
  }
  if (a.oifname !== undefined) {
    out.text(' oif ');
    out.any('oif', a.oifname, a.oifname, 'ifname');
    if (flags & FIB_RULE_OIF_DETACHED) out.any('oif_detached', null, ' [detached]');
  }
  if (a.l3mdev) out.any('l3mdev', null, ' lookup [l3mdev-table]');
  if (a.uidRange) {
    out.any('uid_start', a.uidRange.start, ` uidrange ${a.uidRange.start}`);
    out.any('uid_end', a.uidRange.end, `-${a.uidRange.end}`);
  }
  if (a.ipProto !== undefined) {
    const t = ipProtoText(a.ipProto, numeric);
    out.any('ipproto', t, ` ipproto ${t}`);
  }
  for (const [name, range] of [
    ['sport', a.sportRange],
    ['dport', a.dportRange],
  ] as const) {
    if (!range) continue;
    if (range.start === range.end) out.any(name, range.start, ` ${name} ${range.start}`);
    else {
      out.any(`${name}_start`, range.start, ` ${name} ${range.start}`);
      out.any(`${name}_end`, range.end, `-${range.end}`);
    }
  }
  if (typeof a.tunId === 'bigint') out.any('tun_id', a.tunId, ` tun_id ${a.tunId}`);
  const table = tableOf(r);
  if (table) {
    const t = TABLES.text(table, numeric);
    out.any('table', t, ` lookup ${t}`);
    if (a.suppressPrefixlen !== undefined && a.suppressPrefixlen !== UNSET) {
      const pl = a.suppressPrefixlen | 0;
      out.any('suppress_prefixlen', pl, ` suppress_prefixlength ${pl}`);
    }
    if (a.suppressIfgroup !== undefined && a.suppressIfgroup !== UNSET) {
      const g = GROUPS.text(a.suppressIfgroup | 0, numeric);
      out.any('suppress_ifgroup', g, ` suppress_ifgroup ${g}`);
    }
  }
  if (a.flow !== undefined) {
    const from = a.flow >>> 16;
    const to = a.flow & 0xffff;
    if (from) {
      const t = REALMS.text(from, numeric);
      out.any('flow_from', t, ` realms ${t}/`);
    } else out.text(' realms ');
    const t = REALMS.text(to, numeric);
    out.any('flow_to', t, t);
  }
  const action = enumNumber(FR_ACT, r.action);
  if (action === RTN_NAT) {
    const gw = a.unused2;
    if (gw instanceof Uint8Array && gw.length === 4) {
      const text = Array.from(gw).join('.');
      out.any('nat_gateway', text, ` map-to ${text}`);
    } else out.any('masquerade', null, ' masquerade');
  } else if (action === FR_ACT.goto) {
    if (a.goto !== undefined) out.any('goto', a.goto, ` goto ${a.goto}`);
    else out.any('goto', 'none', ' goto none');
    if (flags & FIB_RULE_UNRESOLVED) out.any('unresolved', null, ' [unresolved]');
  } else if (action === FR_ACT.nop) {
    out.any('nop', null, ' nop');
  } else if (action !== FR_ACT.to_tbl) {
    const t = rtnTypeText(action, numeric);
    out.any('action', t, ` ${t}`);
  }
  if (a.protocol !== undefined) {
    const proto = enumNumber(RTPROT, a.protocol);
    if ((proto && proto !== RTPROT_KERNEL) || p.details > 0) {
      const t = PROTOS.text(proto, numeric);
      out.any('protocol', t, ` proto ${t}`);
    }
  }
  out.text('\n');
  out.closeObject();
}

function ruleFamily(f: CliFamily | undefined): 'inet' | 'inet6' {
  if (f === undefined || f === 'inet') return 'inet';
  if (f === 'inet6') return 'inet6';
  throw new CliError(`rtnl: rules of the ${f} family are not supported`, 255);
}

async function listOrFlush(ctx: CliContext, args: string[], flush: boolean): Promise<number> {
  const family = ruleFamily(ctx.opts.family);
  const af = familyNumber(family);
  const f = emptyFilter();
  const a = new Args(args);
  while (!a.done) {
    const w = a.next()!;
    if (matches(w, 'preference') || matches(w, 'order') || matches(w, 'priority')) {
      f.pref = parseU32(a.needValue(), 'preference value is invalid\n');
      f.prefmask = true;
    } else if (w === 'not') {
      f.not = true;
    } else if (w === 'tos' || w === 'dsfield') {
      const v = a.needValue();
      const tos = DSFIELDS.id(v);
      if (tos === undefined) throw invarg('TOS value is invalid\n', v);
      f.tos = tos;
      f.tosmask = true;
    } else if (w === 'fwmark') {
      const m = fwmarkArg(a.needValue());
      f.fwmark = m.mark;
      if (m.mask !== undefined) f.fwmask = m.mask;
    } else if (w === 'dev' || w === 'iif') {
      const v = a.needValue();
      if (!checkIfname(v)) throw invarg('"iif"/"dev" not a valid ifname', v);
      f.iif = v;
    } else if (w === 'oif') {
      const v = a.needValue();
      if (!checkIfname(v)) throw invarg('"oif" not a valid ifname', v);
      f.oif = v;
    } else if (w === 'l3mdev') {
      f.l3mdev = true;
    } else if (w === 'uidrange') {
      const v = a.needValue();
      const r = uidRange(v);
      if (!r) throw invarg('invalid UID range\n', v);
      f.uidrange = r;
    } else if (matches(w, 'tun_id')) {
      const v = a.needValue();
      const id = getU64(v);
      if (id === undefined) throw invarg('"tun_id" value is invalid\n', v);
      f.tunId = id;
    } else if (matches(w, 'lookup') || matches(w, 'table')) {
      const v = a.needValue();
      const tid = TABLES.id(v);
      if (tid === undefined) throw invarg('table id value is invalid\n', v);
      f.tb = tid;
    } else if (matches(w, 'from') || matches(w, 'src')) {
      f.src = toPrefix(parsePrefix(a.needValue(), family), af);
    } else if (matches(w, 'protocol')) {
      const v = a.needValue();
      f.protocolmask = -1;
      let prot = PROTOS.id(v);
      if (prot === undefined) {
        if (v !== 'all') throw invarg('invalid "protocol"\n', v);
        prot = 0;
        f.protocolmask = 0;
      }
      f.protocol = prot;
    } else if (w === 'ipproto') {
      const v = a.needValue();
      const n = ipProtoId(v);
      if (n === undefined) throw invarg('Invalid "ipproto" value\n', v);
      f.ipproto = n;
    } else if (w === 'sport') {
      const v = a.needValue();
      const r = portRange(v);
      if (!r) throw invarg('invalid port range\n', v);
      f.sport = r;
    } else if (w === 'dport') {
      const v = a.needValue();
      const r = portRange(v);
      if (!r) throw invarg('invalid dport range\n', v);
      f.dport = r;
    } else {
      let v = w;
      if (matches(v, 'dst') || matches(v, 'to')) v = a.needValue();
      f.dst = toPrefix(parsePrefix(v, family), af);
    }
  }
  const rt = await ctx.rt();
  const p: PrintContext = { out: ctx.out, details: ctx.opts.details, numeric: ctx.opts.numeric };
  if (flush) return flushRules(rt, f, family);
  ctx.out.openJson();
  for await (const r of rt.rules.iterate({ family })) {
    if (ruleMatches(f, r)) printRule(p, r);
  }
  ctx.out.closeJson();
  return 0;
}

/** ip's flush_rule: delete each matching rule that has a priority, one request at a time. */
async function flushRules(rt: RtNetlink, f: RuleFilter, family: 'inet' | 'inet6'): Promise<number> {
  const rules = await rt.rules.list({ family });
  for (const r of rules) {
    if (!ruleMatches(f, r)) continue;
    const a = r.attributes;
    if (a.protocol !== undefined) {
      const proto = enumNumber(RTPROT, a.protocol);
      if ((f.protocol ^ proto) & f.protocolmask) continue;
    }
    if (a.priority === undefined) continue;
    await rt.rules.delete(r);
  }
  return 0;
}

// ---------------------------------------------------------------------------------------------
// ip rule save / restore.

/** sizeof(struct fib_rule_hdr) */
const FIB_RULE_HDR_LEN = 12;
/** do_cmd negates what ip's command returns: -1 becomes exit status 1, 1 and exit(-1) 255. */
const EXIT_MINUS_ONE = 1;
const EXIT_ONE = 255;

/**
 * `ip rule save > FILE` (iprule_list_flush_or_save with IPRULE_SAVE): no selector is taken; a
 * terminal on stdout is refused; the magic number, then every message of an RTM_GETRULE dump
 * of the family (IPv4 unless told otherwise: rtnl_ruledump_req) exactly as the kernel sent it.
 * With -j ip also opens and closes an empty JSON array on stdout, after the file's bytes.
 */
async function save(ctx: CliContext, args: string[]): Promise<number> {
  const { out, opts } = ctx;
  if (args.length > 0) {
    throw new CliError('"ip rule save" does not take any arguments.', EXIT_MINUS_ONE);
  }
  const request = Buffer.alloc(FIB_RULE_HDR_LEN);
  request[0] = familyNumber(opts.family) || familyNumber('inet');
  const refused = await saveDump(out, RULE_DUMP_MAGIC, ctx.rt, RTM_GETRULE, request);
  if (refused !== undefined) {
    // ip's JSON array was opened (in stdio's buffer) before the dump and is never closed.
    if (opts.json) out.print(opts.pretty ? '[ ' : '[');
    out.error(formatNetlinkError(refused));
    out.error('Dump terminated');
    return EXIT_ONE;
  }
  out.openJson();
  out.closeJson();
  return 0;
}

/**
 * `ip rule restore < FILE` (iprule_restore, restore_handler): every saved message is sent back
 * as it is, with NLM_F_CREATE added (and the engine's NLM_F_REQUEST | NLM_F_ACK), one at a time
 * and in the file's order. No NLM_F_EXCL: the kernel adds a rule again even if an equal one
 * exists. An EEXIST is reported and skipped; any other refusal, a bad magic number, a terminal
 * on stdin or a malformed file ends it with exit status 255.
 */
async function restore(ctx: CliContext): Promise<number> {
  const file = await readDumpFile('rule', RULE_DUMP_MAGIC, EXIT_ONE);
  return restoreMessages(await ctx.rt(), ctx.out, file, EXIT_ONE);
}

type Range = NonNullable<RuleSpec['sport']>;

async function modify(ctx: CliContext, op: 'add' | 'delete', args: string[]): Promise<number> {
  const add = op === 'add';
  if (args.length === 0) {
    throw new CliError(`"ip rule ${add ? 'add' : 'del'}" requires arguments.`, 1);
  }
  const family = ruleFamily(ctx.opts.family);
  const spec: RuleSpec = { family };
  let table: number | undefined;
  const a = new Args(args);
  while (!a.done) {
    const w = a.next()!;
    if (w === 'not') {
      spec.invert = true;
    } else if (w === 'from' || w === 'to') {
      const p = parsePrefix(a.needValue(), ctx.opts.family);
      // `default` in a known family is an all-zero address (ip sends its bytes), `all` and
      // `any` an empty attribute.
      let text = p.any ? 'all' : `${p.address}/${p.prefixlen}`;
      if (p.any && p.keyword === 'default' && family === ctx.opts.family) {
        text = family === 'inet6' ? '::/0' : '0.0.0.0/0';
      }
      if (w === 'from') spec.src = text;
      else spec.dst = text;
    } else if (matches(w, 'preference') || matches(w, 'order') || matches(w, 'priority')) {
      spec.priority = parseU32(a.needValue(), 'preference value is invalid\n');
    } else if (w === 'tos' || matches(w, 'dsfield')) {
      const v = a.needValue();
      const tos = DSFIELDS.id(v);
      if (tos === undefined) throw invarg('TOS value is invalid\n', v);
      spec.tos = tos;
    } else if (w === 'fwmark') {
      const m = fwmarkArg(a.needValue());
      spec.fwmark = m.mark;
      if (m.mask !== undefined) spec.fwmask = m.mask;
    } else if (matches(w, 'realms')) {
      const v = a.needValue();
      const realm = parseRealms(v);
      if (realm === undefined) throw invarg('invalid realms\n', v);
      spec.realms = realm;
    } else if (matches(w, 'protocol')) {
      const v = a.needValue();
      const prot = PROTOS.id(v);
      if (prot === undefined) throw invarg('"protocol" value is invalid\n', v);
      spec.protocol = prot;
    } else if (matches(w, 'tun_id')) {
      const v = a.needValue();
      const id = getU64(v);
      if (id === undefined) throw invarg('"tun_id" value is invalid\n', v);
      spec.tunId = id;
    } else if (matches(w, 'table') || w === 'lookup') {
      const v = a.needValue();
      const tid = TABLES.id(v);
      if (tid === undefined) throw invarg('invalid table ID\n', v);
      table = tid;
      spec.table = tid;
    } else if (matches(w, 'suppress_prefixlength') || w === 'sup_pl') {
      const v = a.needValue();
      const pl = getInteger(v);
      if (pl === undefined || pl < 0) throw invarg('suppress_prefixlength value is invalid\n', v);
      spec.suppressPrefixlen = pl;
    } else if (matches(w, 'suppress_ifgroup') || w === 'sup_group') {
      const v = a.needValue();
      const g = GROUPS.id(v);
      if (g === undefined) throw invarg('Invalid "suppress_ifgroup" value\n', v);
      spec.suppressIfgroup = g;
    } else if (w === 'dev' || w === 'iif') {
      const v = a.needValue();
      if (!checkIfname(v)) throw invarg('"iif"/"dev" not a valid ifname', v);
      spec.iif = v;
    } else if (w === 'oif') {
      const v = a.needValue();
      if (!checkIfname(v)) throw invarg('"oif" not a valid ifname', v);
      spec.oif = v;
    } else if (w === 'l3mdev') {
      spec.l3mdev = true;
    } else if (w === 'uidrange') {
      const v = a.needValue();
      const r = uidRange(v);
      if (!r) throw invarg('invalid UID range\n', v);
      spec.uidRange = { start: r[0], end: r[1] };
    } else if (w === 'nat' || matches(w, 'map-to')) {
      const v = a.needValue();
      ctx.out.error('Warning: route NAT is deprecated');
      // get_addr32: IPv4 whatever the rule's family; `default` / `any` / `all` are 0.0.0.0.
      const addr = getAddr1(v, 'inet');
      if (!addr) throw new CliError(`Error: an IP address is expected rather than "${v}"`, 1);
      spec.nat = addr.any ? '0.0.0.0' : addr.address;
      // The action becomes RTN_NAT; with no action word before, the table stays required
      // (main by default), as ip's table_ok.
      if (spec.action !== undefined) spec.action = RTN_NAT;
    } else if (w === 'ipproto') {
      const v = a.needValue();
      const n = ipProtoId(v);
      if (n === undefined) throw invarg('Invalid "ipproto" value\n', v);
      spec.ipProto = n;
    } else if (w === 'sport' || w === 'dport') {
      const v = a.needValue();
      const r = portRange(v);
      if (!r) throw invarg(w === 'sport' ? 'invalid port range\n' : 'invalid dport range\n', v);
      const range: Range = { start: r[0], end: r[1] };
      if (w === 'sport') spec.sport = range;
      else spec.dport = range;
    } else {
      let v = w;
      if (v === 'type') v = a.needValue();
      if (matches(v, 'help')) throw new CliUsageError(help.trimEnd());
      if (matches(v, 'goto')) {
        const t = a.needValue();
        spec.goto = parseU32(t, 'invalid target\n');
        spec.action = FR_ACT.goto;
      } else if (matches(v, 'nop')) {
        spec.action = FR_ACT.nop;
      } else {
        const type = rtnTypeId(v);
        if (type === undefined) throw invarg('Failed to parse rule type', v);
        spec.action = type;
      }
    }
  }
  if (spec.l3mdev && table !== undefined && table !== 0) {
    throw new CliError('table can not be specified for l3mdev rules', 22);
  }
  const rt = await ctx.rt();
  if (add) await rt.rules.add(spec);
  else await rt.rules.delete(spec);
  return 0;
}

/** `rtnl rule …` (ip's do_iprule). */
export default async function rule(ctx: CliContext, args: string[]): Promise<number> {
  const [cmd, ...rest] = args;
  if (cmd === undefined) return listOrFlush(ctx, [], false);
  if (matches(cmd, 'list') || matches(cmd, 'lst') || matches(cmd, 'show')) {
    return listOrFlush(ctx, rest, false);
  }
  if (matches(cmd, 'save')) return save(ctx, rest);
  if (matches(cmd, 'restore')) return restore(ctx);
  if (matches(cmd, 'add')) return modify(ctx, 'add', rest);
  if (matches(cmd, 'delete')) return modify(ctx, 'delete', rest);
  if (matches(cmd, 'flush')) return listOrFlush(ctx, rest, true);
  if (matches(cmd, 'help')) throw new CliUsageError(help.trimEnd());
  throw unknownCommand(cmd, 'rule');
}
