// struct nlattr reader and writer. Expected bytes come from test/helpers/bytes.ts, never from
// the writer under test.
import { describe, expect, it } from 'vitest';
import {
  AttributeWriter,
  NLA_ALIGNTO,
  NLA_F_NESTED,
  NLA_F_NET_BYTEORDER,
  NLA_HDRLEN,
  NLA_MAX_PAYLOAD,
  NLA_TYPE_MASK,
  nlaAlign,
  parseAttributes,
  RawAttribute,
  walkAttributes,
} from '../../src/netlink/attributes.js';
import { NetlinkDecodeError, NetlinkEncodeError } from '../../src/netlink/errors.js';
import {
  be16,
  be32,
  cat,
  F_NESTED,
  F_NET_BYTEORDER,
  hex,
  nest,
  nla,
  str,
  u8,
  u16le,
  u32le,
  u64le,
  utf8,
  zeros,
} from '../helpers/bytes.js';
import { caught } from '../helpers/caught.js';

/** Run `write` on a fresh writer and return a copy of what it wrote. */
function written(write: (w: AttributeWriter) => void): Buffer {
  const w = new AttributeWriter();
  write(w);
  return Buffer.from(w.bytes());
}

describe('constants from <linux/netlink.h>', () => {
  it.each([
    ['NLA_ALIGNTO', NLA_ALIGNTO, 4],
    ['NLA_HDRLEN', NLA_HDRLEN, 4],
    ['NLA_F_NESTED', NLA_F_NESTED, 1 << 15],
    ['NLA_F_NET_BYTEORDER', NLA_F_NET_BYTEORDER, 1 << 14],
    ['NLA_TYPE_MASK', NLA_TYPE_MASK, 0x3fff],
    ['NLA_MAX_PAYLOAD', NLA_MAX_PAYLOAD, 65531],
  ])('%s = %i', (_name, actual, expected) => {
    expect(actual).toBe(expected);
  });

  it.each([
    [0, 0],
    [1, 4],
    [3, 4],
    [4, 4],
    [5, 8],
    [8, 8],
    [65535, 65536],
  ])('NLA_ALIGN(%i) = %i', (len, aligned) => {
    expect(nlaAlign(len)).toBe(aligned);
  });
});

