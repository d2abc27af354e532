// `rtnl link`: show / add / set (change) / delete, with ip's words, defaults, errors and exit
// statuses (iproute2 6.1 ip/iplink.c do_iplink, iplink_parse, iplink_modify; the listing is
// ip/ipaddress.c ipaddr_list_flush_or_save with do_link set, printed by link-show.ts).
import { existsSync } from 'node:fs';
import type { Link, LinkAddSpec, LinkFilter, LinkSetChanges, RtNetlink } from '../../index.js';
import { Args, checkIfname, getInteger, getLladdr, getU32, matches } from '../args.js';
import type { CliContext } from '../context.js';
import {
  CliError,
  CliUsageError,
  duparg,
  duparg2,
  invarg,
  nodev,
  unknownCommand,
} from '../errors.js';
import {
  LinkNames,
  type LinkPrintEnv,
  loadKindPrinters,
  PROTODOWN_REASONS,
  printLinkinfo,
  referencedIndexes,
} from './link-show.js';

/** Usage of `rtnl link` (printed for `rtnl link help`). */
export const help = `Usage: rtnl link add [ link DEVICE ] [ name ] NAME [ OPTIONS ] type KIND [ KIND-OPTIONS ]
       rtnl link set { [ dev ] DEVICE | group GROUP } [ OPTIONS ] [ type KIND KIND-OPTIONS ]
       rtnl link delete { [ dev ] DEVICE | group GROUP } [ type KIND ]
       rtnl link [ show ] [ [ dev ] DEVICE | group GROUP ] [ up ] [ master DEVICE ]
                 [ nomaster ] [ type KIND ]
       rtnl link help

OPTIONS  up | down   mtu BYTES   txqueuelen PACKETS   address LLADDR   broadcast LLADDR
         name NEWNAME   alias TEXT   group GROUP   master DEVICE | nomaster
         arp | multicast | allmulticast | promisc | dynamic | trailers | carrier |
         protodown { on | off }   mode { default | dormant }
         state { UP | DOWN | DORMANT | TESTING | LOWERLAYERDOWN | NOTPRESENT | UNKNOWN }
         netns { NAME | PATH | PID }   link-netns { NAME | PATH }   link-netnsid ID
         index IFINDEX   protodown_reason REASON { on | off }
         numtxqueues N   numrxqueues N   addrgenmode { eui64 | none | stable_secret | random }
         gso_max_size BYTES   gso_max_segs N   gro_max_size BYTES
KIND     bridge  bridge_slave  ifb  macvlan  macvtap  veth  vxlan  (and any kind the
         kernel has, without KIND-OPTIONS)
veth     peer [ name NAME ] [ OPTIONS ]
bridge   forward_delay, hello_time, max_age, ageing_time, stp_state, priority,
         vlan_filtering, group_fwd_mask, group_address, vlan_default_pvid, mcast_* and
         nf_call_* settings, each followed by its value; fdb_flush
bridge_slave  state, priority, cost, mcast_router, group_fwd_mask, backup_port DEVICE |
         nobackup_port, and { on | off } for hairpin, guard, root_block, fastleave, learning,
         flood, mcast_flood, bcast_flood, mcast_to_unicast, proxy_arp, proxy_arp_wifi,
         neigh_suppress, vlan_tunnel, isolated, locked
vxlan    id VNI  local ADDRESS  { remote ADDRESS | group ADDRESS dev DEVICE }  dstport PORT
         srcport LOW HIGH  ttl { N | auto | inherit }  tos { N | inherit }
         df { unset | set | inherit }  flowlabel N  ageing SECONDS  maxaddress N
         [no]learning [no]proxy [no]rsc [no]l2miss [no]l3miss [no]udpcsum
         [no]udp6zerocsumtx [no]udp6zerocsumrx [no]remcsumtx [no]remcsumrx
         [no]external gbp gpe [no]vnifilter
macvlan, macvtap  mode { private | vepa | bridge | passthru | source }  nopromisc  nodst
         bcqueuelen N
`;

