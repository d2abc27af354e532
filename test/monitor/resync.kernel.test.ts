// A resync compares what the kernel dumps with what it notified: for objects that did not
// change since, the two must compare equal (notification-only attributes, counters and clocks
// aside), so a resync of a quiet namespace reports nothing about them; and what the monitor
// delayed by pause() arrives after resume.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Monitor } from '../../src/monitor/monitor.js';
import type { MonitorEvent, ObjectEventOf } from '../../src/monitor/types.js';
import { createNetns, type Netns } from '../../src/ns/index.js';
import { ipIn, ipJsonIn, Table, until } from './helpers.js';

let ns: Netns;
let mon: Monitor;
const seen: MonitorEvent[] = [];

const ip = (...args: string[]) => ipIn(ns, ...args);

/** Wait until no event arrived for a while. */
async function quiet(): Promise<void> {
  let count = -1;
  await until(() => {
    const still = seen.length === count && !mon.syncing;
    count = seen.length;
    return still;
  }, 10_000);
}

beforeAll(async () => {
  ns = createNetns();
  ip('link', 'set', 'lo', 'up');
  mon = await Monitor.open({
    netns: ns,
    groups: ['link', 'address', 'route', 'rule', 'nsid'],
    resync: true,
    listExisting: true,
  });
  mon.on('event', (e) => seen.push(e));
  mon.on('synced', (e) => seen.push(e));
  mon.on('error', (_, e) => seen.push(e));
  for (const cmd of [
    'link add br0 type bridge',
    'link add v0 type veth peer name v1',
    'link set v0 master br0',
    'link set br0 up',
    'link set v0 up',
    'link set v1 up',
    'link add d0 type ifb',
    'link set d0 up mtu 1400',
    'addr add 192.0.2.1/24 dev br0',
    'addr add 2001:db8::1/64 dev br0 nodad',
    'addr add 198.51.100.1/24 dev d0',
    'route add 203.0.113.0/24 via 192.0.2.254 table 10',
    'route add 2001:db8:5::/64 via 2001:db8::fe metric 7',
    'rule add from 203.0.113.0/24 table 10 pref 300',
  ]) {
    ip(...cmd.split(' '));
  }
  // Let IPv6 settle (link-local addresses, DAD, router solicitations, MLD).
  await new Promise((r) => setTimeout(r, 300));
  await quiet();
});

afterAll(() => {
  mon?.close();
  ns?.close();
});

describe('resync', () => {
  it('of a quiet namespace finds nothing new', async () => {
    const from = seen.length;
    mon.resync();
    await until(() => seen.slice(from).some((e) => e.action === 'synced'), 10_000);
    expect(seen.slice(from).map(short)).toEqual(['synced']);
    expect(mon.tracked).toBeGreaterThan(20);
  });

  it('pause() only delays: changes made meanwhile arrive after resume, and a resync finds nothing more', async () => {
    await quiet();
    const from = seen.length;
    mon.pause();
    ip('link', 'set', 'd0', 'mtu', '1300');
    ip('route', 'del', '203.0.113.0/24', 'table', '10');
    ip('route', 'add', '203.0.113.128/25', 'dev', 'd0', 'table', '10');
    await new Promise((r) => setTimeout(r, 50));
    expect(seen.length).toBe(from);
    mon.resume();
    await quiet();
    expect(seen.slice(from).map(short)).toEqual(
      expect.arrayContaining([
        'new link d0',
        'del route 203.0.113.0/24',
        'new route 203.0.113.128/25',
      ]),
    );
    const at = seen.length;
    mon.resync();
    await until(() => seen.slice(at).some((e) => e.action === 'synced'), 10_000);
    expect(seen.slice(at).map(short)).toEqual(['synced']);
  });
});

describe('routes that share a key', () => {
  /** The consumer's routes to `dst`, from every event so far (a table keyed by eventKey). */
  function routesTo(dst: string) {
    const table = new Table();
    for (const e of seen) table.apply(e);
    return [...table.rows.values()].filter(
      (v) => (v as { dst?: string }).dst === dst,
    ) as ObjectEventOf<'route'>['value'][];
  }

  it('deleting one next hop of an IPv6 multipath route leaves the consumer the rest', async () => {
    ip(
      '-6',
      'route',
      'add',
      '2001:db8:77::/64',
      'nexthop',
      'via',
      '2001:db8::a',
      'dev',
      'br0',
      'nexthop',
      'via',
      '2001:db8::b',
      'dev',
      'br0',
    );
    await quiet();
    expect(routesTo('2001:db8:77::/64')[0]?.attributes.multipath).toHaveLength(2);
    ip('-6', 'route', 'del', '2001:db8:77::/64', 'via', '2001:db8::b', 'dev', 'br0');
    await quiet();
    const [kernel] = ipJsonIn<{ gateway: string }[]>(ns, '-6', 'route', 'show', '2001:db8:77::/64');
    expect(kernel).toMatchObject({ gateway: '2001:db8::a' });
    const mine = routesTo('2001:db8:77::/64');
    expect(mine).toHaveLength(1);
    expect(mine[0]!.attributes.gateway).toBe(kernel!.gateway);
  });

  it('deleting one of two appended IPv4 routes leaves the consumer the other', async () => {
    ip('route', 'add', '10.55.0.0/24', 'dev', 'd0');
    ip('route', 'append', '10.55.0.0/24', 'dev', 'br0');
    await quiet();
    ip('route', 'del', '10.55.0.0/24', 'dev', 'br0');
    await quiet();
    const kernel = ipJsonIn<{ dev: string }[]>(ns, 'route', 'show', '10.55.0.0/24');
    expect(kernel).toEqual([expect.objectContaining({ dev: 'd0' })]);
    const d0 = ipJsonIn<{ ifindex: number }[]>(ns, 'link', 'show', 'd0')[0]!.ifindex;
    const mine = routesTo('10.55.0.0/24');
    expect(mine.map((r) => r.attributes.oif)).toEqual([d0]);
  });
});

/** A short description of an event, for comparisons. */
function short(e: MonitorEvent): string {
  if (e.action !== 'new' && e.action !== 'del') return e.action;
  const v = e.value as { name?: string; dst?: string; address?: string };
  return `${e.action} ${e.object} ${v.name ?? v.dst ?? v.address ?? ''}`;
}
