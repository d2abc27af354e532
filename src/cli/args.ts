// Argument helpers for the ip grammar: iproute2's prefix rule for keywords, a small cursor over
// the words of a command, and number / address / prefix parsers that accept what ip accepts
// (strtoul with base 0, ip's legacy "10.8" IPv4 form, dotted netmasks) and fail with ip's texts.
import type { CliFamily } from './context.js';
import { CliError, incomplete, invarg } from './errors.js';

/**
 * iproute2's keyword rule: `word` is a non-empty prefix of `keyword` (`matches("li", "link")`).
 * Note the sense: true when it matches (ip's C `matches()` returns 0 then).
 */
export function matches(word: string | undefined, keyword: string): boolean {
  return word !== undefined && word.length > 0 && keyword.startsWith(word);
}

/**
 * A cursor over the words of a command, used like ip's `argc/argv` loops:
 *
 * ```ts
 * const a = new Args(args);
 * while (!a.done) {
 *   const w = a.next();
 *   if (w === 'dev') dev = a.needValue();
 *   else if (matches(w, 'mtu')) mtu = parseU32(a.needValue(), 'Invalid "mtu" value');
 * }
 * ```
 */
export class Args {
  private readonly words: readonly string[];
  private pos: number;

  constructor(words: readonly string[], pos = 0) {
    this.words = words;
    this.pos = pos;
  }

  /** No word left. */
  get done(): boolean {
    return this.pos >= this.words.length;
  }

  /** Words not consumed yet. */
  get remaining(): number {
    return Math.max(0, this.words.length - this.pos);
  }

  /** The next word, without consuming it. */
  peek(offset = 0): string | undefined {
    return this.words[this.pos + offset];
  }

  /** Consume and return the next word (`undefined` at the end). */
  next(): string | undefined {
    const w = this.words[this.pos];
    if (w !== undefined) this.pos++;
    return w;
  }

  /** The index in the words of the word just consumed by next(). */
  get currentIndex(): number {
    return this.pos - 1;
  }

  /** The word just consumed by next() (ip's `*argv` inside the loop body). */
  get current(): string | undefined {
    return this.words[this.pos - 1];
  }

  /**
   * The value after a keyword (ip's NEXT_ARG()): consume and return the next word, or fail
   * with `Command line is not complete. Try option "help"` when there is none.
   */
  needValue(_name?: string): string {
    const w = this.next();
    if (w === undefined) throw incomplete();
    return w;
  }

  /** Consume the next word when it matches `keyword` by ip's prefix rule. */
  accept(keyword: string): boolean {
    if (!matches(this.peek(), keyword)) return false;
    this.pos++;
    return true;
  }

  /** Go back one word (to hand the word to another parser). */
  back(): void {
    if (this.pos > 0) this.pos--;
  }

  /** Everything not consumed yet; consumes it. */
  rest(): string[] {
    const r = this.words.slice(this.pos);
    this.pos = this.words.length;
    return r;
  }
}

