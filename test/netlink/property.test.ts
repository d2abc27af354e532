// Property tests for every decoder: (1) whatever the bytes, only NetlinkDecodeError escapes;
// (2) attribute runs built independently re-emit byte for byte; (3) encode∘decode is the identity
// on valid link, address and route messages, and encoding again gives the same bytes.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AttributeWriter, parseAttributes } from '../../src/netlink/attributes.js';
import { NetlinkDecodeError } from '../../src/netlink/errors.js';
import { encodeMessage, parseAck, parseDone, parseMessages } from '../../src/netlink/message.js';
import type { StructDef } from '../../src/netlink/struct.js';
import { addressMessage } from '../../src/rtnetlink/address.js';
import { isLinkKind, LINK_SLAVE_DATA } from '../../src/rtnetlink/kinds/index.js';
import {
  ipv4Devconf,
  LINKMODE,
  linkMessage,
  OPERSTATE,
  rtnlLinkStats,
  rtnlLinkStats64,
} from '../../src/rtnetlink/link.js';
import { routeMessage } from '../../src/rtnetlink/route.js';
import {
  align4,
  cat,
  F_NESTED,
  F_NET_BYTEORDER,
  inetNtop6,
  nest,
  nla,
  nlmsg,
  nlmsghdr,
  str,
  u32le,
  zeros,
} from '../helpers/bytes.js';

const ERROR = 2; // NLMSG_ERROR
const DONE = 3; // NLMSG_DONE
const CAPPED = 0x100;
const ACK_TLVS = 0x200;

/** Run `f`; anything thrown must be a NetlinkDecodeError (a TypeError or RangeError is a bug). */
function onlyDecodeErrors(f: () => unknown): void {
  try {
    f();
  } catch (e) {
    if (!(e instanceof NetlinkDecodeError)) {
      throw new Error(`escaped: ${(e as Error)?.stack ?? String(e)}`);
    }
    expect(Number.isInteger(e.offset)).toBe(true);
  }
}

const decoders: [string, (b: Uint8Array) => unknown][] = [
  ['parseMessages', (b) => parseMessages(Buffer.from(b))],
  ['parseAttributes', (b) => parseAttributes(b)],
  ['linkMessage.decode', (b) => linkMessage.decode(b)],
  ['addressMessage.decode', (b) => addressMessage.decode(b)],
  ['routeMessage.decode', (b) => routeMessage.decode(b)],
  ['linkMessage.attributes.annotate', (b) => linkMessage.attributes.annotate(b)],
];

const ackFlags = fc.constantFrom(0, CAPPED, ACK_TLVS, CAPPED | ACK_TLVS, 0xffff);

function ackMessage(flags: number, payload: Uint8Array) {
  const p = Buffer.from(payload);
  return { length: 16 + p.length, type: ERROR, flags, seq: 1, pid: 0, payload: p };
}

// An attribute tree: leaves with payloads of the widths the schemas read (and others), nests of
// trees. Types stay low so most land on declared attributes.
type Tree =
  | { type: number; flags: number; payload: Uint8Array }
  | { type: number; children: Tree[] };
const payload = fc.oneof(
  fc.uint8Array({ maxLength: 24 }),
  fc
    .constantFrom(1, 2, 4, 6, 8, 16, 92, 96, 184, 200)
    .chain((n) => fc.uint8Array({ minLength: n, maxLength: n })),
  fc.string({ maxLength: 12 }).map((s) => str(s)),
);
const { tree } = fc.letrec<{ tree: Tree; leaf: Tree; branch: Tree }>((tie) => ({
  tree: fc.oneof({ depthSize: 'small' }, tie('leaf'), tie('branch')),
  leaf: fc.record({
    type: fc.integer({ min: 0, max: 70 }),
    flags: fc.constantFrom(0, 0, F_NET_BYTEORDER, F_NESTED),
    payload,
  }),
  branch: fc.record({
    type: fc.integer({ min: 0, max: 70 }),
    children: fc.array(tie('tree'), { maxLength: 4 }),
  }),
}));
function serialize(t: Tree): Buffer {
  return 'children' in t
    ? nest(t.type, ...t.children.map(serialize))
    : nla(t.type | t.flags, t.payload);
}

