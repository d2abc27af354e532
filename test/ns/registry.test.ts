// The named-namespace registry (list, add, delete, attach, identify, pids, set, getId) and
// openNetns, against iproute2 on the same state: `ip -j netns list`, `ip netns identify`,
// `ip netns pids`, `ip -n`. Named namespaces get unique names (rtnl-test-<pid>-…) and are removed
// in afterEach; ids are only ever given inside an anonymous observer namespace made here (never
// in the caller's), by running `ip` there with nsenter and by passing `via`.
import { execFileSync } from 'node:child_process';
import { existsSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Connection } from '../../src/netlink/connection.js';
import { NetlinkError, NetlinkSocketError } from '../../src/netlink/errors.js';
import {
  addNamedNetns,
  attachNetns,
  createNetns,
  deleteNamedNetns,
  getNetnsId,
  identifyNetns,
  listNetns,
  NETNS_RUN_DIR,
  type Netns,
  netns,
  netnsPids,
  openNetns,
  setNetnsId,
} from '../../src/ns/index.js';
import { caught } from '../helpers/caught.js';
import { type Bundle, bundleNs } from './bundle.js';
import { leakGuard, namer, PREFIX, removeNamed, sleeperIn } from './leaks.js';

const uniqueName = namer('reg');
const made: string[] = [];
/** A unique name, removed after the test whatever happens. */
const fresh = () => {
  const name = uniqueName();
  made.push(name);
  return name;
};

let guard: ReturnType<typeof leakGuard>;
let observer: Netns;
let via: Connection;
const selfFd = (ns: Netns) => `/proc/${process.pid}/fd/${ns.fd}`;
const quiet = {
  encoding: 'utf8' as const,
  stdio: ['ignore', 'pipe', 'pipe'] as ('ignore' | 'pipe')[],
};
const ip = (...args: string[]) => execFileSync('ip', args, quiet);
/** `ip` run in the observer namespace (same mounts, so the same /run/netns). */
const ipObserver = (...args: string[]) =>
  execFileSync('nsenter', [`--net=${selfFd(observer)}`, 'ip', ...args], quiet);

beforeAll(async () => {
  guard = leakGuard();
  observer = createNetns();
  via = await Connection.open({ netns: observer.fd });
});
afterEach(() => {
  for (const name of made.splice(0)) removeNamed(name);
});
afterAll(() => {
  via?.close();
  observer?.close();
  guard.check();
});

/** Only our entries, in their order. */
const ours = <T extends { name: string }>(list: T[]) =>
  list.filter((e) => e.name.startsWith(PREFIX));

describe('list', () => {
  it('matches `ip -j netns list` (order and ids) as the observer sees them', async () => {
    const a = fresh();
    const b = fresh();
    const c = fresh();
    addNamedNetns(a);
    ip('netns', 'add', b);
    addNamedNetns(c);
    ipObserver('netns', 'set', b, '3');
    await setNetnsId(c, 11, { via });

    const mine = ours(await listNetns({ via }));
    const theirs = ours(
      JSON.parse(ipObserver('-j', 'netns', 'list')) as { name: string; id?: number }[],
    );
    expect(mine.map((e) => e.name).sort()).toEqual([a, b, c].sort());
    expect(mine).toEqual(
      theirs.map((e) => ({ name: e.name, ...(e.id !== undefined ? { nsid: e.id } : {}) })),
    );
    expect(mine.find((e) => e.name === b)?.nsid).toBe(3);
    expect(mine.find((e) => e.name === c)?.nsid).toBe(11);
    expect(mine.find((e) => e.name === a)?.nsid).toBeUndefined();
  });

  it('via an object holding a connection (an RtNetlink client), and from the caller (no ids given there)', async () => {
    const a = fresh();
    addNamedNetns(a);
    await setNetnsId(a, 'auto', { via: { connection: via } });
    const id = (await listNetns({ via: { connection: via } })).find((e) => e.name === a)?.nsid;
    expect(id).toBeTypeOf('number');
    expect(await getNetnsId(a, { via })).toBe(id);
    // The caller's namespace gave it none (the tests never give ids there).
    const plain = (await listNetns()).find((e) => e.name === a);
    expect(plain).toEqual({ name: a });
    expect(
      JSON.parse(ip('-j', 'netns', 'list')).find((e: { name: string }) => e.name === a),
    ).toEqual({ name: a });
  });

  it('lists a placeholder that is not a mounted namespace, without an id, as ip does', async () => {
    const name = fresh();
    writeFileSync(`${NETNS_RUN_DIR}/${name}`, '');
    try {
      expect((await listNetns({ via })).find((e) => e.name === name)).toEqual({ name });
      expect(ip('netns', 'list')).toMatch(new RegExp(`^${name}$`, 'm'));
    } finally {
      unlinkSync(`${NETNS_RUN_DIR}/${name}`);
    }
  });
});

