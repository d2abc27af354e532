// Pure builders of address requests (RTM_NEWADDR, RTM_DELADDR, RTM_GETADDR): a spec whose
// device is already an ifindex in, `{ type, flags, payload }` out. No I/O.
//
// Header fields, defaults and attribute order are those of iproute2 6.1's `ip addr add|replace|
// del`, so a request built here equals iproute2's for the same command byte for byte (seq and
// port id aside) when the spec lists its options in the order the command gives them:
//   - address (IFA_LOCAL), peer (IFA_ADDRESS), broadcast, anycast, label, metric and proto are
//     written in the order of the spec's keys, as iproute2 writes its arguments;
//   - then IFA_FLAGS (when the flags need more than 8 bits), IFA_ADDRESS repeating the local
//     address when there is no peer, a broadcast computed from the prefix (`brd +`), and
//     IFA_CACHEINFO (lifetimes) last;
//   - address flags travel in ifa_flags when they fit in 8 bits, otherwise in IFA_FLAGS;
//   - ifa_scope defaults to host for 127.0.0.0/8 and to universe otherwise (not on delete).
import { parseIpv4 } from '../../netlink/address.js';
import { AttributeWriter } from '../../netlink/attributes.js';
import { NetlinkEncodeError } from '../../netlink/errors.js';
import {
  NLM_F_ACK,
  NLM_F_CREATE,
  NLM_F_DUMP,
  NLM_F_EXCL,
  NLM_F_REPLACE,
  NLM_F_REQUEST,
} from '../../netlink/message.js';
import {
  AF_INET,
  AF_INET6,
  type InetFamily,
  parseInetAddress,
  parseInetPrefix,
} from '../api/inet.js';
import { IFA_F, IFAPROT, RT_SCOPE, RTM_DELADDR, RTM_GETADDR, RTM_NEWADDR } from '../constants.js';
import { checkInt, IFNAMSIZ, type RequestMessage } from './link.js';

// IFA_* attribute numbers (<linux/if_addr.h>).
const IFA_ADDRESS = 1;
const IFA_LOCAL = 2;
const IFA_LABEL = 3;
const IFA_BROADCAST = 4;
const IFA_ANYCAST = 5;
const IFA_CACHEINFO = 6;
const IFA_FLAGS = 8;
const IFA_RT_PRIORITY = 9;
const IFA_PROTO = 11;

/** INFINITY_LIFE_TIME: a lifetime that never runs out. */
export const INFINITY_LIFE_TIME = 0xffffffff;

/** Address flags a caller may set (the others are the kernel's to report). */
export const SETTABLE_IFA_FLAGS = [
  'homeaddress',
  'nodad',
  'optimistic',
  'managetempaddr',
  'noprefixroute',
  'mcautojoin',
] as const;
/** Flags only IPv6 addresses take. */
const IPV6_ONLY_FLAGS = new Set(['nodad', 'optimistic', 'managetempaddr']);

/** A settable address flag (IFA_F_*). */
export type SettableAddressFlag = (typeof SETTABLE_IFA_FLAGS)[number];
/** A scope by name (RT_SCOPE_*; `global` is iproute2's word for universe) or number. */
export type ScopeInput = keyof typeof RT_SCOPE | 'global' | number;
/** A lifetime in seconds, or `forever`. */
export type Lifetime = number | 'forever';

/** An interface address, as `ip addr add` takes it. `Ref` names the device. */
export interface AddressSpec<Ref = number> {
  /** The device (ifa_index). */
  dev: Ref;
  /**
   * The local address with its prefix length, `'192.0.2.1/24'` or `'2001:db8::1/64'` (IFA_LOCAL;
   * a bare address is a /32 or /128).
   */
  address: string;
  /** The peer of a point-to-point address with its prefix length (IFA_ADDRESS). */
  peer?: string;
  /**
   * IPv4 broadcast (IFA_BROADCAST): an address, or `'+'` (or `true`) for the prefix's
   * broadcast address, `'-'` for its network address, as `brd +` / `brd -`.
   */
  broadcast?: string | true;
  /** IFA_ANYCAST */
  anycast?: string;
  /** IPv4 label (IFA_LABEL), at most 15 bytes, e.g. `eth0:1`. */
  label?: string;
  /** ifa_scope; default host for 127.0.0.0/8, universe otherwise. */
  scope?: ScopeInput;
  /** Metric of the prefix route (IFA_RT_PRIORITY). */
  metric?: number;
  /** Who adds the address (IFA_PROTO). */
  proto?: keyof typeof IFAPROT | number;
  /** Flags to set (IFA_F_*): names, or the raw bits. */
  flags?: readonly SettableAddressFlag[] | number;
  /** Valid lifetime in seconds (IFA_CACHEINFO); default forever. */
  validLft?: Lifetime;
  /** Preferred lifetime in seconds (IFA_CACHEINFO); default forever. */
  preferredLft?: Lifetime;
}

