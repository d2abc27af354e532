// `rtnl address|route save|restore|showdump` against ip 6.1 (the oracle): a file ip saved is
// restored by rtnl into a fresh namespace with the same links, a file rtnl saved is restored by
// ip, and `ip -j … show` of the source and both targets agree; rtnl's file holds ip's bytes
// (sequence numbers and port ids aside); showdump prints what ip prints for the same file;
// the refusals (terminal, bad magic, truncated file, pipe) have ip's texts and statuses.
// Runs the built CLI.

import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asRtnl, type CliNs, cliNs, normalise, RTNL_BIN, VOLATILE } from './helpers.js';

// Fixed MACs and no IPv6 link-local addresses: the namespaces' states can then be compared, and
// nothing changes while DAD runs.
const LINKS = [
  'link set lo up',
  'link add d0 address 02:00:00:00:00:01 type ifb',
  'link add v0 address 02:00:00:00:00:02 type veth peer name v1 address 02:00:00:00:00:03',
  'link set d0 addrgenmode none',
  'link set v0 addrgenmode none',
  'link set v1 addrgenmode none',
  'link set d0 up',
  'link set v0 up',
  'link set v1 up',
];
const ADDRESSES = [
  'address add 192.0.2.1/24 dev d0',
  'address add 192.0.2.2/24 dev d0',
  'address add 198.51.100.1/32 peer 198.51.100.2/32 dev v0',
  'address add 10.9.0.1/16 brd + dev v1 label v1:sec',
  '-6 address add 2001:db8::1/64 dev d0 nodad',
  '-6 address add 2001:db8:1::1/64 dev v0 nodad',
];
/** An address whose lifetimes (and its prefix route's expiry) count down. */
const EXPIRING = '-6 address add 2001:db8:2::1/64 dev v1 nodad valid_lft 3000 preferred_lft 2000';
const ROUTES = [
  'route add 203.0.113.0/24 via 192.0.2.254',
  'route add 203.0.113.128/25 dev d0 src 192.0.2.2 metric 7',
  'route add 10.20.0.0/16 dev v0 table 100 proto static',
  'route add blackhole 10.30.0.0/16',
  'route add unreachable 10.31.0.0/16 table 100',
  '-6 route add 2001:db8:5::/48 via 2001:db8::fe dev d0',
  '-6 route add 2001:db8:6::/48 dev v0 metric 50 table 100',
];

/** A run's outcome. */
interface Run {
  status: number;
  stdout: string;
  stderr: string;
}

/** Run `cmd` in namespace `t` with stdin and/or stdout on files (stdin: a path, or '|' text). */
function run(
  t: CliNs,
  tool: 'ip' | 'rtnl',
  args: readonly string[],
  io: { stdin?: string; pipe?: string | Buffer; stdout?: string } = {},
): Run {
  const inFd = io.stdin === undefined ? undefined : openSync(io.stdin, 'r');
  const outFd = io.stdout === undefined ? undefined : openSync(io.stdout, 'w');
  try {
    const cmd =
      tool === 'ip'
        ? ['nsenter', [`--net=${t.path}`, 'ip', ...args]]
        : [process.execPath, [RTNL_BIN, '-n', t.path, ...args]];
    const r = spawnSync(cmd[0] as string, cmd[1] as string[], {
      encoding: 'utf8',
      ...(io.pipe !== undefined ? { input: io.pipe } : {}),
      stdio: [inFd ?? 'pipe', outFd ?? 'pipe', 'pipe'],
    });
    if (r.error) throw r.error;
    return {
      status: r.status ?? 128,
      stdout: String(r.stdout ?? ''),
      stderr: String(r.stderr ?? ''),
    };
  } finally {
    if (inFd !== undefined) closeSync(inFd);
    if (outFd !== undefined) closeSync(outFd);
  }
}

/** The file with every message's nlmsg_seq and nlmsg_pid zeroed (they differ between runs). */
function withoutSeq(file: string): Buffer {
  const b = Buffer.from(readFileSync(file));
  for (let off = 4; off + 16 <= b.length; ) {
    const len = b.readUInt32LE(off);
    b.writeUInt32LE(0, off + 8);
    b.writeUInt32LE(0, off + 12);
    off += (len + 3) & ~3;
    if (len < 16) break;
  }
  return b;
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rtnl-save-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});
const file = (name: string) => join(dir, name);

