// `rtnl rule` against `ip rule` (iproute2 is the oracle): show with every selector as text and
// -j JSON in one namespace; add / del / flush through rtnl in one twin and ip in the other,
// compared as `ip -j -d rule` of both; errors with ip's text and status. Runs the built CLI.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliNs, cliNs, expectSameJson, expectSameText, type Twin, twin } from './helpers.js';

const LINKS = [
  'link set lo up',
  'link add v0 type veth peer name v1',
  'link set v0 up',
  'link set v1 up',
  'link add d0 type ifb',
];

// One rule for each selector and action the client supports.
const RULES = [
  'rule add from 192.0.2.0/24 lookup 100 pref 100',
  'rule add not to 198.51.100.0/24 fwmark 0x10/0xff iif v0 tos 0x10 table 200 pref 200 proto static',
  'rule add ipproto tcp sport 80-90 dport 443 uidrange 100-200 blackhole pref 300',
  'rule add fwmark 5 goto 100 pref 50',
  'rule add from all lookup main suppress_prefixlength 0 pref 60',
  'rule add oif v1 realms 2/3 tun_id 77 lookup 1000 pref 70',
  'rule add l3mdev pref 80',
  'rule add nop pref 90',
  'rule add unreachable pref 91 iif d0',
  'rule add prohibit from 192.0.2.128/25 pref 92',
  'rule add lookup 100 suppress_ifgroup default pref 93',
  'rule add dport 53 ipproto udp table 8 pref 94',
  'rule add fwmark 0x20 lookup 9 pref 95 realms 7',
  'rule add from 192.0.2.7 lookup local pref 96 protocol kernel',
  'rule add from 192.0.2.0/24 table 7',
  'rule add iif nosuchdev lookup 5 pref 97',
  '-6 rule add from 2001:db8::/32 lookup 5 pref 5',
  '-6 rule add to 2001:db8:1::/48 tos AF11 lookup 9 pref 9',
  '-6 rule add from 2001:db8:ff::1 goto 9 pref 7 protocol bgp',
];

describe('rtnl rule show', () => {
  let t: CliNs;
  beforeAll(() => {
    t = cliNs([...LINKS, ...RULES]);
  });
  afterAll(() => t?.close());

  const SHOWS: string[][] = [
    ['rule'],
    ['rule', 'show'],
    ['rule', 'list'],
    ['-4', 'rule'],
    ['-6', 'rule'],
    ['-d', 'rule'],
    ['-d', '-6', 'rule'],
    ['-N', 'rule'],
    ['rule', 'show', 'pref', '200'],
    ['rule', 'show', 'priority', '100'],
    ['rule', 'show', 'table', '100'],
    ['rule', 'show', 'lookup', 'main'],
    ['rule', 'show', 'from', '192.0.2.0/24'],
    ['rule', 'show', 'from', '192.0.2.0/25'],
    ['rule', 'show', 'to', '198.51.100.0/24'],
    ['rule', 'show', 'not'],
    ['rule', 'show', 'tos', '0x10'],
    ['rule', 'show', 'fwmark', '0x10/0xff'],
    ['rule', 'show', 'fwmark', '5'],
    ['rule', 'show', 'iif', 'v0'],
    ['rule', 'show', 'dev', 'd0'],
    ['rule', 'show', 'oif', 'v1'],
    ['rule', 'show', 'l3mdev'],
    ['rule', 'show', 'uidrange', '100-200'],
    ['rule', 'show', 'ipproto', 'tcp'],
    ['rule', 'show', 'sport', '80-90'],
    ['rule', 'show', 'dport', '53'],
    ['rule', 'show', 'tun_id', '77'],
    ['rule', 'show', 'protocol', 'static'],
    ['-6', 'rule', 'show', 'from', '2001:db8::/32'],
    ['-6', 'rule', 'show', 'tos', 'AF11'],
  ];

  it.each(SHOWS.map((a) => [a.join(' '), a]))('%s: text and JSON as ip', (_, args) => {
    expectSameText(t, args as string[]);
    expectSameJson(t, args as string[]);
  });

  it('-p and -c as ip', () => {
    expectSameText(t, ['-j', '-p', 'rule']);
    expectSameText(t, ['-c', 'rule']);
    expectSameText(t, ['-c', '-6', 'rule']);
  });

  it.each([
    ['rule', 'show', 'pref', 'x'],
    ['rule', 'show', 'tos', 'zz'],
    ['rule', 'show', 'fwmark', 'x'],
    ['rule', 'show', 'fwmark', '1/x'],
    ['rule', 'show', 'iif', 'a/b'],
    ['rule', 'show', 'oif', 'a b'],
    ['rule', 'show', 'uidrange', '5'],
    ['rule', 'show', 'tun_id', 'x'],
    ['rule', 'show', 'table', 'nosuch'],
    ['rule', 'show', 'from', 'bogus'],
    ['rule', 'show', 'protocol', 'nosuch'],
    ['rule', 'show', 'ipproto', 'nosuch'],
    ['rule', 'show', 'sport', 'x'],
    ['rule', 'show', 'dport', 'x'],
    ['rule', 'show', 'bogus'],
    ['rule', 'show', 'pref'],
  ])('bad filter: %s', (...args) => {
    expectSameText(t, args);
  });
});

