// rt.links against a fake kernel: the requests it sends (and that it sends none for bad input),
// how it resolves names, what it makes of the replies and of refusals. Replies are built by hand
// with the independent byte builder.
import { readdirSync, readlinkSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Connection } from '../../../src/netlink/connection.js';
import { NetlinkEncodeError, NetlinkError } from '../../../src/netlink/errors.js';
import { RtNetlink } from '../../../src/rtnetlink/client.js';
import { cat, nla, str, u8, u32le, utf8, zeros } from '../../helpers/bytes.js';
import {
  ack,
  datagram,
  done,
  FakeKernel,
  type FakeRequest,
  reply,
} from '../../helpers/fake-kernel.js';

// <linux/rtnetlink.h>, <linux/if_link.h>, <linux/if.h>, <linux/if_arp.h>, <linux/netlink.h>
const RTM_NEWLINK = 16;
const RTM_DELLINK = 17;
const RTM_GETLINK = 18;
const NLM_F_REQUEST = 0x1;
const NLM_F_ACK = 0x4;
const NLM_F_DUMP = 0x300;
const NLM_F_EXCL = 0x200;
const NLM_F_CREATE = 0x400;
const IFLA_IFNAME = 3;
const IFLA_MASTER = 10;
const IFLA_LINKINFO = 18;
const IFLA_INFO_KIND = 1;
const IFLA_NET_NS_PID = 19;
const IFLA_GROUP = 27;
const IFLA_NET_NS_FD = 28;
const IFLA_EXT_MASK = 29;
const IFF_UP = 0x1;
const IFF_LOOPBACK = 0x8;
const IFF_BROADCAST = 0x2;
const IFF_MULTICAST = 0x1000;
const ARPHRD_ETHER = 1;
const ARPHRD_LOOPBACK = 772;
const AF_PACKET = 17;
const RTEXT_FILTER_VF = 1;
const RTEXT_FILTER_SKIP_STATS = 8;
const ENODEV = 19;
const EEXIST = 17;

interface FakeLink {
  index: number;
  name: string;
  flags: number;
  type: number;
  kind?: string;
  master?: number;
  group?: number;
}

const TABLE: FakeLink[] = [
  { index: 1, name: 'lo', flags: IFF_UP | IFF_LOOPBACK, type: ARPHRD_LOOPBACK },
  {
    index: 2,
    name: 'br0',
    flags: IFF_UP | IFF_BROADCAST | IFF_MULTICAST,
    type: ARPHRD_ETHER,
    kind: 'bridge',
    group: 5,
  },
  {
    index: 3,
    name: 'veth0',
    flags: IFF_BROADCAST | IFF_MULTICAST,
    type: ARPHRD_ETHER,
    kind: 'veth',
    master: 2,
  },
];

/** struct ifinfomsg by hand. */
function ifinfomsg(index: number, flags = 0, change = 0, type = 0, family = 0): Buffer {
  const b = zeros(16);
  b[0] = family;
  b.writeUInt16LE(type, 2);
  b.writeInt32LE(index, 4);
  b.writeUInt32LE(flags, 8);
  b.writeUInt32LE(change, 12);
  return b;
}

/** An RTM_NEWLINK payload as the kernel sends one (the attributes a test looks at). */
function linkPayload(l: FakeLink): Buffer {
  return cat(
    ifinfomsg(l.index, l.flags, 0, l.type),
    nla(IFLA_IFNAME, str(l.name)),
    ...(l.master ? [nla(IFLA_MASTER, u32le(l.master))] : []),
    nla(IFLA_GROUP, u32le(l.group ?? 0)),
    ...(l.kind ? [nla(IFLA_LINKINFO, nla(IFLA_INFO_KIND, str(l.kind)))] : []),
  );
}

/** The attributes of a request payload after its 16-byte ifinfomsg: type → payload. */
function attrs(payload: Buffer, start = 16): Map<number, Buffer> {
  const out = new Map<number, Buffer>();
  for (let off = start; off + 4 <= payload.length; off += (payload.readUInt16LE(off) + 3) & ~3) {
    const len = payload.readUInt16LE(off);
    out.set(payload.readUInt16LE(off + 2) & 0x3fff, payload.subarray(off + 4, off + len));
  }
  return out;
}

