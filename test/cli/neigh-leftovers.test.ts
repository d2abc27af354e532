// `rtnl neigh show|flush nomaster` / `master DEV` against `ip neigh`: the kernel filters by
// NDA_MASTER (-1 for nomaster), so entries of enslaved devices are left out by the kernel, not
// by rtnl. Text and -j JSON as ip in one namespace; flush through rtnl in one twin and ip in the
// other, compared as `ip -j neigh` of both. Runs the built CLI.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliNs, cliNs, expectSameJson, expectSameText, type Twin, twin } from './helpers.js';

// br0 with port v0 (and v1, v0's peer, outside it), d0 (ifb) outside: entries on each.
const SETUP = [
  'link set lo up',
  'link add br0 type bridge',
  'link add v0 type veth peer name v1',
  'link set v0 master br0',
  'link add d0 type ifb',
  'link set br0 up',
  'link set v0 up',
  'link set v1 up',
  'link set d0 up',
  'neigh add 10.0.0.5 lladdr 02:00:00:00:00:05 dev d0',
  'neigh add 10.0.1.5 lladdr 02:00:00:00:01:05 dev v0',
  'neigh add 10.0.1.6 lladdr 02:00:00:00:01:06 dev v0 nud reachable',
  'neigh add 10.0.2.5 lladdr 02:00:00:00:02:05 dev v1',
  'neigh add 10.0.3.5 lladdr 02:00:00:00:03:05 dev br0',
  '-6 neigh add 2001:db8::5 lladdr 02:00:00:00:06:05 dev v0',
  '-6 neigh add 2001:db8::6 lladdr 02:00:00:00:06:06 dev d0',
];

const TIMERS = ['**.used', '**.updated', '**.confirmed', '**.probes'];

function byDst(doc: unknown): unknown[] {
  return [...(doc as { dst: string }[])].sort((x, y) => x.dst.localeCompare(y.dst));
}

describe('rtnl neigh show nomaster / master', () => {
  let t: CliNs;
  beforeAll(() => {
    t = cliNs(SETUP);
  });
  afterAll(() => t?.close());

  it.each([
    ['neigh', 'show', 'nomaster'],
    ['neigh', 'show', 'master', 'br0'],
    ['-4', 'neigh', 'show', 'nomaster'],
    ['-6', 'neigh', 'show', 'nomaster'],
    ['neigh', 'show', 'nomaster', 'dev', 'd0'],
    ['neigh', 'show', 'nomaster', 'dev', 'v0'],
    ['neigh', 'show', 'nomaster', 'nud', 'permanent'],
    ['neigh', 'show', 'master', 'br0', 'nomaster'],
    ['neigh', 'show', 'nomaster', 'master', 'br0'],
  ])('%s: JSON as ip', (...args) => {
    expectSameJson(t, args, TIMERS);
  });

  it.each([
    ['neigh', 'show', 'nomaster'],
    ['neigh', 'show', 'master', 'br0'],
    ['neigh', 'show', 'master', 'nosuchdev'],
  ])('%s: text as ip', (...args) => {
    expectSameText(t, args);
  });

  it('leaves out exactly the entries of enslaved devices (v0)', () => {
    const all = t.ipJson('neigh', 'show') as { dev: string }[];
    const ours = t.rtnlJson('neigh', 'show', 'nomaster') as { dev: string }[];
    expect(all.some((n) => n.dev === 'v0')).toBe(true);
    expect(ours.map((n) => n.dev).sort()).toEqual(
      all
        .filter((n) => n.dev !== 'v0')
        .map((n) => n.dev)
        .sort(),
    );
  });
});

describe('rtnl neigh flush nomaster (twin namespaces)', () => {
  let tw: Twin;
  beforeAll(() => {
    tw = twin(SETUP);
  });
  afterAll(() => tw?.close());

  it.each([
    'neigh flush nomaster',
    'neigh flush nomaster nud permanent',
    'neigh flush master br0 nud all',
  ])('%s', (line) => {
    const { rtnl, ip } = tw.both(...line.split(' '));
    expect(rtnl.status).toBe(0);
    expect(rtnl.stdout).toBe(ip.stdout);
    for (const args of [
      ['neigh', 'show'],
      ['-6', 'neigh', 'show'],
    ]) {
      // The kernel's neighbour hash (seeded per namespace) orders the two dumps differently.
      const { a, b } = tw.state(args, TIMERS);
      expect(byDst(a)).toEqual(byDst(b));
    }
  });
});
