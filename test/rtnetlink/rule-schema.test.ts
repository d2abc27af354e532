// The rule schema (struct fib_rule_hdr + FRA_*) from hand-built bytes written from
// <linux/fib_rules.h> and the rt-rule YNL spec (attributes 25–30 are newer than the headers).
import { describe, expect, it } from 'vitest';
import { AttributeWriter } from '../../src/netlink/attributes.js';
import { NetlinkDecodeError, NetlinkEncodeError } from '../../src/netlink/errors.js';
import { ruleMessage } from '../../src/rtnetlink/rule.js';
import { be32, cat, hex, nla, str, u8, u16le, u32le } from '../helpers/bytes.js';
import { caught } from '../helpers/caught.js';

function encode(value: unknown): Buffer {
  const w = new AttributeWriter();
  ruleMessage.encode(w, value as never);
  return Buffer.from(w.bytes());
}

/** struct fib_rule_hdr: family, dst_len, src_len, tos, table, res1, res2, action, u32 flags. */
const frh = (
  family: number,
  dst: number,
  src: number,
  tos: number,
  table: number,
  action: number,
  flags: number,
) => cat(u8(family), u8(dst), u8(src), u8(tos), u8(table), u8(0), u8(0), u8(action), u32le(flags));

const rows: [string, Buffer, object, object][] = [
  [
    'IPv4: every selector, FR_ACT_TO_TBL, FIB_RULE_INVERT',
    cat(
      frh(2, 24, 16, 0x10, 0, 1, 0x2),
      nla(1, hex('c6336400')),
      nla(2, hex('c0000000')),
      nla(3, str('d0')),
      nla(17, str('d1')),
      nla(6, u32le(100)),
      nla(10, u32le(0x10)),
      nla(16, u32le(0xff)),
      nla(11, u32le(0x00020001)),
      nla(12, hex('0102030405060708')),
      nla(13, u32le(5)),
      nla(14, u32le(0)),
      nla(15, u32le(1000)),
      nla(19, u8(1)),
      nla(20, u32le(1000), u32le(2000)),
      nla(21, u8(4)),
      nla(22, u8(6)),
      nla(23, u16le(1000), u16le(2000)),
      nla(24, u16le(80), u16le(80)),
    ),
    {
      header: { family: 2, dst_len: 24, src_len: 16, tos: 0x10, table: 0, action: 1, flags: 2 },
      attributes: {
        dst: '198.51.100.0',
        src: '192.0.0.0',
        iifname: 'd0',
        oifname: 'd1',
        priority: 100,
        fwmark: 0x10,
        fwmask: 0xff,
        flow: 0x00020001,
        tunId: 0x0102030405060708n,
        suppressIfgroup: 5,
        suppressPrefixlen: 0,
        table: 1000,
        l3mdev: 1,
        uidRange: { start: 1000, end: 2000 },
        protocol: 'static',
        ipProto: 6,
        sportRange: { start: 1000, end: 2000 },
        dportRange: { start: 80, end: 80 },
      },
    },
    {
      header: { family: 2, dst_len: 24, src_len: 16, tos: 0x10, action: 1, flags: 2 },
      attributes: {
        dst: '198.51.100.0',
        src: '192.0.0.0',
        iifname: 'd0',
        oifname: 'd1',
        priority: 100,
        fwmark: 0x10,
        fwmask: 0xff,
        flow: 0x00020001,
        tunId: 0x0102030405060708n,
        suppressIfgroup: 5,
        suppressPrefixlen: 0,
        table: 1000,
        l3mdev: 1,
        uidRange: { start: 1000, end: 2000 },
        protocol: 'static',
        ipProto: 6,
        sportRange: { start: 1000, end: 2000 },
        dportRange: { start: 80, end: 80 },
      },
    },
  ],
  [
    'IPv6: FR_ACT_GOTO, unresolved, the newer dscp / flowlabel / port-mask attributes',
    cat(
      frh(10, 0, 0, 0, 0, 2, 0x4),
      nla(4, u32le(200)),
      nla(25, u8(46)),
      nla(26, be32(0x12345)),
      nla(27, be32(0xfffff)),
      nla(28, u16le(0xff00)),
      nla(29, u16le(0x00ff)),
      nla(30, u8(0x3f)),
    ),
    {
      header: { family: 10, dst_len: 0, src_len: 0, tos: 0, table: 0, action: 2, flags: 4 },
      attributes: {
        goto: 200,
        dscp: 46,
        flowlabel: 0x12345,
        flowlabelMask: 0xfffff,
        sportMask: 0xff00,
        dportMask: 0x00ff,
        dscpMask: 0x3f,
      },
    },
    {
      header: { family: 10, action: 2, flags: 4 },
      attributes: {
        goto: 200,
        dscp: 46,
        flowlabel: 0x12345,
        flowlabelMask: 0xfffff,
        sportMask: 0xff00,
        dportMask: 0x00ff,
        dscpMask: 0x3f,
      },
    },
  ],
];

