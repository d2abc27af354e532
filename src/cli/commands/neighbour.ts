// `rtnl neighbour` (and `neighbor`): show / get / add / del / change / replace / flush of ARP
// and NDP entries, proxy entries included, with ip's grammar and output (iproute2 6.1
// ip/ipneigh.c: ipneigh_modify, do_show_or_flush, ipneigh_get, print_neigh).
import {
  AF_BRIDGE,
  decodeNeighbor,
  type Neighbor,
  type NeighborSpecInput,
  NetlinkError,
  NTF,
  neighborMessage,
  RTM_GETNEIGH,
  RTM_NEWNEIGH,
  RTPROT,
  type RtNetlink,
} from '../../index.js';
import { Args, getLladdr, getU32, matches, parseAddr, parsePrefix } from '../args.js';
import type { CliContext, CliFamily } from '../context.js';
import { devIndex, devName } from '../devices.js';
import { CliError, CliUsageError, duparg, duparg2, invarg, unknownCommand } from '../errors.js';
import type { Output } from '../output.js';
import {
  addrBytes,
  addrMatch,
  enumNumber,
  familyColor,
  familyNumber,
  inChunks,
  PROTOS,
  type Prefix,
  requireDev,
  toPrefix,
  userHz,
} from './route.js';

/** The usage of `rtnl neighbour` (printed for `rtnl neighbour help`, exit status 255). */
export const help = `Usage: rtnl neigh { add | del | change | replace }
                  { ADDR [ lladdr LLADDR ] [ nud STATE ] | proxy ADDR } [ dev DEV ]
                  [ router ] [ use ] [ managed ] [ extern_learn ] [ protocol PROTO ]
       rtnl neigh { show | flush } [ proxy ] [ to PREFIX ] [ dev DEV ] [ nud STATE ]
                  [ vrf NAME ] [ master DEV ] [ nomaster ] [ unused ] [ protocol PROTO ]
       rtnl neigh get { ADDR | proxy ADDR } dev DEV
STATE := { delay | failed | incomplete | noarp | none | permanent | probe | reachable |
           stale | all }
`;

// <linux/neighbour.h> NUD_* and the order ip prints them in (print_neigh_state).
const NUD_NAMES: readonly [number, string][] = [
  [0x01, 'INCOMPLETE'],
  [0x02, 'REACHABLE'],
  [0x04, 'STALE'],
  [0x08, 'DELAY'],
  [0x10, 'PROBE'],
  [0x20, 'FAILED'],
  [0x40, 'NOARP'],
  [0x80, 'PERMANENT'],
];
const NUD_NOARP = 0x40;
const NUD_PERMANENT = 0x80;
const NUD_FAILED = 0x20;
const NUD_NONE_FILTER = 0x100;
const NTF_EXT_MANAGED = 0x1;
const MAX_ROUNDS = 10;

/** ip's nud_state_a2n. */
function nudState(arg: string): number | undefined {
  if (matches(arg, 'permanent')) return NUD_PERMANENT;
  if (matches(arg, 'reachable')) return 0x02;
  if (arg === 'noarp') return NUD_NOARP;
  if (arg === 'none') return 0;
  if (arg === 'stale') return 0x04;
  if (arg === 'incomplete') return 0x01;
  if (arg === 'delay') return 0x08;
  if (arg === 'probe') return 0x10;
  if (matches(arg, 'failed')) return NUD_FAILED;
  const v = getU32(arg);
  if (v === undefined || v >= 0x100 || (v & (v - 1)) !== 0) return undefined;
  return v;
}

/** The client's neighbour family for ip's preferred family. */
function neighFamily(f: CliFamily | undefined): 'inet' | 'inet6' | 'bridge' | undefined {
  if (f === undefined || f === 'inet' || f === 'inet6' || f === 'bridge') return f;
  throw new CliError(`rtnl: neighbours of the ${f} family are not supported`, 255);
}

// ---------------------------------------------------------------------------------------------
// print_neigh

export interface NeighFilter {
  family: number;
  index: number;
  state: number;
  unusedOnly: boolean;
  pfx?: Prefix;
  protocol: number;
}

export interface PrintContext {
  rt: RtNetlink;
  out: Output;
  stats: number;
  brief: boolean;
  numeric: boolean;
  filter: NeighFilter;
}

