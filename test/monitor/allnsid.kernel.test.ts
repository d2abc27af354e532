// `allNsid` against the kernel, beside `ip monitor all-nsid`, in anonymous namespaces made here:
// the monitor lives in A; B has the id 7 in A; C has no id in A (until a test gives it one).
// What each event must say comes from iproute2: `ip monitor all-nsid` run in A over the same
// changes (its `[nsid N]` / `[nsid current]` prefix), `ip -j link show` and `ip -j netns
// list-id` — never from our own decoder.
import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Monitor } from '../../src/monitor/monitor.js';
import type { MonitorEvent, ObjectEvent } from '../../src/monitor/types.js';
import { createNetns, type Netns } from '../../src/ns/index.js';
import { RtNetlink } from '../../src/rtnetlink/client.js';
import { ipIn, ipJsonIn, until } from './helpers.js';

const B_ID = 7;

let A: Netns;
let B: Netns;
let C: Netns;
let rt: RtNetlink;
let fdsBefore: number;
const children: ChildProcess[] = [];

const countFds = () => readdirSync('/proc/self/fd').length;
const ifindexIn = (ns: Netns, name: string) =>
  ipJsonIn<{ ifindex: number }[]>(ns, 'link', 'show', 'dev', name)[0]!.ifindex;
const idsInA = () =>
  ipJsonIn<{ nsid: number }[]>(A, 'netns', 'list-id')
    .map((e) => e.nsid)
    .sort((x, y) => x - y);

/** `ip monitor all-nsid ARGS…` running in A; `text()` is what it printed so far. */
function ipMonitor(...args: string[]): { text: () => string; stop: () => Promise<void> } {
  const child = spawn(
    'nsenter',
    [`--net=/proc/${process.pid}/fd/${A.fd}`, 'ip', 'monitor', 'all-nsid', ...args],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  children.push(child);
  let out = '';
  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (d: string) => {
    out += d;
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    text: () => out,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill();
      await exited;
    },
  };
}

/**
 * `ip monitor all-nsid` lines as `NSID ACTION OBJECT IFINDEX` (NSID `current` for A's own;
 * `Deleted` makes a del), the object told by the line: an address line has `inet`. (ip names
 * another namespace's ifindex with a name from A, so the index is what is compared.)
 */
function ipLines(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const m = /^\[nsid (\d+|current)\](Deleted )?(\d+): /.exec(line);
    if (!m) continue;
    const object = /\binet6? /.test(line) ? 'address' : 'link';
    out.push(`${m[1]} ${m[2] ? 'del' : 'new'} ${object} ${m[3]}`);
  }
  return out;
}

/** Our events in the same form. */
function ourLine(e: ObjectEvent): string {
  const nsid = e.nsid === -1 ? 'current' : String(e.nsid);
  const index = e.object === 'link' ? e.value.index : (e.value as { index: number }).index;
  return `${nsid} ${e.action} ${e.object} ${index}`;
}

beforeAll(async () => {
  fdsBefore = countFds();
  A = createNetns();
  B = createNetns();
  C = createNetns();
  rt = await RtNetlink.open({ netns: A });
  await rt.nsid.set(B, B_ID);
  // For the tests after the first: a link in C (no id in A yet) and a marker link in A.
  ipIn(C, 'link', 'add', 'nsc1', 'type', 'ifb');
  ipIn(A, 'link', 'add', 'mark0', 'type', 'ifb');
});

afterAll(async () => {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill();
      await exited;
    }
  }
  rt?.close();
  A?.close();
  B?.close();
  C?.close();
  // The namespaces and sockets are gone with their descriptors.
  await until(() => countFds() === fdsBefore, 2000, 'every descriptor closed');
});

