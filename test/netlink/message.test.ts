// struct nlmsghdr framing, flags, acks (NLMSG_ERROR with extended-ack TLVs) and NLMSG_DONE.
// Expected bytes come from test/helpers/bytes.ts; acks are laid out as netlink_ack() in
// net/netlink/af_netlink.c builds them.
import { describe, expect, it } from 'vitest';
import { NetlinkDecodeError, NetlinkEncodeError } from '../../src/netlink/errors.js';
import {
  type Ack,
  attributeChainAt,
  controlTypeName,
  encodeMessage,
  type FlagContext,
  firstAttributeOffset,
  flagNames,
  forEachMessage,
  type NetlinkMessage,
  NLM_F_ACK,
  NLM_F_ACK_TLVS,
  NLM_F_APPEND,
  NLM_F_ATOMIC,
  NLM_F_BULK,
  NLM_F_CAPPED,
  NLM_F_CREATE,
  NLM_F_DUMP,
  NLM_F_DUMP_FILTERED,
  NLM_F_DUMP_INTR,
  NLM_F_ECHO,
  NLM_F_EXCL,
  NLM_F_MATCH,
  NLM_F_MULTI,
  NLM_F_NONREC,
  NLM_F_REPLACE,
  NLM_F_REQUEST,
  NLM_F_ROOT,
  NLMSG_DONE,
  NLMSG_ERROR,
  NLMSG_HDRLEN,
  NLMSG_MIN_TYPE,
  NLMSG_NOOP,
  NLMSG_OVERRUN,
  NLMSGERR_ATTR_COOKIE,
  NLMSGERR_ATTR_MISS_NEST,
  NLMSGERR_ATTR_MISS_TYPE,
  NLMSGERR_ATTR_MSG,
  NLMSGERR_ATTR_OFFS,
  NLMSGERR_ATTR_POLICY,
  nlmsgAlign,
  nlmsghdr,
  parseAck,
  parseDone,
  parseMessages,
} from '../../src/netlink/message.js';
import {
  cat,
  nlmsghdr as hdr,
  hex,
  nest,
  nla,
  nlmsg,
  str,
  u8,
  u32le,
  utf8,
  zeros,
} from '../helpers/bytes.js';
import { caught } from '../helpers/caught.js';

// Wire values written out from <linux/netlink.h>, independent of the module under test.
const ERROR = 2;
const DONE = 3;
const CAPPED = 0x100;
const ACK_TLVS = 0x200;
const RTM_NEWLINK = 16;
const RTM_NEWADDR = 20;

/** Parse a datagram holding exactly one message. */
function one(datagram: Buffer): NetlinkMessage {
  const msgs = parseMessages(datagram);
  expect(msgs).toHaveLength(1);
  return msgs[0]!;
}