/** ip's filter test at the top of print_neigh. */
export function neighMatches(f: NeighFilter, n: Neighbor): boolean {
  const state = n.state.raw;
  const flags = n.flags.raw;
  if (f.family && f.family !== n.family) return false;
  if (f.index && f.index !== n.ifindex) return false;
  if (
    !(f.state & state) &&
    !(flags & NTF.proxy) &&
    !(flags & NTF.ext_learned) &&
    (state || !(f.state & NUD_NONE_FILTER))
  ) {
    return false;
  }
  const pfx = f.pfx;
  if (pfx?.family && pfx.bitlen > 0 && n.dst !== undefined) {
    const fam = n.dst.includes(':') ? 10 : 2;
    if (fam !== pfx.family) return false;
    if (!addrMatch(addrBytes(n.dst), pfx.bytes, pfx.bitlen)) return false;
  }
  const proto = n.attributes.protocol === undefined ? 0 : enumNumber(RTPROT, n.attributes.protocol);
  if (f.protocol && f.protocol !== proto) return false;
  if (f.unusedOnly && n.attributes.cacheinfo?.ndm_refcnt) return false;
  return true;
}

function dstFamily(n: Neighbor): number {
  if (n.family !== AF_BRIDGE) return n.family;
  return n.dst?.includes(':') ? 10 : 2;
}

export async function printNeigh(p: PrintContext, n: Neighbor): Promise<void> {
  const { out, filter: f } = p;
  const a = n.attributes;
  out.openObject();
  if (p.brief) {
    if (n.dst !== undefined) {
      out.any('dst', n.dst, `${n.dst.padEnd(39)} `, familyColor(dstFamily(n)));
    }
    if (!f.index && n.ifindex) {
      const dev = await devName(p.rt, n.ifindex);
      out.any('dev', dev, `${dev.padEnd(16)} `, 'ifname');
    }
    if (n.lladdr !== undefined) out.any('lladdr', n.lladdr, n.lladdr, 'mac');
    out.text('\n');
    out.closeObject();
    return;
  }
  if (n.dst !== undefined) out.any('dst', n.dst, `${n.dst} `, familyColor(dstFamily(n)));
  if (!f.index && n.ifindex) {
    const dev = await devName(p.rt, n.ifindex);
    out.text('dev ');
    out.any('dev', dev, `${dev} `, 'ifname');
  }
  if (n.lladdr !== undefined) {
    out.text('lladdr ');
    out.any('lladdr', n.lladdr, `${n.lladdr} `, 'mac');
  }
  const flags = n.flags.raw;
  const ext = a.flagsExt?.raw ?? 0;
  if (flags & NTF.router) out.any('router', null, 'router ');
  if (flags & NTF.proxy) out.any('proxy', null, 'proxy ');
  if (ext & NTF_EXT_MANAGED) out.any('managed', null, 'managed ');
  if (flags & NTF.ext_learned) out.any('extern_learn', null, 'extern_learn ');
  if (flags & NTF.offloaded) out.any('offload', null, 'offload ');
  if (p.stats) {
    const ci = a.cacheinfo;
    if (ci) {
      const hz = userHz();
      if (ci.ndm_refcnt) out.any('refcnt', ci.ndm_refcnt, ` ref ${ci.ndm_refcnt}`);
      const used = Math.trunc(ci.ndm_used / hz);
      const confirmed = Math.trunc(ci.ndm_confirmed / hz);
      const updated = Math.trunc(ci.ndm_updated / hz);
      out.any('used', used, ` used ${used}`);
      out.any('confirmed', confirmed, `/${confirmed}`);
      out.any('updated', updated, `/${updated}`);
    }
    if (a.probes !== undefined) out.any('probes', a.probes, `probes ${a.probes} `);
  }
  const state = n.state.raw;
  if (state) {
    if (out.jsonContext) out.openArray('state');
    for (const [bit, name] of NUD_NAMES) if (state & bit) out.any(undefined, name, `${name} `);
    if (out.jsonContext) out.closeArray();
  }
  const proto = a.protocol === undefined ? 0 : enumNumber(RTPROT, a.protocol);
  if (proto) {
    const t = PROTOS.text(proto, p.numeric);
    out.any('protocol', t, `proto ${t} `);
  }
  out.text('\n');
  out.closeObject();
}

