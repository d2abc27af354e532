// `rtnl rule … nat ADDRESS` / `map-to` / `type nat` (deprecated route NAT) against `ip rule`:
// add through rtnl in one twin and ip in the other, compared as `ip -j rule` of both, with
// ip's warning and errors on stderr; the rules shown as ip shows them (`masquerade`).
// Runs the built CLI.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliNs, cliNs, expectSameText, type Twin, twin } from './helpers.js';

const NAT_RULES = [
  'rule add from 192.0.2.0/24 nat 198.51.100.1 pref 100',
  '-6 rule add from 2001:db8::/32 map-to 203.0.113.7 pref 101',
  'rule add to 198.51.100.0/24 type nat pref 102',
  'rule add blackhole nat 192.0.2.9 pref 103',
  'rule add nat default lookup 100 pref 104',
  'rule add iif lo map 192.0.2.10 pref 105',
  'rule add fwmark 7 nat 192.0.2.11 table 7 pref 106',
];

const STATES = [['rule'], ['-6', 'rule'], ['-d', 'rule']];

describe('rtnl rule add … nat (twin namespaces)', () => {
  let tw: Twin;
  beforeAll(() => {
    tw = twin(['link set lo up']);
  });
  afterAll(() => tw?.close());

  it.each(NAT_RULES)('%s', (line) => {
    const { rtnl } = tw.both(...line.split(' '));
    expect(rtnl.status).toBe(0);
    expect(rtnl.stderr).toBe(
      'Warning: route NAT is deprecated\n'.repeat(line.includes('type nat') ? 0 : 1),
    );
    for (const s of STATES) tw.expectSameState(s);
  });

  it.each([
    'rule add goto 100 nat 192.0.2.10 pref 110',
    'rule add nat 2001:db8::1 pref 110',
    'rule add nat bogus pref 110',
    'rule add nat 192.0.2.300',
    'rule add nat',
    'rule add map-to',
  ])('error as ip reports it: %s', (line) => {
    const { rtnl, ip } = tw.both(...line.split(' '));
    expect(rtnl.status).not.toBe(0);
    expect(rtnl.stdout).toBe(ip.stdout);
    for (const s of STATES) tw.expectSameState(s);
  });

  it('deletes a NAT rule as ip does', () => {
    const { rtnl } = tw.both('rule', 'del', 'pref', '100');
    expect(rtnl.status).toBe(0);
    for (const s of STATES) tw.expectSameState(s);
  });
});

describe('rtnl rule show with NAT rules', () => {
  let t: CliNs;
  beforeAll(() => {
    t = cliNs(['link set lo up', ...NAT_RULES]);
  });
  afterAll(() => t?.close());

  it.each([
    ['rule'],
    ['-6', 'rule'],
    ['-d', 'rule'],
    ['rule', 'show', 'pref', '100'],
    ['-j', 'rule'],
    ['-j', '-6', 'rule'],
    ['-j', '-p', 'rule', 'show', 'table', 'main'],
  ])('%s: as ip', (...args) => {
    const r = expectSameText(t, args);
    expect(r.status).toBe(0);
  });

  it('shows masquerade and no address (the kernel keeps no NAT address)', () => {
    const r = t.rtnlJson('rule', 'show', 'pref', '100') as Record<string, unknown>[];
    expect(r).toEqual([
      { priority: 100, src: '192.0.2.0', srclen: 24, table: 'main', masquerade: null },
    ]);
  });
});
