// Pure builders of link requests (RTM_NEWLINK, RTM_DELLINK, RTM_GETLINK): a spec whose devices
// are already resolved to ifindexes in, `{ type, flags, payload }` out. No I/O.
//
// Header fields, attribute order and encodings are those of iproute2 6.1's `ip link`, so a
// request built here equals iproute2's for the same command byte for byte (seq and port id
// aside) when the spec lists its options in the order the command gives its arguments:
//   - options are written in the order of the spec's keys, as iproute2 writes its arguments;
//   - up/down, arp, promisc, … travel in ifi_flags / ifi_change, never as attributes;
//   - IFLA_IFNAME comes after the options (iproute2 adds it once parsing ends), IFLA_LINK (add)
//     or IFLA_NEW_IFINDEX (set) just before it, IFLA_LINKINFO last;
//   - IFLA_INFO_KIND carries the kind without its NUL (iproute2 uses strlen), and IFLA_IFALIAS
//     the alias without one;
//   - no nest carries NLA_F_NESTED (iproute2's addattr_nest leaves it clear; the kernel parses
//     link info with the lenient nla_parse_nested_deprecated).
import { parseLladdr } from '../../netlink/address.js';
import {
  AttributeWriter,
  NLA_F_NESTED,
  NLA_HDRLEN,
  nlaAlign,
  walkAttributes,
} from '../../netlink/attributes.js';
import { NetlinkEncodeError } from '../../netlink/errors.js';
import {
  NLM_F_ACK,
  NLM_F_CREATE,
  NLM_F_DUMP,
  NLM_F_EXCL,
  NLM_F_REPLACE,
  NLM_F_REQUEST,
} from '../../netlink/message.js';
import type { AttributeSet, Input, ValueSpec } from '../../netlink/schema.js';
import { RTM_DELLINK, RTM_GETLINK, RTM_NEWLINK } from '../constants.js';
import type { LinkKind, LinkKindData, LinkSlaveData, LinkSlaveKind } from '../kinds/index.js';
import { LINKMODE, linkinfoAttributes, OPERSTATE } from '../link.js';

// IFLA_* attribute numbers (<linux/if_link.h>) the builders write by hand.
const IFLA_ADDRESS = 1;
const IFLA_BROADCAST = 2;
const IFLA_IFNAME = 3;
const IFLA_MTU = 4;
const IFLA_LINK = 5;
const IFLA_MASTER = 10;
const IFLA_TXQLEN = 13;
const IFLA_OPERSTATE = 16;
const IFLA_LINKMODE = 17;
const IFLA_LINKINFO = 18;
const IFLA_NET_NS_PID = 19;
const IFLA_IFALIAS = 20;
const IFLA_AF_SPEC = 26;
const IFLA_GROUP = 27;
const IFLA_NET_NS_FD = 28;
const IFLA_EXT_MASK = 29;
const IFLA_NUM_TX_QUEUES = 31;
const IFLA_NUM_RX_QUEUES = 32;
const IFLA_CARRIER = 33;
const IFLA_LINK_NETNSID = 37;
const IFLA_PROTO_DOWN = 39;
const IFLA_GSO_MAX_SEGS = 40;
const IFLA_GSO_MAX_SIZE = 41;
const IFLA_NEW_IFINDEX = 49;
const IFLA_ALT_IFNAME = 53;
const IFLA_PROTO_DOWN_REASON = 55;
const IFLA_GRO_MAX_SIZE = 58;
// IFLA_PROTO_DOWN_REASON members.
const IFLA_PROTO_DOWN_REASON_MASK = 1;
const IFLA_PROTO_DOWN_REASON_VALUE = 2;
// IFLA_LINKINFO members.
const IFLA_INFO_KIND = 1;
const IFLA_INFO_DATA = 2;
const IFLA_INFO_SLAVE_DATA = 5;
/** VETH_INFO_PEER (<linux/veth.h>): the peer's ifinfomsg followed by its IFLA_* attributes. */
const VETH_INFO_PEER = 1;
/** IFLA_INET6_ADDR_GEN_MODE, inside IFLA_AF_SPEC → AF_INET6. */
const IFLA_INET6_ADDR_GEN_MODE = 8;
const AF_INET6 = 10;
/** AF_PACKET: the family `ip link show` dumps with. */
export const AF_PACKET = 17;