describe('add and delete', () => {
  it('interoperate with ip: ours are usable by `ip -n` and `ip netns`, theirs by rtnl', () => {
    const mine = fresh();
    const theirs = fresh();
    addNamedNetns(mine);
    ip('netns', 'add', theirs);
    expect(ip('-n', mine, '-o', 'link', 'show')).toMatch(/^1: lo:/);
    expect(ip('netns', 'list')).toContain(mine);
    using ns = openNetns(theirs);
    expect(statSync(ns.path).ino).toBe(statSync(`${NETNS_RUN_DIR}/${theirs}`).ino);
    deleteNamedNetns(theirs);
    ip('netns', 'delete', mine);
    expect(existsSync(`${NETNS_RUN_DIR}/${mine}`)).toBe(false);
    expect(existsSync(`${NETNS_RUN_DIR}/${theirs}`)).toBe(false);
  });

  it('EEXIST names the namespace; the existing one is untouched', () => {
    const name = fresh();
    addNamedNetns(name);
    const ino = statSync(`${NETNS_RUN_DIR}/${name}`).ino;
    const e = caught<NetlinkSocketError>(() => netns.add(name));
    expect(e).toBeInstanceOf(NetlinkSocketError);
    expect(e).toMatchObject({ code: 'EEXIST', errno: 17, syscall: 'open' });
    expect(e.message).toContain(`"${name}" already exists`);
    expect(statSync(`${NETNS_RUN_DIR}/${name}`).ino).toBe(ino);
  });

  it('ENOENT names the namespace', () => {
    const name = uniqueName();
    const e = caught<NetlinkSocketError>(() => netns.delete(name));
    expect(e).toMatchObject({ code: 'ENOENT', errno: 2, syscall: 'unlink' });
    expect(e.message).toContain(`no network namespace "${name}"`);
  });

  it('EBUSY carries its errno when the file stays a mount point', () => {
    const name = fresh();
    const path = addNamedNetns(name);
    // A second mount on the same file: delete detaches the top one, the unlink meets the other.
    execFileSync('mount', ['--bind', path, path]);
    try {
      const e = caught<NetlinkSocketError>(() => deleteNamedNetns(name));
      expect(e).toMatchObject({ code: 'EBUSY', errno: 16 });
      expect(e.message).toContain(path);
      expect(existsSync(path)).toBe(true);
    } finally {
      try {
        execFileSync('umount', ['-l', path], { stdio: 'ignore' });
      } catch {}
    }
    deleteNamedNetns(name);
    expect(existsSync(path)).toBe(false);
  });
});

