// Fixed C structs compiled from buffer-layout declarations: field offsets, every field kind,
// padding, and structs that grew across kernel versions (minSize).
import BufferLayout from 'buffer-layout';
import { describe, expect, it } from 'vitest';
import { NetlinkDecodeError, NetlinkEncodeError } from '../../src/netlink/errors.js';
import {
  blob,
  defineStruct,
  s8,
  s16,
  s32,
  s64,
  struct,
  u8,
  u16,
  u16be,
  u32,
  u32be,
  u64,
} from '../../src/netlink/struct.js';
import { u8 as b8, be16, be32, cat, hex, u16le, u32le, u64le, zeros } from '../helpers/bytes.js';
import { caught } from '../helpers/caught.js';

interface Every {
  a: number;
  b: number;
  c: number;
  d: number;
  e: number;
  f: number;
  g: number;
  h: number;
  i: bigint;
  j: bigint;
  k: Uint8Array;
}

const every = defineStruct<Every>(
  struct(
    [
      u8('a'),
      u8('_pad1'),
      u16('b'),
      u32('c'),
      s8('d'),
      u8('_pad2'),
      s16('e'),
      s32('f'),
      u16be('g'),
      u16('_pad3'),
      u32be('h'),
      u64('i'),
      s64('j'),
      blob(4, 'k'),
    ],
    'every',
  ),
);

const everyValue: Every = {
  a: 0xab,
  b: 0xbeef,
  c: 0xdeadbeef,
  d: -1,
  e: -2,
  f: -3,
  g: 0x1234,
  h: 0x0a000001,
  i: 2n ** 64n - 1n,
  j: -5n,
  k: hex('01 02 03 04'),
};

const everyBytes = cat(
  b8(0xab), // a u8
  zeros(1), // _pad1
  u16le(0xbeef), // b u16
  u32le(0xdeadbeef), // c u32
  b8(-1), // d s8
  zeros(1), // _pad2
  u16le(-2), // e s16
  u32le(-3), // f s32
  be16(0x1234), // g be16
  zeros(2), // _pad3
  be32(0x0a000001), // h be32
  u64le(2n ** 64n - 1n), // i u64
  u64le(-5n), // j s64
  hex('01 02 03 04'), // k blob(4)
);

describe('defineStruct: layout', () => {
  it('knows its name and size', () => {
    expect([every.name, every.size, every.minSize]).toEqual(['every', 44, 44]);
    expect(everyBytes.length).toBe(44);
  });

  it.each([
    ['a', 0, 1, 'u8'],
    ['_pad1', 1, 1, 'u8'],
    ['b', 2, 2, 'u16'],
    ['c', 4, 4, 'u32'],
    ['d', 8, 1, 's8'],
    ['_pad2', 9, 1, 'u8'],
    ['e', 10, 2, 's16'],
    ['f', 12, 4, 's32'],
    ['g', 16, 2, 'be16'],
    ['_pad3', 18, 2, 'u16'],
    ['h', 20, 4, 'be32'],
    ['i', 24, 8, 'u64'],
    ['j', 32, 8, 's64'],
    ['k', 40, 4, 'bytes'],
  ])('field %s at %i, %i bytes, %s', (name, offset, size, kind) => {
    expect(every.fields.find((f) => f.name === name)).toEqual({ name, offset, size, kind });
  });

  it('rejects a layout it cannot compile', () => {
    expect(() => defineStruct(struct([new BufferLayout.UInt(3, 'u24')], 'odd'))).toThrow(TypeError);
    expect(() => defineStruct(struct([u8()], 'anon'))).toThrow(TypeError);
  });
});

