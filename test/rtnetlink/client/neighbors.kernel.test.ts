// rt.neighbors against the live kernel, inside an anonymous namespace this file makes. After
// each step the namespace is read back with `ip -j neigh show` run in it (iproute2 is the
// oracle). The entries live on a veth, a device that does ARP and NDP.
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NetlinkError } from '../../../src/netlink/errors.js';
import { createNetns, type Netns } from '../../../src/ns/index.js';
import type { Neighbor } from '../../../src/rtnetlink/api/neighbors.js';
import { RtNetlink } from '../../../src/rtnetlink/client.js';
import { ipIn } from '../../helpers/ns-ip.js';

let ns: Netns;
let rt: RtNetlink;
let v0: number;

const { nsenter, ip, ipJson, ipError } = ipIn(() => ns);

/** Our entry in the shape `ip -j neigh show dev v0` prints. */
function asIp(n: Neighbor): Record<string, unknown> {
  const out: Record<string, unknown> = { dst: n.dst };
  if (n.lladdr !== undefined) out.lladdr = n.lladdr;
  if (n.flags.names.includes('router')) out.router = null;
  if (n.flags.names.includes('proxy')) out.proxy = null;
  else out.state = n.state.names.map((s) => s.toUpperCase());
  return out;
}

beforeAll(async () => {
  ns = createNetns();
  for (const cmd of [
    'link set lo up',
    'link add v0 type veth peer name v1',
    'link set v0 up',
    'link set v1 up',
    'addr add 10.0.0.1/24 dev v0',
    'addr add 2001:db8::1/64 dev v0 nodad',
  ]) {
    ip(...cmd.split(' '));
  }
  rt = await RtNetlink.open({ netns: ns });
  v0 = ipJson<{ ifindex: number }[]>('link', 'show', 'v0')[0]!.ifindex;
});

afterAll(() => {
  rt?.close();
  ns?.close();
});

const mineOnV0 = async () =>
  (await rt.neighbors.list({ dev: 'v0' })).filter(
    (n) => n.state.raw !== 0x40 && n.family !== 7 && !n.flags.names.includes('proxy'),
  );

