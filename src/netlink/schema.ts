// The declarative attribute schema. One declaration per attribute set (numbers explicit, never
// positional) gives the decoder, the encoder, the TypeScript types, byte annotations for
// fixtures and the protocol reference. No I/O.
import { formatIp, formatLladdr } from './address.js';
import {
  type AttributeWriter,
  NLA_F_NESTED,
  NLA_HDRLEN,
  RawAttribute,
  walkAttributes,
} from './attributes.js';
import { NetlinkDecodeError, NetlinkEncodeError } from './errors.js';
import { NLMSG_HDRLEN } from './message.js';
import { asBuffer, type StructDef } from './struct.js';

export type IntKind = 'u8' | 'u16' | 'u32' | 's8' | 's16' | 's32' | 'be16' | 'be32';
export type BigKind = 'u64' | 's64';

interface Common {
  /** Attribute number (explicit; never derived from declaration order). */
  readonly type: number;
  /** The kernel's constant, e.g. `IFLA_MTU`. */
  readonly c?: string;
  /** One line for the protocol reference. */
  readonly doc?: string;
  /** The attribute may repeat; its values are collected into an array in wire order. */
  readonly multi?: boolean;
}

/** What a value is, without its attribute number (also the item of an indexed array). */
export type ValueSpec =
  | {
      readonly kind: IntKind;
      readonly enum?: Readonly<Record<string, number>>;
      readonly flags?: Readonly<Record<string, number>>;
    }
  | { readonly kind: BigKind }
  | { readonly kind: 'string' | 'binary' | 'flag' | 'ipaddr' | 'lladdr' }
  // biome-ignore lint/suspicious/noExplicitAny: a struct of any shape
  | { readonly kind: 'struct'; readonly struct: StructDef<any> }
  // biome-ignore lint/suspicious/noExplicitAny: sets reference each other
  | { readonly kind: 'nested'; readonly set: AttributeSet<any> }
  | { readonly kind: 'indexed'; readonly item: ValueSpec }
  | {
      readonly kind: 'submessage';
      readonly selector: string;
      // biome-ignore lint/suspicious/noExplicitAny: sets reference each other
      readonly sets: Readonly<Record<string, AttributeSet<any>>>;
    }
  // A fixed struct followed by attributes inside one attribute (VETH_INFO_PEER: an ifinfomsg and
  // IFLA_* attributes). Decodes to `{ header, attributes }`.
  // biome-ignore lint/suspicious/noExplicitAny: messages reference each other
  | { readonly kind: 'message'; readonly message: MessageSchema<any, any> }
  // A payload with its own layout that is neither a struct nor attributes (RTA_VIA's family +
  // address, RTA_MULTIPATH's run of rtnexthops): the codec decodes and encodes it.
  // biome-ignore lint/suspicious/noExplicitAny: codecs of any value
  | { readonly kind: 'custom'; readonly codec: CustomCodec<any, any> };

/**
 * The codec of a `custom` attribute. `decode` gets the attribute's payload bytes (`buf[off,
 * off+len)`) and throws {@link NetlinkDecodeError} (with `path`) on bad bytes; `encode` returns
 * the payload for a value and throws {@link NetlinkEncodeError} (with `path`) on a bad value.
 */
export interface CustomCodec<T, I = T> {
  /** What the value is, for the protocol reference (e.g. `struct rtvia`). */
  readonly name: string;
  decode(buf: Buffer, off: number, len: number, path: string): T;
  encode(value: I, path: string): Uint8Array;
  /** The payload's nested attributes, for fixture annotations (optional). */
  annotate?(buf: Buffer, off: number, len: number, path: string, depth: number): Annotation[];
}

export type AttrSpec = Common & ValueSpec;
export type AttrSpecs = Readonly<Record<string, AttrSpec>>;

/** A bit set read from the wire: the names of the known bits, and the raw value with every bit. */
export interface FlagSet<N extends string = string> {
  names: N[];
  raw: number;
}

/** An attribute the schema does not know, kept so it re-encodes byte for byte. */
export interface UnknownAttribute {
  type: number;
  /** NLA_F_NESTED / NLA_F_NET_BYTEORDER bits as found. */
  flags: number;
  data: Uint8Array;
}

type EnumNames<E> = Extract<keyof E, string>;

