// Differential test helpers for the rtnl command line: iproute2 is the oracle.
//
//   const t = cliNs(['link add t0 type ifb', 'link set t0 up']);   // a namespace of our own
//   t.ip('-j', 'link', 'show')          // ip inside it (nsenter), stdout; throws on failure
//   t.rtnl('-j', 'link', 'show')        // node bin/rtnl.js -n /proc/<pid>/fd/<fd> …, {status, stdout, stderr}
//   expectSameJson(t, ['link', 'show'], ['**.stats64'])   // ip -j vs rtnl -j after normalising
//   const tw = twin(['link add br0 type bridge']);        // two namespaces, same setup
//   tw.rtnl('link', 'set', 'br0', 'up'); tw.ip('link', 'set', 'br0', 'up');
//   expect(tw.state('link', 'show')).toSame();            // both ip -j documents
//   t.close(); tw.close();
//
// Runs the built CLI: npm test builds dist/ first (bin/rtnl.js loads dist/cli.js).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import { createNetns, type Netns } from '../../src/ns/index.js';

/**
 * The CLI launcher under test: bin/rtnl.js, or `RTNL_BIN` (a launcher of another build of the
 * package, e.g. a private copy while dist/ is being rebuilt).
 */
export const RTNL_BIN =
  process.env.RTNL_BIN ?? new URL('../../bin/rtnl.js', import.meta.url).pathname;

/** The result of running a command. */
export interface RunResult {
  status: number;
  stdout: string;
  stderr: string;
}

/** Options of a run. */
export interface RunOptions {
  /** Text fed to stdin (for `-batch -`). */
  input?: string;
  /** Extra environment. */
  env?: Record<string, string>;
  /** Leave out the `-n NETNS` rtnl is normally given (the namespace is then entered by nsenter). */
  nsenter?: boolean;
}

/** A namespace the test made, with `ip` and `rtnl` runners inside it. */
export interface CliNs {
  readonly ns: Netns;
  /** `/proc/<pid>/fd/<fd>`: a path naming the namespace, for `-n` and `nsenter --net=`. */
  readonly path: string;
  /** Run `ip ARGS` in the namespace; stdout; throws (with stderr) on a non-zero exit. */
  ip(...args: string[]): string;
  /** Run `ip ARGS` in the namespace; never throws. */
  ipRun(args: readonly string[], opts?: RunOptions): RunResult;
  /** `ip -j ARGS`, parsed. */
  ipJson(...args: string[]): unknown;
  /** Run `rtnl -n PATH ARGS`; never throws. */
  rtnl(...args: string[]): RunResult;
  /** Same with options (stdin input, env, nsenter instead of -n). */
  rtnlRun(args: readonly string[], opts?: RunOptions): RunResult;
  /** `rtnl -j ARGS`, parsed; fails the test when rtnl exits non-zero. */
  rtnlJson(...args: string[]): unknown;
  /** Run each line of `setup` as `ip WORDS…` (split on blanks). */
  setup(lines: readonly string[]): void;
  close(): void;
}

const nsenter = (path: string, cmd: string, args: readonly string[], opts: RunOptions = {}) =>
  spawnSync('nsenter', [`--net=${path}`, cmd, ...args], {
    encoding: 'utf8',
    input: opts.input,
    env: { ...process.env, ...opts.env },
  });

function result(r: ReturnType<typeof spawnSync>): RunResult {
  if (r.error) throw r.error;
  return {
    status: r.status ?? (r.signal ? 128 : 1),
    stdout: String(r.stdout ?? ''),
    stderr: String(r.stderr ?? ''),
  };
}

/**
 * ip's messages that name the program (`try "ip -help"`, `Try "ip link help"`) name rtnl in
 * rtnl's: the one wording difference the tests tolerate in stderr.
 */
export function asRtnl(text: string): string {
  return text.replace(/"ip((?: [a-z]+)? (?:help|-help))"/g, '"rtnl$1"');
}