/** net_device_flags bits (<linux/if.h>) that `ip link set` changes through ifi_flags/ifi_change. */
export const IFF_UP = 0x1;
/** IFF_NOTRAILERS: a legacy flag the kernel keeps and reports (`trailers off` sets it). */
export const IFF_NOTRAILERS = 0x20;
export const IFF_NOARP = 0x80;
export const IFF_PROMISC = 0x100;
export const IFF_ALLMULTI = 0x200;
export const IFF_MULTICAST = 0x1000;
export const IFF_DYNAMIC = 0x8000;
/** RTEXT_FILTER_VF: ask for VF information in link dumps (iproute2 always does). */
export const RTEXT_FILTER_VF = 1;
/** RTEXT_FILTER_SKIP_STATS: leave the statistics out of the answer. */
export const RTEXT_FILTER_SKIP_STATS = 8;
/** IFNAMSIZ: interface names are at most 15 bytes plus the NUL. */
export const IFNAMSIZ = 16;
/** ALTIFNAMSIZ: alternative names are at most 127 bytes plus the NUL. */
export const ALTIFNAMSIZ = 128;
/** IFALIASZ: an alias is shorter than 256 bytes. */
export const IFALIASZ = 256;
/** MAX_ADDR_LEN: the longest link-layer address. */
export const MAX_ADDR_LEN = 32;

/** IPv6 address generation modes (enum in6_addr_gen_mode, IFLA_INET6_ADDR_GEN_MODE). */
export const ADDR_GEN_MODE = {
  eui64: 0,
  none: 1,
  stable_secret: 2,
  random: 3,
} as const;

/** Kinds whose link-layer address is a 6-byte Ethernet MAC. */
const ETHERNET_KINDS = new Set([
  'veth',
  'bridge',
  'vxlan',
  'macvlan',
  'macvtap',
  'dummy',
  'ifb',
  'bond',
  'vlan',
  'ipvlan',
  'gretap',
  'ip6gretap',
  'geneve',
  'vrf',
]);

/** One request, ready for `Connection.request()` / `dump()`: full nlmsg_flags as iproute2 sends them. */
export interface RequestMessage {
  type: number;
  /** nlmsg_flags, including NLM_F_REQUEST and NLM_F_ACK (or NLM_F_DUMP). */
  flags: number;
  /** What follows the nlmsghdr. */
  payload: Buffer;
}

/** Where to move a link: an open namespace descriptor (IFLA_NET_NS_FD) or a process's (IFLA_NET_NS_PID). */
export type NetnsTarget = { readonly fd: number } | { readonly pid: number };

/**
 * What can be set on a link, shared by `add` and `set`. `Ref` is how other devices are named
 * (an ifindex for the builders; a name or ifindex for the client) and `Ns` how a namespace is.
 * Absent means unchanged; `0`, `''` and `false` are real values.
 */
export interface LinkOptions<Ref = number, Ns = NetnsTarget> {
  /** Administratively up (true) or down (false): IFF_UP in ifi_flags / ifi_change. */
  up?: boolean;
  /** ARP on (true) or off (false): IFF_NOARP, inverted. */
  arp?: boolean;
  /** IFF_DYNAMIC */
  dynamic?: boolean;
  /** IFF_MULTICAST */
  multicast?: boolean;
  /** IFF_ALLMULTI */
  allmulticast?: boolean;
  /** IFF_PROMISC */
  promisc?: boolean;
  /** Trailers on (true) or off (false): IFF_NOTRAILERS, inverted (`ip link set … trailers`). */
  trailers?: boolean;
  /** IFLA_LINKMODE: `default`, or `dormant` (user space drives the operational state). */
  linkmode?: keyof typeof LINKMODE | number;
  /** IFLA_OPERSTATE: the operational state to set (`up`, `dormant`, … of a dormant-mode link). */
  operstate?: keyof typeof OPERSTATE | number;
  /** IFLA_CARRIER: force the carrier on or off (devices that allow it). */
  carrier?: boolean;
  /** IFLA_TXQLEN: transmit queue length in packets. */
  txqlen?: number;
  /** IFLA_ADDRESS: link-layer address, colon-separated hex (`02:00:00:00:00:01`). */
  address?: string;
  /** IFLA_BROADCAST: link-layer broadcast address. */
  broadcast?: string;
  /** IFLA_MTU */
  mtu?: number;
  /** IFLA_NUM_TX_QUEUES (creation only). */
  numTxQueues?: number;
  /** IFLA_NUM_RX_QUEUES (creation only). */
  numRxQueues?: number;
  /** Move the link to (or create it in) another namespace: IFLA_NET_NS_FD / IFLA_NET_NS_PID. */
  netns?: Ns;
  /** IFLA_LINK_NETNSID: the namespace (by nsid) the lower device lives in. */
  linkNetnsid?: number;
  /** IFLA_IFALIAS: free-text description ('' clears it). */
  alias?: string;
  /** IFLA_MASTER: enslave to this device; `null` (or 0) releases it (`nomaster`). */
  master?: Ref | null;
  /** IPv6 address generation mode: IFLA_AF_SPEC → AF_INET6 → IFLA_INET6_ADDR_GEN_MODE. */
  addrgenmode?: keyof typeof ADDR_GEN_MODE;
  /** IFLA_GROUP: the device group. */
  group?: number;
  /** IFLA_PROTO_DOWN */
  protodown?: boolean;
  /**
   * IFLA_PROTO_DOWN_REASON: set the bits of `mask` in the link's 32 protodown reason bits to
   * those of `value` (`ip link set DEV protodown_reason 3 on` is `{ mask: 8, value: 8 }`);
   * without `mask`, `value` replaces them all. Devices without protodown support refuse it.
   */
  protodownReason?: ProtodownReason;
  /** IFLA_GSO_MAX_SIZE */
  gsoMaxSize?: number;
  /** IFLA_GSO_MAX_SEGS */
  gsoMaxSegs?: number;
  /** IFLA_GRO_MAX_SIZE */
  groMaxSize?: number;
}