// ---------------------------------------------------------------------------------------------
// ip neigh show / flush

async function showOrFlush(ctx: CliContext, args: string[], flush: boolean): Promise<number> {
  const { out, opts } = ctx;
  let family: CliFamily | undefined = opts.family;
  neighFamily(family);
  const f: NeighFilter = {
    family: familyNumber(family),
    index: 0,
    state: 0xff & ~NUD_NOARP,
    unusedOnly: false,
    protocol: 0,
  };
  if (flush) {
    if (args.length === 0) throw new CliError('Flush requires arguments.', 1);
    f.state = ~(NUD_PERMANENT | NUD_NOARP);
  }
  let devNameArg: string | undefined;
  /** An ifindex, or null for `nomaster`. */
  let master: number | null | undefined;
  let proxy = false;
  let stateGiven = false;
  const rt = await ctx.rt();
  const a = new Args(args);
  while (!a.done) {
    const w = a.next()!;
    if (w === 'dev') {
      const v = a.needValue();
      if (devNameArg !== undefined) throw duparg('dev', v);
      devNameArg = v;
    } else if (w === 'master') {
      const v = a.needValue();
      const index = await devIndex(rt, v);
      if (!index) throw invarg('Device does not exist\n', v);
      master = index;
    } else if (w === 'vrf') {
      const v = a.needValue();
      const index = await devIndex(rt, v);
      if (!index || (await rt.links.get(index)).kind !== 'vrf') {
        throw invarg('Not a valid VRF name\n', v);
      }
      master = index;
    } else if (w === 'nomaster') {
      // NDA_MASTER -1: the kernel leaves out the entries of enslaved devices.
      master = null;
    } else if (w === 'unused') {
      f.unusedOnly = true;
    } else if (w === 'nud') {
      const v = a.needValue();
      if (!stateGiven) {
        stateGiven = true;
        f.state = 0;
      }
      let state = nudState(v);
      if (state === undefined) {
        if (v !== 'all') throw invarg('nud state is bad', v);
        state = ~0;
        if (flush) state &= ~NUD_NOARP;
      }
      if (state === 0) state = NUD_NONE_FILTER;
      f.state |= state;
    } else if (w === 'proxy') {
      proxy = true;
    } else if (matches(w, 'protocol')) {
      const v = a.needValue();
      let prot = PROTOS.id(v);
      if (prot === undefined) {
        if (v !== 'all') throw invarg('invalid "protocol"\n', v);
        prot = 0;
      }
      f.protocol = prot;
    } else {
      let v = w;
      if (v === 'to') v = a.needValue();
      if (matches(v, 'help')) throw new CliUsageError(help.trimEnd());
      const pfx = parsePrefix(v, family);
      f.pfx = toPrefix(pfx, f.family);
      if (!family && !pfx.any) {
        family = pfx.family;
        f.family = familyNumber(family);
      }
    }
  }
  if (devNameArg !== undefined) f.index = await requireDev(rt, devNameArg);
  const clientFamily = neighFamily(family);
  const dump = {
    ...(clientFamily ? { family: clientFamily } : {}),
    ...(f.index ? { dev: f.index } : {}),
    ...(master !== undefined ? { master } : {}),
    ...(proxy ? { proxy: true } : {}),
  };
  const p: PrintContext = {
    rt,
    out,
    stats: opts.stats,
    brief: opts.brief,
    numeric: opts.numeric,
    filter: f,
  };
  if (flush) return flushNeigh(p, dump);
  out.openJson();
  for await (const n of rt.neighbors.iterate(dump)) {
    if (neighMatches(f, n)) await printNeigh(p, n);
  }
  out.closeJson();
  return 0;
}