describe('neighbors: create → list → replace → delete', () => {
  it('add a permanent IPv4 entry', async () => {
    await rt.neighbors.add({ dst: '10.0.0.5', lladdr: '02:00:00:00:00:05', dev: 'v0' });
    expect(ipJson('neigh', 'show', '10.0.0.5', 'dev', 'v0')).toEqual([
      { dst: '10.0.0.5', lladdr: '02:00:00:00:00:05', state: ['PERMANENT'] },
    ]);
  });

  it.each([
    ['reachable', '10.0.0.6'],
    ['stale', '10.0.0.7'],
  ] as const)('add in state %s', async (state, dst) => {
    await rt.neighbors.add({ dst, lladdr: '02:00:00:00:00:07', dev: v0, state });
    const [j] = ipJson<{ state: string[] }[]>('neigh', 'show', dst, 'dev', 'v0');
    expect(j!.state).toEqual([state.toUpperCase()]);
  });

  it('add an IPv6 router entry', async () => {
    await rt.neighbors.add({
      dst: '2001:db8::5',
      lladdr: '02:00:00:00:00:25',
      dev: 'v0',
      router: true,
    });
    expect(ipJson('-6', 'neigh', 'show', '2001:db8::5', 'dev', 'v0')).toEqual([
      { dst: '2001:db8::5', lladdr: '02:00:00:00:00:25', router: null, state: ['PERMANENT'] },
    ]);
  });

  it('get() returns the entry ip neigh get returns', async () => {
    const n = await rt.neighbors.get({ dst: '10.0.0.5', dev: 'v0' });
    // iproute2 6.1 prints `neigh get` as text even with -j.
    expect(ip('neigh', 'get', '10.0.0.5', 'dev', 'v0').trim()).toBe(
      `${n.dst} dev v0 lladdr ${n.lladdr} ${n.state.names.map((x) => x.toUpperCase()).join(' ')}`,
    );
    expect(n.ifindex).toBe(v0);
  });

  it('get() of a missing entry is the kernel ENOENT', async () => {
    const err = await rt.neighbors.get({ dst: '10.0.0.99', dev: 'v0' }).catch((e) => e);
    expect(err).toBeInstanceOf(NetlinkError);
    expect(err.code).toBe('ENOENT');
  });

  it('change() alters an existing entry and refuses a missing one', async () => {
    await rt.neighbors.change({ dst: '10.0.0.5', lladdr: '02:00:00:00:00:55', dev: 'v0' });
    expect(ipJson<{ lladdr: string }[]>('neigh', 'show', '10.0.0.5', 'dev', 'v0')[0]!.lladdr).toBe(
      '02:00:00:00:00:55',
    );
    const err = await rt.neighbors
      .change({ dst: '10.0.0.98', lladdr: '02:00:00:00:00:56', dev: 'v0' })
      .catch((e) => e);
    expect(err).toBeInstanceOf(NetlinkError);
    expect(err.code).toBe('ENOENT');
    await rt.neighbors.change({ dst: '10.0.0.5', lladdr: '02:00:00:00:00:05', dev: 'v0' });
  });

  it('list() of the device reads as ip -j neigh show dev v0 reads it', async () => {
    const mine = await mineOnV0();
    expect(mine.map(asIp)).toEqual(ipJson('neigh', 'show', 'dev', 'v0'));
    expect(mine.every((n) => n.ifindex === v0)).toBe(true);
  });

  it('replace() changes the link-layer address', async () => {
    await rt.neighbors.replace({ dst: '10.0.0.6', lladdr: '02:00:00:00:00:16', dev: 'v0' });
    expect(ipJson('neigh', 'show', '10.0.0.6', 'dev', 'v0')).toEqual([
      { dst: '10.0.0.6', lladdr: '02:00:00:00:00:16', state: ['PERMANENT'] },
    ]);
  });

  it('filters by address and state', async () => {
    const one = await rt.neighbors.list({ dst: '10.0.0.5' });
    expect(one.map((n) => n.lladdr)).toEqual(['02:00:00:00:00:05']);
    const stale = await rt.neighbors.list({ dev: 'v0', state: ['stale'] });
    expect(stale.map((n) => n.dst)).toEqual(
      ipJson<{ dst: string }[]>('neigh', 'show', 'dev', 'v0', 'nud', 'stale').map((j) => j.dst),
    );
  });

  it('delete() of a listed entry, and by spec', async () => {
    const [n] = await rt.neighbors.list({ dst: '2001:db8::5' });
    await rt.neighbors.delete(n!);
    expect(ipJson('-6', 'neigh', 'show', '2001:db8::5', 'dev', 'v0')).toEqual([]);
    await rt.neighbors.delete({ dst: '10.0.0.5', dev: 'v0' });
    expect(ipJson('neigh', 'show', '10.0.0.5', 'dev', 'v0')).toEqual([]);
  });

  it('proxy entries', async () => {
    await rt.neighbors.add({ proxy: true, dst: '10.0.0.9', dev: 'v0' });
    expect(ipJson('neigh', 'show', 'proxy')).toEqual([{ dst: '10.0.0.9', dev: 'v0', proxy: null }]);
    const mine = await rt.neighbors.list({ proxy: true });
    expect(mine.map((n) => [n.dst, n.ifindex, n.flags.names])).toEqual([
      ['10.0.0.9', v0, ['proxy']],
    ]);
    await rt.neighbors.delete(mine[0]!);
    expect(ipJson('neigh', 'show', 'proxy')).toEqual([]);
  });

  it('flush() removes what ip neigh flush would, leaving permanent entries', async () => {
    await rt.neighbors.add({ dst: '10.0.0.20', lladdr: '02:00:00:00:00:20', dev: 'v0' });
    await rt.neighbors.add({
      dst: '10.0.0.21',
      lladdr: '02:00:00:00:00:21',
      dev: 'v0',
      state: 'stale',
    });
    // What `ip neigh flush dev v0` would remove: every state but permanent and noarp.
    const flushable = ipJson<{ dst: string; state: string[] }[]>('neigh', 'show', 'dev', 'v0')
      .filter((j) => !j.state.includes('PERMANENT') && !j.state.includes('NOARP'))
      .map((j) => j.dst);
    expect(flushable).toContain('10.0.0.21');
    const gone = await rt.neighbors.flush({ dev: 'v0' });
    expect(gone.map((n) => n.dst).sort()).toEqual(flushable.sort());
    const left = ipJson<{ dst: string; state: string[] }[]>('neigh', 'show', 'dev', 'v0');
    expect(left.map((j) => j.dst)).toContain('10.0.0.20');
    expect(left.every((j) => j.state.includes('PERMANENT'))).toBe(true);
  });
});

