// rt.routes against the live kernel, inside an anonymous namespace this file makes (never the
// host's). After each step the namespace is read back with `ip -j route …` run in it: iproute2
// is the oracle, never our own decoder.
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NetlinkError } from '../../../src/netlink/errors.js';
import { createNetns, type Netns } from '../../../src/ns/index.js';
import type { Route } from '../../../src/rtnetlink/api/routes.js';
import { RtNetlink } from '../../../src/rtnetlink/client.js';
import { ipIn } from '../../helpers/ns-ip.js';

let ns: Netns;
let rt: RtNetlink;
let d0: number;

const { nsenter, ip, ipJson, ipError } = ipIn(() => ns);

/** `ip -j route show` prints host routes without their /32 or /128. */
const ipDst = (r: Route) => r.dst.replace(r.family === 10 ? /\/128$/ : /\/32$/, '');

beforeAll(async () => {
  ns = createNetns();
  for (const cmd of [
    'link set lo up',
    'link add d0 type ifb',
    'link set d0 up',
    'link add d1 type ifb',
    'link set d1 up',
    'addr add 10.0.0.1/24 dev d0',
    'addr add 10.0.1.1/24 dev d1',
    'addr add 2001:db8::1/64 dev d0 nodad',
    'addr add 2001:db8:1::1/64 dev d1 nodad',
  ]) {
    ip(...cmd.split(' '));
  }
  rt = await RtNetlink.open({ netns: ns });
  d0 = ipJson<{ ifindex: number }[]>('link', 'show', 'd0')[0]!.ifindex;
});

afterAll(() => {
  rt?.close();
  ns?.close();
});

describe('routes: create → list → get → replace → delete (IPv4)', () => {
  it('add with a gateway, a device name and a metric', async () => {
    await rt.routes.add({ dst: '198.51.100.0/24', gateway: '10.0.0.2', dev: 'd0', priority: 10 });
    expect(ipJson('route', 'show', '198.51.100.0/24')).toEqual([
      { dst: '198.51.100.0/24', gateway: '10.0.0.2', dev: 'd0', metric: 10, flags: [] },
    ]);
  });

  it('list() reads it back as ip does', async () => {
    const [r] = await rt.routes.list({ family: 'inet', table: 'main', dst: '198.51.100.0/24' });
    expect(r).toMatchObject({
      family: 2,
      dst: '198.51.100.0/24',
      table: 'main',
      protocol: 'boot',
      scope: 'universe',
      type: 'unicast',
      attributes: { gateway: '10.0.0.2', oif: d0, priority: 10 },
    });
  });

  it('get() answers as ip route get does', async () => {
    const r = await rt.routes.get('198.51.100.7');
    const [j] = ipJson<{ dst: string; gateway: string; dev: string; prefsrc: string }[]>(
      'route',
      'get',
      '198.51.100.7',
    );
    expect(ipDst(r)).toBe(j!.dst);
    expect(r.attributes.gateway).toBe(j!.gateway);
    expect(r.attributes.oif).toBe(d0);
    expect(r.attributes.prefsrc).toBe(j!.prefsrc);
    expect(r.table).toBe('main');
  });

  it('replace() changes the gateway in place', async () => {
    await rt.routes.replace({ dst: '198.51.100.0/24', gateway: '10.0.1.2', priority: 10 });
    expect(ipJson('route', 'show', '198.51.100.0/24')).toEqual([
      { dst: '198.51.100.0/24', gateway: '10.0.1.2', dev: 'd1', metric: 10, flags: [] },
    ]);
  });

  it('append() adds a second route for the prefix', async () => {
    await rt.routes.append({ dst: '198.51.100.0/24', gateway: '10.0.0.3', priority: 10 });
    const gws = ipJson<{ gateway: string }[]>('route', 'show', '198.51.100.0/24').map(
      (r) => r.gateway,
    );
    expect(gws).toEqual(['10.0.1.2', '10.0.0.3']);
  });

  it('delete() of a listed route removes exactly that one', async () => {
    const routes = await rt.routes.list({ family: 'inet', table: 'main', dst: '198.51.100.0/24' });
    expect(routes).toHaveLength(2);
    await rt.routes.delete(routes.find((r) => r.attributes.gateway === '10.0.0.3')!);
    expect(ipJson('route', 'show', '198.51.100.0/24')).toEqual([
      { dst: '198.51.100.0/24', gateway: '10.0.1.2', dev: 'd1', metric: 10, flags: [] },
    ]);
    await rt.routes.delete({ dst: '198.51.100.0/24' });
    expect(ipJson('route', 'show', '198.51.100.0/24')).toEqual([]);
  });
});