/** IFLA_PROTO_DOWN_REASON: IFLA_PROTO_DOWN_REASON_MASK (optional) and _VALUE. */
export interface ProtodownReason {
  /** The reason bits to change (bit N is reason N); absent: all of them. */
  mask?: number;
  /** The new state of the bits of `mask`. */
  value: number;
}

/** IFLA_INFO_DATA of kind `K` as its schema encodes it (free-form for a kind rtnl does not declare). */
export type KindDataOf<K extends string> = K extends LinkKind
  ? LinkKindData[K]
  : Record<string, unknown>;

/** The far end of a veth pair (VETH_INFO_PEER): its name and its own link options. */
export interface VethPeer<Ref = number, Ns = NetnsTarget> extends LinkOptions<Ref, Ns> {
  /** The peer's interface name (IFLA_IFNAME); the kernel picks `vethN` when absent. */
  name?: string;
  /** The ifindex to request for the peer. */
  index?: number;
}

/** `ip link add`: a new link of kind `K`. */
export interface LinkSpec<K extends string = string, Ref = number, Ns = NetnsTarget>
  extends LinkOptions<Ref, Ns> {
  /** IFLA_IFNAME: at most 15 bytes, no '/', ':' or white space. */
  name: string;
  /** IFLA_INFO_KIND: veth, bridge, vxlan, macvlan, macvtap, ifb, dummy, vlan, … */
  kind: K;
  /** IFLA_INFO_DATA: the kind's own options, as the kind's schema declares them. */
  data?: KindDataOf<K>;
  /** The peer of a veth pair (written as VETH_INFO_PEER inside IFLA_INFO_DATA). */
  peer?: VethPeer<Ref, Ns>;
  /** IFLA_LINK: the lower device (`ip link add link DEV`: macvlan, vlan, …). */
  link?: Ref;
  /** The ifindex to request (`index IDX`); the kernel picks one when absent. */
  index?: number;
}

/** `ip link set`: changes to an existing link. */
export interface LinkChanges<Ref = number, Ns = NetnsTarget> extends LinkOptions<Ref, Ns> {
  /** Rename the link (IFLA_IFNAME). */
  name?: string;
  /** Give the link a new ifindex while moving it to another namespace (IFLA_NEW_IFINDEX). */
  newIndex?: number;
  /** Change kind options (`type KIND ARGS`): IFLA_LINKINFO { kind, data }. */
  kind?: string;
  data?: Record<string, unknown>;
  /**
   * Change the port options this link has in its master (`type bridge_slave ARGS`):
   * IFLA_LINKINFO { kind `${kind}_slave`, IFLA_INFO_SLAVE_DATA }. `kind` is the master's kind.
   */
  slave?: { [K in LinkSlaveKind]: { kind: K; data: LinkSlaveData[K] } }[LinkSlaveKind];
}

function bad(path: string, message: string): NetlinkEncodeError {
  return new NetlinkEncodeError('BAD_VALUE', message, path);
}

function show(x: unknown): string {
  if (typeof x === 'string') return JSON.stringify(x);
  if (typeof x === 'bigint') return `${x}n`;
  if (typeof x === 'object' && x !== null) return 'an object';
  return String(x);
}

/** An integer in `min..max`, or BAD_VALUE naming `path`. */
export function checkInt(x: unknown, path: string, min = 0, max = 0xffffffff): number {
  if (typeof x !== 'number' || !Number.isInteger(x) || x < min || x > max) {
    throw bad(path, `expected an integer in ${min}..${max}, got ${show(x)}`);
  }
  return x;
}

function checkBool(x: unknown, path: string): boolean {
  if (typeof x !== 'boolean') throw bad(path, `expected true or false, got ${show(x)}`);
  return x;
}