const ENODEV = 19;

function isNoDevice(err: unknown): boolean {
  return (err as { errno?: unknown })?.errno === ENODEV;
}

/** ip's ll_name_to_index: 0 when there is no such device. */
export async function nameToIndex(rt: RtNetlink, name: string): Promise<number> {
  try {
    return await rt.links.index(name);
  } catch (err) {
    if (isNoDevice(err) || (err as { code?: unknown })?.code === 'BAD_VALUE') return 0;
    throw err;
  }
}

/** rtnl_group_a2n: `default` or a number (iproute2's /etc/iproute2/group is not read). */
export function groupNumber(arg: string): number | undefined {
  if (arg === 'default') return 0;
  return getU32(arg);
}

// ---- show ----------------------------------------------------------------------------------

/** The filters of `ip link show` / `ip address show` (struct link_filter). */
export interface ShowFilter {
  dev?: string;
  up?: boolean;
  group?: number;
  /** ifindex; -1 for `nomaster`. */
  master?: number;
  kind?: string;
  slaveKind?: string;
  label?: string;
}

/**
 * The link selectors `ip link show` and `ip address show` share (ipaddr_list_flush_or_save):
 * `group G`, `master DEV`, `vrf NAME`, `nomaster`, `type KIND` (`KIND_slave` for ports). True
 * when `w` was one of them (its value consumed from `a`, `f` set).
 */
export async function linkSelector(
  ctx: CliContext,
  a: Args,
  w: string,
  f: ShowFilter,
): Promise<boolean> {
  if (w === 'group') {
    const v = a.needValue();
    const g = groupNumber(v);
    if (g === undefined) throw invarg('Invalid "group" value\n', v);
    f.group = g;
  } else if (w === 'master') {
    const v = a.needValue();
    const idx = await nameToIndex(await ctx.rt(), v);
    if (!idx) throw invarg('Device does not exist\n', v);
    f.master = idx;
  } else if (w === 'vrf') {
    const v = a.needValue();
    const rt = await ctx.rt();
    const idx = await nameToIndex(rt, v);
    if (!idx || (await rt.links.get(idx)).kind !== 'vrf') throw invarg('Not a valid VRF name\n', v);
    f.master = idx;
  } else if (w === 'nomaster') f.master = -1;
  else if (w === 'type') {
    const v = a.needValue();
    if (v.endsWith('_slave') && v.length >= 6) f.slaveKind = v.slice(0, -6);
    else f.kind = v;
  } else return false;
  return true;
}

/** print_linkinfo's own filters (group, master, kind, slave kind, up). */
export function linkPasses(l: Link, f: ShowFilter): boolean {
  const a = l.attributes;
  if (f.up && !(l.flags.raw & 1)) return false;
  if (f.group !== undefined && a.group !== undefined && a.group !== f.group) return false;
  if (f.master !== undefined && f.master > 0) {
    if (a.master === undefined || a.master !== f.master) return false;
  }
  if (f.kind !== undefined && (a.linkinfo?.kind ?? '') !== f.kind) return false;
  if (f.slaveKind !== undefined && (a.linkinfo?.slaveKind ?? '') !== f.slaveKind) return false;
  return true;
}

/** Namespace names by nsid, for `link-netns NAME` in text output. */
async function nsNames(rt: RtNetlink, links: readonly Link[]): Promise<Map<number, string>> {
  const map = new Map<number, string>();
  const wanted = links.some(
    (l) => l.attributes.linkNetnsid !== undefined || l.attributes.newNetnsid !== undefined,
  );
  if (!wanted) return map;
  try {
    const { listNetns } = await import('../../ns/index.js');
    for (const e of await listNetns({ via: rt })) if (e.nsid !== undefined) map.set(e.nsid, e.name);
  } catch {
    // No registry: print ids.
  }
  return map;
}