describe('AttributeWriter: one row per method', () => {
  it.each<[string, (w: AttributeWriter) => void, Buffer]>([
    ['u8 0', (w) => w.u8(1, 0), nla(1, u8(0))],
    ['u8 255', (w) => w.u8(1, 255), hex('05 00 01 00 ff 00 00 00')],
    ['u16 0xbeef', (w) => w.u16(2, 0xbeef), hex('06 00 02 00 ef be 00 00')],
    ['u32 0xdeadbeef', (w) => w.u32(3, 0xdeadbeef), hex('08 00 03 00 ef be ad de')],
    ['u32 0', (w) => w.u32(3, 0), nla(3, u32le(0))],
    ['u64', (w) => w.u64(4, 0x0102030405060708n), hex('0c 00 04 00 08 07 06 05 04 03 02 01')],
    ['u64 max', (w) => w.u64(4, 2n ** 64n - 1n), nla(4, u64le(2n ** 64n - 1n))],
    ['s8 -1', (w) => w.s8(5, -1), hex('05 00 05 00 ff 00 00 00')],
    ['s8 -128', (w) => w.s8(5, -128), nla(5, u8(0x80))],
    ['s8 127', (w) => w.s8(5, 127), nla(5, u8(0x7f))],
    ['s16 -2', (w) => w.s16(6, -2), hex('06 00 06 00 fe ff 00 00')],
    ['s16 -32768', (w) => w.s16(6, -32768), nla(6, u16le(0x8000))],
    ['s32 -3', (w) => w.s32(7, -3), hex('08 00 07 00 fd ff ff ff')],
    ['s32 -2^31', (w) => w.s32(7, -(2 ** 31)), nla(7, u32le(0x80000000))],
    ['s32 2^31-1', (w) => w.s32(7, 2 ** 31 - 1), nla(7, u32le(0x7fffffff))],
    ['s64 -4', (w) => w.s64(8, -4n), hex('0c 00 08 00 fc ff ff ff ff ff ff ff')],
    ['s64 -2^63', (w) => w.s64(8, -(2n ** 63n)), nla(8, u64le(2n ** 63n))],
    ['be16 0x1234', (w) => w.be16(9, 0x1234), hex('06 00 09 00 12 34 00 00')],
    ['be32 10.0.0.1', (w) => w.be32(10, 0x0a000001), hex('08 00 0a 00 0a 00 00 01')],
    [
      'be16 with NLA_F_NET_BYTEORDER kept in the type',
      (w) => w.be16(9, 4789, NLA_F_NET_BYTEORDER),
      nla(9 | F_NET_BYTEORDER, be16(4789)),
    ],
    [
      'be32 with NLA_F_NET_BYTEORDER',
      (w) => w.be32(10, 0xc0000201, NLA_F_NET_BYTEORDER),
      nla(10 | F_NET_BYTEORDER, be32(0xc0000201)),
    ],
    ['flag', (w) => w.flag(11), hex('04 00 0b 00')],
    ['ipaddr IPv4', (w) => w.ipaddr(1, '192.0.2.1'), hex('08 00 01 00 c0 00 02 01')],
    [
      'ipaddr IPv6',
      (w) => w.ipaddr(1, '2001:db8::1'),
      nla(1, hex('20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01')),
    ],
    [
      'ipaddr IPv4-mapped IPv6',
      (w) => w.ipaddr(1, '::ffff:192.0.2.1'),
      nla(1, zeros(10), hex('ff ff c0 00 02 01')),
    ],
    ['lladdr', (w) => w.lladdr(1, '00:11:22:aa:BB:cc'), hex('0a 00 01 00 00 11 22 aa bb cc 00 00')],
    ['lladdr 1 byte', (w) => w.lladdr(1, 'f'), nla(1, u8(0x0f))],
    [
      'binary with NLA_F_NET_BYTEORDER',
      (w) => w.binary(2, hex('01 02'), NLA_F_NET_BYTEORDER),
      nla(0x4002, hex('01 02')),
    ],
    [
      'nest sets NLA_F_NESTED',
      (w) => w.nest(18, (n) => n.u32(4, 1500)),
      nest(18, nla(4, u32le(1500))),
    ],
    ['empty nest', (w) => w.nest(18, () => {}), hex('04 00 12 80')],
    [
      'nest in a nest',
      (w) => w.nest(1, (a) => a.nest(2, (b) => b.u8(3, 7)).flag(4)),
      nest(1, nest(2, nla(3, u8(7))), nla(4)),
    ],
    [
      'attributes follow one another aligned',
      (w) => w.u8(1, 1).u16(2, 2).string(3, 'abc').u32(4, 4),
      cat(nla(1, u8(1)), nla(2, u16le(2)), nla(3, str('abc')), nla(4, u32le(4))),
    ],
    ['rawU8', (w) => w.rawU8(0xab), hex('ab')],
    ['rawU16 (host order)', (w) => w.rawU16(0x1234), hex('34 12')],
    ['rawU32 (host order)', (w) => w.rawU32(0x12345678), hex('78 56 34 12')],
    ['rawBytes', (w) => w.rawBytes(hex('01 02 03')), hex('01 02 03')],
    ['zeros', (w) => w.zeros(3), hex('00 00 00')],
    [
      'align pads with zeros',
      (w) => {
        w.rawU8(1);
        w.align();
      },
      hex('01 00 00 00'),
    ],
    [
      'begin/end back-patch nla_len',
      (w) => {
        const at = w.begin(7);
        w.rawBytes(hex('aa bb cc'));
        w.end(at);
      },
      hex('07 00 07 00 aa bb cc 00'),
    ],
  ])('%s', (_name, write, expected) => {
    expect(written(write)).toEqual(expected);
  });

  it.each([
    ['', nla(1, hex('00'))],
    ['a', nla(1, utf8('a'), u8(0))],
    ['ab', nla(1, utf8('ab'), u8(0))],
    ['abc', nla(1, utf8('abc'), u8(0))],
    ['abcd', nla(1, utf8('abcd'), u8(0))],
    ['abcde', nla(1, utf8('abcde'), u8(0))],
  ])('string %j: NUL-terminated, nla_len counts the NUL, padding zeroed', (s, expected) => {
    expect(written((w) => w.string(1, s))).toEqual(expected);
    // nla_len = header + bytes + NUL; the buffer is the aligned length.
    expect(expected.readUInt16LE(0)).toBe(4 + s.length + 1);
    expect(expected.length).toBe(Math.ceil((5 + s.length) / 4) * 4);
  });

  it('string counts UTF-8 bytes, not UTF-16 units', () => {
    expect(written((w) => w.string(1, 'é€'))).toEqual(hex('0a 00 01 00 c3 a9 e2 82 ac 00 00 00'));
  });

  it.each([0, 1, 2, 3, 5, 7, 9])(
    'binary of %i bytes: padding zeroed even over a dirty buffer',
    (n) => {
      const w = new AttributeWriter(16);
      // Dirty the whole buffer, then forget it: the writer must not leak old bytes into padding.
      w.rawBytes(Buffer.alloc(64, 0xee));
      w.reset();
      const data = Buffer.alloc(n, 0x5a);
      w.binary(3, data);
      expect(Buffer.from(w.bytes())).toEqual(nla(3, data));
    },
  );

  it('grows past its initial size and keeps what it wrote', () => {
    const w = new AttributeWriter(4);
    const big = Buffer.alloc(1000, 7);
    w.u8(1, 1).binary(2, big).u32(3, 3);
    expect(Buffer.from(w.bytes())).toEqual(cat(nla(1, u8(1)), nla(2, big), nla(3, u32le(3))));
  });

  it('reset forgets the bytes and the path', () => {
    const w = new AttributeWriter();
    w.u32(1, 1);
    w.path = 'x';
    w.reset();
    expect(w.bytes().length).toBe(0);
    expect(w.path).toBe('');
    w.u8(2, 2);
    expect(Buffer.from(w.bytes())).toEqual(nla(2, u8(2)));
  });

  it('accepts a payload of 65531 bytes (nla_len 65535)', () => {
    const data = Buffer.alloc(65531, 1);
    const out = written((w) => w.binary(1, data));
    expect(out.readUInt16LE(0)).toBe(0xffff);
    expect(out).toEqual(nla(1, data));
  });

  it('rejects a payload of 65532 bytes with PAYLOAD_TOO_LARGE', () => {
    const e = caught(() => new AttributeWriter().binary(1, Buffer.alloc(65532)));
    expect(e).toBeInstanceOf(NetlinkEncodeError);
    expect(e.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('rejects a nest whose contents overflow nla_len, naming the enclosing nest', () => {
    const e = caught(() =>
      new AttributeWriter().nest(
        1,
        (w) =>
          w.nest(
            2,
            (n) => n.binary(3, Buffer.alloc(40000)).binary(4, Buffer.alloc(40000)),
            'inner',
          ),
        'outer',
      ),
    );
    expect(e).toBeInstanceOf(NetlinkEncodeError);
    expect(e.code).toBe('PAYLOAD_TOO_LARGE');
    expect(e.path).toBe('outer');
  });

  it('rejects a string payload over the limit', () => {
    const e = caught(() => new AttributeWriter().string(1, 'x'.repeat(65531)));
    expect(e.code).toBe('PAYLOAD_TOO_LARGE');
    expect(written((w) => w.string(1, 'x'.repeat(65530)))).toEqual(nla(1, str('x'.repeat(65530))));
  });
});

describe('AttributeWriter rejects values it cannot put on the wire', () => {
  it.each<[string, (w: AttributeWriter) => void]>([
    ['u8 256', (w) => w.u8(1, 256)],
    ['u8 -1', (w) => w.u8(1, -1)],
    ['u8 1.5', (w) => w.u8(1, 1.5)],
    ['u8 NaN', (w) => w.u8(1, Number.NaN)],
    ['u16 65536', (w) => w.u16(1, 65536)],
    ['u16 -1', (w) => w.u16(1, -1)],
    ['u32 2^32', (w) => w.u32(1, 2 ** 32)],
    ['u32 -1', (w) => w.u32(1, -1)],
    ['u32 Infinity', (w) => w.u32(1, Number.POSITIVE_INFINITY)],
    ['s8 128', (w) => w.s8(1, 128)],
    ['s8 -129', (w) => w.s8(1, -129)],
    ['s16 32768', (w) => w.s16(1, 32768)],
    ['s16 -32769', (w) => w.s16(1, -32769)],
    ['s32 2^31', (w) => w.s32(1, 2 ** 31)],
    ['s32 -2^31-1', (w) => w.s32(1, -(2 ** 31) - 1)],
    ['u64 -1n', (w) => w.u64(1, -1n)],
    ['u64 2^64', (w) => w.u64(1, 2n ** 64n)],
    ['u64 given a number', (w) => w.u64(1, 1 as unknown as bigint)],
    ['s64 2^63', (w) => w.s64(1, 2n ** 63n)],
    ['s64 -2^63-1', (w) => w.s64(1, -(2n ** 63n) - 1n)],
    ['be16 65536', (w) => w.be16(1, 65536)],
    ['be32 -1', (w) => w.be32(1, -1)],
  ])('%s → OUT_OF_RANGE', (_name, write) => {
    const e = caught(() => write(new AttributeWriter()));
    expect(e).toBeInstanceOf(NetlinkEncodeError);
    expect(e.code).toBe('OUT_OF_RANGE');
    expect(e.path).toBe('');
  });

  it('OUT_OF_RANGE inside nests carries the path of the nests', () => {
    const e = caught(() =>
      new AttributeWriter().nest(18, (w) => w.nest(2, (d) => d.u32(1, -1), 'data'), 'linkinfo'),
    );
    expect(e.code).toBe('OUT_OF_RANGE');
    expect(e.path).toBe('linkinfo.data');
    expect(e.message).toMatch(/^linkinfo\.data: /);
  });

  it('nests without a name are named by their number', () => {
    const e = caught(() => new AttributeWriter().nest(18, (w) => w.u8(1, 300)));
    expect(e.path).toBe('18');
  });

  it.each([
    ['-1', -1],
    ['0x4000 (a flag bit)', 0x4000],
    ['0x8001', 0x8001],
    ['1.5', 1.5],
  ])('type %s → BAD_TYPE', (_name, type) => {
    const e = caught(() => new AttributeWriter().u8(type, 1));
    expect(e.code).toBe('BAD_TYPE');
  });

  it.each<[string, unknown]>([
    ['a NUL inside', 'a\0b'],
    ['a number', 5],
    ['undefined', undefined],
  ])('string with %s → BAD_STRING', (_name, value) => {
    const e = caught(() => new AttributeWriter().string(1, value as string));
    expect(e.code).toBe('BAD_STRING');
  });

  it.each([
    '',
    '1.2.3',
    '1.2.3.256',
    '01.2.3.4',
    '::g',
    '1::2::3',
    'fe80::1%eth0',
    ' 1.2.3.4',
    'localhost',
  ])('ipaddr %j → BAD_ADDRESS', (text) => {
    const e = caught(() => new AttributeWriter().ipaddr(1, text));
    expect(e.code).toBe('BAD_ADDRESS');
  });

  it.each(['', 'zz', '001122334455', '00:11:', ':00', '00:111:22', '0-1-2'])(
    'lladdr %j → BAD_LLADDR',
    (text) => {
      const e = caught(() => new AttributeWriter().lladdr(1, text));
      expect(e.code).toBe('BAD_LLADDR');
    },
  );

  it('ipaddr/lladdr given a non-string are rejected, not thrown as TypeError', () => {
    expect(caught(() => new AttributeWriter().ipaddr(1, 7 as unknown as string)).code).toBe(
      'BAD_ADDRESS',
    );
    expect(caught(() => new AttributeWriter().lladdr(1, null as unknown as string)).code).toBe(
      'BAD_LLADDR',
    );
  });
});

describe('parseAttributes / walkAttributes', () => {
  it.each<[string, Buffer, [type: number, flags: number, data: string][]]>([
    ['nothing', Buffer.alloc(0), []],
    ['one u32', nla(4, u32le(1500)), [[4, 0, 'dc050000']]],
    ['zero-length payload', nla(11), [[11, 0, '']]],
    ['odd payload, padded', nla(3, str('lo')), [[3, 0, '6c6f00']]],
    [
      'NLA_F_NESTED masked off the type, kept in flags',
      nest(18, nla(1, str('x'))),
      [[18, F_NESTED, '0600010078000000']],
    ],
    [
      'NLA_F_NET_BYTEORDER kept in flags',
      nla(28 | F_NET_BYTEORDER, be16(53)),
      [[28, F_NET_BYTEORDER, '0035']],
    ],
    [
      'both flags',
      nla(0x3fff | F_NESTED | F_NET_BYTEORDER),
      [[0x3fff, F_NESTED | F_NET_BYTEORDER, '']],
    ],
    [
      'several in a row',
      cat(nla(1, u8(1)), nla(2, u16le(2)), nla(3, zeros(5))),
      [
        [1, 0, '01'],
        [2, 0, '0200'],
        [3, 0, '0000000000'],
      ],
    ],
    ['the last attribute without its padding', nla(1, u8(7)).subarray(0, 5), [[1, 0, '07']]],
    ['the last attribute with part of its padding', nla(1, u8(7)).subarray(0, 6), [[1, 0, '07']]],
  ])('%s', (_name, bytes, expected) => {
    const attrs = parseAttributes(bytes);
    expect(attrs.map((a) => [a.type, a.flags, Buffer.from(a.data).toString('hex')])).toEqual(
      expected,
    );
  });

  it('nested and netByteOrder getters read the flags', () => {
    const [a, b] = parseAttributes(cat(nest(1), nla(2 | F_NET_BYTEORDER, be16(1))));
    expect([a?.nested, a?.netByteOrder]).toEqual([true, false]);
    expect([b?.nested, b?.netByteOrder]).toEqual([false, true]);
  });

  it('payloads are views into the buffer, not copies', () => {
    const buf = nla(1, u32le(1));
    const [a] = parseAttributes(buf);
    expect(a).toBeInstanceOf(RawAttribute);
    expect(a?.buffer).toBe(buf);
    expect(a?.offset).toBe(4);
    expect(a?.length).toBe(4);
    buf[4] = 9;
    expect(a?.data[0]).toBe(9);
  });

  it('reads only the window [start, end), with offsets in the whole buffer', () => {
    const buf = cat(hex('ff ff ff ff'), nla(1, u8(1)), nla(2, u8(2)), hex('ee ee'));
    const seen: number[][] = [];
    walkAttributes(buf, 4, 20, (type, flags, offset, length) =>
      seen.push([type, flags, offset, length]),
    );
    expect(seen).toEqual([
      [1, 0, 8, 1],
      [2, 0, 16, 1],
    ]);
  });

  it('reads a Uint8Array that is a window of a larger ArrayBuffer', () => {
    const backing = cat(hex('aa aa aa'), nla(5, u16le(0x0102)));
    const view = new Uint8Array(backing.buffer, backing.byteOffset + 3, 8);
    const [a] = parseAttributes(view);
    expect([a?.type, Array.from(a?.data ?? [])]).toEqual([5, [2, 1]]);
  });

  it.each<[string, string, number, Buffer]>([
    ['1 byte, too few for a header', 'TRAILING_BYTES', 0, hex('01')],
    ['a truncated header (3 bytes)', 'TRAILING_BYTES', 0, hex('08 00 01')],
    ['1 trailing byte after an attribute', 'TRAILING_BYTES', 8, cat(nla(1, u32le(1)), hex('00'))],
    ['2 trailing bytes', 'TRAILING_BYTES', 8, cat(nla(1, u32le(1)), hex('00 00'))],
    ['3 trailing bytes', 'TRAILING_BYTES', 8, cat(nla(1, u32le(1)), hex('04 00 01'))],
    ['nla_len 0', 'BAD_ATTRIBUTE_LENGTH', 0, hex('00 00 01 00')],
    ['nla_len 3', 'BAD_ATTRIBUTE_LENGTH', 0, hex('03 00 01 00')],
    ['nla_len past the end', 'BAD_ATTRIBUTE_LENGTH', 0, hex('09 00 01 00 01 02 03 04')],
    ['nla_len 0xffff in a short buffer', 'BAD_ATTRIBUTE_LENGTH', 0, hex('ff ff 01 00')],
    [
      'second attribute runs past the end',
      'BAD_ATTRIBUTE_LENGTH',
      8,
      cat(nla(1, u8(1)), hex('10 00 02 00 00 00')),
    ],
    [
      'second attribute has nla_len 2',
      'BAD_ATTRIBUTE_LENGTH',
      16,
      cat(nla(1, u8(1)), nla(2, u8(2)), hex('02 00 03 00')),
    ],
  ])('%s → %s at byte %i', (_name, code, offset, bytes) => {
    const e = caught(() => parseAttributes(bytes, 0, bytes.length, 'some.path'));
    expect(e).toBeInstanceOf(NetlinkDecodeError);
    expect(e.code).toBe(code);
    expect(e.offset).toBe(offset);
    expect(e.path).toBe('some.path');
    expect(e.message).toContain(`at byte ${offset}`);
  });

  it('offsets of framing errors count from the buffer, not the window', () => {
    const buf = cat(zeros(16), nla(1, u8(1)), hex('07 00'));
    const e = caught(() => parseAttributes(buf, 16));
    expect(e.code).toBe('TRAILING_BYTES');
    expect(e.offset).toBe(24);
  });

  it('an attribute ending exactly at `end` is fine even when the buffer goes on', () => {
    const buf = cat(nla(1, u8(1)), hex('ff ff ff'));
    expect(parseAttributes(buf, 0, 8)).toHaveLength(1);
  });
});