describe('constants from <linux/netlink.h>', () => {
  it.each([
    ['NLMSG_HDRLEN', NLMSG_HDRLEN, 16],
    ['NLMSG_NOOP', NLMSG_NOOP, 1],
    ['NLMSG_ERROR', NLMSG_ERROR, 2],
    ['NLMSG_DONE', NLMSG_DONE, 3],
    ['NLMSG_OVERRUN', NLMSG_OVERRUN, 4],
    ['NLMSG_MIN_TYPE', NLMSG_MIN_TYPE, 0x10],
    ['NLM_F_REQUEST', NLM_F_REQUEST, 0x1],
    ['NLM_F_MULTI', NLM_F_MULTI, 0x2],
    ['NLM_F_ACK', NLM_F_ACK, 0x4],
    ['NLM_F_ECHO', NLM_F_ECHO, 0x8],
    ['NLM_F_DUMP_INTR', NLM_F_DUMP_INTR, 0x10],
    ['NLM_F_DUMP_FILTERED', NLM_F_DUMP_FILTERED, 0x20],
    ['NLM_F_ROOT', NLM_F_ROOT, 0x100],
    ['NLM_F_MATCH', NLM_F_MATCH, 0x200],
    ['NLM_F_ATOMIC', NLM_F_ATOMIC, 0x400],
    ['NLM_F_DUMP', NLM_F_DUMP, 0x300],
    ['NLM_F_REPLACE', NLM_F_REPLACE, 0x100],
    ['NLM_F_EXCL', NLM_F_EXCL, 0x200],
    ['NLM_F_CREATE', NLM_F_CREATE, 0x400],
    ['NLM_F_APPEND', NLM_F_APPEND, 0x800],
    ['NLM_F_NONREC', NLM_F_NONREC, 0x100],
    ['NLM_F_BULK', NLM_F_BULK, 0x200],
    ['NLM_F_CAPPED', NLM_F_CAPPED, 0x100],
    ['NLM_F_ACK_TLVS', NLM_F_ACK_TLVS, 0x200],
    ['NLMSGERR_ATTR_MSG', NLMSGERR_ATTR_MSG, 1],
    ['NLMSGERR_ATTR_OFFS', NLMSGERR_ATTR_OFFS, 2],
    ['NLMSGERR_ATTR_COOKIE', NLMSGERR_ATTR_COOKIE, 3],
    ['NLMSGERR_ATTR_POLICY', NLMSGERR_ATTR_POLICY, 4],
    ['NLMSGERR_ATTR_MISS_TYPE', NLMSGERR_ATTR_MISS_TYPE, 5],
    ['NLMSGERR_ATTR_MISS_NEST', NLMSGERR_ATTR_MISS_NEST, 6],
  ])('%s = %i', (_name, actual, expected) => {
    expect(actual).toBe(expected);
  });

  it.each([
    [0, 0],
    [1, 4],
    [16, 16],
    [17, 20],
    [38, 40],
  ])('NLMSG_ALIGN(%i) = %i', (len, aligned) => {
    expect(nlmsgAlign(len)).toBe(aligned);
  });

  it.each([
    [16, 32],
    [12, 28],
    [8, 24],
    [5, 24],
    [0, 16],
  ])('firstAttributeOffset(%i) = %i', (fixed, offset) => {
    expect(firstAttributeOffset(fixed)).toBe(offset);
  });
});

describe('struct nlmsghdr', () => {
  const bytes = hex('28 00 00 00  14 00  05 06  07 00 00 00  d2 04 00 00');
  const value = { len: 40, type: 20, flags: 0x605, seq: 7, pid: 1234 };

  it('decodes field by field', () => {
    expect(nlmsghdr.size).toBe(16);
    expect(nlmsghdr.decode(bytes)).toEqual(value);
  });

  it('encodes field by field', () => {
    expect(nlmsghdr.encode(value)).toEqual(bytes);
  });
});

describe('encodeMessage', () => {
  it.each([0, 1, 2, 3, 4, 5, 8])(
    'payload of %i bytes: nlmsg_len excludes padding, zeros pad',
    (n) => {
      const payload = Buffer.alloc(n, 0xab);
      const header = { type: RTM_NEWLINK, flags: 0x605, seq: 0xfffffffe, pid: 0 };
      expect(encodeMessage(header, payload)).toEqual(nlmsg(header, payload));
    },
  );

  it('rejects a header field out of range, naming it', () => {
    let e: unknown;
    try {
      encodeMessage({ type: 0x10000, flags: 0, seq: 0, pid: 0 }, Buffer.alloc(0));
    } catch (err) {
      e = err;
    }
    expect(e).toBeInstanceOf(NetlinkEncodeError);
    expect(e).toMatchObject({ code: 'OUT_OF_RANGE', path: 'nlmsghdr.type' });
  });
});