/** Attributes that are mostly well-formed, sometimes cut short or with one byte changed. */
const attributeRun = fc
  .tuple(
    fc.array(tree, { maxLength: 6 }),
    fc.nat(3),
    fc.option(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }))),
  )
  .map(([trees, cut, flip]) => {
    const bytes = cat(...trees.map(serialize));
    const out = bytes.subarray(0, Math.max(0, bytes.length - cut));
    if (flip && out.length > 0) out[flip[0] % out.length] = flip[1];
    return out;
  });

function withHeader(size: number) {
  return fc
    .tuple(fc.uint8Array({ minLength: size, maxLength: size }), attributeRun)
    .map(([h, attrs]) => cat(h, zeros(align4(size) - size), attrs));
}

describe('(1) random bytes only ever raise NetlinkDecodeError', () => {
  it.each(decoders)('%s on random bytes', (_name, decode) => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), (b) => onlyDecodeErrors(() => decode(b))),
      { numRuns: 1000 },
    );
  });

  it.each<[string, StructDef<object>, (b: Uint8Array) => unknown]>([
    ['linkMessage.decode', linkMessage.header as StructDef<object>, (b) => linkMessage.decode(b)],
    [
      'addressMessage.decode',
      addressMessage.header as StructDef<object>,
      (b) => addressMessage.decode(b),
    ],
    [
      'routeMessage.decode',
      routeMessage.header as StructDef<object>,
      (b) => routeMessage.decode(b),
    ],
  ])('%s on mostly well-formed attribute trees', (_name, header, decode) => {
    fc.assert(
      fc.property(withHeader(header.size), (b) => onlyDecodeErrors(() => decode(b))),
      { numRuns: 1000 },
    );
  });

  it('linkMessage.decode when IFLA_INFO_KIND names an Object.prototype member', () => {
    const kind = fc.constantFrom(
      'veth',
      'constructor',
      '__proto__',
      'toString',
      'valueOf',
      'hasOwnProperty',
    );
    fc.assert(
      fc.property(kind, attributeRun, (k, data) =>
        onlyDecodeErrors(() =>
          linkMessage.decode(cat(zeros(16), nest(18, nla(1, str(k)), nest(2, data)))),
        ),
      ),
    );
  });

  it('parseMessages on datagrams of messages with random lengths', () => {
    const message = fc
      .tuple(fc.uint8Array({ maxLength: 40 }), fc.option(fc.integer({ min: 0, max: 80 })))
      .map(([body, len]) => nlmsg(len === null ? { type: 16 } : { type: 16, len }, body));
    fc.assert(
      fc.property(fc.array(message, { maxLength: 5 }), (msgs) =>
        onlyDecodeErrors(() => parseMessages(cat(...msgs))),
      ),
    );
  });

  it('parseAck on a synthetic NLMSG_ERROR with random payload and flags', () => {
    fc.assert(
      fc.property(ackFlags, fc.uint8Array({ maxLength: 128 }), (flags, p) =>
        onlyDecodeErrors(() => parseAck(ackMessage(flags, p))),
      ),
      { numRuns: 1000 },
    );
  });

  it('parseAck on NLMSG_ERROR with a plausible nlmsgerr and TLVs after it', () => {
    const echoedLen = fc.oneof(
      fc.integer({ min: 0, max: 64 }),
      fc.constantFrom(0x7fffffff, 0x80000000, 0xfffffffc, 0xffffffff),
    );
    fc.assert(
      fc.property(
        ackFlags,
        fc.integer({ min: -4095, max: 0 }),
        echoedLen,
        fc.uint8Array({ maxLength: 48 }),
        attributeRun,
        (flags, error, len, echoed, tlvs) =>
          onlyDecodeErrors(() =>
            parseAck(
              ackMessage(flags, cat(u32le(error), nlmsghdr({ len, type: 16 }), echoed, tlvs)),
            ),
          ),
      ),
      { numRuns: 1000 },
    );
  });

  it('parseDone on random payloads and flags', () => {
    fc.assert(
      fc.property(ackFlags, fc.uint8Array({ maxLength: 64 }), (flags, p) =>
        onlyDecodeErrors(() =>
          parseDone({
            length: 16 + p.length,
            type: DONE,
            flags,
            seq: 0,
            pid: 0,
            payload: Buffer.from(p),
          }),
        ),
      ),
    );
  });

  it('pathAt never throws: it names what it can and gives up on the rest', () => {
    fc.assert(
      fc.property(withHeader(32), fc.nat(400), (b, offset) => {
        const request = Buffer.from(b);
        const path = linkMessage.pathAt(request, offset);
        expect(path === undefined || path.startsWith('link.')).toBe(true);
      }),
    );
  });
});

