// rt.addresses against the live kernel, inside an anonymous namespace this file makes (never
// the host's): add → list → replace → delete → flush, IPv4 and IPv6, each step checked against
// `ip -j addr show` in the same namespace, and refusals against the text `ip` prints.
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NetlinkEncodeError, NetlinkError } from '../../../src/netlink/errors.js';
import { createNetns, type Netns } from '../../../src/ns/index.js';
import type { Address } from '../../../src/rtnetlink/api/addresses.js';
import { RtNetlink } from '../../../src/rtnetlink/client.js';

let ns: Netns;
let rt: RtNetlink;
let fdsBefore: number;
let dev: number;

const ip = (...args: string[]) =>
  execFileSync('nsenter', [`--net=/proc/${process.pid}/fd/${ns.fd}`, 'ip', ...args], {
    encoding: 'utf8',
  });
function ipRefusal(...args: string[]): string {
  const r = spawnSync('nsenter', [`--net=/proc/${process.pid}/fd/${ns.fd}`, 'ip', ...args], {
    encoding: 'utf8',
  });
  expect(r.status).not.toBe(0);
  return r.stderr.trim();
}
const asIpPrints = (msg: string | undefined) => `Error: ${msg}${msg?.endsWith('.') ? '' : '.'}`;

interface IpAddr {
  family: 'inet' | 'inet6';
  local: string;
  address?: string;
  prefixlen: number;
  scope: string;
  label?: string;
  broadcast?: string;
  metric?: number;
  nodad?: boolean;
  noprefixroute?: boolean;
  valid_life_time: number;
  preferred_life_time: number;
}
/** `ip [-4|-6] -j addr show ARGS`, flattened to its addr_info entries with the ifindex. */
function ipAddrs(...args: string[]): (IpAddr & { ifindex: number })[] {
  const opts = args[0] === '-4' || args[0] === '-6' ? [args.shift()!] : [];
  const doc = JSON.parse(ip(...opts, '-j', 'addr', 'show', ...args)) as {
    ifindex: number;
    addr_info?: IpAddr[];
  }[];
  // Links the filter leaves empty still appear, with `{}` entries: keep real addresses only.
  return doc.flatMap((l) =>
    (l.addr_info ?? [])
      .filter((a) => a.local !== undefined)
      .map((a) => ({ ...a, ifindex: l.ifindex })),
  );
}
/** iproute2 says `global` for RT_SCOPE_UNIVERSE. */
const ipScope = (a: Address) => (a.scope === 'universe' ? 'global' : String(a.scope));
/**
 * The same picture from both sides: ifindex, local, prefixlen, scope, sorted (ip groups by
 * link, the kernel's dump by family).
 */
const ours = (list: Address[]) =>
  list
    .map((a) => [a.index, a.attributes.local ?? a.attributes.address, a.prefixlen, ipScope(a)])
    .sort(byText);
const theirs = (list: (IpAddr & { ifindex: number })[]) =>
  list.map((a) => [a.ifindex, a.local, a.prefixlen, a.scope]).sort(byText);
const byText = (a: unknown[], b: unknown[]) => a.join(' ').localeCompare(b.join(' '));

beforeAll(async () => {
  fdsBefore = readdirSync('/proc/self/fd').length;
  ns = createNetns();
  rt = await RtNetlink.open({ netns: ns });
  await rt.links.set('lo', { up: true });
  await rt.links.add({ name: 'd0', kind: 'ifb', up: true });
  dev = await rt.links.index('d0');
});

afterAll(() => {
  rt?.close();
  ns?.close();
  expect(readdirSync('/proc/self/fd').length).toBe(fdsBefore);
});