describe('parseMessages / forEachMessage', () => {
  it('splits several messages per datagram, NLMSG_ALIGN between them', () => {
    const datagram = cat(
      nlmsg({ type: RTM_NEWLINK, flags: NLM_F_MULTI, seq: 1, pid: 99 }, hex('01')), // len 17, 20 on the wire
      nlmsg({ type: RTM_NEWLINK, flags: NLM_F_MULTI, seq: 1, pid: 99 }, hex('02 03 04 05 06')), // len 21
      nlmsg({ type: DONE, flags: NLM_F_MULTI, seq: 1, pid: 99 }, u32le(0)),
    );
    const msgs = parseMessages(datagram);
    expect(
      msgs.map((m) => [m.length, m.type, m.flags, m.seq, m.pid, m.payload.toString('hex')]),
    ).toEqual([
      [17, RTM_NEWLINK, 2, 1, 99, '01'],
      [21, RTM_NEWLINK, 2, 1, 99, '0203040506'],
      [20, DONE, 2, 1, 99, '00000000'],
    ]);
  });

  it('accepts a last message without its padding', () => {
    const datagram = nlmsg({ type: RTM_NEWLINK }, hex('aa bb')).subarray(0, 18);
    expect(one(datagram).payload).toEqual(hex('aa bb'));
  });

  it('accepts an empty datagram', () => {
    expect(parseMessages(Buffer.alloc(0))).toEqual([]);
  });

  it('payloads are views into the datagram', () => {
    const datagram = nlmsg({ type: RTM_NEWLINK }, hex('01 02 03 04'));
    const m = one(datagram);
    datagram[16] = 0x99;
    expect(m.payload[0]).toBe(0x99);
  });

  it('forEachMessage visits the same messages', () => {
    const datagram = cat(nlmsg({ type: 16, seq: 1 }), nlmsg({ type: 17, seq: 2 }, hex('00')));
    const seen: number[] = [];
    forEachMessage(datagram, (m) => seen.push(m.type, m.seq, m.payload.length));
    expect(seen).toEqual([16, 1, 0, 17, 2, 1]);
  });

  it.each<[string, string, number, Buffer]>([
    ['1 byte', 'TRUNCATED_HEADER', 0, hex('10')],
    ['15 bytes', 'TRUNCATED_HEADER', 0, zeros(15)],
    [
      '8 bytes after a message',
      'TRUNCATED_HEADER',
      20,
      cat(nlmsg({ type: 16 }, u32le(1)), zeros(8)),
    ],
    ['nlmsg_len 0', 'BAD_LENGTH', 0, hdr({ len: 0, type: 16 })],
    ['nlmsg_len 15', 'BAD_LENGTH', 0, hdr({ len: 15, type: 16 })],
    ['nlmsg_len past the end', 'BAD_LENGTH', 0, cat(hdr({ len: 32, type: 16 }), zeros(4))],
    ['nlmsg_len 2^32-1', 'BAD_LENGTH', 0, hdr({ len: 0xffffffff, type: 16 })],
    [
      'second message past the end',
      'BAD_LENGTH',
      20,
      cat(nlmsg({ type: 16 }, hex('01')), hdr({ len: 24, type: 16 }), zeros(4)),
    ],
  ])('%s → %s at byte %i', (_name, code, offset, datagram) => {
    const e = caught<NetlinkDecodeError>(() => parseMessages(datagram));
    expect(e).toBeInstanceOf(NetlinkDecodeError);
    expect(e.code).toBe(code);
    expect(e.offset).toBe(offset);
    expect(e.message).toContain(`at byte ${offset}`);
  });
});

