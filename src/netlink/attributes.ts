// Attribute TLVs (struct nlattr): reader and writer. No I/O.
//
//   <-- NLA_HDRLEN --> <-- payload --> <- pad ->
//   | nla_len | nla_type |   data      | 0 0 0 |
//
// nla_len counts header + payload but not the padding that aligns the next attribute.
import { parseIp, parseLladdr } from './address.js';
import { NetlinkDecodeError, NetlinkEncodeError } from './errors.js';

/** NLA_ALIGNTO from <linux/netlink.h>. */
export const NLA_ALIGNTO = 4;
/** NLA_HDRLEN: sizeof(struct nlattr), already aligned. */
export const NLA_HDRLEN = 4;
/** NLA_F_NESTED: the payload is itself a run of attributes. */
export const NLA_F_NESTED = 0x8000;
/** NLA_F_NET_BYTEORDER: the payload is in network byte order. */
export const NLA_F_NET_BYTEORDER = 0x4000;
/** NLA_TYPE_MASK: the type bits once the two flags are masked off. */
export const NLA_TYPE_MASK = ~(NLA_F_NESTED | NLA_F_NET_BYTEORDER) & 0xffff;
/** The largest payload one attribute can carry: nla_len is a u16 that includes the header. */
export const NLA_MAX_PAYLOAD = 0xffff - NLA_HDRLEN;

/** NLA_ALIGN(len) */
export function nlaAlign(len: number): number {
  return (len + NLA_ALIGNTO - 1) & ~(NLA_ALIGNTO - 1);
}

/**
 * One attribute as found on the wire. `data` is a view into the message buffer (no copy); it
 * is built on first access so walking a dump costs one small object per attribute.
 */
export class RawAttribute {
  /** Attribute type with NLA_F_NESTED and NLA_F_NET_BYTEORDER masked off. */
  readonly type: number;
  /** The two flag bits as they were on the wire. */
  readonly flags: number;
  /** Buffer holding the attribute, and where its payload starts and how long it is. */
  readonly buffer: Uint8Array;
  readonly offset: number;
  readonly length: number;

  constructor(type: number, flags: number, buffer: Uint8Array, offset: number, length: number) {
    this.type = type;
    this.flags = flags;
    this.buffer = buffer;
    this.offset = offset;
    this.length = length;
  }

  /** True when NLA_F_NESTED was set. The kernel does not always set it on nests it emits. */
  get nested(): boolean {
    return (this.flags & NLA_F_NESTED) !== 0;
  }

  get netByteOrder(): boolean {
    return (this.flags & NLA_F_NET_BYTEORDER) !== 0;
  }

  /** The payload bytes, as a view into the original buffer. */
  get data(): Uint8Array {
    return this.buffer.subarray(this.offset, this.offset + this.length);
  }
}

/**
 * Walk a run of attributes from `start` to `end` of `buf`, calling `visit` with each one's type
 * (masked), flags, payload offset and payload length. Allocation-free; the fast path of dumps.
 *
 * Framing is checked as libmnl does (room for a header, nla_len ≥ header, nla_len ≤ what is
 * left); unlike libmnl, 1–3 bytes left over that cannot hold a header are an error, not the end.
 */
export function walkAttributes(
  buf: Uint8Array,
  start: number,
  end: number,
  visit: (type: number, flags: number, offset: number, length: number) => void,
  path = '',
  /** Added to the offsets errors report, so they count from the start of the caller's frame. */
  base = 0,
): void {
  let off = start;
  while (off < end) {
    if (end - off < NLA_HDRLEN) {
      throw new NetlinkDecodeError(
        'TRAILING_BYTES',
        `${end - off} bytes left after the last attribute, too few for a header`,
        base + off,
        path,
      );
    }
    const len = buf[off]! | (buf[off + 1]! << 8);
    const rawType = buf[off + 2]! | (buf[off + 3]! << 8);
    if (len < NLA_HDRLEN || len > end - off) {
      throw new NetlinkDecodeError(
        'BAD_ATTRIBUTE_LENGTH',
        `attribute type ${rawType & NLA_TYPE_MASK} has nla_len ${len} but ${end - off} bytes remain`,
        base + off,
        path,
      );
    }
    visit(rawType & NLA_TYPE_MASK, rawType & ~NLA_TYPE_MASK, off + NLA_HDRLEN, len - NLA_HDRLEN);
    // The last attribute of a run may omit its padding.
    off += nlaAlign(len);
  }
}