/**
 * An interface name as the kernel's dev_valid_name() accepts it: 1..15 bytes, not `.` or `..`,
 * no '/', ':' or white space. `max` is 127 for alternative names.
 */
export function checkIfname(x: unknown, path: string, max = IFNAMSIZ - 1): string {
  if (typeof x !== 'string') throw bad(path, `expected an interface name, got ${show(x)}`);
  const n = Buffer.byteLength(x);
  let problem: string | undefined;
  if (n === 0) problem = 'it is empty';
  else if (n > max) problem = `it is ${n} bytes long, the limit is ${max}`;
  else if (x === '.' || x === '..') problem = `it is '${x}'`;
  else if (/[/:\s\0]/.test(x)) problem = "it contains '/', ':', a NUL or white space";
  if (problem) throw bad(path, `invalid interface name ${JSON.stringify(x)}: ${problem}`);
  return x;
}

/** A link-layer address (`aa:bb:cc:dd:ee:ff`); `size` demands an exact length in bytes. */
export function checkLladdr(x: unknown, path: string, size?: number): Uint8Array {
  const bytes = typeof x === 'string' ? parseLladdr(x) : undefined;
  if (!bytes || bytes.length > MAX_ADDR_LEN) {
    throw bad(path, `expected a link-layer address (hex bytes separated by ':'), got ${show(x)}`);
  }
  if (size !== undefined && bytes.length !== size) {
    throw bad(path, `expected a ${size}-byte MAC address, got ${bytes.length} bytes in ${show(x)}`);
  }
  return bytes;
}

/** A device named by ifindex (a positive integer) in a built request. */
function checkIndex(x: unknown, path: string): number {
  return checkInt(x, path, 1, 0x7fffffff);
}

function checkNetns(x: unknown, path: string): NetnsTarget {
  if (typeof x === 'object' && x !== null) {
    if ('fd' in x) return { fd: checkInt(x.fd, `${path}.fd`, 0, 0x7fffffff) };
    if ('pid' in x) return { pid: checkInt(x.pid, `${path}.pid`, 1, 0x7fffffff) };
  }
  throw bad(path, `expected { fd } or { pid }, got ${show(x)}`);
}

const OPTION_KEYS = new Set<string>([
  'up',
  'arp',
  'dynamic',
  'multicast',
  'allmulticast',
  'promisc',
  'trailers',
  'linkmode',
  'operstate',
  'carrier',
  'txqlen',
  'address',
  'broadcast',
  'mtu',
  'numTxQueues',
  'numRxQueues',
  'netns',
  'linkNetnsid',
  'alias',
  'master',
  'addrgenmode',
  'group',
  'protodown',
  'protodownReason',
  'gsoMaxSize',
  'gsoMaxSegs',
  'groMaxSize',
]);
const ADD_KEYS = new Set([...OPTION_KEYS, 'name', 'kind', 'data', 'peer', 'link', 'index']);
const PEER_KEYS = new Set([...OPTION_KEYS, 'name', 'index']);
const SET_KEYS = new Set([...OPTION_KEYS, 'name', 'newIndex', 'kind', 'data', 'slave']);

function checkKeys(x: unknown, allowed: Set<string>, path: string): Record<string, unknown> {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) {
    throw bad(path, `expected an object, got ${show(x)}`);
  }
  for (const key of Object.keys(x)) {
    if (!allowed.has(key)) throw bad(`${path}.${key}`, `unknown link option "${key}"`);
  }
  return x as Record<string, unknown>;
}

/** ifi_flags / ifi_change for the boolean flag options. */
/** A name of `map`, or a number 0..255, as its value; BAD_VALUE naming `path` otherwise. */
function enumOf(map: Readonly<Record<string, number>>, v: unknown, path: string): number {
  if (typeof v === 'number') return checkInt(v, path, 0, 255);
  if (typeof v === 'string' && Object.hasOwn(map, v)) return map[v]!;
  throw bad(path, `expected one of ${Object.keys(map).join(', ')} or 0..255, got ${show(v)}`);
}

function headerFlags(o: LinkOptions<unknown, unknown>, path: string): [number, number] {
  let flags = 0;
  let change = 0;
  const bit = (value: boolean | undefined, mask: number, name: string, inverted = false) => {
    if (value === undefined) return;
    change |= mask;
    if (checkBool(value, `${path}.${name}`) !== inverted) flags |= mask;
  };
  bit(o.up, IFF_UP, 'up');
  bit(o.arp, IFF_NOARP, 'arp', true);
  bit(o.dynamic, IFF_DYNAMIC, 'dynamic');
  bit(o.multicast, IFF_MULTICAST, 'multicast');
  bit(o.allmulticast, IFF_ALLMULTI, 'allmulticast');
  bit(o.promisc, IFF_PROMISC, 'promisc');
  bit(o.trailers, IFF_NOTRAILERS, 'trailers', true);
  return [flags >>> 0, change >>> 0];
}

