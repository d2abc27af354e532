// Topology.build against the live kernel: every namespace is one the topology makes (anonymous,
// or named `rtnl-test-<pid>-topo-<n>` under /run/netns), and every check is made from outside our
// code: traffic with ping through topo.exec, state with `ip -j` inside each namespace, the
// registry with `ip netns list`. After each topology is closed (or its build failed), nothing of
// it may be left: no descriptor, no socket, no /run/netns entry, no mount, no process, and no
// reference anywhere to any of its namespaces (by inode).
import { execFileSync } from 'node:child_process';
import { fstatSync, readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NetlinkEncodeError, NetlinkError, NetlinkSocketError } from '../../src/netlink/errors.js';
import { addNamedNetns, deleteNamedNetns, NETNS_RUN_DIR } from '../../src/ns/index.js';
import { Topology, type TopologySpec, topologyFailure } from '../../src/ns/topology.js';
import { countFds, leakGuard, namer, ourLeftovers, PREFIX } from './leaks.js';

const uniqueName = namer('topo');
let guard: ReturnType<typeof leakGuard>;

beforeAll(() => {
  guard = leakGuard();
});
afterAll(() => {
  guard.check();
});

/**
 * Every network namespace (by inode) this process keeps alive: through a descriptor (a Netns,
 * or a socket's namespace is held by the socket, which shows as a descriptor too) or through a
 * mount of ours under /run/netns. Child processes are checked by the leak guard.
 */
function ourNetnsReferences(): Set<number> {
  const refs = new Set<number>();
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const m = /^net:\[(\d+)\]$/.exec(readlinkSync(`/proc/self/fd/${fd}`));
      if (m) refs.add(Number(m[1]));
    } catch {}
  }
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    if (!line.includes(PREFIX)) continue;
    for (const m of line.matchAll(/net:\[(\d+)\]/g)) refs.add(Number(m[1]));
  }
  return refs;
}

/** Inodes of the topology's namespaces, by name. */
function inodes(topo: Topology): Map<string, number> {
  return new Map(topo.names.map((n) => [n, fstatSync(topo.netns(n).fd).ino]));
}

/** Asserts that no namespace of `ids` is referenced anymore and nothing else is left. */
function expectGone(ids: Map<string, number>, fdsBefore: number): void {
  const refs = ourNetnsReferences();
  for (const [name, ino] of ids) {
    expect(refs.has(ino), `namespace "${name}" (net:[${ino}]) still referenced`).toBe(false);
  }
  expect(countFds()).toBe(fdsBefore);
  expect(ourLeftovers()).toEqual([]);
}

