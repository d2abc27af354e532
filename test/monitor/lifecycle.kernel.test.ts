// Memory bound, shutdown and process lifetime of a Monitor on a real socket, in anonymous
// namespaces this file makes: a stalled consumer never has more than maxBuffered events waiting
// (the socket is paused, the kernel drops, the loss is reported); close() and `break` free the
// socket's descriptor; an unref()ed monitor lets the process exit and a referenced one does not.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Monitor } from '../../src/monitor/monitor.js';
import type { MonitorEvent } from '../../src/monitor/types.js';
import { NetlinkEncodeError } from '../../src/netlink/errors.js';
import { createNetns, type Netns } from '../../src/ns/index.js';
import { ipBatchAsync, ipIn, until } from './helpers.js';

const ROOT = join(import.meta.dirname, '..', '..');
let ns: Netns;

const fds = () => readdirSync('/proc/self/fd').length;

beforeAll(() => {
  ns = createNetns();
  ipIn(ns, 'link', 'set', 'lo', 'up');
});

afterAll(() => {
  ns?.close();
});

describe('backpressure', () => {
  it('a stalled consumer holds at most maxBuffered events; the rest is reported lost', async () => {
    const mon = await Monitor.open({
      netns: ns,
      groups: ['ipv4-route'],
      maxBuffered: 100,
      rcvbuf: 64 * 1024,
      rcvbufForce: false,
    });
    let peak = 0;
    const sampler = setInterval(() => {
      peak = Math.max(peak, mon.buffered);
    }, 1);
    const lines: string[] = [];
    for (let i = 0; i < 20_000; i++)
      lines.push(`route add 10.${i >> 8}.${i & 255}.0/24 dev lo table 9`);
    await ipBatchAsync(ns, lines);
    await new Promise((r) => setTimeout(r, 50));
    clearInterval(sampler);
    peak = Math.max(peak, mon.buffered);
    // Every notification is a datagram of its own: the bound is exact.
    expect(peak).toBe(100);
    expect(mon.paused).toBe(true);
    // The consumer wakes up: it gets what was buffered and what the kernel still held, in the
    // order of the flood, and learns that the rest was lost.
    const got: MonitorEvent[] = [];
    const consumer = (async () => {
      for await (const e of mon) got.push(e);
    })();
    let count = -1;
    await until(() => {
      const quiet = mon.buffered === 0 && !mon.paused && got.length === count;
      count = got.length;
      return quiet;
    }, 10_000);
    mon.close();
    await consumer;
    const overruns = got.filter((e) => e.action === 'overrun');
    expect(overruns.length).toBeGreaterThan(0);
    expect(overruns[0]).toMatchObject({ resync: false, error: { code: 'ENOBUFS' } });
    const added = got.flatMap((e) =>
      e.action === 'new' && e.object === 'route' ? [e.value.dst] : [],
    );
    expect(added.length).toBeGreaterThanOrEqual(99);
    expect(added.length).toBeLessThan(20_000);
    const order = added.map((dst) => {
      const [, a, b] = dst.split('.').map(Number) as [number, number, number];
      return a * 256 + b;
    });
    expect(order).toEqual([...order].sort((x, y) => x - y));
    ipIn(ns, 'route', 'flush', 'table', '9');
  }, 30_000);
});

describe('shutdown', () => {
  it('close() frees the socket', async () => {
    const before = fds();
    const mon = await Monitor.open({ netns: ns, groups: ['link'] });
    expect(fds()).toBe(before + 1);
    mon.close();
    mon.close();
    expect(fds()).toBe(before);
    await new Promise((r) => mon.once('close', () => r(undefined)));
  });

  it('leaving a for-await loop frees the socket', async () => {
    const before = fds();
    const mon = await Monitor.open({ netns: ns, groups: ['link'], listExisting: true });
    for await (const e of mon) {
      expect(e).toMatchObject({ action: 'new', object: 'link', origin: 'list' });
      break;
    }
    expect(mon.closed).toBe(true);
    expect(fds()).toBe(before);
  });

  it('bad options are refused before anything is opened', async () => {
    const before = fds();
    for (const [options, path] of [
      [{ groups: ['link', 'bogus'] }, 'monitor.groups[1]'],
      [{ groups: [] }, 'monitor.groups'],
      [{ maxBuffered: 0 }, 'monitor.maxBuffered'],
      [{ listExisting: ['route'], groups: ['link'] }, 'monitor.listExisting[0]'],
      [{ listExisting: ['routes'] }, 'monitor.listExisting[0]'],
    ] as const) {
      const error = await Monitor.open({ netns: ns, ...(options as object) }).catch((e) => e);
      expect(error).toBeInstanceOf(NetlinkEncodeError);
      expect(error).toMatchObject({ code: 'BAD_VALUE', path });
    }
    expect(fds()).toBe(before);
  });
});

describe('process lifetime (bundled build in a child process)', () => {
  const out = join(ROOT, 'node_modules', '.cache', `rtnl-monitor-test-${process.pid}`);

  beforeAll(() => {
    mkdirSync(out, { recursive: true });
    execFileSync(
      join(ROOT, 'node_modules', '.bin', 'tsup'),
      [
        '--no-config',
        '--entry.monitor',
        'src/monitor/index.ts',
        '--entry.ns',
        'src/ns/index.ts',
        '--format',
        'cjs',
        '--target',
        'node20',
        '--platform',
        'node',
        '--silent',
        '-d',
        out,
      ],
      { cwd: ROOT, stdio: 'pipe' },
    );
  }, 60_000);

  afterAll(() => {
    rmSync(out, { recursive: true, force: true });
  });

  function run(unref: boolean, timeoutMs: number) {
    // CommonJS: the bundle requires its dependencies (buffer-layout) as they are published.
    const program = `
      const { Monitor } = require(${JSON.stringify(join(out, 'monitor.cjs'))});
      const { createNetns } = require(${JSON.stringify(join(out, 'ns.cjs'))});
      (async () => {
        const ns = createNetns();
        const mon = await Monitor.open({ netns: ns.fd, groups: ['link'] });
        ns.close();
        ${unref ? 'mon.unref();' : ''}
        console.log('open', mon.portId);
      })();
    `;
    return new Promise<{ code: number | null; timedOut: boolean; stdout: string }>((resolve) => {
      const child = spawn(process.execPath, ['-e', program], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let stdout = '';
      let timedOut = false;
      child.stdout.on('data', (d: Buffer) => {
        stdout += d;
      });
      const timer = setTimeout(() => {
        timedOut = true;
        child.kill('SIGKILL');
      }, timeoutMs);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code, timedOut, stdout });
      });
    });
  }

  it('an unref()ed monitor lets the process exit', async () => {
    const r = await run(true, 5000);
    expect(r).toMatchObject({ code: 0, timedOut: false });
    expect(r.stdout).toMatch(/^open [1-9]\d*$/m);
  });

  it('a referenced monitor keeps the process alive', async () => {
    const r = await run(false, 1500);
    expect(r.stdout).toMatch(/^open [1-9]\d*$/m);
    expect(r.timedOut).toBe(true);
  });
});
