// The declarative attribute schema: every kind, both directions, unknowns kept byte for byte,
// paths in errors, pathAt and annotate. A small test set is declared here; expected bytes come
// from test/helpers/bytes.ts.
import { describe, expect, it } from 'vitest';
import { AttributeWriter, parseAttributes } from '../../src/netlink/attributes.js';
import { NetlinkDecodeError, NetlinkEncodeError } from '../../src/netlink/errors.js';
import { defineAttributes, defineMessage } from '../../src/netlink/schema.js';
import {
  defineStruct,
  struct,
  u8 as u8f,
  u16 as u16f,
  u32 as u32f,
} from '../../src/netlink/struct.js';
import {
  be16,
  be32,
  cat,
  F_NESTED,
  F_NET_BYTEORDER,
  hex,
  nest,
  nla,
  nlmsg,
  str,
  u8,
  u16le,
  u32le,
  u64le,
  utf8,
  zeros,
} from '../helpers/bytes.js';
import { caught } from '../helpers/caught.js';

const COLOR = { red: 1, green: 2, blue: 3 } as const;
const BITS = { up: 0x1, broadcast: 0x2, loopback: 0x8, top: 0x80000000 } as const;

/** A struct that grew: z arrived later (minSize 4). */
interface Pair {
  x: number;
  y: number;
  z?: number;
}
const pair = defineStruct<Pair>(struct([u16f('x'), u16f('y'), u32f('z')], 'pair'), { minSize: 4 });

const innerSet = defineAttributes('inner', {
  inner: { type: 1, kind: 'u8' },
  label: { type: 2, kind: 'string' },
});
const fooSet = defineAttributes('foo', {
  id: { type: 1, kind: 'u32' },
  port: { type: 2, kind: 'be16' },
});
const barSet = defineAttributes('bar', {
  label: { type: 1, kind: 'string' },
});

const testSet = defineAttributes('test', {
  u8: { type: 1, kind: 'u8' },
  u16: { type: 2, kind: 'u16' },
  u32: { type: 3, kind: 'u32', c: 'TEST_U32', doc: 'A u32' },
  s8: { type: 4, kind: 's8' },
  s16: { type: 5, kind: 's16' },
  s32: { type: 6, kind: 's32' },
  be16: { type: 7, kind: 'be16' },
  be32: { type: 8, kind: 'be32' },
  u64: { type: 9, kind: 'u64' },
  s64: { type: 10, kind: 's64' },
  name: { type: 11, kind: 'string' },
  blob: { type: 12, kind: 'binary' },
  on: { type: 13, kind: 'flag' },
  ip: { type: 14, kind: 'ipaddr' },
  mac: { type: 15, kind: 'lladdr' },
  pair: { type: 16, kind: 'struct', struct: pair },
  nest: { type: 17, kind: 'nested', set: innerSet },
  list: { type: 18, kind: 'indexed', item: { kind: 'u32' } },
  items: { type: 19, kind: 'indexed', item: { kind: 'nested', set: innerSet } },
  kind: { type: 20, kind: 'string' },
  data: { type: 21, kind: 'submessage', selector: 'kind', sets: { foo: fooSet, bar: barSet } },
  tag: { type: 22, kind: 'string', multi: true },
  color: { type: 23, kind: 'u8', enum: COLOR },
  bits: { type: 24, kind: 'u32', flags: BITS },
});

type Loose = Record<string, unknown>;

function enc(value: unknown, set = testSet): Buffer {
  const w = new AttributeWriter();
  set.encode(w, value as never);
  return Buffer.from(w.bytes());
}

function dec(bytes: Uint8Array): Loose {
  return testSet.decode(bytes) as Loose;
}

