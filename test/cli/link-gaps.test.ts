// `rtnl link replace`, `rtnl address change`, the link options trailers / mode / state and the
// neighbour filters nomaster / vrf, against ip 6.1 (the oracle): rtnl writes in one twin
// namespace and ip in the other, then `ip -j -d … show` of both must agree; refusals and bad
// values give ip's texts and statuses. Runs the built CLI.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cliNs, expectSameJson, expectSameText, type Twin, twin, VOLATILE } from './helpers.js';

const SETUP = [
  'link set lo up',
  'link add d0 address 02:00:00:00:00:01 type ifb',
  'link set d0 addrgenmode none',
  'link set d0 up',
  'address add 192.0.2.1/24 dev d0',
  '-6 address add 2001:db8::1/64 dev d0 nodad',
];

describe('twin: rtnl and ip make the same state', () => {
  let tw: Twin;
  beforeEach(() => {
    tw = twin(SETUP);
  });
  afterEach(() => tw?.close());

  const links = ['-d', 'link', 'show'];
  const addrs = ['address', 'show'];

  it.each([
    [['link', 'replace', 'r0', 'address', '02:00:00:00:00:10', 'mtu', '1400', 'type', 'ifb']],
    [['link', 'replace', 'rv0', 'index', '77', 'type', 'veth', 'peer', 'name', 'rv1']],
    [['link', 'replace', 'd0', 'type', 'ifb']], // exists: EOPNOTSUPP
    [['link', 'replace', 'r1']], // no type
    [['link', 'replace', 'r1', 'type', 'ifb', 'junk']],
    [['link', 'set', 'd0', 'trailers', 'off']],
    [['link', 'set', 'd0', 'trailers', 'on']],
    [['link', 'set', 'd0', 'trailers', 'maybe']],
    [['link', 'set', 'd0', 'mode', 'dormant']],
    [['link', 'set', 'd0', 'mode', 'DEFAULT']],
    [['link', 'set', 'd0', 'mode', 'testing']],
    [['link', 'set', 'd0', 'mode', 'dormant', 'state', 'dormant']],
    [['link', 'set', 'd0', 'mode', 'dormant', 'state', 'UP']],
    [['link', 'set', 'd0', 'state', 'up']],
    [['link', 'set', 'd0', 'state', 'sideways']],
  ])('%j', (args) => {
    tw.both(...args);
    // A new link without `address` gets a random MAC.
    const random = args.includes('address') ? [] : ['*.address'];
    tw.expectSameState(links, [...VOLATILE.stats, ...random]);
  });

  it('link replace of a link that is gone creates it again', () => {
    for (const args of [
      ['link', 'replace', 'r0', 'type', 'ifb'],
      ['link', 'delete', 'r0'],
      ['link', 'replace', 'r0', 'mtu', '1300', 'type', 'ifb'],
    ]) {
      const r = tw.both(...args);
      expect(r.rtnl.status).toBe(0);
    }
    tw.expectSameState(links, [...VOLATILE.stats, '*.address']);
  });

  it.each([
    [
      [
        'address',
        'change',
        '192.0.2.1/24',
        'dev',
        'd0',
        'valid_lft',
        '300',
        'preferred_lft',
        '100',
      ],
    ],
    [['address', 'change', '192.0.2.1/24', 'dev', 'd0', 'metric', '5']],
    [['address', 'change', '2001:db8::1/64', 'dev', 'd0', 'nodad', 'valid_lft', '600']],
    [['address', 'change', '192.0.2.9/24', 'dev', 'd0']], // the kernel adds a missing one
    [['address', 'change', '192.0.2.1/24', 'dev', 'nosuch']],
    [['address', 'chg', '192.0.2.1/24', 'dev', 'd0', 'valid_lft', '0']],
  ])('%j', (args) => {
    tw.both(...args);
    tw.expectSameState(addrs, [...VOLATILE.lifetimes, ...VOLATILE.stats]);
    // The lifetimes themselves: equal to the second.
    const s = tw.state(addrs);
    const lft = (d: unknown) => JSON.stringify(d).match(/"valid_life_time":\d+/g);
    expect(lft(s.a)).toEqual(lft(s.b));
  });
});

describe('neigh show nomaster / vrf', () => {
  it('nomaster leaves out the entries of enslaved devices; vrf needs a VRF', () => {
    const t = cliNs([
      'link set lo up',
      'link add br0 type bridge',
      'link add v0 type veth peer name v1',
      'link add v2 type veth peer name v3',
      'link set v0 master br0',
      'link set v0 up',
      'link set v2 up',
      'neigh add 192.0.2.7 lladdr 02:00:00:00:00:07 dev v0 nud permanent',
      'neigh add 192.0.2.8 lladdr 02:00:00:00:00:08 dev v2 nud permanent',
      'neigh add 2001:db8::9 lladdr 02:00:00:00:00:09 dev v2 nud permanent',
    ]);
    try {
      for (const args of [
        ['neigh', 'show', 'nomaster'],
        ['neigh', 'show', 'master', 'br0'],
        ['-4', 'neigh', 'show', 'nomaster'],
        ['neigh', 'show', 'nomaster', 'dev', 'v2'],
        ['neigh', 'show', 'nomaster', 'master', 'br0'],
      ]) {
        const r = expectSameText(t, args);
        expect(r.status).toBe(0);
        expectSameJson(t, args);
      }
      const shown = expectSameText(t, ['neigh', 'show', 'nomaster']);
      expect(shown.stdout).toMatch(/192\.0\.2\.8/);
      expect(shown.stdout).not.toMatch(/192\.0\.2\.7/);
      for (const args of [
        ['neigh', 'show', 'vrf', 'nosuch'],
        ['neigh', 'show', 'vrf', 'br0'],
      ]) {
        expect(expectSameText(t, args).status).toBe(255);
      }
    } finally {
      t.close();
    }
  });
});