/** Make a namespace and run `setup` (ip commands) in it. */
export function cliNs(setup: readonly string[] = []): CliNs {
  const ns = createNetns();
  const path = `/proc/${process.pid}/fd/${ns.fd}`;
  const self: CliNs = {
    ns,
    path,
    ip(...args) {
      const r = result(nsenter(path, 'ip', args));
      if (r.status !== 0) throw new Error(`ip ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
      return r.stdout;
    },
    ipRun(args, opts) {
      return result(nsenter(path, 'ip', args, opts));
    },
    ipJson(...args) {
      return JSON.parse(self.ip('-j', ...args));
    },
    rtnl(...args) {
      return self.rtnlRun(args);
    },
    rtnlRun(args, opts = {}) {
      if (opts.nsenter) return result(nsenter(path, process.execPath, [RTNL_BIN, ...args], opts));
      return result(
        spawnSync(process.execPath, [RTNL_BIN, '-n', path, ...args], {
          encoding: 'utf8',
          input: opts.input,
          env: { ...process.env, ...opts.env },
        }),
      );
    },
    rtnlJson(...args) {
      const r = self.rtnl('-j', ...args);
      if (r.status !== 0) {
        throw new Error(`rtnl -j ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
      }
      return JSON.parse(r.stdout);
    },
    setup(lines) {
      for (const line of lines) self.ip(...line.split(/\s+/).filter(Boolean));
    },
    close() {
      ns.close();
    },
  };
  try {
    self.setup(setup);
  } catch (err) {
    ns.close();
    throw err;
  }
  return self;
}

/** The placeholder normalised values are replaced with. */
export const NORMALISED = '<normalised>';

/**
 * Replace the values at `paths` with NORMALISED, in a deep copy of `doc`. A path is a
 * dot-separated list of keys where `*` matches any one key or array index and `**` any number
 * of levels (zero or more): `*.stats64`, `**.addr_info.*.valid_life_time`, `**.used`.
 * Only what genuinely changes between two calls (counters, remaining lifetimes, timers) should
 * be normalised; a missing key stays missing.
 */
export function normalise<T>(doc: T, paths: readonly string[]): T {
  const copy = structuredClone(doc);
  for (const p of paths) apply(copy, p.split('.'));
  return copy;
}

function apply(node: unknown, path: readonly string[]): void {
  if (node === null || typeof node !== 'object' || path.length === 0) return;
  const [head, ...rest] = path as [string, ...string[]];
  const obj = node as Record<string, unknown>;
  const keys = Array.isArray(node) ? node.map((_, i) => String(i)) : Object.keys(obj);
  if (head === '**') {
    apply(node, rest); // zero levels
    for (const k of keys) apply(obj[k], path); // one more level
    return;
  }
  for (const k of keys) {
    if (head !== '*' && head !== k) continue;
    if (rest.length === 0) obj[k] = NORMALISED;
    else apply(obj[k], rest);
  }
}

/** Keys that change between two calls on a quiet namespace: counters and timers. */
export const VOLATILE = {
  /** Link counters (`-s`). */
  stats: ['**.stats64', '**.stats'],
  /** Address lifetimes of IPv6 (and IPv4 with lifetimes). */
  lifetimes: ['**.valid_life_time', '**.preferred_life_time'],
  /** Neighbour / route cache timers. */
  timers: ['**.used', '**.updated', '**.confirmed', '**.expires', '**.probes'],
  /** Bridge / vxlan ageing timers under -d. */
  ageing: [
    '**.info_data.hello_timer',
    '**.info_data.tcn_timer',
    '**.info_data.topology_change_timer',
    '**.info_data.gc_timer',
    '**.info_slave_data.message_age_timer',
    '**.info_slave_data.forward_delay_timer',
    '**.info_slave_data.hold_timer',
  ],
} as const;

/**
 * Run `ip -j ARGS` and `rtnl -j ARGS` in the namespace and expect equal documents after
 * normalising `paths`. Returns both (normalised) for further checks.
 */
