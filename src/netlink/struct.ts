// Fixed C structs, declared with buffer-layout (one declaration per struct, field names as in the
// kernel header) and compiled once into plain offset reads, so decoding a header in a dump loop
// costs a few property stores rather than buffer-layout's generic walk.
import { createRequire } from 'node:module';
import type BufferLayoutModule from 'buffer-layout';
import type { Layout, Structure } from 'buffer-layout';
import { NetlinkDecodeError, NetlinkEncodeError } from './errors.js';

// buffer-layout is CommonJS. Loaded through require rather than an ES import: an ES import of a
// CommonJS module makes Node scan its source for named exports (cjs-module-lexer), which
// measured ≈30 ms here, a third of the CLI's start-up; require costs ≈1 ms. The ESM build (and
// vitest) make a require from their own URL; the CJS build, where esbuild empties import.meta,
// has its own `require` (esbuild's ESM shim for a bare `require` throws, so it is not used there).
const BufferLayout: typeof BufferLayoutModule = (
  import.meta.url ? createRequire(import.meta.url) : require
)('buffer-layout');

/** A u64 in host (little-endian) order, decoded as bigint (buffer-layout's nu64 loses bits). */
class U64 extends BufferLayout.Layout {
  readonly signed: boolean;
  constructor(signed: boolean, property?: string) {
    super(8, property);
    this.signed = signed;
  }
  override decode(b: Uint8Array, offset = 0): bigint {
    const buf = asBuffer(b);
    return this.signed ? buf.readBigInt64LE(offset) : buf.readBigUInt64LE(offset);
  }
  override encode(src: unknown, b: Uint8Array, offset = 0): number {
    const buf = asBuffer(b);
    if (this.signed) buf.writeBigInt64LE(src as bigint, offset);
    else buf.writeBigUInt64LE(src as bigint, offset);
    return 8;
  }
}

export const { u8, u16, u32, s8, s16, s32, u16be, u32be, blob, struct } = BufferLayout;
export const u64 = (property?: string): Layout => new U64(false, property);
export const s64 = (property?: string): Layout => new U64(true, property);

export function asBuffer(b: Uint8Array): Buffer {
  return Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength);
}

type FieldKind =
  | 'u8'
  | 'u16'
  | 'u32'
  | 's8'
  | 's16'
  | 's32'
  | 'be16'
  | 'be32'
  | 'u64'
  | 's64'
  | 'bytes';

/** One field of a compiled struct. */
export interface StructField {
  readonly name: string;
  readonly offset: number;
  readonly size: number;
  readonly kind: FieldKind;
}

function fieldKind(layout: Layout): FieldKind {
  if (layout instanceof U64) return layout.signed ? 's64' : 'u64';
  const s = layout.span;
  if (layout instanceof BufferLayout.UInt && (s === 1 || s === 2 || s === 4)) {
    return s === 1 ? 'u8' : s === 2 ? 'u16' : 'u32';
  }
  if (layout instanceof BufferLayout.Int && (s === 1 || s === 2 || s === 4)) {
    return s === 1 ? 's8' : s === 2 ? 's16' : 's32';
  }
  if (layout instanceof BufferLayout.UIntBE && (s === 2 || s === 4))
    return s === 2 ? 'be16' : 'be32';
  if (layout instanceof BufferLayout.Blob) return 'bytes';
  throw new TypeError(
    `struct field ${layout.property ?? '?'}: unsupported layout ${layout.constructor.name}`,
  );
}

function readField(buf: Buffer, off: number, f: StructField): number | bigint | Uint8Array {
  switch (f.kind) {
    case 'u8':
      return buf[off]!;
    case 'u16':
      return buf.readUInt16LE(off);
    case 'u32':
      return buf.readUInt32LE(off);
    case 's8':
      return buf.readInt8(off);
    case 's16':
      return buf.readInt16LE(off);
    case 's32':
      return buf.readInt32LE(off);
    case 'be16':
      return buf.readUInt16BE(off);
    case 'be32':
      return buf.readUInt32BE(off);
    case 'u64':
      return buf.readBigUInt64LE(off);
    case 's64':
      return buf.readBigInt64LE(off);
    case 'bytes':
      return Uint8Array.prototype.slice.call(buf, off, off + f.size);
  }
}

const RANGES: Record<string, [number, number]> = {
  u8: [0, 0xff],
  u16: [0, 0xffff],
  u32: [0, 0xffffffff],
  s8: [-0x80, 0x7f],
  s16: [-0x8000, 0x7fff],
  s32: [-0x80000000, 0x7fffffff],
  be16: [0, 0xffff],
  be32: [0, 0xffffffff],
};