/**
 * What to do with an address: `add` (NLM_F_CREATE | NLM_F_EXCL), `change` (NLM_F_REPLACE: the
 * address must exist), `replace` (NLM_F_CREATE | NLM_F_REPLACE) or `delete`.
 */
export type AddressCommand = 'add' | 'change' | 'replace' | 'delete';

const KEYS = new Set([
  'dev',
  'address',
  'peer',
  'broadcast',
  'anycast',
  'label',
  'scope',
  'metric',
  'proto',
  'flags',
  'validLft',
  'preferredLft',
]);

function bad(path: string, message: string): NetlinkEncodeError {
  return new NetlinkEncodeError('BAD_VALUE', message, path);
}

function scopeOf(x: ScopeInput, path: string): number {
  if (typeof x === 'number') return checkInt(x, path, 0, 255);
  if (x === 'global') return RT_SCOPE.universe;
  if (typeof x === 'string' && Object.hasOwn(RT_SCOPE, x)) return RT_SCOPE[x];
  throw bad(
    path,
    `expected one of global, ${Object.keys(RT_SCOPE).join(', ')} or 0..255, got ${String(x)}`,
  );
}

function flagsOf(x: unknown, family: InetFamily, path: string): number {
  if (typeof x === 'number') return checkInt(x, path);
  if (!Array.isArray(x)) throw bad(path, 'expected an array of flag names or a number');
  let bits = 0;
  for (const name of x) {
    if (!(SETTABLE_IFA_FLAGS as readonly unknown[]).includes(name)) {
      throw bad(
        path,
        `"${String(name)}" is not a flag one can set (${SETTABLE_IFA_FLAGS.join(', ')})`,
      );
    }
    if (IPV6_ONLY_FLAGS.has(name) && family !== AF_INET6) {
      throw bad(path, `${name} applies to IPv6 addresses only`);
    }
    bits |= IFA_F[name as SettableAddressFlag];
  }
  return bits >>> 0;
}

function lifetimeOf(x: Lifetime | undefined, path: string): number {
  if (x === undefined || x === 'forever') return INFINITY_LIFE_TIME;
  return checkInt(x, path);
}

/**
 * `ip addr add|change|replace|del PREFIX dev IFNAME …`: RTM_NEWADDR with NLM_F_CREATE |
 * NLM_F_EXCL (add), NLM_F_REPLACE (change) or NLM_F_CREATE | NLM_F_REPLACE (replace), or
 * RTM_DELADDR (delete). On delete, an IPv4
 * address given without a prefix length matches whatever length the address has (iproute2's
 * compatible wildcard: no IFA_ADDRESS is sent).
 *
 * @throws {NetlinkEncodeError} BAD_VALUE naming the field (`address.address`, `address.peer`,
 *   `address.label`, …) when the spec is not valid.
 */
