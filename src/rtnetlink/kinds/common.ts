// Payload codecs shared by the link schemas: layouts that are neither a plain struct nor a plain
// attribute set (a struct holding a MAC, a nest indexed from 0, an attribute that is a flag on
// input but a u8 on output, the YNL "uint" of variable width).
import {
  formatIp,
  formatLladdr,
  parseIpv4,
  parseIpv6,
  parseLladdr,
} from '../../netlink/address.js';
import { AttributeWriter, NLA_HDRLEN, walkAttributes } from '../../netlink/attributes.js';
import { NetlinkDecodeError, NetlinkEncodeError } from '../../netlink/errors.js';
import type { Annotation, CustomCodec } from '../../netlink/schema.js';
import { blob, defineStruct, struct, u16be, u32 } from '../../netlink/struct.js';

function sizeError(what: string, want: string, len: number, off: number, path: string): never {
  throw new NetlinkDecodeError(
    'BAD_PAYLOAD_SIZE',
    `${what} needs ${want} bytes, got ${len}`,
    off,
    path,
  );
}

function integer(x: unknown, min: number, max: number, what: string, path: string): number {
  if (typeof x !== 'number' || !Number.isInteger(x) || x < min || x > max) {
    throw new NetlinkEncodeError(
      'OUT_OF_RANGE',
      `${what} must be an integer in ${min}..${max}, got ${String(x)}`,
      path,
    );
  }
  return x;
}

function object(x: unknown, what: string, path: string): Record<string, unknown> {
  if (typeof x !== 'object' || x === null) {
    throw new NetlinkEncodeError('BAD_VALUE', `expected an object for ${what}`, path);
  }
  return x as Record<string, unknown>;
}

function mac(x: unknown, max: number, path: string): Uint8Array {
  const bytes = typeof x === 'string' ? parseLladdr(x) : undefined;
  if (!bytes || bytes.length > max) {
    throw new NetlinkEncodeError(
      'BAD_LLADDR',
      `"${String(x)}" is not a link-layer address of at most ${max} bytes`,
      path,
    );
  }
  return bytes;
}

/** struct ifla_bridge_id: a bridge or root identifier, priority then MAC (<linux/if_link.h>). */
export const iflaBridgeId = defineStruct<{ prio: number; addr: Uint8Array }>(
  struct([u16be('prio'), blob(6, 'addr')], 'ifla_bridge_id'),
);

/** A bridge identifier as `ip -d` shows it (`8000.2e:ac:46:ca:5d:91`): priority and MAC. */
export interface BridgeId {
  /** Bridge priority (the two `prio` bytes, most significant first). */
  prio: number;
  /** The bridge's MAC address. */
  addr: string;
}

/** struct ifla_bridge_id with the MAC as text (IFLA_BR_ROOT_ID, IFLA_BRPORT_BRIDGE_ID, …). */
export const bridgeIdCodec: CustomCodec<BridgeId> = {
  name: 'struct ifla_bridge_id',
  decode(buf, off, len, path) {
    if (len !== iflaBridgeId.size) sizeError('struct ifla_bridge_id', '8', len, off, path);
    return { prio: buf.readUInt16BE(off), addr: formatLladdr(buf, off + 2, 6) };
  },
  encode(value, path) {
    const v = object(value, 'struct ifla_bridge_id', path);
    const addr = mac(v.addr, 6, `${path}.addr`);
    if (addr.length !== 6)
      throw new NetlinkEncodeError('BAD_LLADDR', 'a bridge id holds a 6-byte MAC', `${path}.addr`);
    return iflaBridgeId.encode(
      { prio: integer(v.prio, 0, 0xffff, 'prio', `${path}.prio`), addr },
      path,
    );
  },
};

/**
 * A fixed `__u8 x[size]` link-layer address (struct ifla_vf_broadcast, the MAC of struct
 * ifla_vf_mac): shown without its trailing zero padding, but never shorter than 6 bytes.
 */
function paddedLladdr(buf: Uint8Array, off: number, size: number): string {
  let used = size;
  while (used > 6 && buf[off + used - 1] === 0) used--;
  return formatLladdr(buf, off, used);
}

/** A `__u8 [size]` hardware address padded with zeros, as text (IFLA_VF_BROADCAST). */
export function paddedLladdrCodec(size: number, name: string): CustomCodec<string> {
  return {
    name,
    decode(buf, off, len, path) {
      if (len !== size) sizeError(name, String(size), len, off, path);
      return paddedLladdr(buf, off, size);
    },
    encode(value, path) {
      const out = new Uint8Array(size);
      out.set(mac(value, size, path));
      return out;
    },
  };
}

/** struct ifla_vf_mac { __u32 vf; __u8 mac[32]; } */
export const iflaVfMac = defineStruct<{ vf: number; mac: Uint8Array }>(
  struct([u32('vf'), blob(32, 'mac')], 'ifla_vf_mac'),
);

/** struct ifla_vf_mac with the address as text. */
export const vfMacCodec: CustomCodec<{ vf: number; mac: string }> = {
  name: 'struct ifla_vf_mac',
  decode(buf, off, len, path) {
    if (len !== iflaVfMac.size) sizeError('struct ifla_vf_mac', '36', len, off, path);
    return { vf: buf.readUInt32LE(off), mac: paddedLladdr(buf, off + 4, 32) };
  },
  encode(value, path) {
    const v = object(value, 'struct ifla_vf_mac', path);
    const bytes = new Uint8Array(32);
    bytes.set(mac(v.mac, 32, `${path}.mac`));
    return iflaVfMac.encode(
      { vf: integer(v.vf, 0, 0xffffffff, 'vf', `${path}.vf`), mac: bytes },
      path,
    );
  },
};

