// The last `ip route` forms against ip 6.1 (the oracle): `route test` (RTM_NEWROUTE with
// NLM_F_EXCL alone) in twin namespaces, `route get … notify` / `vrf NAME`, and the route cache
// (`route show cache` / `cloned`, RTM_F_CLONED dumps) with real cached routes: path MTU
// exceptions learned from a router namespace whose next link has a 1280-byte MTU.
// Runs the built CLI.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  asRtnl,
  type CliNs,
  cliNs,
  expectSameJson,
  expectSameText,
  normalise,
  type PmtuLab,
  pmtuLab,
  type Twin,
  twin,
  VOLATILE,
} from './helpers.js';

// A fixed MAC and no IPv6 link-local address: the twins' states can be compared.
const BASE = [
  'link set lo up',
  'link add d0 address 02:00:00:00:00:01 type ifb',
  'link set d0 addrgenmode none',
  'link set d0 up',
  'address add 192.0.2.1/24 dev d0',
  '-6 address add 2001:db8::1/64 dev d0 nodad',
  'route add 198.51.100.0/24 via 192.0.2.254',
  '-6 route add 2001:db8:5::/48 via 2001:db8::fe',
];
const STATES = [
  ['route', 'show', 'table', 'all'],
  ['-6', 'route', 'show', 'table', 'all'],
];

describe('rtnl route test (twin namespaces)', () => {
  let tw: Twin;
  beforeAll(() => {
    tw = twin(BASE);
  });
  afterAll(() => tw?.close());

  it.each([
    // [line, status, stderr ip prints]
    ['route test 198.51.100.0/24 via 192.0.2.254', 2, 'RTNETLINK answers: File exists\n'],
    ['route t 198.51.100.0/24 via 192.0.2.254', 2, 'RTNETLINK answers: File exists\n'],
    [
      'route te 203.0.113.0/24 via 192.0.2.254',
      2,
      'RTNETLINK answers: No such file or directory\n',
    ],
    [
      'route test 203.0.113.0/24 dev d0 table 100',
      2,
      'RTNETLINK answers: No such file or directory\n',
    ],
    ['-6 route test 2001:db8:5::/48 via 2001:db8::fe', 2, 'RTNETLINK answers: File exists\n'],
    // IPv6 adds a missing route even without NLM_F_CREATE.
    ['-6 route test 2001:db8:6::/48 via 2001:db8::fe dev d0', 0, ''],
    ['route test 198.51.100.0/24 via 192.0.2.254 dev nosuch', 1, 'Cannot find device "nosuch"\n'],
  ])('%s', (line, status, stderr) => {
    const { rtnl } = tw.both(...line.split(' '));
    expect({ status: rtnl.status, stderr: rtnl.stderr }).toEqual({ status, stderr });
    for (const s of STATES) tw.expectSameState(s);
  });

  it('-batch: a `route test` line is a change like the others', () => {
    const input = [
      'route test 198.51.100.0/24 via 192.0.2.254',
      'route add 10.9.0.0/24 dev d0',
      'route test 10.9.0.0/24 dev d0',
      'route test 10.8.0.0/24 dev d0',
      'route test 2001:db8:7::/48 dev d0',
      '',
    ].join('\n');
    for (const force of [[], ['-force']]) {
      const r = tw.a.rtnlRun([...force, '-batch', '-'], { input });
      const i = tw.b.ipRun([...force, '-batch', '-'], { input });
      expect({ status: r.status, stdout: r.stdout, stderr: r.stderr }).toEqual({
        status: i.status,
        stdout: i.stdout,
        stderr: asRtnl(i.stderr),
      });
      expect(i.stderr).toMatch(/File exists/);
      for (const s of STATES) tw.expectSameState(s);
    }
  });
});

describe('rtnl route get … notify / vrf', () => {
  let t: CliNs;
  beforeAll(() => {
    t = cliNs(BASE);
  });
  afterAll(() => t?.close());

  it.each([
    [['route', 'get', '192.0.2.5', 'notify']],
    [['route', 'get', 'notify', '198.51.100.9']],
    [['route', 'get', '192.0.2.5', 'notify', 'fibmatch']],
    [['route', 'get', '192.0.2.5', 'from', '192.0.2.1', 'notify', 'connected']],
  ])('%j prints what ip prints (RTM_F_NOTIFY, cache <notify>)', (args) => {
    const r = expectSameText(t, args);
    expect(r.status).toBe(0);
    if (!args.includes('fibmatch')) expect(r.stdout).toMatch(/ notify .*\n\s+cache <notify>/s);
    expectSameJson(t, args);
  });

  it.each([
    [['-6', 'route', 'get', '2001:db8::5', 'notify']],
    [['-j', '-6', 'route', 'get', '2001:db8::5', 'notify']],
  ])('%j: the kernel refuses it, as for ip', (args) => {
    const r = expectSameText(t, args);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('Error: ipv6: Invalid flags for get route request.\n');
  });

  it.each([
    [['route', 'get', '192.0.2.5', 'vrf', 'nosuch']],
    [['route', 'get', '192.0.2.5', 'vrf', 'd0']],
    [['route', 'get', 'vrf', 'lo', '192.0.2.5']],
    [['route', 'get', 'vrf', 'd0']],
    [['route', 'get', '192.0.2.5', 'vrf']],
  ])('%j: no VRF device here, ip text and status', (args) => {
    const r = expectSameText(t, args);
    expect(r.status).not.toBe(0);
  });
});

