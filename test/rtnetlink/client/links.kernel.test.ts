// rt.links against the live kernel, inside anonymous namespaces this file makes (never the
// host's): create → get/list → set → delete for every link kind this kernel has, each step
// checked against what `ip -j` reports for the same namespace (iproute2 is the oracle), and
// kernel refusals checked against the text `ip` prints for the same command.
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type NetlinkEncodeError, NetlinkError } from '../../../src/netlink/errors.js';
import { createNetns, type Netns } from '../../../src/ns/index.js';
import { RtNetlink } from '../../../src/rtnetlink/client.js';

let ns: Netns;
let peer: Netns;
let rt: RtNetlink;
let fdsBefore: number;

const nsenter = (n: Netns) => `--net=/proc/${process.pid}/fd/${n.fd}`;
/** Run `ip` in namespace `n` (the test's by default). */
const ip = (...args: string[]) =>
  execFileSync('nsenter', [nsenter(ns), 'ip', ...args], { encoding: 'utf8' });
const ipIn = (n: Netns, ...args: string[]) =>
  execFileSync('nsenter', [nsenter(n), 'ip', ...args], { encoding: 'utf8' });

interface IpLink {
  ifindex: number;
  ifname: string;
  flags: string[];
  mtu: number;
  group: string;
  txqlen?: number;
  link_type: string;
  address?: string;
  master?: string;
  link?: string;
  link_netnsid?: number;
  ifalias?: string;
  inet6_addr_gen_mode?: string;
  linkinfo?: {
    info_kind?: string;
    info_data?: Record<string, unknown>;
    info_slave_kind?: string;
    info_slave_data?: Record<string, unknown>;
  };
}
const links = (...args: string[]): IpLink[] => JSON.parse(ip('-j', '-d', 'link', 'show', ...args));
const linkOf = (name: string, n: Netns = ns): IpLink =>
  (JSON.parse(ipIn(n, '-j', '-d', 'link', 'show', 'dev', name)) as IpLink[])[0]!;
const exists = (name: string, n: Netns = ns) =>
  spawnSync('nsenter', [nsenter(n), 'ip', 'link', 'show', 'dev', name]).status === 0;
/** What `ip` prints on stderr when the same command fails (it must fail). */
function ipRefusal(...args: string[]): string {
  const r = spawnSync('nsenter', [nsenter(ns), 'ip', ...args], { encoding: 'utf8' });
  expect(r.status).not.toBe(0);
  return r.stderr.trim();
}
/** iproute2's rendering of an extended-ack message: "Error: TEXT." */
const asIpPrints = (msg: string | undefined) => `Error: ${msg}${msg?.endsWith('.') ? '' : '.'}`;

beforeAll(async () => {
  fdsBefore = readdirSync('/proc/self/fd').length;
  ns = createNetns();
  peer = createNetns();
  rt = await RtNetlink.open({ netns: ns });
  ip('link', 'set', 'lo', 'up');
});

afterAll(() => {
  rt?.close();
  ns?.close();
  peer?.close();
  expect(readdirSync('/proc/self/fd').length).toBe(fdsBefore);
});