/** `ip -n NAME ARGS` through `ip netns exec` semantics of the topology: `ip ARGS` inside it. */
async function ipJson<T>(topo: Topology, ns: string, ...args: string[]): Promise<T> {
  const r = await topo.exec(ns, 'ip', ['-j', ...args]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as T;
}

interface IpAddr {
  ifname: string;
  flags: string[];
  master?: string;
  operstate: string;
  addr_info: { family: string; local: string; prefixlen: number; flags?: string[] }[];
}
interface IpRoute {
  dst: string;
  gateway?: string;
  dev: string;
}

async function ping(topo: Topology, from: string, to: string, v6 = false, wait = 2) {
  const r = await topo.exec(from, 'ping', [
    ...(v6 ? ['-6'] : []),
    ...['-c', '1', '-W', String(wait), to],
  ]);
  return { code: r.code, out: r.stdout + r.stderr };
}

describe('two namespaces joined by a veth pair', () => {
  it('addresses on both ends; ping goes through; everything gone after close', async () => {
    const fds = countFds();
    const topo = await Topology.build({
      namespaces: { left: {}, right: {} },
      veths: [
        [
          { netns: 'left', name: 'veth0', addresses: ['10.0.0.1/24'] },
          { netns: 'right', name: 'veth0', addresses: ['10.0.0.2/24'] },
        ],
      ],
    });
    const ids = inodes(topo);
    try {
      expect(topo.names).toEqual(['left', 'right']);
      expect(new Set(ids.values()).size).toBe(2);
      // Not this process's own namespace.
      expect([...ids.values()]).not.toContain(statSync('/proc/self/ns/net').ino);
      for (const ns of ['left', 'right']) {
        const addrs = await ipJson<IpAddr[]>(topo, ns, 'addr', 'show');
        expect(addrs.map((a) => a.ifname)).toEqual(['lo', 'veth0']);
        const lo = addrs[0]!;
        expect(lo.flags).toContain('UP');
        expect(lo.addr_info.map((a) => a.local)).toContain('127.0.0.1');
        const veth = addrs[1]!;
        expect(veth.flags).toEqual(expect.arrayContaining(['UP', 'LOWER_UP']));
        expect(veth.addr_info.filter((a) => a.family === 'inet')).toEqual([
          expect.objectContaining({
            local: ns === 'left' ? '10.0.0.1' : '10.0.0.2',
            prefixlen: 24,
          }),
        ]);
      }
      const r = await ping(topo, 'left', '10.0.0.2');
      console.log(r.out.trim());
      expect(r.code).toBe(0);
      expect(r.out).toMatch(/1 packets transmitted, 1 received/);
      expect((await ping(topo, 'right', '10.0.0.1')).code).toBe(0);
      // The client of each namespace sees what ip sees.
      const mine = (await topo.rt('left').links.list()).map((l) => [l.index, l.name]);
      const ips = (await ipJson<{ ifindex: number; ifname: string }[]>(topo, 'left', 'link')).map(
        (l) => [l.ifindex, l.ifname],
      );
      expect(mine).toEqual(ips);
    } finally {
      await topo.close();
    }
    expect(topo.closed).toBe(true);
    expectGone(ids, fds);
    // Closed: every accessor refuses, and close is idempotent.
    expect(() => topo.netns('left')).toThrow(NetlinkSocketError);
    await topo.close();
  });

  it('IPv6 with nodad: usable at once, ping -6 goes through', async () => {
    const fds = countFds();
    let ids = new Map<string, number>();
    {
      await using topo = await Topology.build({
        namespaces: { a: {}, b: {} },
        veths: [
          [
            { netns: 'a', name: 'eth0', addresses: ['2001:db8::1/64'] },
            { netns: 'b', name: 'eth0', addresses: ['2001:db8::2/64', '10.9.0.2/24'] },
          ],
        ],
      });
      ids = inodes(topo);
      const [eth0] = await ipJson<IpAddr[]>(topo, 'a', 'addr', 'show', 'dev', 'eth0');
      const global = eth0!.addr_info.find((x) => x.local === '2001:db8::1')!;
      // nodad: not tentative, no DAD to wait for.
      expect(global.flags ?? []).not.toContain('tentative');
      expect(JSON.stringify(global)).toMatch(/"nodad":true/);
      const r = await ping(topo, 'a', '2001:db8::2', true);
      expect(r.out).toMatch(/1 packets transmitted, 1 received/);
      expect(r.code).toBe(0);
    }
    expectGone(ids, fds);
  });
});

describe('a star through a bridge namespace', () => {
  it('three leaves on a bridge: each pings the others', async () => {
    const fds = countFds();
    const leaves = ['l1', 'l2', 'l3'];
    const spec: TopologySpec = {
      namespaces: {
        hub: { bridges: { br0: {} } },
        ...Object.fromEntries(leaves.map((l) => [l, {}])),
      },
      veths: leaves.map((l, i) => [
        { netns: l, name: 'eth0', addresses: [`10.1.0.${i + 1}/24`] },
        { netns: 'hub', name: `p${i + 1}`, master: 'br0' },
      ]),
    };
    const topo = await Topology.build(spec);
    const ids = inodes(topo);
    try {
      const ports = await ipJson<IpAddr[]>(topo, 'hub', 'link', 'show', 'master', 'br0');
      expect(ports.map((p) => [p.ifname, p.master, p.flags.includes('UP')])).toEqual([
        ['p1', 'br0', true],
        ['p2', 'br0', true],
        ['p3', 'br0', true],
      ]);
      const pings = leaves.flatMap((from, i) =>
        leaves
          .map((_, j) => j)
          .filter((j) => j !== i)
          .map(async (j) => [from, j + 1, (await ping(topo, from, `10.1.0.${j + 1}`)).code]),
      );
      for (const [from, to, code] of await Promise.all(pings)) {
        expect(code, `${from} → 10.1.0.${to}`).toBe(0);
      }
    } finally {
      await topo.close();
    }
    expectGone(ids, fds);
  });
});

describe('named namespaces', () => {
  it('are visible to ip netns list while open, and gone after close', async () => {
    const fds = countFds();
    const red = uniqueName();
    const blue = uniqueName();
    const topo = await Topology.build({
      namespaces: { red: { named: red }, blue: { named: blue }, anon: {} },
      veths: [
        [
          { netns: 'red', name: 'r0', addresses: ['10.2.0.1/24'] },
          { netns: 'blue', name: 'b0', addresses: ['10.2.0.2/24'] },
        ],
      ],
    });
    const ids = inodes(topo);
    try {
      const listed = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });
      expect(listed).toContain(red);
      expect(listed).toContain(blue);
      expect(topo.registeredName('red')).toBe(red);
      expect(topo.registeredName('anon')).toBeUndefined();
      // The name and the topology's descriptor are the same namespace.
      expect(statSync(`${NETNS_RUN_DIR}/${red}`).ino).toBe(ids.get('red'));
      // Other tools can use it by name.
      const viaIp = JSON.parse(
        execFileSync('ip', ['-n', blue, '-j', 'addr', 'show', 'dev', 'b0'], { encoding: 'utf8' }),
      ) as IpAddr[];
      expect(viaIp[0]!.addr_info.map((a) => a.local)).toContain('10.2.0.2');
      expect((await ping(topo, 'red', '10.2.0.2')).code).toBe(0);
    } finally {
      await topo.close();
    }
    const after = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });
    expect(after).not.toContain(red);
    expect(after).not.toContain(blue);
    expectGone(ids, fds);
  });
});

