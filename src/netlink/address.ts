// Text forms of network and link-layer addresses, as iproute2 prints them. No I/O, no node:net:
// the codec must run from bytes alone, and node:net cannot turn an IPv6 string into bytes.

/** Format 4 or 16 bytes as inet_ntop(3) does (IPv4 dotted quad; RFC 5952 IPv6). */
export function formatIp(
  buf: Uint8Array,
  offset = 0,
  length = buf.length - offset,
): string | undefined {
  if (length === 4) {
    return `${buf[offset]}.${buf[offset + 1]}.${buf[offset + 2]}.${buf[offset + 3]}`;
  }
  if (length === 16) return formatIpv6(buf, offset);
  return undefined;
}

function formatIpv6(buf: Uint8Array, offset: number): string {
  const words: number[] = [];
  for (let i = 0; i < 8; i++) words.push((buf[offset + 2 * i]! << 8) | buf[offset + 2 * i + 1]!);
  // glibc's inet_ntop prints a dotted tail when the longest zero run is exactly words 0–5
  // (IPv4-compatible ::a.b.c.d: word 6 non-zero) or words 0–4 before 0xffff (IPv4-mapped
  // ::ffff:a.b.c.d); iproute2's output follows it. So `::2` stays hex.
  const zero5 =
    words[0] === 0 && words[1] === 0 && words[2] === 0 && words[3] === 0 && words[4] === 0;
  if (zero5 && (words[5] === 0xffff || (words[5] === 0 && words[6] !== 0))) {
    const tail = formatIp(buf, offset + 12, 4);
    return words[5] === 0xffff ? `::ffff:${tail}` : `::${tail}`;
  }
  // The longest run of two or more zero words becomes '::' (the first such run on a tie).
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = words.map((w) => w.toString(16));
  if (bestStart < 0) return hex.join(':');
  const head = hex.slice(0, bestStart).join(':');
  const tail = hex.slice(bestStart + bestLen).join(':');
  return `${head}::${tail}`;
}

/**
 * Parse an IPv4 dotted quad into 4 bytes, or undefined when it is not one. Like inet_pton(3):
 * exactly four decimal parts of 0..255, no leading zeros ("010" could mean octal elsewhere),
 * nothing else.
 */
export function parseIpv4(text: string): Uint8Array | undefined {
  const out = new Uint8Array(4);
  return ipv4Into(text, 0, text.length, out, 0) ? out : undefined;
}

/**
 * parseIpv4 of `text[from, to)`, written into `out[at, at + 4)`; false (out partly written)
 * when it is not a dotted quad.
 */
export function ipv4Into(
  text: string,
  from: number,
  to: number,
  out: Uint8Array,
  at: number,
): boolean {
  const n = to - from;
  if (n < 7 || n > 15) return false;
  let part = 0;
  let value = 0;
  let digits = 0;
  // One character at a time: the hot path of every route and address a caller names.
  for (let i = from; i <= to; i++) {
    const c = i < to ? text.charCodeAt(i) : 0x2e; // a '.' after the end closes the last part
    if (c === 0x2e) {
      if (digits === 0 || part > 3) return false;
      out[at + part++] = value;
      value = 0;
      digits = 0;
      continue;
    }
    const d = c - 0x30;
    if (d < 0 || d > 9 || (digits > 0 && value === 0)) return false;
    value = value * 10 + d;
    if (value > 255) return false;
    digits++;
  }
  return part === 4;
}

/**
 * `A.B.C.D/N` (N of one or two digits, at most 32) with the address written at `out[at]`:
 * returns N, or -1 for any other text. The canonical form only (a route script's usual shape):
 * anything else, valid or not, is left to a general parser.
 */
export function ipv4PrefixInto(text: string, out: Uint8Array, at: number): number {
  const slash = text.length - (text.charCodeAt(text.length - 3) === 0x2f ? 3 : 2);
  if (text.charCodeAt(slash) !== 0x2f) return -1;
  let len = 0;
  for (let i = slash + 1; i < text.length; i++) {
    const d = text.charCodeAt(i) - 0x30;
    if (d < 0 || d > 9) return -1;
    len = len * 10 + d;
  }
  if (len > 32 || (text.length - slash === 3 && len < 10)) return -1;
  return ipv4Into(text, 0, slash, out, at) ? len : -1;
}

/** Parse an IPv6 address (with an optional dotted IPv4 tail) into 16 bytes, or undefined. */
export function parseIpv6(text: string): Uint8Array | undefined {
  if (text.length < 2 || text.length > 45) return undefined;
  let tail: Uint8Array | undefined;
  let body = text;
  const lastColon = text.lastIndexOf(':');
  if (text.indexOf('.', lastColon) > 0) {
    tail = parseIpv4(text.slice(lastColon + 1));
    if (!tail) return undefined;
    body = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const halves = body.split('::');
  if (halves.length > 2) return undefined;
  const parseGroups = (s: string): number[] | undefined => {
    if (s === '') return [];
    const out: number[] = [];
    for (const g of s.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      out.push(Number.parseInt(g, 16));
    }
    return out;
  };
  const head = parseGroups(halves[0]!);
  const rest = halves.length === 2 ? parseGroups(halves[1]!) : [];
  if (!head || !rest) return undefined;
  const total = head.length + rest.length;
  if (halves.length === 2 ? total > 7 : total !== 8) return undefined;
  const words = [...head, ...new Array<number>(8 - total).fill(0), ...rest];
  const out = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    out[2 * i] = words[i]! >> 8;
    out[2 * i + 1] = words[i]! & 0xff;
  }
  if (tail) out.set(tail, 12);
  return out;
}

/** Parse an IPv4 or IPv6 address; undefined when it is neither. */
export function parseIp(text: string): Uint8Array | undefined {
  return text.includes(':') ? parseIpv6(text) : parseIpv4(text);
}

/** Format link-layer address bytes as lower-case colon-separated hex (`00:11:22:aa:bb:cc`). */
export function formatLladdr(buf: Uint8Array, offset = 0, length = buf.length - offset): string {
  let s = '';
  for (let i = 0; i < length; i++) {
    const b = buf[offset + i]!;
    s += (i ? ':' : '') + (b < 16 ? '0' : '') + b.toString(16);
  }
  return s;
}

/** Parse colon-separated hex bytes (any count from 1) into bytes; undefined when malformed. */
export function parseLladdr(text: string): Uint8Array | undefined {
  if (text === '') return undefined;
  const parts = text.split(':');
  const out = new Uint8Array(parts.length);
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    if (!/^[0-9a-fA-F]{1,2}$/.test(p)) return undefined;
    out[i] = Number.parseInt(p, 16);
  }
  return out;
}
