// Pure pieces of the monitor, on bytes written by hand with the independent builder: what a
// message type is about, identity keys, the state comparison (what it leaves out and what it
// does not), and group names.
import { describe, expect, it } from 'vitest';
import { sameState } from '../../src/monitor/compare.js';
import { ALL_GROUPS, resolveGroups } from '../../src/monitor/groups.js';
import { actionOfType, decodeValue, eventKey, objectOfType } from '../../src/monitor/objects.js';
import type { MonitorObject } from '../../src/monitor/types.js';
import { NetlinkEncodeError } from '../../src/netlink/errors.js';
import { cat, nest, nla, str, u8, u16le, u32le, u64le } from '../helpers/bytes.js';

const msg = (type: number, payload: Buffer) => ({
  length: 16 + payload.length,
  type,
  flags: 0,
  seq: 0,
  pid: 0,
  payload,
});

const key = (object: MonitorObject, type: number, payload: Buffer) =>
  eventKey({ object, value: decodeValue(object, msg(type, payload)) } as never);

// struct rtmsg { family, dst_len, src_len, tos, table, protocol, scope, type; u32 flags }
const rtmsg = (family: number, dstLen: number, table = 254) =>
  cat(u8(family), u8(dstLen), u8(0), u8(0), u8(table), u8(4), u8(0), u8(1), u32le(0));
const v6 = (last: number) => Buffer.from([0x20, 0x01, 0x0d, 0xb8, ...Array(11).fill(0), last]);

describe('message types', () => {
  it.each([
    [16, 'link', 'new'],
    [17, 'link', 'del'],
    [20, 'address', 'new'],
    [21, 'address', 'del'],
    [24, 'route', 'new'],
    [25, 'route', 'del'],
    [28, 'neighbor', 'new'],
    [29, 'neighbor', 'del'],
    [32, 'rule', 'new'],
    [33, 'rule', 'del'],
    [88, 'nsid', 'new'],
    [89, 'nsid', 'del'],
    [36, 'other', 'new'], // RTM_NEWQDISC
    [37, 'other', 'del'], // RTM_DELQDISC
    [80, 'other', 'new'], // RTM_NEWNETCONF
    [104, 'other', 'new'], // RTM_NEWNEXTHOP
    [105, 'other', 'del'], // RTM_DELNEXTHOP
  ] as const)('type %i is %s / %s', (type, object, action) => {
    expect(objectOfType(type)).toBe(object);
    expect(actionOfType(type)).toBe(action);
  });
});

