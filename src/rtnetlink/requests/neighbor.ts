// Pure builders of RTM_NEWNEIGH / RTM_DELNEIGH / RTM_GETNEIGH requests (no I/O). The device is
// already resolved to its ifindex by the caller (src/rtnetlink/api/neighbors.ts).
//
// Header defaults, flags and attribute order follow what iproute2 6.1's `ip neigh` sends:
// ndm_state NUD_PERMANENT unless told otherwise, then NDA_PROTOCOL (parsed with the command
// line), NDA_DST, NDA_FLAGS_EXT and NDA_LLADDR (appended after parsing).
import { parseLladdr } from '../../netlink/address.js';
import { NetlinkEncodeError } from '../../netlink/errors.js';
import { NLM_F_APPEND, NLM_F_CREATE, NLM_F_EXCL, NLM_F_REPLACE } from '../../netlink/message.js';
import {
  checkU32,
  checkUint,
  enumValue,
  flagsValue,
  parseFamily,
  parseInetAddress,
} from '../api/inet.js';
import { NTF, NUD, RTM_DELNEIGH, RTM_GETNEIGH, RTM_NEWNEIGH, RTPROT } from '../constants.js';
import type { FamilyInput, RequestPlan } from './route.js';

// <linux/neighbour.h> NDA_*
const NDA_DST = 1;
const NDA_LLADDR = 2;
const NDA_VLAN = 5;
const NDA_PORT = 6;
const NDA_VNI = 7;
const NDA_IFINDEX = 8;
const NDA_MASTER = 9;
const NDA_SRC_VNI = 11;
const NDA_PROTOCOL = 12;
const NDA_NH_ID = 13;
const NDA_FLAGS_EXT = 15;
const AF_BRIDGE = 7;
const ETH_ALEN = 6;
const NTF_EXT_MANAGED = 0x1;

/** `ip neigh add | replace | change | del`. */
export type NeighborOp = 'add' | 'replace' | 'change' | 'delete';

const OP_FLAGS: Record<NeighborOp, number> = {
  add: NLM_F_CREATE | NLM_F_EXCL,
  replace: NLM_F_CREATE | NLM_F_REPLACE,
  change: NLM_F_REPLACE,
  delete: 0,
};

/** A neighbour (ARP / NDP) entry to add, replace, change or delete. */
export interface NeighborSpec<Dev = number> {
  /** The neighbour's IPv4 or IPv6 address (NDA_DST). */
  dst: string;
  /** Its device: an ifindex here; the client also takes a name. */
  dev: Dev;
  /** Link-layer address (NDA_LLADDR), e.g. '02:00:00:00:00:01'. */
  lladdr?: string | undefined;
  /**
   * NUD state(s): a name ('permanent', 'reachable', 'stale', 'noarp', 'none', …), a list of
   * names, or the number; default 'permanent' ('none' with `managed`).
   */
  state?: keyof typeof NUD | (keyof typeof NUD)[] | number | undefined;
  /** NTF_PROXY: a proxy ARP / NDP entry (`ip neigh add proxy ADDR`). */
  proxy?: boolean | undefined;
  /** NTF_ROUTER: the neighbour is a router (IPv6). */
  router?: boolean | undefined;
  /** NTF_USE: mark the entry used (triggers resolution). */
  use?: boolean | undefined;
  /** NTF_EXT_LEARNED: learned by an external control plane (`extern_learn`). */
  externLearn?: boolean | undefined;
  /** NTF_EXT_MANAGED (NDA_FLAGS_EXT): the kernel keeps the entry resolved. */
  managed?: boolean | undefined;
  /** NDA_PROTOCOL: who added the entry ('static', 'boot', …). */
  protocol?: string | number | undefined;
}

function bad(path: string, message: string): NetlinkEncodeError {
  return new NetlinkEncodeError('BAD_VALUE', message, path);
}

function bool(value: unknown, path: string): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') throw bad(path, 'expected a boolean');
  return value;
}