// strtoul/strtoull with base 0 or a given base, as the C library reads it (leading blanks and a
// '+' allowed; '-' refused: ip's get_u* would wrap it into a huge value that the range check
// then refuses, except for u64 where it is a documented oddity we do not reproduce).
const BASE0 = /^[ \t\n\v\f\r]*\+?(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/;

const DECIMAL = /^[1-9][0-9]{0,14}$|^0$/;

function parseUnsignedBig(arg: string, base = 0): bigint | undefined {
  // Fast path: a plain decimal that a double holds exactly (the common case in batch files).
  if ((base === 0 || base === 10) && DECIMAL.test(arg)) return BigInt(Number(arg));
  if (base === 0) {
    const m = BASE0.exec(arg);
    if (!m) return undefined;
    const digits = m[1]!;
    if (/^0[xX]/.test(digits)) return BigInt(digits);
    if (digits.length > 1 && digits.startsWith('0')) return BigInt(`0o${digits.slice(1)}`);
    return BigInt(digits);
  }
  const t = arg.replace(/^[ \t\n\v\f\r]*\+?/, '');
  if (base === 16) {
    const h = t.replace(/^0[xX]/, '');
    return /^[0-9a-fA-F]+$/.test(h) ? BigInt(`0x${h}`) : undefined;
  }
  if (base === 10) return /^[0-9]+$/.test(t) ? BigInt(t) : undefined;
  if (base === 8) return /^[0-7]+$/.test(t) ? BigInt(`0o${t}`) : undefined;
  throw new RangeError(`base ${base} is not supported`);
}

/** ip's get_unsigned / get_u32: an unsigned 32-bit number, or undefined. */
export function getU32(arg: string, base = 0): number | undefined {
  if ((base === 0 || base === 10) && DECIMAL.test(arg)) {
    const n = Number(arg);
    return n <= 0xffffffff ? n : undefined;
  }
  const v = parseUnsignedBig(arg, base);
  return v !== undefined && v <= 0xffffffffn ? Number(v) : undefined;
}

/** ip's get_u16. */
export function getU16(arg: string, base = 0): number | undefined {
  const v = parseUnsignedBig(arg, base);
  return v !== undefined && v <= 0xffffn ? Number(v) : undefined;
}

/** ip's get_u8. */
export function getU8(arg: string, base = 0): number | undefined {
  const v = parseUnsignedBig(arg, base);
  return v !== undefined && v <= 0xffn ? Number(v) : undefined;
}

/** ip's get_u64, as a bigint. */
export function getU64(arg: string, base = 0): bigint | undefined {
  const v = parseUnsignedBig(arg, base);
  return v !== undefined && v <= 0xffffffffffffffffn ? v : undefined;
}

/** ip's get_integer / get_s32: a signed 32-bit number (base 0 by default), or undefined. */
export function getInteger(arg: string, base = 0): number | undefined {
  const m = /^[ \t\n\v\f\r]*([+-]?)(.*)$/.exec(arg);
  if (!m) return undefined;
  const mag = parseUnsignedBig(m[2]!, base);
  if (mag === undefined) return undefined;
  const v = m[1] === '-' ? -mag : mag;
  return v >= -0x80000000n && v <= 0x7fffffffn ? Number(v) : undefined;
}

/** getU32, or throw ip's invarg(msg, arg): `Error: argument "ARG" is wrong: MSG`. */
export function parseU32(arg: string, msg: string, base = 0): number {
  const v = getU32(arg, base);
  if (v === undefined) throw invarg(msg, arg);
  return v;
}

/** getU16, or throw invarg(msg, arg). */
export function parseU16(arg: string, msg: string, base = 0): number {
  const v = getU16(arg, base);
  if (v === undefined) throw invarg(msg, arg);
  return v;
}

/** getU8, or throw invarg(msg, arg). */
export function parseU8(arg: string, msg: string, base = 0): number {
  const v = getU8(arg, base);
  if (v === undefined) throw invarg(msg, arg);
  return v;
}

/** getU64, or throw invarg(msg, arg). */
export function parseU64(arg: string, msg: string, base = 0): bigint {
  const v = getU64(arg, base);
  if (v === undefined) throw invarg(msg, arg);
  return v;
}

/** getInteger, or throw invarg(msg, arg). */
export function parseInteger(arg: string, msg: string, base = 0): number {
  const v = getInteger(arg, base);
  if (v === undefined) throw invarg(msg, arg);
  return v;
}

/**
 * ip's parse_on_off: `on` / `off` by prefix, else
 * `Error: argument of "KEY" must be one of "off", "on", not "ARG"` (exit 255).
 */
export function parseOnOff(key: string, arg: string): boolean {
  return parseOneOf(key, arg, ['off', 'on']) === 1;
}

/** ip's parse_one_of: the index of the first of `list` that `arg` is a prefix of. */
export function parseOneOf(key: string, arg: string, list: readonly string[]): number {
  const i = list.findIndex((w) => matches(arg, w));
  if (i >= 0) return i;
  throw new CliError(
    `Error: argument of "${key}" must be one of ${list.map((w) => `"${w}", `).join('')}not "${arg}"`,
    255,
  );
}

/** An address or prefix as ip's get_addr_1 / get_prefix_1 read it. */
export interface InetPrefix {
  /** The family the text is in. */
  family: CliFamily;
  /** Canonical text of the address (`10.8` → `10.8.0.0`); '' for `default`/`any`/`all`. */
  address: string;
  /** Prefix length: given after '/', else the full length (0 for `default`/`any`/`all`). */
  prefixlen: number;
  /** A '/' length was given (or `default`, which ip marks so). */
  prefixSpecified: boolean;
  /** The word was `default`, `any` or `all`. */
  any: boolean;
  /** Which of the three words, when `any`. */
  keyword?: 'default' | 'any' | 'all';
  /**
   * inet_prefix.bytelen as ip sets it: 4 / 16 for an address; for `default` the family's length
   * (0 when no family was known: ip then sends no address at all), 0 for `any` / `all`.
   */
  bytelen: number;
}

/**
 * inet_pton(AF_INET6) acceptance: eight hex groups of 1–4 digits, one `::` standing for one or
 * more zero groups, an optional dotted IPv4 tail worth two groups. (node:net's isIPv6 would do,
 * but loading node:net costs start-up time the CLI does not want to pay.)
 */
export function isIPv6(text: string): boolean {
  const halves = text.split('::');
  if (halves.length > 2) return false;
  const groupsOf = (part: string, last: boolean): number | undefined => {
    if (part === '') return 0;
    const items = part.split(':');
    let n = 0;
    for (let i = 0; i < items.length; i++) {
      const g = items[i]!;
      if (last && i === items.length - 1 && g.includes('.')) {
        if (
          !/^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/.test(g)
        ) {
          return undefined;
        }
        n += 2;
      } else if (/^[0-9a-fA-F]{1,4}$/.test(g)) n += 1;
      else return undefined;
    }
    return n;
  };
  if (halves.length === 2) {
    const a = groupsOf(halves[0]!, false);
    const b = groupsOf(halves[1]!, true);
    return a !== undefined && b !== undefined && a + b <= 7;
  }
  return groupsOf(text, true) === 8;
}

// ip's get_addr_ipv4: up to four dot-separated strtoul(base 0) parts, each ≤ 255, missing
// trailing parts are zero ("10.8" is 10.8.0.0, not inet_aton's 10.0.0.8).
const DOTTED_QUAD =
  /^(?:(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])$/;

function parseIPv4(text: string): string | undefined {
  // Fast path: the canonical form is its own canonical text.
  if (DOTTED_QUAD.test(text)) return text;
  const parts = text.split('.');
  if (parts.length > 4) return undefined;
  const bytes = [0, 0, 0, 0];
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    const m = /^[ \t\n\v\f\r]*\+?(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)/.exec(p);
    if (!m || m[0].length !== p.length) return undefined;
    const v = parseUnsignedBig(p);
    if (v === undefined || v > 255n) return undefined;
    bytes[i] = Number(v);
  }
  return bytes.join('.');
}