/** A fake kernel that knows TABLE: get by index or name, dumps, and acks (or `refuse`s) changes. */
function fakeKernel(refuse?: { errno: number; message?: string }) {
  return new FakeKernel((req: FakeRequest) => {
    if (req.type === RTM_GETLINK && (req.flags & NLM_F_DUMP) === NLM_F_DUMP) {
      return [datagram(...TABLE.map((l) => reply(req, RTM_NEWLINK, linkPayload(l)))), done(req)];
    }
    if (req.type === RTM_GETLINK) {
      const index = req.payload.readInt32LE(4);
      const name = attrs(req.payload).get(IFLA_IFNAME)?.toString('utf8').replace(/\0+$/, '');
      const l = TABLE.find((x) => (index ? x.index === index : x.name === name));
      if (!l) return [ack(req, ENODEV)];
      return [datagram(reply(req, RTM_NEWLINK, linkPayload(l), 0), ack(req))];
    }
    if (refuse) return [ack(req, refuse.errno, refuse.message ? { message: refuse.message } : {})];
    return [ack(req)];
  });
}

function client(kernel: FakeKernel): RtNetlink {
  return RtNetlink.fromConnection(Connection.fromSocket(kernel));
}

function sent(kernel: FakeKernel, type: number): FakeRequest[] {
  return kernel.requests.filter((r) => r.type === type);
}

describe('links.list / iterate / get / index', () => {
  it('list(): one dump as `ip link show` sends it; links with natural values', async () => {
    const k = fakeKernel();
    using rt = client(k);
    const links = await rt.links.list();
    expect(k.requests).toHaveLength(1);
    const req = k.requests[0]!;
    expect(req.type).toBe(RTM_GETLINK);
    expect(req.flags).toBe(NLM_F_REQUEST | NLM_F_DUMP);
    expect(req.payload).toEqual(
      cat(ifinfomsg(0, 0, 0, 0, AF_PACKET), nla(IFLA_EXT_MASK, u32le(1))),
    );
    expect(links.map((l) => [l.index, l.name, l.kind, l.type])).toEqual([
      [1, 'lo', undefined, 'loopback'],
      [2, 'br0', 'bridge', 'ether'],
      [3, 'veth0', 'veth', 'ether'],
    ]);
    expect(links[0]!.flags).toEqual({ names: ['up', 'loopback'], raw: IFF_UP | IFF_LOOPBACK });
    expect(links[2]!.attributes.master).toBe(2);
    expect('kind' in links[0]!).toBe(false);
  });

  it('master and kind go into the dump request (the master named by name is resolved first)', async () => {
    const k = fakeKernel();
    using rt = client(k);
    await rt.links.list({ master: 'br0', kind: 'veth' });
    expect(k.requests.map((r) => r.flags & NLM_F_DUMP)).toEqual([0, NLM_F_DUMP]);
    expect(k.requests[1]!.payload).toEqual(
      cat(
        ifinfomsg(0, 0, 0, 0, AF_PACKET),
        nla(IFLA_EXT_MASK, u32le(1)),
        nla(IFLA_MASTER, u32le(2)),
        nla(IFLA_LINKINFO, nla(IFLA_INFO_KIND, utf8('veth'))),
      ),
    );
  });

  it('up, group and master: null are filtered after decoding (the request has no filter)', async () => {
    const k = fakeKernel();
    using rt = client(k);
    expect((await rt.links.list({ up: true })).map((l) => l.name)).toEqual(['lo', 'br0']);
    expect((await rt.links.list({ up: false })).map((l) => l.name)).toEqual(['veth0']);
    expect((await rt.links.list({ group: 5 })).map((l) => l.name)).toEqual(['br0']);
    expect((await rt.links.list({ master: null })).map((l) => l.name)).toEqual(['lo', 'br0']);
    for (const r of k.requests) expect(r.payload.length).toBe(24);
  });

  it('iterate() yields the same links and may stop early', async () => {
    const k = fakeKernel();
    using rt = client(k);
    const names: string[] = [];
    for await (const l of rt.links.iterate()) {
      names.push(l.name);
      if (l.name === 'br0') break;
    }
    expect(names).toEqual(['lo', 'br0']);
    expect((await rt.links.list()).length).toBe(3);
  });

  it('get() by name and by index', async () => {
    const k = fakeKernel();
    using rt = client(k);
    expect((await rt.links.get('br0')).index).toBe(2);
    expect((await rt.links.get(3)).name).toBe('veth0');
    // `ip link show dev br0`: AF_PACKET, the name, IFLA_EXT_MASK RTEXT_FILTER_VF.
    expect(k.requests[0]!.payload).toEqual(
      cat(
        ifinfomsg(0, 0, 0, 0, AF_PACKET),
        nla(IFLA_IFNAME, str('br0')),
        nla(IFLA_EXT_MASK, u32le(RTEXT_FILTER_VF)),
      ),
    );
    expect(k.requests[1]!.payload).toEqual(
      cat(ifinfomsg(3, 0, 0, 0, AF_PACKET), nla(IFLA_EXT_MASK, u32le(RTEXT_FILTER_VF))),
    );
  });

  it('get() of a missing device: NetlinkError ENODEV naming it', async () => {
    const k = fakeKernel();
    using rt = client(k);
    const err = await rt.links.get('eth9').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetlinkError);
    expect((err as NetlinkError).code).toBe('ENODEV');
    expect((err as NetlinkError).message).toBe('Cannot find device "eth9" (ENODEV)');
    const byIndex = await rt.links.get(42).catch((e: unknown) => e);
    expect((byIndex as NetlinkError).message).toContain('ifindex 42');
  });

  it('index(): a number costs nothing, a name one request', async () => {
    const k = fakeKernel();
    using rt = client(k);
    expect(await rt.links.index(17)).toBe(17);
    expect(k.requests).toHaveLength(0);
    expect(await rt.links.index('veth0')).toBe(3);
    expect(k.requests).toHaveLength(1);
    // iproute2's lookup (ll_link_get): statistics left out.
    expect(k.requests[0]!.payload).toEqual(
      cat(
        ifinfomsg(0),
        nla(IFLA_EXT_MASK, u32le(RTEXT_FILTER_VF | RTEXT_FILTER_SKIP_STATS)),
        nla(IFLA_IFNAME, str('veth0')),
      ),
    );
  });
});