const STATES = [
  ['-d', 'rule'],
  ['-d', '-6', 'rule'],
];

function sameState(tw: Twin): void {
  for (const s of STATES) tw.expectSameState(s);
}

describe('rtnl rule add/del (twin namespaces)', () => {
  let tw: Twin;
  beforeAll(() => {
    tw = twin(LINKS);
  });
  afterAll(() => tw?.close());

  const STEPS = [
    ...RULES,
    'rule add from 192.0.2.0/24 table 7',
    'rule del pref 100',
    'rule del from 192.0.2.0/24 table 7',
    'rule delete fwmark 5 goto 100',
    'rule del table 200',
    'rule del blackhole',
    'rule del l3mdev',
    'rule del pref 95 fwmark 0x20',
    '-6 rule del pref 5',
    '-6 rule del from 2001:db8:ff::1',
  ];

  it.each(STEPS.map((s, i) => [i, s]))('step %i: %s', (_, line) => {
    const { rtnl } = tw.both(...(line as string).split(' '));
    expect(rtnl.status).toBe(0);
    sameState(tw);
  });

  it.each([
    'rule add prohibit from 192.0.2.128/25 pref 92',
    'rule add from 192.0.2.7 lookup local pref 96 protocol kernel',
    'rule del pref 12345',
    'rule del from 203.0.113.0/24',
    'rule add l3mdev table 5',
    'rule add iif a/b lookup 5',
    'rule add oif a/b lookup 5',
    'rule add fwmark abc lookup 5',
    'rule add fwmark 1/abc lookup 5',
    'rule add',
    'rule del',
    'rule add pref x',
    'rule add lookup nosuch',
    'rule add uidrange 5',
    'rule add sport x',
    'rule add dport x',
    'rule add ipproto nosuch',
    'rule add bogus',
    'rule add tun_id x',
    'rule add tos zz',
    'rule add realms x/y',
    'rule add protocol nosuch',
    'rule add suppress_prefixlength -1',
    'rule add suppress_ifgroup nosuch',
    'rule add goto x',
    'rule add from 192.0.2.0/33',
    'rule add to',
  ])('error as ip reports it: %s', (line) => {
    const { rtnl, ip } = tw.both(...line.split(' '));
    expect(rtnl.status).not.toBe(0);
    expect(rtnl.stdout).toBe(ip.stdout);
  });

  it('nothing above changed either namespace', () => {
    sameState(tw);
  });

  it('help and unknown commands', () => {
    const h = tw.rtnl('rule', 'help');
    expect(h.status).toBe(255);
    expect(h.stderr).toMatch(/^Usage: rtnl rule/);
    const r = tw.rtnl('rule', 'bogus');
    const i = tw.ip('rule', 'bogus');
    expect(r.status).toBe(i.status);
    expect(r.stderr).toBe(i.stderr.replace('"ip rule help"', '"rtnl rule help"'));
  });
});

describe('rtnl rule flush (twin namespaces)', () => {
  let tw: Twin;
  beforeAll(() => {
    tw = twin([...LINKS, ...RULES]);
  });
  afterAll(() => tw?.close());

  it.each([
    'rule flush pref 100',
    'rule flush table 100',
    'rule flush protocol static',
    'rule flush fwmark 5',
    '-6 rule flush from 2001:db8::/32',
    'rule flush',
    '-6 rule flush',
  ])('%s', (line) => {
    const { rtnl, ip } = tw.both(...line.split(' '));
    expect(rtnl.status).toBe(0);
    expect(rtnl.stdout).toBe(ip.stdout);
    sameState(tw);
  });

  it('leaves only the local rule, as ip does', () => {
    const { a } = tw.state(['rule']);
    expect(a).toEqual([{ priority: 0, src: 'all', table: 'local' }]);
  });
});
