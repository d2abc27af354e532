// `groups: 'all'` with listing and resync: every table `ip monitor all` reports can be dumped
// in a namespace this test made (no dump is refused, nothing fails to decode), and every event
// is typed.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Monitor } from '../../src/monitor/monitor.js';
import type { MonitorEvent } from '../../src/monitor/types.js';
import { createNetns, type Netns } from '../../src/ns/index.js';
import { ipIn } from './helpers.js';

let ns: Netns;

beforeAll(() => {
  ns = createNetns();
  for (const cmd of [
    'link set lo up',
    'link add br0 type bridge',
    'link add v0 type veth peer name v1',
    'link set v0 master br0',
    'link set br0 up',
    'link set v0 up',
    'link set v1 up',
    'addr add 192.0.2.1/24 dev br0',
    'neigh add 192.0.2.9 lladdr 02:00:00:00:00:09 dev br0',
    'neigh add proxy 192.0.2.10 dev br0',
    'rule add from 198.51.100.0/24 table 5 pref 77',
  ]) {
    ipIn(ns, ...cmd.split(' '));
  }
});

afterAll(() => ns?.close());

it("lists every table of 'all' without an error, then resyncs to no difference", async () => {
  const mon = await Monitor.open({ netns: ns, groups: 'all', listExisting: true, resync: true });
  const it = mon[Symbol.asyncIterator]();
  const untilSynced = async () => {
    const out: MonitorEvent[] = [];
    for (;;) {
      const { value, done } = await it.next();
      if (done) throw new Error('the monitor closed');
      out.push(value);
      if (value.action === 'synced') return out;
    }
  };
  const events = await untilSynced();
  expect(events.filter((e) => e.action === 'error')).toEqual([]);
  const objects = new Set(events.flatMap((e) => (e.action === 'new' ? [e.object] : [])));
  expect([...objects].sort()).toEqual(['address', 'link', 'neighbor', 'route', 'rule']);
  const neighbors = events.flatMap((e) =>
    e.action === 'new' && e.object === 'neighbor' ? [e.value] : [],
  );
  // The ARP entry, the proxy entry, and bridge FDB entries (AF_BRIDGE).
  expect(neighbors.some((n) => n.dst === '192.0.2.9' && n.family === 2)).toBe(true);
  expect(neighbors.some((n) => n.dst === '192.0.2.10' && n.flags.names.includes('proxy'))).toBe(
    true,
  );
  expect(neighbors.some((n) => n.family === 7)).toBe(true);
  // What `ip monitor all` joins (iproute2 6.1): bind() groups 0x1d8607f5, then 32 and 36.
  const mask = 0x1d8607f5;
  const legacy = Array.from({ length: 32 }, (_, i) => i + 1).filter((g) => mask & (1 << (g - 1)));
  expect(mon.groups).toEqual([...legacy, 32, 36]);
  // Nothing changed since: a resync finds no difference in any table.
  mon.resync();
  const after = await untilSynced();
  expect(
    after
      .filter((e) => e.action !== 'new' || e.origin !== 'kernel')
      .map((e) =>
        e.action === 'new' || e.action === 'del' ? `${e.action} ${e.object}` : e.action,
      ),
  ).toEqual(['synced']);
  mon.close();
});