describe('(2) attribute runs built independently re-emit byte for byte', () => {
  const attr = fc.record({
    type: fc.integer({ min: 1, max: 0x3fff }),
    flags: fc.constantFrom(0, F_NET_BYTEORDER, F_NESTED, F_NESTED | F_NET_BYTEORDER),
    data: fc.uint8Array({ maxLength: 300 }),
  });

  it('parseAttributes → AttributeWriter.binary(type, data, flags) gives the same bytes', () => {
    fc.assert(
      fc.property(fc.array(attr, { maxLength: 12 }), (attrs) => {
        const bytes = cat(...attrs.map((a) => nla(a.type | a.flags, a.data)));
        const parsed = parseAttributes(bytes);
        expect(
          parsed.map((a) => ({ type: a.type, flags: a.flags, data: new Uint8Array(a.data) })),
        ).toEqual(attrs);
        const w = new AttributeWriter(8);
        for (const a of parsed) w.binary(a.type, a.data, a.flags);
        expect(Buffer.from(w.bytes())).toEqual(bytes);
      }),
    );
  });

  it('the last attribute may leave its padding off', () => {
    fc.assert(
      fc.property(fc.array(attr, { minLength: 1, maxLength: 6 }), (attrs) => {
        const bytes = cat(...attrs.map((a) => nla(a.type | a.flags, a.data)));
        const last = attrs.at(-1)!;
        const trimmed = bytes.subarray(
          0,
          bytes.length - (align4(4 + last.data.length) - 4 - last.data.length),
        );
        expect(parseAttributes(trimmed).map((a) => a.type)).toEqual(attrs.map((a) => a.type));
      }),
    );
  });

  it('encodeMessage and parseMessages agree with the builder on any run of messages', () => {
    const message = fc.record({
      type: fc.integer({ min: 0, max: 0xffff }),
      flags: fc.integer({ min: 0, max: 0xffff }),
      seq: fc.integer({ min: 0, max: 0xffffffff }),
      pid: fc.integer({ min: 0, max: 0xffffffff }),
      payload: fc.uint8Array({ maxLength: 64 }).map((a) => Buffer.from(a)),
    });
    fc.assert(
      fc.property(fc.array(message, { maxLength: 6 }), (msgs) => {
        const datagram = cat(...msgs.map(({ payload: p, ...h }) => nlmsg(h, p)));
        expect(cat(...msgs.map(({ payload: p, ...h }) => encodeMessage(h, p)))).toEqual(datagram);
        expect(
          parseMessages(datagram).map(({ type, flags, seq, pid, payload: p }) => ({
            type,
            flags,
            seq,
            pid,
            payload: p,
          })),
        ).toEqual(msgs);
      }),
    );
  });
});

// ---- (3) valid values -------------------------------------------------------------------------

const u8v = fc.integer({ min: 0, max: 0xff });
const u16v = fc.integer({ min: 0, max: 0xffff });
const u32v = fc.integer({ min: 0, max: 0xffffffff });
const s32v = fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
const u64v = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n });
// Any text UTF-8 can carry, without NUL (strings travel NUL-terminated).
const text = fc.string({ unit: 'binary', maxLength: 16 }).filter((s) => !s.includes('\0'));
const bytes = (max = 24) => fc.uint8Array({ maxLength: max }).map((a) => Buffer.from(a));
const lladdr = fc
  .uint8Array({ minLength: 1, maxLength: 20 })
  .map((b) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(':'));
const ipv4 = fc.tuple(u8v, u8v, u8v, u8v).map((q) => q.join('.'));
const ipv6 = fc
  .array(fc.oneof(fc.constant(0), fc.constant(0), fc.constant(0xffff), u16v), {
    minLength: 8,
    maxLength: 8,
  })
  .map((words) => {
    const b = Buffer.alloc(16);
    for (const [i, w] of words.entries()) b.writeUInt16BE(w, 2 * i);
    return inetNtop6(b);
  });
const ip = fc.oneof(ipv4, ipv6);
const optional = { requiredKeys: [] as never[], noNullPrototype: true };