describe('attach, identify, pids', () => {
  it('attach(name, pid) names a process’s namespace, as `ip netns attach`', async () => {
    using anon = createNetns();
    const sleeper = await sleeperIn(selfFd(anon));
    const name = fresh();
    try {
      expect(netns.attach(name, sleeper.pid)).toBe(`${NETNS_RUN_DIR}/${name}`);
      expect(statSync(`${NETNS_RUN_DIR}/${name}`).ino).toBe(statSync(anon.path).ino);
      expect(ip('netns', 'identify', String(sleeper.pid)).trim()).toBe(name);
      expect(identifyNetns(sleeper.pid)).toEqual([name]);
      expect(netnsPids(name)).toEqual([sleeper.pid]);
      expect(ip('netns', 'pids', name).trim().split('\n').map(Number)).toEqual([sleeper.pid]);
    } finally {
      await sleeper.stop();
    }
    // The name keeps the namespace alive after its last process and fd are gone.
    anon.close();
    expect(ip('-n', name, '-o', 'link', 'show')).toMatch(/^1: lo:/);
  });

  it('attach(name, Netns) names an anonymous namespace; identify(Netns) finds every name', () => {
    using anon = createNetns();
    const first = fresh();
    const second = fresh();
    attachNetns(first, anon);
    attachNetns(second, `${NETNS_RUN_DIR}/${first}`);
    expect(identifyNetns(anon).sort()).toEqual([first, second].sort());
    expect(ip('netns', 'list')).toContain(second);
  });

  it('identify() of this process matches `ip netns identify`', () => {
    const theirs = ip('netns', 'identify', String(process.pid)).trim();
    const mine = identifyNetns();
    if (theirs === '') expect(mine).toEqual([]);
    else expect(mine).toContain(theirs);
  });

  it('pids of a namespace made by `ip netns add`, with a process from `ip netns exec`', async () => {
    const name = fresh();
    ip('netns', 'add', name);
    expect(netnsPids(name)).toEqual([]);
    const sleeper = await sleeperIn(`${NETNS_RUN_DIR}/${name}`);
    try {
      expect(netnsPids(name)).toEqual([sleeper.pid]);
      expect(netnsPids({ pid: sleeper.pid })).toEqual([sleeper.pid]);
      expect(identifyNetns(sleeper.pid)).toEqual([name]);
    } finally {
      await sleeper.stop();
    }
  });

  it('attach refuses a pid that is gone (ESRCH), a file that is not a namespace, a taken name; leaves no file', () => {
    const name = uniqueName();
    const gone = Number(execFileSync('sh', ['-c', 'echo $$'], { encoding: 'utf8' }));
    expect(caught(() => attachNetns(name, gone))).toMatchObject({ code: 'ESRCH', errno: 3 });
    const notNs = caught<NetlinkSocketError>(() => attachNetns(name, '/etc/hostname'));
    expect(notNs).toMatchObject({ code: 'EINVAL' });
    expect(notNs.message).toMatch(
      /\/etc\/hostname is not a network namespace \(it is a regular file\)/,
    );
    expect(existsSync(`${NETNS_RUN_DIR}/${name}`)).toBe(false);
    const taken = fresh();
    addNamedNetns(taken);
    expect(caught(() => attachNetns(taken, process.pid))).toMatchObject({ code: 'EEXIST' });
  });

  it('identify refuses a pid that is gone, and an invalid pid', () => {
    const gone = Number(execFileSync('sh', ['-c', 'echo $$'], { encoding: 'utf8' }));
    const e = caught<NetlinkSocketError>(() => identifyNetns(gone));
    expect(e).toMatchObject({ code: 'ESRCH', errno: 3 });
    expect(e.message).toContain(`no process ${gone}`);
    expect(caught(() => identifyNetns(0))).toMatchObject({ code: 'EINVAL' });
    expect(caught(() => netnsPids(uniqueName()))).toMatchObject({ code: 'ENOENT' });
  });
});

describe('set', () => {
  it("gives ids as `ip netns set` does, 'auto' included; the kernel refuses a second one", async () => {
    const a = fresh();
    const b = fresh();
    addNamedNetns(a);
    ip('netns', 'add', b);
    await netns.set(a, 21, { via });
    await netns.set(b, 'auto', { via });
    const shown = ours(
      JSON.parse(ipObserver('-j', 'netns', 'list')) as { name: string; id?: number }[],
    );
    expect(shown.find((e) => e.name === a)?.id).toBe(21);
    const auto = shown.find((e) => e.name === b)?.id;
    expect(auto).toBeTypeOf('number');
    expect(await netns.getId(b, { via })).toBe(auto);
    const again = await netns.set(a, 22, { via }).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(NetlinkError);
    expect(again).toMatchObject({ code: 'EEXIST' });
  });

  it('refuses a namespace that does not exist before sending anything', async () => {
    const name = uniqueName();
    const e = await setNetnsId(name, 1, { via }).catch((x: unknown) => x);
    expect(e).toMatchObject({ name: 'NetlinkSocketError', code: 'ENOENT' });
    expect((e as Error).message).toContain(name);
  });
});