/** The text with the remaining lifetimes of cached routes replaced (they count down). */
const timers = (s: string) =>
  s.replace(/expires -?\d+sec/g, 'expires Nsec').replace(/ age \d+sec/g, ' age Nsec');
// `age` (-s: seconds since the cached route was last used) ticks between the two calls.
const TIMERS = [...VOLATILE.timers, '**.age'];

describe('rtnl route show cache (path MTU exceptions)', () => {
  let lab: PmtuLab;
  let host: CliNs;
  let router: CliNs;
  beforeAll(() => {
    // The path-MTU exceptions of helpers.ts's lab, plus a route in table 100 for the filters.
    lab = pmtuLab();
    ({ host, router } = lab);
    host.setup(['route add 10.3.0.0/24 via 10.1.0.2 table 100']);
  });
  afterAll(() => {
    lab?.close();
  });

  it('the kernel holds the cached routes (ip shows them)', () => {
    expect(timers(host.ip('route', 'show', 'cache'))).toBe(
      '10.2.0.1 via 10.1.0.2 dev v0 \n    cache expires Nsec mtu 1280 \n',
    );
    expect(timers(host.ip('-6', 'route', 'show', 'cache'))).toBe(
      '2001:db8:2::1 via 2001:db8:1::2 dev v0 metric 1024 expires Nsec mtu 1280 pref medium\n',
    );
  });

  const SHOWS = [
    ['route', 'show', 'cache'],
    ['route', 'list', 'cached'],
    ['route', 'show', 'cloned', 'table', 'all'],
    ['route', 'show', 'table', 'cache'],
    ['route', 'show', 'cache', 'table', '100'],
    ['route', 'show', 'cache', 'dev', 'v0'],
    ['route', 'show', 'cache', '10.2.0.1'],
    ['route', 'show', 'cache', 'root', '10.0.0.0/8'],
    ['route', 'show', 'cache', 'via', '10.1.0.2'],
    ['-4', 'route', 'show', 'cache', 'table', 'all'],
    ['-6', 'route', 'show', 'cache'],
    ['-6', 'route', 'show', 'cloned', 'table', 'all'],
    ['-6', 'route', 'show', 'cache', 'dev', 'v0', 'proto', 'ra'],
    ['-d', 'route', 'show', 'cache'],
    ['-d', '-6', 'route', 'show', 'cache'],
    ['-s', 'route', 'show', 'cache'],
  ];

  it.each(SHOWS.map((s) => [s]))('%j (text) prints what ip prints', (args) => {
    const r = expectSameText(host, args, timers);
    expect(r.status).toBe(0);
  });

  it.each(SHOWS.map((s) => [s]))('-j %j gives the document ip gives', (args) => {
    const { ip } = expectSameJson(host, args, TIMERS);
    expect(Array.isArray(ip)).toBe(true);
  });

  it('-j -p route show cache', () => {
    const a = host.ipRun(['-j', '-p', 'route', 'show', 'cloned', 'table', 'all']);
    const b = host.rtnlRun(['-j', '-p', 'route', 'show', 'cloned', 'table', 'all']);
    expect(timers(b.stdout).replace(/"expires": \d+/g, '"expires": N')).toBe(
      timers(a.stdout).replace(/"expires": \d+/g, '"expires": N'),
    );
  });

  it('an empty cache: empty text, an empty JSON array, as ip', () => {
    for (const args of [
      ['route', 'show', 'cache'],
      ['-6', 'route', 'show', 'cache'],
      ['route', 'show', 'cloned', 'table', 'all'],
    ]) {
      expect(expectSameText(router, args).stdout).toBe('');
      const r = router.rtnlRun(['-j', ...args]);
      expect(r.stdout).toBe(router.ipRun(['-j', ...args]).stdout);
      expect(JSON.parse(r.stdout)).toEqual([]);
    }
  });

  it('route get of a cached destination prints the learned MTU as ip', () => {
    for (const args of [
      ['route', 'get', '10.2.0.1'],
      ['-6', 'route', 'get', '2001:db8:2::1'],
    ]) {
      expectSameText(host, args, timers);
      expect(normalise(host.rtnlJson(...args), TIMERS)).toEqual(
        normalise(host.ipJson(...args), TIMERS),
      );
    }
  });
});