/** The decoded value of a spec. */
export type ValueOf<S> = S extends { kind: 'nested'; set: AttributeSet<infer B> }
  ? Decoded<B>
  : S extends { kind: 'message'; message: MessageSchema<infer H, infer B> }
    ? { header: H; attributes: Decoded<B> }
    : S extends { kind: 'custom'; codec: CustomCodec<infer T, infer _I> }
      ? T
      : S extends { kind: 'submessage'; sets: infer M }
        ?
            | { [K in keyof M]: M[K] extends AttributeSet<infer B> ? Decoded<B> : never }[keyof M]
            | Uint8Array
        : S extends { kind: 'struct'; struct: StructDef<infer T> }
          ? T
          : S extends { kind: 'indexed'; item: infer I }
            ? ValueOf<I>[]
            : S extends { enum: infer E }
              ? EnumNames<E> | number
              : S extends { flags: infer F }
                ? FlagSet<EnumNames<F>>
                : S extends { kind: BigKind }
                  ? bigint
                  : S extends { kind: IntKind }
                    ? number
                    : S extends { kind: 'string' | 'ipaddr' | 'lladdr' }
                      ? string
                      : S extends { kind: 'flag' }
                        ? true
                        : Uint8Array;

/** The value a caller may give to the encoder for a spec. */
export type InputOf<S> = S extends { kind: 'nested'; set: AttributeSet<infer B> }
  ? Input<B>
  : S extends { kind: 'message'; message: MessageSchema<infer H, infer B> }
    ? { header?: Partial<H>; attributes?: Input<B> }
    : S extends { kind: 'custom'; codec: CustomCodec<infer _T, infer I> }
      ? I
      : S extends { kind: 'submessage'; sets: infer M }
        ?
            | { [K in keyof M]: M[K] extends AttributeSet<infer B> ? Input<B> : never }[keyof M]
            | Uint8Array
        : S extends { kind: 'struct'; struct: StructDef<infer T> }
          ? Partial<T>
          : S extends { kind: 'indexed'; item: infer I }
            ? InputOf<I>[]
            : S extends { enum: infer E }
              ? EnumNames<E> | number
              : S extends { flags: infer F }
                ? FlagSet<EnumNames<F>> | EnumNames<F>[] | number
                : S extends { kind: BigKind }
                  ? bigint
                  : S extends { kind: IntKind }
                    ? number
                    : S extends { kind: 'string' | 'ipaddr' | 'lladdr' }
                      ? string
                      : S extends { kind: 'flag' }
                        ? boolean
                        : Uint8Array;

type Many<S, V> = S extends { multi: true } ? V[] : V;

/** Decoded attributes of a set: absent attributes are absent keys; 0 and '' are real values. */
export type Decoded<A> = { -readonly [K in keyof A]?: Many<A[K], ValueOf<A[K]>> } & {
  unknown?: UnknownAttribute[];
};
/** What the encoder takes for a set. */
export type Input<A> = { -readonly [K in keyof A]?: Many<A[K], InputOf<A[K]>> } & {
  unknown?: UnknownAttribute[];
};

// Decoded objects remember the wire order of their attributes (keys, and indexes into
// `unknown`) so that encode(decode(bytes)) reproduces the bytes exactly even when unknown
// attributes sit between known ones. Non-enumerable: invisible to JSON and deep equality.
const WIRE_ORDER = Symbol('rtnl.wireOrder');
// Structs that came shorter than the newest layout re-encode at the length they came.
const WIRE_SIZE = Symbol('rtnl.wireSize');
// Structs that came longer than the newest layout (a newer kernel) keep the bytes we do not know.
const WIRE_TAIL = Symbol('rtnl.wireTail');
// Indexed arrays remember their first index (0 or 1: both exist in the kernel).
const INDEX_BASE = Symbol('rtnl.indexBase');
// Strings whose payload is not exactly `text + NUL` (no terminator, or NUL padding) keep their
// bytes, per attribute and value, so they re-encode as they came.
const RAW_STRINGS = Symbol('rtnl.rawStrings');
// Attributes whose NLA_F_NESTED / NLA_F_NET_BYTEORDER bits differ from what the encoder sets by
// default (iproute2 and older kernel code emit nests without NLA_F_NESTED) keep their bits.
const WIRE_FLAGS = Symbol('rtnl.wireFlags');
// Padding bytes that came non-zero (iproute2 builds lightweight-tunnel attributes in an
// uninitialised buffer), per attribute key, so they re-encode as they came.
const WIRE_PAD = Symbol('rtnl.wirePad');

const NESTING_KINDS = new Set(['nested', 'indexed', 'submessage']);
// A `message` attribute is a nest on the wire too (VETH_INFO_PEER is sent with NLA_F_NESTED by
// the kernel's own users; iproute2 omits it, which WIRE_FLAGS keeps).
NESTING_KINDS.add('message');

function defaultFlags(spec: ValueSpec): number {
  return NESTING_KINDS.has(spec.kind) ? NLA_F_NESTED : 0;
}

type WireEntry = string | number;