async function linkShow(ctx: CliContext, words: string[]): Promise<number> {
  const { opts, out } = ctx;
  const f: ShowFilter = {};
  const a = new Args(words);
  while (!a.done) {
    const w = a.next()!;
    if (w === 'up') f.up = true;
    else if (await linkSelector(ctx, a, w, f)) {
      // group, master, vrf, nomaster, type
    } else if (w === 'label') f.label = a.needValue();
    else if (['to', 'scope'].includes(w)) a.needValue();
    else {
      let dev = w;
      if (w === 'dev') dev = a.needValue();
      else if (matches(w, 'help')) throw new CliUsageError(help.trimEnd());
      if (f.dev !== undefined) throw duparg2('dev', dev);
      f.dev = dev;
    }
  }
  const rt = await ctx.rt();
  const env: LinkPrintEnv = { out, opts, names: new LinkNames(rt), doLink: true, family: 'link' };
  const kinds = await loadKindPrinters(opts.details);
  if (kinds) env.kinds = kinds;
  if (f.dev !== undefined) {
    const idx = await nameToIndex(rt, f.dev);
    if (idx <= 0) {
      out.error(`Device "${f.dev}" does not exist.`);
      return 1;
    }
    out.openJson();
    if (f.group === undefined) {
      // iplink_get: one RTM_GETLINK; ip opens a JSON object even when its filters drop the link.
      const link = await rt.links.get(f.dev);
      await env.names.ensure(referencedIndexes(link));
      env.names.add(link);
      env.nsNames = await nsNames(rt, [link]);
      out.openObject();
      if (linkPasses(link, f) && f.label === undefined) printLinkinfo(env, link);
      out.closeObject();
      out.closeJson();
      return 0;
    }
  }
  const filter: LinkFilter = {};
  if (f.master !== undefined && f.master > 0) filter.master = f.master;
  if (f.kind !== undefined) filter.kind = f.kind;
  let links = await rt.links.list(filter);
  if (f.master === -1) links = links.filter((l) => !l.attributes.master);
  if (f.dev !== undefined) {
    const idx = await nameToIndex(rt, f.dev);
    links = links.filter((l) => l.index === idx);
  }
  for (const l of links) env.names.add(l);
  await env.names.ensure(links.flatMap(referencedIndexes));
  env.nsNames = await nsNames(rt, links);
  out.openJson();
  for (const l of links) {
    out.openObject();
    if (linkPasses(l, f) && f.label === undefined) printLinkinfo(env, l);
    out.closeObject();
  }
  out.closeJson();
  return 0;
}

// ---- add / set / delete ----------------------------------------------------------------------

type Spec = Record<string, unknown>;

interface Parsed {
  spec: Spec;
  dev?: string;
  name?: string;
  group?: number;
  type?: string;
  typeArgs: string[];
  link?: string;
  index?: number;
  addrLen?: number;
  moveNetns: boolean;
}

const ON_OFF_FLAGS: Record<string, string> = {
  multicast: 'multicast',
  allmulticast: 'allmulticast',
  promisc: 'promisc',
  dynamic: 'dynamic',
};

/** ip's oper_states, IF_OPER_* in order. */
const OPER_STATES = ['UNKNOWN', 'NOTPRESENT', 'DOWN', 'LOWERLAYERDOWN', 'TESTING', 'DORMANT', 'UP'];

function onOff(key: string, v: string): boolean {
  if (v === 'on') return true;
  if (v === 'off') return false;
  throw new CliError(`Error: argument of "${key}" must be "on" or "off", not "${v}"`, 1);
}

/**
 * ll_addr_a2n: a hardware address, or ip's `"PART" is invalid lladdr.` naming the piece it could
 * not read (exit status 1).
 */
function lladdr(v: string): string {
  const ll = getLladdr(v);
  if (ll !== undefined) return ll;
  const bad = v.includes('.') ? v : (v.split(':').find((p) => getLladdr(p) === undefined) ?? v);
  throw new CliError(`"${bad}" is invalid lladdr.`, 1);
}