// Each row holds in both directions: decode(bytes) = value, encode(value) = bytes, and
// encode(decode(bytes)) = bytes.
const both: [string, Buffer, Loose][] = [
  ['u8 0', nla(1, u8(0)), { u8: 0 }],
  ['u8 255', nla(1, u8(255)), { u8: 255 }],
  ['u16', nla(2, u16le(0xbeef)), { u16: 0xbeef }],
  ['u32 0 (0 is a value, not absence)', nla(3, u32le(0)), { u32: 0 }],
  ['u32 max', nla(3, u32le(0xffffffff)), { u32: 0xffffffff }],
  ['s8 -1', nla(4, u8(-1)), { s8: -1 }],
  ['s16 -300', nla(5, u16le(-300)), { s16: -300 }],
  ['s32 -2^31', nla(6, u32le(-(2 ** 31))), { s32: -(2 ** 31) }],
  ['be16', nla(7, be16(4789)), { be16: 4789 }],
  ['be32', nla(8, be32(0xc0000201)), { be32: 0xc0000201 }],
  ['u64 max as bigint', nla(9, u64le(2n ** 64n - 1n)), { u64: 2n ** 64n - 1n }],
  ['s64 -1n', nla(10, u64le(-1n)), { s64: -1n }],
  ['empty string', nla(11, str('')), { name: '' }],
  ['string', nla(11, str('eth0')), { name: 'eth0' }],
  ['UTF-8 string', nla(11, str('é€')), { name: 'é€' }],
  ['empty binary', nla(12), { blob: hex('') }],
  ['odd binary', nla(12, hex('01 02 03')), { blob: hex('01 02 03') }],
  ['flag', nla(13), { on: true }],
  ['IPv4', nla(14, hex('c0 00 02 01')), { ip: '192.0.2.1' }],
  ['IPv6', nla(14, hex('20010db8 00000000 00000000 00000001')), { ip: '2001:db8::1' }],
  ['IPv4-mapped IPv6', nla(14, zeros(10), hex('ffff c0000201')), { ip: '::ffff:192.0.2.1' }],
  ['lladdr', nla(15, hex('02 00 00 00 00 01')), { mac: '02:00:00:00:00:01' }],
  ['struct', nla(16, u16le(1), u16le(2), u32le(3)), { pair: { x: 1, y: 2, z: 3 } }],
  ['nested', nest(17, nla(1, u8(7)), nla(2, str('a'))), { nest: { inner: 7, label: 'a' } }],
  ['empty nest', nest(17), { nest: {} }],
  [
    'indexed u32 from 1',
    nest(18, nla(1, u32le(10)), nla(2, u32le(20)), nla(3, u32le(30))),
    { list: [10, 20, 30] },
  ],
  ['empty indexed', nest(18), { list: [] }],
  [
    'indexed nests',
    nest(19, nest(1, nla(1, u8(1))), nest(2, nla(2, str('x')))),
    { items: [{ inner: 1 }, { label: 'x' }] },
  ],
  [
    'submessage chosen by its sibling (foo)',
    cat(nla(20, str('foo')), nest(21, nla(1, u32le(42)), nla(2, be16(4789)))),
    { kind: 'foo', data: { id: 42, port: 4789 } },
  ],
  [
    'submessage chosen by its sibling (bar)',
    cat(nla(20, str('bar')), nest(21, nla(1, str('hello')))),
    { kind: 'bar', data: { label: 'hello' } },
  ],
  ['multi', cat(nla(22, str('a')), nla(22, str('b'))), { tag: ['a', 'b'] }],
  ['enum by name', nla(23, u8(2)), { color: 'green' }],
  ['enum value it does not know, kept as a number', nla(23, u8(9)), { color: 9 }],
  ['flags', nla(24, u32le(0x9)), { bits: { names: ['up', 'loopback'], raw: 0x9 } }],
  [
    'flags with bits it does not know, kept in raw',
    nla(24, u32le(0x70109)),
    { bits: { names: ['up', 'loopback'], raw: 0x70109 } },
  ],
  ['no flags', nla(24, u32le(0)), { bits: { names: [], raw: 0 } }],
  [
    'several kinds together',
    cat(nla(3, u32le(0)), nla(11, str('')), nla(13), nla(23, u8(1))),
    { u32: 0, name: '', on: true, color: 'red' },
  ],
];

describe('AttributeSet: both directions', () => {
  it.each(both)('%s: decode', (_name, bytes, value) => {
    expect(dec(bytes)).toStrictEqual(value);
  });

  it.each(both)('%s: encode', (_name, bytes, value) => {
    expect(enc(value)).toEqual(bytes);
  });

  it.each(both)('%s: encode(decode(bytes)) = bytes', (_name, bytes) => {
    expect(enc(dec(bytes))).toEqual(bytes);
  });
});

describe('AttributeSet: encode accepts other spellings', () => {
  it.each<[string, Loose, Buffer]>([
    ['an enum as a number', { color: 2 }, nla(23, u8(2))],
    ['flags as an array of names', { bits: ['up', 'broadcast'] }, nla(24, u32le(3))],
    ['flags as a number', { bits: 0x70109 }, nla(24, u32le(0x70109))],
    [
      'flags as a FlagSet: raw carries every bit',
      { bits: { names: ['up'], raw: 0x101 } },
      nla(24, u32le(0x101)),
    ],
    ['the top flag bit by name', { bits: ['top'] }, nla(24, u32le(0x80000000))],
    ['a flag set to false is left out', { on: false, u8: 1 }, nla(1, u8(1))],
    ['undefined is absence', { u8: undefined, u16: 2 }, nla(2, u16le(2))],
    ['a struct with fields left out: zeros', { pair: { x: 1 } }, nla(16, u16le(1), zeros(6))],
    ['a submessage as raw bytes', { data: hex('01 02 03') }, nest(21, hex('01 02 03'))],
    ['a Uint8Array for binary', { blob: new Uint8Array([1, 2]) }, nla(12, hex('01 02'))],
    ['an upper-case MAC', { mac: 'AA:BB:CC:DD:EE:FF' }, nla(15, hex('aa bb cc dd ee ff'))],
    [
      'an IPv6 address not in canonical form',
      { ip: '2001:0DB8:0:0::1' },
      nla(14, hex('20010db8000000000000000000000001')),
    ],
    ['keys in the order given', { u32: 1, u8: 2 }, cat(nla(3, u32le(1)), nla(1, u8(2)))],
    [
      'unknown attributes given by hand go last',
      { unknown: [{ type: 99, flags: F_NET_BYTEORDER, data: hex('00 35') }], u8: 1 },
      cat(nla(1, u8(1)), nla(99 | F_NET_BYTEORDER, hex('00 35'))),
    ],
    ['nothing', {}, Buffer.alloc(0)],
  ])('%s', (_name, value, bytes) => {
    expect(enc(value)).toEqual(bytes);
  });
});