describe('Monitor allNsid', () => {
  it('B is heard with the id A gave it, A with -1, C not at all: as `ip monitor all-nsid` prints', async () => {
    expect(idsInA()).toEqual([B_ID]);
    const mon = await Monitor.open({ netns: A, allNsid: true, groups: ['link', 'address'] });
    const ipmon = ipMonitor('link', 'address');
    try {
      expect(mon.allNsid).toBe(true);
      const events: ObjectEvent[] = [];
      mon.on('event', (e) => events.push(e));
      // Both listeners are up once each has seen a change made after it started: ip may take
      // a while to start, so change the probe until it has.
      ipIn(A, 'link', 'add', 'probe0', 'type', 'ifb');
      const seesProbe = () =>
        /\]\d+: probe0:/.test(ipmon.text()) &&
        events.some((e) => e.object === 'link' && e.value.name === 'probe0');
      for (let mtu = 1500; !seesProbe(); mtu--) {
        if (mtu < 1400) throw new Error('ip monitor did not start');
        ipIn(A, 'link', 'set', 'probe0', 'mtu', String(mtu));
        await new Promise((r) => setTimeout(r, 100));
      }
      // Then one last probe change that both must have shown before the changes under test.
      ipIn(A, 'link', 'set', 'probe0', 'mtu', '1300');
      await until(
        () =>
          /\]\d+: probe0: .* mtu 1300 /.test(ipmon.text()) &&
          events.some(
            (e) =>
              e.object === 'link' && e.value.name === 'probe0' && e.value.attributes.mtu === 1300,
          ),
        10_000,
        'both monitors to see the last probe change',
      );
      const ourStart = events.length;
      const ipStart = ipmon.text().length;

      ipIn(B, 'link', 'add', 'nsb0', 'type', 'ifb');
      ipIn(B, 'address', 'add', '192.0.2.1/24', 'dev', 'nsb0');
      ipIn(A, 'link', 'add', 'nsa0', 'type', 'ifb');
      ipIn(A, 'address', 'add', '198.51.100.1/24', 'dev', 'nsa0');
      ipIn(C, 'link', 'add', 'nsc0', 'type', 'ifb');
      ipIn(C, 'address', 'add', '203.0.113.1/24', 'dev', 'nsc0');
      ipIn(B, 'address', 'del', '192.0.2.1/24', 'dev', 'nsb0');
      ipIn(B, 'link', 'del', 'nsb0');
      ipIn(A, 'link', 'add', 'end0', 'type', 'ifb');
      await until(
        () =>
          /\]\d+: end0:/.test(ipmon.text()) &&
          events.some((e) => e.object === 'link' && e.value.name === 'end0'),
        10_000,
        'both monitors to see end0',
      );

      const ours = events.slice(ourStart);
      const theirs = ipLines(ipmon.text().slice(ipStart));
      expect(ours.map(ourLine)).toEqual(theirs);

      const nsa0 = ifindexIn(A, 'nsa0');
      const fromB = ours.filter((e) => e.nsid === B_ID);
      const fromA = ours.filter((e) => e.nsid === -1);
      expect(fromB.length + fromA.length).toBe(ours.length);
      // B: its link, its address, the address removed, the link removed.
      expect(fromB.filter((e) => e.object === 'link').map((e) => [e.action, e.value.name])).toEqual(
        expect.arrayContaining([
          ['new', 'nsb0'],
          ['del', 'nsb0'],
        ]),
      );
      expect(
        fromB.filter((e) => e.object === 'address').map((e) => [e.action, e.value.address]),
      ).toEqual([
        ['new', '192.0.2.1/24'],
        ['del', '192.0.2.1/24'],
      ]);
      // A: its link and address, with A's ifindex.
      expect(
        fromA.filter((e) => e.object === 'address').map((e) => [e.value.address, e.value.index]),
      ).toEqual([['198.51.100.1/24', nsa0]]);
      // C: nothing.
      const names = ours.flatMap((e) => (e.object === 'link' ? [e.value.name] : []));
      expect(names).not.toContain('nsc0');
      const addresses = ours.flatMap((e) => (e.object === 'address' ? [e.value.address] : []));
      expect(addresses).not.toContain('203.0.113.1/24');
      expect(theirs.length).toBeGreaterThanOrEqual(6);
    } finally {
      mon.close();
      await ipmon.stop();
    }
  });

  it('a namespace given an id later is heard from then on, with the id `ip netns list-id` shows', async () => {
    const mon = await Monitor.open({ netns: A, allNsid: true, groups: ['link'] });
    try {
      const events: ObjectEvent[] = [];
      mon.on('event', (e) => events.push(e));
      ipIn(C, 'link', 'set', 'nsc1', 'mtu', '1400');
      ipIn(A, 'link', 'set', 'mark0', 'mtu', '1400');
      await until(() => events.some((e) => e.object === 'link' && e.value.name === 'mark0'));
      expect(events.filter((e) => e.object === 'link' && e.value.name === 'nsc1')).toEqual([]);
      await rt.nsid.set(C, 'auto');
      const cId = idsInA().find((id) => id !== B_ID);
      expect(cId).toBeTypeOf('number');
      ipIn(C, 'link', 'set', 'nsc1', 'mtu', '1300');
      await until(() => events.some((e) => e.object === 'link' && e.value.name === 'nsc1'));
      const got = events.filter((e) => e.object === 'link' && e.value.name === 'nsc1');
      expect(got.map((e) => [e.nsid, e.object === 'link' && e.value.attributes.mtu])).toEqual([
        [cId, 1300],
      ]);
    } finally {
      mon.close();
    }
  });

  it('listExisting and resync read A alone; B changing links with the same ifindex leaves them be', async () => {
    const seen: MonitorEvent[] = [];
    const mon = await Monitor.open({
      netns: A,
      allNsid: true,
      groups: ['link'],
      listExisting: true,
      resync: true,
    });
    try {
      mon.on('event', (e) => seen.push(e));
      mon.on('synced', (e) => seen.push(e));
      await until(() => seen.some((e) => e.action === 'synced'), 5000, 'the listing');
      const linksOfA = ipJsonIn<{ ifname: string; ifindex: number }[]>(A, 'link', 'show');
      const listed = seen.filter((e): e is ObjectEvent => e.action === 'new');
      expect(listed.every((e) => e.origin === 'list' && e.nsid === -1)).toBe(true);
      expect(listed.map((e) => (e.object === 'link' ? e.value.name : '')).sort()).toEqual(
        linksOfA.map((l) => l.ifname).sort(),
      );
      expect(mon.tracked).toBe(linksOfA.length);

      // In B, make and delete a link with an ifindex A uses too.
      seen.length = 0;
      ipIn(B, 'link', 'add', 'nsb1', 'type', 'ifb');
      const index = ifindexIn(B, 'nsb1');
      expect(linksOfA.map((l) => l.ifindex)).toContain(index);
      ipIn(B, 'link', 'del', 'nsb1');
      await until(() => seen.some((e) => e.action === 'del'), 5000, "B's del");
      const fromB = seen.filter((e): e is ObjectEvent => e.action === 'new' || e.action === 'del');
      expect(
        fromB.map((e) => [e.action, e.nsid, e.origin, e.object === 'link' && e.value.index]),
      ).toEqual([
        ['new', B_ID, 'kernel', index],
        ['del', B_ID, 'kernel', index],
      ]);
      expect(mon.tracked).toBe(linksOfA.length);

      // A resync re-reads A: nothing changed there, so it has nothing to say.
      seen.length = 0;
      mon.resync();
      await until(() => seen.some((e) => e.action === 'synced'), 5000, 'the resync');
      expect(seen).toEqual([expect.objectContaining({ action: 'synced', reason: 'resync' })]);
    } finally {
      mon.close();
    }
  });

  it('without allNsid: B is not heard, and events have no nsid', async () => {
    const mon = await Monitor.open({ netns: A, groups: ['link'] });
    try {
      const events: ObjectEvent[] = [];
      mon.on('event', (e) => events.push(e));
      ipIn(B, 'link', 'add', 'nsb2', 'type', 'ifb');
      ipIn(A, 'link', 'set', 'mark0', 'mtu', '1280');
      await until(() => events.some((e) => e.object === 'link' && e.value.name === 'mark0'));
      await new Promise((r) => setTimeout(r, 50));
      expect(events.map((e) => (e.object === 'link' ? e.value.name : ''))).not.toContain('nsb2');
      for (const e of events) expect('nsid' in e).toBe(false);
    } finally {
      mon.close();
    }
  });
});