describe('identity keys', () => {
  it('IPv4 routes: table, prefix, tos and metric; not the device (a replace keeps the key)', () => {
    const a = cat(
      rtmsg(2, 24),
      nla(15, u32le(254)),
      nla(1, Buffer.from([10, 1, 0, 0])),
      nla(4, u32le(2)),
    );
    const b = cat(
      rtmsg(2, 24),
      nla(15, u32le(254)),
      nla(1, Buffer.from([10, 1, 0, 0])),
      nla(4, u32le(3)),
    );
    const metric = cat(a, nla(6, u32le(10)));
    const other = cat(
      rtmsg(2, 24, 100),
      nla(15, u32le(100)),
      nla(1, Buffer.from([10, 1, 0, 0])),
      nla(4, u32le(2)),
    );
    expect(key('route', 24, a)).toBe(key('route', 25, b));
    expect(key('route', 24, a)).not.toBe(key('route', 24, metric));
    expect(key('route', 24, a)).not.toBe(key('route', 24, other));
  });

  it('IPv6 routes without a gateway: one per device (fe80::/64 on every link)', () => {
    const on = (oif: number) =>
      cat(
        rtmsg(10, 64),
        nla(15, u32le(254)),
        nla(1, v6(0)),
        nla(6, u32le(256)),
        nla(4, u32le(oif)),
      );
    expect(key('route', 24, on(2))).not.toBe(key('route', 24, on(3)));
    // With a gateway the kernel merges same-metric routes into one multipath route.
    const via = (oif: number) => cat(on(oif), nla(5, v6(0xfe)));
    expect(key('route', 24, via(2))).toBe(key('route', 24, via(3)));
  });

  it('addresses: device, family, local address and prefix length', () => {
    // struct ifaddrmsg { family, prefixlen, flags, scope; u32 index }
    const addr = (index: number, len: number, last: number) =>
      cat(
        u8(2),
        u8(len),
        u8(0x80),
        u8(0),
        u32le(index),
        nla(1, Buffer.from([192, 0, 2, last])),
        nla(2, Buffer.from([192, 0, 2, last])),
      );
    expect(key('address', 20, addr(2, 24, 1))).toBe('address:2:2:192.0.2.1/24');
    expect(key('address', 20, addr(2, 25, 1))).not.toBe(key('address', 20, addr(2, 24, 1)));
    expect(key('address', 20, addr(3, 24, 1))).not.toBe(key('address', 20, addr(2, 24, 1)));
  });

  it('neighbours: device, family, address; FDB entries add lladdr, VLAN and side', () => {
    // struct ndmsg { family, pad1, pad2(u16), ifindex(s32), state(u16), flags, type }
    const ndmsg = (family: number, ifindex: number, flags: number) =>
      cat(u8(family), u8(0), u16le(0), u32le(ifindex), u16le(0x80), u8(flags), u8(0));
    const arp = cat(
      ndmsg(2, 2, 0),
      nla(1, Buffer.from([192, 0, 2, 7])),
      nla(2, Buffer.from([2, 0, 0, 0, 0, 7])),
    );
    const proxy = cat(ndmsg(2, 2, 0x08), nla(1, Buffer.from([192, 0, 2, 7])));
    expect(key('neighbor', 28, arp)).toBe('neighbor:2:2:192.0.2.7');
    expect(key('neighbor', 28, proxy)).toBe('neighbor:2:2:192.0.2.7:proxy');
    const fdb = (vlan: number, flags: number) =>
      cat(ndmsg(7, 4, flags), nla(2, Buffer.from([2, 0, 0, 0, 0, 9])), nla(5, u16le(vlan)));
    expect(key('neighbor', 28, fdb(10, 0x02))).not.toBe(key('neighbor', 28, fdb(20, 0x02)));
    expect(key('neighbor', 28, fdb(10, 0x02))).not.toBe(key('neighbor', 28, fdb(10, 0x04)));
  });

  it('links: family and ifindex; nsid: the id; other: none', () => {
    // struct ifinfomsg { family, pad, type(u16), index(s32), flags(u32), change(u32) }
    const link = (family: number, index: number) =>
      cat(u8(family), u8(0), u16le(1), u32le(index), u32le(0), u32le(0), nla(3, str('d0')));
    expect(key('link', 16, link(0, 5))).toBe('link:0:5');
    expect(key('link', 16, link(7, 5))).toBe('link:7:5');
    expect(key('nsid', 88, cat(u8(0), u8(0), u16le(0), nla(1, u32le(3))))).toBe('nsid:3');
    expect(eventKey({ object: 'other', value: Buffer.alloc(4) })).toBeUndefined();
  });
});