describe('neighbors: kernel refusals carry the text ip prints', () => {
  it('a link-layer address too short for the device', async () => {
    const theirs = ipError('neigh', 'add', '10.0.0.30', 'lladdr', '02:00', 'dev', 'v0');
    const err = await rt.neighbors
      .add({ dst: '10.0.0.30', lladdr: '02:00', dev: 'v0' })
      .catch((e) => e);
    expect(err).toBeInstanceOf(NetlinkError);
    expect(err.code).toBe('EINVAL');
    expect(theirs).toBe(`Error: ${err.kernelMessage}.`);
  });

  it('an existing entry: EEXIST', async () => {
    const theirs = ipError('neigh', 'add', '10.0.0.20', 'lladdr', '02:00:00:00:00:20', 'dev', 'v0');
    const err = await rt.neighbors
      .add({ dst: '10.0.0.20', lladdr: '02:00:00:00:00:20', dev: 'v0' })
      .catch((e) => e);
    expect(err).toBeInstanceOf(NetlinkError);
    expect(err.code).toBe('EEXIST');
    expect(theirs).toContain(err.kernelMessage ?? 'File exists');
  });

  it('deleting a missing entry: ENOENT', async () => {
    const theirs = ipError('neigh', 'del', '10.0.0.99', 'dev', 'v0');
    const err = await rt.neighbors.delete({ dst: '10.0.0.99', dev: 'v0' }).catch((e) => e);
    expect(err).toBeInstanceOf(NetlinkError);
    expect(err.code).toBe('ENOENT');
    expect(theirs).toContain(err.kernelMessage ?? 'No such file or directory');
  });
});

describe('neighbors: the bridge and vxlan FDB (family bridge)', () => {
  const bridgeJson = <T = Record<string, unknown>[]>(...args: string[]): T =>
    JSON.parse(
      execFileSync('nsenter', [...nsenter(), 'bridge', '-j', ...args], { encoding: 'utf8' }),
    ) as T;

  beforeAll(() => {
    for (const cmd of [
      'link add br0 type bridge',
      'link add p0 type veth peer name p1',
      'link set p0 master br0',
      'link set br0 up',
      'link set p0 up',
      'link add vx0 type vxlan id 42 dstport 4789 local 10.0.0.1 dev v0',
    ]) {
      ip(...cmd.split(' '));
    }
  });

  it('a static entry on a bridge port (master)', async () => {
    await rt.neighbors.add({
      family: 'bridge',
      lladdr: '02:00:00:00:00:aa',
      dev: 'p0',
      master: true,
      state: 'static',
    });
    const theirs = bridgeJson<{ mac: string; state: string; master?: string }[]>(
      'fdb',
      'show',
      'dev',
      'p0',
    ).filter((j) => j.mac === '02:00:00:00:00:aa');
    expect(theirs).toEqual([
      // (`bridge fdb show dev X` leaves out the ifname.)
      { mac: '02:00:00:00:00:aa', flags: [], master: 'br0', state: 'static' },
    ]);
    const mine = (await rt.neighbors.list({ family: 'bridge', dev: 'p0' })).filter(
      (n) => n.lladdr === '02:00:00:00:00:aa',
    );
    expect(mine).toHaveLength(1);
    // The kernel reports a static bridge entry as NUD_NOARP (which `bridge` prints as static).
    expect(mine[0]).toMatchObject({ family: 7, state: { names: ['noarp'] } });
    expect(mine[0]!.attributes.master).toBe(
      ipJson<{ ifindex: number }[]>('link', 'show', 'br0')[0]!.ifindex,
    );
    await rt.neighbors.delete(mine[0]!);
    expect(
      bridgeJson<{ mac: string }[]>('fdb', 'show', 'dev', 'p0').filter(
        (j) => j.mac === '02:00:00:00:00:aa',
      ),
    ).toEqual([]);
  });

  it('a vxlan remote (dst, port, vni)', async () => {
    await rt.neighbors.add({
      family: 'bridge',
      lladdr: '00:00:00:00:00:00',
      dev: 'vx0',
      dst: '10.0.0.99',
      port: 4790,
      vni: 43,
    });
    expect(bridgeJson('fdb', 'show', 'dev', 'vx0')).toEqual([
      {
        mac: '00:00:00:00:00:00',
        dst: '10.0.0.99',
        port: 4790,
        vni: 43,
        flags: ['self'],
        state: 'permanent',
      },
    ]);
    const [mine] = await rt.neighbors.list({ family: 'bridge', dev: 'vx0' });
    expect(mine!.attributes).toMatchObject({ dst: '10.0.0.99', port: 4790, vni: 43 });
    await rt.neighbors.delete(mine!);
    expect(bridgeJson('fdb', 'show', 'dev', 'vx0')).toEqual([]);
  });

  it('a bad MAC is refused before anything is sent', async () => {
    const err = await rt.neighbors
      .add({ family: 'bridge', lladdr: '02:00:00:00:00', dev: 'p0' })
      .catch((e) => e);
    expect(err.code).toBe('BAD_VALUE');
    expect(err.path).toBe('fdb.lladdr');
  });
});
