// `rtnl -j monitor`: one JSON object per line. The oracle for each line is `ip -j OBJECT show`
// of the same state: the last event about an object must equal the element ip printed for it,
// and a removal must be that element with `"deleted": true` first. Two sources: a recording
// (fixtures/monitor/rtmon-json.json holds the `ip -j` snapshots taken while rtmon recorded), and
// a live monitor in a namespace the test made, snapshotted with `ip -j` during the test.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { type CliNs, cliNs, normalise, RTNL_BIN, VOLATILE } from './helpers.js';

const FIXTURE_DIR = new URL('../../fixtures/monitor/', import.meta.url).pathname;
const FIXTURE = `${FIXTURE_DIR}rtmon-json.rtmon`;
const ENV = { TZ: 'UTC' };

type Obj = Record<string, unknown>;

/** The `ip -j` documents of one state (the fixture's `ip_json`). */
interface Snapshot {
  link: Obj[];
  address: { addr_info: Obj[] }[];
  route4: Obj[];
  route6: Obj[];
  rule: Obj[];
  neigh: Obj[];
  nexthop: Obj[];
  netconf: Obj[];
}

/** Parse JSON Lines: every line one JSON object (never an array, never a blank line). */
function parseLines(text: string): Obj[] {
  expect(text.endsWith('\n')).toBe(true);
  return text
    .slice(0, -1)
    .split('\n')
    .map((line) => {
      const v: unknown = JSON.parse(line);
      expect(v !== null && typeof v === 'object' && !Array.isArray(v)).toBe(true);
      return v as Obj;
    });
}

/** The keys that may come before an event's own keys, in this order. */
const HEAD_KEYS = ['timestamp', 'timestamp_short', 'source_nsid', 'object'];

function stripHead(e: Obj): Obj {
  const { timestamp: _t, timestamp_short: _s, source_nsid: _n, object: _o, ...rest } = e;
  return rest;
}

const routeKey = (r: Obj) => `${r.type ?? 'unicast'} ${r.dst} ${r.table ?? 'main'}`;

/** What identifies an object of each `object` word, in events and in `ip -j` elements. */
const IDENTITY: Record<string, (o: Obj) => string> = {
  link: (o) => String(o.ifindex),
  addr: (o) => `${o.local}/${o.prefixlen}`,
  route: routeKey,
  rule: (o) => String(o.priority),
  neigh: (o) => `${o.dst} ${o.dev}`,
  nexthop: (o) => String(o.id),
  netconf: (o) => `${o.family} ${o.interface}`,
};

/** Events by object word (from the `object` key `label` adds), head keys removed. */
function byObject(events: Obj[]): Map<string, Obj[]> {
  const out = new Map<string, Obj[]>();
  for (const e of events) {
    if (e.object === undefined) continue;
    const list = out.get(String(e.object)) ?? [];
    list.push(stripHead(e));
    out.set(String(e.object), list);
  }
  return out;
}

/** Every event about `element` that is not a deletion, normalised. */
function newEvents(events: Map<string, Obj[]>, word: string, element: Obj, paths: string[]) {
  const id = IDENTITY[word]!;
  return (events.get(word) ?? [])
    .filter((e) => e.deleted === undefined && id(e) === id(element))
    .map((e) => normalise(e, paths));
}

function deletions(events: Map<string, Obj[]>, word: string, element: Obj, paths: string[]) {
  const id = IDENTITY[word]!;
  return (events.get(word) ?? [])
    .filter((e) => e.deleted !== undefined && id(e) === id(element))
    .map((e) => normalise(e, paths));
}

