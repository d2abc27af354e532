// Netlink message framing (struct nlmsghdr), control messages and acks with extended-ack TLVs.
// No I/O. Constants quote <linux/netlink.h>.
import { NLA_HDRLEN, nlaAlign, walkAttributes } from './attributes.js';
import { NetlinkDecodeError } from './errors.js';
import { defineStruct, struct, u16, u32 } from './struct.js';

/** NLMSG_ALIGNTO */
export const NLMSG_ALIGNTO = 4;
/** NLMSG_HDRLEN: sizeof(struct nlmsghdr). */
export const NLMSG_HDRLEN = 16;

/** NLMSG_ALIGN(len) */
export function nlmsgAlign(len: number): number {
  // Arithmetic, not `&`: nlmsg_len is a u32, and 32-bit bitwise operators would wrap it negative.
  return len + ((NLMSG_ALIGNTO - (len % NLMSG_ALIGNTO)) % NLMSG_ALIGNTO);
}

/** Netlink protocols (socket(2) protocol argument) rtnl knows by name. */
export const NETLINK_ROUTE = 0;
export const NETLINK_SOCK_DIAG = 4;
export const NETLINK_NETFILTER = 12;
export const NETLINK_GENERIC = 16;

/** Control message types, below NLMSG_MIN_TYPE. */
export const NLMSG_NOOP = 0x1;
export const NLMSG_ERROR = 0x2;
export const NLMSG_DONE = 0x3;
export const NLMSG_OVERRUN = 0x4;
export const NLMSG_MIN_TYPE = 0x10;

/** nlmsg_flags. Bits 0x100–0x800 mean different things for GET, NEW, DELETE and ack messages. */
export const NLM_F_REQUEST = 0x01;
export const NLM_F_MULTI = 0x02;
export const NLM_F_ACK = 0x04;
export const NLM_F_ECHO = 0x08;
export const NLM_F_DUMP_INTR = 0x10;
export const NLM_F_DUMP_FILTERED = 0x20;
// Modifiers to GET requests
export const NLM_F_ROOT = 0x100;
export const NLM_F_MATCH = 0x200;
export const NLM_F_ATOMIC = 0x400;
export const NLM_F_DUMP = NLM_F_ROOT | NLM_F_MATCH;
// Modifiers to NEW requests
export const NLM_F_REPLACE = 0x100;
export const NLM_F_EXCL = 0x200;
export const NLM_F_CREATE = 0x400;
export const NLM_F_APPEND = 0x800;
// Modifiers to DELETE requests
export const NLM_F_NONREC = 0x100;
export const NLM_F_BULK = 0x200;
// Flags for ACK messages
export const NLM_F_CAPPED = 0x100;
export const NLM_F_ACK_TLVS = 0x200;

/** enum nlmsgerr_attrs: the extended-ack TLVs that follow an nlmsgerr. */
export const NLMSGERR_ATTR_MSG = 1;
export const NLMSGERR_ATTR_OFFS = 2;
export const NLMSGERR_ATTR_COOKIE = 3;
export const NLMSGERR_ATTR_POLICY = 4;
export const NLMSGERR_ATTR_MISS_TYPE = 5;
export const NLMSGERR_ATTR_MISS_NEST = 6;

/** Socket options at SOL_NETLINK (270). */
export const SOL_NETLINK = 270;
export const NETLINK_ADD_MEMBERSHIP = 1;
export const NETLINK_DROP_MEMBERSHIP = 2;
export const NETLINK_PKTINFO = 3;
export const NETLINK_BROADCAST_ERROR = 4;
export const NETLINK_NO_ENOBUFS = 5;
export const NETLINK_LISTEN_ALL_NSID = 8;
export const NETLINK_LIST_MEMBERSHIPS = 9;
export const NETLINK_CAP_ACK = 10;
export const NETLINK_EXT_ACK = 11;
export const NETLINK_GET_STRICT_CHK = 12;

