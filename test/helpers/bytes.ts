// An independent builder for expected bytes, written from the kernel's definitions in
// <linux/netlink.h>. It shares no code with src/: tests compare what the codec produces or reads
// against bytes made here, never against the codec's own writer.
//
// Integers are host order (little-endian on every platform netlink runs on for Node) unless the
// name says `be`. Every integer helper takes negative values too and writes them as two's
// complement, so `u32le(-1)` is ff ff ff ff (an s32 of -1).

/** Concatenate byte runs into one Buffer. */
export function cat(...parts: Uint8Array[]): Buffer {
  return Buffer.concat(parts);
}

/** `hex('0a 0b0c')` → 0a 0b 0c. Whitespace is ignored; anything else must be hex digit pairs. */
export function hex(text: string): Buffer {
  const digits = text.replace(/\s+/g, '');
  if (!/^([0-9a-fA-F]{2})*$/.test(digits)) throw new Error(`hex(): not hex pairs: ${text}`);
  return Buffer.from(digits, 'hex');
}

/** `n` zero bytes. */
export function zeros(n: number): Buffer {
  return Buffer.alloc(n);
}

export function u8(n: number): Buffer {
  return Buffer.of(n & 0xff);
}

export function u16le(n: number): Buffer {
  return Buffer.of(n & 0xff, (n >>> 8) & 0xff);
}

export function u32le(n: number): Buffer {
  return Buffer.of(n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff);
}

export function u64le(b: bigint): Buffer {
  const v = BigInt.asUintN(64, b);
  const out: number[] = [];
  for (let i = 0n; i < 8n; i++) out.push(Number((v >> (8n * i)) & 0xffn));
  return Buffer.from(out);
}

/** Network byte order (big-endian). */
export function be16(n: number): Buffer {
  return Buffer.of((n >>> 8) & 0xff, n & 0xff);
}

export function be32(n: number): Buffer {
  return Buffer.of((n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
}

/** UTF-8 bytes of `s` with a NUL terminator, as nla_put_string() writes them. */
export function str(s: string): Buffer {
  return cat(Buffer.from(s, 'utf8'), Buffer.of(0));
}

/** UTF-8 bytes of `s`, no terminator. */
export function utf8(s: string): Buffer {
  return Buffer.from(s, 'utf8');
}

/** NLA_ALIGN / NLMSG_ALIGN: round up to a multiple of 4. */
export function align4(n: number): number {
  return Math.ceil(n / 4) * 4;
}

/** NLA_F_NESTED, NLA_F_NET_BYTEORDER from <linux/netlink.h>. */
export const F_NESTED = 0x8000;
export const F_NET_BYTEORDER = 0x4000;

/**
 * struct nlattr { __u16 nla_len; __u16 nla_type; } + payload, padded with zeros to 4 bytes.
 * nla_len counts the 4-byte header and the payload, not the padding. `type` may carry the
 * NLA_F_* flag bits.
 */
export function nla(type: number, ...payload: Uint8Array[]): Buffer {
  const body = cat(...payload);
  const len = 4 + body.length;
  return cat(u16le(len), u16le(type), body, zeros(align4(len) - len));
}

/** A nested attribute: NLA_F_NESTED set, the payload a run of attributes. */
export function nest(type: number, ...attrs: Uint8Array[]): Buffer {
  return nla(type | F_NESTED, ...attrs);
}

export interface Header {
  type: number;
  flags?: number;
  seq?: number;
  pid?: number;
  /** Override nlmsg_len (to build malformed messages); default: 16 + payload length. */
  len?: number;
}

/** The 16-byte struct nlmsghdr alone. */
export function nlmsghdr(h: Header & { len: number }): Buffer {
  return cat(
    u32le(h.len),
    u16le(h.type),
    u16le(h.flags ?? 0),
    u32le(h.seq ?? 0),
    u32le(h.pid ?? 0),
  );
}

/**
 * struct nlmsghdr { __u32 nlmsg_len; __u16 nlmsg_type; __u16 nlmsg_flags; __u32 nlmsg_seq;
 * __u32 nlmsg_pid; } + payload, padded with zeros to 4 bytes (NLMSG_ALIGN). nlmsg_len counts
 * the header and the payload, not the trailing padding.
 */
export function nlmsg(h: Header, ...payload: Uint8Array[]): Buffer {
  const body = cat(...payload);
  const len = 16 + body.length;
  return cat(nlmsghdr({ ...h, len: h.len ?? len }), body, zeros(align4(len) - len));
}

/**
 * The text glibc's inet_ntop(3) prints for 16 IPv6 bytes (resolv/inet_ntop.c, inet_ntop6,
 * ported as written there), which iproute2 output follows: the first longest run of two or more
 * zero words becomes '::'; when that run is words 0..5 (IPv4-compatible) or words 0..4 with
 * word 5 = ffff (IPv4-mapped), the last 4 bytes are a dotted quad.
 */
export function inetNtop6(b: Uint8Array): string {
  const w = Array.from({ length: 8 }, (_, i) => b[2 * i]! * 256 + b[2 * i + 1]!);
  let base = -1;
  let len = 0;
  for (let i = 0; i < 8; ) {
    if (w[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && w[j] === 0) j++;
    if (j - i > len) {
      base = i;
      len = j - i;
    }
    i = j;
  }
  if (len < 2) base = -1;
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (base !== -1 && i >= base && i < base + len) {
      if (i === base) out += ':';
      continue;
    }
    if (i !== 0) out += ':';
    if (i === 6 && base === 0 && (len === 6 || (len === 5 && w[5] === 0xffff))) {
      return `${out}${b[12]}.${b[13]}.${b[14]}.${b[15]}`;
    }
    out += w[i]!.toString(16);
  }
  if (base !== -1 && base + len === 8) out += ':';
  return out;
}