/** `obj[key]` only when `key` is the object's own (never `toString`, `__proto__`, …). */
function own<T>(obj: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(obj, key) ? obj[key] : undefined;
}

function hide(target: object, key: symbol, value: unknown): void {
  Object.defineProperty(target, key, {
    value,
    enumerable: false,
    writable: true,
    configurable: true,
  });
}

const INT_SIZE: Record<IntKind | BigKind, number> = {
  u8: 1,
  s8: 1,
  u16: 2,
  s16: 2,
  be16: 2,
  u32: 4,
  s32: 4,
  be32: 4,
  u64: 8,
  s64: 8,
};

function decodeInt(kind: IntKind, buf: Buffer, off: number): number {
  switch (kind) {
    case 'u8':
      return buf[off]!;
    case 's8':
      return buf.readInt8(off);
    case 'u16':
      return buf.readUInt16LE(off);
    case 's16':
      return buf.readInt16LE(off);
    case 'be16':
      return buf.readUInt16BE(off);
    case 'u32':
      return buf.readUInt32LE(off);
    case 's32':
      return buf.readInt32LE(off);
    case 'be32':
      return buf.readUInt32BE(off);
  }
}

/** A set of attributes, declared once. */
export class AttributeSet<A extends AttrSpecs = AttrSpecs> {
  readonly name: string;
  readonly attrs: A;
  readonly #byType = new Map<number, [string, AttrSpec]>();

  constructor(name: string, attrs: A) {
    this.name = name;
    this.attrs = attrs;
    for (const [key, spec] of Object.entries(attrs)) {
      if (key === 'unknown') throw new TypeError(`${name}: 'unknown' is reserved`);
      if (this.#byType.has(spec.type)) {
        throw new TypeError(
          `${name}: attribute ${key} reuses number ${spec.type} of ${this.#byType.get(spec.type)![0]}`,
        );
      }
      this.#byType.set(spec.type, [key, spec]);
    }
  }

  /** The key and spec of attribute number `type`, if declared. */
  lookup(type: number): [string, AttrSpec] | undefined {
    return this.#byType.get(type);
  }

  /** Decode the attributes in `buf[start, end)`. */
  decode(buf: Uint8Array, start = 0, end = buf.length, path = this.name): Decoded<A> {
    const b = asBuffer(buf);
    const raws: RawAttribute[] = [];
    walkAttributes(
      b,
      start,
      end,
      (type, flags, off, len) => raws.push(new RawAttribute(type, flags, b, off, len)),
      path,
    );
    return this.decodeRaw(b, raws, path, end);
  }

  /**
   * Decode attributes already split by walkAttributes/parseAttributes. With `end` (where the
   * run ends), non-zero padding after an attribute is remembered so it re-encodes exactly.
   */
  decodeRaw(
    buf: Buffer,
    raws: readonly RawAttribute[],
    path = this.name,
    end?: number,
  ): Decoded<A> {
    const out: Record<string, unknown> = {};
    const order: WireEntry[] = [];
    let unknown: UnknownAttribute[] | undefined;
    for (const raw of raws) {
      const hit = this.#byType.get(raw.type);
      if (!hit) {
        unknown ??= [];
        order.push(unknown.length);
        unknown.push({
          type: raw.type,
          flags: raw.flags,
          data: Uint8Array.prototype.slice.call(buf, raw.offset, raw.offset + raw.length),
        });
        continue;
      }
      const [key, spec] = hit;
      if (end !== undefined) {
        const from = raw.offset + raw.length;
        const to = Math.min(end, (from + 3) & ~3);
        for (let i = from; i < to; i++) {
          if (buf[i] === 0) continue;
          let pads = (out as { [WIRE_PAD]?: Record<string, Uint8Array> })[WIRE_PAD];
          if (!pads) {
            pads = {};
            hide(out, WIRE_PAD, pads);
          }
          pads[key] = Uint8Array.prototype.slice.call(buf, from, to);
          break;
        }
      }
      if (raw.flags !== defaultFlags(spec)) {
        let flags = (out as { [WIRE_FLAGS]?: Record<string, number> })[WIRE_FLAGS];
        if (!flags) {
          flags = {};
          hide(out, WIRE_FLAGS, flags);
        }
        flags[key] = raw.flags;
      }
      const value = decodeValue(spec, buf, raw.offset, raw.length, `${path}.${key}`, (sel) =>
        this.#selector(buf, raws, sel, path),
      );
      order.push(key);
      if (spec.kind === 'string') {
        const end = raw.offset + raw.length;
        // The kernel sends `text + NUL`; anything else is remembered so it re-encodes exactly.
        if (
          raw.length === 0 ||
          buf[end - 1] !== 0 ||
          Buffer.byteLength(value as string) !== raw.length - 1
        ) {
          let strings = (out as { [RAW_STRINGS]?: Map<string, Map<string, Uint8Array>> })[
            RAW_STRINGS
          ];
          if (!strings) {
            strings = new Map();
            hide(out, RAW_STRINGS, strings);
          }
          let byValue = strings.get(key);
          if (!byValue) {
            byValue = new Map();
            strings.set(key, byValue);
          }
          byValue.set(value as string, Uint8Array.prototype.slice.call(buf, raw.offset, end));
        }
      }
      if (spec.multi) {
        const list = out[key] as unknown[] | undefined;
        if (list) list.push(value);
        else out[key] = [value];
      } else {
        // A single attribute that repeats: nla_parse keeps the last one, and so do we (it then
        // re-encodes once, at its first position).
        out[key] = value;
      }
    }
    if (unknown) out.unknown = unknown;
    hide(out, WIRE_ORDER, order);
    return out as Decoded<A>;
  }