/** struct nlmsghdr */
export interface Nlmsghdr {
  len: number;
  type: number;
  flags: number;
  seq: number;
  pid: number;
}
export const nlmsghdr = defineStruct<Nlmsghdr>(
  struct([u32('len'), u16('type'), u16('flags'), u32('seq'), u32('pid')], 'nlmsghdr'),
);

/** One message of a datagram. `payload` is a view into the datagram (no copy). */
export interface NetlinkMessage {
  /** nlmsg_len: header plus payload, without trailing padding. */
  length: number;
  type: number;
  flags: number;
  seq: number;
  pid: number;
  payload: Buffer;
}

/** What kind of request a message is, which decides how bits 0x100–0x800 of its flags read. */
export type FlagContext = 'get' | 'new' | 'delete' | 'ack' | 'other';

const COMMON_FLAGS: [number, string][] = [
  [NLM_F_REQUEST, 'REQUEST'],
  [NLM_F_MULTI, 'MULTI'],
  [NLM_F_ACK, 'ACK'],
  [NLM_F_ECHO, 'ECHO'],
  [NLM_F_DUMP_INTR, 'DUMP_INTR'],
  [NLM_F_DUMP_FILTERED, 'DUMP_FILTERED'],
];
const CONTEXT_FLAGS: Record<FlagContext, [number, string][]> = {
  get: [
    [NLM_F_ROOT, 'ROOT'],
    [NLM_F_MATCH, 'MATCH'],
    [NLM_F_ATOMIC, 'ATOMIC'],
  ],
  new: [
    [NLM_F_REPLACE, 'REPLACE'],
    [NLM_F_EXCL, 'EXCL'],
    [NLM_F_CREATE, 'CREATE'],
    [NLM_F_APPEND, 'APPEND'],
  ],
  delete: [
    [NLM_F_NONREC, 'NONREC'],
    [NLM_F_BULK, 'BULK'],
  ],
  ack: [
    [NLM_F_CAPPED, 'CAPPED'],
    [NLM_F_ACK_TLVS, 'ACK_TLVS'],
  ],
  other: [],
};

/**
 * Names of the set bits of nlmsg_flags, read in `context` (`flagNames(0x301, 'get')` →
 * `['REQUEST', 'ROOT', 'MATCH']`). Bits without a name in that context come back as hex.
 */
export function flagNames(flags: number, context: FlagContext = 'other'): string[] {
  const names: string[] = [];
  // nlmsg_flags is a u16: nothing above is a flag (and the bit loop below must end).
  let rest = flags & 0xffff;
  for (const [bit, name] of COMMON_FLAGS) {
    if (rest & bit) {
      names.push(name);
      rest &= ~bit;
    }
  }
  for (const [bit, name] of CONTEXT_FLAGS[context]) {
    if (rest & bit) {
      names.push(name);
      rest &= ~bit;
    }
  }
  for (let bit = 1; rest; bit <<= 1) {
    if (rest & bit) {
      names.push(`0x${bit.toString(16)}`);
      rest &= ~bit;
    }
  }
  return names;
}

/** Names of the control message types. */
export function controlTypeName(type: number): string | undefined {
  return (['', 'NOOP', 'ERROR', 'DONE', 'OVERRUN'] as const)[type] || undefined;
}

/**
 * Split a datagram into messages. Checks the framing the way NLMSG_OK does and fails with the
 * byte offset of the first header that does not fit.
 */
export function parseMessages(datagram: Buffer): NetlinkMessage[] {
  const out: NetlinkMessage[] = [];
  forEachMessage(datagram, (m) => {
    out.push(m);
  });
  return out;
}

