// Codecs for route payloads that are neither plain attributes nor one fixed struct: the
// rtnexthop run of RTA_MULTIPATH, struct rtvia, MPLS label stacks, the seg6 encap (struct
// seg6_iptunnel_encap + struct ipv6_sr_hdr), nests sent without NLA_F_NESTED (RTA_METRICS) and
// 64-bit integers in network byte order (LWTUNNEL_IP_ID, FRA_TUN_ID). No I/O.
import { formatIp, formatLladdr, parseIp, parseLladdr } from '../netlink/address.js';
import { AttributeWriter } from '../netlink/attributes.js';
import { NetlinkDecodeError, NetlinkEncodeError } from '../netlink/errors.js';
import type {
  Annotation,
  AttributeSet,
  AttrSpecs,
  CustomCodec,
  Decoded,
  FlagSet,
  Input,
} from '../netlink/schema.js';
import { AF_INET, AF_INET6, RTNH_F } from './constants.js';

// ---------------------------------------------------------------------------------------------
// Small helpers shared by the codecs.

function tooShort(what: string, need: string, len: number, off: number, path: string): never {
  throw new NetlinkDecodeError(
    'BAD_PAYLOAD_SIZE',
    `${what} needs ${need} bytes, got ${len}`,
    off,
    path,
  );
}

function int(x: unknown, min: number, max: number, path: string, what: string): number {
  if (typeof x !== 'number' || !Number.isInteger(x)) {
    throw new NetlinkEncodeError('BAD_VALUE', `${what} must be an integer, got ${String(x)}`, path);
  }
  if (x < min || x > max) {
    throw new NetlinkEncodeError('OUT_OF_RANGE', `${what} ${x} is not in ${min}..${max}`, path);
  }
  return x;
}

function object(x: unknown, what: string, path: string): Record<string, unknown> {
  if (typeof x !== 'object' || x === null || Array.isArray(x) || x instanceof Uint8Array) {
    throw new NetlinkEncodeError('BAD_VALUE', `expected ${what}`, path);
  }
  return x as Record<string, unknown>;
}

function flagSet<N extends string>(map: Readonly<Record<N, number>>, raw: number): FlagSet<N> {
  const names: N[] = [];
  for (const k in map) {
    const bit = map[k];
    if (bit !== 0 && (raw & bit) >>> 0 === bit) names.push(k);
  }
  return { names, raw };
}

/** A FlagSet as decoded, an array of names, or a number → the raw bits. */
function flagBits(
  map: Readonly<Record<string, number>>,
  x: unknown,
  max: number,
  path: string,
): number {
  if (typeof x === 'number') return int(x, 0, max, path, 'flags');
  if (Array.isArray(x)) {
    let n = 0;
    for (const name of x) {
      const bit = typeof name === 'string' && Object.hasOwn(map, name) ? map[name] : undefined;
      if (bit === undefined) {
        throw new NetlinkEncodeError(
          'BAD_VALUE',
          `"${String(name)}" is not one of ${Object.keys(map).join(', ')}`,
          path,
        );
      }
      n |= bit;
    }
    return n >>> 0;
  }
  if (typeof x === 'object' && x !== null && typeof (x as FlagSet).raw === 'number') {
    return int((x as FlagSet).raw, 0, max, path, 'flags');
  }
  throw new NetlinkEncodeError('BAD_VALUE', 'expected flag names, a FlagSet or a number', path);
}

/** Re-root annotations of a set (paths `set.x`, depth from 0) under `path` at `depth`. */
function reroot(anns: Annotation[], setName: string, path: string, depth: number): Annotation[] {
  return anns.map((a) => ({
    ...a,
    path: path + a.path.slice(setName.length),
    depth: depth + a.depth,
  }));
}

// ---------------------------------------------------------------------------------------------
// 64-bit integers in network byte order.

/** A u64 in network byte order (nla_put_be64: LWTUNNEL_IP_ID, FRA_TUN_ID), as a bigint. */
export const be64Codec: CustomCodec<bigint> = {
  name: 'be64',
  decode(buf, off, len, path) {
    if (len !== 8) tooShort('be64', '8', len, off, path);
    return buf.readBigUInt64BE(off);
  },
  encode(value, path) {
    if (typeof value !== 'bigint' || value < 0n || value > 0xffff_ffff_ffff_ffffn) {
      throw new NetlinkEncodeError(
        'OUT_OF_RANGE',
        `expected a bigint in 0..2^64-1, got ${String(value)}`,
        path,
      );
    }
    const out = Buffer.alloc(8);
    out.writeBigUInt64BE(value);
    return out;
  },
};

