// createVethPair and moveLink against the live kernel, in namespaces this file makes (anonymous
// ones held by fds, and named ones with unique names, deleted afterwards). Every result is read
// back with `ip -j` inside each namespace: iproute2 is the oracle. The leak guard checks that no
// namespace, mount, fd or process is left.
import { execFileSync, spawnSync } from 'node:child_process';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { NetlinkEncodeError, NetlinkError } from '../../src/netlink/errors.js';
import { addNamedNetns, createNetns, deleteNamedNetns, type Netns } from '../../src/ns/index.js';
import { createVethPair, moveLink } from '../../src/ns/veth.js';
import { RtNetlink } from '../../src/rtnetlink/client.js';
import { leakGuard, namer, sleeperIn } from './leaks.js';

const uniqueName = namer('veth');
let guard: ReturnType<typeof leakGuard>;
let a: Netns;
let b: Netns;

const nsPath = (n: Netns) => `/proc/${process.pid}/fd/${n.fd}`;
/** `ip ARGS` inside `n` (a Netns, entered with nsenter, or a name, with `ip -n`). */
function ipIn(n: Netns | string, ...args: string[]): string {
  const argv =
    typeof n === 'string'
      ? ['ip', '-n', n, ...args]
      : ['nsenter', `--net=${nsPath(n)}`, 'ip', ...args];
  return execFileSync(argv[0]!, argv.slice(1), {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

interface IpLink {
  ifindex: number;
  ifname: string;
  flags: string[];
  mtu: number;
  address?: string;
  master?: string;
  link_netnsid?: number;
  link_index?: number;
  link?: string;
  linkinfo?: { info_kind?: string };
}
const links = (n: Netns | string): IpLink[] => JSON.parse(ipIn(n, '-j', '-d', 'link', 'show'));
const linkOf = (n: Netns | string, name: string): IpLink | undefined =>
  links(n).find((l) => l.ifname === name);
const names = (n: Netns | string) => links(n).map((l) => l.ifname);

/** The netlink attributes of `buf` from `start`, by type (nested flag bits masked off). */
function tlv(buf: Buffer, start: number): Map<number, Buffer> {
  const out = new Map<number, Buffer>();
  for (let off = start; off + 4 <= buf.length; ) {
    const len = buf.readUInt16LE(off);
    if (len < 4) break;
    out.set(buf.readUInt16LE(off + 2) & 0x3fff, buf.subarray(off + 4, off + len));
    off += (len + 3) & ~3;
  }
  return out;
}

beforeAll(() => {
  guard = leakGuard();
});
afterAll(() => {
  guard.check();
});
beforeEach(() => {
  a = createNetns();
  b = createNetns();
});
afterEach(() => {
  a.close();
  b.close();
});

describe('createVethPair', () => {
  it('makes the peer directly inside the other namespace, both ends up, with MTU and MAC', async () => {
    await createVethPair({
      netns: a,
      name: 'va',
      up: true,
      mtu: 1400,
      address: '02:00:00:00:0a:01',
      peer: { name: 'vb', netns: b, up: true, mtu: 1300, address: '02:00:00:00:0b:01' },
    });
    const here = linkOf(a, 'va')!;
    const there = linkOf(b, 'vb')!;
    expect(here.linkinfo?.info_kind).toBe('veth');
    expect(there.linkinfo?.info_kind).toBe('veth');
    expect([here.mtu, here.address, here.flags.includes('UP')]).toEqual([
      1400,
      '02:00:00:00:0a:01',
      true,
    ]);
    expect([there.mtu, there.address, there.flags.includes('UP')]).toEqual([
      1300,
      '02:00:00:00:0b:01',
      true,
    ]);
    // Each end's peer is the other: ip shows the peer's ifindex and that it is in another namespace.
    expect(here.link_index).toBe(there.ifindex);
    expect(there.link_index).toBe(here.ifindex);
    expect(here.link_netnsid).toBeTypeOf('number');
    // Both ends up in both namespaces: carrier on each side.
    expect(here.flags).toContain('LOWER_UP');
    expect(there.flags).toContain('LOWER_UP');
    expect(names(a)).toEqual(['lo', 'va']);
    expect(names(b)).toEqual(['lo', 'vb']);
  });

  it('one request: the peer goes straight into the other namespace (IFLA_NET_NS_FD in VETH_INFO_PEER)', async () => {
    const rt = await RtNetlink.open({ netns: a });
    const sent: { type: number; payload: Buffer }[] = [];
    try {
      const conn = rt.connection as unknown as {
        request: (type: number, payload: unknown, ...rest: unknown[]) => Promise<unknown>;
      };
      const original = conn.request.bind(conn);
      conn.request = (type, payload, ...rest) => {
        sent.push({ type, payload: Buffer.from(payload as Uint8Array) });
        return original(type, payload, ...rest);
      };
      await createVethPair({ name: 'v1', peer: { name: 'v2', netns: b } }, { via: rt });
    } finally {
      rt.close();
    }
    // One RTM_NEWLINK (16, <linux/rtnetlink.h>), nothing to move the peer afterwards.
    expect(sent.map((m) => m.type)).toEqual([16]);
    // IFLA_LINKINFO (18) → IFLA_INFO_DATA (2) → VETH_INFO_PEER (1): a 16-byte ifinfomsg, then
    // the peer's attributes, which carry IFLA_NET_NS_FD (28) and IFLA_IFNAME (3) "v2".
    const info = tlv(sent[0]!.payload, 16).get(18)!;
    const peer = tlv(tlv(info, 0).get(2)!, 0).get(1)!;
    const peerAttrs = tlv(peer, 16);
    expect(peerAttrs.get(28)?.length).toBe(4);
    expect(peerAttrs.get(3)?.toString()).toBe('v2\0');
    expect(linkOf(a, 'v2')).toBeUndefined();
    expect(linkOf(b, 'v2')?.flags).not.toContain('UP');
  });

  it('enslaves the first end to a bridge in the create request (master), via a client', async () => {
    ipIn(a, 'link', 'add', 'br0', 'up', 'type', 'bridge');
    const rt = await RtNetlink.open({ netns: a });
    const peerRt = await RtNetlink.open({ netns: b });
    try {
      await createVethPair(
        { name: 'p0', master: 'br0', up: true, peer: { name: 'eth0', netns: b, up: true } },
        { via: rt, peerVia: peerRt },
      );
    } finally {
      rt.close();
      peerRt.close();
    }
    expect(linkOf(a, 'p0')?.master).toBe('br0');
    expect(linkOf(a, 'p0')?.flags).toContain('UP');
    expect(linkOf(b, 'eth0')?.flags).toContain('UP');
  });

  it('both ends in one namespace, the peer up too', async () => {
    await createVethPair({ netns: a, name: 'x0', up: true, peer: { name: 'x1', up: true } });
    expect(linkOf(a, 'x0')?.flags).toContain('UP');
    expect(linkOf(a, 'x1')?.flags).toContain('UP');
    // In one namespace ip names the peer (`x0@x1`) instead of giving its ifindex.
    expect(linkOf(a, 'x0')?.link).toBe('x1');
    expect(linkOf(a, 'x1')?.link).toBe('x0');
  });

  it('peer namespace by name (/run/netns) and by { pid }', async () => {
    const name = uniqueName();
    addNamedNetns(name);
    const sleeper = await sleeperIn(nsPath(b));
    try {
      await createVethPair({ netns: a, name: 'n0', peer: { name: 'n1', netns: name, up: true } });
      await createVethPair({
        netns: a,
        name: 'p0',
        peer: { name: 'p1', netns: { pid: sleeper.pid } },
      });
      expect(linkOf(name, 'n1')?.flags).toContain('UP');
      expect(linkOf(b, 'p1')).toBeDefined();
      expect(names(a)).toEqual(['lo', 'n0', 'p0']);
    } finally {
      await sleeper.stop();
      deleteNamedNetns(name);
    }
  });

  it('the kernel refuses a peer that is up in the create request (ENOTCONN), so it is a second request', () => {
    // iproute2 sends the peer's IFF_UP in the create request, and the kernel refuses it: why
    // createVethPair brings the peer up afterwards.
    const r = spawnSync(
      'nsenter',
      [`--net=${nsPath(a)}`, 'ip', 'link', 'add', 'q0', 'type', 'veth', 'peer', 'name', 'q1', 'up'],
      { encoding: 'utf8' },
    );
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/Transport endpoint is not connected/);
    expect(names(a)).toEqual(['lo']);
  });

  it('a name in use: the kernel’s EEXIST, and nothing half-made', async () => {
    ipIn(b, 'link', 'add', 'taken', 'type', 'ifb');
    const err = await createVethPair({
      netns: a,
      name: 'free',
      peer: { name: 'taken', netns: b },
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetlinkError);
    expect((err as NetlinkError).code).toBe('EEXIST');
    expect(names(a)).toEqual(['lo']);
    expect(names(b)).toEqual(['lo', 'taken']);
  });

  it.each([
    [{ name: 'bad name', peer: { name: 'ok' } }, 'link.name'],
    [{ name: 'ok', peer: { name: 'x'.repeat(16) } }, 'link.peer.name'],
    [{ name: 'ok', peer: {} }, 'veth.peer.name'],
    [{ name: 'ok', mtu: -1, peer: { name: 'p' } }, 'link.mtu'],
    [{ name: 'ok', peer: { name: 'p', address: 'zz' } }, 'link.peer.address'],
    [{ name: 'ok', peer: { name: 'p', up: 'yes' } }, 'veth.peer.up'],
    [{ name: 'ok', peer: { name: 'p', colour: 1 } }, 'veth.peer.colour'],
    [{ name: 'ok', master: '', peer: { name: 'p' } }, 'veth.master'],
  ])('refuses %j before anything is sent (%s)', async (spec, path) => {
    const err = await createVethPair({ netns: a, ...spec } as never).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetlinkEncodeError);
    expect((err as NetlinkEncodeError).code).toBe('BAD_VALUE');
    expect((err as NetlinkEncodeError).path).toBe(path);
    expect(names(a)).toEqual(['lo']);
  });

  it('refuses both netns and via', async () => {
    const rt = await RtNetlink.open({ netns: a });
    try {
      const err = await createVethPair(
        { netns: a, name: 'v', peer: { name: 'w' } },
        { via: rt },
      ).catch((e: unknown) => e);
      expect((err as NetlinkEncodeError).path).toBe('veth.netns');
    } finally {
      rt.close();
    }
  });
});

describe('moveLink', () => {
  it('moves a link into a namespace given as a Netns, renamed and up in the same request', async () => {
    ipIn(a, 'link', 'add', 'ifb0', 'type', 'ifb');
    await moveLink('ifb0', b, { from: a, name: 'moved', up: true });
    expect(linkOf(a, 'ifb0')).toBeUndefined();
    const there = linkOf(b, 'moved')!;
    expect(there.flags).toContain('UP');
  });

  it('keeps it down by default (a move leaves a link down, as ip link set netns does)', async () => {
    ipIn(a, 'link', 'add', 'ifb1', 'up', 'type', 'ifb');
    await moveLink('ifb1', b, { from: a });
    expect(linkOf(b, 'ifb1')?.flags).not.toContain('UP');
  });

  it('by name, by { pid }, by path and by descriptor; from a client; by ifindex', async () => {
    const name = uniqueName();
    addNamedNetns(name);
    const sleeper = await sleeperIn(nsPath(b));
    const rt = await RtNetlink.open({ netns: a });
    try {
      for (const dev of ['m0', 'm1', 'm2', 'm3']) ipIn(a, 'link', 'add', dev, 'type', 'ifb');
      await moveLink('m0', name, { from: rt });
      await moveLink('m1', { pid: sleeper.pid }, { from: rt });
      await moveLink('m2', nsPath(b), { from: rt });
      await moveLink(linkOf(a, 'm3')!.ifindex, b.fd, { from: rt });
      expect(names(a)).toEqual(['lo']);
      expect(names(name)).toEqual(['lo', 'm0']);
      expect(names(b)).toEqual(['lo', 'm1', 'm2', 'm3']);
    } finally {
      rt.close();
      await sleeper.stop();
      deleteNamedNetns(name);
    }
  });

  it('a device that does not exist: ENODEV naming it', async () => {
    const err = await moveLink('nothere', b, { from: a }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetlinkError);
    expect((err as NetlinkError).code).toBe('ENODEV');
    expect((err as Error).message).toContain('nothere');
  });

  it('a name taken over there: EEXIST, and the link stays where it was', async () => {
    ipIn(a, 'link', 'add', 'dup', 'type', 'ifb');
    ipIn(b, 'link', 'add', 'dup', 'type', 'ifb');
    const err = await moveLink('dup', b, { from: a }).catch((e: unknown) => e);
    expect((err as NetlinkError).code).toBe('EEXIST');
    expect(names(a)).toEqual(['lo', 'dup']);
  });

  it.each([
    ['bad/name', {}, 'moveLink.dev'],
    ['ok', { name: 'bad name' }, 'link.name'],
    ['ok', { up: 1 }, 'link.up'],
    ['ok', { colour: 1 }, 'moveLink.options.colour'],
  ])('refuses %s %j before anything is sent (%s)', async (dev, options, path) => {
    const err = await moveLink(dev, b, { from: a, ...options } as never).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetlinkEncodeError);
    expect((err as NetlinkEncodeError).path).toBe(path);
  });
});