  #selector(buf: Buffer, raws: readonly RawAttribute[], selector: string, path: string): unknown {
    const spec = own(this.attrs, selector);
    if (!spec)
      throw new TypeError(
        `${this.name}: submessage selector ${selector} is not an attribute of the set`,
      );
    const raw = raws.find((r) => r.type === spec.type);
    if (!raw) return undefined;
    return decodeValue(spec, buf, raw.offset, raw.length, `${path}.${selector}`, () => undefined);
  }

  /** Encode `value` as attributes into `w`. */
  encode(w: AttributeWriter, value: Input<A>, path = this.name): void {
    if (typeof value !== 'object' || value === null) {
      throw new NetlinkEncodeError(
        'BAD_VALUE',
        `expected an object of ${this.name} attributes`,
        path,
      );
    }
    const v = value as Record<string, unknown>;
    for (const key of Object.keys(v)) {
      if (key !== 'unknown' && !Object.hasOwn(this.attrs, key)) {
        throw new NetlinkEncodeError(
          'UNKNOWN_ATTRIBUTE',
          `${this.name} has no attribute "${key}"`,
          path,
        );
      }
    }
    const unknown = v.unknown as UnknownAttribute[] | undefined;
    const order = (value as { [WIRE_ORDER]?: WireEntry[] })[WIRE_ORDER];
    const done = new Set<string>();
    const counts = new Map<string, number>();
    const emitted = new Set<number>();
    const emitUnknown = (u: UnknownAttribute, i: number) => {
      emitted.add(i);
      if (!(u.data instanceof Uint8Array) || !Number.isInteger(u.type)) {
        throw new NetlinkEncodeError(
          'BAD_VALUE',
          'an unknown attribute needs a numeric type and Uint8Array data',
          `${path}.unknown[${i}]`,
        );
      }
      w.binary(u.type, u.data, u.flags ?? 0);
    };
    if (order) {
      for (const entry of order) {
        if (typeof entry === 'number') {
          const u = unknown?.[entry];
          if (u) emitUnknown(u, entry);
          continue;
        }
        const spec = own(this.attrs, entry);
        const x = v[entry];
        if (!spec || x === undefined) continue;
        if (spec.multi && Array.isArray(x)) {
          const i = counts.get(entry) ?? 0;
          counts.set(entry, i + 1);
          if (i < x.length) this.#encodeOne(w, entry, spec, x[i], path, v);
          if (i + 1 >= x.length) done.add(entry);
        } else if (!done.has(entry)) {
          this.#encodeOne(w, entry, spec, x, path, v);
          done.add(entry);
        }
      }
    }
    for (const [key, x] of Object.entries(v)) {
      if (key === 'unknown' || done.has(key) || x === undefined) continue;
      const spec = this.attrs[key]!;
      if (spec.multi) {
        if (!Array.isArray(x))
          throw new NetlinkEncodeError(
            'BAD_VALUE',
            'expected an array (the attribute repeats)',
            `${path}.${key}`,
          );
        for (const item of x.slice(counts.get(key) ?? 0))
          this.#encodeOne(w, key, spec, item, path, v);
      } else {
        this.#encodeOne(w, key, spec, x, path, v);
      }
    }
    // Unknown attributes not placed by the wire order (all of them for a fresh object, or ones
    // added after decoding) go last.
    unknown?.forEach((u, i) => {
      if (!emitted.has(i)) emitUnknown(u, i);
    });
  }

  #encodeOne(
    w: AttributeWriter,
    key: string,
    spec: AttrSpec,
    x: unknown,
    setPath: string,
    parent: Record<string, unknown>,
  ): void {
    if (spec.kind === 'flag' && x === false) return;
    const path = `${setPath}.${key}`;
    const flags = (parent as { [WIRE_FLAGS]?: Record<string, number> })[WIRE_FLAGS]?.[key];
    w.align();
    const at = w.pos;
    const raw =
      spec.kind === 'string' && typeof x === 'string'
        ? (parent as { [RAW_STRINGS]?: Map<string, Map<string, Uint8Array>> })[RAW_STRINGS]
            ?.get(key)
            ?.get(x)
        : undefined;
    if (raw) w.binary(spec.type, raw);
    else encodeValue(w, spec.type, spec, x, path, (sel) => parent[sel]);
    // Restore padding that came non-zero, when the attribute re-encoded to the same length.
    const pad = (parent as { [WIRE_PAD]?: Record<string, Uint8Array> })[WIRE_PAD]?.[key];
    if (pad && w.buf.readUInt16LE(at) + pad.length === w.pos - at) {
      w.buf.set(pad, at + w.buf.readUInt16LE(at));
    }
    // Restore the flag bits the attribute came with (the header's type field).
    if (flags !== undefined) w.buf.writeUInt16LE(spec.type | flags, at + 2);
  }

  /**
   * Name the attribute at byte `offset` of `request` (counted from its nlmsghdr, as the
   * kernel's NLMSGERR_ATTR_OFFS is), descending through nests: e.g. `link.linkinfo.data(vxlan).id`.
   */
  pathAt(request: Uint8Array, fixedHeaderSize: number, offset: number): string | undefined {
    const buf = asBuffer(request);
    const start = NLMSG_HDRLEN + ((fixedHeaderSize + 3) & ~3);
    return locate(this, buf, start, buf.length, offset, this.name);
  }

  /** Describe every attribute of `buf[start, end)` for fixture comments and docs. */
  annotate(buf: Uint8Array, start = 0, end = buf.length): Annotation[] {
    const out: Annotation[] = [];
    annotateSet(this, asBuffer(buf), start, end, this.name, 0, out);
    return out;
  }
}