describe('routes: kinds of routes (checked with ip -j)', () => {
  it.each(['blackhole', 'unreachable', 'prohibit'] as const)('%s', async (type) => {
    await rt.routes.add({ type, dst: '203.0.113.0/28' });
    expect(ipJson('route', 'show', '203.0.113.0/28')).toEqual([
      { type, dst: '203.0.113.0/28', flags: [] },
    ]);
    await rt.routes.delete({ type, dst: '203.0.113.0/28' });
    expect(ipJson('route', 'show', '203.0.113.0/28')).toEqual([]);
  });

  it('a table beyond 255, a protocol, a scope and a preferred source', async () => {
    await rt.routes.add({
      dst: '203.0.113.0/24',
      dev: d0,
      table: 1000,
      priority: 50,
      protocol: 'static',
      scope: 'link',
      prefsrc: '10.0.0.1',
    });
    expect(ipJson('route', 'show', 'table', '1000')).toEqual([
      {
        dst: '203.0.113.0/24',
        dev: 'd0',
        protocol: 'static',
        scope: 'link',
        prefsrc: '10.0.0.1',
        metric: 50,
        flags: [],
      },
    ]);
    const [r] = await rt.routes.list({ table: 1000 });
    expect(r).toMatchObject({ table: 1000, protocol: 'static', scope: 'link' });
  });

  it('metrics', async () => {
    await rt.routes.add({
      dst: '10.20.0.0/24',
      gateway: '10.0.0.2',
      metrics: { mtu: 1400, advmss: 1360, hoplimit: 64, lock: ['mtu'] },
    });
    const [j] = ipJson<{ metrics: Record<string, unknown>[] }[]>('route', 'show', '10.20.0.0/24');
    expect(j!.metrics).toEqual([{ mtu: 1400, advmss: 1360, hoplimit: 64 }]);
    expect(ip('route', 'show', '10.20.0.0/24')).toContain('mtu lock 1400');
    const [r] = await rt.routes.list({ family: 'inet', table: 'main', dst: '10.20.0.0/24' });
    expect(r!.attributes.metrics).toMatchObject({ mtu: 1400, advmss: 1360, hoplimit: 64 });
  });

  it('multipath with weights and onlink', async () => {
    await rt.routes.add({
      dst: '10.30.0.0/24',
      nexthops: [
        { gateway: '10.0.0.2', dev: 'd0', weight: 2, onlink: true },
        { gateway: '10.0.1.2', dev: 'd1', weight: 3 },
      ],
    });
    const [j] = ipJson<{ nexthops: unknown[] }[]>('route', 'show', '10.30.0.0/24');
    expect(j!.nexthops).toEqual([
      { gateway: '10.0.0.2', dev: 'd0', weight: 2, flags: ['onlink'] },
      { gateway: '10.0.1.2', dev: 'd1', weight: 3, flags: [] },
    ]);
    const [r] = await rt.routes.list({ family: 'inet', table: 'main', dst: '10.30.0.0/24' });
    expect(r!.attributes.multipath?.map((h) => [h.attributes.gateway, h.hops + 1])).toEqual([
      ['10.0.0.2', 2],
      ['10.0.1.2', 3],
    ]);
  });

  it('an IPv4 route via an IPv6 gateway (RTA_VIA)', async () => {
    await rt.routes.add({ dst: '10.40.0.0/24', gateway: '2001:db8::2', dev: 'd0' });
    const [j] = ipJson<{ via: unknown }[]>('route', 'show', '10.40.0.0/24');
    expect(j!.via).toEqual({ family: 'inet6', host: '2001:db8::2' });
  });

  it('an mpls encap', async () => {
    const r = spawnSync('nsenter', [...nsenter(), 'true']);
    expect(r.status).toBe(0);
    // This kernel may lack MPLS tunnels; then the kernel's refusal is what ip reports too.
    const theirs = ipError(
      'route',
      'add',
      '10.50.0.0/24',
      'encap',
      'mpls',
      '100',
      'via',
      '10.0.0.2',
    );
    if (theirs === '') {
      ip('route', 'del', '10.50.0.0/24');
      await rt.routes.add({
        dst: '10.50.0.0/24',
        encap: { type: 'mpls', dst: [100] },
        gateway: '10.0.0.2',
      });
      const [j] = ipJson<{ encap: string; dst: string }[]>('route', 'show', '10.50.0.0/24');
      expect(j!.encap).toBe('mpls');
    } else {
      const err = await rt.routes
        .add({ dst: '10.50.0.0/24', encap: { type: 'mpls', dst: [100] }, gateway: '10.0.0.2' })
        .catch((e) => e);
      expect(err).toBeInstanceOf(NetlinkError);
      expect(theirs).toContain(err.kernelMessage ?? err.message.split(' (')[0]);
    }
  });
});