/**
 * Kinds iproute2 knows but parses no options for: their arguments are ignored (an empty
 * IFLA_INFO_DATA is sent), where an unknown kind's arguments are "Garbage".
 */
const KINDS_WITHOUT_OPTIONS = new Set([
  'ifb',
  'dummy',
  'nlmon',
  'vcan',
  'team',
  'team_slave',
  'batadv',
  'netdevsim',
  'virt_wifi',
]);

/** Kinds iproute2 parses options for that rtnl does not (yet). */
const KINDS_RTNL_CANNOT_PARSE = new Set([
  'vlan',
  'bond',
  'bond_slave',
  'vrf',
  'ipvlan',
  'ipvtap',
  'geneve',
  'gre',
  'gretap',
  'erspan',
  'ip6gre',
  'ip6gretap',
  'ip6erspan',
  'ip6tnl',
  'ipip',
  'sit',
  'vti',
  'vti6',
  'xfrm',
  'macsec',
  'tun',
  'can',
  'vxcan',
  'amt',
  'bareudp',
  'gtp',
  'hsr',
  'ipoib',
  'rmnet',
  'wwan',
  'dsa',
  'vrf_slave',
]);

/**
 * `link-netns NAME|PATH`: the id this namespace gives that namespace, given one first when it
 * has none (ip's get_netnsid_from_name, set_netnsid_from_name(NAME, -1)).
 */
async function linkNetnsid(ctx: CliContext, v: string): Promise<number> {
  const rt = await ctx.rt();
  let id: number | undefined;
  try {
    id = await rt.nsid.get(v);
    if (id === undefined) {
      await rt.nsid.set(v, 'auto').catch(() => undefined);
      id = await rt.nsid.get(v);
    }
  } catch {
    // ip's netns_get_fd could not open it, or the kernel said no: the same complaint.
    id = undefined;
  }
  if (id === undefined) throw invarg('Invalid "link-netns" value\n', v);
  return id;
}

/** ip's netns argument: a name under /run/netns or a path, else a pid. */
function netnsRef(v: string): string | { pid: number } {
  if (v.includes('/') ? existsSync(v) : existsSync(`/run/netns/${v}`)) return v;
  const pid = getInteger(v);
  if (pid !== undefined) return { pid };
  throw invarg('Invalid "netns" value\n', v);
}

/**
 * iplink_parse: the generic link options, in argument order, up to `type`. `create` is true for
 * add (and for a veth peer).
 */
