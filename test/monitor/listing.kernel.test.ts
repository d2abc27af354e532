// listExisting against the live kernel, in anonymous namespaces this file makes: the current
// state comes first (origin 'list', then `synced`), and a writer changing routes while the
// initial dump runs loses nothing and doubles nothing — the consumer's table, built only from
// events, ends equal to `ip -j route show table 100`.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Monitor } from '../../src/monitor/monitor.js';
import type { MonitorEvent, ObjectEventOf } from '../../src/monitor/types.js';
import { createNetns, type Netns } from '../../src/ns/index.js';
import { ipBatchAsync, ipBatchIn, ipIn, ipJsonIn, Table, until } from './helpers.js';

let ns: Netns;
let mon: Monitor | undefined;

beforeEach(() => {
  ns = createNetns();
  ipIn(ns, 'link', 'set', 'lo', 'up');
  ipIn(ns, 'link', 'add', 'd0', 'type', 'ifb');
  ipIn(ns, 'link', 'set', 'd0', 'up');
});

afterEach(() => {
  mon?.close();
  mon = undefined;
  ns?.close();
});

/** Collect every event until `synced`, in order. */
async function listing(m: Monitor): Promise<MonitorEvent[]> {
  const out: MonitorEvent[] = [];
  for await (const e of m) {
    out.push(e);
    if (e.action === 'synced') break;
  }
  return out;
}

describe('the initial listing', () => {
  it('delivers what exists as `new` events of origin list, then synced', async () => {
    ipIn(ns, 'addr', 'add', '192.0.2.1/24', 'dev', 'd0');
    ipIn(ns, 'route', 'add', '198.51.100.0/24', 'via', '192.0.2.2', 'table', '7');
    ipIn(ns, 'rule', 'add', 'from', '203.0.113.0/24', 'table', '7', 'pref', '500');
    mon = await Monitor.open({
      netns: ns,
      groups: ['link', 'address', 'route', 'rule'],
      listExisting: true,
    });
    const events = await listing(mon);
    expect(events.at(-1)).toEqual({ action: 'synced', reason: 'list', netns: ns });
    const objects = events.slice(0, -1);
    for (const e of objects) expect(e).toMatchObject({ action: 'new', origin: 'list' });

    const links = ipJsonIn<{ ifindex: number; ifname: string }[]>(ns, 'link', 'show');
    const listedLinks = objects.flatMap((e) =>
      e.action === 'new' && e.object === 'link' ? [e.value] : [],
    );
    expect(listedLinks.map((l) => [l.index, l.name]).sort()).toEqual(
      links.map((l) => [l.ifindex, l.ifname]).sort(),
    );

    const addrs = ipJsonIn<{ addr_info: { local: string; prefixlen: number }[] }[]>(
      ns,
      'addr',
      'show',
    );
    const listedAddrs = objects.flatMap((e) =>
      e.action === 'new' && e.object === 'address' ? [e.value.address] : [],
    );
    expect(listedAddrs.sort()).toEqual(
      addrs.flatMap((l) => l.addr_info.map((a) => `${a.local}/${a.prefixlen}`)).sort(),
    );

    // Routes of every table, both families, as ip prints them with `table all`.
    const count = (...args: string[]) =>
      ipJsonIn<unknown[]>(ns, ...args, 'route', 'show', 'table', 'all').length;
    const listedRoutes = objects.flatMap((e) =>
      e.action === 'new' && e.object === 'route' ? [e.value] : [],
    );
    expect(listedRoutes).toHaveLength(count('-4') + count('-6'));
    expect(listedRoutes.some((r) => r.dst === '198.51.100.0/24' && r.table === 7)).toBe(true);

    const rules = [
      ...ipJsonIn<unknown[]>(ns, '-4', 'rule', 'show'),
      ...ipJsonIn<unknown[]>(ns, '-6', 'rule', 'show'),
    ];
    expect(objects.filter((e) => e.action === 'new' && e.object === 'rule')).toHaveLength(
      rules.length,
    );
  });

  it('lists only the objects asked for, and still reports the others live', async () => {
    mon = await Monitor.open({ netns: ns, groups: ['link', 'route'], listExisting: ['route'] });
    const events = await listing(mon);
    expect(events.filter((e) => e.action === 'new' && e.object !== 'route')).toEqual([]);
    expect(events.some((e) => e.action === 'new' && e.object === 'route')).toBe(true);
  });
});