function writeField(buf: Buffer, off: number, f: StructField, v: unknown, where: string): void {
  if (f.kind === 'bytes') {
    if (!(v instanceof Uint8Array) || v.length !== f.size) {
      throw new NetlinkEncodeError('BAD_VALUE', `${f.name} needs ${f.size} bytes`, where);
    }
    buf.set(v, off);
    return;
  }
  if (f.kind === 'u64' || f.kind === 's64') {
    if (typeof v !== 'bigint')
      throw new NetlinkEncodeError('BAD_VALUE', `${f.name} must be a bigint`, where);
    const ok = f.kind === 'u64' ? v >= 0n && v < 2n ** 64n : v >= -(2n ** 63n) && v < 2n ** 63n;
    if (!ok)
      throw new NetlinkEncodeError(
        'OUT_OF_RANGE',
        `${f.name} value ${v} is out of range for ${f.kind}`,
        where,
      );
    if (f.kind === 'u64') buf.writeBigUInt64LE(v, off);
    else buf.writeBigInt64LE(v, off);
    return;
  }
  const [min, max] = RANGES[f.kind]!;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new NetlinkEncodeError(
      'OUT_OF_RANGE',
      `${f.name} value ${String(v)} is not an integer in ${min}..${max}`,
      where,
    );
  }
  switch (f.kind) {
    case 'u8':
      buf[off] = v;
      break;
    case 's8':
      buf.writeInt8(v, off);
      break;
    case 'u16':
      buf.writeUInt16LE(v, off);
      break;
    case 's16':
      buf.writeInt16LE(v, off);
      break;
    case 'u32':
      buf.writeUInt32LE(v, off);
      break;
    case 's32':
      buf.writeInt32LE(v, off);
      break;
    case 'be16':
      buf.writeUInt16BE(v, off);
      break;
    case 'be32':
      buf.writeUInt32BE(v, off);
      break;
  }
}

/** A compiled fixed struct: decode from bytes, encode into bytes. */
export interface StructDef<T extends object> {
  /** The kernel's name for it (`ifinfomsg`). */
  readonly name: string;
  /** sizeof() in the newest layout we know. */
  readonly size: number;
  /** The shortest length older kernels emit; decode accepts anything from here to `size`. */
  readonly minSize: number;
  readonly layout: Structure;
  readonly fields: readonly StructField[];
  /**
   * Decode from `buf` at `offset`. `available` bytes may be fewer than `size` for a struct
   * that grew across kernels (down to `minSize`): fields past the end are then absent.
   */
  decode(buf: Uint8Array, offset?: number, available?: number, path?: string): T;
  /** Write all fields (absent ones as zero) into `buf` at `offset`; returns `size`. */
  encodeInto(value: Partial<T>, buf: Uint8Array, offset?: number, path?: string): number;
  /** Encode into a fresh buffer of `size` bytes. */
  encode(value: Partial<T>, path?: string): Buffer;
}

/**
 * Compile a buffer-layout structure. Fields whose name starts with `_` are padding: never
 * decoded, always written as zeros.
 */
export function defineStruct<T extends object>(
  layout: Structure,
  options: { minSize?: number } = {},
): StructDef<T> {
  const fields: StructField[] = [];
  let offset = 0;
  for (const f of layout.fields) {
    if (!f.property) throw new TypeError(`struct ${layout.property}: a field has no name`);
    fields.push({ name: f.property, offset, size: f.span, kind: fieldKind(f) });
    offset += f.span;
  }
  const name = layout.property ?? 'struct';
  const size = layout.span;
  const minSize = options.minSize ?? size;
  const visible = fields.filter((f) => !f.name.startsWith('_'));

  return {
    name,
    size,
    minSize,
    layout,
    fields,
    decode(b, off = 0, available = size, path = name) {
      const buf = asBuffer(b);
      const have = Math.min(available, size);
      if (have < minSize || off + have > buf.length) {
        throw new NetlinkDecodeError(
          'BAD_PAYLOAD_SIZE',
          `struct ${name} needs ${minSize === size ? size : `${minSize}..${size}`} bytes, got ${Math.min(available, buf.length - off)}`,
          off,
          path,
        );
      }
      const out: Record<string, unknown> = {};
      for (const f of visible) {
        if (f.offset + f.size > have) break;
        out[f.name] = readField(buf, off + f.offset, f);
      }
      return out as T;
    },
    encodeInto(value, b, off = 0, path = name) {
      const buf = asBuffer(b);
      buf.fill(0, off, off + size);
      const v = value as Record<string, unknown>;
      for (const f of visible) {
        const x = v[f.name];
        if (x !== undefined) writeField(buf, off + f.offset, f, x, `${path}.${f.name}`);
      }
      return size;
    },
    encode(value, path = name) {
      const buf = Buffer.alloc(size);
      this.encodeInto(value, buf, 0, path);
      return buf;
    },
  };
}