/** Build the request for `op` on neighbour `spec` (device already an ifindex). */
export function buildNeighborRequest(op: NeighborOp, spec: NeighborSpec<number>): RequestPlan {
  if (typeof spec !== 'object' || spec === null) throw bad('neighbor', 'expected an object');
  if (!Object.hasOwn(OP_FLAGS, op)) throw bad('neighbor', `unknown operation ${String(op)}`);
  const dst = parseInetAddress(spec.dst, 'neighbor.dst');
  if (spec.dev === undefined) throw bad('neighbor.dev', 'a device is required');
  const ifindex = checkU32(spec.dev, 'neighbor.dev');
  let lladdr: Uint8Array | undefined;
  if (spec.lladdr !== undefined && spec.lladdr !== 'null') {
    lladdr = typeof spec.lladdr === 'string' ? parseLladdr(spec.lladdr) : undefined;
    if (!lladdr || lladdr.length > 32) {
      throw bad('neighbor.lladdr', `"${String(spec.lladdr)}" is not a link-layer address`);
    }
  }
  const managed = bool(spec.managed, 'neighbor.managed');
  const state =
    spec.state !== undefined
      ? typeof spec.state === 'string'
        ? enumValue(NUD, spec.state, 0xffff, 'neighbor.state')
        : flagsValue(NUD, spec.state, 0xffff, 'neighbor.state')
      : managed
        ? NUD.none
        : NUD.permanent;
  let flags = 0;
  if (bool(spec.use, 'neighbor.use')) flags |= NTF.use;
  if (bool(spec.proxy, 'neighbor.proxy')) flags |= NTF.proxy;
  if (bool(spec.externLearn, 'neighbor.externLearn')) flags |= NTF.ext_learned;
  if (bool(spec.router, 'neighbor.router')) flags |= NTF.router;
  const protocol =
    spec.protocol === undefined
      ? undefined
      : enumValue(RTPROT, spec.protocol, 255, 'neighbor.protocol');
  return {
    type: op === 'delete' ? RTM_DELNEIGH : RTM_NEWNEIGH,
    flags: OP_FLAGS[op],
    write(w) {
      // struct ndmsg
      w.rawU8(dst.family);
      w.rawU8(0);
      w.rawU16(0);
      w.rawU32(ifindex);
      w.rawU16(state);
      w.rawU8(flags);
      w.rawU8(0);
      if (protocol !== undefined) w.u8(NDA_PROTOCOL, protocol);
      w.binary(NDA_DST, dst.bytes);
      if (managed) w.u32(NDA_FLAGS_EXT, NTF_EXT_MANAGED);
      if (lladdr) w.binary(NDA_LLADDR, lladdr);
    },
  };
}

/**
 * Build the request for one entry (`ip neigh get`): RTM_GETNEIGH with ndm_ifindex, NTF_PROXY
 * for a proxy entry, and NDA_DST (the kernel needs strict checking for it, which the client
 * sets).
 */
export function buildNeighborGetRequest(query: {
  dst: string;
  dev: number;
  proxy?: boolean | undefined;
}): RequestPlan {
  if (typeof query !== 'object' || query === null) throw bad('neighbor', 'expected an object');
  const dst = parseInetAddress(query.dst, 'neighbor.dst');
  const ifindex = checkU32(query.dev, 'neighbor.dev');
  const proxy = bool(query.proxy, 'neighbor.proxy');
  return {
    type: RTM_GETNEIGH,
    flags: 0,
    write(w) {
      w.rawU8(dst.family);
      w.rawU8(0);
      w.rawU16(0);
      w.rawU32(ifindex);
      w.rawU16(0);
      w.rawU8(proxy ? NTF.proxy : 0);
      w.rawU8(0);
      w.binary(NDA_DST, dst.bytes);
    },
  };
}

/** A neighbour table: 'inet' (ARP), 'inet6' (NDP) or 'bridge' (the bridge / vxlan FDB). */
export type NeighborFamily = FamilyInput | 'bridge' | 7;

function neighborFamily(value: unknown, path: string): number {
  return value === 'bridge' || value === AF_BRIDGE ? AF_BRIDGE : parseFamily(value, path);
}