function writeIfinfomsg(w: AttributeWriter, index: number, flags: number, change: number): void {
  // struct ifinfomsg: family (AF_UNSPEC), pad, type, index, flags, change.
  const at = w.zeros(16);
  w.buf.writeInt32LE(index, at + 4);
  w.buf.writeUInt32LE(flags, at + 8);
  w.buf.writeUInt32LE(change, at + 12);
}

/**
 * The link options as attributes, in the order of the spec's own keys: iproute2 writes them in
 * the order of its arguments, so a spec listing its options in a command's order gives that
 * command's bytes. Keys that are not attributes (flags, name, kind, …) are skipped here.
 */
function writeOptions(
  w: AttributeWriter,
  o: LinkOptions,
  path: string,
  macSize: number | undefined,
): void {
  for (const key of Object.keys(o)) {
    const v = (o as Record<string, unknown>)[key];
    if (v === undefined) continue;
    const at = `${path}.${key}`;
    switch (key) {
      case 'carrier':
        w.u8(IFLA_CARRIER, checkBool(v, at) ? 1 : 0);
        break;
      case 'txqlen':
        w.u32(IFLA_TXQLEN, checkInt(v, at));
        break;
      case 'linkmode':
        w.u8(IFLA_LINKMODE, enumOf(LINKMODE, v, at));
        break;
      case 'operstate':
        w.u8(IFLA_OPERSTATE, enumOf(OPERSTATE, v, at));
        break;
      case 'address':
        w.binary(IFLA_ADDRESS, checkLladdr(v, at, macSize));
        break;
      case 'broadcast':
        w.binary(IFLA_BROADCAST, checkLladdr(v, at, macSize));
        break;
      case 'mtu':
        w.u32(IFLA_MTU, checkInt(v, at));
        break;
      case 'numTxQueues':
        w.u32(IFLA_NUM_TX_QUEUES, checkInt(v, at));
        break;
      case 'numRxQueues':
        w.u32(IFLA_NUM_RX_QUEUES, checkInt(v, at));
        break;
      case 'netns': {
        const ns = checkNetns(v, at);
        if ('fd' in ns) w.u32(IFLA_NET_NS_FD, ns.fd);
        else w.u32(IFLA_NET_NS_PID, ns.pid);
        break;
      }
      case 'linkNetnsid':
        w.s32(IFLA_LINK_NETNSID, checkInt(v, at, 0, 0x7fffffff));
        break;
      case 'alias':
        if (typeof v !== 'string' || Buffer.byteLength(v) >= IFALIASZ || v.includes('\0'))
          throw bad(at, `expected a string shorter than ${IFALIASZ} bytes, got ${show(v)}`);
        // iproute2 sends the alias without a NUL (the kernel takes the length from nla_len).
        w.binary(IFLA_IFALIAS, Buffer.from(v));
        break;
      case 'master':
        w.u32(IFLA_MASTER, v === null || v === 0 ? 0 : checkIndex(v, at));
        break;
      case 'addrgenmode': {
        const mode =
          typeof v === 'string' && Object.hasOwn(ADDR_GEN_MODE, v)
            ? ADDR_GEN_MODE[v as keyof typeof ADDR_GEN_MODE]
            : undefined;
        if (mode === undefined)
          throw bad(at, `expected one of ${Object.keys(ADDR_GEN_MODE).join(', ')}, got ${show(v)}`);
        const spec = w.begin(IFLA_AF_SPEC);
        const inet6 = w.begin(AF_INET6);
        w.u8(IFLA_INET6_ADDR_GEN_MODE, mode);
        w.end(inet6);
        w.end(spec);
        break;
      }
      case 'group':
        w.u32(IFLA_GROUP, checkInt(v, at));
        break;
      case 'protodown':
        w.u8(IFLA_PROTO_DOWN, checkBool(v, at) ? 1 : 0);
        break;
      case 'protodownReason': {
        if (typeof v !== 'object' || v === null) {
          throw bad(at, `expected { mask?, value }, got ${show(v)}`);
        }
        const r = v as Record<string, unknown>;
        for (const k of Object.keys(r)) {
          if (k !== 'mask' && k !== 'value') throw bad(`${at}.${k}`, `unknown field "${k}"`);
        }
        const mask = r.mask === undefined ? undefined : checkInt(r.mask, `${at}.mask`);
        const value = checkInt(r.value, `${at}.value`);
        // iproute2 sets NLA_F_NESTED on this nest (the kernel's policy is NLA_NESTED).
        const nest = w.begin(IFLA_PROTO_DOWN_REASON, NLA_F_NESTED);
        if (mask !== undefined) w.u32(IFLA_PROTO_DOWN_REASON_MASK, mask);
        w.u32(IFLA_PROTO_DOWN_REASON_VALUE, value);
        w.end(nest);
        break;
      }
      case 'gsoMaxSize':
        w.u32(IFLA_GSO_MAX_SIZE, checkInt(v, at));
        break;
      case 'gsoMaxSegs':
        w.u32(IFLA_GSO_MAX_SEGS, checkInt(v, at));
        break;
      case 'groMaxSize':
        w.u32(IFLA_GRO_MAX_SIZE, checkInt(v, at));
        break;
    }
  }
}