describe('AttributeSet: decode details', () => {
  it('reads bit 31 of a u32 flag set by name', () => {
    expect(dec(nla(24, u32le(0x80000001)))).toStrictEqual({
      bits: { names: ['up', 'top'], raw: 0x80000001 },
    });
  });

  it('a nest that came without NLA_F_NESTED decodes too (the kernel does not always set it)', () => {
    expect(dec(nla(17, nla(1, u8(7))))).toStrictEqual({ nest: { inner: 7 } });
  });

  it('…and re-encodes as it came, without NLA_F_NESTED', () => {
    expect(enc(dec(nla(17, nla(1, u8(7)))))).toEqual(nla(17, nla(1, u8(7))));
  });

  it('a single attribute that repeats keeps the last value, as nla_parse does', () => {
    const d = dec(cat(nla(1, u8(1)), nla(1, u8(2))));
    expect(d).toStrictEqual({ u8: 2 });
    expect(enc(d)).toEqual(nla(1, u8(2)));
  });

  it('the submessage selector may come after the submessage', () => {
    const bytes = cat(nest(21, nla(1, u32le(1))), nla(20, str('foo')));
    const d = dec(bytes);
    expect(d).toStrictEqual({ data: { id: 1 }, kind: 'foo' });
    expect(enc(d)).toEqual(bytes);
  });

  it('a submessage without its selector is kept raw', () => {
    const bytes = nla(21, hex('05 00 01 00 07 00 00 00'));
    const d = dec(bytes);
    expect(d).toStrictEqual({ data: hex('05 00 01 00 07 00 00 00') });
    expect(enc(d)).toEqual(bytes);
  });

  it('a submessage of a kind it does not know is kept raw', () => {
    const bytes = cat(nla(20, str('baz')), nla(21, hex('08 00 01 00 2a 00 00 00')));
    const d = dec(bytes);
    expect(d).toStrictEqual({ kind: 'baz', data: hex('08 00 01 00 2a 00 00 00') });
    expect(enc(d)).toEqual(bytes);
  });

  it('a raw submessage that came with NLA_F_NESTED re-encodes byte for byte', () => {
    const bytes = cat(nla(20, str('baz')), nest(21, nla(1, u32le(42))));
    expect(enc(dec(bytes))).toEqual(bytes);
  });

  it.each(['constructor', 'toString', '__proto__', 'hasOwnProperty'])(
    'a submessage selector named %j (an Object.prototype key) is a kind it does not know',
    (kind) => {
      const bytes = cat(nla(20, str(kind)), nest(21, nla(1, u32le(42))));
      expect(dec(bytes)).toStrictEqual({ kind, data: nla(1, u32le(42)) });
    },
  );

  it('indexed arrays keep an index base of 0', () => {
    const bytes = nest(18, nla(0, u32le(5)), nla(1, u32le(6)));
    const d = dec(bytes);
    expect(d).toStrictEqual({ list: [5, 6] });
    expect(enc(d)).toEqual(bytes);
  });

  it('the wire order is invisible: not in keys, JSON or spreads', () => {
    const d = dec(cat(nla(3, u32le(1)), nla(99, hex('01')), nla(1, u8(2))));
    expect(Object.keys(d)).toEqual(['u32', 'u8', 'unknown']);
    expect(JSON.stringify({ ...d, unknown: undefined })).toBe('{"u32":1,"u8":2}');
    expect(Object.getOwnPropertySymbols({ ...d })).toEqual([]);
  });

  it('decodeRaw gives what decode gives', () => {
    const bytes = cat(nla(20, str('foo')), nest(21, nla(1, u32le(1))), nla(99, hex('ff')));
    expect(testSet.decodeRaw(bytes, parseAttributes(bytes))).toStrictEqual(dec(bytes));
  });

  it('decodes a window of a buffer', () => {
    const bytes = cat(hex('ff ff ff ff'), nla(1, u8(3)), hex('ee'));
    expect(testSet.decode(bytes, 4, 12)).toStrictEqual({ u8: 3 });
  });
});