/** One line of a byte annotation. */
export interface Annotation {
  offset: number;
  length: number;
  depth: number;
  path: string;
  constant: string | undefined;
  kind: string;
  value: string;
}

function locate(
  set: AttributeSet,
  buf: Buffer,
  start: number,
  end: number,
  offset: number,
  path: string,
): string | undefined {
  let result: string | undefined;
  const raws: RawAttribute[] = [];
  try {
    walkAttributes(buf, start, end, (type, flags, off, len) =>
      raws.push(new RawAttribute(type, flags, buf, off, len)),
    );
  } catch {
    return undefined;
  }
  for (const raw of raws) {
    const hdr = raw.offset - NLA_HDRLEN;
    if (offset < hdr || offset >= raw.offset + Math.max(raw.length, 1)) continue;
    const hit = set.lookup(raw.type);
    const here = `${path}.${hit ? hit[0] : `#${raw.type}`}`;
    result = here;
    if (offset === hdr || !hit) break;
    const spec = hit[1];
    if (spec.kind === 'nested') {
      result = locate(spec.set, buf, raw.offset, raw.offset + raw.length, offset, here) ?? here;
    } else if (spec.kind === 'message') {
      const start = raw.offset + ((spec.message.header.size + 3) & ~3);
      result =
        offset < start
          ? `${here}.header`
          : (locate(spec.message.attributes, buf, start, raw.offset + raw.length, offset, here) ??
            here);
    } else if (spec.kind === 'submessage') {
      const selSpec = own(set.attrs, spec.selector);
      const selRaw = selSpec && raws.find((r) => r.type === selSpec.type);
      const selValue =
        selRaw && selSpec
          ? decodeValue(selSpec, buf, selRaw.offset, selRaw.length, '', () => undefined)
          : undefined;
      const sub = typeof selValue === 'string' ? own(spec.sets, selValue) : undefined;
      const named = `${here}(${String(selValue ?? '?')})`;
      result = sub
        ? (locate(sub, buf, raw.offset, raw.offset + raw.length, offset, named) ?? named)
        : named;
    }
    break;
  }
  return result;
}