describe('flagNames', () => {
  it.each<[number, FlagContext | undefined, string[]]>([
    [0, undefined, []],
    [0x1, undefined, ['REQUEST']],
    [0x3f, 'other', ['REQUEST', 'MULTI', 'ACK', 'ECHO', 'DUMP_INTR', 'DUMP_FILTERED']],
    [0x301, 'get', ['REQUEST', 'ROOT', 'MATCH']],
    [0x701, 'get', ['REQUEST', 'ROOT', 'MATCH', 'ATOMIC']],
    [0x605, 'new', ['REQUEST', 'ACK', 'EXCL', 'CREATE']],
    [0x905, 'new', ['REQUEST', 'ACK', 'REPLACE', 'APPEND']],
    [0x105, 'delete', ['REQUEST', 'ACK', 'NONREC']],
    [0x205, 'delete', ['REQUEST', 'ACK', 'BULK']],
    [0x300, 'ack', ['CAPPED', 'ACK_TLVS']],
    [0x202, 'ack', ['MULTI', 'ACK_TLVS']],
    // The same bits mean nothing by name outside their context: they come back as hex.
    [0x100, 'other', ['0x100']],
    [0x800, 'get', ['0x800']],
    [0x400, 'delete', ['0x400']],
    [0x400, 'ack', ['0x400']],
    [0x1040, 'new', ['0x40', '0x1000']],
    [0x8001, undefined, ['REQUEST', '0x8000']],
  ])('flagNames(%s, %s)', (flags, context, names) => {
    expect(flagNames(flags, context)).toEqual(names);
  });
});

describe('controlTypeName', () => {
  it.each<[number, string | undefined]>([
    [0, undefined],
    [1, 'NOOP'],
    [2, 'ERROR'],
    [3, 'DONE'],
    [4, 'OVERRUN'],
    [5, undefined],
    [16, undefined],
  ])('%i → %s', (type, name) => {
    expect(controlTypeName(type)).toBe(name);
  });
});

// A 40-byte RTM_NEWADDR request: nlmsghdr, ifaddrmsg, IFA_LOCAL, IFA_ADDRESS.
const request40 = nlmsg(
  { type: RTM_NEWADDR, flags: 0x605, seq: 9, pid: 0 },
  hex('02 18 00 00  01 00 00 00'), // ifaddrmsg: AF_INET, /24, flags 0, scope 0, ifindex 1
  nla(2, hex('c0 00 02 01')), // IFA_LOCAL 192.0.2.1
  nla(1, hex('c0 00 02 01')), // IFA_ADDRESS
);
// A 38-byte request, whose echo the kernel pads to 40 (nlmsg_append aligns).
const request38 = nlmsg(
  { type: RTM_NEWLINK, flags: 0x5, seq: 3 },
  zeros(16),
  nla(3, str('x')).subarray(0, 6), // IFLA_IFNAME "x", its padding left off
);
const hdr40 = { len: 40, type: RTM_NEWADDR, flags: 0x605, seq: 9, pid: 0 };

