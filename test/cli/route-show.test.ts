// `rtnl route show|list|get` against `ip route` (iproute2 is the oracle): the same routes in a
// namespace the test made, printed by both, as text and as -j JSON. Runs the built CLI.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliNs, cliNs, expectSameJson, expectSameText, normalise } from './helpers.js';

// What changes between two calls: the remaining lifetime of an expiring IPv6 route, and the
// reference count / use counters of a looked-up route (`-s route get`).
const TIMERS = ['**.expires', '**.users', '**.used', '**.age'];
const fixTimers = (s: string) =>
  s
    .replace(/expires -?\d+sec/g, 'expires Nsec')
    .replace(/users \d+ /g, 'users N ')
    .replace(/used \d+ /g, 'used N ')
    .replace(/age \d+sec /g, 'age Nsec ');

// No link-local addresses (addrgenmode none), so no route appears between two calls.
const SETUP = [
  'link set lo up',
  'link add v0 type veth peer name v1',
  'link set v0 addrgenmode none',
  'link set v1 addrgenmode none',
  'link set v0 up',
  'link set v1 up',
  'link add d0 type ifb',
  'link set d0 addrgenmode none',
  'link set d0 up',
  'addr add 192.0.2.1/24 dev v0',
  'addr add 198.51.100.129/25 dev d0',
  'addr add 2001:db8::1/64 dev v0 nodad',
  // IPv4: gateway + metric + every kind of metric, locked or not.
  'route add 198.51.100.0/25 via 192.0.2.2 metric 10 mtu lock 1400 rtt 100ms advmss 1000 congctl cubic features ecn',
  'route add 10.7.0.0/16 dev v0 rtt 1.5s rttvar 300 rto_min 2s hoplimit 5 initcwnd 10 initrwnd 20 quickack 1 ssthresh 9 cwnd 8 window 7 reordering 6 fastopen_no_cookie 1',
  // Multipath with weights and onlink.
  'route add 203.0.113.0/24 nexthop via 192.0.2.2 weight 2 nexthop via 192.0.2.3 dev v0 onlink nexthop via 198.51.100.130 dev d0 realms 7',
  // Types, tables, protocols, scopes.
  'route add blackhole 10.1.0.0/16 table 100',
  'route add throw 10.5.0.0/16 table 100',
  'route add unreachable 10.2.0.0/16 proto static',
  'route add prohibit 10.4.0.0/16 table 1000 metric 7',
  'route add 10.3.0.0/16 dev v0 realms 3/4 src 192.0.2.1',
  'route add 10.6.0.0/16 dev v0 realms 5',
  'route add 10.8.0.0/16 tos 0x10 dev v0',
  'route add 10.10.0.0/16 via inet6 2001:db8::7 dev v0',
  'route add 10.12.0.0/16 dev v0 metric 4294967295 proto 99',
  'route add 192.0.2.128/25 dev v0 scope host proto bird',
  'route add default via 192.0.2.254 metric 500',
  // Lightweight tunnels the kernel has (ip, seg6).
  'route add 10.9.0.0/16 encap ip id 5 dst 192.0.2.9 ttl 3 key dev v0',
  // IPv6: gateway with preference, expiry, multipath, source routing, seg6, prohibit.
  'route add 2001:db8:1::/48 via 2001:db8::2 pref high',
  'route add 2001:db8:5::/48 via 2001:db8::2 expires 300',
  'route add 2001:db8:3::/48 nexthop via 2001:db8::2 dev v0 nexthop via 2001:db8::3 dev v0 weight 3',
  'route add 2001:db8:4::/48 from 2001:db8:ff::/48 via 2001:db8::2',
  'route add 2001:db8:9::/48 encap seg6 mode encap segs 2001:db8::5,2001:db8::6 dev v0',
  'route add prohibit 2001:db8:2::/48',
  'route add 2001:db8:6::/48 dev v0 table 100 metric 9 proto static',
];

let t: CliNs;
beforeAll(() => {
  t = cliNs(SETUP);
});
afterAll(() => t?.close());

