// Shared by the monitor's kernel tests: iproute2 inside a namespace the test made, a consumer
// table kept the way the Monitor documents (key → last value), and waiting for conditions.
import { execFile, execFileSync } from 'node:child_process';
import { eventKey } from '../../src/monitor/objects.js';
import type { MonitorEvent, ObjectEvent } from '../../src/monitor/types.js';
import type { Netns } from '../../src/ns/index.js';

/** `ip ARGS…` run in `ns` (through nsenter --net, as the common rules ask). */
export function ipIn(ns: Netns, ...args: string[]): string {
  return execFileSync('nsenter', [`--net=/proc/${process.pid}/fd/${ns.fd}`, 'ip', ...args], {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
}

/** `ip -j ARGS…` in `ns`, parsed. */
export function ipJsonIn<T = Record<string, unknown>[]>(ns: Netns, ...args: string[]): T {
  const out = ipIn(ns, '-j', ...args).trim();
  return (out === '' ? [] : JSON.parse(out)) as T;
}

/** `ip -batch FILE` in `ns`, commands given as lines. */
export function ipBatchIn(ns: Netns, lines: string[], force = false): void {
  execFileSync(
    'nsenter',
    [`--net=/proc/${process.pid}/fd/${ns.fd}`, 'ip', ...(force ? ['-force'] : []), '-batch', '-'],
    { input: `${lines.join('\n')}\n`, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  );
}

/** `ip -batch -` in `ns` as a child process the event loop keeps running beside. */
export function ipBatchAsync(ns: Netns, lines: string[], force = false): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      'nsenter',
      [`--net=/proc/${process.pid}/fd/${ns.fd}`, 'ip', ...(force ? ['-force'] : []), '-batch', '-'],
      { maxBuffer: 64 * 1024 * 1024 },
      (error) => (error ? reject(error) : resolve()),
    );
    child.stdin!.end(`${lines.join('\n')}\n`);
  });
}

/** Resolve when `check()` is true, polling; reject after `ms`. */
export async function until(check: () => boolean, ms = 5000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/**
 * A consumer keeping a table in sync from events, as the Monitor documents: `new` sets
 * table[key], `del` deletes it. It also counts what it saw.
 */
export class Table<V = ObjectEvent['value']> {
  readonly rows = new Map<string, V>();
  news = 0;
  dels = 0;
  /** `del` of a key the table did not hold, and `new` equal to what it held (duplicates). */
  strayDels = 0;
  duplicates = 0;

  apply(e: MonitorEvent): void {
    if (e.action !== 'new' && e.action !== 'del') return;
    const key = eventKey(e);
    if (key === undefined) return;
    if (e.action === 'new') {
      this.news++;
      const old = this.rows.get(key);
      if (old !== undefined && JSON.stringify(old, big) === JSON.stringify(e.value, big)) {
        this.duplicates++;
      }
      this.rows.set(key, e.value as V);
    } else {
      this.dels++;
      if (!this.rows.delete(key)) this.strayDels++;
    }
  }
}

function big(_: string, v: unknown): unknown {
  return typeof v === 'bigint' ? `${v}n` : v;
}
