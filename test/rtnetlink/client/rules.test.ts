// rt.rules on a fake kernel: the bytes each call sends (built here by hand), validation before
// anything is sent, kernel refusals, and decoding of captured kernel dumps checked against what
// `ip -j rule show` printed for the same state.
import { describe, expect, it } from 'vitest';
import { Connection } from '../../../src/netlink/connection.js';
import { NetlinkEncodeError, NetlinkError } from '../../../src/netlink/errors.js';
import type { Rule } from '../../../src/rtnetlink/api/rules.js';
import { RtNetlink } from '../../../src/rtnetlink/client.js';
import type { RuleSpec } from '../../../src/rtnetlink/requests/rule.js';
import { cat, nla, str, u16le, u32le } from '../../helpers/bytes.js';
import { ack, done, FakeKernel, type FakeRequest } from '../../helpers/fake-kernel.js';
import { loadFixture } from '../../helpers/fixtures.js';

// <linux/rtnetlink.h>, <linux/netlink.h>, <linux/fib_rules.h>
const RTM_NEWRULE = 32;
const RTM_DELRULE = 33;
const RTM_GETRULE = 34;
const NLM_F_REQUEST = 0x1;
const NLM_F_ACK = 0x4;
const NLM_F_DUMP = 0x300;
const NLM_F_EXCL = 0x200;
const NLM_F_CREATE = 0x400;
const FRA_SRC = 2;
const FRA_IIFNAME = 3;
const FRA_PRIORITY = 6;
const FRA_FWMARK = 10;
const FRA_TABLE = 15;
const FRA_IP_PROTO = 22;
const FRA_SPORT_RANGE = 23;
const FRA_DPORT_RANGE = 24;
const FR_ACT_TO_TBL = 1;
const EEXIST = 17;

/** struct fib_rule_hdr, field by field (res1 and res2 are zero). */
function frh(
  family: number,
  dstLen: number,
  srcLen: number,
  tos: number,
  table: number,
  action: number,
  flags = 0,
): Buffer {
  return cat(Buffer.of(family, dstLen, srcLen, tos, table, 0, 0, action), u32le(flags));
}

function client(handler?: (req: FakeRequest, k: FakeKernel) => Buffer[] | undefined) {
  const kernel = new FakeKernel(handler);
  return { kernel, rt: RtNetlink.fromConnection(Connection.fromSocket(kernel)) };
}

function replay(name: string) {
  const datagrams = loadFixture(name).messages;
  return (req: FakeRequest): Buffer[] =>
    datagrams.map((d) => {
      const out = Buffer.from(d);
      for (let off = 0; off + 16 <= out.length; ) {
        const len = out.readUInt32LE(off);
        out.writeUInt32LE(req.seq, off + 8);
        out.writeUInt32LE(req.pid, off + 12);
        off += (len + 3) & ~3;
      }
      return out;
    });
}

