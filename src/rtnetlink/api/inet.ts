// Parsing and checking of the values users give the client: address and prefix text
// ('10.0.0.1/24', '2001:db8::/32'), integers, enum names and flag names. Shared by every API
// class so that every bad value is refused the same way, before anything is sent, naming its
// field (NetlinkEncodeError 'BAD_VALUE' with `path`).

import { parseIpv4, parseIpv6 } from '../../netlink/address.js';
import { NetlinkEncodeError } from '../../netlink/errors.js';

/** Address family numbers (AF_INET, AF_INET6). */
export type InetFamily = 2 | 10;

/** AF_INET */
export const AF_INET = 2;
/** AF_INET6 */
export const AF_INET6 = 10;

/** An address with its family, as {@link parseInetAddress} returns it. */
export interface InetAddress {
  family: InetFamily;
  /** The address as given (trimmed). */
  address: string;
  /** Its 4 or 16 bytes in network order. */
  bytes: Uint8Array;
}

/** An address with its prefix length, as {@link parseInetPrefix} returns it. */
export interface InetPrefix extends InetAddress {
  /** 0..32 for IPv4, 0..128 for IPv6; the full length when the text had no `/len`. */
  prefixLen: number;
}

function bad(path: string, message: string): NetlinkEncodeError {
  return new NetlinkEncodeError('BAD_VALUE', message, path);
}

/**
 * Family of an address text or of a parsed address: 10 (AF_INET6) when it contains ':',
 * 2 (AF_INET) otherwise. Does not validate; use {@link parseInetAddress} for that.
 */
export function familyOf(x: string | { family: InetFamily }): InetFamily {
  if (typeof x === 'string') return x.includes(':') ? AF_INET6 : AF_INET;
  return x.family;
}

/**
 * Parse an IPv4 or IPv6 address ('192.0.2.1', '2001:db8::1'). Throws NetlinkEncodeError
 * 'BAD_VALUE' naming `path` when the text is not an address.
 */
export function parseInetAddress(text: unknown, path: string): InetAddress {
  if (typeof text !== 'string')
    throw bad(path, `expected an IP address string, got ${typeof text}`);
  const address = text.trim();
  const family = familyOf(address);
  const bytes = family === AF_INET6 ? parseIpv6(address) : parseIpv4(address);
  if (!bytes) throw bad(path, `'${text}' is not an IPv4 or IPv6 address`);
  return { family, address, bytes };
}

/**
 * Parse an address with an optional prefix length ('10.0.0.1/24', '2001:db8::1/64'); a bare
 * address gets the full length (32 or 128). Rejects a length beyond the family's width, a
 * non-decimal length and bad address text with NetlinkEncodeError 'BAD_VALUE' naming `path`.
 */
export function parseInetPrefix(text: unknown, path: string): InetPrefix {
  if (typeof text !== 'string') throw bad(path, `expected an IP prefix string, got ${typeof text}`);
  const slash = text.indexOf('/');
  const { family, address, bytes } = parseInetAddress(
    slash < 0 ? text : text.slice(0, slash),
    path,
  );
  const max = family === AF_INET6 ? 128 : 32;
  if (slash < 0) return { family, address, bytes, prefixLen: max };
  const prefixLen = prefixLength(text, slash + 1);
  if (prefixLen < 0) throw bad(path, `'${text}' has a bad prefix length`);
  if (prefixLen > max) {
    throw bad(path, `prefix length ${prefixLen} is longer than ${max} in '${text}'`);
  }
  return { family, address, bytes, prefixLen };
}

