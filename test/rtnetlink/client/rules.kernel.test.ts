// rt.rules against the live kernel, inside an anonymous namespace this file makes. After each
// step the namespace is read back with `ip -j rule show` run in it (iproute2 is the oracle).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NetlinkError } from '../../../src/netlink/errors.js';
import { createNetns, type Netns } from '../../../src/ns/index.js';
import type { Rule } from '../../../src/rtnetlink/api/rules.js';
import { RtNetlink } from '../../../src/rtnetlink/client.js';
import type { RuleSpec } from '../../../src/rtnetlink/requests/rule.js';
import { ipIn } from '../../helpers/ns-ip.js';

let ns: Netns;
let rt: RtNetlink;

const { ip, ipJson, ipError } = ipIn(() => ns);

/** Our rule in the shape `ip -j rule show` prints. */
function asIp(r: Rule): Record<string, unknown> {
  const a = r.attributes;
  const out: Record<string, unknown> = { priority: r.priority };
  const full = r.family === 10 ? 128 : 32;
  if (r.flags.names.includes('invert')) out.not = null;
  for (const key of ['src', 'dst'] as const) {
    const p = r[key];
    if (p === 'all') {
      if (key === 'src') out.src = 'all';
      continue;
    }
    const [addr, len] = p.split('/');
    out[key] = addr;
    if (Number(len) !== full) out[`${key}len`] = Number(len);
  }
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
  if (r.action === 'goto') {
    out.goto = a.goto;
    if (r.flags.names.includes('unresolved')) out.unresolved = null;
  } else if (r.action === 'nop') out.nop = null;
  else if (r.action !== 'to_tbl') out.action = r.action;
  if (a.protocol !== undefined && a.protocol !== 'unspec' && a.protocol !== 'kernel') {
    out.protocol = a.protocol;
  }
  return out;
}

beforeAll(async () => {
  ns = createNetns();
  ip('link', 'set', 'lo', 'up');
  ip('link', 'add', 'd0', 'type', 'ifb');
  rt = await RtNetlink.open({ netns: ns });
});

afterAll(() => {
  rt?.close();
  ns?.close();
});

describe('rules: create → list → delete', () => {
  const specs: [string, RuleSpec][] = [
    ['from, lookup', { src: '192.0.2.0/24', table: 100, priority: 100 }],
    ['to', { dst: '198.51.100.0/24', table: 101, priority: 101 }],
    ['fwmark/mask', { fwmark: 0x10, fwmask: 0xff, table: 102, priority: 102 }],
    ['iif', { iif: 'd0', table: 103, priority: 103 }],
    ['oif', { oif: 'd0', table: 104, priority: 104 }],
    ['not', { invert: true, src: '10.0.0.0/8', table: 105, priority: 105 }],
    ['tos', { tos: 0x10, table: 106, priority: 106 }],
    ['uidrange', { uidRange: { start: 1000, end: 2000 }, table: 107, priority: 107 }],
    [
      'ipproto and ports',
      { ipProto: 'tcp', sport: { start: 1000, end: 2000 }, dport: 80, table: 108, priority: 108 },
    ],
    ['suppress_prefixlength', { table: 'main', suppressPrefixlen: 0, priority: 109 }],
    ['goto', { goto: 200, priority: 110 }],
    ['blackhole', { action: 'blackhole', priority: 111 }],
    ['unreachable', { action: 'unreachable', priority: 112 }],
    ['prohibit', { action: 'prohibit', priority: 113 }],
    [
      'a table beyond 255 and a protocol',
      { src: '192.0.2.1', table: 2000, priority: 114, protocol: 'static' },
    ],
    ['tun_id', { tunId: 5n, table: 115, priority: 115 }],
    ['nop', { action: 'nop', priority: 200 }],
  ];

  it.each(specs)('%s', async (_what, spec) => {
    await rt.rules.add(spec);
    const mine = await rt.rules.list({ family: 'inet', priority: spec.priority! });
    expect(mine).toHaveLength(1);
    const theirs = ipJson('rule', 'show', 'pref', String(spec.priority));
    expect(mine.map(asIp)).toEqual(theirs);
  });

  it('the whole IPv4 list reads as ip -j rule show reads it', async () => {
    const mine = await rt.rules.list({ family: 'inet' });
    expect(mine.map(asIp)).toEqual(ipJson('rule', 'show'));
    // The three rules every namespace starts with.
    expect(mine.map((r) => [r.priority, r.table])).toEqual(
      expect.arrayContaining([
        [0, 'local'],
        [32766, 'main'],
        [32767, 'default'],
      ]),
    );
  });

  it('delete(rule) of a listed rule removes exactly it', async () => {
    for (const pref of [108, 107, 105, 102, 114, 115]) {
      const [rule] = await rt.rules.list({ family: 'inet', priority: pref });
      await rt.rules.delete(rule!);
      expect(ipJson('rule', 'show', 'pref', String(pref))).toEqual([]);
    }
  });

  it('delete by spec (priority)', async () => {
    await rt.rules.delete({ priority: 100 });
    expect(ipJson('rule', 'show', 'pref', '100')).toEqual([]);
  });
});

describe('rules: IPv6', () => {
  it('add → list → delete', async () => {
    await rt.rules.add({ src: '2001:db8::/32', table: 100, priority: 100 });
    await rt.rules.add({ dst: '2001:db8:1::/48', iif: 'd0', table: 101, priority: 101 });
    const mine = await rt.rules.list({ family: 'inet6' });
    expect(mine.map(asIp)).toEqual(ipJson('-6', 'rule', 'show'));
    expect(mine.every((r) => r.family === 10)).toBe(true);
    await rt.rules.delete({ family: 'inet6', priority: 101 });
    expect(ipJson('-6', 'rule', 'show', 'pref', '101')).toEqual([]);
  });

  it('list() without a family returns both', async () => {
    const all = await rt.rules.list();
    expect(all.some((r) => r.family === 2)).toBe(true);
    expect(all.some((r) => r.family === 10)).toBe(true);
  });
});

describe('rules: kernel refusals carry the text ip prints', () => {
  it('a backward goto', async () => {
    const theirs = ipError('rule', 'add', 'goto', '10', 'pref', '20');
    const err = await rt.rules.add({ goto: 10, priority: 20 }).catch((e) => e);
    expect(err).toBeInstanceOf(NetlinkError);
    expect(theirs).toBe(`Error: ${err.kernelMessage}.`);
  });

  it('an existing rule: EEXIST', async () => {
    await rt.rules.add({ fwmark: 9, table: 9, priority: 9 });
    const theirs = ipError('rule', 'add', 'fwmark', '9', 'lookup', '9', 'pref', '9');
    const err = await rt.rules.add({ fwmark: 9, table: 9, priority: 9 }).catch((e) => e);
    expect(err).toBeInstanceOf(NetlinkError);
    expect(err.code).toBe('EEXIST');
    expect(theirs).toContain(err.kernelMessage ?? 'File exists');
  });

  it('deleting a rule that does not exist: ENOENT', async () => {
    const theirs = ipError('rule', 'del', 'pref', '4242');
    const err = await rt.rules.delete({ priority: 4242 }).catch((e) => e);
    expect(err).toBeInstanceOf(NetlinkError);
    expect(err.code).toBe('ENOENT');
    expect(theirs).toContain(err.kernelMessage ?? 'No such file or directory');
  });
});
