// `rtnl monitor` against `ip monitor` (iproute2 6.1, the oracle): both listen in one namespace the
// test made, the same changes are made, and their outputs must be the same line for line (times
// masked). -j is not compared (ip prints text; rtnl prints JSON Lines: monitor-json.test.ts).
// `monitor file` replays a stream rtmon recorded (fixtures/monitor/rtmon-basic.json says
// how) and must print what `ip monitor file` prints for it.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createNetns } from '../../src/ns/index.js';
import { type CliNs, cliNs, RTNL_BIN } from './helpers.js';

const FIXTURE = new URL('../../fixtures/monitor/rtmon-basic.rtmon', import.meta.url).pathname;
/** Nexthops (device, gateway, weighted group) and netconf too (rtmon-json.json says how). */
const FIXTURE_NH = new URL('../../fixtures/monitor/rtmon-json.rtmon', import.meta.url).pathname;
const ENV = { TZ: 'UTC' };

/** Mask the times -t and -ts print (the clock differs between two processes). */
function maskTimes(text: string): string {
  return text
    .replace(
      /^Timestamp: \w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4} \d+ usec$/gm,
      'Timestamp: T usec',
    )
    .replace(/^\[\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\] /gm, '[T] ');
}

describe('rtnl monitor file (replay of an rtmon recording)', () => {
  const t = cliNs();
  const dir = mkdtempSync(join(tmpdir(), 'rtnl-monitor-'));
  afterAll(() => {
    t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each([
    [[], []],
    [[], ['label']],
    [[], ['all']],
    [['-t'], []],
    [['-t'], ['label']],
    [['-ts'], ['all']],
    [['-4'], ['label']],
    [['-6'], []],
    [[], ['link']],
    [[], ['route', 'rule']],
  ])('ip %j monitor %j file FILE', (opts, words) => {
    const args = [...opts, 'monitor', ...words, 'file', FIXTURE];
    const ip = t.ipRun(args, { env: ENV });
    const rtnl = t.rtnlRun(args, { env: ENV });
    expect(ip.status).toBe(0);
    // The file holds 2 + 1 links, addresses, routes, rules, neighbours, netconf and nsid events.
    expect(ip.stdout.split('\n').length).toBeGreaterThan(
      opts.length === 0 && words.length === 0 ? 90 : 10,
    );
    expect(rtnl.stderr).toBe('');
    expect(rtnl.status).toBe(ip.status);
    expect(maskTimes(rtnl.stdout)).toBe(maskTimes(ip.stdout));
  });

  it.each([
    [[], []],
    [[], ['label']],
    [['-t'], ['all']],
    [[], ['nexthop']],
    [['-ts'], ['nexthop', 'netconf', 'label']],
  ])('ip %j monitor %j file FILE (nexthops, netconf)', (opts, words) => {
    const args = [...opts, 'monitor', ...words, 'file', FIXTURE_NH];
    const ip = t.ipRun(args, { env: ENV });
    const rtnl = t.rtnlRun(args, { env: ENV });
    expect(ip.status).toBe(0);
    expect(ip.stdout).toMatch(/id 3 group 1\/2,5 \n/);
    expect(rtnl.stderr).toBe('');
    expect(rtnl.status).toBe(ip.status);
    expect(maskTimes(rtnl.stdout)).toBe(maskTimes(ip.stdout));
  });

  it('the NLMSG_TSTAMP records print as ip prints them', () => {
    const r = t.rtnlRun(['monitor', 'file', FIXTURE], { env: ENV });
    expect(r.stdout).toMatch(/^Timestamp: Sun Nov 29 08:33:39 2026 \d+ us$/m);
  });

  it.each([
    ['a truncated record', (b: Buffer) => b.subarray(0, b.length - 6)],
    [
      'a record longer than 16 KiB',
      (b: Buffer) =>
        Buffer.concat([
          b.subarray(0, 24),
          Buffer.from([0, 0x50, 0, 0, 16, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
        ]),
    ],
    ['a header cut short', (b: Buffer) => b.subarray(0, 30)],
  ])('%s ends the replay as ip does', (_name, cut) => {
    const file = join(dir, 'bad.rtmon');
    writeFileSync(file, cut(readFileSync(FIXTURE)));
    const ip = t.ipRun(['monitor', 'file', file], { env: ENV });
    const rtnl = t.rtnlRun(['monitor', 'file', file], { env: ENV });
    expect(ip.status).not.toBe(0);
    expect(rtnl.status).toBe(ip.status);
    expect(rtnl.stdout).toBe(ip.stdout);
    expect(rtnl.stderr.replace(/@\d+/, '@N')).toBe(ip.stderr.replace(/@\d+/, '@N'));
  });

  it('a missing file fails as ip does', () => {
    const args = ['monitor', 'file', join(dir, 'none')];
    const ip = t.ipRun(args);
    const rtnl = t.rtnlRun(args);
    expect(ip.status).toBe(255);
    expect(rtnl.status).toBe(255);
    expect(rtnl.stderr).toBe(ip.stderr);
  });

  it('an unknown word fails as ip does', () => {
    const ip = t.ipRun(['monitor', 'bogus']);
    const rtnl = t.rtnl('monitor', 'bogus');
    expect(rtnl.status).toBe(ip.status);
    expect(rtnl.stderr).toBe(ip.stderr.replace('"ip monitor help"', '"rtnl monitor help"'));
  });
});

// ---------------------------------------------------------------------------------------------
// Live: both monitors in one namespace.

interface Listener {
  proc: ChildProcess;
  out: string[];
}

function listen(t: CliNs, cmd: string[]): Listener {
  const proc = spawn('nsenter', [`--net=${t.path}`, ...cmd], {
    env: { ...process.env, ...ENV },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const l: Listener = { proc, out: [] };
  proc.stdout?.setEncoding('utf8').on('data', (d: string) => l.out.push(d));
  proc.stderr?.setEncoding('utf8').on('data', (d: string) => l.out.push(`stderr: ${d}`));
  return l;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Rtnetlink sockets with groups joined in the namespace (/proc/net/netlink: Eth 0, Groups ≠ 0). */
function subscribers(pid: number): number {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/net/netlink`, 'utf8');
  } catch {
    return 0;
  }
  return text
    .split('\n')
    .slice(1)
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f[1] === '0' && f[3] !== undefined && f[3] !== '00000000').length;
}

async function stop(l: Listener): Promise<void> {
  if (l.proc.exitCode !== null || l.proc.signalCode !== null) return;
  const done = new Promise((r) => l.proc.once('close', r));
  l.proc.kill('SIGINT');
  await done;
}

/**
 * Start `ip OPTS monitor WORDS` and `rtnl OPTS monitor WORDS`, wait until both joined their
 * groups, run `act`, wait until the outputs settle, stop both (SIGINT) and return both outputs.
 */
async function both(
  t: CliNs,
  opts: string[],
  words: string[],
  act: () => void,
): Promise<{ ip: string; rtnl: string }> {
  const ip = listen(t, ['ip', ...opts, 'monitor', ...words]);
  const rtnl = listen(t, [process.execPath, RTNL_BIN, ...opts, 'monitor', ...words]);
  try {
    for (let i = 0; i < 200 && subscribers(ip.proc.pid!) < 2; i++) await sleep(25);
    expect(subscribers(ip.proc.pid!)).toBeGreaterThanOrEqual(2);
    await sleep(100); // rtnl reads the device names after joining (as ip's ll_init_map)
    act();
    let last = '';
    for (let i = 0; i < 100; i++) {
      await sleep(50);
      const now = `${ip.out.join('')}\u0000${rtnl.out.join('')}`;
      if (now === last && ip.out.join('').length === rtnl.out.join('').length) break;
      last = now;
    }
  } finally {
    await stop(ip);
    await stop(rtnl);
  }
  return { ip: ip.out.join(''), rtnl: rtnl.out.join('') };
}

/** The changes each live test makes (t0 exists beforehand, down). */
let peers = 0;
function changes(t: CliNs, peerPath?: string): void {
  t.setup([
    'link set t0 up',
    'addr add 192.0.2.1/24 dev t0',
    'addr add 2001:db8::1/64 dev t0 nodad',
    'route add 198.51.100.0/24 via 192.0.2.2',
    'route add 2001:db8:1::/64 via 2001:db8::2',
    'rule add from 203.0.113.0/24 table 100 prio 1000',
    'neigh add 192.0.2.9 lladdr 02:00:00:00:00:09 dev t0',
    'link add t1 type ifb',
    'link set t0 mtu 1400',
  ]);
  // A veth whose peer is in another namespace: this namespace gets an nsid for it.
  const peer = `p${peers++}`;
  if (peerPath) t.ip('link', 'add', 'v0', 'type', 'veth', 'peer', 'name', peer, 'netns', peerPath);
  t.setup([
    'route del 198.51.100.0/24',
    'rule del from 203.0.113.0/24 table 100 prio 1000',
    'neigh del 192.0.2.9 dev t0',
    'addr del 2001:db8::1/64 dev t0',
    'link del t1',
    'link set t0 down',
  ]);
}

describe('rtnl monitor (live, against ip monitor)', () => {
  const peer = createNetns();
  const peerPath = `/proc/${process.pid}/fd/${peer.fd}`;
  afterAll(() => peer.close());

  it.each([
    [[], []],
    [[], ['all']],
    [[], ['label']],
    [[], ['link', 'address']],
    [[], ['address', 'label']],
    [[], ['route']],
    [[], ['rule']],
    [[], ['neigh']],
    [[], ['netconf']],
    [[], ['nsid']],
    [[], ['dev', 't0']],
    [[], ['neigh', 'dev', 't0']],
    [['-t'], ['label']],
    [['-ts'], ['link']],
    [['-4'], []],
    [['-6'], ['route', 'rule', 'address']],
  ])(
    'ip %j monitor %j',
    async (opts, words) => {
      const t = cliNs(['link add t0 type ifb']);
      try {
        const withPeer = words.length === 0 || words.includes('nsid') || words.includes('all');
        const { ip, rtnl } = await both(t, opts, words, () =>
          changes(t, withPeer ? peerPath : undefined),
        );
        expect(ip.length).toBeGreaterThan(0);
        expect(maskTimes(rtnl).split('\n')).toEqual(maskTimes(ip).split('\n'));
        if (words.includes('nsid')) expect(ip).toMatch(/^nsid \d+ $/m);
        if (words.length === 0) {
          // The oracle saw what was done (so an empty or partial pair cannot pass unnoticed).
          expect(ip).toContain('Deleted 198.51.100.0/24 via 192.0.2.2 dev t0 \n');
          expect(ip).toContain('Deleted 1000:\tfrom 203.0.113.0/24 lookup 100\n');
        }
      } finally {
        t.close();
      }
    },
    20_000,
  );
});

/** Nexthops of every shape this kernel makes, a netconf change, then removals. */
function nexthopChanges(t: CliNs): void {
  t.setup([
    'link set lo up',
    'link set t0 up',
    'addr add 192.0.2.1/24 dev t0',
    'addr add 2001:db8::1/64 dev t0 nodad',
    'nexthop add id 1 dev t0',
    'nexthop add id 2 via 192.0.2.3 dev t0',
    'nexthop add id 3 via 2001:db8::3 dev t0',
    'nexthop add id 4 blackhole',
    'nexthop add id 5 group 1/2,5',
    'nexthop add id 6 group 1/2 type resilient buckets 8 idle_timer 60',
    'nexthop add id 7 dev t0 proto static',
  ]);
  spawnSync('nsenter', [`--net=${t.path}`, 'sysctl', '-qw', 'net.ipv4.conf.t0.forwarding=1']);
  spawnSync('nsenter', [`--net=${t.path}`, 'sysctl', '-qw', 'net.ipv6.conf.t0.forwarding=1']);
  t.setup(['nexthop del id 5', 'nexthop del id 6', 'nexthop del id 4', 'link del t0']);
}

describe('rtnl monitor nexthop / netconf (live, against ip monitor)', () => {
  it.each([
    [[], []],
    [[], ['nexthop']],
    [[], ['nexthop', 'label']],
    [['-t'], ['nexthop', 'netconf']],
    [['-d'], ['nexthop']],
    [['-ts'], ['all']],
  ])(
    'ip %j monitor %j',
    async (opts, words) => {
      const t = cliNs(['link add t0 type ifb']);
      try {
        const { ip, rtnl } = await both(t, opts, words, () => nexthopChanges(t));
        expect(ip).toMatch(/id 6 group 1\/2 type resilient buckets 8 idle_timer 60 /);
        expect(maskTimes(rtnl).split('\n')).toEqual(maskTimes(ip).split('\n'));
      } finally {
        t.close();
      }
    },
    20_000,
  );
});

describe('rtnl monitor all-nsid (live, against ip monitor)', () => {
  it.each([
    [[], ['all-nsid']],
    [[], ['link', 'address', 'all-nsid', 'label']],
    [['-ts'], ['all-nsid', 'address']],
  ])(
    'ip %j monitor %j',
    async (opts, words) => {
      const peer = createNetns();
      const peerPath = `/proc/${process.pid}/fd/${peer.fd}`;
      const t = cliNs();
      const inPeer = (...args: string[]) => {
        const r = spawnSync('nsenter', [`--net=${peerPath}`, 'ip', ...args], { encoding: 'utf8' });
        if (r.status !== 0) throw new Error(`ip ${args.join(' ')}: ${r.stderr}`);
      };
      try {
        const { ip, rtnl } = await both(t, opts, words, () => {
          // The peer end makes this namespace give the peer namespace an id.
          t.ip('link', 'add', 'v0', 'type', 'veth', 'peer', 'name', 'v1', 'netns', peerPath);
          t.ip('link', 'set', 'v0', 'up');
          inPeer('link', 'set', 'v1', 'up');
          inPeer('addr', 'add', '192.0.2.7/24', 'dev', 'v1');
          inPeer('link', 'add', 't9', 'type', 'ifb');
          t.ip('addr', 'add', '192.0.2.8/24', 'dev', 'v0');
        });
        expect(ip).toMatch(/^(\[[^\]]+\] )?\[nsid 0\]/m);
        expect(ip).toMatch(/^(\[[^\]]+\] )?\[nsid current\]/m);
        expect(maskTimes(rtnl).split('\n')).toEqual(maskTimes(ip).split('\n'));
      } finally {
        t.close();
        peer.close();
      }
    },
    20_000,
  );

  it('replaying a file: every event is [nsid current], as ip prints it', () => {
    const t = cliNs();
    try {
      const args = ['monitor', 'all-nsid', 'label', 'file', FIXTURE_NH];
      const ip = t.ipRun(args, { env: ENV });
      const rtnl = t.rtnlRun(args, { env: ENV });
      expect(ip.stdout).toContain('[nsid current][NEXTHOP]id 1 dev t0 scope host \n');
      expect(rtnl.stderr).toBe('');
      expect(rtnl.stdout).toBe(ip.stdout);
    } finally {
      t.close();
    }
  });
});

// ---------------------------------------------------------------------------------------------
// The groups each word joins: what strace shows ip and rtnl asking the kernel for.

/** Groups a command joined: bind() nl_groups bits and NETLINK_ADD_MEMBERSHIP values. */
function joinedGroups(t: CliNs, cmd: string[], seconds: string): number[] {
  const r = spawnSync(
    'nsenter',
    [
      `--net=${t.path}`,
      'strace',
      '-f',
      '-qq',
      '-e',
      'trace=bind,setsockopt',
      'timeout',
      '-s',
      'INT',
      seconds,
      ...cmd,
    ],
    { encoding: 'utf8', env: { ...process.env, ...ENV } },
  );
  const out = new Set<number>();
  for (const m of r.stderr.matchAll(/nl_groups=(0x[0-9a-f]+|\d+)/g)) {
    const mask = Number(m[1]);
    for (let b = 0; b < 32; b++) if (mask & (1 << b)) out.add(b + 1);
  }
  for (const m of r.stderr.matchAll(/NETLINK_ADD_MEMBERSHIP, \[(\d+)\]/g)) out.add(Number(m[1]));
  return [...out].sort((a, b) => a - b);
}

describe('rtnl monitor joins the groups ip monitor joins', () => {
  const t = cliNs();
  afterAll(() => t.close());

  it.each([
    [[], []],
    [[], ['all']],
    [[], ['link']],
    [[], ['address']],
    [[], ['route']],
    [[], ['mroute']],
    [[], ['neigh']],
    [[], ['rule']],
    [[], ['nsid']],
    [[], ['netconf']],
    [[], ['prefix']],
    [[], ['nexthop']],
    [[], ['stats']],
    [[], ['link', 'nexthop', 'label']],
    [['-4'], []],
    [['-6'], ['route', 'address', 'rule', 'netconf']],
  ])(
    'ip %j monitor %j',
    (opts, words) => {
      // ip joins at once; node needs a moment to start under strace.
      const ip = joinedGroups(t, ['ip', ...opts, 'monitor', ...words], '0.3');
      const node = [process.execPath, RTNL_BIN];
      const rtnl = joinedGroups(t, [...node, ...opts, 'monitor', ...words], '1.5');
      expect(ip.length).toBeGreaterThan(0);
      expect(rtnl).toEqual(ip);
    },
    10_000,
  );
});