describe('links in a namespace of our own, with ip -j as the oracle', () => {
  it('the namespace is not the host', () => {
    expect(linkOf('lo').ifindex).toBe(1);
    expect(links().map((l) => l.ifname)).toEqual(['lo']);
  });

  it('ifb: add → get/list match ip → set → rename → delete', async () => {
    await rt.links.add({ name: 'ifb0', kind: 'ifb' });
    let j = linkOf('ifb0');
    let l = await rt.links.get('ifb0');
    expect([l.index, l.name, l.kind, l.type]).toEqual([
      j.ifindex,
      'ifb0',
      j.linkinfo?.info_kind,
      j.link_type,
    ]);
    expect(l.attributes.mtu).toBe(j.mtu);
    expect(l.attributes.address).toBe(j.address);
    expect(l.attributes.txqlen).toBe(j.txqlen);
    expect(await rt.links.index('ifb0')).toBe(j.ifindex);

    await rt.links.set('ifb0', { up: true, mtu: 1400, alias: 'uplink', txqlen: 500, group: 3 });
    j = linkOf('ifb0');
    l = await rt.links.get(j.ifindex);
    expect(j.flags).toContain('UP');
    expect(l.flags.names).toContain('up');
    expect([j.mtu, j.ifalias, j.txqlen, j.group]).toEqual([1400, 'uplink', 500, '3']);
    expect([
      l.attributes.mtu,
      l.attributes.ifalias,
      l.attributes.txqlen,
      l.attributes.group,
    ]).toEqual([1400, 'uplink', 500, 3]);

    await rt.links.set('ifb0', { addrgenmode: 'none', up: false });
    j = linkOf('ifb0');
    expect(j.inet6_addr_gen_mode).toBe('none');
    expect(j.flags).not.toContain('UP');

    await rt.links.set('ifb0', { name: 'ifb9' });
    expect(exists('ifb0')).toBe(false);
    expect(linkOf('ifb9').ifindex).toBe(l.index);

    const ours = (await rt.links.list()).map((x) => [x.index, x.name]);
    expect(ours).toEqual(links().map((x) => [x.ifindex, x.ifname]));

    await rt.links.delete('ifb9');
    expect(exists('ifb9')).toBe(false);
  });

  it('veth with its peer in another namespace', async () => {
    await rt.links.add({
      name: 'veth0',
      mtu: 1400,
      kind: 'veth',
      peer: { name: 'veth1', address: '02:00:00:00:00:02', mtu: 1300, netns: peer },
    });
    const here = linkOf('veth0');
    const there = linkOf('veth1', peer);
    expect(exists('veth1')).toBe(false);
    expect([here.mtu, here.linkinfo?.info_kind]).toEqual([1400, 'veth']);
    expect([there.mtu, there.address]).toEqual([1300, '02:00:00:00:00:02']);
    const l = await rt.links.get('veth0');
    expect(l.kind).toBe('veth');
    expect(l.attributes.linkNetnsid).toBe(here.link_netnsid);
    expect(l.attributes.link).toBe(there.ifindex);
    await rt.links.delete('veth0');
    expect(exists('veth1', peer)).toBe(false);
  });

  it('bridge and a port: master, port options, kernel-side filters, nomaster', async () => {
    await rt.links.add({ name: 'br0', kind: 'bridge', data: { forwardDelay: 400, stpState: 0 } });
    await rt.links.add({ name: 'vA', kind: 'veth', peer: { name: 'vB' } });
    const br = linkOf('br0');
    expect(br.linkinfo?.info_data?.forward_delay).toBe(400);
    expect((await rt.links.get('br0')).attributes.linkinfo?.data).toMatchObject({
      forwardDelay: 400,
    });

    await rt.links.set('br0', { kind: 'bridge', data: { forwardDelay: 500 } });
    expect(linkOf('br0').linkinfo?.info_data?.forward_delay).toBe(500);

    await rt.links.set('vA', { master: 'br0', up: true });
    expect(linkOf('vA').master).toBe('br0');
    const ports = await rt.links.list({ master: 'br0' });
    expect(ports.map((p) => p.name)).toEqual(links('master', 'br0').map((p) => p.ifname));
    expect(ports.map((p) => p.name)).toEqual(['vA']);

    await rt.links.set('vA', { slave: { kind: 'bridge', data: { cost: 5 } } });
    expect(linkOf('vA').linkinfo?.info_slave_data?.cost).toBe(5);
    const vA = await rt.links.get('vA');
    expect(vA.attributes.linkinfo?.slaveKind).toBe('bridge');
    expect(vA.attributes.linkinfo?.slaveData).toMatchObject({ cost: 5 });

    const bridges = await rt.links.list({ kind: 'bridge' });
    expect(bridges.map((b) => b.name)).toEqual(links('type', 'bridge').map((b) => b.ifname));
    const veths = await rt.links.list({ kind: 'veth' });
    expect(veths.map((b) => b.name).sort()).toEqual(['vA', 'vB']);

    await rt.links.set('vA', { master: null });
    expect(linkOf('vA').master).toBeUndefined();
    expect(await rt.links.list({ master: 'br0' })).toEqual([]);
    await rt.links.delete('vA');
    await rt.links.delete('br0');
    expect(exists('vB') || exists('br0')).toBe(false);
  });

  it('vxlan, macvlan and macvtap on a lower device', async () => {
    await rt.links.add({ name: 'low0', kind: 'ifb' });
    const low = await rt.links.index('low0');
    await rt.links.add({
      name: 'vx0',
      kind: 'vxlan',
      data: { id: 42, local: '10.0.0.1', link: low, port: 4789 },
    });
    const vx = linkOf('vx0').linkinfo?.info_data;
    expect([vx?.id, vx?.local, vx?.port, vx?.link]).toEqual([42, '10.0.0.1', 4789, 'low0']);
    expect((await rt.links.get('vx0')).attributes.linkinfo?.data).toMatchObject({
      id: 42,
      local: '10.0.0.1',
      port: 4789,
      link: low,
    });

    await rt.links.add({ name: 'mv0', link: 'low0', kind: 'macvlan', data: { mode: 'bridge' } });
    await rt.links.add({ name: 'mvt0', link: low, kind: 'macvtap', data: { mode: 'vepa' } });
    const mv = linkOf('mv0');
    const mvt = linkOf('mvt0');
    expect([mv.link, mv.linkinfo?.info_kind, mv.linkinfo?.info_data?.mode]).toEqual([
      'low0',
      'macvlan',
      'bridge',
    ]);
    expect([mvt.link, mvt.linkinfo?.info_kind, mvt.linkinfo?.info_data?.mode]).toEqual([
      'low0',
      'macvtap',
      'vepa',
    ]);
    const [ourMv, ourMvt] = [await rt.links.get('mv0'), await rt.links.get('mvt0')];
    expect(ourMv.attributes.link).toBe(low);
    expect(ourMv.attributes.linkinfo?.data).toMatchObject({ mode: 'bridge' });
    expect(ourMvt.attributes.linkinfo?.data).toMatchObject({ mode: 'vepa' });

    let n = 0;
    for await (const l of rt.links.iterate()) if (l.attributes.link === low) n++;
    expect(n).toBe(2);

    for (const name of ['mvt0', 'mv0', 'vx0', 'low0']) await rt.links.delete(name);
    expect(links().map((l) => l.ifname)).toEqual(['lo']);
  });

  it('move a link to another namespace; delete a device group', async () => {
    await rt.links.add({ name: 'mover', kind: 'ifb' });
    await rt.links.set('mover', { netns: peer });
    expect(exists('mover')).toBe(false);
    expect(exists('mover', peer)).toBe(true);
    ipIn(peer, 'link', 'del', 'mover');

    await rt.links.add({ name: 'g1', kind: 'ifb' });
    await rt.links.add({ name: 'g2', kind: 'ifb' });
    await rt.links.add({ name: 'g3', kind: 'ifb' });
    await rt.links.set('g1', { group: 7 });
    await rt.links.set('g2', { group: 7 });
    await rt.links.set({ group: 7 }, { up: true });
    expect(linkOf('g1').flags).toContain('UP');
    expect(linkOf('g3').flags).not.toContain('UP');
    await rt.links.delete({ group: 7 });
    expect([exists('g1'), exists('g2'), exists('g3')]).toEqual([false, false, true]);
    await rt.links.delete('g3');
  });
});