function checkKind(x: unknown, path: string): string {
  if (typeof x !== 'string' || x === '' || !/^[A-Za-z0-9_.-]+$/.test(x) || x.length > 63) {
    throw bad(path, `expected a link kind such as "veth" or "bridge", got ${show(x)}`);
  }
  return x;
}

/** The schema of a kind's IFLA_INFO_DATA (or of its ports' IFLA_INFO_SLAVE_DATA). */
function kindSet(which: 'data' | 'slaveData', kind: string): AttributeSet | undefined {
  const sets = linkinfoAttributes.attrs[which].sets as Readonly<Record<string, AttributeSet>>;
  return Object.hasOwn(sets, kind) ? sets[kind] : undefined;
}

/**
 * Encode `data` with the kind's schema inside attribute `type`, refusing options the schema
 * does not declare with BAD_VALUE naming them (`link.data(vxlan).foo`).
 */
function writeKindData(
  w: AttributeWriter,
  type: number,
  set: AttributeSet | undefined,
  data: unknown,
  path: string,
): void {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw bad(path, `expected an object of options, got ${show(data)}`);
  }
  if (!set) {
    throw bad(path, 'rtnl has no schema for the options of this kind; leave them out');
  }
  for (const key of Object.keys(data)) {
    if (key !== 'unknown' && !Object.hasOwn(set.attrs, key)) {
      throw bad(
        `${path}.${key}`,
        `unknown option "${key}" (known: ${Object.keys(set.attrs).join(', ')})`,
      );
    }
  }
  const at = w.begin(type);
  const start = w.pos;
  set.encode(w, data as Input<Record<string, never>>, path);
  clearNestedFlags(w.buf, start, w.pos, set);
  w.end(at);
}

/** Clear NLA_F_NESTED on every nest in `buf[start, end)`, following `set` into sub-nests. */
function clearNestedFlags(buf: Buffer, start: number, end: number, set: AttributeSet): void {
  walkAttributes(buf, start, end, (type, _flags, off, len) => {
    const hit = set.lookup(type);
    if (hit) clearValue(buf, off, len, hit[1]);
  });
}

function clearValue(buf: Buffer, off: number, len: number, spec: ValueSpec): void {
  const hdr = off - NLA_HDRLEN;
  buf.writeUInt16LE(buf.readUInt16LE(hdr + 2) & ~NLA_F_NESTED, hdr + 2);
  if (spec.kind === 'nested') clearNestedFlags(buf, off, off + len, spec.set);
  else if (spec.kind === 'message')
    clearNestedFlags(
      buf,
      off + nlaAlign(spec.message.header.size),
      off + len,
      spec.message.attributes,
    );
  else if (spec.kind === 'indexed')
    walkAttributes(buf, off, off + len, (_t, _f, o, l) => clearValue(buf, o, l, spec.item));
}

function writePeer(w: AttributeWriter, peer: VethPeer, path: string): void {
  checkKeys(peer, PEER_KEYS, path);
  const [flags, change] = headerFlags(peer, path);
  const at = w.begin(VETH_INFO_PEER);
  writeIfinfomsg(
    w,
    peer.index === undefined ? 0 : checkIndex(peer.index, `${path}.index`),
    flags,
    change,
  );
  writeOptions(w, peer, path, 6);
  if (peer.name !== undefined) w.string(IFLA_IFNAME, checkIfname(peer.name, `${path}.name`));
  w.end(at);
}

function finish(w: AttributeWriter, type: number, flags: number): RequestMessage {
  return { type, flags, payload: Buffer.from(w.bytes()) };
}

/**
 * `ip link add NAME [link DEV] [options] type KIND [data]`: RTM_NEWLINK with
 * NLM_F_CREATE | NLM_F_EXCL. Devices (`link`, `master`) are ifindexes.
 *
 * @throws {NetlinkEncodeError} BAD_VALUE naming the field (`link.name`, `link.mtu`,
 *   `link.data(vxlan).id`, `link.peer.name`) when the spec is not valid.
 */