describe('parseAck', () => {
  it.each<[string, Buffer, Ack]>([
    [
      'a success ack (capped, no TLVs)',
      nlmsg({ type: ERROR, flags: CAPPED, seq: 9, pid: 0 }, u32le(0), request40.subarray(0, 16)),
      { error: 0, request: hdr40, capped: true },
    ],
    [
      'an ack warning: error 0 with NLMSGERR_ATTR_MSG',
      nlmsg(
        { type: ERROR, flags: CAPPED | ACK_TLVS, seq: 9 },
        u32le(0),
        request40.subarray(0, 16),
        nla(1, str('Warning: sch_htb: quantum of class 10001 is big. Consider r2q change.')),
      ),
      {
        error: 0,
        request: hdr40,
        capped: true,
        message: 'Warning: sch_htb: quantum of class 10001 is big. Consider r2q change.',
      },
    ],
    [
      'a capped error with MSG and OFFS',
      nlmsg(
        { type: ERROR, flags: CAPPED | ACK_TLVS, seq: 9 },
        u32le(-22),
        request40.subarray(0, 16),
        nla(1, str('Invalid address')),
        nla(2, u32le(32)),
      ),
      { error: -22, request: hdr40, capped: true, message: 'Invalid address', offset: 32 },
    ],
    [
      'an uncapped error echoing the whole 40-byte request, then TLVs',
      nlmsg(
        { type: ERROR, flags: ACK_TLVS, seq: 9 },
        u32le(-17),
        request40,
        nla(1, str('ipv4: Address already assigned')),
        nla(2, u32le(24)),
      ),
      {
        error: -17,
        request: hdr40,
        requestPayload: request40.subarray(16),
        capped: false,
        message: 'ipv4: Address already assigned',
        offset: 24,
      },
    ],
    [
      'an uncapped error echoing a 38-byte request padded to 40',
      nlmsg(
        { type: ERROR, flags: ACK_TLVS, seq: 3 },
        u32le(-95),
        request38,
        nla(1, str('Unknown device type')),
      ),
      {
        error: -95,
        request: { len: 38, type: RTM_NEWLINK, flags: 5, seq: 3, pid: 0 },
        requestPayload: request38.subarray(16, 38),
        capped: false,
        message: 'Unknown device type',
      },
    ],
    [
      'an uncapped error without TLVs',
      nlmsg({ type: ERROR, flags: 0, seq: 9 }, u32le(-17), request40),
      { error: -17, request: hdr40, requestPayload: request40.subarray(16), capped: false },
    ],
    [
      'MISS_TYPE and MISS_NEST',
      nlmsg(
        { type: ERROR, flags: CAPPED | ACK_TLVS, seq: 9 },
        u32le(-22),
        request40.subarray(0, 16),
        nla(1, str('Missing attribute')),
        nla(5, u32le(3)),
        nla(6, u32le(32)),
      ),
      {
        error: -22,
        request: hdr40,
        capped: true,
        message: 'Missing attribute',
        missingType: 3,
        missingNest: 32,
      },
    ],
    [
      'COOKIE and POLICY kept raw',
      nlmsg(
        { type: ERROR, flags: CAPPED | ACK_TLVS, seq: 9 },
        u32le(-34),
        request40.subarray(0, 16),
        nla(3, hex('01 02 03 04 05 06 07 08')),
        nest(4, nla(1, u32le(3)), nla(5, u32le(68)), nla(6, u32le(65535))),
      ),
      {
        error: -34,
        request: hdr40,
        capped: true,
        cookie: hex('01 02 03 04 05 06 07 08'),
        policy: cat(nla(1, u32le(3)), nla(5, u32le(68)), nla(6, u32le(65535))),
      },
    ],
    [
      'a message without its NUL, and TLVs it does not know, and OFFS of the wrong size',
      nlmsg(
        { type: ERROR, flags: CAPPED | ACK_TLVS, seq: 9 },
        u32le(-22),
        request40.subarray(0, 16),
        nla(99, hex('ff')),
        nla(1, utf8('no nul')),
        nla(2, hex('20 00')),
      ),
      { error: -22, request: hdr40, capped: true, message: 'no nul' },
    ],
    [
      'TLVs ignored without NLM_F_ACK_TLVS',
      nlmsg(
        { type: ERROR, flags: CAPPED, seq: 9 },
        u32le(-22),
        request40.subarray(0, 16),
        nla(1, str('x')),
      ),
      { error: -22, request: hdr40, capped: true },
    ],
    [
      'an old kernel: not capped, only the header echoed',
      nlmsg({ type: ERROR, flags: 0, seq: 9 }, u32le(0), request40.subarray(0, 16)),
      { error: 0, request: hdr40, capped: false },
    ],
  ])('%s', (_name, datagram, expected) => {
    const ack = parseAck(one(datagram));
    expect(ack).toStrictEqual(expected);
  });

  it('requestPayload and TLV payloads are views of the datagram', () => {
    const datagram = nlmsg(
      { type: ERROR, flags: ACK_TLVS },
      u32le(-17),
      request40,
      nla(3, hex('aa')),
    );
    const ack = parseAck(one(datagram));
    expect(ack.requestPayload?.buffer).toBe(datagram.buffer);
    expect(ack.cookie?.buffer).toBe(datagram.buffer);
  });

  it.each<[string, string, number, string, Buffer]>([
    [
      'a payload shorter than struct nlmsgerr',
      'BAD_PAYLOAD_SIZE',
      16,
      'nlmsgerr',
      nlmsg({ type: ERROR }, u32le(-1), zeros(15)),
    ],
    ['an empty payload', 'BAD_PAYLOAD_SIZE', 16, 'nlmsgerr', nlmsg({ type: ERROR })],
    [
      'an uncapped echo shorter than the request it claims',
      'BAD_LENGTH',
      20,
      'nlmsgerr.msg',
      nlmsg({ type: ERROR }, u32le(-17), request40.subarray(0, 30)),
    ],
    [
      'an uncapped echo whose nlmsg_len is below 16',
      'BAD_LENGTH',
      20,
      'nlmsgerr.msg',
      nlmsg({ type: ERROR }, u32le(-17), hdr({ len: 8, type: 16 }), zeros(8)),
    ],
  ])('%s → %s at byte %i', (_name, code, offset, path, datagram) => {
    const e = caught<NetlinkDecodeError>(() => parseAck(one(datagram)));
    expect(e).toBeInstanceOf(NetlinkDecodeError);
    expect(e.code).toBe(code);
    expect(e.offset).toBe(offset);
    expect(e.path).toBe(path);
  });

  // The echoed nlmsg_len is a u32 from the wire; NLMSG_ALIGN done with 32-bit `&` turns values
  // of 2^31 and more negative, and the check that the echo fits then passes.
  it.each([0x80000000, 0xfffffffc, 0xffffffff])(
    'an uncapped echo claiming nlmsg_len %i is BAD_LENGTH, not accepted',
    (len) => {
      for (const flags of [0, ACK_TLVS]) {
        const datagram = nlmsg(
          { type: ERROR, flags },
          u32le(-17),
          hdr({ len, type: 16 }),
          nla(1, str('x')),
        );
        const e = caught<NetlinkDecodeError>(() => parseAck(one(datagram)));
        expect(e).toBeInstanceOf(NetlinkDecodeError);
        expect(e.code).toBe('BAD_LENGTH');
        expect(e.offset).toBe(20);
      }
    },
  );

  it('a TLV framing error names nlmsgerr.tlvs', () => {
    const datagram = nlmsg(
      { type: ERROR, flags: CAPPED | ACK_TLVS },
      u32le(-22),
      request40.subarray(0, 16),
      nla(1, str('ok')),
      hex('03 00 02 00'), // nla_len 3: shorter than the header
    );
    const e = caught<NetlinkDecodeError>(() => parseAck(one(datagram)));
    expect(e).toBeInstanceOf(NetlinkDecodeError);
    expect(e.code).toBe('BAD_ATTRIBUTE_LENGTH');
    expect(e.path).toBe('nlmsgerr.tlvs');
  });

  // parseAck reports its own errors from the start of the message (16 = the payload, 20 = the
  // echoed header); a TLV framing error must count from the same place, not from the payload.
  it('a TLV framing error offset counts from the nlmsghdr, like parseAck’s other errors', () => {
    const datagram = nlmsg(
      { type: ERROR, flags: CAPPED | ACK_TLVS },
      u32le(-22),
      request40.subarray(0, 16),
      nla(1, str('ok')), // message bytes 36..43
      hex('ff 00 02 00'), // message byte 44: nla_len 255 runs past the end
    );
    const e = caught<NetlinkDecodeError>(() => parseAck(one(datagram)));
    expect(e.code).toBe('BAD_ATTRIBUTE_LENGTH');
    expect(e.offset).toBe(44);
  });
});