/** The 1–3 decimal digits from `from` to the end (blanks around them allowed), or -1. */
function prefixLength(text: string, from: number): number {
  let i = from;
  let end = text.length;
  while (i < end && isBlank(text.charCodeAt(i))) i++;
  while (end > i && isBlank(text.charCodeAt(end - 1))) end--;
  if (end === i || end - i > 3) return -1;
  let n = 0;
  for (; i < end; i++) {
    const d = text.charCodeAt(i) - 0x30;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

/** The characters String.prototype.trim removes that a prefix length could carry. */
const isBlank = (c: number) => c === 0x20 || (c >= 0x09 && c <= 0x0d) || c === 0xa0;

/**
 * The address family a caller asked for: 'inet' / 'inet6' / 4 / 6 / 2 (AF_INET) / 10
 * (AF_INET6). Throws BAD_VALUE naming `path` for anything else.
 */
export function parseFamily(value: unknown, path: string): InetFamily {
  if (value === 'inet' || value === 4 || value === AF_INET) return AF_INET;
  if (value === 'inet6' || value === 6 || value === AF_INET6) return AF_INET6;
  throw bad(path, `expected 'inet' or 'inet6', got ${String(value)}`);
}

/** Check that `value` is an integer in 0..max; returns it. */
export function checkUint(value: unknown, max: number, path: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > max) {
    throw bad(path, `expected an integer in 0..${max}, got ${describe(value)}`);
  }
  return value;
}

/** Check that `value` is a u32; returns it. */
export function checkU32(value: unknown, path: string): number {
  return checkUint(value, 0xffffffff, path);
}

/**
 * The number of an enum value given by name (a key of `map`) or as a number in 0..max (values
 * rtnl has no name for are allowed as numbers).
 */
export function enumValue(
  map: Readonly<Record<string, number>>,
  value: unknown,
  max: number,
  path: string,
): number {
  if (typeof value === 'string') {
    if (Object.hasOwn(map, value)) return map[value]!;
    throw bad(path, `"${value}" is not one of ${Object.keys(map).join(', ')}`);
  }
  return checkUint(value, max, path);
}

/** The name of `n` in an enum map, or `n` itself when the map has no name for it. */
export function enumName<M extends Readonly<Record<string, number>>>(
  map: M,
  n: number,
): Extract<keyof M, string> | number {
  for (const k in map) if (map[k] === n) return k;
  return n;
}

/** Flag bits given as a list of names, a FlagSet (its raw value) or a number. */
export function flagsValue(
  map: Readonly<Record<string, number>>,
  value: unknown,
  max: number,
  path: string,
): number {
  if (Array.isArray(value)) {
    let n = 0;
    for (const name of value) {
      if (typeof name !== 'string' || !Object.hasOwn(map, name)) {
        throw bad(path, `"${String(name)}" is not one of ${Object.keys(map).join(', ')}`);
      }
      n = (n | map[name]!) >>> 0;
    }
    return n;
  }
  if (typeof value === 'object' && value !== null && 'raw' in value) {
    return checkUint((value as { raw: unknown }).raw, max, path);
  }
  return checkUint(value, max, path);
}

/** A FlagSet (known names plus every raw bit) of `raw` under `map`. */
export function flagSetOf<M extends Readonly<Record<string, number>>>(
  map: M,
  raw: number,
): { names: Extract<keyof M, string>[]; raw: number } {
  const names: Extract<keyof M, string>[] = [];
  for (const k in map) {
    const bit = map[k]!;
    if (bit !== 0 && (raw & bit) >>> 0 === bit) names.push(k);
  }
  return { names, raw };
}

function describe(value: unknown): string {
  if (typeof value === 'string') return `"${value}"`;
  if (typeof value === 'bigint') return `${value}n`;
  return String(value);
}

/** A network device as a caller names it: its ifindex, or its name. */
export type DevRef = string | number;

/** IFNAMSIZ - 1: the longest interface name the kernel takes. */
const IFNAME_MAX = 15;

/**
 * Check a device reference: a positive ifindex, or a name of 1..15 bytes without '/', ':'
 * and whitespace (what the kernel's dev_valid_name takes). Returns it.
 */
export function checkDevRef(value: unknown, path: string): DevRef {
  if (typeof value === 'number') {
    if (Number.isInteger(value) && value > 0 && value <= 0x7fffffff) return value;
    throw bad(path, `expected an ifindex (a positive integer) or a name, got ${describe(value)}`);
  }
  if (typeof value !== 'string') {
    throw bad(path, `expected a device name or ifindex, got ${typeof value}`);
  }
  if (value === '' || value === '.' || value === '..' || /[/:\s]/.test(value)) {
    throw bad(path, `"${value}" is not a valid device name`);
  }
  if (Buffer.byteLength(value) > IFNAME_MAX) {
    throw bad(path, `device name "${value}" is longer than ${IFNAME_MAX} bytes`);
  }
  return value;
}