function bitLength(family: CliFamily): number {
  if (family === 'inet') return 32;
  if (family === 'inet6') return 128;
  if (family === 'mpls') return 20;
  return 0;
}

/**
 * ip's get_addr_1: parse an address in `family` (undefined = any). Returns undefined when it is
 * not one. `default`/`any`/`all` give `any: true`.
 */
export function getAddr1(arg: string, family?: CliFamily): InetPrefix | undefined {
  if (arg === 'default' || arg === 'all' || arg === 'any') {
    if (family === 'mpls') return undefined;
    return {
      family: family ?? 'inet',
      address: '',
      prefixlen: -2,
      prefixSpecified: arg === 'default',
      any: true,
      keyword: arg,
      bytelen: arg === 'default' && family !== undefined ? bitLength(family) / 8 : 0,
    };
  }
  if (family === 'link') {
    const ll = getLladdr(arg);
    if (ll === undefined) return undefined;
    const bytes = ll.split(':').length;
    return {
      family: 'link',
      address: ll,
      prefixlen: bytes * 8,
      prefixSpecified: false,
      any: false,
      bytelen: bytes,
    };
  }
  if (arg.includes(':')) {
    if (family !== undefined && family !== 'inet6') return undefined;
    if (!isIPv6(arg)) return undefined;
    return {
      family: 'inet6',
      address: arg,
      prefixlen: -1,
      prefixSpecified: false,
      any: false,
      bytelen: 16,
    };
  }
  if (family === 'mpls') {
    if (!/^\d+(\/\d+)*$/.test(arg)) return undefined;
    return {
      family: 'mpls',
      address: arg,
      prefixlen: 20,
      prefixSpecified: false,
      any: false,
      bytelen: 4 * arg.split('/').length,
    };
  }
  if (family !== undefined && family !== 'inet') return undefined;
  const v4 = parseIPv4(arg);
  if (v4 === undefined) return undefined;
  return {
    family: 'inet',
    address: v4,
    prefixlen: -1,
    prefixSpecified: false,
    any: false,
    bytelen: 4,
  };
}

// ip's get_netmask: a plain number, or a dotted IPv4 netmask converted to its length.
function getNetmask(arg: string): number | undefined {
  const n = getU32(arg);
  if (n !== undefined) return n;
  const a = getAddr1(arg, 'inet');
  if (!a || a.any) return undefined;
  const v = a.address.split('.').reduce((acc, b) => acc * 256 + Number(b), 0) >>> 0;
  const host = ~v >>> 0;
  if ((host & (host + 1)) >>> 0 !== 0) return undefined;
  let bits = 0;
  for (let m = v; m !== 0; m = (m << 1) >>> 0) bits++;
  return bits;
}