describe('parseDone', () => {
  it.each<[string, Buffer, ReturnType<typeof parseDone>]>([
    ['an empty DONE (old kernels)', nlmsg({ type: DONE, flags: NLM_F_MULTI }), { error: 0 }],
    ['a DONE with a 2-byte payload', nlmsg({ type: DONE }, hex('00 00')), { error: 0 }],
    ['a DONE with error 0', nlmsg({ type: DONE, flags: NLM_F_MULTI }, u32le(0)), { error: 0 }],
    [
      'a failed dump without TLVs',
      nlmsg({ type: DONE, flags: NLM_F_MULTI }, u32le(-22)),
      { error: -22 },
    ],
    [
      'a failed dump with MSG and OFFS',
      nlmsg(
        { type: DONE, flags: NLM_F_MULTI | ACK_TLVS },
        u32le(-22),
        nla(1, str('Filter by device index not supported for link dumps')),
        nla(2, u32le(20)),
      ),
      { error: -22, message: 'Filter by device index not supported for link dumps', offset: 20 },
    ],
    [
      'TLV bytes ignored without NLM_F_ACK_TLVS',
      nlmsg({ type: DONE, flags: NLM_F_MULTI }, u32le(-22), nla(1, str('x'))),
      { error: -22 },
    ],
  ])('%s', (_name, datagram, expected) => {
    expect(parseDone(one(datagram))).toStrictEqual(expected);
  });

  it('a TLV framing error is a NetlinkDecodeError naming done.tlvs', () => {
    const datagram = nlmsg(
      { type: DONE, flags: NLM_F_MULTI | ACK_TLVS },
      u32le(-22),
      hex('02 00 01 00'),
    );
    const e = caught<NetlinkDecodeError>(() => parseDone(one(datagram)));
    expect(e).toBeInstanceOf(NetlinkDecodeError);
    expect(e.code).toBe('BAD_ATTRIBUTE_LENGTH');
    expect(e.path).toBe('done.tlvs');
  });
});