describe('changes racing the initial dump', () => {
  it('are neither lost nor doubled: the table ends equal to the kernel', async () => {
    const TABLE = '100';
    const EXISTING = 30_000;
    const prefix = (i: number) => `10.${i >> 8}.${i & 255}.0/24`;
    const fill: string[] = [];
    for (let i = 0; i < EXISTING; i++) fill.push(`route add ${prefix(i)} dev d0 table ${TABLE}`);
    ipBatchIn(ns, fill);

    // The writer: adds new routes, moves existing ones to lo, deletes others, interleaved.
    const churn: string[] = [];
    for (let i = 0; i < 6000; i++) {
      churn.push(`route add ${prefix(EXISTING + i)} dev d0 table ${TABLE}`);
      churn.push(`route replace ${prefix(i * 5)} dev lo table ${TABLE}`);
      churn.push(`route del ${prefix(i * 5 + 1)} table ${TABLE}`);
    }
    const writer = ipBatchAsync(ns, churn);
    // Let it get going, so that the listing starts in the middle of the churn: its first add
    // is in the table (a fixed wait was not enough on a machine busy with other tests).
    await until(
      () => ipIn(ns, 'route', 'show', prefix(EXISTING), 'table', TABLE) !== '',
      20_000,
      'the writer to start',
    );

    const table = new Table();
    const seen: MonitorEvent[] = [];
    mon = await Monitor.open({ netns: ns, groups: ['ipv4-route'], listExisting: true });
    const m = mon;
    const consumer = (async () => {
      for await (const e of m) {
        seen.push(e);
        table.apply(e);
      }
    })();
    await writer;
    let count = -1;
    await until(
      () => {
        const quiet = !m.syncing && m.buffered === 0 && seen.length === count;
        count = seen.length;
        return quiet;
      },
      20_000,
      'the monitor to settle',
    );
    m.close();
    await consumer;

    const synced = seen.findIndex((e) => e.action === 'synced');
    expect(synced).toBeGreaterThan(0);
    // The writer really raced the dump: changes were notified before the listing ended.
    const liveDuringListing = seen
      .slice(0, synced)
      .filter((e) => e.action !== 'synced' && 'origin' in e && e.origin === 'kernel');
    expect(liveDuringListing.length).toBeGreaterThan(0);
    expect(seen.filter((e) => e.action === 'overrun')).toEqual([]);
    expect(seen.filter((e) => e.action === 'error')).toEqual([]);
    // Nothing doubled, no removal of something never shown.
    expect(table.duplicates).toBe(0);
    expect(table.strayDels).toBe(0);

    const links = ipJsonIn<{ ifname: string; ifindex: number }[]>(ns, 'link', 'show');
    const index = new Map(links.map((l) => [l.ifname, l.ifindex]));
    const kernel = ipJsonIn<{ dst: string; dev: string }[]>(ns, 'route', 'show', 'table', TABLE)
      .map((r) => `${r.dst} ${index.get(r.dev)}`)
      .sort();
    const mine = [...table.rows.values()]
      .map((v) => v as ObjectEventOf<'route'>['value'])
      .filter((r) => r.table === Number(TABLE))
      .map((r) => `${r.dst} ${r.attributes.oif}`)
      .sort();
    expect(kernel).toHaveLength(EXISTING + 6000 - 6000);
    expect(mine).toEqual(kernel);
  }, 60_000);
});