describe('routes: IPv6', () => {
  it('add → list → get → delete', async () => {
    await rt.routes.add({
      dst: '2001:db8:5::/64',
      gateway: '2001:db8::2',
      dev: 'd0',
      priority: 100,
    });
    expect(ipJson('-6', 'route', 'show', '2001:db8:5::/64')).toEqual([
      {
        dst: '2001:db8:5::/64',
        gateway: '2001:db8::2',
        dev: 'd0',
        metric: 100,
        flags: [],
        pref: 'medium',
      },
    ]);
    const [r] = await rt.routes.list({ family: 'inet6', table: 'main', dst: '2001:db8:5::/64' });
    expect(r).toMatchObject({ family: 10, table: 'main', attributes: { gateway: '2001:db8::2' } });
    const got = await rt.routes.get('2001:db8:5::9');
    const [j] = ipJson<{ gateway: string; dev: string }[]>('-6', 'route', 'get', '2001:db8:5::9');
    expect(got.attributes.gateway).toBe(j!.gateway);
    expect(got.attributes.oif).toBe(d0);
    await rt.routes.delete({ dst: '2001:db8:5::/64', gateway: '2001:db8::2' });
    expect(ipJson('-6', 'route', 'show', '2001:db8:5::/64')).toEqual([]);
  });

  it('multipath, pref and expires', async () => {
    await rt.routes.add({
      dst: '2001:db8:30::/64',
      nexthops: [
        { gateway: '2001:db8::2', dev: 'd0' },
        { gateway: '2001:db8:1::2', dev: 'd1', weight: 4 },
      ],
    });
    const [j] = ipJson<{ nexthops: unknown[] }[]>('-6', 'route', 'show', '2001:db8:30::/64');
    expect(j!.nexthops).toEqual([
      { gateway: '2001:db8::2', dev: 'd0', weight: 1, flags: [] },
      { gateway: '2001:db8:1::2', dev: 'd1', weight: 4, flags: [] },
    ]);
    await rt.routes.add({
      dst: '2001:db8:10::/64',
      gateway: '2001:db8::2',
      pref: 'high',
      expires: 300,
    });
    const [k] = ipJson<{ pref: string; expires: number }[]>(
      '-6',
      'route',
      'show',
      '2001:db8:10::/64',
    );
    expect(k!.pref).toBe('high');
    expect(k!.expires).toBeGreaterThan(290);
  });

  it('the whole main table reads as ip -j -6 route show reads it', async () => {
    const ours = await rt.routes.list({ family: 'inet6', table: 'main' });
    const theirs = ipJson<{ dst: string }[]>('-6', 'route', 'show');
    expect(ours.map(ipDst)).toEqual(theirs.map((j) => j.dst));
  });
});