/** Walk the messages of a datagram without building an array. */
export function forEachMessage(datagram: Buffer, visit: (m: NetlinkMessage) => void): void {
  const end = datagram.length;
  let off = 0;
  while (off < end) {
    if (end - off < NLMSG_HDRLEN) {
      throw new NetlinkDecodeError(
        'TRUNCATED_HEADER',
        `${end - off} bytes left, too few for a 16-byte nlmsghdr`,
        off,
      );
    }
    const len = datagram.readUInt32LE(off);
    if (len < NLMSG_HDRLEN || len > end - off) {
      throw new NetlinkDecodeError(
        'BAD_LENGTH',
        `nlmsg_len ${len} but ${end - off} bytes remain`,
        off,
      );
    }
    visit({
      length: len,
      type: datagram.readUInt16LE(off + 4),
      flags: datagram.readUInt16LE(off + 6),
      seq: datagram.readUInt32LE(off + 8),
      pid: datagram.readUInt32LE(off + 12),
      payload: datagram.subarray(off + NLMSG_HDRLEN, off + len),
    });
    off += nlmsgAlign(len);
  }
}

/** Frame one message: header + payload (+ padding to 4 bytes). */
export function encodeMessage(header: Omit<Nlmsghdr, 'len'>, payload: Uint8Array): Buffer {
  const len = NLMSG_HDRLEN + payload.length;
  const out = Buffer.alloc(nlmsgAlign(len));
  nlmsghdr.encodeInto({ ...header, len }, out, 0);
  out.set(payload, NLMSG_HDRLEN);
  return out;
}

/** A decoded NLMSG_ERROR (or the errno of an NLMSG_DONE) with its extended ack. */
export interface Ack {
  /** 0 for success, else the negative errno as the kernel sent it. */
  error: number;
  /** The header of the request this answers (echoed by the kernel). */
  request: Nlmsghdr;
  /** The echoed request payload when the ack was not capped (NETLINK_CAP_ACK off); else absent. */
  requestPayload?: Buffer;
  capped: boolean;
  /** NLMSGERR_ATTR_MSG: the kernel's explanation, or a warning on a successful ack. */
  message?: string;
  /** NLMSGERR_ATTR_OFFS: byte offset of the offending attribute from the start of the request's nlmsghdr. */
  offset?: number;
  /** NLMSGERR_ATTR_MISS_TYPE / MISS_NEST */
  missingType?: number;
  missingNest?: number;
  /** NLMSGERR_ATTR_COOKIE and NLMSGERR_ATTR_POLICY, raw. */
  cookie?: Buffer;
  policy?: Buffer;
}

// `buf` is a message payload; errors count from the nlmsghdr, as parseAck's own do.
function readExtAck(ack: Ack, buf: Buffer, start: number, end: number, path: string): void {
  walkAttributes(
    buf,
    start,
    end,
    (type, _flags, off, len) => {
      switch (type) {
        case NLMSGERR_ATTR_MSG: {
          let stop = off + len;
          // The kernel NUL-terminates; tolerate its absence rather than lose the text.
          while (stop > off && buf[stop - 1] === 0) stop--;
          ack.message = buf.toString('utf8', off, stop);
          break;
        }
        case NLMSGERR_ATTR_OFFS:
          if (len === 4) ack.offset = buf.readUInt32LE(off);
          break;
        case NLMSGERR_ATTR_MISS_TYPE:
          if (len === 4) ack.missingType = buf.readUInt32LE(off);
          break;
        case NLMSGERR_ATTR_MISS_NEST:
          if (len === 4) ack.missingNest = buf.readUInt32LE(off);
          break;
        case NLMSGERR_ATTR_COOKIE:
          ack.cookie = buf.subarray(off, off + len);
          break;
        case NLMSGERR_ATTR_POLICY:
          ack.policy = buf.subarray(off, off + len);
          break;
      }
    },
    path,
    NLMSG_HDRLEN,
  );
}

/**
 * Decode the payload of an NLMSG_ERROR message: `struct nlmsgerr { int error; struct nlmsghdr
 * msg; }`, then the rest of the request unless NLM_F_CAPPED, then TLVs if NLM_F_ACK_TLVS.
 */