function decodeValue(
  spec: ValueSpec,
  buf: Buffer,
  off: number,
  len: number,
  path: string,
  selector: (name: string) => unknown,
): unknown {
  switch (spec.kind) {
    case 'u8':
    case 'u16':
    case 'u32':
    case 's8':
    case 's16':
    case 's32':
    case 'be16':
    case 'be32': {
      const size = INT_SIZE[spec.kind];
      if (len !== size)
        throw new NetlinkDecodeError(
          'BAD_PAYLOAD_SIZE',
          `${spec.kind} needs ${size} bytes, got ${len}`,
          off,
          path,
        );
      const n = decodeInt(spec.kind, buf, off);
      if (spec.enum) return enumName(spec.enum, n);
      if (spec.flags) return flagSet(spec.flags, n);
      return n;
    }
    case 'u64':
    case 's64':
      if (len !== 8)
        throw new NetlinkDecodeError(
          'BAD_PAYLOAD_SIZE',
          `${spec.kind} needs 8 bytes, got ${len}`,
          off,
          path,
        );
      return spec.kind === 'u64' ? buf.readBigUInt64LE(off) : buf.readBigInt64LE(off);
    case 'string': {
      // C semantics: the text ends at the first NUL (the kernel may send a fixed char[] whole).
      const nul = buf.indexOf(0, off);
      return buf.toString('utf8', off, nul >= 0 && nul < off + len ? nul : off + len);
    }
    case 'binary':
      return Uint8Array.prototype.slice.call(buf, off, off + len);
    case 'flag':
      if (len !== 0)
        throw new NetlinkDecodeError(
          'BAD_PAYLOAD_SIZE',
          `a flag has no payload, got ${len} bytes`,
          off,
          path,
        );
      return true;
    case 'ipaddr': {
      const s = formatIp(buf, off, len);
      if (s === undefined)
        throw new NetlinkDecodeError(
          'BAD_PAYLOAD_SIZE',
          `an IP address has 4 or 16 bytes, got ${len}`,
          off,
          path,
        );
      return s;
    }
    case 'lladdr':
      return formatLladdr(buf, off, len);
    case 'struct': {
      const s = spec.struct.decode(buf, off, len, path);
      if (len < spec.struct.size) hide(s, WIRE_SIZE, len);
      else if (len > spec.struct.size)
        hide(s, WIRE_TAIL, Uint8Array.prototype.slice.call(buf, off + spec.struct.size, off + len));
      return s;
    }
    case 'nested':
      return spec.set.decode(buf, off, off + len, path);
    case 'message':
      return spec.message.decode(buf.subarray(off, off + len), path);
    case 'custom':
      return spec.codec.decode(buf, off, len, path);
    case 'indexed': {
      const items: unknown[] = [];
      let base: number | undefined;
      walkAttributes(
        buf,
        off,
        off + len,
        (type, _flags, o, l) => {
          base ??= type;
          items.push(decodeValue(spec.item, buf, o, l, `${path}[${items.length}]`, selector));
        },
        path,
      );
      if (base !== undefined && base !== 1) hide(items, INDEX_BASE, base);
      return items;
    }
    case 'submessage': {
      const sel = selector(spec.selector);
      const set = typeof sel === 'string' ? own(spec.sets, sel) : undefined;
      if (!set) return Uint8Array.prototype.slice.call(buf, off, off + len);
      return set.decode(buf, off, off + len, `${path}(${sel})`);
    }
  }
}

function enumName(map: Readonly<Record<string, number>>, n: number): string | number {
  for (const k in map) if (map[k] === n) return k;
  return n;
}

function flagSet(map: Readonly<Record<string, number>>, raw: number): FlagSet {
  const names: string[] = [];
  for (const k in map) {
    const bit = map[k]!;
    if (bit !== 0 && (raw & bit) >>> 0 === bit) names.push(k);
  }
  return { names, raw };
}

function encodeValue(
  w: AttributeWriter,
  type: number,
  spec: ValueSpec,
  x: unknown,
  path: string,
  sibling: (name: string) => unknown,
): void {
  const outer = w.path;
  w.path = path;
  try {
    encodeInner(w, type, spec, x, path, sibling);
  } finally {
    w.path = outer;
  }
}

function expect(cond: boolean, what: string, path: string, x: unknown): void {
  if (!cond) {
    const shown = typeof x === 'bigint' ? `${x}n` : typeof x === 'string' ? `"${x}"` : String(x);
    throw new NetlinkEncodeError('BAD_VALUE', `expected ${what}, got ${shown}`, path);
  }
}