export function expectSameJson(
  t: CliNs,
  args: readonly string[],
  paths: readonly string[] = [],
): { ip: unknown; rtnl: unknown } {
  const theirs = normalise(t.ipJson(...args), paths);
  const ours = normalise(t.rtnlJson(...args), paths);
  expect(ours).toEqual(theirs);
  return { ip: theirs, rtnl: ours };
}

/**
 * Run `ip ARGS` and `rtnl ARGS` (text) and expect the same stdout, stderr and status.
 * `fix` may rewrite both outputs first (for a documented, tolerated difference).
 */
export function expectSameText(
  t: CliNs,
  args: readonly string[],
  fix: (s: string) => string = (s) => s,
): RunResult {
  const theirs = t.ipRun(args);
  const ours = t.rtnlRun(args);
  expect({ status: ours.status, stdout: fix(ours.stdout), stderr: fix(ours.stderr) }).toEqual({
    status: theirs.status,
    stdout: fix(theirs.stdout),
    stderr: fix(asRtnl(theirs.stderr)),
  });
  return ours;
}

/** Two namespaces with the same setup: rtnl writes in `a`, ip in `b`. */
export interface Twin {
  /** Where rtnl runs. */
  readonly a: CliNs;
  /** Where ip runs. */
  readonly b: CliNs;
  /** `rtnl ARGS` in a. */
  rtnl(...args: string[]): RunResult;
  /** `ip ARGS` in b (never throws). */
  ip(...args: string[]): RunResult;
  /** The same command through rtnl in a and ip in b; expects the same status and stderr. */
  both(...args: string[]): { rtnl: RunResult; ip: RunResult };
  /** `ip -j ARGS` of both namespaces, normalised: `{ a, b }`. */
  state(args: readonly string[], paths?: readonly string[]): { a: unknown; b: unknown };
  /** Expect `ip -j ARGS` to report the same in both. */
  expectSameState(args: readonly string[], paths?: readonly string[]): void;
  close(): void;
}

/** Build two namespaces with the same `setup` (ip commands). */
export function twin(setup: readonly string[] = []): Twin {
  const a = cliNs(setup);
  let b: CliNs;
  try {
    b = cliNs(setup);
  } catch (err) {
    a.close();
    throw err;
  }
  const self: Twin = {
    a,
    b,
    rtnl: (...args) => a.rtnlRun(args),
    ip: (...args) => b.ipRun(args),
    both(...args) {
      const r = a.rtnlRun(args);
      const i = b.ipRun(args);
      expect({ status: r.status, stderr: r.stderr }).toEqual({
        status: i.status,
        stderr: asRtnl(i.stderr),
      });
      return { rtnl: r, ip: i };
    },
    state(args, paths = []) {
      return {
        a: normalise(a.ipJson(...args), paths),
        b: normalise(b.ipJson(...args), paths),
      };
    },
    expectSameState(args, paths = []) {
      const s = self.state(args, paths);
      expect(s.a).toEqual(s.b);
    },
    close() {
      a.close();
      b.close();
    },
  };
  return self;
}

/** `ip -V` of the installed iproute2, e.g. `6.1.0`. */
export function ipVersion(): string {
  const out = execFileSync('ip', ['-V'], { encoding: 'utf8' });
  return /iproute2-(?:ss)?([\d.]+)/.exec(out)?.[1] ?? out.trim();
}

/** A host and a router namespace where the host has learned path-MTU exceptions (cached routes). */
export interface PmtuLab {
  /** Has a veth to the router, routes to 10.2.0.0/24 and 2001:db8:2::/64 via it. */
  readonly host: CliNs;
  /** Forwards to an ifb with MTU 1280 (its "packet too big" answers make the exceptions). */
  readonly router: CliNs;
  /** Ping through the router (twice, as IPv4 dumps an exception only once a lookup bound it). */
  learn(): void;
  close(): void;
}

/**
 * Build a {@link PmtuLab} and learn the exceptions: afterwards `ip route show cache` in the
 * host shows 10.2.0.1 and `ip -6 route show cache` 2001:db8:2::1, both with mtu 1280.
 */