describe('open', () => {
  it('opens a name, a path, a descriptor, { pid } and a Netns: all the same namespace', () => {
    const name = fresh();
    addNamedNetns(name);
    const ino = statSync(`${NETNS_RUN_DIR}/${name}`).ino;
    using byName = netns.open(name);
    using byPath = netns.open(`${NETNS_RUN_DIR}/${name}`);
    using byFd = netns.open(byName.fd);
    using byNetns = netns.open(byPath);
    for (const ns of [byName, byPath, byFd, byNetns]) expect(statSync(ns.path).ino).toBe(ino);
    expect(new Set([byName.fd, byPath.fd, byFd.fd, byNetns.fd]).size).toBe(4);
    using mine = netns.open({ pid: process.pid });
    expect(statSync(mine.path).ino).toBe(statSync('/proc/self/ns/net').ino);
  });

  it.each([
    [
      'a regular file',
      '/etc/hostname',
      'EINVAL',
      /\/etc\/hostname is not a network namespace \(it is a regular file\)/,
    ],
    ['a directory', '/etc', 'EINVAL', /is not a network namespace \(it is a directory\)/],
    [
      'another kind of namespace',
      '/proc/self/ns/mnt',
      'EINVAL',
      /is not a network namespace \(it is a mnt namespace\)/,
    ],
    ['a missing path', '/nonexistent/ns', 'ENOENT', /no such file \/nonexistent\/ns/],
  ])('refuses %s with a message naming it', (_, path, code, message) => {
    const e = caught<NetlinkSocketError>(() => openNetns(path));
    expect(e).toBeInstanceOf(NetlinkSocketError);
    expect(e.code).toBe(code);
    expect(e.message).toMatch(message);
  });

  it('refuses an unmounted placeholder under /run/netns, saying so', () => {
    const name = fresh();
    writeFileSync(`${NETNS_RUN_DIR}/${name}`, '');
    const e = caught<NetlinkSocketError>(() => openNetns(name));
    expect(e).toMatchObject({ code: 'EINVAL' });
    expect(e.message).toMatch(
      /not a network namespace \(it is an empty file: no namespace is mounted on it\)/,
    );
  });

  it('names what is missing: a name, a pid, a descriptor; a closed Netns and bad refs are EINVAL', () => {
    const name = uniqueName();
    const byName = caught<NetlinkSocketError>(() => openNetns(name));
    expect(byName).toMatchObject({ code: 'ENOENT', errno: 2 });
    expect(byName.message).toContain(`no network namespace "${name}" (${NETNS_RUN_DIR}/${name})`);
    const gone = Number(execFileSync('sh', ['-c', 'echo $$'], { encoding: 'utf8' }));
    expect(caught(() => openNetns({ pid: gone }))).toMatchObject({ code: 'ESRCH', errno: 3 });
    expect(caught(() => openNetns(987_654))).toMatchObject({ code: 'EBADF', errno: 9 });
    const closed = createNetns();
    closed.close();
    for (const ref of [closed, -1, 1.5, { pid: 0 }, { pid: -4 }, null, {}, '..', '', 'a\0b']) {
      expect(
        caught(() => openNetns(ref as never)),
        String(ref),
      ).toMatchObject({ code: 'EINVAL' });
    }
  });
});

describe('without privilege', () => {
  let bundle: Bundle;
  beforeAll(() => {
    bundle = bundleNs('registry');
  }, 60_000);
  afterAll(() => bundle?.remove());

  /** Runs `code` with `ns` (the bundle) in scope, as nobody, and returns what it printed. */
  function asNobody(code: string): Record<string, unknown> {
    const program = `
      const ns = require(${JSON.stringify(bundle.file)});
      const out = {};
      const attempt = async (key, f) => {
        try { await f(); out[key] = 'ok'; }
        catch (e) { out[key] = { name: e.name, code: e.code, errno: e.errno, message: e.message }; }
      };
      (async () => { ${code} ; console.log(JSON.stringify(out)); })();
    `;
    const text = execFileSync(
      'setpriv',
      ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '-e', program],
      { encoding: 'utf8', cwd: '/' },
    );
    return JSON.parse(text) as Record<string, unknown>;
  }

  it('EPERM / EACCES come with a hint about CAP_SYS_ADMIN and root', () => {
    const name = uniqueName();
    const out = asNobody(`
      await attempt('create', () => ns.netns.create());
      await attempt('add', () => ns.netns.add(${JSON.stringify(name)}));
      await attempt('openInit', () => ns.netns.open({ pid: 1 }));
    `);
    expect(out.create).toMatchObject({ name: 'NetlinkSocketError', code: 'EPERM', errno: 1 });
    expect(out.add).toMatchObject({ name: 'NetlinkSocketError' });
    expect(['EPERM', 'EACCES']).toContain((out.add as { code: string }).code);
    expect(out.openInit).toMatchObject({ code: 'EACCES' });
    for (const key of ['create', 'add', 'openInit']) {
      expect((out[key] as { message: string }).message).toMatch(/CAP_SYS_ADMIN \(run as root\)/);
    }
    expect(existsSync(`${NETNS_RUN_DIR}/${name}`)).toBe(false);
  });
});

describe('the netns object', () => {
  it('offers every operation', () => {
    expect(Object.keys(netns).sort()).toEqual(
      [
        'add',
        'attach',
        'create',
        'createTunTap',
        'createVethPair',
        'delete',
        'exec',
        'getId',
        'identify',
        'list',
        'moveLink',
        'open',
        'path',
        'pids',
        'runIsolated',
        'set',
        'spawn',
      ].sort(),
    );
  });
});