describe('routes', () => {
  it('leaves with a default route via the hub reach another subnet through it', async () => {
    const fds = countFds();
    const topo = await Topology.build({
      namespaces: {
        hub: {},
        a: { routes: [{ dst: 'default', gateway: '10.3.1.254' }] },
        b: { routes: [{ dst: 'default', gateway: '10.3.2.254' }] },
      },
      veths: [
        [
          { netns: 'a', name: 'eth0', addresses: ['10.3.1.1/24'] },
          { netns: 'hub', name: 'to-a', addresses: ['10.3.1.254/24'] },
        ],
        [
          { netns: 'b', name: 'eth0', addresses: ['10.3.2.1/24'] },
          { netns: 'hub', name: 'to-b', addresses: ['10.3.2.254/24'] },
        ],
      ],
    });
    const ids = inodes(topo);
    try {
      const routes = await ipJson<IpRoute[]>(topo, 'a', 'route', 'show', 'default');
      expect(routes).toEqual([
        expect.objectContaining({ dst: 'default', gateway: '10.3.1.254', dev: 'eth0' }),
      ]);
      // Forwarding is per namespace; off by default, so the far subnet is out of reach.
      expect((await ping(topo, 'a', '10.3.2.1', false, 1)).code).not.toBe(0);
      const sysctl = await topo.exec('hub', 'sysctl', ['-w', 'net.ipv4.ip_forward=1']);
      expect(sysctl.code).toBe(0);
      const r = await ping(topo, 'a', '10.3.2.1');
      expect(r.out).toMatch(/1 packets transmitted, 1 received/);
      // …and only in the hub: this process's namespace is untouched by the topology.
      const outside = readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8').trim();
      const inside = (await topo.exec('a', 'cat', ['/proc/sys/net/ipv4/ip_forward'])).stdout.trim();
      expect(inside).toBe('0');
      expect(['0', '1']).toContain(outside);
    } finally {
      await topo.close();
    }
    expectGone(ids, fds);
  });

  it('two bridges, one per side of a veth: both ends enslaved', async () => {
    await using topo = await Topology.build({
      namespaces: { x: { bridges: { brx: {} } }, y: { bridges: { bry: {} } } },
      veths: [
        [
          { netns: 'x', name: 'vx', master: 'brx' },
          { netns: 'y', name: 'vy', master: 'bry' },
        ],
      ],
    });
    const [vx] = await ipJson<IpAddr[]>(topo, 'x', 'link', 'show', 'dev', 'vx');
    const [vy] = await ipJson<IpAddr[]>(topo, 'y', 'link', 'show', 'dev', 'vy');
    expect([vx!.master, vx!.flags.includes('UP')]).toEqual(['brx', true]);
    expect([vy!.master, vy!.flags.includes('UP')]).toEqual(['bry', true]);
  });
});