/** The checks both sources share. `removed`: what was deleted after the snapshot. */
function expectMatchesSnapshot(
  events: Obj[],
  snap: Snapshot,
  removed: { links: string[]; routes: string[]; rules: number[]; addrs: string[]; nh: number[] },
  paths: string[],
): void {
  // Head keys first, then `deleted` (iproute2's key and place), then the object's keys.
  for (const e of events) {
    const keys = Object.keys(e);
    const head = keys.filter((k) => HEAD_KEYS.includes(k));
    expect(keys.slice(0, head.length)).toEqual(head);
    if ('deleted' in e) {
      expect(keys[head.length]).toBe('deleted');
      expect(e.deleted).toBe(true);
    }
  }
  const ev = byObject(events);
  const check = (word: string, element: Obj) => {
    const want = normalise(element, paths);
    expect(
      newEvents(ev, word, element, paths),
      `${word} ${IDENTITY[word]!(element)}`,
    ).toContainEqual(want);
  };
  const checkDeleted = (word: string, element: Obj) => {
    const want = normalise({ deleted: true, ...element }, paths);
    expect(deletions(ev, word, element, paths), `deleted ${word}`).toContainEqual(want);
  };
  let checked = 0;
  for (const l of snap.link.filter((x) => x.ifname === 't0' || x.ifname === 't1')) {
    check('link', l);
    if (removed.links.includes(String(l.ifname))) checkDeleted('link', l);
    checked++;
  }
  for (const a of snap.address.flatMap((x) => x.addr_info).filter((x) => x.dev === 't0')) {
    check('addr', a);
    if (removed.addrs.includes(`${a.local}/${a.prefixlen}`)) checkDeleted('addr', a);
    checked++;
  }
  for (const r of [...snap.route4, ...snap.route6].filter((x) => x.dev === 't0')) {
    check('route', r);
    if (removed.routes.includes(String(r.dst))) checkDeleted('route', r);
    checked++;
  }
  for (const r of snap.rule.filter((x) => x.priority === 1000)) {
    check('rule', r);
    if (removed.rules.includes(1000)) checkDeleted('rule', r);
    checked++;
  }
  for (const n of snap.neigh.filter((x) => x.dst === '192.0.2.9')) {
    check('neigh', n);
    checked++;
  }
  for (const n of snap.nexthop) {
    check('nexthop', n);
    if (removed.nh.includes(Number(n.id))) checkDeleted('nexthop', n);
    checked++;
  }
  // A netconf event carries what changed; `ip -j netconf show` has every key.
  const fwd = (ev.get('netconf') ?? []).filter((e) => e.interface === 't0' && 'forwarding' in e);
  const inet = snap.netconf.find((x) => x.family === 'inet')!;
  expect(fwd.length).toBeGreaterThan(0);
  expect(inet).toMatchObject(fwd.at(-1)!);
  // t0, t1, 2 + 1 link-local addresses, 9 routes, the rule, the neighbour, 3 nexthops.
  expect(checked).toBeGreaterThanOrEqual(17);
}

describe('rtnl -j monitor file FILE (rtmon recording with ip -j snapshots)', () => {
  const t = cliNs();
  afterAll(() => t.close());
  const fixture = JSON.parse(readFileSync(`${FIXTURE_DIR}rtmon-json.json`, 'utf8')) as {
    ip_json: Snapshot;
  };
  const removed = {
    links: ['t1'],
    routes: ['198.51.100.0/24', '2001:db8:1::/64'],
    rules: [1000],
    addrs: ['2001:db8::1/64'],
    nh: [3],
  };

  const run = (args: string[]) => {
    const r = t.rtnlRun(args, { env: ENV });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    return r.stdout;
  };

  it('each object and each removal is what ip -j OBJECT show printed', () => {
    const events = parseLines(run(['-j', 'monitor', 'label', 'file', FIXTURE]));
    // rtmon's time stamp records: lines of their own, ip's text for them.
    const stamps = events.filter((e) => e.object === undefined);
    expect(stamps.length).toBeGreaterThan(10);
    for (const s of stamps) {
      expect(Object.keys(s)).toEqual(['timestamp']);
      expect(s.timestamp).toMatch(/^\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4} \d+ us$/);
    }
    expectMatchesSnapshot(events, fixture.ip_json, removed, []);
  });

  it('without label: the same objects, without the `object` key; -p changes nothing', () => {
    const labelled = parseLines(run(['-j', 'monitor', 'label', 'file', FIXTURE]));
    const plain = run(['-j', 'monitor', 'file', FIXTURE]);
    expect(parseLines(plain)).toEqual(
      labelled.map((e) => (e.object === undefined ? e : stripHead(e))),
    );
    expect(run(['-j', '-p', 'monitor', 'file', FIXTURE])).toBe(plain);
  });

  it.each([
    ['-t', 'timestamp', /^\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4} \d+ usec$/],
    ['-ts', 'timestamp_short', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/],
  ])('%s adds iproute2\'s "%s" key first', (opt, key, re) => {
    const events = parseLines(run(['-j', opt, 'monitor', 'label', 'file', FIXTURE]));
    const objects = events.filter((e) => e.object !== undefined);
    expect(objects.length).toBeGreaterThan(30);
    for (const e of objects) {
      expect(Object.keys(e).slice(0, 2)).toEqual([key, 'object']);
      expect(e[key]).toMatch(re);
    }
    const plain = parseLines(run(['-j', 'monitor', 'label', 'file', FIXTURE]));
    expect(objects.map((e) => stripHead(e))).toEqual(
      plain.filter((e) => e.object !== undefined).map((e) => stripHead(e)),
    );
  });
});