describe('routes: kernel-side filters', () => {
  it('a table filter returns only that table, a dev filter only that device', async () => {
    const t1000 = await rt.routes.list({ table: 1000 });
    expect(t1000.length).toBeGreaterThan(0);
    expect(t1000.every((r) => r.table === 1000)).toBe(true);
    const onD0 = await rt.routes.list({ family: 'inet', dev: 'd0' });
    expect(onD0.length).toBeGreaterThan(0);
    // The kernel keeps a route whose device, or one of whose next hops' devices, is d0.
    const usesD0 = (r: Route) =>
      r.attributes.oif === d0 || !!r.attributes.multipath?.some((h) => h.ifindex === d0);
    expect(onD0.every(usesD0)).toBe(true);
    const all = await rt.routes.list({ family: 'inet' });
    expect(onD0).toEqual(all.filter(usesD0));
  });

  it('a protocol and type filter', async () => {
    const statics = await rt.routes.list({ protocol: 'static' });
    expect(statics.map((r) => r.dst)).toEqual(['203.0.113.0/24']);
    const kernel = await rt.routes.list({ family: 'inet', table: 'main', protocol: 'kernel' });
    expect(kernel.map((r) => r.dst)).toEqual(
      ipJson<{ dst: string }[]>('route', 'show', 'proto', 'kernel').map((j) => j.dst),
    );
  });
});

describe('routes: kernel refusals carry the text ip prints', () => {
  it('a route via an unreachable gateway', async () => {
    const theirs = ipError('route', 'add', '10.9.0.0/24', 'via', '10.99.99.1');
    const err = await rt.routes.add({ dst: '10.9.0.0/24', gateway: '10.99.99.1' }).catch((e) => e);
    expect(err).toBeInstanceOf(NetlinkError);
    expect(err.code).toBe('ENETUNREACH');
    expect(theirs).toBe(`Error: ${err.kernelMessage}.`);
  });

  it('adding an existing route: EEXIST', async () => {
    await rt.routes.add({ dst: '10.8.0.0/24', dev: 'd0' });
    const theirs = ipError('route', 'add', '10.8.0.0/24', 'dev', 'd0');
    const err = await rt.routes.add({ dst: '10.8.0.0/24', dev: 'd0' }).catch((e) => e);
    expect(err).toBeInstanceOf(NetlinkError);
    expect(err.code).toBe('EEXIST');
    expect(theirs).toContain(err.kernelMessage ?? 'File exists');
  });

  it('deleting a missing route: ESRCH', async () => {
    const theirs = ipError('route', 'del', '10.7.0.0/24');
    const err = await rt.routes.delete({ dst: '10.7.0.0/24' }).catch((e) => e);
    expect(err).toBeInstanceOf(NetlinkError);
    expect(err.code).toBe('ESRCH');
    expect(theirs).toContain(err.kernelMessage ?? 'No such process');
  });

  it('a device that does not exist: ENODEV naming it', async () => {
    const err = await rt.routes.add({ dst: '10.6.0.0/24', dev: 'nosuch0' }).catch((e) => e);
    expect(err).toBeInstanceOf(NetlinkError);
    expect(err.code).toBe('ENODEV');
    expect(err.message).toContain('nosuch0');
  });
});

describe('routes: bulk and flush', () => {
  it('2000 routes added at once ride the batching, then flush removes them', async () => {
    const adds: Promise<void>[] = [];
    for (let i = 0; i < 2000; i++) {
      adds.push(
        rt.routes.add({ dst: `10.${100 + (i >> 8)}.${i & 255}.0/24`, dev: d0, table: 2000 }),
      );
    }
    await Promise.all(adds);
    expect(ipJson<unknown[]>('route', 'show', 'table', '2000')).toHaveLength(2000);
    let n = 0;
    for await (const _ of rt.routes.iterate({ table: 2000 })) n++;
    expect(n).toBe(2000);
    const gone = await rt.routes.flush({ table: 2000 });
    expect(gone).toHaveLength(2000);
    expect(ipJson<unknown[]>('route', 'show', 'table', '2000')).toEqual([]);
  });

  it('flush of main by protocol leaves the kernel routes', async () => {
    await rt.routes.add({ dst: '10.5.0.0/24', dev: 'd0', protocol: 'static' });
    await rt.routes.flush({ family: 'inet', protocol: 'static' });
    expect(ipJson('route', 'show', 'proto', 'static')).toEqual([]);
    expect(ipJson<unknown[]>('route', 'show', 'proto', 'kernel').length).toBeGreaterThan(0);
  });
});