// Attribute numbers of a zero-indexed list that are not 0, 1, 2, … (the kernel skips empty
// slots of the bond's target tables), so a decoded list re-encodes with the same numbers.
const SLOTS = Symbol('rtnl.slots');

/**
 * A nest of addresses whose attribute numbers are their positions counted from 0
 * (IFLA_BOND_ARP_IP_TARGET, IFLA_BOND_NS_IP6_TARGET: the kernel and iproute2 number them so).
 * Decodes to a list of address strings. The nest is written without NLA_F_NESTED, as both the
 * kernel (nla_nest_start_noflag) and iproute2 write it.
 */
export function zeroIndexedAddresses(family: 4 | 6, name: string): CustomCodec<string[]> {
  const size = family === 4 ? 4 : 16;
  return {
    name,
    decode(buf, off, len, path) {
      const out: string[] = [];
      const slots: number[] = [];
      walkAttributes(
        buf,
        off,
        off + len,
        (type, _flags, o, l) => {
          if (l !== size) sizeError(`an IPv${family} address`, String(size), l, o, path);
          slots.push(type);
          out.push(formatIp(buf, o, l)!);
        },
        path,
      );
      if (slots.some((s, i) => s !== i)) {
        Object.defineProperty(out, SLOTS, { value: slots, enumerable: false });
      }
      return out;
    },
    encode(value, path) {
      if (!Array.isArray(value))
        throw new NetlinkEncodeError('BAD_VALUE', 'expected an array of addresses', path);
      const slots = (value as { [SLOTS]?: number[] })[SLOTS];
      const w = new AttributeWriter(64);
      value.forEach((text, i) => {
        const bytes =
          typeof text === 'string' ? (family === 4 ? parseIpv4 : parseIpv6)(text) : undefined;
        if (!bytes) {
          throw new NetlinkEncodeError(
            'BAD_ADDRESS',
            `"${String(text)}" is not an IPv${family} address`,
            `${path}[${i}]`,
          );
        }
        w.binary(slots?.[i] ?? i, bytes);
      });
      return Uint8Array.prototype.slice.call(w.bytes());
    },
    annotate(buf, off, len, path, depth) {
      const out: Annotation[] = [];
      walkAttributes(buf, off, off + len, (type, _flags, o, l) => {
        out.push({
          offset: o - NLA_HDRLEN,
          length: l + NLA_HDRLEN,
          depth,
          path: `${path}[${type}]`,
          constant: undefined,
          kind: 'ipaddr',
          value: JSON.stringify(
            formatIp(buf, o, l) ?? Buffer.from(buf.subarray(o, o + l)).toString('hex'),
          ),
        });
      });
      return out;
    },
  };
}

/**
 * An attribute the kernel reads as NLA_FLAG but reports as a u8 (IFLA_VXLAN_TTL_INHERIT):
 * `true` is the empty flag a request carries, a number the u8 a dump carries.
 */
export const flagOrU8: CustomCodec<true | number> = {
  name: 'flag (request) or u8 (reply)',
  decode(buf, off, len, path) {
    if (len === 0) return true;
    if (len !== 1) sizeError('a flag or u8', '0 or 1', len, off, path);
    return buf[off]!;
  },
  encode(value, path) {
    if (value === true) return new Uint8Array(0);
    return Uint8Array.of(integer(value, 0, 0xff, 'the u8 form', path));
  },
};

/**
 * The YNL "uint": a u32 when the value fits, else a u64 (nla_put_uint). Decoded as a bigint and
 * encoded in the narrowest form, as the kernel does.
 */
export const uintCodec: CustomCodec<bigint> = {
  name: 'uint (u32 or u64)',
  decode(buf, off, len, path) {
    if (len === 4) return BigInt(buf.readUInt32LE(off));
    if (len === 8) return buf.readBigUInt64LE(off);
    return sizeError('a uint', '4 or 8', len, off, path);
  },
  encode(value, path) {
    if (typeof value !== 'bigint' || value < 0n || value >= 2n ** 64n) {
      throw new NetlinkEncodeError(
        'OUT_OF_RANGE',
        `expected a bigint in 0..2^64-1, got ${String(value)}`,
        path,
      );
    }
    const out = Buffer.alloc(value > 0xffffffffn ? 8 : 4);
    if (out.length === 8) out.writeBigUInt64LE(value);
    else out.writeUInt32LE(Number(value));
    return out;
  },
};

/** Tunnel encapsulation (enum tunnel_encap_types, <linux/if_tunnel.h>). */
export const TUNNEL_ENCAP = { none: 0, fou: 1, gue: 2, mpls: 3 } as const;

/** TUNNEL_ENCAP_FLAG_* (<linux/if_tunnel.h>). */
export const TUNNEL_ENCAP_FLAGS = { csum: 0x1, csum6: 0x2, remcsum: 0x4 } as const;

/** IP6_TNL_F_* (<linux/ip6_tunnel.h>): IFLA_GRE_FLAGS of ip6gre, IFLA_IPTUN_FLAGS of ip6tnl. */
export const IP6_TNL_FLAGS = {
  ign_encap_limit: 0x1,
  use_orig_tclass: 0x2,
  use_orig_flowlabel: 0x4,
  mip6_dev: 0x8,
  rcv_dscp_copy: 0x10,
  use_orig_fwmark: 0x20,
  allow_local_remote: 0x40,
} as const;