async function parseLinkArgs(ctx: CliContext, a: Args, create: boolean): Promise<Parsed> {
  const p: Parsed = { spec: {}, typeArgs: [], moveNetns: false };
  const s = p.spec;
  const seen = new Set<string>();
  const once = (key: string, v: string) => {
    if (seen.has(key)) throw duparg(key, v);
    seen.add(key);
  };
  while (!a.done) {
    const w = a.next()!;
    if (w === 'up') s.up = true;
    else if (w === 'down') s.up = false;
    else if (w === 'name') {
      const v = a.needValue();
      if (p.name !== undefined) throw duparg('name', v);
      if (!checkIfname(v)) throw invarg('"name" not a valid ifname', v);
      p.name = v;
      p.dev ??= v;
    } else if (w === 'index') {
      const v = a.needValue();
      if (p.index !== undefined) throw duparg('index', v);
      const n = Number.parseInt(v, 10);
      if (!(n > 0)) throw invarg('Invalid "index" value', v);
      p.index = n;
    } else if (matches(w, 'link')) {
      p.link = a.needValue();
    } else if (matches(w, 'address')) {
      const ll = lladdr(a.needValue());
      s.address = ll;
      p.addrLen = ll.split(':').length;
    } else if (matches(w, 'broadcast') || w === 'brd') {
      s.broadcast = lladdr(a.needValue());
    } else if (matches(w, 'txqueuelen') || w === 'qlen' || matches(w, 'txqlen')) {
      const v = a.needValue();
      once('txqueuelen', v);
      const n = getInteger(v);
      if (n === undefined) throw invarg('Invalid "txqueuelen" value\n', v);
      s.txqlen = n >>> 0;
    } else if (w === 'mtu') {
      const v = a.needValue();
      once('mtu', v);
      const n = getInteger(v);
      if (n === undefined) throw invarg('Invalid "mtu" value\n', v);
      s.mtu = n >>> 0;
    } else if (w === 'netns') {
      const v = a.needValue();
      once('netns', v);
      s.netns = netnsRef(v);
      p.moveNetns = true;
    } else if (w in ON_OFF_FLAGS || matches(w, 'dynamic')) {
      const key = w in ON_OFF_FLAGS ? w : 'dynamic';
      s[ON_OFF_FLAGS[key]!] = onOff(key, a.needValue());
    } else if (w === 'arp') {
      s.arp = onOff('arp', a.needValue());
    } else if (w === 'trailers') {
      s.trailers = onOff('trailers', a.needValue());
    } else if (w === 'mode') {
      // get_link_mode: strcasecmp against default / dormant.
      const v = a.needValue();
      const mode = ['default', 'dormant'].indexOf(v.toLowerCase());
      if (mode < 0) throw invarg('Invalid link mode\n', v);
      s.linkmode = mode;
    } else if (w === 'state') {
      // get_operstate: strcasecmp against the RFC 2863 names, numbered in order.
      const v = a.needValue();
      const state = OPER_STATES.indexOf(v.toUpperCase());
      if (state < 0) throw invarg('Invalid operstate\n', v);
      s.operstate = state;
    } else if (w === 'carrier') {
      const v = a.needValue();
      if (!matches(v, 'on') && !matches(v, 'off')) {
        throw new CliError(
          `Error: argument of "carrier" must be one of "off", "on", not "${v}"`,
          1,
        );
      }
      s.carrier = matches(v, 'on');
    } else if (matches(w, 'master')) {
      const v = a.needValue();
      const idx = await nameToIndex(await ctx.rt(), v);
      if (!idx) throw invarg('Device does not exist\n', v);
      s.master = idx;
    } else if (matches(w, 'nomaster')) {
      s.master = null;
    } else if (matches(w, 'type')) {
      p.type = a.needValue();
      p.typeArgs = a.rest();
      break;
    } else if (matches(w, 'alias')) {
      const v = a.needValue();
      if (Buffer.byteLength(v) >= 256) throw invarg('alias too long\n', v);
      s.alias = v;
    } else if (w === 'group') {
      const v = a.needValue();
      once('group', v);
      const g = groupNumber(v);
      if (g === undefined) throw invarg('Invalid "group" value\n', v);
      p.group = g;
      s.group = g;
    } else if (matches(w, 'numtxqueues') || matches(w, 'numrxqueues')) {
      const key = matches(w, 'numtxqueues') ? 'numtxqueues' : 'numrxqueues';
      const v = a.needValue();
      once(key, v);
      const n = getInteger(v);
      if (n === undefined) throw invarg(`Invalid "${key}" value\n`, v);
      s[key === 'numtxqueues' ? 'numTxQueues' : 'numRxQueues'] = n >>> 0;
    } else if (matches(w, 'addrgenmode')) {
      const v = a.needValue();
      const modes: Record<string, string> = {
        eui64: 'eui64',
        none: 'none',
        stable_secret: 'stable_secret',
        random: 'random',
      };
      if (!(v in modes)) throw invarg('Invalid address generation mode\n', v);
      s.addrgenmode = modes[v];
    } else if (matches(w, 'link-netns')) {
      const v = a.needValue();
      once('link-netns/link-netnsid', v);
      s.linkNetnsid = await linkNetnsid(ctx, v);
    } else if (matches(w, 'link-netnsid')) {
      const v = a.needValue();
      once('link-netns/link-netnsid', v);
      const n = getInteger(v);
      if (n === undefined) throw invarg('Invalid "link-netnsid" value\n', v);
      s.linkNetnsid = n;
    } else if (w === 'protodown') {
      const v = a.needValue();
      if (!matches(v, 'on') && !matches(v, 'off')) {
        throw new CliError(
          `Error: argument of "protodown" must be one of "off", "on", not "${v}"`,
          1,
        );
      }
      s.protodown = matches(v, 'on');
    } else if (w === 'protodown_reason') {
      const v = a.needValue();
      const reason = PROTODOWN_REASONS.id(v);
      if (reason === undefined) throw invarg('invalid protodown reason\n', v);
      const state = a.needValue();
      const mask = 2 ** reason;
      if (matches(state, 'on')) s.protodownReason = { mask, value: mask };
      else if (matches(state, 'off')) s.protodownReason = { mask, value: 0 };
      else {
        throw new CliError(
          `Error: argument of "protodown_reason" must be "on" or "off", not "${state}"`,
          1,
        );
      }
    } else if (w === 'gso_max_size' || w === 'gro_max_size' || w === 'gso_max_segs') {
      const v = a.needValue();
      const n = getU32(v);
      if (n === undefined || (w === 'gso_max_segs' && n > 65535)) {
        throw invarg(`Invalid "${w}" value\n`, v);
      }
      s[w === 'gso_max_size' ? 'gsoMaxSize' : w === 'gro_max_size' ? 'groMaxSize' : 'gsoMaxSegs'] =
        n;
    } else if (
      ['vf', 'xdp', 'xdpgeneric', 'xdpdrv', 'xdpoffload', 'vrf', 'parentdev'].includes(w)
    ) {
      throw new CliUsageError(`rtnl: the link option "${w}" is not supported`);
    } else {
      if (matches(w, 'help')) throw new CliUsageError(help.trimEnd());
      let v = w;
      if (w === 'dev') v = a.needValue();
      if (p.dev !== p.name) throw duparg2('dev', v);
      if (v.length === 0 || /[/\s]/.test(v)) throw invarg('"dev" not a valid ifname', v);
      p.dev = v;
    }
  }
  if (p.name === undefined) {
    if (p.dev !== undefined) p.name = p.dev;
  } else if (p.dev === undefined) p.dev = p.name;
  void create;
  return p;
}