describe('attributeChainAt', () => {
  // RTM_NEWLINK: nlmsghdr (0..15), ifinfomsg (16..31), IFLA_IFNAME @32 (12 bytes),
  // IFLA_LINKINFO @44 { IFLA_INFO_KIND @48 (12 bytes), IFLA_INFO_DATA @60 { #1 u32 @64 } }.
  const request = nlmsg(
    { type: RTM_NEWLINK, flags: 0x605, seq: 1 },
    zeros(16),
    nla(3, str('eth0')),
    nest(18, nla(1, str('vxlan')), nest(2, nla(1, u32le(42)))),
  );
  const nests = (chain: readonly number[]) =>
    (chain.length === 1 && chain[0] === 18) || (chain.length === 2 && chain[1] === 2);

  it('the request is laid out as the comment says', () => {
    expect(request.length).toBe(72);
    expect(request.readUInt16LE(44 + 2)).toBe(0x8012);
    expect(request.readUInt16LE(64 + 2)).toBe(1);
  });

  it.each<[string, number, boolean, number[]]>([
    ['IFLA_IFNAME header', 32, true, [3]],
    ['inside IFLA_IFNAME', 38, true, [3]],
    ['the header of IFLA_LINKINFO stops there', 44, true, [18]],
    ['IFLA_INFO_KIND inside IFLA_LINKINFO', 48, true, [18, 1]],
    ['the header of IFLA_INFO_DATA', 60, true, [18, 2]],
    ['the u32 inside IFLA_INFO_DATA', 64, true, [18, 2, 1]],
    ['its payload', 68, true, [18, 2, 1]],
    ['without knowing nests: the outermost attribute', 64, false, [18]],
    ['inside nlmsghdr', 4, true, []],
    ['inside ifinfomsg', 20, true, []],
    ['past the end', 72, true, []],
  ])('%s (offset %i)', (_name, offset, descend, chain) => {
    expect(attributeChainAt(request, 16, offset, descend ? nests : undefined)).toEqual(chain);
  });

  it('gives up quietly on a malformed request', () => {
    const bad = cat(request.subarray(0, 32), u8(0xff), zeros(3));
    expect(attributeChainAt(bad, 16, 32)).toEqual([]);
  });
});
