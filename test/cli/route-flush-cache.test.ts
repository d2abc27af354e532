// `ip route flush cache` against ip 6.1 (the oracle), on real cached routes: path-MTU exceptions
// learned through a router whose next link has a 1280-byte MTU (helpers' pmtuLab). Two labs:
// rtnl flushes in `a`, ip in `b`; afterwards both show the same caches, the same stdout, stderr
// and status, and each kept its FIB routes. IPv4 goes through the net.ipv4.route.flush sysctl
// of the namespace (with -n, written from inside it), IPv6 through RTM_DELROUTE with
// RTM_F_CLONED per cached route. Also the library's half: rt.routes.delete of a cached route.
// Runs the built CLI.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RtNetlink } from '../../src/index.js';
import { type CliNs, type PmtuLab, pmtuLab, type RunResult } from './helpers.js';

/** The text with the remaining lifetimes of cached routes replaced (they count down). */
const timers = (s: string) =>
  s.replace(/expires -?\d+sec/g, 'expires Nsec').replace(/ age \d+sec/g, ' age Nsec');

const V4_CACHE = '10.2.0.1 via 10.1.0.2 dev v0 \n    cache expires Nsec mtu 1280 \n';
const V6_CACHE =
  '2001:db8:2::1 via 2001:db8:1::2 dev v0 metric 1024 expires Nsec mtu 1280 pref medium\n';

/** The routes of the FIB (no cache): they must survive every flush of the cache. */
const fib = (ns: CliNs) => ({
  v4: ns.ip('route', 'show', 'table', 'all'),
  v6: ns.ip('-6', 'route', 'show', 'table', 'all'),
});

const caches = (ns: CliNs) => ({
  v4: timers(ns.ip('route', 'show', 'cache')),
  v6: timers(ns.ip('-6', 'route', 'show', 'cache')),
});

describe('rtnl route flush cache (twin labs with path-MTU exceptions)', () => {
  let a: PmtuLab;
  let b: PmtuLab;
  let fibA: ReturnType<typeof fib>;
  let fibB: ReturnType<typeof fib>;
  beforeAll(() => {
    a = pmtuLab();
    try {
      b = pmtuLab();
    } catch (err) {
      a.close();
      throw err;
    }
    fibA = fib(a.host);
    fibB = fib(b.host);
  });
  afterAll(() => {
    a?.close();
    b?.close();
  });
  beforeEach(() => {
    a.learn();
    b.learn();
    // Both labs hold both cached routes before every flush.
    for (const lab of [a, b]) expect(caches(lab.host)).toEqual({ v4: V4_CACHE, v6: V6_CACHE });
  });

  /** rtnl in a, ip in b: the same status, stdout and stderr (timers normalised). */
  function flushBoth(args: string[], opts: { nsenter?: boolean } = {}): RunResult {
    const ours = a.host.rtnlRun(args, opts);
    const theirs = b.host.ipRun(args);
    const view = (r: RunResult) => ({
      status: r.status,
      stdout: timers(r.stdout),
      stderr: r.stderr,
    });
    expect(view(ours)).toEqual(view(theirs));
    // The FIB is untouched in both.
    expect(fib(a.host)).toEqual(fibA);
    expect(fib(b.host)).toEqual(fibB);
    return ours;
  }

  it.each([
    // [args, IPv4 cache after, IPv6 cache after, stdout ip prints]
    [['route', 'flush', 'cache'], '', V6_CACHE, ''],
    [['route', 'flush', 'cached'], '', V6_CACHE, ''],
    [['route', 'flush', 'cloned'], '', V6_CACHE, ''],
    [['route', 'flush', 'table', 'cache'], '', V6_CACHE, ''],
    [['-4', 'route', 'flush', 'cache'], '', V6_CACHE, ''],
    [['-s', 'route', 'flush', 'cache'], '', V6_CACHE, '*** IPv4 routing cache is flushed.\n'],
    [['-6', 'route', 'flush', 'cache'], V4_CACHE, '', ''],
    [['-6', 'route', 'flush', 'cache', 'dev', 'v0'], V4_CACHE, '', ''],
    [['-6', 'route', 'flush', 'cache', '2001:db8:2::1'], V4_CACHE, '', ''],
    [['-6', 'route', 'flush', 'cache', 'dev', 'lo'], V4_CACHE, V6_CACHE, ''],
    [
      ['-s', '-6', 'route', 'flush', 'cache'],
      V4_CACHE,
      '',
      '\n*** Round 1, deleting 1 entries ***\n*** Flush is complete after 1 round ***\n',
    ],
    [
      ['-s', '-s', '-6', 'route', 'flush', 'cache'],
      V4_CACHE,
      '',
      // -s adds the cache entry's users and age to the line.
      `${V6_CACHE.replace(' mtu', ' users 1 age Nsec mtu')}\n*** Round 1, deleting 1 entries ***\n*** Flush is complete after 1 round ***\n`,
    ],
    // No family and no table: both families, the sysctl first, then the IPv6 deletes.
    [['route', 'flush', 'cache', 'table', 'all'], '', '', ''],
    [
      ['-s', 'route', 'flush', 'cache', 'table', 'all'],
      '',
      '',
      '*** IPv4 routing cache is flushed.\n' +
        '\n*** Round 1, deleting 1 entries ***\n*** Flush is complete after 1 round ***\n',
    ],
  ])('%j', (args, v4, v6, stdout) => {
    const r = flushBoth(args);
    expect({ status: r.status, stdout: timers(r.stdout), stderr: r.stderr }).toEqual({
      status: 0,
      stdout,
      stderr: '',
    });
    expect(caches(a.host)).toEqual({ v4, v6 });
    expect(caches(b.host)).toEqual({ v4, v6 });
  });

  it('without -n (rtnl entered by nsenter) the sysctl of its own namespace is written', () => {
    const r = flushBoth(['-s', 'route', 'flush', 'cache', 'table', 'all'], { nsenter: true });
    expect(r.status).toBe(0);
    for (const lab of [a, b]) expect(caches(lab.host)).toEqual({ v4: '', v6: '' });
  });

  it('the flush is per namespace: rtnl -n A flushes A, not B', () => {
    expect(a.host.rtnl('route', 'flush', 'cache').status).toBe(0);
    expect(caches(a.host)).toEqual({ v4: '', v6: V6_CACHE });
    expect(caches(b.host)).toEqual({ v4: V4_CACHE, v6: V6_CACHE });
  });

  it('-s on an empty IPv6 cache: "Nothing to flush.", as ip', () => {
    flushBoth(['-6', 'route', 'flush', 'cache']);
    const r = flushBoth(['-s', '-6', 'route', 'flush', 'cache']);
    expect(r.stdout).toBe('Nothing to flush.\n');
  });

  it('-s with no family, nothing cached in IPv6: "complete after 0 round", as ip', () => {
    flushBoth(['-6', 'route', 'flush', 'cache']);
    const r = flushBoth(['-s', 'route', 'flush', 'cache', 'table', 'all']);
    expect(r.stdout).toBe(
      '*** IPv4 routing cache is flushed.\n*** Flush is complete after 0 round ***\n',
    );
  });
});