describe('AttributeSet: round trips byte for byte', () => {
  it.each<[string, Buffer]>([
    [
      'unknown attributes interleaved between known ones, with their flags',
      cat(
        nla(99, hex('01 02 03')),
        nla(1, u8(5)),
        nla(100 | F_NET_BYTEORDER, be16(53)),
        nla(11, str('x')),
        nest(101, nla(1, u8(1))),
        nla(3, u32le(7)),
        nla(0x3fff),
      ),
    ],
    [
      'known attributes out of declaration order',
      cat(nla(24, u32le(1)), nla(3, u32le(2)), nla(1, u8(3))),
    ],
    [
      'a multi attribute interleaved with others',
      cat(
        nla(22, str('a')),
        nla(1, u8(1)),
        nla(22, str('b')),
        nla(99, hex('00')),
        nla(22, str('c')),
      ),
    ],
    ['a string without its NUL', nla(11, utf8('abc'))],
    ['an empty string payload (no NUL at all)', nla(11)],
    ['a string without its NUL inside a nest', nest(17, nla(2, utf8('abcd')))],
    ['a struct shorter than the newest layout', nla(16, u16le(1), u16le(2))],
    ['a nest that came without NLA_F_NESTED', nla(17, nla(1, u8(7)))],
    ['an indexed array that came without NLA_F_NESTED', nla(18, nla(1, u32le(5)))],
    [
      'a submessage that came without NLA_F_NESTED',
      cat(nla(20, str('foo')), nla(21, nla(1, u32le(1)))),
    ],
    ['a u32 that came with NLA_F_NET_BYTEORDER', nla(3 | F_NET_BYTEORDER, u32le(1))],
    ['a nest holding unknown attributes', nest(17, nla(9, hex('aa')), nla(1, u8(1)), nla(8))],
    [
      'a submessage holding unknown attributes',
      cat(nla(20, str('foo')), nest(21, nla(7, hex('01')), nla(1, u32le(1)), nla(8, hex('02')))),
    ],
    [
      'a third of the rows above at once (each attribute number once)',
      cat(
        ...both
          .filter(([name], i) => i % 3 === 0 && name !== 'several kinds together')
          .map(([, b]) => b),
      ),
    ],
  ])('%s', (_name, bytes) => {
    const d = dec(bytes);
    expect(enc(d)).toEqual(bytes);
  });

  it('unknown attributes decode to {type, flags, data}', () => {
    const d = dec(
      cat(nla(99, hex('01 02 03')), nla(100 | F_NET_BYTEORDER, be16(53)), nest(101, nla(1, u8(1)))),
    );
    expect(d).toStrictEqual({
      unknown: [
        { type: 99, flags: 0, data: hex('01 02 03') },
        { type: 100, flags: F_NET_BYTEORDER, data: be16(53) },
        { type: 101, flags: F_NESTED, data: nla(1, u8(1)) },
      ],
    });
  });

  it('a string without NUL decodes to the same text as one with', () => {
    expect(dec(nla(11, utf8('abc')))).toStrictEqual({ name: 'abc' });
  });

  it('a struct shorter than the newest layout decodes without the late fields', () => {
    expect(dec(nla(16, u16le(1), u16le(2)))).toStrictEqual({ pair: { x: 1, y: 2 } });
  });

  it('a string padded with several NULs (a fixed char[] put whole) re-encodes byte for byte', () => {
    const bytes = nla(11, utf8('ab'), zeros(6));
    expect(enc(dec(bytes))).toEqual(bytes);
  });

  it('values added to a decoded multi attribute go after the ones that came', () => {
    const bytes = cat(nla(22, str('a')), nla(1, u8(1)), nla(22, str('b')));
    const d = dec(bytes) as { tag: string[] };
    d.tag.push('c');
    expect(enc(d)).toEqual(cat(bytes, nla(22, str('c'))));
  });

  it('unknown attributes added to a decoded object are encoded too (after the others)', () => {
    const bytes = cat(nla(1, u8(1)), nla(99, hex('01')));
    const d = dec(bytes) as { unknown: { type: number; flags: number; data: Uint8Array }[] };
    d.unknown.push({ type: 100, flags: 0, data: hex('02') });
    expect(enc(d)).toEqual(cat(bytes, nla(100, hex('02'))));
  });

  it('a repeated string where only one value came without its NUL re-encodes byte for byte', () => {
    const bytes = cat(nla(22, utf8('a')), nla(22, str('b')));
    expect(enc(dec(bytes))).toEqual(bytes);
  });

  it('a decoded value changed in place is encoded with its new value, in its old place', () => {
    const d = dec(cat(nla(3, u32le(1)), nla(99, hex('01')), nla(1, u8(2))));
    d.u32 = 5;
    expect(enc(d)).toEqual(cat(nla(3, u32le(5)), nla(99, hex('01')), nla(1, u8(2))));
  });
});