function encodeInner(
  w: AttributeWriter,
  type: number,
  spec: ValueSpec,
  x: unknown,
  path: string,
  sibling: (name: string) => unknown,
): void {
  switch (spec.kind) {
    case 'u8':
    case 'u16':
    case 'u32':
    case 's8':
    case 's16':
    case 's32':
    case 'be16':
    case 'be32': {
      let n: number;
      if (spec.enum && typeof x === 'string') {
        const v = own(spec.enum, x);
        if (v === undefined) {
          throw new NetlinkEncodeError(
            'BAD_VALUE',
            `"${x}" is not one of ${Object.keys(spec.enum).join(', ')}`,
            path,
          );
        }
        n = v;
      } else if (spec.flags && typeof x === 'object' && x !== null) {
        if (Array.isArray(x)) {
          n = 0;
          for (const name of x) {
            const bit = typeof name === 'string' ? own(spec.flags, name) : undefined;
            if (bit === undefined) {
              throw new NetlinkEncodeError(
                'BAD_VALUE',
                `"${String(name)}" is not one of ${Object.keys(spec.flags).join(', ')}`,
                path,
              );
            }
            n = (n | bit) >>> 0;
          }
        } else {
          // A FlagSet as decoded: raw carries every bit, known or not.
          n = (x as FlagSet).raw;
        }
      } else {
        expect(typeof x === 'number', `a number for ${spec.kind}`, path, x);
        n = x as number;
      }
      w[spec.kind](type, n);
      return;
    }
    case 'u64':
    case 's64':
      expect(typeof x === 'bigint', `a bigint for ${spec.kind}`, path, x);
      w[spec.kind](type, x as bigint);
      return;
    case 'string':
      expect(typeof x === 'string', 'a string', path, x);
      w.string(type, x as string);
      return;
    case 'binary':
      expect(x instanceof Uint8Array, 'a Uint8Array', path, x);
      w.binary(type, x as Uint8Array);
      return;
    case 'flag':
      expect(x === true, 'true (a flag)', path, x);
      w.flag(type);
      return;
    case 'ipaddr':
      w.ipaddr(type, x as string);
      return;
    case 'lladdr':
      w.lladdr(type, x as string);
      return;
    case 'struct': {
      expect(
        typeof x === 'object' && x !== null,
        `an object for struct ${spec.struct.name}`,
        path,
        x,
      );
      const bytes = spec.struct.encode(x as object, path);
      const size = (x as { [WIRE_SIZE]?: number })[WIRE_SIZE];
      const tail = (x as { [WIRE_TAIL]?: Uint8Array })[WIRE_TAIL];
      const at = w.begin(type);
      w.rawBytes(size !== undefined ? bytes.subarray(0, size) : bytes);
      if (tail) w.rawBytes(tail);
      w.end(at);
      return;
    }
    case 'nested': {
      expect(
        typeof x === 'object' && x !== null,
        `an object of ${spec.set.name} attributes`,
        path,
        x,
      );
      const at = w.begin(type, NLA_F_NESTED);
      spec.set.encode(w, x as Input<AttrSpecs>, path);
      w.end(at);
      return;
    }
    case 'message': {
      expect(typeof x === 'object' && x !== null, `an object { header, attributes }`, path, x);
      const m = x as { header?: object; attributes?: Input<AttrSpecs> };
      const at = w.begin(type, NLA_F_NESTED);
      spec.message.encode(
        w,
        { header: m.header ?? {}, ...(m.attributes ? { attributes: m.attributes } : {}) },
        path,
      );
      w.end(at);
      return;
    }
    case 'custom': {
      const at = w.begin(type);
      w.rawBytes(spec.codec.encode(x, path));
      w.end(at);
      return;
    }
    case 'indexed': {
      expect(Array.isArray(x), 'an array', path, x);
      const base = (x as { [INDEX_BASE]?: number })[INDEX_BASE] ?? 1;
      const at = w.begin(type, NLA_F_NESTED);
      (x as unknown[]).forEach((item, i) => {
        encodeValue(w, base + i, spec.item, item, `${path}[${i}]`, sibling);
      });
      w.end(at);
      return;
    }
    case 'submessage': {
      if (x instanceof Uint8Array) {
        // Raw bytes of a kind without a declared set: still a nest on the wire.
        w.binary(type, x, NLA_F_NESTED);
        return;
      }
      const sel = sibling(spec.selector);
      const set = typeof sel === 'string' ? own(spec.sets, sel) : undefined;
      if (!set) {
        throw new NetlinkEncodeError(
          'BAD_VALUE',
          `no attribute set for ${spec.selector} "${String(sel)}" (known: ${Object.keys(spec.sets).join(', ')}); give raw bytes instead`,
          path,
        );
      }
      const at = w.begin(type, NLA_F_NESTED);
      set.encode(w, x as Input<AttrSpecs>, `${path}(${sel})`);
      w.end(at);
      return;
    }
  }
}