// ---------------------------------------------------------------------------------------------
// A nest the kernel and iproute2 send without NLA_F_NESTED (RTA_METRICS).

/**
 * The attributes of `set` inside an attribute whose header lacks NLA_F_NESTED: the kernel
 * (nla_nest_start_noflag) and iproute2 both send RTA_METRICS that way, so encoding a fresh
 * value gives their bytes.
 */
export function plainNest<A extends AttrSpecs>(
  set: AttributeSet<A>,
): CustomCodec<Decoded<A>, Input<A>> {
  return {
    name: `nest ${set.name} (no NLA_F_NESTED)`,
    decode(buf, off, len, path) {
      return set.decode(buf, off, off + len, path);
    },
    encode(value, path) {
      object(value, `an object of ${set.name} attributes`, path);
      const w = new AttributeWriter(64);
      set.encode(w, value, path);
      return Buffer.from(w.bytes());
    },
    annotate(buf, off, len, path, depth) {
      return reroot(set.annotate(buf, off, off + len), set.name, path, depth);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// MPLS label stacks (RTA_NEWDST, MPLS_IPTUNNEL_DST): struct mpls_label, one __be32 per entry.

/** One label stack entry (<linux/mpls.h>: label 20 bits, traffic class 3, bottom of stack 1, ttl 8). */
export interface MplsLabel {
  label: number;
  tc: number;
  /** Bottom of stack: set on the last entry. */
  bos: boolean;
  ttl: number;
}

/** A label number alone (tc 0, ttl 0, bottom of stack on the last entry), or a whole entry. */
export type MplsLabelInput = number | (Pick<MplsLabel, 'label'> & Partial<MplsLabel>);

/** A label stack, outermost label first, as `ip route … encap mpls 100/200` writes it. */
export const mplsLabelsCodec: CustomCodec<MplsLabel[], MplsLabelInput[]> = {
  name: 'struct mpls_label[]',
  decode(buf, off, len, path) {
    if (len % 4 !== 0) tooShort('a label stack', 'a multiple of 4', len, off, path);
    const out: MplsLabel[] = [];
    for (let o = off; o < off + len; o += 4) {
      const e = buf.readUInt32BE(o);
      out.push({ label: e >>> 12, tc: (e >>> 9) & 7, bos: ((e >>> 8) & 1) === 1, ttl: e & 0xff });
    }
    return out;
  },
  encode(value, path) {
    if (!Array.isArray(value)) {
      throw new NetlinkEncodeError('BAD_VALUE', 'expected an array of labels', path);
    }
    const out = Buffer.alloc(value.length * 4);
    value.forEach((x, i) => {
      const here = `${path}[${i}]`;
      const e = typeof x === 'number' ? { label: x } : object(x, 'a label or { label, … }', here);
      const label = int(e.label, 0, 0xfffff, here, 'label');
      const tc = int(e.tc ?? 0, 0, 7, here, 'tc');
      const ttl = int(e.ttl ?? 0, 0, 255, here, 'ttl');
      const bos = e.bos ?? i === value.length - 1;
      if (typeof bos !== 'boolean')
        throw new NetlinkEncodeError('BAD_VALUE', 'bos must be a boolean', here);
      out.writeUInt32BE(((label << 12) | (tc << 9) | (bos ? 0x100 : 0) | ttl) >>> 0, i * 4);
    });
    return out;
  },
};

// ---------------------------------------------------------------------------------------------
// RTA_VIA: struct rtvia { __kernel_sa_family_t rtvia_family; __u8 rtvia_addr[]; }

/** A gateway of another family than the route's (an IPv6 next hop for an IPv4 route). */
export interface RtVia {
  /** `inet` / `inet6`, or the AF_* number of another family. */
  family: 'inet' | 'inet6' | number;
  /** The address as text; for families other than inet/inet6, colon-separated hex bytes. */
  address: string;
}

/** struct rtvia as `{ family, address }`. */
export const rtviaCodec: CustomCodec<RtVia> = {
  name: 'struct rtvia',
  decode(buf, off, len, path) {
    if (len < 2) tooShort('struct rtvia', 'at least 2', len, off, path);
    const af = buf.readUInt16LE(off);
    const n = len - 2;
    if (af === AF_INET || af === AF_INET6) {
      if (n !== (af === AF_INET ? 4 : 16)) {
        throw new NetlinkDecodeError(
          'BAD_PAYLOAD_SIZE',
          `an ${af === AF_INET ? 'IPv4' : 'IPv6'} via address has ${af === AF_INET ? 4 : 16} bytes, got ${n}`,
          off + 2,
          `${path}.address`,
        );
      }
      return { family: af === AF_INET ? 'inet' : 'inet6', address: formatIp(buf, off + 2, n)! };
    }
    return { family: af, address: formatLladdr(buf, off + 2, n) };
  },
  encode(value, path) {
    const v = object(value, 'an object { family, address }', path);
    const family =
      v.family === 'inet'
        ? AF_INET
        : v.family === 'inet6'
          ? AF_INET6
          : typeof v.family === 'number'
            ? int(v.family, 0, 0xffff, `${path}.family`, 'family')
            : undefined;
    if (family === undefined) {
      throw new NetlinkEncodeError(
        'BAD_VALUE',
        `family must be 'inet', 'inet6' or a number, got ${String(v.family)}`,
        `${path}.family`,
      );
    }
    const text = v.address;
    let addr: Uint8Array | undefined;
    if (typeof text === 'string') {
      if (family === AF_INET || family === AF_INET6) {
        addr = parseIp(text);
        if (addr && addr.length !== (family === AF_INET ? 4 : 16)) addr = undefined;
      } else {
        addr = text === '' ? new Uint8Array(0) : parseLladdr(text);
      }
    }
    if (!addr) {
      throw new NetlinkEncodeError(
        'BAD_ADDRESS',
        `"${String(text)}" is not an address of family ${String(v.family)}`,
        `${path}.address`,
      );
    }
    const out = Buffer.alloc(2 + addr.length);
    out.writeUInt16LE(family);
    out.set(addr, 2);
    return out;
  },
};

// ---------------------------------------------------------------------------------------------
// seg6 encap: struct seg6_iptunnel_encap { int mode; struct ipv6_sr_hdr srh[]; }

/** SEG6_IPTUN_MODE_*, named as iproute2 names them. */
export const SEG6_IPTUN_MODE = {
  inline: 0,
  encap: 1,
  l2encap: 2,
  'encap.red': 3,
  'l2encap.red': 4,
} as const;

/** The seg6 tunnel: its mode and its segment routing header (RFC 8754). */
export interface Seg6Encap {
  mode: keyof typeof SEG6_IPTUN_MODE | number;
  /** The segments in path order (the first to visit first), as `ip … segs A,B` lists them. The wire holds them reversed. */
  segments: string[];
  nexthdr: number;
  /** Routing type (4: segment routing). */
  type: number;
  segmentsLeft: number;
  /** SR6_FLAG1_* bits. */
  flags: number;
  tag: number;
  /** TLV bytes after the segments (an HMAC TLV), when present. */
  tlvs?: Uint8Array;
}

/** What the encoder needs: `mode` and `segments`; the rest default as iproute2 sets them. */
export type Seg6EncapInput = Pick<Seg6Encap, 'mode' | 'segments'> &
  Partial<Omit<Seg6Encap, 'mode' | 'segments'>>;

const SRH_HDRLEN = 8;

/** struct seg6_iptunnel_encap with its struct ipv6_sr_hdr. */
export const seg6EncapCodec: CustomCodec<Seg6Encap, Seg6EncapInput> = {
  name: 'struct seg6_iptunnel_encap',
  decode(buf, off, len, path) {
    if (len < 4 + SRH_HDRLEN)
      tooShort('struct seg6_iptunnel_encap', `at least ${4 + SRH_HDRLEN}`, len, off, path);
    const modeNum = buf.readInt32LE(off);
    const srh = off + 4;
    const hdrlen = buf[srh + 1]!;
    const total = (hdrlen + 1) * 8;
    if (total !== len - 4) {
      throw new NetlinkDecodeError(
        'BAD_LENGTH',
        `ipv6_sr_hdr.hdrlen ${hdrlen} says ${total} bytes, the attribute holds ${len - 4}`,
        srh + 1,
        `${path}.hdrlen`,
      );
    }
    const count = buf[srh + 4]! + 1;
    if (SRH_HDRLEN + count * 16 > total) {
      throw new NetlinkDecodeError(
        'BAD_LENGTH',
        `ipv6_sr_hdr.first_segment ${count - 1} needs ${count * 16} bytes of segments, the header has ${total - SRH_HDRLEN}`,
        srh + 4,
        `${path}.segments`,
      );
    }
    const segments: string[] = [];
    for (let i = count - 1; i >= 0; i--)
      segments.push(formatIp(buf, srh + SRH_HDRLEN + i * 16, 16)!);
    let mode: Seg6Encap['mode'] = modeNum;
    for (const [k, v] of Object.entries(SEG6_IPTUN_MODE))
      if (v === modeNum) mode = k as Seg6Encap['mode'];
    const out: Seg6Encap = {
      mode,
      segments,
      nexthdr: buf[srh]!,
      type: buf[srh + 2]!,
      segmentsLeft: buf[srh + 3]!,
      flags: buf[srh + 5]!,
      tag: buf.readUInt16BE(srh + 6),
    };
    const tlvStart = srh + SRH_HDRLEN + count * 16;
    if (tlvStart < srh + total)
      out.tlvs = Uint8Array.prototype.slice.call(buf, tlvStart, srh + total);
    return out;
  },
  encode(value, path) {
    const v = object(value, 'an object { mode, segments, … }', path);
    let mode: number;
    if (typeof v.mode === 'string' && Object.hasOwn(SEG6_IPTUN_MODE, v.mode)) {
      mode = SEG6_IPTUN_MODE[v.mode as keyof typeof SEG6_IPTUN_MODE];
    } else if (typeof v.mode === 'number') {
      mode = int(v.mode, -0x80000000, 0x7fffffff, `${path}.mode`, 'mode');
    } else {
      throw new NetlinkEncodeError(
        'BAD_VALUE',
        `"${String(v.mode)}" is not one of ${Object.keys(SEG6_IPTUN_MODE).join(', ')}`,
        `${path}.mode`,
      );
    }
    const segs = v.segments;
    if (!Array.isArray(segs) || segs.length === 0 || segs.length > 128) {
      throw new NetlinkEncodeError(
        'BAD_VALUE',
        'expected 1..128 IPv6 segments',
        `${path}.segments`,
      );
    }
    const tlvs = v.tlvs ?? new Uint8Array(0);
    if (!(tlvs instanceof Uint8Array) || tlvs.length % 8 !== 0) {
      throw new NetlinkEncodeError(
        'BAD_VALUE',
        'tlvs must be a Uint8Array whose length is a multiple of 8',
        `${path}.tlvs`,
      );
    }
    const total = SRH_HDRLEN + segs.length * 16 + tlvs.length;
    if (total / 8 - 1 > 255) {
      throw new NetlinkEncodeError(
        'OUT_OF_RANGE',
        'the routing header exceeds 2048 bytes',
        `${path}.segments`,
      );
    }
    const out = Buffer.alloc(4 + total);
    out.writeInt32LE(mode, 0);
    const n = segs.length;
    out[4] = int(v.nexthdr ?? 0, 0, 255, `${path}.nexthdr`, 'nexthdr');
    out[5] = total / 8 - 1;
    out[6] = int(v.type ?? 4, 0, 255, `${path}.type`, 'type');
    out[7] = int(v.segmentsLeft ?? n - 1, 0, 255, `${path}.segmentsLeft`, 'segmentsLeft');
    out[8] = n - 1;
    out[9] = int(v.flags ?? 0, 0, 255, `${path}.flags`, 'flags');
    out.writeUInt16BE(int(v.tag ?? 0, 0, 0xffff, `${path}.tag`, 'tag'), 10);
    segs.forEach((s, i) => {
      const a = typeof s === 'string' ? parseIp(s) : undefined;
      if (a?.length !== 16) {
        throw new NetlinkEncodeError(
          'BAD_ADDRESS',
          `"${String(s)}" is not an IPv6 address`,
          `${path}.segments[${i}]`,
        );
      }
      // segments[0] on the wire is the last segment of the path.
      out.set(a, 4 + SRH_HDRLEN + (n - 1 - i) * 16);
    });
    out.set(tlvs, 4 + SRH_HDRLEN + n * 16);
    return out;
  },
};

// ---------------------------------------------------------------------------------------------
// RTA_MULTIPATH: a run of struct rtnexthop { u16 len; u8 flags; u8 hops; s32 ifindex; },
// each followed by RTA_* attributes inside its len.

const RTNH_SIZE = 8;

/** One next hop of a multipath route. */
export interface RouteNexthop<A> {
  /** RTNH_F_* bits. */
  flags: FlagSet<keyof typeof RTNH_F>;
  /** rtnh_hops: the weight minus one (`ip route … nexthop … weight 2` sends 1). */
  hops: number;
  ifindex: number;
  /** The next hop's own attributes (gateway, via, newdst, encap, flow). */
  attributes: A;
}

/** A next hop to encode: all fields optional (flags none, hops 0 = weight 1, ifindex 0). */
export interface RouteNexthopInput<I> {
  flags?: FlagSet | (keyof typeof RTNH_F)[] | number;
  hops?: number;
  ifindex?: number;
  attributes?: I;
}

/** The RTA_MULTIPATH codec over the next hops' attribute set. */
export function multipathCodec<A extends AttrSpecs>(
  set: AttributeSet<A>,
): CustomCodec<RouteNexthop<Decoded<A>>[], RouteNexthopInput<Input<A>>[]> {
  return {
    name: 'struct rtnexthop[]',
    decode(buf, off, len, path) {
      const out: RouteNexthop<Decoded<A>>[] = [];
      const end = off + len;
      let o = off;
      while (o < end) {
        const here = `${path}[${out.length}]`;
        if (end - o < RTNH_SIZE) {
          throw new NetlinkDecodeError(
            'TRAILING_BYTES',
            `${end - o} bytes left after the last rtnexthop, too few for one`,
            o,
            here,
          );
        }
        const n = buf.readUInt16LE(o);
        if (n < RTNH_SIZE || n > end - o) {
          throw new NetlinkDecodeError(
            'BAD_LENGTH',
            `rtnh_len ${n} but ${end - o} bytes remain (at least ${RTNH_SIZE} needed)`,
            o,
            here,
          );
        }
        out.push({
          flags: flagSet(RTNH_F, buf[o + 2]!),
          hops: buf[o + 3]!,
          ifindex: buf.readInt32LE(o + 4),
          attributes: set.decode(buf, o + RTNH_SIZE, o + n, here),
        });
        o += (n + 3) & ~3;
      }
      return out;
    },
    encode(value, path) {
      if (!Array.isArray(value)) {
        throw new NetlinkEncodeError('BAD_VALUE', 'expected an array of next hops', path);
      }
      const w = new AttributeWriter(64 * Math.max(1, value.length));
      value.forEach((x, i) => {
        const here = `${path}[${i}]`;
        const nh = object(x, 'a next hop { flags?, hops?, ifindex?, attributes? }', here);
        const at = w.zeros(RTNH_SIZE);
        w.buf[at + 2] =
          nh.flags === undefined ? 0 : flagBits(RTNH_F, nh.flags, 0xff, `${here}.flags`);
        w.buf[at + 3] = int(nh.hops ?? 0, 0, 255, `${here}.hops`, 'hops');
        w.buf.writeInt32LE(
          int(nh.ifindex ?? 0, -0x80000000, 0x7fffffff, `${here}.ifindex`, 'ifindex'),
          at + 4,
        );
        if (nh.attributes !== undefined) {
          set.encode(
            w,
            object(nh.attributes, 'an object of attributes', `${here}.attributes`) as Input<A>,
            here,
          );
        }
        w.align();
        const n = w.pos - at;
        if (n > 0xffff)
          throw new NetlinkEncodeError('PAYLOAD_TOO_LARGE', 'a next hop exceeds 65535 bytes', here);
        w.buf.writeUInt16LE(n, at);
      });
      return Buffer.from(w.bytes());
    },
    annotate(buf, off, len, path, depth) {
      const out: Annotation[] = [];
      const end = off + len;
      let o = off;
      for (let i = 0; o + RTNH_SIZE <= end; i++) {
        const n = buf.readUInt16LE(o);
        if (n < RTNH_SIZE || n > end - o) break;
        const here = `${path}[${i}]`;
        // The rtnexthop is a leaf row of its own (8 bytes), its attributes follow at the same depth.
        out.push({
          offset: o,
          length: RTNH_SIZE,
          depth,
          path: here,
          constant: 'struct rtnexthop',
          kind: 'struct',
          value: JSON.stringify({
            len: n,
            flags: buf[o + 2],
            hops: buf[o + 3],
            ifindex: buf.readInt32LE(o + 4),
          }),
        });
        out.push(...reroot(set.annotate(buf, o + RTNH_SIZE, o + n), set.name, here, depth));
        o += (n + 3) & ~3;
      }
      return out;
    },
  };
}