describe('refusals: the kernel says what ip says', () => {
  it('adding an existing link: EEXIST, as `ip` reports it', async () => {
    await rt.links.add({ name: 'dup0', kind: 'ifb' });
    const err = await rt.links.add({ name: 'dup0', kind: 'ifb' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetlinkError);
    expect((err as NetlinkError).code).toBe('EEXIST');
    expect(ipRefusal('link', 'add', 'dup0', 'type', 'ifb')).toBe('RTNETLINK answers: File exists');
    await rt.links.delete('dup0');
  });

  it('an mtu beyond the device maximum: the extended-ack text ip prints', async () => {
    await rt.links.add({ name: 'vm0', kind: 'veth', peer: { name: 'vm1' } });
    const err = await rt.links.set('vm0', { mtu: 70000 }).catch((e: unknown) => e);
    expect((err as NetlinkError).code).toBe('EINVAL');
    expect(asIpPrints((err as NetlinkError).kernelMessage)).toBe(
      ipRefusal('link', 'set', 'vm0', 'mtu', '70000'),
    );
    await rt.links.delete('vm0');
  });

  it('a kind this kernel lacks: the extended-ack text ip prints', async () => {
    const err = await rt.links.add({ name: 'd0', kind: 'dummy' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetlinkError);
    expect(asIpPrints((err as NetlinkError).kernelMessage)).toBe(
      ipRefusal('link', 'add', 'd0', 'type', 'dummy'),
    );
  });

  it('a missing device: ENODEV naming it; bad input: nothing reaches the kernel', async () => {
    const err = await rt.links.get('nosuch0').catch((e: unknown) => e);
    expect((err as NetlinkError).code).toBe('ENODEV');
    expect((err as Error).message).toContain('"nosuch0"');
    const bad = await rt.links.add({ name: 'x'.repeat(16), kind: 'ifb' }).catch((e: unknown) => e);
    expect((bad as NetlinkEncodeError).path).toBe('link.name');
    expect(links().map((l) => l.ifname)).toEqual(['lo']);
  });
});