describe('AttributeSet: decode errors carry code, offset and path', () => {
  it.each<[string, string, number, string, Buffer]>([
    ['u32 with 3 bytes', 'BAD_PAYLOAD_SIZE', 4, 'test.u32', nla(3, hex('01 02 03'))],
    ['u64 with 4 bytes', 'BAD_PAYLOAD_SIZE', 4, 'test.u64', nla(9, u32le(1))],
    ['enum u8 with 4 bytes', 'BAD_PAYLOAD_SIZE', 4, 'test.color', nla(23, u32le(1))],
    ['flags u32 with 2 bytes', 'BAD_PAYLOAD_SIZE', 4, 'test.bits', nla(24, u16le(1))],
    ['a flag with a payload', 'BAD_PAYLOAD_SIZE', 4, 'test.on', nla(13, u8(1))],
    ['an address of 5 bytes', 'BAD_PAYLOAD_SIZE', 4, 'test.ip', nla(14, hex('01 02 03 04 05'))],
    ['a struct too short', 'BAD_PAYLOAD_SIZE', 4, 'test.pair', nla(16, u16le(1))],
    [
      'an attribute after a good one',
      'BAD_PAYLOAD_SIZE',
      12,
      'test.u16',
      cat(nla(1, u8(1)), nla(2, u8(1))),
    ],
    [
      'a u8 with 2 bytes inside a nest',
      'BAD_PAYLOAD_SIZE',
      8,
      'test.nest.inner',
      nest(17, nla(1, hex('01 02'))),
    ],
    ['framing inside a nest', 'BAD_ATTRIBUTE_LENGTH', 4, 'test.nest', nest(17, hex('ff 00 01 00'))],
    [
      'trailing bytes inside a nest',
      'TRAILING_BYTES',
      12,
      'test.nest',
      nest(17, nla(1, u8(1)), hex('00 00')),
    ],
    [
      'an indexed item of the wrong size',
      'BAD_PAYLOAD_SIZE',
      16,
      'test.list[1]',
      nest(18, nla(1, u32le(1)), nla(2, u8(1))),
    ],
    [
      'framing inside an indexed array',
      'BAD_ATTRIBUTE_LENGTH',
      4,
      'test.list',
      nest(18, hex('02 00 01 00')),
    ],
    [
      'an item inside an indexed nest',
      'BAD_PAYLOAD_SIZE',
      12,
      'test.items[0].inner',
      nest(19, nest(1, nla(1, u16le(1)))),
    ],
    [
      'inside a submessage',
      'BAD_PAYLOAD_SIZE',
      16,
      'test.data(foo).id',
      cat(nla(20, str('foo')), nest(21, nla(1, u8(1)))),
    ],
    ['top-level framing', 'BAD_ATTRIBUTE_LENGTH', 0, 'test', hex('01 00 01 00')],
    ['top-level trailing bytes', 'TRAILING_BYTES', 8, 'test', cat(nla(1, u8(1)), hex('00'))],
  ])('%s → %s at byte %i (%s)', (_name, code, offset, path, bytes) => {
    const e = caught(() => testSet.decode(bytes));
    expect(e).toBeInstanceOf(NetlinkDecodeError);
    expect(e.code).toBe(code);
    expect(e.offset).toBe(offset);
    expect(e.path).toBe(path);
  });

  it('the path starts from the name the caller gives', () => {
    const e = caught(() => testSet.decode(nest(17, nla(1, u32le(1))), 0, 12, 'msg.attrs'));
    expect(e.path).toBe('msg.attrs.nest.inner');
  });
});