describe('rtnl route save / restore / showdump', () => {
  let src: CliNs;
  const targets: CliNs[] = [];
  const target = () => {
    const t = cliNs([...LINKS, ...ADDRESSES]);
    targets.push(t);
    return t;
  };
  beforeAll(() => {
    src = cliNs([...LINKS, ...ADDRESSES, ...ROUTES]);
  });
  afterAll(() => {
    src?.close();
    for (const t of targets) t.close();
  });

  it.each([
    [[]],
    [['table', 'all']],
    [['table', '100']],
    [['-6', 'table', 'all']],
    [['table', 'all', 'dev', 'v0']],
    [['table', 'all', 'proto', 'kernel']],
    [['table', 'all', 'type', 'local']],
    [['table', 'all', 'root', '203.0.113.0/24']],
  ])('save %j writes the bytes ip writes (seq and pid aside)', (sel) => {
    const six = sel[0] === '-6';
    const words = six ? sel.slice(1) : sel;
    const pre = six ? ['-6'] : [];
    const a = run(src, 'ip', [...pre, 'route', 'save', ...words], { stdout: file('ip.r') });
    const b = run(src, 'rtnl', [...pre, 'route', 'save', ...words], { stdout: file('rtnl.r') });
    expect(b).toEqual(a);
    expect(readFileSync(file('ip.r')).length).toBeGreaterThan(4);
    expect(withoutSeq(file('rtnl.r'))).toEqual(withoutSeq(file('ip.r')));
  });

  it('a file ip saved, rtnl restores; a file rtnl saved, ip restores', () => {
    run(src, 'ip', ['route', 'save', 'table', 'all'], { stdout: file('ip-all.r') });
    run(src, 'rtnl', ['route', 'save', 'table', 'all'], { stdout: file('rtnl-all.r') });
    const [t1, t2, t3] = [target(), target(), target()];
    const r1 = run(t1, 'rtnl', ['route', 'restore'], { stdin: file('ip-all.r') });
    const r2 = run(t2, 'ip', ['route', 'restore'], { stdin: file('ip-all.r') });
    const r3 = run(t3, 'ip', ['route', 'restore'], { stdin: file('rtnl-all.r') });
    // Routes the addresses made exist already: both report them (EEXIST) and go on.
    expect(r1.status).toBe(0);
    expect(r1).toEqual({ ...r2, stderr: asRtnl(r2.stderr) });
    expect(r3).toEqual(r2);
    expect(r1.stderr).toMatch(/File exists/);
    for (const show of [
      ['route', 'show', 'table', 'all'],
      ['-6', 'route', 'show', 'table', 'all'],
    ]) {
      const want = t2.ipJson(...show);
      expect(t1.ipJson(...show)).toEqual(want);
      expect(t3.ipJson(...show)).toEqual(want);
    }
    // What the kernel does not make by itself is back as it was.
    for (const show of [
      ['route', 'show'],
      ['route', 'show', 'table', '100'],
      ['-6', 'route', 'show', 'table', '100'],
    ]) {
      expect(t1.ipJson(...show)).toEqual(src.ipJson(...show));
    }
  });

  it('restore puts local routes first, then local networks, then gateways', () => {
    // Only the main table's IPv4 routes: the gateway route needs the connected one first.
    run(src, 'ip', ['route', 'save'], { stdout: file('main.r') });
    const t = cliNs([...LINKS, ...ADDRESSES.map((a) => `${a} noprefixroute`)]);
    targets.push(t);
    const r = run(t, 'rtnl', ['route', 'restore'], { stdin: file('main.r') });
    expect(r).toEqual({ status: 0, stdout: '', stderr: '' });
    expect(t.ipJson('route', 'show')).toEqual(src.ipJson('route', 'show'));
  });

  it.each([[[]], [['-d']], [['-4']], [['-6']], [['-j']], [['-N']]])(
    'showdump %j prints what ip prints',
    (opts) => {
      run(src, 'ip', ['route', 'save', 'table', 'all'], { stdout: file('show.r') });
      const a = run(src, 'ip', [...opts, 'route', 'showdump'], { stdin: file('show.r') });
      const b = run(src, 'rtnl', [...opts, 'route', 'showdump'], { stdin: file('show.r') });
      expect(b).toEqual(a);
      expect(a.stdout).toMatch(/ via 192\.0\.2\.254 dev d0|2001:db8:5::\/48 via 2001:db8::fe/);
    },
  );

  it.each([
    ['restore', 'hello\n'],
    ['showdump', 'hello\n'],
    ['restore', ''],
    ['showdump', ''],
  ])('%s of a file without the magic (%j): ip text and status', (cmd, text) => {
    writeFileSync(file('bad.r'), text);
    const a = run(src, 'ip', ['route', cmd], { stdin: file('bad.r') });
    const b = run(src, 'rtnl', ['route', cmd], { stdin: file('bad.r') });
    expect(b).toEqual(a);
    expect(a.stderr).toMatch(/Magic mismatch/);
  });

  it.each(['restore', 'showdump'])('%s of a truncated or malformed file', (cmd) => {
    run(src, 'ip', ['route', 'save', 'table', 'all'], { stdout: file('t.r') });
    const whole = readFileSync(file('t.r'));
    const bad = Buffer.from(whole.subarray(0, 4 + 60 + 40));
    for (const bytes of [bad, Buffer.concat([whole.subarray(0, 4), Buffer.from([8, 0, 0, 0])])]) {
      writeFileSync(file('t2.r'), bytes);
      const t = target();
      const a = run(t, 'ip', ['route', cmd], { stdin: file('t2.r') });
      const t2 = target();
      const b = run(t2, 'rtnl', ['route', cmd], { stdin: file('t2.r') });
      expect(b).toEqual(a);
      expect(a.status).not.toBe(0);
    }
  });

  it('restore from a pipe fails as ip (it cannot seek stdin)', () => {
    run(src, 'ip', ['route', 'save'], { stdout: file('p.r') });
    const bytes = readFileSync(file('p.r'));
    const t = target();
    const a = run(t, 'ip', ['route', 'restore'], { pipe: bytes });
    const b = run(t, 'rtnl', ['route', 'restore'], { pipe: bytes });
    expect(b).toEqual(a);
    expect(a.status).toBe(1);
  });

  it('save refuses a terminal on stdout, restore one on stdin', () => {
    // script(1) gives the command a terminal.
    const term = (tool: string, words: string) =>
      spawnSync('script', ['-qec', `nsenter --net=${src.path} ${tool} ${words}`, '/dev/null'], {
        encoding: 'utf8',
      });
    const rtnl = `${process.execPath} ${RTNL_BIN}`;
    for (const words of ['route save', 'route restore', 'address save', 'address restore']) {
      const a = term('ip', words);
      const b = term(rtnl, words);
      expect({ status: b.status, out: b.stdout }).toEqual({ status: a.status, out: a.stdout });
      expect(a.stdout).toMatch(/Not sending a binary stream to stdout|from a terminal/);
    }
  });
});