describe('links.add / set / delete', () => {
  it('add(): names resolved, then one RTM_NEWLINK with CREATE|EXCL', async () => {
    const k = fakeKernel();
    using rt = client(k);
    await rt.links.add({ name: 'v1', kind: 'veth', master: 'br0', peer: { name: 'v1p' } });
    const [req] = sent(k, RTM_NEWLINK);
    expect(req!.flags).toBe(NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
    const a = attrs(req!.payload);
    expect(a.get(IFLA_MASTER)).toEqual(u32le(2));
    expect(a.get(IFLA_IFNAME)).toEqual(str('v1'));
  });

  it('add() moves into a namespace by pid, or by a path it opens and closes again', async () => {
    const k = fakeKernel();
    using rt = client(k);
    await rt.links.add({ name: 'v2', kind: 'veth', netns: { pid: 1234 } });
    expect(attrs(sent(k, RTM_NEWLINK)[0]!.payload).get(IFLA_NET_NS_PID)).toEqual(u32le(1234));
    const before = new Set(readdirSync('/proc/self/fd'));
    await rt.links.add({ name: 'v3', kind: 'veth', netns: '/proc/self/ns/net' });
    const fd = attrs(sent(k, RTM_NEWLINK)[1]!.payload).get(IFLA_NET_NS_FD)!.readUInt32LE(0);
    expect(fd).toBeGreaterThan(2);
    // The descriptor it opened is closed once the request is answered.
    const after = readdirSync('/proc/self/fd').filter((f) => !before.has(f));
    expect(
      after.map((f) => readlinkSync(`/proc/self/fd/${f}`, { encoding: 'utf8' })),
    ).not.toContain(readlinkSync('/proc/self/ns/net'));
  });

  it.each([
    ['a name longer than 15 bytes', { name: 'a-very-long-name', kind: 'veth' }, 'link.name'],
    ['a negative mtu', { name: 'x', kind: 'bridge', mtu: -1, master: 'br0' }, 'link.mtu'],
    [
      'an unknown kind option (before resolving the master)',
      { name: 'vx', kind: 'vxlan', master: 'br0', data: { id: 1, bogus: 1 } },
      'link.data(vxlan).bogus',
    ],
    ['a bad MAC', { name: 'x', kind: 'bridge', address: '00:11:22' }, 'link.address'],
    ['a bad master name', { name: 'x', kind: 'bridge', master: 'no/slash' }, 'link.master'],
  ])('add() refuses %s and sends nothing', async (_what, spec, path) => {
    const k = fakeKernel();
    using rt = client(k);
    const err = await rt.links.add(spec as never).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetlinkEncodeError);
    expect((err as NetlinkEncodeError).code).toBe('BAD_VALUE');
    expect((err as NetlinkEncodeError).path).toBe(path);
    expect(k.requests).toHaveLength(0);
  });

  it('kind data is typed by kind, and checked at run time too', async () => {
    const k = fakeKernel();
    using rt = client(k);
    await rt.links.add({ name: 'vx0', kind: 'vxlan', data: { id: 42, port: 4789 } });
    // @ts-expect-error: a vxlan has no option "colour"
    const typo = rt.links.add({ name: 'vx1', kind: 'vxlan', data: { colour: 'red' } });
    await expect(typo).rejects.toThrow(NetlinkEncodeError);
    expect(sent(k, RTM_NEWLINK)).toHaveLength(1);
  });

  it('add() with a master that does not exist: ENODEV naming it, no RTM_NEWLINK', async () => {
    const k = fakeKernel();
    using rt = client(k);
    const err = await rt.links.add({ name: 'x', kind: 'bridge', master: 'nosuch' }).catch((e) => e);
    expect((err as NetlinkError).code).toBe('ENODEV');
    expect((err as Error).message).toContain('"nosuch"');
    expect(sent(k, RTM_NEWLINK)).toHaveLength(0);
  });

  it('a kernel refusal surfaces with its extended-ack text', async () => {
    const k = fakeKernel({ errno: EEXIST, message: 'Interface already exists' });
    using rt = client(k);
    const err = await rt.links.add({ name: 'br0', kind: 'bridge' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetlinkError);
    expect((err as NetlinkError).code).toBe('EEXIST');
    expect((err as NetlinkError).kernelMessage).toBe('Interface already exists');
  });

  it('set(): by name, header flags, nomaster', async () => {
    const k = fakeKernel();
    using rt = client(k);
    await rt.links.set('veth0', { up: true, master: null, mtu: 1400 });
    const [req] = sent(k, RTM_NEWLINK);
    expect(req!.flags).toBe(NLM_F_REQUEST | NLM_F_ACK);
    expect(req!.payload.subarray(0, 16)).toEqual(ifinfomsg(3, IFF_UP, IFF_UP));
    expect(attrs(req!.payload).get(IFLA_MASTER)).toEqual(u32le(0));
  });

  it('set() refuses a fractional mtu and sends nothing; a missing device is ENODEV', async () => {
    const k = fakeKernel();
    using rt = client(k);
    const err = await rt.links.set('br0', { mtu: 1400.5 }).catch((e: unknown) => e);
    expect((err as NetlinkEncodeError).path).toBe('link.mtu');
    expect(k.requests).toHaveLength(0);
    const gone = await rt.links.set('eth7', { up: true }).catch((e: unknown) => e);
    expect((gone as NetlinkError).message).toBe('Cannot find device "eth7" (ENODEV)');
  });

  it('delete(): by name, by index, by group', async () => {
    const k = fakeKernel();
    using rt = client(k);
    await rt.links.delete('veth0');
    await rt.links.delete(2);
    await rt.links.delete({ group: 5 });
    const dels = sent(k, RTM_DELLINK);
    expect(dels.map((r) => r.payload.toString('hex'))).toEqual([
      ifinfomsg(3).toString('hex'),
      ifinfomsg(2).toString('hex'),
      cat(ifinfomsg(0), nla(IFLA_GROUP, u32le(5))).toString('hex'),
    ]);
  });

  it('carrier is a u8 attribute', async () => {
    const k = fakeKernel();
    using rt = client(k);
    await rt.links.set(2, { carrier: false });
    expect(attrs(sent(k, RTM_NEWLINK)[0]!.payload).get(33)).toEqual(u8(0));
  });
});