describe('AttributeSet: encode errors carry code and path', () => {
  it.each<[string, string, string, unknown]>([
    ['a bad IPv4 address', 'BAD_ADDRESS', 'test.ip', { ip: '1.2.3' }],
    ['a number for an address', 'BAD_ADDRESS', 'test.ip', { ip: 5 }],
    ['a bad MAC', 'BAD_LLADDR', 'test.mac', { mac: 'zz' }],
    ['a key the set does not declare', 'UNKNOWN_ATTRIBUTE', 'test', { bogus: 1 }],
    [
      'a key the set does not declare, inside a nest',
      'UNKNOWN_ATTRIBUTE',
      'test.nest',
      { nest: { nope: 1 } },
    ],
    ['a key named like an Object.prototype member', 'UNKNOWN_ATTRIBUTE', 'test', { toString: 1 }],
    ['another one', 'UNKNOWN_ATTRIBUTE', 'test', { constructor: 1 }],
    ['a string for a u8', 'BAD_VALUE', 'test.u8', { u8: 'x' }],
    ['a number for a u64', 'BAD_VALUE', 'test.u64', { u64: 1 }],
    ['a number for a string', 'BAD_VALUE', 'test.name', { name: 5 }],
    ['a NUL inside a string', 'BAD_STRING', 'test.name', { name: 'a\0b' }],
    ['a string for binary', 'BAD_VALUE', 'test.blob', { blob: 'x' }],
    ['1 for a flag', 'BAD_VALUE', 'test.on', { on: 1 }],
    ['an enum name it does not know', 'BAD_VALUE', 'test.color', { color: 'purple' }],
    [
      'an enum name that is an Object.prototype member',
      'BAD_VALUE',
      'test.color',
      { color: 'toString' },
    ],
    ['a flag name it does not know', 'BAD_VALUE', 'test.bits', { bits: ['nope'] }],
    ['a u8 of 256', 'OUT_OF_RANGE', 'test.u8', { u8: 256 }],
    ['an s64 of 2^63', 'OUT_OF_RANGE', 'test.s64', { s64: 2n ** 63n }],
    ['an enum number out of range', 'OUT_OF_RANGE', 'test.color', { color: 300 }],
    ['a u8 of 256 inside a nest', 'OUT_OF_RANGE', 'test.nest.inner', { nest: { inner: 256 } }],
    ['a wrong type inside a nest', 'BAD_VALUE', 'test.nest.label', { nest: { label: 1 } }],
    ['a number for a nest', 'BAD_VALUE', 'test.nest', { nest: 5 }],
    ['an indexed item out of range', 'OUT_OF_RANGE', 'test.list[1]', { list: [1, -1] }],
    ['a number for an indexed array', 'BAD_VALUE', 'test.list', { list: 5 }],
    [
      'a wrong type inside an indexed nest',
      'BAD_VALUE',
      'test.items[1].inner',
      { items: [{}, { inner: 'x' }] },
    ],
    [
      'a submessage of a kind it does not know',
      'BAD_VALUE',
      'test.data',
      { kind: 'baz', data: { id: 1 } },
    ],
    ['a submessage without its selector', 'BAD_VALUE', 'test.data', { data: { id: 1 } }],
    [
      'a submessage kind named like an Object.prototype member',
      'BAD_VALUE',
      'test.data',
      { kind: 'constructor', data: { id: 1 } },
    ],
    [
      'out of range inside a submessage',
      'OUT_OF_RANGE',
      'test.data(foo).id',
      { kind: 'foo', data: { id: -1 } },
    ],
    [
      'a wrong type inside a submessage',
      'BAD_VALUE',
      'test.data(foo).id',
      { kind: 'foo', data: { id: 'x' } },
    ],
    ['a string for a multi attribute', 'BAD_VALUE', 'test.tag', { tag: 'x' }],
    ['a number for a struct', 'BAD_VALUE', 'test.pair', { pair: 5 }],
    ['a struct field out of range', 'OUT_OF_RANGE', 'test.pair.x', { pair: { x: 70000 } }],
    ['null', 'BAD_VALUE', 'test', null],
  ])('%s → %s (%s)', (_name, code, path, value) => {
    const e = caught(() => enc(value));
    expect(e).toBeInstanceOf(NetlinkEncodeError);
    expect(e.code).toBe(code);
    expect(e.path).toBe(path);
  });
});

describe('AttributeSet: declaration', () => {
  it('refuses the reserved key "unknown"', () => {
    expect(() => defineAttributes('x', { unknown: { type: 1, kind: 'u8' } })).toThrow(TypeError);
  });

  it('refuses two attributes with one number', () => {
    expect(() =>
      defineAttributes('x', { a: { type: 1, kind: 'u8' }, b: { type: 1, kind: 'u16' } }),
    ).toThrow(/reuses number 1/);
  });

  it('looks attributes up by number', () => {
    expect(testSet.lookup(3)).toEqual(['u32', testSet.attrs.u32]);
    expect(testSet.lookup(999)).toBeUndefined();
  });
});

// nlmsghdr (0..15), a 4-byte fixed header (16..19), then:
//   @20 u8 (8) | @28 nest { @32 inner (8), @40 label (8) } | @48 kind "foo" (8)
//   @56 data { @60 id (8), @68 port (8) } | @76 #99 (8) | @84 items { @88 [0] { @92 inner (8) } }
const request = nlmsg(
  { type: 16, flags: 0x5, seq: 1 },
  hex('01 02 03 04'),
  nla(1, u8(1)),
  nest(17, nla(1, u8(7)), nla(2, str('ab'))),
  nla(20, str('foo')),
  nest(21, nla(1, u32le(42)), nla(2, be16(1))),
  nla(99, u32le(0)),
  nest(19, nest(1, nla(1, u8(1)))),
);