describe('rules.add / delete: the bytes sent', () => {
  it('add: a lookup rule in table 1000 with a source, an iif and a preference', async () => {
    const { kernel, rt } = client();
    await rt.rules.add({ src: '192.0.2.0/24', iif: 'eth0', table: 1000, priority: 10 });
    const [req] = kernel.requests;
    expect(req!.type).toBe(RTM_NEWRULE);
    expect(req!.flags).toBe(NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
    expect(req!.payload).toEqual(
      cat(
        frh(2, 0, 24, 0, 0, FR_ACT_TO_TBL),
        nla(FRA_SRC, Buffer.of(192, 0, 2, 0)),
        nla(FRA_IIFNAME, str('eth0')),
        nla(FRA_TABLE, u32le(1000)),
        nla(FRA_PRIORITY, u32le(10)),
      ),
    );
  });

  it('add without a table looks up main (as ip rule add)', async () => {
    const { kernel, rt } = client();
    await rt.rules.add({ fwmark: 7 });
    expect(kernel.requests[0]!.payload).toEqual(
      cat(frh(2, 0, 0, 0, 254, FR_ACT_TO_TBL), nla(FRA_FWMARK, u32le(7))),
    );
  });

  it('delete by priority sends no action and no table', async () => {
    const { kernel, rt } = client();
    await rt.rules.delete({ priority: 5 });
    const [req] = kernel.requests;
    expect(req!.type).toBe(RTM_DELRULE);
    expect(req!.flags).toBe(NLM_F_REQUEST | NLM_F_ACK);
    expect(req!.payload).toEqual(cat(frh(2, 0, 0, 0, 0, 0), nla(FRA_PRIORITY, u32le(5))));
  });

  it('an IPv6 prefix makes an AF_INET6 rule', async () => {
    const { kernel, rt } = client();
    await rt.rules.add({ src: '2001:db8::/32', table: 100 });
    expect(kernel.requests[0]!.payload.subarray(0, 12)).toEqual(frh(10, 0, 32, 0, 100, 1));
  });
});

describe('rules: bad input is refused before anything is sent', () => {
  const cases: [string, RuleSpec, string][] = [
    ['prefix length 33', { src: '192.0.2.0/33' }, 'rule.src'],
    ['prefix length 129', { dst: '2001:db8::/129' }, 'rule.dst'],
    ['mixed families', { src: '192.0.2.0/24', dst: '2001:db8::/32' }, 'rule.dst'],
    ['a family that contradicts the prefix', { family: 'inet6', src: '192.0.2.0/24' }, 'rule.src'],
    ['an interface name longer than 15 bytes', { iif: 'abcdefghijklmnop' }, 'rule.iif'],
    ['an unknown table', { table: 'nosuch' }, 'rule.table'],
    ['an unknown action', { action: 'explode' as never }, 'rule.action'],
    ['a negative priority', { priority: -1 }, 'rule.priority'],
    ['a port range backwards', { sport: { start: 20, end: 10 } }, 'rule.sport'],
    ['a port above 65535', { dport: 70000 }, 'rule.dport'],
    ['an unknown ipproto', { ipProto: 'tcpp' as never }, 'rule.ipProto'],
    ['a tun_id that is not a bigint', { tunId: 5 as never }, 'rule.tunId'],
    ['a table on an l3mdev rule', { l3mdev: true, table: 100 }, 'rule.table'],
  ];

  it.each(cases)('%s → BAD_VALUE at %s', async (_what, spec, path) => {
    const { kernel, rt } = client();
    const err = await rt.rules.add(spec).catch((e) => e);
    expect(err).toBeInstanceOf(NetlinkEncodeError);
    expect(err.code).toBe('BAD_VALUE');
    expect(err.path).toBe(path);
    expect(kernel.requests).toHaveLength(0);
  });

  it('a bad filter is refused before the dump leaves', async () => {
    const { kernel, rt } = client();
    const err = await rt.rules.list({ src: '10.0.0.0/40' }).catch((e) => e);
    expect(err).toBeInstanceOf(NetlinkEncodeError);
    expect(err.path).toBe('ruleFilter.src');
    expect(kernel.requests).toHaveLength(0);
  });
});

describe('rules: kernel refusals', () => {
  it('surface the errno and the extended-ack text', async () => {
    const { rt } = client((req) => [ack(req, EEXIST, { message: 'Rule exists' })]);
    const err = await rt.rules.add({ priority: 1, table: 1 }).catch((e) => e);
    expect(err).toBeInstanceOf(NetlinkError);
    expect(err.code).toBe('EEXIST');
    expect(err.kernelMessage).toBe('Rule exists');
  });
});

// ---------------------------------------------------------------------------------------------
// Decoding real kernel dumps, checked against `ip -j rule show` of the same state.

/** Our rule in the shape `ip -j rule show` prints. */
function asIp(r: Rule): Record<string, unknown> {
  const a = r.attributes;
  const out: Record<string, unknown> = { priority: r.priority };
  const full = r.family === 10 ? 128 : 32;
  const prefix = (p: string, key: 'src' | 'dst') => {
    if (p === 'all') {
      if (key === 'src') out.src = 'all';
      return;
    }
    const [addr, len] = p.split('/');
    out[key] = addr;
    if (Number(len) !== full) out[`${key}len`] = Number(len);
  };
  prefix(r.src, 'src');
  prefix(r.dst, 'dst');
  if (r.tos) out.tos = `0x${r.tos.toString(16)}`;
  if (a.fwmark !== undefined) out.fwmark = `0x${a.fwmark.toString(16)}`;
  if (a.fwmask !== undefined && a.fwmask !== 0xffffffff) out.fwmask = `0x${a.fwmask.toString(16)}`;
  if (a.iifname !== undefined) out.iif = a.iifname;
  if (a.oifname !== undefined) out.oif = a.oifname;
  if (a.l3mdev) out.l3mdev = null;
  if (a.uidRange) {
    out.uid_start = a.uidRange.start;
    out.uid_end = a.uidRange.end;
  }
  if (a.ipProto !== undefined) out.ipproto = a.ipProto === 6 ? 'tcp' : a.ipProto;
  for (const [key, range] of [
    ['sport', a.sportRange],
    ['dport', a.dportRange],
  ] as const) {
    if (!range) continue;
    if (range.start === range.end) out[key] = range.start;
    else {
      out[`${key}_start`] = range.start;
      out[`${key}_end`] = range.end;
    }
  }
  if (a.tunId !== undefined) out.tun_id = Number(a.tunId);
  if (r.table !== 'unspec' && r.table !== 0) {
    out.table = String(r.table);
    if (a.suppressPrefixlen !== undefined && a.suppressPrefixlen !== 0xffffffff) {
      out.suppress_prefixlen = a.suppressPrefixlen;
    }
  }
  if (r.action === 'goto') out.goto = a.goto;
  else if (r.action === 'nop') out.nop = null;
  else if (r.action !== 'to_tbl') out.action = r.action;
  if (a.protocol !== undefined && a.protocol !== 'unspec' && a.protocol !== 'kernel') {
    out.protocol = a.protocol;
  }
  return out;
}

describe('rules.list decodes captured kernel dumps as ip -j rule show reads them', () => {
  it.each([
    ['rule/dump-ipv4', 'inet'],
    ['rule/dump-ipv6', 'inet6'],
  ] as const)('%s', async (name, family) => {
    const fx = loadFixture(`${name}.reply`);
    const { kernel, rt } = client(replay(`${name}.reply`));
    const rules = await rt.rules.list({ family });
    expect(kernel.requests[0]!.type).toBe(RTM_GETRULE);
    expect(kernel.requests[0]!.flags).toBe(NLM_F_REQUEST | NLM_F_DUMP);
    expect(rules.map(asIp)).toEqual(fx.meta.expect.ip_json);
  });

  it('filters by priority, table and source after decoding', async () => {
    const { rt } = client(replay('rule/dump-ipv4.reply'));
    const rules = await rt.rules.list({ family: 'inet', table: 'main' });
    expect(rules.map((r) => r.priority)).toEqual([109, 32766]);
    const { rt: rt2 } = client(replay('rule/dump-ipv4.reply'));
    const from = await rt2.rules.list({ family: 'inet', src: '192.0.2.0/24' });
    expect(from.map((r) => r.priority)).toEqual([100]);
  });

  it('delete(rule) of a listed rule names it exactly', async () => {
    const { rt } = client(replay('rule/dump-ipv4.reply'));
    const [rule] = await rt.rules.list({ family: 'inet', priority: 108 });
    const { kernel, rt: rt2 } = client((req) => [ack(req)]);
    await rt2.rules.delete(rule!);
    // ipproto tcp sport 1000-2000 dport 80 lookup 108 pref 108
    const [req] = kernel.requests;
    expect(req!.type).toBe(RTM_DELRULE);
    expect(req!.payload).toEqual(
      cat(
        frh(2, 0, 0, 0, 108, FR_ACT_TO_TBL),
        nla(FRA_IP_PROTO, Buffer.of(6)),
        nla(FRA_SPORT_RANGE, u16le(1000), u16le(2000)),
        nla(FRA_DPORT_RANGE, u16le(80), u16le(80)),
        nla(FRA_PRIORITY, u32le(108)),
      ),
    );
  });

  it('an empty dump is an empty list', async () => {
    const { rt } = client((req) => [done(req)]);
    await expect(rt.rules.list()).resolves.toEqual([]);
  });
});