export function parseAck(msg: NetlinkMessage): Ack {
  const p = msg.payload;
  const minimum = 4 + NLMSG_HDRLEN;
  if (p.length < minimum) {
    throw new NetlinkDecodeError(
      'BAD_PAYLOAD_SIZE',
      `nlmsgerr needs ${minimum} bytes, got ${p.length}`,
      NLMSG_HDRLEN,
      'nlmsgerr',
    );
  }
  const request = nlmsghdr.decode(p, 4);
  const capped = (msg.flags & NLM_F_CAPPED) !== 0;
  const ack: Ack = { error: p.readInt32LE(0), request, capped };
  let tlvStart = minimum;
  if (!capped) {
    // Uncapped: the whole request is echoed (padded), and the TLVs follow it.
    const echoed = nlmsgAlign(request.len);
    if (request.len < NLMSG_HDRLEN || request.len > p.length - 4 || 4 + echoed > p.length) {
      // Some acks (a successful one, or from kernels before 4.12) echo only the header even
      // without CAPPED: accept exactly that, reject anything else.
      if (p.length !== minimum) {
        throw new NetlinkDecodeError(
          'BAD_LENGTH',
          `echoed request claims ${request.len} bytes, only ${p.length - 4} present`,
          NLMSG_HDRLEN + 4,
          'nlmsgerr.msg',
        );
      }
    } else {
      ack.requestPayload = p.subarray(minimum, 4 + request.len);
      tlvStart = 4 + echoed;
    }
  }
  if (msg.flags & NLM_F_ACK_TLVS) readExtAck(ack, p, tlvStart, p.length, 'nlmsgerr.tlvs');
  return ack;
}

/**
 * Decode the payload of an NLMSG_DONE: an int errno (0 or negative), followed by ext-ack TLVs
 * when the dump failed and NLM_F_ACK_TLVS is set. Old kernels may send an empty DONE.
 */
export function parseDone(msg: NetlinkMessage): {
  error: number;
  message?: string;
  offset?: number;
} {
  const p = msg.payload;
  if (p.length < 4) return { error: 0 };
  const ack: Ack = {
    error: p.readInt32LE(0),
    request: { len: 0, type: 0, flags: 0, seq: 0, pid: 0 },
    capped: true,
  };
  if (msg.flags & NLM_F_ACK_TLVS) readExtAck(ack, p, 4, p.length, 'done.tlvs');
  const out: { error: number; message?: string; offset?: number } = { error: ack.error };
  if (ack.message !== undefined) out.message = ack.message;
  if (ack.offset !== undefined) out.offset = ack.offset;
  return out;
}

/** Offset of the first attribute of a request whose fixed header is `fixedSize` bytes. */
export function firstAttributeOffset(fixedSize: number): number {
  return NLMSG_HDRLEN + nlaAlign(fixedSize);
}

/**
 * Find which attribute of a request contains byte `offset` (counted from the nlmsghdr, as
 * NLMSGERR_ATTR_OFFS is). Returns the chain of attribute types from the outside in; `nests`
 * says for a given chain prefix whether to descend (the caller's schema knows which are nests).
 */
export function attributeChainAt(
  request: Uint8Array,
  fixedSize: number,
  offset: number,
  isNest: (chain: readonly number[]) => boolean = () => false,
): number[] {
  const chain: number[] = [];
  let start = firstAttributeOffset(fixedSize);
  let end = request.length;
  for (;;) {
    let found: { type: number; off: number; len: number } | undefined;
    try {
      walkAttributes(request, start, end, (type, _f, off, len) => {
        if (!found && offset >= off - NLA_HDRLEN && offset < off + Math.max(len, 1))
          found = { type, off, len };
      });
    } catch {
      break;
    }
    if (!found) break;
    chain.push(found.type);
    if (offset === found.off - NLA_HDRLEN || !isNest(chain)) break;
    start = found.off;
    end = found.off + found.len;
  }
  return chain;
}