/** Every visible field of a struct, from the struct's own field list. */
function structValue(def: StructDef<object>, field: fc.Arbitrary<unknown>) {
  const names = def.fields.map((f) => f.name).filter((n) => !n.startsWith('_'));
  return fc
    .tuple(...names.map(() => field))
    .map((vs) => Object.fromEntries(names.map((n, i) => [n, vs[i]])));
}

const linkValue = fc.record(
  {
    header: fc.record(
      { family: u8v, type: u16v, index: s32v, flags: u32v, change: u32v },
      { noNullPrototype: true },
    ),
    attributes: fc.record(
      {
        address: lladdr,
        broadcast: lladdr,
        ifname: text,
        mtu: u32v,
        link: u32v,
        qdisc: text,
        stats: structValue(rtnlLinkStats as StructDef<object>, u32v),
        master: u32v,
        txqlen: u32v,
        operstate: fc.oneof(
          fc.constantFrom(...Object.keys(OPERSTATE)),
          fc.integer({ min: 7, max: 255 }),
        ),
        linkmode: fc.oneof(
          fc.constantFrom(...Object.keys(LINKMODE)),
          fc.integer({ min: 3, max: 255 }),
        ),
        // Kinds without a declared set, whose data stays raw bytes.
        linkinfo: fc.record(
          {
            kind: text.filter((k) => !isLinkKind(k)),
            data: bytes(),
            xstats: bytes(),
            slaveKind: text.filter((k) => !Object.hasOwn(LINK_SLAVE_DATA, k)),
            slaveData: bytes(),
          },
          optional,
        ),
        ifalias: text,
        stats64: structValue(rtnlLinkStats64 as StructDef<object>, u64v),
        afSpec: fc.record(
          {
            inet: fc.record(
              { conf: structValue(ipv4Devconf as StructDef<object>, u32v) },
              { noNullPrototype: true },
            ),
          },
          optional,
        ),
        group: u32v,
        promiscuity: u32v,
        carrier: u8v,
        physPortId: bytes(),
        linkNetnsid: s32v,
        physPortName: text,
        protoDown: u8v,
        xdp: fc.record({ fd: s32v, progId: u32v }, optional),
        newNetnsid: s32v,
        targetNetnsid: s32v,
        newIfindex: s32v,
        minMtu: u32v,
        maxMtu: u32v,
        propList: fc.record(
          { altIfname: fc.array(text, { minLength: 1, maxLength: 3 }) },
          optional,
        ),
        altIfname: text,
        permAddress: lladdr,
        parentDevName: text,
        groMaxSize: u32v,
        allmulti: u32v,
        groIpv4MaxSize: u32v,
      },
      optional,
    ),
  },
  { noNullPrototype: true },
);

// IFA_F_* in <linux/if_addr.h> order, to name the bits of IFA_FLAGS independently.
const IFA_F: [string, number][] = [
  ['secondary', 0x01],
  ['nodad', 0x02],
  ['optimistic', 0x04],
  ['dadfailed', 0x08],
  ['homeaddress', 0x10],
  ['deprecated', 0x20],
  ['tentative', 0x40],
  ['permanent', 0x80],
  ['managetempaddr', 0x100],
  ['noprefixroute', 0x200],
  ['mcautojoin', 0x400],
  ['stableprivacy', 0x800],
];
const ifaFlags = u32v.map((raw) => ({
  names: IFA_F.filter(([, bit]) => (raw & bit) !== 0).map(([n]) => n),
  raw,
}));

const addressValue = fc.record(
  {
    header: fc.record(
      { family: u8v, prefixlen: u8v, flags: u8v, scope: u8v, index: u32v },
      { noNullPrototype: true },
    ),
    attributes: fc.record(
      {
        address: ip,
        local: ip,
        label: text,
        broadcast: ip,
        anycast: ip,
        cacheinfo: fc.record(
          { ifa_prefered: u32v, ifa_valid: u32v, cstamp: u32v, tstamp: u32v },
          { noNullPrototype: true },
        ),
        multicast: ip,
        flags: ifaFlags,
        rtPriority: u32v,
        targetNetnsid: s32v,
        // IFAPROT_* by name; other numbers stay numbers.
        proto: fc.oneof(
          fc.constantFrom('unspec', 'kernel_lo', 'kernel_ra', 'kernel_ll'),
          fc.integer({ min: 4, max: 0xff }),
        ),
      },
      optional,
    ),
  },
  { noNullPrototype: true },
);