export function linkAddRequest(spec: LinkSpec<string>): RequestMessage {
  return newLinkRequest(spec, NLM_F_CREATE | NLM_F_EXCL);
}

/**
 * `ip link replace NAME … type KIND …`: the request of {@link linkAddRequest} with
 * NLM_F_CREATE | NLM_F_REPLACE instead of NLM_F_EXCL. The kernel creates the link when there is
 * none of that name (or index) and refuses to replace one that exists (EOPNOTSUPP).
 *
 * @throws {NetlinkEncodeError} BAD_VALUE naming the field, as linkAddRequest.
 */
export function linkReplaceRequest(spec: LinkSpec<string>): RequestMessage {
  return newLinkRequest(spec, NLM_F_CREATE | NLM_F_REPLACE);
}

function newLinkRequest(spec: LinkSpec<string>, nlFlags: number): RequestMessage {
  const path = 'link';
  checkKeys(spec, ADD_KEYS, path);
  const name = checkIfname(spec.name, `${path}.name`);
  const kind = checkKind(spec.kind, `${path}.kind`);
  const [flags, change] = headerFlags(spec, path);
  const w = new AttributeWriter(128);
  writeIfinfomsg(
    w,
    spec.index === undefined ? 0 : checkIndex(spec.index, `${path}.index`),
    flags,
    change,
  );
  writeOptions(w, spec, path, ETHERNET_KINDS.has(kind) ? 6 : undefined);
  if (spec.link !== undefined) w.u32(IFLA_LINK, checkIndex(spec.link, `${path}.link`));
  w.string(IFLA_IFNAME, name);
  const info = w.begin(IFLA_LINKINFO);
  w.binary(IFLA_INFO_KIND, Buffer.from(kind));
  if (spec.peer !== undefined) {
    if (kind !== 'veth') throw bad(`${path}.peer`, `only a veth has a peer, not a ${kind}`);
    if (spec.data !== undefined) throw bad(`${path}.data`, 'give the veth peer as `peer` only');
    const data = w.begin(IFLA_INFO_DATA);
    writePeer(w, spec.peer, `${path}.peer`);
    w.end(data);
  } else if (spec.data !== undefined) {
    writeKindData(w, IFLA_INFO_DATA, kindSet('data', kind), spec.data, `${path}.data(${kind})`);
  }
  w.end(info);
  return finish(w, RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK | nlFlags);
}

/** Which links a set or delete applies to: one (by ifindex) or a whole device group. */
export type LinkTarget = number | { readonly group: number };

/**
 * `ip link set { DEV | group N } [changes]`: RTM_NEWLINK without NLM_F_CREATE, the target in
 * ifi_index (0 with IFLA_GROUP for a group).
 */
export function linkSetRequest(target: LinkTarget, changes: LinkChanges): RequestMessage {
  const path = 'link';
  checkKeys(changes, SET_KEYS, path);
  const [flags, change] = headerFlags(changes, path);
  const w = new AttributeWriter(128);
  let group: number | undefined;
  if (typeof target === 'object' && target !== null) {
    group = checkInt(target.group, `${path}.group`);
    if (changes.group !== undefined)
      throw bad(`${path}.group`, 'a device group cannot be moved to another group at once');
    if (changes.name !== undefined) throw bad(`${path}.name`, 'a group of links cannot be renamed');
    writeIfinfomsg(w, 0, flags, change);
  } else {
    writeIfinfomsg(w, checkIndex(target, `${path}.index`), flags, change);
  }
  // `ip link set group N …`: the group comes first in the command, so first on the wire.
  if (group !== undefined) w.u32(IFLA_GROUP, group);
  writeOptions(w, changes, path, undefined);
  if (changes.newIndex !== undefined)
    w.u32(IFLA_NEW_IFINDEX, checkIndex(changes.newIndex, `${path}.newIndex`));
  if (changes.name !== undefined) w.string(IFLA_IFNAME, checkIfname(changes.name, `${path}.name`));
  if (changes.slave !== undefined) {
    if (changes.kind !== undefined || changes.data !== undefined)
      throw bad(`${path}.slave`, 'kind options and port options go in separate requests');
    const s = changes.slave;
    if (typeof s !== 'object' || s === null) throw bad(`${path}.slave`, 'expected { kind, data }');
    const kind = checkKind(s.kind, `${path}.slave.kind`);
    const info = w.begin(IFLA_LINKINFO);
    w.binary(IFLA_INFO_KIND, Buffer.from(`${kind}_slave`));
    writeKindData(
      w,
      IFLA_INFO_SLAVE_DATA,
      kindSet('slaveData', kind),
      s.data,
      `${path}.slaveData(${kind})`,
    );
    w.end(info);
  } else if (changes.kind !== undefined) {
    const kind = checkKind(changes.kind, `${path}.kind`);
    const info = w.begin(IFLA_LINKINFO);
    w.binary(IFLA_INFO_KIND, Buffer.from(kind));
    if (changes.data !== undefined)
      writeKindData(
        w,
        IFLA_INFO_DATA,
        kindSet('data', kind),
        changes.data,
        `${path}.data(${kind})`,
      );
    w.end(info);
  } else if (changes.data !== undefined) {
    throw bad(`${path}.data`, 'kind options need the `kind` they belong to');
  }
  return finish(w, RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK);
}