describe('defineStruct: decode and encode', () => {
  it('decodes every field kind; padding is not a field', () => {
    expect(every.decode(everyBytes)).toStrictEqual({
      ...everyValue,
      k: everyBytes.subarray(40, 44),
    });
  });

  it('encodes every field kind; padding written as zeros', () => {
    expect(every.encode(everyValue)).toEqual(everyBytes);
  });

  it('writes padding as zeros even when the value names it', () => {
    const withPad = { ...everyValue, _pad1: 0xff, _pad3: 0xffff } as Every;
    expect(every.encode(withPad)).toEqual(everyBytes);
  });

  it('writes absent fields as zeros', () => {
    expect(every.encode({ a: 1, j: -1n })).toEqual(cat(b8(1), zeros(31), u64le(-1n), zeros(4)));
  });

  it('encodeInto writes at an offset and leaves the rest of the buffer alone', () => {
    const buf = Buffer.alloc(50, 0xee);
    expect(every.encodeInto(everyValue, buf, 3)).toBe(44);
    expect(buf).toEqual(cat(hex('ee ee ee'), everyBytes, hex('ee ee ee')));
  });

  it('decodes at an offset, from a Uint8Array window of a larger ArrayBuffer', () => {
    const backing = cat(hex('ff ff'), everyBytes, hex('ff'));
    const view = new Uint8Array(backing.buffer, backing.byteOffset + 1, 45);
    expect(every.decode(view, 1)).toEqual(everyValue);
  });

  it('the blob field is a copy, not a view', () => {
    const buf = Buffer.from(everyBytes);
    const v = every.decode(buf);
    buf[40] = 0x99;
    expect(v.k[0]).toBe(1);
  });

  it.each<[string, Buffer, number, number | undefined, number]>([
    ['one byte short', everyBytes.subarray(0, 43), 0, undefined, 0],
    ['empty', Buffer.alloc(0), 0, undefined, 0],
    ['starting too far in', everyBytes, 4, undefined, 4],
    ['available says fewer bytes than the struct', everyBytes, 0, 40, 0],
  ])('%s → BAD_PAYLOAD_SIZE', (_name, buf, offset, available, errOffset) => {
    const e = caught(() => every.decode(buf, offset, available, 'msg.every'));
    expect(e).toBeInstanceOf(NetlinkDecodeError);
    expect(e.code).toBe('BAD_PAYLOAD_SIZE');
    expect(e.offset).toBe(errOffset);
    expect(e.path).toBe('msg.every');
  });

  it.each<[string, Partial<Every>, string]>([
    ['a', { a: 256 }, 'OUT_OF_RANGE'],
    ['a', { a: -1 }, 'OUT_OF_RANGE'],
    ['a', { a: 1.5 }, 'OUT_OF_RANGE'],
    ['a', { a: '1' as unknown as number }, 'OUT_OF_RANGE'],
    ['b', { b: 0x10000 }, 'OUT_OF_RANGE'],
    ['c', { c: 2 ** 32 }, 'OUT_OF_RANGE'],
    ['d', { d: 128 }, 'OUT_OF_RANGE'],
    ['e', { e: -32769 }, 'OUT_OF_RANGE'],
    ['f', { f: 2 ** 31 }, 'OUT_OF_RANGE'],
    ['g', { g: 0x10000 }, 'OUT_OF_RANGE'],
    ['h', { h: -1 }, 'OUT_OF_RANGE'],
    ['i', { i: -1n }, 'OUT_OF_RANGE'],
    ['i', { i: 2n ** 64n }, 'OUT_OF_RANGE'],
    ['i', { i: 1 as unknown as bigint }, 'BAD_VALUE'],
    ['j', { j: 2n ** 63n }, 'OUT_OF_RANGE'],
    ['j', { j: -(2n ** 63n) - 1n }, 'OUT_OF_RANGE'],
    ['k', { k: hex('01 02 03') }, 'BAD_VALUE'],
    ['k', { k: 'abcd' as unknown as Uint8Array }, 'BAD_VALUE'],
  ])('%s = %o → %s naming the field', (field, value, code) => {
    const e = caught(() => every.encode(value, 'req.every'));
    expect(e).toBeInstanceOf(NetlinkEncodeError);
    expect(e.code).toBe(code);
    expect(e.path).toBe(`req.every.${field}`);
  });

  it('the default path is the struct name', () => {
    expect(caught(() => every.encode({ a: 300 })).path).toBe('every.a');
  });
});

describe('defineStruct: a struct that grew (minSize)', () => {
  // Like rtnl_link_stats64: older kernels send the first fields only.
  const grown = defineStruct<{ x: number; y?: number; z?: bigint }>(
    struct([u32('x'), u32('y'), u64('z')], 'grown'),
    { minSize: 4 },
  );

  it.each<[number, object]>([
    [4, { x: 1 }],
    [6, { x: 1 }], // y only half there: absent
    [8, { x: 1, y: 2 }],
    [15, { x: 1, y: 2 }],
    [16, { x: 1, y: 2, z: 3n }],
  ])('%i bytes decode to %o', (n, expected) => {
    const bytes = cat(u32le(1), u32le(2), u64le(3n)).subarray(0, n);
    expect(grown.decode(bytes, 0, n)).toStrictEqual(expected);
  });

  it('bytes past the newest layout are ignored', () => {
    const bytes = cat(u32le(1), u32le(2), u64le(3n), u32le(4));
    expect(grown.decode(bytes, 0, 20)).toStrictEqual({ x: 1, y: 2, z: 3n });
  });

  it('fewer than minSize is BAD_PAYLOAD_SIZE and says the range', () => {
    const e = caught(() => grown.decode(hex('01 00 00'), 0, 3));
    expect(e.code).toBe('BAD_PAYLOAD_SIZE');
    expect(e.message).toContain('4..16');
  });

  it('encode always writes the newest layout', () => {
    expect(grown.encode({ x: 1 })).toEqual(cat(u32le(1), zeros(12)));
  });
});