describe('rtnl -j monitor all-nsid', () => {
  it('a replayed event comes from this namespace: "source_nsid": -1 before "object"', () => {
    const t = cliNs();
    try {
      const r = t.rtnlRun(['-j', 'monitor', 'all-nsid', 'label', 'file', FIXTURE], { env: ENV });
      expect(r.stderr).toBe('');
      const objects = parseLines(r.stdout).filter((e) => e.object !== undefined);
      expect(objects.length).toBeGreaterThan(30);
      for (const e of objects) {
        expect(Object.keys(e).slice(0, 2)).toEqual(['source_nsid', 'object']);
        expect(e.source_nsid).toBe(-1);
      }
    } finally {
      t.close();
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Live

interface Listener {
  proc: ChildProcess;
  out: string[];
  err: string[];
}

function listen(t: CliNs, args: string[]): Listener {
  const proc = spawn('nsenter', [`--net=${t.path}`, process.execPath, RTNL_BIN, ...args], {
    env: { ...process.env, ...ENV },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const l: Listener = { proc, out: [], err: [] };
  proc.stdout?.setEncoding('utf8').on('data', (d: string) => l.out.push(d));
  proc.stderr?.setEncoding('utf8').on('data', (d: string) => l.err.push(d));
  return l;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Sockets with multicast groups joined in the namespace (/proc/PID/net/netlink, rtnetlink). */
function subscribers(pid: number): number {
  try {
    return readFileSync(`/proc/${pid}/net/netlink`, 'utf8')
      .split('\n')
      .slice(1)
      .map((l) => l.trim().split(/\s+/))
      .filter((f) => f[1] === '0' && f[3] !== undefined && f[3] !== '00000000').length;
  } catch {
    return 0;
  }
}

async function stop(l: Listener): Promise<void> {
  if (l.proc.exitCode !== null || l.proc.signalCode !== null) return;
  const done = new Promise((r) => l.proc.once('close', r));
  l.proc.kill('SIGINT');
  await done;
}

describe('rtnl -j monitor (live, against ip -j OBJECT show)', () => {
  it('every line parses; each object and removal is what ip -j showed', async () => {
    const t = cliNs(['link set lo up', 'link add t0 type ifb']);
    const words = ['link', 'address', 'route', 'neigh', 'rule'];
    const labelled = listen(t, ['-j', 'monitor', ...words, 'nexthop', 'netconf', 'label']);
    const plain = listen(t, ['-j', 'monitor', ...words]);
    try {
      for (let i = 0; i < 200 && subscribers(plain.proc.pid!) < 2; i++) await sleep(25);
      await sleep(300); // both read the device names after joining
      t.setup([
        'link add t1 type ifb',
        'link set t0 up',
        'addr add 192.0.2.1/24 dev t0',
        'addr add 2001:db8::1/64 dev t0 nodad',
        'route add 198.51.100.0/24 via 192.0.2.2',
        'route add 2001:db8:1::/64 via 2001:db8::2',
        'rule add from 203.0.113.0/24 table 100 prio 1000',
        'neigh add 192.0.2.9 lladdr 02:00:00:00:00:09 dev t0',
        'nexthop add id 1 dev t0',
        'nexthop add id 2 via 192.0.2.3 dev t0',
        'nexthop add id 3 group 1/2,5',
      ]);
      execFileSync('nsenter', [
        `--net=${t.path}`,
        'sysctl',
        '-qw',
        'net.ipv4.conf.t0.forwarding=1',
      ]);
      t.setup(['link set t0 mtu 1400']);
      await sleep(200);
      const snap: Snapshot = {
        link: t.ipJson('link', 'show') as Obj[],
        address: t.ipJson('-o', 'address', 'show') as Snapshot['address'],
        route4: t.ipJson('route', 'show', 'table', 'all') as Obj[],
        route6: t.ipJson('-6', 'route', 'show', 'table', 'all') as Obj[],
        rule: t.ipJson('rule', 'show') as Obj[],
        neigh: t.ipJson('neigh', 'show') as Obj[],
        nexthop: t.ipJson('nexthop', 'show') as Obj[],
        netconf: t.ipJson('netconf', 'show', 'dev', 't0') as Obj[],
      };
      t.setup([
        'nexthop del id 3',
        'route del 198.51.100.0/24',
        'route del 2001:db8:1::/64',
        'rule del from 203.0.113.0/24 table 100 prio 1000',
        'addr del 2001:db8::1/64 dev t0',
        'link del t1',
      ]);
      let last = -1;
      for (let i = 0; i < 60; i++) {
        await sleep(50);
        const n = labelled.out.join('').length + plain.out.join('').length;
        if (n === last) break;
        last = n;
      }
      await stop(labelled);
      await stop(plain);
      expect(labelled.err.join('')).toBe('');
      expect(plain.err.join('')).toBe('');
      const events = parseLines(labelled.out.join(''));
      expectMatchesSnapshot(
        events,
        snap,
        {
          links: ['t1'],
          routes: ['198.51.100.0/24', '2001:db8:1::/64'],
          rules: [1000],
          addrs: ['2001:db8::1/64'],
          nh: [3],
        },
        [...VOLATILE.lifetimes],
      );
      // The monitor without `label`: the same lines for its objects, without `object`.
      const mine = events
        .filter((e) => !['nexthop', 'netconf'].includes(String(e.object)))
        .map((e) => stripHead(e));
      expect(parseLines(plain.out.join(''))).toEqual(mine);
    } finally {
      await stop(labelled);
      await stop(plain);
      t.close();
    }
  }, 30_000);
});