describe('AttributeSet.pathAt', () => {
  it('the request is laid out as the comment says', () => {
    expect(request.length).toBe(100);
    expect([28, 56, 84].map((o) => request.readUInt16LE(o + 2))).toEqual([0x8011, 0x8015, 0x8013]);
  });

  it.each<[number, string | undefined]>([
    [20, 'test.u8'],
    [24, 'test.u8'],
    [28, 'test.nest'],
    [32, 'test.nest.inner'],
    [36, 'test.nest.inner'],
    [44, 'test.nest.label'],
    [48, 'test.kind'],
    [56, 'test.data'],
    [60, 'test.data(foo).id'],
    [70, 'test.data(foo).port'],
    [76, 'test.#99'],
    [80, 'test.#99'],
    [92, 'test.items'],
    [4, undefined],
    [18, undefined],
    [100, undefined],
    [1000, undefined],
  ])('offset %i → %s', (offset, path) => {
    expect(testSet.pathAt(request, 4, offset)).toBe(path);
  });

  it('a submessage of a kind it does not know is named with the kind', () => {
    const req = nlmsg({ type: 16 }, nla(20, str('baz')), nest(21, nla(1, u32le(1))));
    expect(testSet.pathAt(req, 0, 28)).toBe('test.data(baz)');
  });

  it('gives up on a malformed request', () => {
    const req = nlmsg({ type: 16 }, hex('ff 00 01 00'));
    expect(testSet.pathAt(req, 0, 16)).toBeUndefined();
  });
});

describe('AttributeSet.annotate', () => {
  it('describes every attribute, nested ones one level deeper', () => {
    const bytes = cat(
      nla(3, u32le(1500)), // @0
      nest(17, nla(1, u8(7))), // @8 { @12 }
      nla(99, hex('aa bb')), // @20
      nla(20, str('foo')), // @28
      nest(21, nla(1, u32le(42))), // @36 { @40 }
      nla(24, u32le(3)), // @48
      nla(9, u64le(5n)), // @56
      nla(12, hex('01 02')), // @68
      nest(18, nla(1, u32le(1))), // @76
      nla(1, hex('01 02')), // @88: a u8 of the wrong size
    );
    const row = (
      offset: number,
      length: number,
      depth: number,
      path: string,
      kind: string,
      value: string,
    ) => ({
      offset,
      length,
      depth,
      path,
      constant: path === 'test.u32' ? 'TEST_U32' : undefined,
      kind,
      value,
    });
    const lines = testSet.annotate(bytes);
    expect(lines.slice(0, -1)).toEqual([
      row(0, 8, 0, 'test.u32', 'u32', '1500'),
      row(8, 12, 0, 'test.nest', 'nested', ''),
      row(12, 5, 1, 'test.nest.inner', 'u8', '7'),
      row(20, 6, 0, 'test.#99', 'unknown', 'aabb'),
      row(28, 8, 0, 'test.kind', 'string', '"foo"'),
      row(36, 12, 0, 'test.data', 'submessage', ''),
      row(40, 8, 1, 'test.data(foo).id', 'u32', '42'),
      row(48, 8, 0, 'test.bits', 'u32', '{"names":["up","broadcast"],"raw":3}'),
      row(56, 12, 0, 'test.u64', 'u64', '5'),
      row(68, 6, 0, 'test.blob', 'binary', '0102'),
      row(76, 12, 0, 'test.list', 'indexed', '0800010001000000'),
    ]);
    expect(lines.at(-1)).toMatchObject({ offset: 88, path: 'test.u8', kind: 'u8' });
    expect(lines.at(-1)?.value).toMatch(/^<.*1 bytes, got 2/);
  });
});