async function flushNeigh(
  p: PrintContext,
  dump: Parameters<RtNetlink['neighbors']['list']>[0],
): Promise<number> {
  const { rt, out, filter: f } = p;
  for (let round = 0; round < MAX_ROUNDS; ) {
    const gone: Neighbor[] = [];
    for await (const n of rt.neighbors.iterate(dump)) {
      if (!neighMatches(f, n)) continue;
      gone.push(n);
      if (p.stats >= 2) await printNeigh(p, n);
    }
    if (gone.length === 0) {
      if (p.stats) {
        if (round === 0) out.print('Nothing to flush.\n');
        else out.print(`*** Flush is complete after ${round} round${round > 1 ? 's' : ''} ***\n`);
      }
      return 0;
    }
    round++;
    await inChunks(gone, (n) =>
      rt.neighbors.delete(n).catch((err: unknown) => {
        if (!(err instanceof NetlinkError && err.code === 'ENOENT')) throw err;
      }),
    );
    if (p.stats) out.print(`\n*** Round ${round}, deleting ${gone.length} entries ***\n`);
    f.state &= ~NUD_FAILED;
  }
  out.print(`*** Flush not complete bailing out after ${MAX_ROUNDS} rounds\n`);
  return 1;
}

// ---------------------------------------------------------------------------------------------
// ip neigh add / del / change / replace (ipneigh_modify)

type Op = 'add' | 'change' | 'replace' | 'delete';

async function modify(ctx: CliContext, op: Op, args: string[]): Promise<number> {
  const family = ctx.opts.family;
  neighFamily(family);
  let state = NUD_PERMANENT;
  let lla: string | undefined;
  let dev: string | undefined;
  let devOk = false;
  let dst: ReturnType<typeof parseAddr> | undefined;
  let proxy = false;
  let router = false;
  let use = false;
  let managed = false;
  let externLearn = false;
  let protocol: number | undefined;
  const a = new Args(args);
  while (!a.done) {
    const w = a.next()!;
    if (matches(w, 'lladdr')) {
      const v = a.needValue();
      if (lla !== undefined) throw duparg('lladdr', v);
      lla = v;
    } else if (w === 'nud') {
      const v = a.needValue();
      const s = nudState(v);
      if (s === undefined) throw invarg('nud state is bad', v);
      state = s;
    } else if (matches(w, 'proxy')) {
      const v = a.needValue();
      if (matches(v, 'help')) throw new CliUsageError(help.trimEnd());
      if (dst) throw duparg('address', v);
      dst = parseAddr(v, family);
      devOk = true;
      proxy = true;
    } else if (w === 'router') {
      router = true;
    } else if (w === 'use') {
      use = true;
    } else if (w === 'managed') {
      managed = true;
      state = 0;
    } else if (matches(w, 'extern_learn')) {
      externLearn = true;
    } else if (w === 'dev') {
      dev = a.needValue();
      devOk = true;
    } else if (matches(w, 'protocol')) {
      const v = a.needValue();
      const prot = PROTOS.id(v);
      if (prot === undefined) throw invarg('"protocol" value is invalid\n', v);
      protocol = prot;
    } else {
      let v = w;
      if (v === 'to') v = a.needValue();
      if (matches(v, 'help')) v = a.needValue();
      if (dst) throw duparg2('to', v);
      dst = parseAddr(v, family);
    }
  }
  if (!devOk || !dst || (dst.any && family === undefined)) {
    throw new CliUsageError('Device and destination are required arguments.');
  }
  let lladdr: string | undefined;
  if (lla !== undefined && lla !== 'null') {
    lladdr = getLladdr(lla);
    if (lladdr === undefined || lladdr.split(':').length > 20) {
      throw new CliError(`"${lla}" is invalid lladdr.`, 1);
    }
  }
  const rt = await ctx.rt();
  const ifindex = dev === undefined ? 0 : await requireDev(rt, dev);
  const spec: NeighborSpecInput = { dst: addressText(dst), dev: ifindex, state };
  if (lladdr !== undefined) spec.lladdr = lladdr;
  if (proxy) spec.proxy = true;
  if (router) spec.router = true;
  if (use) spec.use = true;
  if (externLearn) spec.externLearn = true;
  if (managed) spec.managed = true;
  if (protocol !== undefined) spec.protocol = protocol;
  await send(rt, op, spec);
  return 0;
}

type ExtraOps = { change?: (spec: NeighborSpecInput) => Promise<void> };