export function pmtuLab(): PmtuLab {
  const host = cliNs(['link set lo up']);
  let router: CliNs;
  try {
    router = cliNs(['link set lo up']);
  } catch (err) {
    host.close();
    throw err;
  }
  const inNs = (ns: CliNs, argv: string[]) =>
    spawnSync('nsenter', [`--net=${ns.path}`, ...argv], { encoding: 'utf8' });
  const self: PmtuLab = {
    host,
    router,
    learn() {
      for (let i = 0; i < 2; i++) {
        inNs(host, ['ping', '-c1', '-W0.2', '-M', 'do', '-s', '1400', '10.2.0.1']);
        inNs(host, ['ping', '-6', '-c1', '-W0.2', '-M', 'do', '-s', '1400', '2001:db8:2::1']);
      }
    },
    close() {
      host.close();
      router.close();
    },
  };
  try {
    host.setup([
      `link add v0 type veth peer name v1 netns ${router.path}`,
      // No IPv6 link-local address (its DAD would change the routes midway).
      'link set v0 addrgenmode none',
      'link set v0 up',
      'address add 10.1.0.1/24 dev v0',
      '-6 address add 2001:db8:1::1/64 dev v0 nodad',
      'route add 10.2.0.0/24 via 10.1.0.2',
      '-6 route add 2001:db8:2::/64 via 2001:db8:1::2',
    ]);
    router.setup([
      'link set v1 addrgenmode none',
      'link set v1 up',
      'address add 10.1.0.2/24 dev v1',
      '-6 address add 2001:db8:1::2/64 dev v1 nodad',
      'link add d0 mtu 1280 type ifb',
      'link set d0 up',
      'address add 10.2.0.2/24 dev d0',
      '-6 address add 2001:db8:2::2/64 dev d0 nodad',
    ]);
    const forward = ['sysctl', '-qw', 'net.ipv4.ip_forward=1', 'net.ipv6.conf.all.forwarding=1'];
    const r = inNs(router, forward);
    if (r.status !== 0) throw new Error(`sysctl in the router failed: ${r.stderr}`);
    self.learn();
  } catch (err) {
    self.close();
    throw err;
  }
  return self;
}

// ---- requests captured with strace --------------------------------------------------------

/** One netlink message a traced command wrote. */
export interface SentMessage {
  type: number;
  flags: number;
  /** The message whole (header included). */
  bytes: Buffer;
}

/**
 * The netlink messages of a `strace -e trace=sendto,sendmsg -e write=all` log, from its hex
 * dumps, datagram by datagram, in order.
 */