/** What the kernel filters in a neighbour dump (strict checking on). */
export interface NeighborDumpFilter<Dev = number> {
  /** One table; default all of them except the FDB ('bridge' lists the FDB). */
  family?: NeighborFamily | undefined;
  /** Only entries of this device (NDA_IFINDEX). */
  dev?: Dev | undefined;
  /**
   * Only entries of devices enslaved to this master (NDA_MASTER); `null`: only entries of
   * devices that have no master (`ip neigh show nomaster`: NDA_MASTER -1).
   */
  master?: Dev | null | undefined;
  /** Only proxy entries (ndm_flags NTF_PROXY). */
  proxy?: boolean | undefined;
}

/** NDA_MASTER -1 as a u32: devices without a master. */
const NO_MASTER = 0xffffffff;

/** Build a neighbour dump request (RTM_GETNEIGH | NLM_F_DUMP) filtered by the kernel. */
export function buildNeighborDumpRequest(filter: NeighborDumpFilter<number> = {}): RequestPlan {
  const family =
    filter.family === undefined ? 0 : neighborFamily(filter.family, 'neighborFilter.family');
  const ifindex = filter.dev === undefined ? undefined : checkU32(filter.dev, 'neighborFilter.dev');
  // The kernel's neigh_master_filtered reads an NDA_MASTER of -1 as "no master".
  const master =
    filter.master === undefined
      ? undefined
      : filter.master === null
        ? NO_MASTER
        : checkU32(filter.master, 'neighborFilter.master');
  const flags = bool(filter.proxy, 'neighborFilter.proxy') ? NTF.proxy : 0;
  return {
    type: RTM_GETNEIGH,
    flags: 0,
    write(w) {
      w.rawU8(family);
      w.rawU8(0);
      w.rawU16(0);
      w.rawU32(0);
      w.rawU16(0);
      w.rawU8(flags);
      w.rawU8(0);
      if (ifindex !== undefined) w.u32(NDA_IFINDEX, ifindex);
      if (master !== undefined) w.u32(NDA_MASTER, master);
    },
  };
}

/** `bridge fdb add | append | replace | del`. */
export type FdbOp = 'add' | 'append' | 'replace' | 'delete';

const FDB_OP_FLAGS: Record<FdbOp, number> = {
  add: NLM_F_CREATE | NLM_F_EXCL,
  append: NLM_F_CREATE | NLM_F_APPEND,
  replace: NLM_F_CREATE | NLM_F_REPLACE,
  delete: 0,
};

/**
 * A bridge or vxlan forwarding database entry (`bridge fdb add MAC dev DEV …`): an AF_BRIDGE
 * neighbour. Defaults as in `bridge fdb`: the device's own table (NTF_SELF) unless `master`,
 * state permanent.
 */
export interface FdbSpec<Dev = number> {
  family: 'bridge';
  /** The MAC address (NDA_LLADDR, 6 bytes). */
  lladdr: string;
  /** The port (or vxlan) device: an ifindex here; the client also takes a name. */
  dev: Dev;
  /** NTF_MASTER: the entry goes to the bridge the device is a port of. */
  master?: boolean | undefined;
  /** NTF_SELF: the entry goes to the device's own table (default when `master` is not set). */
  self?: boolean | undefined;
  /** 'permanent' (default; `local`), 'static' (NUD_NOARP|NUD_REACHABLE) or 'dynamic'. */
  state?: 'permanent' | 'static' | 'dynamic' | undefined;
  router?: boolean | undefined;
  use?: boolean | undefined;
  externLearn?: boolean | undefined;
  sticky?: boolean | undefined;
  /** The remote VTEP of a vxlan entry (NDA_DST). */
  dst?: string | undefined;
  /** NDA_VLAN */
  vlan?: number | undefined;
  /** NDA_NH_ID: a nexthop group instead of dst/port/vni. */
  nhid?: number | undefined;
  /** NDA_PORT: the vxlan UDP port. */
  port?: number | undefined;
  /** NDA_VNI */
  vni?: number | undefined;
  /** NDA_SRC_VNI */
  srcVni?: number | undefined;
  /** NDA_IFINDEX: the device to reach the remote VTEP through (`via`). */
  via?: number | undefined;
}