/** Parse a run of attributes into RawAttribute objects (payloads are views, not copies). */
export function parseAttributes(
  buf: Uint8Array,
  start = 0,
  end = buf.length,
  path = '',
): RawAttribute[] {
  const out: RawAttribute[] = [];
  walkAttributes(
    buf,
    start,
    end,
    (type, flags, offset, length) => {
      out.push(new RawAttribute(type, flags, buf, offset, length));
    },
    path,
  );
  return out;
}

/**
 * A growable writer of netlink bytes: message headers, fixed structs and attributes. Padding is
 * always zeroed (the kernel hashes and compares some payloads). Nests are back-patched, so
 * nobody computes a length by hand.
 */
export class AttributeWriter {
  buf: Buffer;
  pos = 0;
  #view: DataView;
  /** The attribute being written (`link.linkinfo.kind`), for error messages. */
  path = '';

  constructor(initialSize = 256) {
    this.buf = Buffer.alloc(initialSize);
    this.#view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
  }

  /** Make room for `n` more bytes. */
  reserve(n: number): void {
    const need = this.pos + n;
    if (need <= this.buf.length) return;
    let size = Math.max(this.buf.length * 2, 64);
    while (size < need) size *= 2;
    const next = Buffer.alloc(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
    this.#view = new DataView(next.buffer, next.byteOffset, next.byteLength);
  }

  /** The bytes written so far (a view; copy it before writing more if you keep it). */
  bytes(): Buffer {
    return this.buf.subarray(0, this.pos);
  }

  /** Forget what was written; keep the buffer. */
  reset(): void {
    this.pos = 0;
    this.path = '';
  }

  /** Zero-fill up to the next 4-byte boundary. */
  align(): void {
    const aligned = nlaAlign(this.pos);
    this.reserve(aligned - this.pos);
    while (this.pos < aligned) this.buf[this.pos++] = 0;
  }

  // Raw fixed-width writes (host order is little-endian on every platform Node supports for
  // netlink; the kernel uses host order for everything not flagged NET_BYTEORDER).
  rawU8(v: number): void {
    this.reserve(1);
    this.buf[this.pos++] = v;
  }
  rawU16(v: number): void {
    this.reserve(2);
    this.#view.setUint16(this.pos, v, true);
    this.pos += 2;
  }
  rawU32(v: number): void {
    this.reserve(4);
    this.#view.setUint32(this.pos, v, true);
    this.pos += 4;
  }
  rawBytes(data: Uint8Array): void {
    this.reserve(data.length);
    this.buf.set(data, this.pos);
    this.pos += data.length;
  }
  /** Write `n` zero bytes (a fixed header to be filled in place, or reserved fields). */
  zeros(n: number): number {
    this.reserve(n);
    const at = this.pos;
    const buf = this.buf;
    // A header's worth is quicker stored than through Buffer#fill and its argument checks.
    if (n <= 32) for (let i = at; i < at + n; i++) buf[i] = 0;
    else buf.fill(0, at, at + n);
    this.pos += n;
    return at;
  }

  /** Start an attribute: write a header with a length to patch; returns its offset. */
  begin(type: number, flags = 0): number {
    if (!Number.isInteger(type) || type < 0 || type > NLA_TYPE_MASK) {
      throw new NetlinkEncodeError(
        'BAD_TYPE',
        `attribute type ${type} is not in 0..${NLA_TYPE_MASK}`,
        this.path,
      );
    }
    this.align();
    const at = this.pos;
    this.reserve(NLA_HDRLEN);
    this.#view.setUint16(at + 2, type | flags, true);
    this.pos += NLA_HDRLEN;
    return at;
  }

  /** Finish the attribute begun at `at`: patch nla_len, pad. */
  end(at: number): void {
    const len = this.pos - at;
    if (len - NLA_HDRLEN > NLA_MAX_PAYLOAD) {
      throw new NetlinkEncodeError(
        'PAYLOAD_TOO_LARGE',
        `attribute payload of ${len - NLA_HDRLEN} bytes exceeds the ${NLA_MAX_PAYLOAD}-byte limit of nla_len`,
        this.path,
      );
    }
    this.#view.setUint16(at, len, true);
    this.align();
  }

  /** A nest (NLA_F_NESTED set): `fill` writes the inner attributes. */
  nest(type: number, fill: (w: this) => void, name?: string): this {
    const at = this.begin(type, NLA_F_NESTED);
    const outer = this.path;
    this.path = `${outer ? `${outer}.` : ''}${name ?? type}`;
    try {
      fill(this);
    } finally {
      this.path = outer;
    }
    this.end(at);
    return this;
  }

  #fixed(type: number, size: number, write: (view: DataView, at: number) => void, flags = 0): this {
    const at = this.begin(type, flags);
    this.reserve(size);
    write(this.#view, this.pos);
    this.pos += size;
    this.end(at);
    return this;
  }

  #int(name: string, v: number, min: number, max: number): void {
    if (!Number.isInteger(v) || v < min || v > max) {
      throw new NetlinkEncodeError(
        'OUT_OF_RANGE',
        `${name} value ${v} is not an integer in ${min}..${max}`,
        this.path,
      );
    }
  }