export function straceSentMessages(log: string): SentMessage[] {
  const datagrams: number[][] = [];
  let cur: number[] | undefined;
  for (const line of log.split('\n')) {
    if (/^\d+ +(sendto|sendmsg)\(/.test(line)) {
      cur = [];
      datagrams.push(cur);
    } else if (/^\d+ /.test(line)) {
      cur = undefined;
    } else if (cur) {
      const m = /^ \| [0-9a-f]{5} {2}((?:[0-9a-f]{2} {1,2})+)/.exec(line);
      if (m) for (const h of m[1]!.match(/[0-9a-f]{2}/g)!) cur.push(Number.parseInt(h, 16));
    }
  }
  const out: SentMessage[] = [];
  for (const d of datagrams) {
    const b = Buffer.from(d);
    for (let o = 0; o + 16 <= b.length; ) {
      const len = b.readUInt32LE(o);
      if (len < 16 || o + len > b.length) break;
      out.push({
        type: b.readUInt16LE(o + 4),
        flags: b.readUInt16LE(o + 6),
        bytes: Buffer.from(b.subarray(o, o + len)),
      });
      o += (len + 3) & ~3;
    }
  }
  return out;
}

const NLA_F_NESTED = 0x8000;
const NLA_TYPE_MASK = 0x3fff;
const RTA_METRICS = 8;
const RTA_MULTIPATH = 9;
const RTA_ENCAP = 22;

/**
 * Zero the alignment padding after each attribute in `b[start, end)`: ip leaves whatever its
 * stack held there (`encap ip … ttl 3` pads a u8 with stray bytes), rtnl writes zeros, the
 * kernel reads neither. Walks NLA_F_NESTED nests and, with `route`, RTA_METRICS and RTA_ENCAP
 * (nested with or without the flag) and the rtnexthops of RTA_MULTIPATH (an 8-byte struct
 * rtnexthop, then its attributes).
 */
export function zeroAttributePadding(b: Buffer, start: number, end: number, route: boolean): void {
  for (let o = start; o + 4 <= end; ) {
    const len = b.readUInt16LE(o);
    const raw = b.readUInt16LE(o + 2);
    const type = raw & NLA_TYPE_MASK;
    if (len < 4 || o + len > end) return;
    if (raw & NLA_F_NESTED || (route && (type === RTA_METRICS || type === RTA_ENCAP))) {
      zeroAttributePadding(b, o + 4, o + len, false);
    }
    if (route && type === RTA_MULTIPATH) {
      for (let h = o + 4; h + 8 <= o + len; ) {
        const hopLen = b.readUInt16LE(h);
        if (hopLen < 8 || h + hopLen > o + len) break;
        zeroAttributePadding(b, h + 8, h + hopLen, false);
        h += (hopLen + 3) & ~3;
      }
    }
    const next = Math.min(end, (o + len + 3) & ~3);
    b.fill(0, o + len, next);
    o = next;
  }
}

/**
 * Run `ip ARGS` inside `ns` (through nsenter), or any other command as given (rtnl takes
 * `-n PATH` itself), under strace, and return the strace log and the command's stderr.
 */
export function straced(
  ns: CliNs,
  logFile: string,
  cmd: string,
  args: readonly string[],
): { log: string; stderr: string } {
  const argv = ['-f', '-qq', '-e', 'trace=sendto,sendmsg', '-e', 'write=all', '-o', logFile];
  const r =
    cmd === 'ip'
      ? spawnSync('nsenter', [`--net=${ns.path}`, 'strace', ...argv, cmd, ...args], {
          encoding: 'utf8',
        })
      : spawnSync('strace', [...argv, cmd, ...args], { encoding: 'utf8' });
  if (r.error) throw r.error;
  return { log: readFileSync(logFile, 'utf8'), stderr: r.stderr };
}

/**
 * For a file of request-bytes tests: a namespace made from `setup` before its tests (and a
 * directory for the strace logs), both removed after them. `trace(cmd, args)` runs one command
 * under strace as {@link straced} does; `ipThenRtnl(words, pick)` traces `ip WORDS`, then
 * `rtnl -n NS WORDS`, in that order, and returns what `pick` takes from each log.
 */
export function tracedNs(setup: readonly string[], label: string) {
  let dir: string | undefined;
  let t: CliNs | undefined;
  let n = 0;
  beforeAll(() => {
    execFileSync('strace', ['-V']);
    dir = mkdtempSync(join(tmpdir(), `rtnl-cli-${label}-`));
    t = cliNs(setup);
  });
  afterAll(() => {
    t?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  const trace = (cmd: string, args: readonly string[]) =>
    straced(t!, join(dir!, `trace-${++n}.log`), cmd, args);
  return {
    get ns(): CliNs {
      return t!;
    },
    get dir(): string {
      return dir!;
    },
    trace,
    ipThenRtnl<T>(
      words: readonly string[],
      pick: (traced: { log: string; stderr: string }, what: string) => T,
    ): [ip: T, rtnl: T] {
      const theirs = pick(trace('ip', words), `ip ${words.join(' ')}`);
      const ours = pick(
        trace(process.execPath, [RTNL_BIN, '-n', t!.path, ...words]),
        `rtnl ${words.join(' ')}`,
      );
      return [theirs, ours];
    },
  };
}