describe('addresses in a namespace of our own, with ip -j as the oracle', () => {
  it('IPv4: prefix with broadcast +, label and metric; a peer; lifetimes', async () => {
    await rt.addresses.add({
      dev: 'd0',
      address: '192.0.2.1/24',
      broadcast: '+',
      label: 'd0:main',
      metric: 300,
    });
    await rt.addresses.add({ dev, address: '10.0.2.1', peer: '10.0.2.2/32' });
    await rt.addresses.add({ dev, address: '10.0.3.1/24', validLft: 100, preferredLft: 50 });

    const j = ipAddrs('dev', 'd0').filter((a) => a.family === 'inet');
    const list = await rt.addresses.list({ dev: 'd0', family: 'inet' });
    expect(ours(list)).toEqual(theirs(j));

    const main = list.find((a) => a.address === '192.0.2.1/24')!;
    const jm = j.find((a) => a.local === '192.0.2.1')!;
    expect([jm.broadcast, jm.label, jm.metric]).toEqual(['192.0.2.255', 'd0:main', 300]);
    expect(main.attributes).toMatchObject({
      broadcast: jm.broadcast,
      label: jm.label,
      rtPriority: jm.metric,
    });
    const p2p = list.find((a) => a.address === '10.0.2.1/32')!;
    expect(p2p.attributes.address).toBe(j.find((a) => a.local === '10.0.2.1')!.address);
    const timed = list.find((a) => a.address === '10.0.3.1/24')!;
    const jt = j.find((a) => a.local === '10.0.3.1')!;
    expect(jt.valid_life_time).toBeLessThanOrEqual(100);
    expect(jt.valid_life_time).toBeGreaterThan(90);
    expect(Math.abs(timed.attributes.cacheinfo!.ifa_valid - jt.valid_life_time)).toBeLessThan(3);
    expect(
      Math.abs(timed.attributes.cacheinfo!.ifa_prefered - jt.preferred_life_time),
    ).toBeLessThan(3);
  });

  it('IPv6: nodad and noprefixroute', async () => {
    await rt.addresses.add({ dev: 'd0', address: '2001:db8::1/64', flags: ['nodad'] });
    await rt.addresses.add({
      dev: 'd0',
      address: '2001:db8:1::1/64',
      flags: ['nodad', 'noprefixroute'],
    });
    const j = ipAddrs('-6', 'dev', 'd0', 'scope', 'global');
    const list = await rt.addresses.list({ dev, family: 'inet6', scope: 'global' });
    expect(ours(list)).toEqual(theirs(j));
    for (const a of list) {
      const ja = j.find((x) => x.local === a.attributes.address)!;
      expect(a.flags.names.includes('nodad')).toBe(ja.nodad === true);
      expect(a.flags.names.includes('noprefixroute')).toBe(ja.noprefixroute === true);
    }
    expect(list.map((a) => a.address).sort()).toEqual(['2001:db8:1::1/64', '2001:db8::1/64']);
  });

  it('every address, and the filters the kernel cannot apply, agree with ip', async () => {
    expect(ours(await rt.addresses.list())).toEqual(theirs(ipAddrs()));
    expect(ours(await rt.addresses.list({ scope: 'host' }))).toEqual(
      theirs(ipAddrs('scope', 'host')),
    );
    // With `label`, ip prints the addresses without their link: compare the addresses.
    const labelled = await rt.addresses.list({ label: 'd0:main' });
    expect(labelled.map((a) => a.address)).toEqual(
      ipAddrs('label', 'd0:main').map((a) => `${a.local}/${a.prefixlen}`),
    );
    expect(labelled).toHaveLength(1);
    const streamed: Address[] = [];
    for await (const a of rt.addresses.iterate({ family: 'inet' })) streamed.push(a);
    expect(ours(streamed)).toEqual(theirs(ipAddrs('-4')));
  });

  it('replace changes the lifetime; delete removes, with or without the prefix length', async () => {
    await rt.addresses.replace({ dev: 'd0', address: '10.0.3.1/24' });
    const jt = ipAddrs('dev', 'd0', 'to', '10.0.3.1')[0]!;
    expect(jt.valid_life_time).toBe(0xffffffff);
    await rt.addresses.delete({ dev: 'd0', address: '10.0.3.1/24' });
    await rt.addresses.delete({ dev: 'd0', address: '10.0.2.1', peer: '10.0.2.2/32' });
    // An IPv4 address without a length: iproute2's wildcard, any prefix length matches.
    await rt.addresses.delete({ dev: 'd0', address: '192.0.2.1' });
    expect(ipAddrs('-4', 'dev', 'd0')).toEqual([]);
    expect(await rt.addresses.list({ dev: 'd0', family: 'inet' })).toEqual([]);
  });

  it('flush removes every address of the device', async () => {
    await rt.addresses.add({ dev: 'd0', address: '198.51.100.1/24' });
    await rt.addresses.add({ dev: 'd0', address: '198.51.100.2/24' });
    const n = await rt.addresses.flush({ dev: 'd0' });
    expect(n).toBeGreaterThanOrEqual(4);
    expect(ipAddrs('dev', 'd0')).toEqual([]);
    expect(ipAddrs('dev', 'lo').length).toBeGreaterThan(0);
  });
});

describe('refusals: the kernel says what ip says', () => {
  it('an IPv4 address that exists', async () => {
    await rt.addresses.add({ dev: 'd0', address: '203.0.113.1/24' });
    const err = await rt.addresses
      .add({ dev: 'd0', address: '203.0.113.1/24' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetlinkError);
    expect((err as NetlinkError).code).toBe('EEXIST');
    expect(asIpPrints((err as NetlinkError).kernelMessage)).toBe(
      ipRefusal('addr', 'add', '203.0.113.1/24', 'dev', 'd0'),
    );
  });

  it('an IPv6 address that exists', async () => {
    await rt.addresses.add({ dev: 'd0', address: '2001:db8:9::1/64', flags: ['nodad'] });
    const err = await rt.addresses
      .add({ dev: 'd0', address: '2001:db8:9::1/64', flags: ['nodad'] })
      .catch((e: unknown) => e);
    expect((err as NetlinkError).code).toBe('EEXIST');
    expect(asIpPrints((err as NetlinkError).kernelMessage)).toBe(
      ipRefusal('addr', 'add', '2001:db8:9::1/64', 'dev', 'd0', 'nodad'),
    );
  });

  it('deleting an address that is not there', async () => {
    const err = await rt.addresses
      .delete({ dev: 'd0', address: '203.0.113.77/24' })
      .catch((e: unknown) => e);
    expect((err as NetlinkError).code).toBe('EADDRNOTAVAIL');
    const text = ipRefusal('addr', 'del', '203.0.113.77/24', 'dev', 'd0');
    expect(
      (err as NetlinkError).kernelMessage === undefined
        ? text === 'RTNETLINK answers: Cannot assign requested address'
        : text === asIpPrints((err as NetlinkError).kernelMessage),
    ).toBe(true);
  });

  it('bad input never reaches the kernel', async () => {
    const before = ipAddrs();
    for (const address of ['203.0.113.5/33', '2001:db8::5/129', '203.0.113']) {
      const err = await rt.addresses.add({ dev: 'd0', address }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(NetlinkEncodeError);
      expect((err as NetlinkEncodeError).path).toBe('address.address');
    }
    expect(ipAddrs()).toEqual(before);
  });
});
