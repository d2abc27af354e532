// Loss is never silent: 10 000 route changes flood a monitor whose consumer is stalled and
// whose socket has a small receive buffer (SO_RCVBUF, no force). The overrun must be reported,
// and with resync on, the consumer's table — built only by applying events, keyed as the
// Monitor documents — must end equal to the kernel's, as `ip -j route show table 100` prints
// it. Without resync the same flood must leave the table wrong (the test can fail).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Monitor } from '../../src/monitor/monitor.js';
import type { MonitorEvent, ObjectEventOf } from '../../src/monitor/types.js';
import { createNetns, type Netns } from '../../src/ns/index.js';
import { ipBatchAsync, ipIn, ipJsonIn, Table, until } from './helpers.js';

const TABLE = 100;
const ROUTES = 5000;

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

const prefix = (i: number) => `10.${i >> 8}.${i & 255}.0/24`;

/** 10 000 changes: add 5 000 routes, move half of them to another device, delete the other half. */
function flood(): string[] {
  const lines: string[] = [];
  for (let i = 0; i < ROUTES; i++) lines.push(`route add ${prefix(i)} dev d0 table ${TABLE}`);
  for (let i = 0; i < ROUTES; i += 2)
    lines.push(`route replace ${prefix(i)} dev lo table ${TABLE}`);
  for (let i = 1; i < ROUTES; i += 2) lines.push(`route del ${prefix(i)} table ${TABLE}`);
  expect(lines).toHaveLength(10_000);
  return lines;
}

/** The kernel's table 100 as `dst oif`, from iproute2. */
function kernelTable(): string[] {
  const links = ipJsonIn<{ ifname: string; ifindex: number }[]>(ns, 'link', 'show');
  const index = new Map(links.map((l) => [l.ifname, l.ifindex]));
  return ipJsonIn<{ dst: string; dev: string }[]>(ns, 'route', 'show', 'table', String(TABLE))
    .map((r) => `${r.dst} ${index.get(r.dev)}`)
    .sort();
}

/** The consumer's table 100 as `dst oif`. */
function consumerTable(table: Table): string[] {
  return [...table.rows.values()]
    .map((v) => v as ObjectEventOf<'route'>['value'])
    .filter((r) => r.table === TABLE)
    .map((r) => `${r.dst} ${r.attributes.oif}`)
    .sort();
}

/** What the consumer saw, in runs: `new/kernel ×300, overrun, new/resync ×2000, synced`. */
function summary(seen: MonitorEvent[]): string {
  const runs: [string, number][] = [];
  for (const e of seen) {
    const label =
      e.action === 'new' || e.action === 'del'
        ? `${e.action}/${e.origin}`
        : e.action === 'error'
          ? `error ${e.error.message}`
          : e.action === 'synced'
            ? `synced ${e.reason}`
            : e.action;
    const last = runs.at(-1);
    if (last && last[0] === label) last[1]++;
    else runs.push([label, 1]);
  }
  return runs.map(([l, n]) => (n > 1 ? `${l} ×${n}` : l)).join(', ');
}

/**
 * Open a monitor with a small buffer, let its listing finish, stall the consumer while the flood
 * runs, then consume everything; resolves with what the consumer saw.
 */
async function floodStalledConsumer(resync: boolean) {
  mon = await Monitor.open({
    netns: ns,
    groups: ['ipv4-route'],
    listExisting: true,
    resync,
    rcvbuf: 32 * 1024,
    rcvbufForce: false,
    maxBuffered: 256,
  });
  const m = mon;
  await until(() => !m.syncing, 5000, 'the initial listing');
  const table = new Table();
  const seen: MonitorEvent[] = [];
  let release!: () => void;
  const stalled = new Promise<void>((r) => {
    release = r;
  });
  const consumer = (async () => {
    await stalled;
    for await (const e of m) {
      seen.push(e);
      table.apply(e);
    }
  })();
  await ipBatchAsync(ns, flood());
  // The monitor stopped reading at maxBuffered (plus the rest of the datagram it was reading:
  // a resync's dump datagram holds up to 32 KiB of routes, some 600); the kernel's queue
  // overflowed behind it.
  expect(m.buffered).toBeGreaterThanOrEqual(256);
  expect(m.buffered).toBeLessThanOrEqual(256 + (32 * 1024) / 48);
  expect(m.paused).toBe(true);
  release();
  // Quiet: nothing buffered, no resync running, and no new event for a while.
  let count = -1;
  await until(
    () => {
      const quiet = m.buffered === 0 && !m.syncing && seen.length === count;
      count = seen.length;
      return quiet && seen.some((e) => e.action === 'overrun');
    },
    20_000,
    'the monitor to settle after the flood',
  );
  m.close();
  await consumer;
  return { table, seen };
}

describe('overrun under a flood of 10 000 route changes', () => {
  it('is reported, and with resync the consumer table ends equal to the kernel table', async () => {
    const { table, seen } = await floodStalledConsumer(true);
    const overruns = seen.filter((e) => e.action === 'overrun');
    expect(overruns.length).toBeGreaterThan(0);
    expect(overruns[0]).toMatchObject({ resync: true, error: { code: 'ENOBUFS' } });
    // After the last overrun, a resync completed.
    const lastOverrun = seen.lastIndexOf(overruns.at(-1)!);
    expect(
      seen.slice(lastOverrun).some((e) => e.action === 'synced' && e.reason === 'resync'),
    ).toBe(true);
    expect(seen.some((e) => e.action !== 'overrun' && 'origin' in e && e.origin === 'resync')).toBe(
      true,
    );
    const kernel = kernelTable();
    expect(kernel).toHaveLength(ROUTES / 2);
    expect(consumerTable(table), summary(seen)).toEqual(kernel);
  }, 30_000);

  it('without resync, the overrun is reported and the table is left wrong', async () => {
    const { table, seen } = await floodStalledConsumer(false);
    expect(seen.filter((e) => e.action === 'overrun')[0]).toMatchObject({ resync: false });
    expect(seen.some((e) => e.action === 'synced' && e.reason === 'resync')).toBe(false);
    expect(consumerTable(table)).not.toEqual(kernelTable());
  }, 30_000);
});