describe('rule messages from hand-built bytes', () => {
  it.each(rows)('%s: decode', (_n, bytes, value) => {
    expect(ruleMessage.decode(bytes)).toStrictEqual(value);
  });
  it.each(rows)('%s: encode', (_n, bytes, _v, input) => {
    expect(encode(input)).toEqual(bytes);
  });
  it.each(rows)('%s: encode(decode(bytes)) = bytes', (_n, bytes) => {
    expect(encode(ruleMessage.decode(bytes))).toEqual(bytes);
  });
  it('the reserved header bytes are written as zeros', () => {
    expect(encode({ header: { family: 2, action: 6 } })).toEqual(frh(2, 0, 0, 0, 0, 6, 0));
  });
});

describe('errors name the field', () => {
  it.each<[string, Buffer, string, string]>([
    [
      'a 4-byte FRA_UID_RANGE',
      cat(frh(2, 0, 0, 0, 0, 1, 0), nla(20, u32le(1))),
      'BAD_PAYLOAD_SIZE',
      'rule.uidRange',
    ],
    [
      'a 2-byte FRA_SPORT_RANGE',
      cat(frh(2, 0, 0, 0, 0, 1, 0), nla(23, u16le(1))),
      'BAD_PAYLOAD_SIZE',
      'rule.sportRange',
    ],
    [
      'a 4-byte FRA_TUN_ID',
      cat(frh(2, 0, 0, 0, 0, 1, 0), nla(12, u32le(5))),
      'BAD_PAYLOAD_SIZE',
      'rule.tunId',
    ],
    [
      'a 3-byte FRA_SRC',
      cat(frh(2, 0, 0, 0, 0, 1, 0), nla(2, hex('c00002'))),
      'BAD_PAYLOAD_SIZE',
      'rule.src',
    ],
    ['a short fib_rule_hdr', hex('02 00 00 00 00 00 00 01'), 'BAD_PAYLOAD_SIZE', 'rule'],
  ])('decode: %s', (_n, bytes, code, path) => {
    const e = caught(() => ruleMessage.decode(bytes));
    expect(e).toBeInstanceOf(NetlinkDecodeError);
    expect({ code: e.code, path: e.path }).toEqual({ code, path });
  });

  it.each<[string, object, string, string]>([
    [
      'a negative tunnel id',
      { header: {}, attributes: { tunId: -1n } },
      'OUT_OF_RANGE',
      'rule.tunId',
    ],
    [
      'a tunnel id as a number',
      { header: {}, attributes: { tunId: 5 } },
      'OUT_OF_RANGE',
      'rule.tunId',
    ],
    [
      'an unknown protocol name',
      { header: {}, attributes: { protocol: 'nope' } },
      'BAD_VALUE',
      'rule.protocol',
    ],
    [
      'a uid beyond 32 bits',
      { header: {}, attributes: { uidRange: { start: 2 ** 32, end: 1 } } },
      'OUT_OF_RANGE',
      'rule.uidRange.start',
    ],
    [
      'a port beyond 16 bits',
      { header: {}, attributes: { dportRange: { start: 1, end: 65536 } } },
      'OUT_OF_RANGE',
      'rule.dportRange.end',
    ],
    ['an action beyond 8 bits', { header: { action: 256 } }, 'OUT_OF_RANGE', 'rule.header.action'],
  ])('encode: %s', (_n, value, code, path) => {
    const e = caught(() => encode(value));
    expect(e).toBeInstanceOf(NetlinkEncodeError);
    expect({ code: e.code, path: e.path }).toEqual({ code, path });
  });
});