describe('rtnl address save / restore / showdump', () => {
  let src: CliNs;
  const targets: CliNs[] = [];
  beforeAll(() => {
    src = cliNs([...LINKS, ...ADDRESSES, EXPIRING]);
  });
  afterAll(() => {
    src?.close();
    for (const t of targets) t.close();
  });
  const lifetimes = [...VOLATILE.lifetimes];

  it.each([
    [[]],
    [['-4']],
    [['-6']],
    [['dev', 'd0']],
    [['scope', 'link']], // parsed, not applied: ip saves every address
  ])('save %j writes the bytes ip writes (seq and pid aside)', (sel) => {
    const fam = sel[0]?.startsWith('-') ? [sel[0]] : [];
    const words = fam.length ? sel.slice(1) : sel;
    const a = run(src, 'ip', [...fam, 'address', 'save', ...words], { stdout: file('ip.a') });
    const b = run(src, 'rtnl', [...fam, 'address', 'save', ...words], { stdout: file('rtnl.a') });
    expect(b).toEqual(a);
    const ipBytes = withoutSeq(file('ip.a'));
    const ours = withoutSeq(file('rtnl.a'));
    // IPv6 lifetimes count down between the two dumps: compare the rest, then the lengths.
    expect(ours.length).toBe(ipBytes.length);
    const show = (f: string) => run(src, 'ip', ['-j', 'address', 'showdump'], { stdin: f }).stdout;
    expect(normalise(JSON.parse(show(file('rtnl.a'))), lifetimes)).toEqual(
      normalise(JSON.parse(show(file('ip.a'))), lifetimes),
    );
  });

  it('save dev NOSUCH: ip text and status', () => {
    const a = run(src, 'ip', ['address', 'save', 'dev', 'nosuch'], { stdout: file('x.a') });
    const b = run(src, 'rtnl', ['address', 'save', 'dev', 'nosuch'], { stdout: file('y.a') });
    expect(b).toEqual(a);
    expect(readFileSync(file('y.a')).length).toBe(0);
  });

  it('a file ip saved, rtnl restores; a file rtnl saved, ip restores', () => {
    run(src, 'ip', ['address', 'save'], { stdout: file('ip-all.a') });
    run(src, 'rtnl', ['address', 'save'], { stdout: file('rtnl-all.a') });
    const t1 = cliNs(LINKS);
    targets.push(t1);
    const t2 = cliNs(LINKS);
    targets.push(t2);
    const r1 = run(t1, 'rtnl', ['address', 'restore'], { stdin: file('ip-all.a') });
    const r2 = run(t2, 'ip', ['address', 'restore'], { stdin: file('rtnl-all.a') });
    // lo's own addresses exist already (and link-local ones): reported, skipped.
    expect(r1).toEqual(r2);
    expect(r1.status).toBe(0);
    expect(r1.stderr).toMatch(/already assigned/);
    const paths = [...lifetimes, '**.stats64'];
    const want = normalise(src.ipJson('address', 'show'), paths);
    expect(normalise(t1.ipJson('address', 'show'), paths)).toEqual(want);
    expect(normalise(t2.ipJson('address', 'show'), paths)).toEqual(want);
  });

  it.each([[[]], [['-j']], [['-j', '-p']], [['-o']], [['-4']], [['-N']]])(
    'showdump %j prints what ip prints',
    (opts) => {
      run(src, 'ip', ['address', 'save'], { stdout: file('show.a') });
      const a = run(src, 'ip', [...opts, 'address', 'showdump'], { stdin: file('show.a') });
      const b = run(src, 'rtnl', [...opts, 'address', 'showdump'], { stdin: file('show.a') });
      expect(b).toEqual(a);
      expect(a.stdout).toMatch(/192\.0\.2\.1/);
    },
  );

  it.each([
    ['restore', 'hello\n'],
    ['showdump', 'hello\n'],
    ['restore', ''],
    ['showdump', 'ab'],
  ])('%s of a file without the magic (%j): ip text and status', (cmd, text) => {
    writeFileSync(file('bad.a'), text);
    const a = run(src, 'ip', ['address', cmd], { stdin: file('bad.a') });
    const b = run(src, 'rtnl', ['address', cmd], { stdin: file('bad.a') });
    expect(b).toEqual(a);
    expect(a.status).toBe(255);
  });

  it.each(['restore', 'showdump'])('%s of a truncated file', (cmd) => {
    run(src, 'ip', ['address', 'save'], { stdout: file('t.a') });
    const whole = readFileSync(file('t.a'));
    writeFileSync(file('t2.a'), whole.subarray(0, whole.length - 10));
    const t1 = cliNs(LINKS);
    targets.push(t1);
    const t2 = cliNs(LINKS);
    targets.push(t2);
    const a = run(t1, 'ip', ['address', cmd], { stdin: file('t2.a') });
    const b = run(t2, 'rtnl', ['address', cmd], { stdin: file('t2.a') });
    expect(b).toEqual(a);
    expect(a.stderr).toMatch(/truncated message/);
  });
});