/** Options valid on a veth peer (iplink_parse without `type`). */
async function parsePeer(ctx: CliContext, words: string[]): Promise<Spec> {
  if (words[0] !== 'peer') throw new CliUsageError(help.trimEnd());
  const p = await parseLinkArgs(ctx, new Args(words, 1), true);
  if (p.type !== undefined) throw duparg('type', p.type);
  const peer: Spec = {};
  if (p.name !== undefined) peer.name = p.name;
  if (p.index !== undefined) peer.index = p.index;
  Object.assign(peer, p.spec);
  return peer;
}

async function linkModify(
  ctx: CliContext,
  op: 'add' | 'replace' | 'set' | 'delete',
  words: string[],
): Promise<number> {
  // replace is add with NLM_F_CREATE | NLM_F_REPLACE (iplink_modify's create path).
  const create = op === 'add' || op === 'replace';
  const p = await parseLinkArgs(ctx, new Args(words), create);
  const rt = await ctx.rt();
  const indexOf = (name: string) => nameToIndex(rt, name);

  if (p.group !== undefined && p.dev === undefined) {
    if (create) throw new CliUsageError('group cannot be used when creating devices.');
    if (op === 'delete') {
      await rt.links.delete({ group: p.group });
      return 0;
    }
    const changes = { ...p.spec } as Spec;
    delete changes.group;
    await rt.links.set({ group: p.group }, changes as LinkSetChanges);
    return 0;
  }

  let kindData: Spec | undefined;
  let slave: Spec | undefined;
  let peer: Spec | undefined;
  if (p.type !== undefined) {
    if (p.type === 'veth' && p.typeArgs.length) peer = await parsePeer(ctx, p.typeArgs);
    else if (p.typeArgs.length) {
      const { parseKindArgs } = await import('./link-kinds.js');
      const parsed = await parseKindArgs(p.type, p.typeArgs, indexOf, create, ctx.opts.family);
      if (!parsed) {
        if (matches(p.typeArgs[0], 'help')) throw new CliUsageError(help.trimEnd());
        if (KINDS_RTNL_CANNOT_PARSE.has(p.type)) {
          throw new CliUsageError(`rtnl: the options of link type "${p.type}" are not supported`);
        }
        if (!KINDS_WITHOUT_OPTIONS.has(p.type))
          throw new CliError(
            `Garbage instead of arguments "${p.typeArgs[0]} ...". Try "rtnl link help".`,
            1,
          );
      }
      const data = parsed?.data ?? {};
      if (p.type.endsWith('_slave')) slave = data;
      else kindData = data;
    }
  } else if (create) {
    throw new CliError('Not enough information: "type" argument is required', 1);
  }

  if (!create) {
    if (p.dev === undefined) {
      throw new CliUsageError('Not enough information: "dev" argument is required.');
    }
    const idx = await nameToIndex(rt, p.dev);
    if (!idx) throw nodev(p.dev);
    if (p.index !== undefined && !p.moveNetns) {
      throw new CliUsageError(
        'index can be used only when creating devices or when moving device to another netns.',
      );
    }
    if (op === 'delete') {
      await rt.links.delete(idx);
      return 0;
    }
    const changes: Spec = { ...p.spec };
    if (p.name !== undefined && p.name !== p.dev) changes.name = p.name;
    if (p.index !== undefined) changes.newIndex = p.index;
    if (p.type !== undefined) {
      if (p.type.endsWith('_slave')) {
        if (slave) changes.slave = { kind: p.type.slice(0, -6), data: slave };
      } else {
        changes.kind = p.type;
        if (kindData) changes.data = kindData;
      }
    }
    await rt.links.set(idx, changes as LinkSetChanges);
    return 0;
  }

  if (p.name !== p.dev) {
    throw new CliUsageError('both "name" and "dev" cannot be used when creating devices.');
  }
  const spec: Spec = { ...p.spec };
  if (p.link !== undefined) {
    const li = await nameToIndex(rt, p.link);
    if (!li) throw nodev(p.link);
    spec.link = li;
  }
  if (p.index !== undefined) spec.index = p.index;
  spec.name = p.name;
  spec.kind = p.type;
  if (kindData) spec.data = kindData;
  if (peer) spec.peer = peer;
  if (p.name === undefined) {
    throw new CliUsageError(`rtnl: "link ${op}" needs a device name (the kernel would pick one)`);
  }
  if (op === 'replace') await rt.links.replace(spec as unknown as LinkAddSpec);
  else await rt.links.add(spec as unknown as LinkAddSpec);
  return 0;
}

/** `rtnl link …` */
export default async function link(ctx: CliContext, args: string[]): Promise<number> {
  const [cmd, ...rest] = args;
  if (cmd === undefined) return linkShow(ctx, []);
  if (matches(cmd, 'add')) return linkModify(ctx, 'add', rest);
  if (matches(cmd, 'set') || matches(cmd, 'change')) return linkModify(ctx, 'set', rest);
  if (matches(cmd, 'replace')) return linkModify(ctx, 'replace', rest);
  if (matches(cmd, 'delete')) return linkModify(ctx, 'delete', rest);
  if (matches(cmd, 'show') || matches(cmd, 'lst') || matches(cmd, 'list')) {
    return linkShow(ctx, rest);
  }
  if (matches(cmd, 'help')) throw new CliUsageError(help.trimEnd());
  throw unknownCommand(cmd, 'link');
}