/** Build `bridge fdb add|append|replace|del` (device already an ifindex). */
export function buildFdbRequest(op: FdbOp, spec: FdbSpec<number>): RequestPlan {
  if (typeof spec !== 'object' || spec === null) throw bad('fdb', 'expected an object');
  if (!Object.hasOwn(FDB_OP_FLAGS, op)) throw bad('fdb', `unknown operation ${String(op)}`);
  const mac = typeof spec.lladdr === 'string' ? parseLladdr(spec.lladdr) : undefined;
  if (!mac || mac.length !== ETH_ALEN) {
    throw bad('fdb.lladdr', `"${String(spec.lladdr)}" is not a MAC address`);
  }
  if (spec.dev === undefined) throw bad('fdb.dev', 'a device is required');
  const ifindex = checkU32(spec.dev, 'fdb.dev');
  const dst = spec.dst === undefined ? undefined : parseInetAddress(spec.dst, 'fdb.dst');
  const vlan = spec.vlan === undefined ? undefined : checkUint(spec.vlan, 4095, 'fdb.vlan');
  const nhid = spec.nhid === undefined ? undefined : checkU32(spec.nhid, 'fdb.nhid');
  const port = spec.port === undefined ? undefined : checkUint(spec.port, 0xffff, 'fdb.port');
  const vni = spec.vni === undefined ? undefined : checkUint(spec.vni, 0xffffff, 'fdb.vni');
  const srcVni =
    spec.srcVni === undefined ? undefined : checkUint(spec.srcVni, 0xffffff, 'fdb.srcVni');
  const via = spec.via === undefined ? undefined : checkU32(spec.via, 'fdb.via');
  if (nhid !== undefined && (dst || port || vni !== undefined)) {
    throw bad('fdb.nhid', 'a nexthop group excludes dst, port and vni');
  }
  let flags = 0;
  if (bool(spec.self, 'fdb.self')) flags |= NTF.self;
  if (bool(spec.master, 'fdb.master')) flags |= NTF.master;
  if (bool(spec.router, 'fdb.router')) flags |= NTF.router;
  if (bool(spec.use, 'fdb.use')) flags |= NTF.use;
  if (bool(spec.externLearn, 'fdb.externLearn')) flags |= NTF.ext_learned;
  if (bool(spec.sticky, 'fdb.sticky')) flags |= NTF.sticky;
  if (!(flags & (NTF.self | NTF.master))) flags |= NTF.self;
  let state: number;
  if (spec.state === undefined || spec.state === 'permanent') state = NUD.noarp | NUD.permanent;
  else if (spec.state === 'static') state = NUD.noarp | NUD.reachable;
  else if (spec.state === 'dynamic') state = NUD.reachable;
  else throw bad('fdb.state', `expected 'permanent', 'static' or 'dynamic'`);
  return {
    type: op === 'delete' ? RTM_DELNEIGH : RTM_NEWNEIGH,
    flags: FDB_OP_FLAGS[op],
    write(w) {
      w.rawU8(AF_BRIDGE);
      w.rawU8(0);
      w.rawU16(0);
      w.rawU32(ifindex);
      w.rawU16(state);
      w.rawU8(flags);
      w.rawU8(0);
      w.binary(NDA_LLADDR, mac);
      if (dst) w.binary(NDA_DST, dst.bytes);
      if (vlan !== undefined) w.u16(NDA_VLAN, vlan);
      if (nhid !== undefined) w.u32(NDA_NH_ID, nhid);
      if (port) w.be16(NDA_PORT, port);
      if (vni !== undefined) w.u32(NDA_VNI, vni);
      if (srcVni !== undefined) w.u32(NDA_SRC_VNI, srcVni);
      if (via) w.u32(NDA_IFINDEX, via);
    },
  };
}