function annotateSet(
  set: AttributeSet,
  buf: Buffer,
  start: number,
  end: number,
  path: string,
  depth: number,
  out: Annotation[],
): void {
  const raws: RawAttribute[] = [];
  walkAttributes(
    buf,
    start,
    end,
    (type, flags, off, len) => raws.push(new RawAttribute(type, flags, buf, off, len)),
    path,
  );
  for (const raw of raws) {
    const hit = set.lookup(raw.type);
    const key = hit ? hit[0] : `#${raw.type}`;
    const spec = hit?.[1];
    const here = `${path}.${key}`;
    const line: Annotation = {
      offset: raw.offset - NLA_HDRLEN,
      length: raw.length + NLA_HDRLEN,
      depth,
      path: here,
      constant: spec?.c,
      kind: spec?.kind ?? 'unknown',
      value: '',
    };
    out.push(line);
    if (spec?.kind === 'nested') {
      annotateSet(spec.set, buf, raw.offset, raw.offset + raw.length, here, depth + 1, out);
    } else if (spec?.kind === 'message') {
      const start = raw.offset + ((spec.message.header.size + 3) & ~3);
      try {
        line.value = JSON.stringify(
          spec.message.header.decode(buf, raw.offset, spec.message.header.size, here),
        );
      } catch (e) {
        line.value = `<${(e as Error).message}>`;
      }
      annotateSet(
        spec.message.attributes,
        buf,
        start,
        raw.offset + raw.length,
        here,
        depth + 1,
        out,
      );
    } else if (spec?.kind === 'custom' && spec.codec.annotate) {
      out.push(...spec.codec.annotate(buf, raw.offset, raw.length, here, depth + 1));
    } else if (spec?.kind === 'submessage') {
      const selSpec = own(set.attrs, spec.selector);
      const selRaw = selSpec && raws.find((r) => r.type === selSpec.type);
      const sel =
        selRaw && selSpec
          ? decodeValue(selSpec, buf, selRaw.offset, selRaw.length, '', () => undefined)
          : undefined;
      const sub = typeof sel === 'string' ? own(spec.sets, sel) : undefined;
      if (sub)
        annotateSet(
          sub,
          buf,
          raw.offset,
          raw.offset + raw.length,
          `${here}(${sel})`,
          depth + 1,
          out,
        );
    } else if (spec && spec.kind !== 'indexed') {
      try {
        const v = decodeValue(spec, buf, raw.offset, raw.length, here, () => undefined);
        line.value =
          typeof v === 'bigint'
            ? `${v}`
            : v instanceof Uint8Array
              ? Buffer.from(v).toString('hex')
              : JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? `${x}` : x));
      } catch (e) {
        line.value = `<${(e as Error).message}>`;
      }
    } else {
      line.value = raw.data.length ? Buffer.from(raw.data).toString('hex') : '';
    }
  }
}

/** Declare an attribute set. Use `as const` on nothing: the generic keeps literal types. */
export function defineAttributes<const A extends AttrSpecs>(
  name: string,
  attrs: A,
): AttributeSet<A> {
  return new AttributeSet(name, attrs);
}

/** A message body: a fixed struct followed by a set of attributes. */
export class MessageSchema<H extends object, A extends AttrSpecs> {
  readonly name: string;
  readonly header: StructDef<H>;
  readonly attributes: AttributeSet<A>;

  constructor(name: string, header: StructDef<H>, attributes: AttributeSet<A>) {
    this.name = name;
    this.header = header;
    this.attributes = attributes;
  }

  /** Decode a message payload (what follows the nlmsghdr). */
  decode(payload: Uint8Array, path = this.name): { header: H; attributes: Decoded<A> } {
    const start = (this.header.size + 3) & ~3;
    if (payload.length < this.header.size) {
      throw new NetlinkDecodeError(
        'BAD_PAYLOAD_SIZE',
        `struct ${this.header.name} needs ${this.header.size} bytes, got ${payload.length}`,
        0,
        path,
      );
    }
    return {
      header: this.header.decode(payload, 0, this.header.size, path),
      attributes: this.attributes.decode(payload, start, payload.length, path),
    };
  }

  /** Encode a payload into `w` (header, padding, attributes). */
  encode(
    w: AttributeWriter,
    value: { header: Partial<H>; attributes?: Input<A> },
    path = this.name,
  ): void {
    const at = w.zeros(this.header.size);
    this.header.encodeInto(value.header, w.buf, at, `${path}.header`);
    w.align();
    if (value.attributes) this.attributes.encode(w, value.attributes, path);
  }

  /** Name the attribute a kernel error offset points at (see AttributeSet.pathAt). */
  pathAt(request: Uint8Array, offset: number): string | undefined {
    return this.attributes.pathAt(request, this.header.size, offset);
  }
}

/** Declare a message body. */
export function defineMessage<H extends object, const A extends AttrSpecs>(
  name: string,
  header: StructDef<H>,
  attributes: AttributeSet<A>,
): MessageSchema<H, A> {
  return new MessageSchema(name, header, attributes);
}