async function send(rt: RtNetlink, op: Op, spec: NeighborSpecInput): Promise<void> {
  switch (op) {
    case 'add':
      return rt.neighbors.add(spec);
    case 'replace':
      return rt.neighbors.replace(spec);
    case 'delete':
      return rt.neighbors.delete(spec);
    default: {
      // NLM_F_REPLACE alone: the request builder has it, the Neighbors class does not expose it
      // yet (see the CLI report).
      const fn = (rt.neighbors as unknown as ExtraOps).change;
      if (!fn) throw new CliError('rtnl: "neigh change" is not supported by this library', 255);
      return fn.call(rt.neighbors, spec);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// ip neigh get: RTM_GETNEIGH for one entry (the client has no call for it; the request is made
// with the public neighbour schema and engine).

const NTF_PROXY = 0x08;

async function get(ctx: CliContext, args: string[]): Promise<number> {
  const family = ctx.opts.family;
  neighFamily(family);
  let dev: string | undefined;
  let devOk = false;
  let dst: ReturnType<typeof parseAddr> | undefined;
  let proxy = false;
  const a = new Args(args);
  while (!a.done) {
    const w = a.next()!;
    if (w === 'dev') {
      dev = a.needValue();
      devOk = true;
    } else if (matches(w, 'proxy')) {
      const v = a.needValue();
      if (matches(v, 'help')) throw new CliUsageError(help.trimEnd());
      if (dst) throw duparg('address', v);
      dst = parseAddr(v, family);
      devOk = true;
      proxy = true;
    } else {
      let v = w;
      if (v === 'to') v = a.needValue();
      if (matches(v, 'help')) throw new CliUsageError(help.trimEnd());
      if (dst) throw duparg2('to', v);
      dst = parseAddr(v, family);
    }
  }
  if (!devOk || !dst || (dst.any && family === undefined)) {
    throw new CliError('Device and address are required arguments.', 1);
  }
  const rt = await ctx.rt();
  let ifindex = 0;
  if (dev !== undefined) {
    ifindex = await devIndex(rt, dev);
    if (!ifindex) throw new CliError(`Cannot find device "${dev}"`, 1);
  }
  const af = dst.family === 'inet6' ? 10 : 2;
  const replies = await rt.connection.request(
    RTM_GETNEIGH,
    (w) =>
      neighborMessage.encode(w, {
        header: { family: af, ifindex, state: 0, flags: proxy ? NTF_PROXY : 0, type: 0 },
        attributes: { dst: addressText(dst) },
      }),
    { schema: neighborMessage },
  );
  const reply = replies.find((m) => m.type === RTM_NEWNEIGH);
  if (!reply) throw new CliError('An error :-)', 1);
  const p: PrintContext = {
    rt,
    out: ctx.out,
    stats: ctx.opts.stats,
    brief: ctx.opts.brief,
    numeric: ctx.opts.numeric,
    filter: { family: 0, index: 0, state: ~0, unusedOnly: false, protocol: 0 },
  };
  // ip's ipneigh_get opens no JSON document: even with -j the entry is printed as text.
  await printNeigh(p, decodeNeighbor(reply));
  return 0;
}

/** The address of a parsed CLI address; `default`/`any`/`all` in a given family is all zeros. */
function addressText(p: ReturnType<typeof parseAddr>): string {
  if (!p.any) return p.address;
  return p.family === 'inet6' ? '::' : '0.0.0.0';
}

// ---------------------------------------------------------------------------------------------

/** `rtnl neighbour …` (ip's do_ipneigh). */
export default async function neighbour(ctx: CliContext, args: string[]): Promise<number> {
  const [cmd, ...rest] = args;
  if (cmd === undefined) return showOrFlush(ctx, [], false);
  if (matches(cmd, 'add')) return modify(ctx, 'add', rest);
  if (matches(cmd, 'change') || cmd === 'chg') return modify(ctx, 'change', rest);
  if (matches(cmd, 'replace')) return modify(ctx, 'replace', rest);
  if (matches(cmd, 'delete')) return modify(ctx, 'delete', rest);
  if (matches(cmd, 'get')) return get(ctx, rest);
  if (matches(cmd, 'show') || matches(cmd, 'lst') || matches(cmd, 'list')) {
    return showOrFlush(ctx, rest, false);
  }
  if (matches(cmd, 'flush')) return showOrFlush(ctx, rest, true);
  if (matches(cmd, 'help')) throw new CliUsageError(help.trimEnd());
  throw unknownCommand(cmd, 'neigh');
}