describe('state comparison', () => {
  const ifinfomsg = (change: number) =>
    cat(u8(0), u8(0), u16le(1), u32le(5), u32le(0x1043), u32le(change));
  const stats64 = (n: bigint) => nla(23, u64le(n), Buffer.alloc(8 * 22));

  it('a link: ifi_change and counters are left out, the MTU is not', () => {
    const a = cat(ifinfomsg(0), nla(3, str('d0')), nla(4, u32le(1500)), stats64(1n));
    const b = cat(ifinfomsg(1), nla(3, str('d0')), nla(4, u32le(1500)), stats64(99n));
    const c = cat(ifinfomsg(0), nla(3, str('d0')), nla(4, u32le(1400)), stats64(1n));
    expect(sameState('link', a, b)).toBe(true);
    expect(sameState('link', a, c)).toBe(false);
    // An attribute only one side has is a difference.
    expect(sameState('link', a, cat(a, nla(13, u32le(1))))).toBe(false);
  });

  it("a bridge's running timers are left out; a vxlan's attributes of the same numbers are not", () => {
    const info = (kind: string, data: Buffer) =>
      cat(ifinfomsg(0), nest(18, nla(1, str(kind)), nest(2, data)));
    const bridge = (timer: number, delay: number) =>
      info('bridge', cat(nla(1, u32le(delay)), nla(16, u64le(BigInt(timer)))));
    expect(sameState('link', bridge(100, 1500), bridge(250, 1500))).toBe(true);
    expect(sameState('link', bridge(100, 1500), bridge(100, 1000))).toBe(false);
    const vxlan = (v: number) => info('vxlan', nla(16, u8(v)));
    expect(sameState('link', vxlan(0), vxlan(1))).toBe(false);
  });

  it("IPv6's per-link statistics are left out, its address generation mode is not", () => {
    const spec = (stat: number, mode: number) =>
      cat(ifinfomsg(0), nest(26, nest(10, nla(3, u64le(BigInt(stat))), nla(8, u8(mode)))));
    expect(sameState('link', spec(1, 0), spec(7, 0))).toBe(true);
    expect(sameState('link', spec(1, 0), spec(1, 1))).toBe(false);
  });

  it('routes, addresses and neighbours: cache info is left out', () => {
    const route = (used: number, gw: number) =>
      cat(
        rtmsg(10, 64),
        nla(1, v6(0)),
        nla(5, v6(gw)),
        nla(12, u32le(0), u32le(used), Buffer.alloc(24)),
      );
    expect(sameState('route', route(1, 1), route(5, 1))).toBe(true);
    expect(sameState('route', route(1, 1), route(1, 2))).toBe(false);
    const addr = (valid: number, flags: number) =>
      cat(
        u8(2),
        u8(24),
        u8(0),
        u8(0),
        u32le(2),
        nla(2, Buffer.from([192, 0, 2, 1])),
        nla(6, u32le(valid), u32le(valid), u32le(1), u32le(2)),
        nla(8, u32le(flags)),
      );
    expect(sameState('address', addr(100, 0x80), addr(99, 0x80))).toBe(true);
    expect(sameState('address', addr(100, 0x80), addr(100, 0x81))).toBe(false);
    const neigh = (age: number, state: number) =>
      cat(
        u8(2),
        u8(0),
        u16le(0),
        u32le(2),
        u16le(state),
        u8(0),
        u8(0),
        nla(1, Buffer.from([192, 0, 2, 7])),
        nla(3, u32le(age), u32le(age), u32le(age), u32le(1)),
      );
    expect(sameState('neighbor', neigh(1, 2), neigh(9, 2))).toBe(true);
    expect(sameState('neighbor', neigh(1, 2), neigh(1, 4))).toBe(false);
  });
});

describe('resolveGroups', () => {
  it('takes names, aliases, numbers and all', () => {
    expect(resolveGroups(['link', 'route', 33])).toEqual([1, 7, 11, 33]);
    expect(resolveGroups(['address', 'neighbor'])).toEqual([3, 5, 9]);
    expect(resolveGroups('all')).toHaveLength(ALL_GROUPS.length);
  });

  it.each([
    [['link', 'linx'], 'monitor.groups[1]'],
    [[0], 'monitor.groups[0]'],
    [[1.5], 'monitor.groups[0]'],
    [[], 'monitor.groups'],
    ['some' as never, 'monitor.groups'],
  ])('refuses %j naming %s', (groups, path) => {
    let error: unknown;
    try {
      resolveGroups(groups as never);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(NetlinkEncodeError);
    expect(error).toMatchObject({ code: 'BAD_VALUE', path });
  });
});