describe('rt.routes.delete of a cached route (RTM_F_CLONED)', () => {
  let lab: PmtuLab;
  let rt: RtNetlink;
  beforeAll(async () => {
    lab = pmtuLab();
    rt = await RtNetlink.open({ netns: lab.host.path });
  });
  afterAll(() => {
    rt?.close();
    lab?.close();
  });

  it('an IPv6 exception: only it goes, the route it was cloned from stays', async () => {
    lab.learn();
    const fibBefore = fib(lab.host);
    const cached = await rt.routes.list({ family: 'inet6', table: 'main', cloned: true });
    expect(cached.map((r) => r.dst)).toEqual(['2001:db8:2::1/128']);
    expect(cached[0]!.flags.names).toContain('cloned');
    await rt.routes.delete(cached[0]!);
    expect(caches(lab.host).v6).toBe('');
    expect(fib(lab.host)).toEqual(fibBefore);
    expect(lab.host.ip('-6', 'route', 'show', '2001:db8:2::/64')).toBe(
      '2001:db8:2::/64 via 2001:db8:1::2 dev v0 metric 1024 pref medium\n',
    );
  });

  it('a spec with cloned: true names the exception too', async () => {
    lab.learn();
    await rt.routes.delete({ dst: '2001:db8:2::1/128', dev: 'v0', cloned: true });
    expect(caches(lab.host).v6).toBe('');
    expect(lab.host.ip('-6', 'route', 'show', '2001:db8:2::/64')).not.toBe('');
  });

  it('an IPv4 cached route is refused before anything is sent', async () => {
    lab.learn();
    const cached = await rt.routes.list({ family: 'inet', table: 'main', cloned: true });
    expect(cached.map((r) => r.dst)).toEqual(['10.2.0.1/32']);
    await expect(rt.routes.delete(cached[0]!)).rejects.toMatchObject({
      code: 'BAD_VALUE',
      path: 'route.cloned',
    });
    expect(caches(lab.host).v4).toBe(V4_CACHE);
  });
});