  u8(type: number, v: number): this {
    this.#int('u8', v, 0, 0xff);
    return this.#fixed(type, 1, (d, o) => d.setUint8(o, v));
  }
  u16(type: number, v: number): this {
    this.#int('u16', v, 0, 0xffff);
    return this.#fixed(type, 2, (d, o) => d.setUint16(o, v, true));
  }
  u32(type: number, v: number): this {
    this.#int('u32', v, 0, 0xffffffff);
    return this.#fixed(type, 4, (d, o) => d.setUint32(o, v, true));
  }
  u64(type: number, v: bigint): this {
    if (typeof v !== 'bigint' || v < 0n || v > 0xffffffffffffffffn) {
      throw new NetlinkEncodeError(
        'OUT_OF_RANGE',
        `u64 value ${String(v)} is not a bigint in 0..2^64-1`,
        this.path,
      );
    }
    return this.#fixed(type, 8, (d, o) => d.setBigUint64(o, v, true));
  }
  s8(type: number, v: number): this {
    this.#int('s8', v, -0x80, 0x7f);
    return this.#fixed(type, 1, (d, o) => d.setInt8(o, v));
  }
  s16(type: number, v: number): this {
    this.#int('s16', v, -0x8000, 0x7fff);
    return this.#fixed(type, 2, (d, o) => d.setInt16(o, v, true));
  }
  s32(type: number, v: number): this {
    this.#int('s32', v, -0x80000000, 0x7fffffff);
    return this.#fixed(type, 4, (d, o) => d.setInt32(o, v, true));
  }
  s64(type: number, v: bigint): this {
    if (typeof v !== 'bigint' || v < -(2n ** 63n) || v >= 2n ** 63n) {
      throw new NetlinkEncodeError(
        'OUT_OF_RANGE',
        `s64 value ${String(v)} is not a bigint in -2^63..2^63-1`,
        this.path,
      );
    }
    return this.#fixed(type, 8, (d, o) => d.setBigInt64(o, v, true));
  }
  /** A big-endian u16 (ports, VLAN protocols). The kernel does not expect NLA_F_NET_BYTEORDER on these. */
  be16(type: number, v: number, flags = 0): this {
    this.#int('be16', v, 0, 0xffff);
    return this.#fixed(type, 2, (d, o) => d.setUint16(o, v, false), flags);
  }
  be32(type: number, v: number, flags = 0): this {
    this.#int('be32', v, 0, 0xffffffff);
    return this.#fixed(type, 4, (d, o) => d.setUint32(o, v, false), flags);
  }
  /** A NUL-terminated string (NLA_NUL_STRING / NLA_STRING as the kernel emits them). */
  string(type: number, v: string): this {
    if (typeof v !== 'string') {
      throw new NetlinkEncodeError('BAD_STRING', `expected a string, got ${typeof v}`, this.path);
    }
    if (v.includes('\0')) {
      throw new NetlinkEncodeError('BAD_STRING', 'string contains a NUL byte', this.path);
    }
    const at = this.begin(type);
    const n = Buffer.byteLength(v);
    this.reserve(n + 1);
    this.buf.write(v, this.pos, 'utf8');
    this.pos += n;
    this.buf[this.pos++] = 0;
    this.end(at);
    return this;
  }
  binary(type: number, data: Uint8Array, flags = 0): this {
    const at = this.begin(type, flags);
    this.rawBytes(data);
    this.end(at);
    return this;
  }
  /** A flag attribute: present means true, no payload. */
  flag(type: number): this {
    this.end(this.begin(type));
    return this;
  }
  /** An IPv4 or IPv6 address given as text. */
  ipaddr(type: number, text: string): this {
    const bytes = typeof text === 'string' ? parseIp(text) : undefined;
    if (!bytes) {
      throw new NetlinkEncodeError(
        'BAD_ADDRESS',
        `"${String(text)}" is not an IPv4 or IPv6 address`,
        this.path,
      );
    }
    return this.binary(type, bytes);
  }
  /** A link-layer address given as colon-separated hex. */
  lladdr(type: number, text: string): this {
    const bytes = typeof text === 'string' ? parseLladdr(text) : undefined;
    if (!bytes) {
      throw new NetlinkEncodeError(
        'BAD_LLADDR',
        `"${String(text)}" is not a link-layer address (hex bytes separated by ':')`,
        this.path,
      );
    }
    return this.binary(type, bytes);
  }
}