// RTNH_F_* and RTAX_LOCK bits in <linux/rtnetlink.h> order, to name them independently.
const RTNH: [string, number][] = [
  ['dead', 1],
  ['pervasive', 2],
  ['onlink', 4],
  ['offload', 8],
  ['linkdown', 16],
  ['unresolved', 32],
  ['trap', 64],
];
const rtnhFlags = u8v.map((raw) => ({
  names: RTNH.filter(([, bit]) => (raw & bit) !== 0).map(([n]) => n),
  raw,
}));
const RTAX = [
  'mtu',
  'window',
  'rtt',
  'rttvar',
  'ssthresh',
  'cwnd',
  'advmss',
  'reordering',
  'hoplimit',
  'initcwnd',
  'features',
  'rtoMin',
  'initrwnd',
  'quickack',
  'ccAlgo',
  'fastopenNoCookie',
];
const rtaxLock = u32v.map((raw) => ({
  names: RTAX.filter((_, i) => (raw & (1 << (i + 2))) !== 0),
  raw,
}));
// struct mpls_label entries (label 20 bits, tc 3, bottom of stack, ttl 8).
const labels = fc.array(
  fc.record(
    {
      label: fc.integer({ min: 0, max: 0xfffff }),
      tc: fc.integer({ min: 0, max: 7 }),
      bos: fc.boolean(),
      ttl: u8v,
    },
    { noNullPrototype: true },
  ),
  { maxLength: 3 },
);

const routeValue = fc.record(
  {
    header: fc.record(
      {
        family: u8v,
        dst_len: u8v,
        src_len: u8v,
        tos: u8v,
        table: u8v,
        protocol: u8v,
        scope: u8v,
        type: u8v,
        flags: u32v,
      },
      { noNullPrototype: true },
    ),
    attributes: fc.record(
      {
        dst: ip,
        src: ip,
        iif: u32v,
        oif: u32v,
        gateway: ip,
        priority: u32v,
        prefsrc: ip,
        metrics: fc.record(
          { lock: rtaxLock, mtu: u32v, window: u32v, advmss: u32v, ccAlgo: text, rtoMin: u32v },
          optional,
        ),
        multipath: fc.array(
          fc.record(
            {
              flags: rtnhFlags,
              hops: u8v,
              ifindex: s32v,
              attributes: fc.record({ gateway: ip, flow: u32v, newdst: labels }, optional),
            },
            { noNullPrototype: true },
          ),
          { maxLength: 3 },
        ),
        flow: u32v,
        cacheinfo: fc.record(
          {
            rta_clntref: u32v,
            rta_lastuse: u32v,
            rta_expires: s32v,
            rta_error: u32v,
            rta_used: u32v,
            rta_id: u32v,
            rta_ts: u32v,
            rta_tsage: u32v,
          },
          { noNullPrototype: true },
        ),
        table: u32v,
        mark: u32v,
        via: ip.map((address) => ({ family: address.includes(':') ? 'inet6' : 'inet', address })),
        newdst: labels,
        pref: fc.constantFrom('low', 'medium', 'high'),
        encapType: fc.oneof(
          fc.constantFrom('none', 'ila', 'rpl'),
          fc.integer({ min: 11, max: 0xffff }),
        ),
        expires: u32v,
        uid: u32v,
        ttlPropagate: u8v,
        ipProto: u8v,
        sport: u16v,
        dport: u16v,
        nhId: u32v,
        flowlabel: u32v,
      },
      optional,
    ),
  },
  { noNullPrototype: true },
);

describe('(3) encode∘decode is the identity on valid messages', () => {
  it.each<
    [
      string,
      { encode(w: AttributeWriter, v: never): void; decode(b: Uint8Array): unknown },
      fc.Arbitrary<object>,
    ]
  >([
    ['link', linkMessage as never, linkValue],
    ['address', addressMessage as never, addressValue],
    ['route', routeMessage as never, routeValue],
  ])('%s', (_name, schema, value) => {
    const encode = (v: unknown) => {
      const w = new AttributeWriter();
      schema.encode(w, v as never);
      return Buffer.from(w.bytes());
    };
    fc.assert(
      fc.property(value, (v) => {
        const wire = encode(v);
        const decoded = schema.decode(wire);
        expect(decoded).toStrictEqual(v);
        expect(encode(decoded)).toEqual(wire);
      }),
      { numRuns: 300 },
    );
  });
});