/** `ip link delete { DEV | group N }`: RTM_DELLINK. */
export function linkDeleteRequest(target: LinkTarget): RequestMessage {
  const w = new AttributeWriter(32);
  if (typeof target === 'object' && target !== null) {
    writeIfinfomsg(w, 0, 0, 0);
    w.u32(IFLA_GROUP, checkInt(target.group, 'link.group'));
  } else {
    writeIfinfomsg(w, checkIndex(target, 'link.index'), 0, 0);
  }
  return finish(w, RTM_DELLINK, NLM_F_REQUEST | NLM_F_ACK);
}

/**
 * `ip link show dev DEV`: RTM_GETLINK for one link, by ifindex (in the header) or by name
 * (IFLA_IFNAME; IFLA_ALT_IFNAME for a name longer than 15 bytes), family AF_PACKET and VF
 * information asked for, as iproute2 does. iproute2 sends it without NLM_F_ACK; the engine
 * always asks for the ack, which the kernel sends after the answer.
 */
export function linkGetRequest(dev: number | string): RequestMessage {
  const w = new AttributeWriter(64);
  writeIfinfomsg(w, typeof dev === 'number' ? checkIndex(dev, 'link.index') : 0, 0, 0);
  w.buf[0] = AF_PACKET;
  if (typeof dev === 'string') {
    const name = checkIfname(dev, 'link.name', ALTIFNAMSIZ - 1);
    w.string(Buffer.byteLength(name) < IFNAMSIZ ? IFLA_IFNAME : IFLA_ALT_IFNAME, name);
  }
  w.u32(IFLA_EXT_MASK, RTEXT_FILTER_VF);
  return finish(w, RTM_GETLINK, NLM_F_REQUEST | NLM_F_ACK);
}

/**
 * iproute2's name lookup (ll_link_get, what `ip` sends to turn `dev NAME` into an ifindex):
 * RTM_GETLINK with family AF_UNSPEC, the ifindex in the header (0 for a name), IFLA_EXT_MASK
 * RTEXT_FILTER_VF | RTEXT_FILTER_SKIP_STATS (the answer carries no statistics), then the name.
 * Sent with NLM_F_ACK, which iproute2 leaves out.
 */
export function linkLookupRequest(dev: number | string): RequestMessage {
  const w = new AttributeWriter(64);
  writeIfinfomsg(w, typeof dev === 'number' ? checkIndex(dev, 'link.index') : 0, 0, 0);
  w.u32(IFLA_EXT_MASK, RTEXT_FILTER_VF | RTEXT_FILTER_SKIP_STATS);
  if (typeof dev === 'string') {
    const name = checkIfname(dev, 'link.name', ALTIFNAMSIZ - 1);
    w.string(Buffer.byteLength(name) < IFNAMSIZ ? IFLA_IFNAME : IFLA_ALT_IFNAME, name);
  }
  return finish(w, RTM_GETLINK, NLM_F_REQUEST | NLM_F_ACK);
}

/** What the kernel can filter a link dump by (strict checking on). */
export interface LinkDumpFilter {
  /** Only ports of this master (IFLA_MASTER; ifindex). */
  master?: number;
  /** Only links of this kind (IFLA_LINKINFO → IFLA_INFO_KIND). */
  kind?: string;
}

/**
 * `ip link show [master DEV] [type KIND]`: an RTM_GETLINK dump with family AF_PACKET,
 * IFLA_EXT_MASK (RTEXT_FILTER_VF), then the kernel-side filters.
 */
export function linkDumpRequest(filter: LinkDumpFilter = {}): RequestMessage {
  const w = new AttributeWriter(64);
  const at = w.zeros(16);
  w.buf[at] = AF_PACKET;
  w.u32(IFLA_EXT_MASK, RTEXT_FILTER_VF);
  if (filter.master !== undefined) w.u32(IFLA_MASTER, checkIndex(filter.master, 'link.master'));
  if (filter.kind !== undefined) {
    const info = w.begin(IFLA_LINKINFO);
    w.binary(IFLA_INFO_KIND, Buffer.from(checkKind(filter.kind, 'link.kind')));
    w.end(info);
  }
  return finish(w, RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP);
}