// Every show the issue names: both families, -s, -d, and each filter ip route list takes.
const SHOWS: string[][] = [
  ['route'],
  ['route', 'show'],
  ['route', 'list'],
  ['-4', 'route'],
  ['-6', 'route'],
  ['-d', 'route'],
  ['-d', '-6', 'route'],
  ['-s', 'route'],
  ['-s', '-6', 'route'],
  ['-N', 'route', 'show', 'table', 'all'],
  ['route', 'show', 'table', 'all'],
  ['-d', 'route', 'show', 'table', 'all'],
  ['route', 'show', 'table', '100'],
  ['-6', 'route', 'show', 'table', '100'],
  ['route', 'show', 'table', '1000'],
  ['route', 'show', 'table', 'local'],
  ['-6', 'route', 'show', 'table', 'local'],
  ['route', 'show', 'dev', 'v0'],
  ['route', 'show', 'dev', 'd0'],
  ['-6', 'route', 'show', 'dev', 'v0'],
  ['route', 'show', 'proto', 'kernel'],
  ['route', 'show', 'proto', 'static'],
  ['route', 'show', 'proto', 'all'],
  ['route', 'show', 'type', 'unreachable'],
  ['route', 'show', 'table', '100', 'type', 'throw'],
  ['route', 'show', 'scope', 'link'],
  ['route', 'show', 'scope', 'host'],
  ['route', 'show', 'via', '192.0.2.2'],
  ['route', 'show', 'via', '192.0.2.0/24'],
  ['-6', 'route', 'show', 'via', '2001:db8::2'],
  ['route', 'show', 'src', '192.0.2.1'],
  ['route', 'show', '198.51.100.0/25'],
  ['route', 'show', 'root', '198.51.0.0/16'],
  ['route', 'show', 'match', '198.51.100.7'],
  ['route', 'show', 'exact', '203.0.113.0/24'],
  ['route', 'show', 'default'],
  ['route', 'show', 'metric', '10'],
  ['route', 'show', 'realms', '3/4'],
  ['route', 'show', 'realms', '5'],
  ['route', 'show', 'tos', '0x10'],
  ['-6', 'route', 'show', 'from', '2001:db8:ff::/48'],
  ['-6', 'route', 'show', 'to', 'root', '2001:db8::/32'],
  ['route', 'show', 'table', 'all', 'default'],
];

describe('rtnl route show: JSON equal to ip -j', () => {
  it.each(SHOWS.map((a) => [a.join(' '), a]))('%s', (_, args) => {
    expectSameJson(t, args as string[], TIMERS);
  });
  it('-p prints the same pretty document, byte for byte', () => {
    const fix = (s: string) => s.replace(/"expires": \d+/g, '"expires": N');
    const ours = t.rtnl('-j', '-p', 'route', 'show', 'table', 'all');
    expect(ours.status).toBe(0);
    expect(fix(ours.stdout)).toBe(fix(t.ip('-j', '-p', 'route', 'show', 'table', 'all')));
  });
});

describe('rtnl route show: text equal to ip', () => {
  it.each(SHOWS.map((a) => [a.join(' '), a]))('%s', (_, args) => {
    expectSameText(t, args as string[], fixTimers);
  });
  it('-o keeps each route on one line', () => {
    expectSameText(t, ['-o', 'route']);
    expectSameText(t, ['-o', '-6', 'route'], fixTimers);
  });
  it('-c colours as ip -c=always does', () => {
    expectSameText(t, ['-c', 'route', 'show', 'table', 'all'], fixTimers);
  });
});