describe('rollback: the first failure tears down everything made so far', () => {
  /** Builds `spec`, which must fail, and checks that nothing of it is left. */
  async function failingBuild(spec: TopologySpec): Promise<unknown> {
    const fds = countFds();
    const refsBefore = ourNetnsReferences();
    const leftoversBefore = ourLeftovers();
    const err = await Topology.build(spec).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err, 'the build should have failed').toBeDefined();
    expect(countFds()).toBe(fds);
    expect(ourLeftovers()).toEqual(leftoversBefore);
    // Every namespace the build made is gone: none is held by a descriptor or a mount of ours.
    expect(ourNetnsReferences()).toEqual(refsBefore);
    return err;
  }

  function star(n: number, third: Partial<{ name: string; address: string }>): TopologySpec {
    const names = [uniqueName(), uniqueName()];
    return {
      namespaces: {
        hub: { named: names[0]!, bridges: { br0: {} } },
        ...Object.fromEntries(
          [...Array(n).keys()].map((i) => [`leaf${i}`, i === 0 ? { named: names[1]! } : {}]),
        ),
      },
      veths: [...Array(n).keys()].map((i) => [
        { netns: `leaf${i}`, name: 'eth0', addresses: [`10.4.0.${i + 1}/24`] },
        { netns: 'hub', name: `h${i}`, master: 'br0', ...(i === 2 ? third : {}) },
      ]),
    };
  }

  it('the 3rd veth clashes with a name in use (lo): EEXIST, nothing left', async () => {
    const err = await failingBuild(star(4, { name: 'lo' }));
    expect(err).toBeInstanceOf(NetlinkError);
    expect((err as NetlinkError).code).toBe('EEXIST');
    expect(topologyFailure(err)).toEqual({
      topologyPhase: 'veths',
      topologyStep: 'veths[2] (hub:lo ↔ leaf2:eth0)',
    });
    expect((err as Error).message).toMatch(/^topology build failed at veths: veths\[2\]/);
  });

  it('the 3rd veth has an address the kernel refuses (multicast MAC): nothing left', async () => {
    const err = await failingBuild(star(4, { address: '01:00:5e:00:00:01' }));
    expect(err).toBeInstanceOf(NetlinkError);
    expect((err as NetlinkError).code).toBe('EADDRNOTAVAIL');
    expect(topologyFailure(err)?.topologyStep).toBe('veths[2] (hub:h2 ↔ leaf2:eth0)');
  });

  it('an address the kernel refuses (the same one twice): nothing left', async () => {
    const err = await failingBuild({
      namespaces: { a: { named: uniqueName() }, b: {} },
      veths: [
        [
          { netns: 'a', name: 'v', addresses: ['10.5.0.1/24', '10.5.0.1/24'] },
          { netns: 'b', name: 'v' },
        ],
      ],
    });
    expect((err as NetlinkError).code).toBe('EEXIST');
    expect(topologyFailure(err)).toEqual({
      topologyPhase: 'addresses',
      topologyStep: 'address 10.5.0.1/24 on a:v',
    });
  });

  it('a route whose gateway is unreachable: the kernel’s refusal, nothing left', async () => {
    const err = await failingBuild({
      namespaces: { a: { named: uniqueName(), routes: [{ dst: 'default', gateway: '10.6.9.9' }] } },
    });
    expect(err).toBeInstanceOf(NetlinkError);
    expect((err as NetlinkError).code).toBe('ENETUNREACH');
    expect(topologyFailure(err)?.topologyPhase).toBe('routes');
  });

  it('a named namespace whose name is taken: EEXIST, the others undone, the existing one untouched', async () => {
    const taken = uniqueName();
    addNamedNetns(taken);
    try {
      const ino = statSync(`${NETNS_RUN_DIR}/${taken}`).ino;
      const err = await failingBuild({
        namespaces: { first: { named: uniqueName() }, second: {}, third: { named: taken } },
      });
      expect((err as NetlinkSocketError).code).toBe('EEXIST');
      expect(topologyFailure(err)?.topologyPhase).toBe('namespaces');
      expect(statSync(`${NETNS_RUN_DIR}/${taken}`).ino).toBe(ino);
    } finally {
      deleteNamedNetns(taken);
    }
  });
});