describe('MessageSchema', () => {
  // A 5-byte fixed header: the attributes start at the next 4-byte boundary (8).
  const fixed = defineStruct<{ family: number; index: number }>(
    struct([u8f('family'), u32f('index')], 'fixed'),
  );
  const msg = defineMessage('msg', fixed, testSet);
  const bytes = cat(u8(2), u32le(7), zeros(3), nla(1, u8(1)), nest(17, nla(2, str('x'))));
  const value = { header: { family: 2, index: 7 }, attributes: { u8: 1, nest: { label: 'x' } } };

  it('encodes header, padding, attributes', () => {
    const w = new AttributeWriter();
    msg.encode(w, value);
    expect(Buffer.from(w.bytes())).toEqual(bytes);
  });

  it('encodes a header alone', () => {
    const w = new AttributeWriter();
    msg.encode(w, { header: { index: 1 } });
    expect(Buffer.from(w.bytes())).toEqual(cat(u8(0), u32le(1), zeros(3)));
  });

  it('decodes header and attributes', () => {
    expect(msg.decode(bytes)).toStrictEqual(value);
  });

  it('decodes a payload that is the header alone, unpadded', () => {
    expect(msg.decode(cat(u8(2), u32le(7)))).toStrictEqual({
      header: { family: 2, index: 7 },
      attributes: {},
    });
  });

  it('a payload shorter than the header is BAD_PAYLOAD_SIZE', () => {
    const e = caught(() => msg.decode(hex('02 07 00')));
    expect(e).toBeInstanceOf(NetlinkDecodeError);
    expect([e.code, e.offset, e.path]).toEqual(['BAD_PAYLOAD_SIZE', 0, 'msg']);
  });

  it('attribute errors are named from the message', () => {
    const e = caught(() => msg.decode(cat(u8(2), u32le(7), zeros(3), nla(3, u8(1)))));
    expect([e.code, e.offset, e.path]).toEqual(['BAD_PAYLOAD_SIZE', 12, 'msg.u32']);
  });

  it('header errors are named from the message', () => {
    const e = caught(() => msg.encode(new AttributeWriter(), { header: { index: -1 } }));
    expect(e).toBeInstanceOf(NetlinkEncodeError);
    expect([e.code, e.path]).toEqual(['OUT_OF_RANGE', 'msg.header.index']);
  });

  // Paths start from the attribute set's name (decode errors start from the message's; the
  // rtnetlink schemas give both the same name).
  it('pathAt counts the fixed header', () => {
    const req = nlmsg({ type: 16 }, bytes);
    expect(msg.pathAt(req, 24)).toBe('test.u8');
    expect(msg.pathAt(req, 36)).toBe('test.nest.label');
    expect(msg.pathAt(req, 18)).toBeUndefined();
  });
});

describe('message and custom attributes', () => {
  const fixed = defineStruct<{ family: number; index: number }>(
    struct([u8f('family'), u32f('index')], 'fixed'),
  );
  const inner = defineAttributes('inner', { name: { type: 3, kind: 'string' } });
  const innerMsg = defineMessage('inner', fixed, inner);
  // A custom payload: a u16 family then the address bytes (the shape of RTA_VIA).
  const via = {
    name: 'struct via',
    decode(buf: Buffer, off: number, len: number, path: string) {
      if (len < 2) throw new NetlinkDecodeError('BAD_PAYLOAD_SIZE', 'too short', off, path);
      return { family: buf.readUInt16LE(off), bytes: buf.toString('hex', off + 2, off + len) };
    },
    encode(v: { family: number; bytes: string }, path: string) {
      if (typeof v?.family !== 'number')
        throw new NetlinkEncodeError('BAD_VALUE', 'no family', path);
      return Buffer.concat([u16le(v.family), Buffer.from(v.bytes, 'hex')]);
    },
  };
  const outer = defineAttributes('outer', {
    peer: { type: 1, kind: 'message', message: innerMsg },
    via: { type: 2, kind: 'custom', codec: via },
  });
  const bytes = cat(
    nest(1, u8(2), u32le(9), zeros(3), nla(3, str('p'))),
    nla(2, u16le(10), hex('0a000001')),
  );
  const value = {
    peer: { header: { family: 2, index: 9 }, attributes: { name: 'p' } },
    via: { family: 10, bytes: '0a000001' },
  };

  it('decode a struct followed by attributes, and a custom payload', () => {
    expect(outer.decode(bytes)).toStrictEqual(value);
  });

  it('encode them to the same bytes', () => {
    const w = new AttributeWriter();
    outer.encode(w, value);
    expect(Buffer.from(w.bytes())).toEqual(bytes);
  });

  it('a message attribute sent without NLA_F_NESTED (as iproute2 does) re-encodes as it came', () => {
    const plain = cat(nla(1, u8(2), u32le(9), zeros(3), nla(3, str('p'))));
    const w = new AttributeWriter();
    outer.encode(w, outer.decode(plain));
    expect(Buffer.from(w.bytes())).toEqual(plain);
  });

  it('errors inside carry the path', () => {
    const bad = cat(nla(2, u8(1)));
    expect(caught(() => outer.decode(bad))).toMatchObject({ path: 'outer.via' });
    const w = new AttributeWriter();
    expect(caught(() => outer.encode(w, { via: {} as never }))).toMatchObject({
      path: 'outer.via',
    });
    expect(
      caught(() => outer.encode(w, { peer: { attributes: { name: 1 as never } } })),
    ).toMatchObject({
      path: 'outer.peer.name',
    });
  });

  it('pathAt names the header and the attributes inside a message attribute', () => {
    const req = cat(nlmsg({ type: 16 }, cat(u8(0), u32le(0), zeros(3), bytes)));
    const msg = defineMessage('m', fixed, outer);
    // nlmsghdr 16 + fixed 8 + peer header 4 → peer's struct at 28, its name attribute at 36.
    expect(msg.pathAt(req, 28)).toBe('outer.peer.header');
    expect(msg.pathAt(req, 36)).toBe('outer.peer.name');
    expect(msg.pathAt(req, 24)).toBe('outer.peer');
  });
});