export function addressRequest(command: AddressCommand, spec: AddressSpec): RequestMessage {
  const path = 'address';
  if (typeof spec !== 'object' || spec === null) throw bad(path, 'expected an address spec');
  for (const key of Object.keys(spec)) {
    if (!KEYS.has(key)) throw bad(`${path}.${key}`, `unknown address option "${key}"`);
  }
  const del = command === 'delete';
  if (!del && command !== 'add' && command !== 'change' && command !== 'replace') {
    throw bad(path, `unknown command ${String(command)}`);
  }
  const index = checkInt(spec.dev, `${path}.dev`, 1, 0x7fffffff);
  const local = parseInetPrefix(spec.address, `${path}.address`);
  const family = local.family;
  const peer = spec.peer === undefined ? undefined : parseInetPrefix(spec.peer, `${path}.peer`);
  if (peer && peer.family !== family) throw bad(`${path}.peer`, 'the peer is of another family');
  const w = new AttributeWriter(128);
  const at = w.zeros(8);
  let computedBroadcast: '+' | '-' | undefined;
  // The options in the order of the spec's keys, as iproute2 writes its arguments in order.
  for (const key of Object.keys(spec)) {
    const v = (spec as unknown as Record<string, unknown>)[key];
    if (v === undefined) continue;
    const here = `${path}.${key}`;
    switch (key) {
      case 'address':
        w.binary(IFA_LOCAL, local.bytes);
        break;
      case 'peer':
        w.binary(IFA_ADDRESS, peer!.bytes);
        break;
      case 'broadcast': {
        if (family !== AF_INET) throw bad(here, 'broadcast exists for IPv4 only');
        if (v === true || v === '+' || v === '-') {
          computedBroadcast = v === '-' ? '-' : '+';
          break;
        }
        const b = typeof v === 'string' ? parseIpv4(v) : undefined;
        if (!b) throw bad(here, `expected an IPv4 address, '+' or '-', got ${String(v)}`);
        w.binary(IFA_BROADCAST, b);
        break;
      }
      case 'anycast': {
        const a = parseInetAddress(v, here);
        if (a.family !== family)
          throw bad(here, `expected an address of the same family, got ${String(v)}`);
        w.binary(IFA_ANYCAST, a.bytes);
        break;
      }
      case 'label':
        if (family !== AF_INET) throw bad(here, 'labels exist on IPv4 addresses only');
        if (
          typeof v !== 'string' ||
          v === '' ||
          Buffer.byteLength(v) >= IFNAMSIZ ||
          v.includes('\0')
        ) {
          throw bad(here, `expected a label of 1..${IFNAMSIZ - 1} bytes, got ${String(v)}`);
        }
        w.string(IFA_LABEL, v);
        break;
      case 'metric':
        w.u32(IFA_RT_PRIORITY, checkInt(v, here));
        break;
      case 'proto': {
        const n =
          typeof v === 'number'
            ? checkInt(v, here, 0, 255)
            : typeof v === 'string' && Object.hasOwn(IFAPROT, v)
              ? IFAPROT[v as keyof typeof IFAPROT]
              : undefined;
        if (n === undefined)
          throw bad(here, `expected one of ${Object.keys(IFAPROT).join(', ')} or 0..255`);
        w.u8(IFA_PROTO, n);
        break;
      }
    }
  }
  const flags = spec.flags === undefined ? 0 : flagsOf(spec.flags, family, `${path}.flags`);
  if (flags > 0xff) w.u32(IFA_FLAGS, flags);
  // iproute2: without a peer, IFA_ADDRESS repeats the local address, except for the IPv4
  // wildcard delete (no prefix length given).
  const wildcard = del && family === AF_INET && !spec.address.includes('/');
  if (!peer && !wildcard) w.binary(IFA_ADDRESS, local.bytes);
  const prefixlen = peer ? peer.prefixLen : local.prefixLen;
  if (computedBroadcast && !del) {
    const base = peer ?? local;
    if (base.prefixLen <= 30) {
      // parseInetPrefix accepted it as IPv4.
      const b = parseIpv4(base.address)!;
      const host = base.prefixLen === 0 ? 0xffffffff : (0xffffffff >>> base.prefixLen) >>> 0;
      let v = ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;
      v = computedBroadcast === '+' ? (v | host) >>> 0 : (v & ~host) >>> 0;
      w.binary(IFA_BROADCAST, Buffer.of(v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff));
    }
  }
  if (spec.validLft !== undefined || spec.preferredLft !== undefined) {
    const valid = lifetimeOf(spec.validLft, `${path}.validLft`);
    const preferred = lifetimeOf(spec.preferredLft, `${path}.preferredLft`);
    if (valid === 0) throw bad(`${path}.validLft`, 'the valid lifetime is zero');
    if (valid < preferred)
      throw bad(`${path}.preferredLft`, 'the preferred lifetime is longer than the valid lifetime');
    const c = w.begin(IFA_CACHEINFO);
    w.rawU32(preferred);
    w.rawU32(valid);
    w.rawU32(0);
    w.rawU32(0);
    w.end(c);
  }
  let scope = 0;
  if (spec.scope !== undefined) scope = scopeOf(spec.scope, `${path}.scope`);
  else if (!del && family === AF_INET && local.address.startsWith('127.')) scope = RT_SCOPE.host;
  // struct ifaddrmsg: family, prefixlen, flags, scope, index.
  w.buf[at] = family;
  w.buf[at + 1] = prefixlen;
  w.buf[at + 2] = flags <= 0xff ? flags : 0;
  w.buf[at + 3] = scope;
  w.buf.writeUInt32LE(index, at + 4);
  const type = del ? RTM_DELADDR : RTM_NEWADDR;
  const nlFlags =
    command === 'add'
      ? NLM_F_CREATE | NLM_F_EXCL
      : command === 'replace'
        ? NLM_F_CREATE | NLM_F_REPLACE
        : command === 'change'
          ? NLM_F_REPLACE
          : 0;
  return { type, flags: NLM_F_REQUEST | NLM_F_ACK | nlFlags, payload: Buffer.from(w.bytes()) };
}

/** What the kernel can filter an address dump by (strict checking on). */
export interface AddressDumpFilter {
  /** AF_INET or AF_INET6; both when absent. */
  family?: InetFamily;
  /** Only addresses of this ifindex. */
  index?: number;
}

/** `ip [-4|-6] addr show [dev IFNAME]`: an RTM_GETADDR dump, family and ifindex in the header. */
export function addressDumpRequest(filter: AddressDumpFilter = {}): RequestMessage {
  const payload = Buffer.alloc(8);
  if (filter.family !== undefined) {
    if (filter.family !== AF_INET && filter.family !== AF_INET6)
      throw bad(
        'address.family',
        `expected 2 (AF_INET) or 10 (AF_INET6), got ${String(filter.family)}`,
      );
    payload[0] = filter.family;
  }
  if (filter.index !== undefined)
    payload.writeUInt32LE(checkInt(filter.index, 'address.dev', 1, 0x7fffffff), 4);
  return { type: RTM_GETADDR, flags: NLM_F_REQUEST | NLM_F_DUMP, payload };
}