describe('the spec is checked before anything is made', () => {
  /** A spec to spoil: plain mutable objects. */
  interface Loose {
    namespaces: Record<string, Record<string, unknown>>;
    veths: unknown[][];
    [key: string]: unknown;
  }
  const base = (): Loose => ({
    namespaces: { a: { bridges: { br0: {} } }, b: {} },
    veths: [
      [
        { netns: 'a', name: 'v0', master: 'br0' },
        { netns: 'b', name: 'v0' },
      ],
    ],
  });
  const end = (i: 0 | 1, value: unknown) => (s: Loose) => {
    s.veths[0]![i] = value;
  };
  it.each<[string, (s: Loose) => void, string]>([
    [
      'no namespaces',
      (s) => {
        s.namespaces = {};
      },
      'topology.namespaces',
    ],
    [
      'an unknown key',
      (s) => {
        s.links = [];
      },
      'topology.links',
    ],
    [
      'an end in an unknown namespace',
      end(1, { netns: 'c', name: 'x' }),
      'topology.veths[0][1].netns',
    ],
    [
      'a master that is no bridge there',
      end(1, { netns: 'b', name: 'x', master: 'br0' }),
      'topology.veths[0][1].master',
    ],
    ['a bad interface name', end(0, { netns: 'a', name: 'no good' }), 'topology.veths[0][0].name'],
    [
      'a device name twice in one namespace',
      end(0, { netns: 'a', name: 'br0' }),
      'topology.veths[0][0]',
    ],
    ['a bad MTU', end(0, { netns: 'a', name: 'v', mtu: -5 }), 'topology.veths[0][0].mtu'],
    [
      'a bad address',
      end(1, { netns: 'b', name: 'v', addresses: ['10.0.0.300/24'] }),
      'topology.veths[0][1].addresses[0].address',
    ],
    [
      'not a pair',
      (s) => {
        s.veths[0] = [{ netns: 'a', name: 'v' }];
      },
      'topology.veths[0]',
    ],
    [
      'a bad route',
      (s) => {
        s.namespaces.b!.routes = [{ dst: 'nowhere' }];
      },
      'topology.namespaces.b.routes[0].dst',
    ],
    [
      'a bad bridge option',
      (s) => {
        s.namespaces.a!.bridges = { br0: { mtu: 'big' } };
      },
      'topology.namespaces.a.bridges.br0.mtu',
    ],
    [
      'one registered name twice',
      (s) => {
        s.namespaces.a!.named = 'x';
        s.namespaces.b!.named = 'x';
      },
      'topology.namespaces.b.named',
    ],
    [
      'an invalid registered name',
      (s) => {
        s.namespaces.b!.named = '../etc';
      },
      'topology.namespaces.b.named',
    ],
  ])('%s', async (_what, spoil, path) => {
    const fds = countFds();
    const refs = ourNetnsReferences();
    const spec = base();
    spoil(spec);
    const err = await Topology.build(spec as unknown as TopologySpec).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetlinkEncodeError);
    expect((err as NetlinkEncodeError).code).toBe('BAD_VALUE');
    expect((err as NetlinkEncodeError).path).toBe(path);
    // Nothing was made.
    expect(countFds()).toBe(fds);
    expect(ourNetnsReferences()).toEqual(refs);
  });

  it('an unknown namespace name asked of a built topology', async () => {
    await using topo = await Topology.build({ namespaces: { only: {} } });
    expect(() => topo.netns('other')).toThrow(NetlinkEncodeError);
    expect(() => topo.rt('other')).toThrow(/no namespace "other" in this topology \(it has only\)/);
    // lo is up even with nothing else in the namespace.
    const [lo] = await ipJson<IpAddr[]>(topo, 'only', 'link', 'show', 'dev', 'lo');
    expect(lo!.flags).toContain('UP');
  });
});