/** ip's get_prefix_1: `ADDR[/LEN]` in `family`, or undefined. */
export function getPrefix1(arg: string, family?: CliFamily): InetPrefix | undefined {
  const slash = arg.indexOf('/');
  const addr = getAddr1(slash >= 0 ? arg.slice(0, slash) : arg, family);
  if (!addr) return undefined;
  const max = bitLength(addr.family);
  // addr is a fresh object: complete it in place.
  if (slash >= 0) {
    if (addr.any) return undefined;
    const plen = getNetmask(arg.slice(slash + 1));
    if (plen === undefined || plen > max) return undefined;
    addr.prefixlen = plen;
    addr.prefixSpecified = true;
    return addr;
  }
  addr.prefixlen = addr.any ? 0 : max;
  return addr;
}

/** The word ip's family_name_verbose gives a family in its error texts. */
function familyVerbose(family?: CliFamily): string {
  return family ?? 'any valid';
}

/**
 * ip's get_addr: an address or `Error: FAMILY address is expected rather than "ARG".`
 * (exit status 1).
 */
export function parseAddr(arg: string, family?: CliFamily): InetPrefix {
  const a = getAddr1(arg, family);
  if (!a) {
    throw new CliError(
      `Error: ${familyVerbose(family)} address is expected rather than "${arg}".`,
      1,
    );
  }
  return { ...a, prefixlen: a.any ? 0 : bitLength(a.family) };
}

/**
 * ip's get_prefix: a prefix or `Error: FAMILY prefix is expected rather than "ARG".`
 * (exit status 1).
 */
export function parsePrefix(arg: string, family?: CliFamily): InetPrefix {
  if (family === 'link') {
    throw new CliError(
      `Error: "${arg}" may be inet prefix, but it is not allowed in this context.`,
      1,
    );
  }
  const p = getPrefix1(arg, family);
  if (!p) {
    throw new CliError(
      `Error: ${familyVerbose(family)} prefix is expected rather than "${arg}".`,
      1,
    );
  }
  return p;
}

/** `ADDR/LEN` text of a parsed prefix (the library's form); `default` → `0.0.0.0/0` or `::/0`. */
export function prefixText(p: InetPrefix): string {
  if (p.any) return p.family === 'inet6' ? '::/0' : '0.0.0.0/0';
  return `${p.address}/${p.prefixlen}`;
}

/**
 * ip's ll_addr_a2n: a link-layer address as colon-separated hex bytes (`%x` each, ≤ 255), or a
 * dotted IPv4 address (for tunnels). Returns the lowercase two-digit form, or undefined.
 */
export function getLladdr(arg: string): string | undefined {
  if (arg.includes('.')) {
    const v4 = parseIPv4(arg);
    return v4 === undefined
      ? undefined
      : v4
          .split('.')
          .map((b) => Number(b).toString(16).padStart(2, '0'))
          .join(':');
  }
  const parts = arg.split(':');
  if (parts.length > 32) return undefined;
  const out: string[] = [];
  for (const p of parts) {
    const m = /^[ \t]*(?:0[xX])?([0-9a-fA-F]+)/.exec(p);
    if (!m) return undefined;
    const v = Number.parseInt(m[1]!, 16);
    if (v > 255) return undefined;
    out.push(v.toString(16).padStart(2, '0'));
  }
  return out.join(':');
}

/** getLladdr, or throw ip's `"ARG" is invalid lladdr.` (exit status 1). */
export function parseLladdr(arg: string): string {
  const v = getLladdr(arg);
  if (v === undefined) throw new CliError(`"${arg}" is invalid lladdr.`, 1);
  return v;
}

/** ip's check_ifname: 1–15 bytes, no '/', no blank. */
export function checkIfname(name: string): boolean {
  return (
    name.length > 0 && Buffer.byteLength(name) < 16 && !/[/\s]/.test(name) // IFNAMSIZ = 16
  );
}

/** ip's read_family: `inet`, `inet6`, `link`, `bridge`, `mpls` (and ip's aliases), or undefined. */
export function readFamily(name: string): CliFamily | undefined {
  switch (name) {
    case 'inet':
      return 'inet';
    case 'inet6':
      return 'inet6';
    case 'link':
      return 'link';
    case 'bridge':
      return 'bridge';
    case 'mpls':
      return 'mpls';
    default:
      return undefined;
  }
}