describe('rtnl route get', () => {
  const GETS: string[][] = [
    ['route', 'get', '198.51.100.5'],
    ['route', 'get', '203.0.113.9'],
    ['route', 'get', '10.9.1.1'],
    ['route', 'get', '8.8.8.8'],
    ['-d', 'route', 'get', '198.51.100.5'],
    ['route', 'get', 'to', '198.51.100.5', 'from', '192.0.2.1'],
    ['route', 'get', '198.51.100.5', 'oif', 'v0'],
    [
      'route',
      'get',
      '198.51.100.5',
      'mark',
      '5',
      'uid',
      '7',
      'ipproto',
      'tcp',
      'sport',
      '80',
      'dport',
      '443',
    ],
    ['route', 'get', '198.51.100.5', 'tos', '0x10'],
    ['route', 'get', 'fibmatch', '198.51.100.5'],
    ['route', 'get', 'fibmatch', '203.0.113.9'],
    ['route', 'get', '192.0.2.1'],
    ['-6', 'route', 'get', '2001:db8:1::5'],
    ['route', 'get', '2001:db8:3::1'],
    ['route', 'get', 'fibmatch', '2001:db8:3::1'],
    ['route', 'get', '2001:db8:4::1', 'from', '2001:db8:ff::1'],
  ];
  it.each(GETS.map((a) => [a.join(' '), a]))('%s (text and JSON)', (_, args) => {
    expectSameText(t, args as string[], fixTimers);
    expectSameJson(t, args as string[], TIMERS);
  });

  it('connected prints the route twice, the second time as text even with -j (as ip 6.1)', () => {
    expectSameText(t, ['route', 'get', '198.51.100.5', 'connected'], fixTimers);
    expectSameText(t, ['-j', 'route', 'get', '198.51.100.5', 'connected'], fixTimers);
    expectSameText(t, ['-j', '-6', 'route', 'get', '2001:db8:1::9', 'connected'], fixTimers);
  });

  it('-s adds the cache counters', () => {
    expectSameJson(t, ['-s', 'route', 'get', '198.51.100.5'], TIMERS);
    expectSameText(t, ['-s', 'route', 'get', '198.51.100.5'], fixTimers);
    expectSameJson(t, ['-s', '-6', 'route', 'get', '2001:db8:1::5'], TIMERS);
  });

  it('a prefix is looked up as its address, with ip’s warning', () => {
    expectSameText(t, ['route', 'get', '198.51.100.0/24']);
  });

  it('refusals and usage errors as ip reports them', () => {
    for (const args of [
      ['route', 'get', '10.99.0.1'],
      ['route', 'get'],
      ['route', 'get', '192.0.2.7', 'iif', 'nosuch'],
      ['route', 'get', '192.0.2.7', 'oif', 'nosuch'],
      ['route', 'get', 'bogus'],
      ['route', 'get', '192.0.2.7', 'mark', 'x'],
      ['route', 'get', '192.0.2.7', 'ipproto', 'nosuchproto'],
      ['route', 'get', '192.0.2.7', 'sport', '70000'],
    ]) {
      expectSameText(t, args);
    }
  });
});

describe('rtnl route show: edge cases', () => {
  it('a table that does not exist ends the dump as ip does (with -j: a lone "[")', () => {
    expectSameText(t, ['route', 'show', 'table', '999']);
    expectSameText(t, ['-j', 'route', 'show', 'table', '999']);
    expectSameText(t, ['-j', '-p', 'route', 'show', 'table', '999']);
    // A filter that matches nothing is an empty document, not an error.
    expectSameText(t, ['-j', 'route', 'show', 'table', '100', 'proto', 'ospf']);
  });

  it('filters that name a device that does not exist', () => {
    expectSameText(t, ['route', 'show', 'dev', 'nosuch']);
    expectSameText(t, ['route', 'show', 'iif', 'nosuch']);
  });

  it('bad filter values name the argument', () => {
    for (const args of [
      ['route', 'show', 'table', 'nosuch'],
      ['route', 'show', 'proto', 'nosuch'],
      ['route', 'show', 'scope', 'nosuch'],
      ['route', 'show', 'type', 'nosuch'],
      ['route', 'show', 'metric', 'x'],
      ['route', 'show', 'tos', 'zz'],
      ['route', 'show', 'realms', 'x/y/z'],
      ['route', 'show', 'bogus'],
      ['route', 'show', 'table'],
    ]) {
      expectSameText(t, args);
    }
  });

  it('the normaliser only hides what changes', () => {
    // Guard: expires is present for the expiring route, so the test really compares a value
    // that moves, and nothing else is normalised away.
    const doc = t.ipJson('-6', 'route', 'show', '2001:db8:5::/48') as { expires?: number }[];
    expect(doc[0]?.expires).toBeGreaterThan(200);
    expect(normalise(doc, TIMERS)).not.toEqual(doc);
  });
});
