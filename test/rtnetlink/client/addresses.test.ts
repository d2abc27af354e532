// rt.addresses against a fake kernel: the requests it sends (none for bad input), filters,
// decoded addresses, flush and refusals. Replies are built by hand with the byte builder.
import { describe, expect, it } from 'vitest';
import { Connection } from '../../../src/netlink/connection.js';
import { NetlinkEncodeError, type NetlinkError } from '../../../src/netlink/errors.js';
import { RtNetlink } from '../../../src/rtnetlink/client.js';
import { cat, nla, str, u32le, zeros } from '../../helpers/bytes.js';
import {
  ack,
  datagram,
  done,
  FakeKernel,
  type FakeRequest,
  reply,
} from '../../helpers/fake-kernel.js';

// <linux/rtnetlink.h>, <linux/if_addr.h>, <linux/netlink.h>, <errno.h>
const RTM_NEWLINK = 16;
const RTM_GETLINK = 18;
const RTM_NEWADDR = 20;
const RTM_DELADDR = 21;
const RTM_GETADDR = 22;
const NLM_F_REQUEST = 0x1;
const NLM_F_ACK = 0x4;
const NLM_F_DUMP = 0x300;
const IFA_ADDRESS = 1;
const IFA_LOCAL = 2;
const IFA_LABEL = 3;
const IFA_FLAGS = 8;
const IFLA_IFNAME = 3;
const IFA_F_SECONDARY = 0x01;
const IFA_F_NODAD = 0x02;
const IFA_F_PERMANENT = 0x80;
const IFA_F_NOPREFIXROUTE = 0x200;
const RT_SCOPE_HOST = 254;
const RT_SCOPE_LINK = 253;
const ENODEV = 19;
const EEXIST = 17;
const EADDRNOTAVAIL = 99;

interface FakeAddress {
  family: 2 | 10;
  prefixlen: number;
  scope: number;
  index: number;
  local: Buffer;
  peer?: Buffer;
  label?: string;
  flags: number;
}

const ip4 = (...b: number[]) => Buffer.from(b);
const ip6 = (hex: string) => Buffer.from(hex, 'hex');

const TABLE: FakeAddress[] = [
  {
    family: 2,
    prefixlen: 8,
    scope: RT_SCOPE_HOST,
    index: 1,
    local: ip4(127, 0, 0, 1),
    label: 'lo',
    flags: IFA_F_PERMANENT,
  },
  {
    family: 2,
    prefixlen: 24,
    scope: 0,
    index: 2,
    local: ip4(192, 0, 2, 1),
    label: 'br0',
    flags: IFA_F_PERMANENT,
  },
  {
    family: 2,
    prefixlen: 24,
    scope: 0,
    index: 2,
    local: ip4(192, 0, 2, 9),
    label: 'br0:sec',
    flags: IFA_F_PERMANENT | IFA_F_SECONDARY,
  },
  {
    family: 2,
    prefixlen: 32,
    scope: 0,
    index: 2,
    local: ip4(10, 0, 2, 1),
    peer: ip4(10, 0, 2, 2),
    label: 'br0',
    flags: IFA_F_PERMANENT,
  },
  {
    family: 10,
    prefixlen: 64,
    scope: RT_SCOPE_LINK,
    index: 2,
    local: ip6('fe800000000000000000000000000001'),
    flags: IFA_F_PERMANENT | IFA_F_NODAD | IFA_F_NOPREFIXROUTE,
  },
];

/** An RTM_NEWADDR payload as the kernel sends one (IPv6 carries only IFA_ADDRESS, as Linux does). */
function addressPayload(a: FakeAddress): Buffer {
  const head = cat(Buffer.of(a.family, a.prefixlen, a.flags & 0xff, a.scope), u32le(a.index));
  if (a.family === 10) return cat(head, nla(IFA_ADDRESS, a.local), nla(IFA_FLAGS, u32le(a.flags)));
  return cat(
    head,
    nla(IFA_ADDRESS, a.peer ?? a.local),
    nla(IFA_LOCAL, a.local),
    ...(a.label ? [nla(IFA_LABEL, str(a.label))] : []),
    nla(IFA_FLAGS, u32le(a.flags)),
  );
}

function attrs(payload: Buffer, start = 8): Map<number, Buffer> {
  const out = new Map<number, Buffer>();
  for (let off = start; off + 4 <= payload.length; off += (payload.readUInt16LE(off) + 3) & ~3) {
    const len = payload.readUInt16LE(off);
    out.set(payload.readUInt16LE(off + 2) & 0x3fff, payload.subarray(off + 4, off + len));
  }
  return out;
}

/** Knows the device br0 (ifindex 2) and TABLE; deletes answer `onDelete`. */
function fakeKernel(options: { onNew?: number; onDelete?: (req: FakeRequest) => number } = {}) {
  return new FakeKernel((req: FakeRequest) => {
    if (req.type === RTM_GETLINK) {
      const name = attrs(req.payload, 16).get(IFLA_IFNAME)?.toString('utf8').replace(/\0+$/, '');
      if (name !== 'br0') return [ack(req, ENODEV)];
      const link = cat(zeros(4), u32le(2), zeros(8), nla(IFLA_IFNAME, str('br0')));
      return [datagram(reply(req, RTM_NEWLINK, link, 0), ack(req))];
    }
    if (req.type === RTM_GETADDR) {
      return [datagram(...TABLE.map((a) => reply(req, RTM_NEWADDR, addressPayload(a)))), done(req)];
    }
    if (req.type === RTM_DELADDR) return [ack(req, options.onDelete?.(req) ?? 0)];
    if (options.onNew) return [ack(req, options.onNew, { message: 'Address already assigned' })];
    return [ack(req)];
  });
}

function client(kernel: FakeKernel): RtNetlink {
  return RtNetlink.fromConnection(Connection.fromSocket(kernel));
}

describe('addresses.list / iterate', () => {
  it('list(): one RTM_GETADDR dump; addresses with natural values', async () => {
    const k = fakeKernel();
    using rt = client(k);
    const all = await rt.addresses.list();
    expect(k.requests).toHaveLength(1);
    expect(k.requests[0]!.flags).toBe(NLM_F_REQUEST | NLM_F_DUMP);
    expect(k.requests[0]!.payload).toEqual(zeros(8));
    expect(all.map((a) => [a.family, a.index, a.address, a.scope])).toEqual([
      [2, 1, '127.0.0.1/8', 'host'],
      [2, 2, '192.0.2.1/24', 'universe'],
      [2, 2, '192.0.2.9/24', 'universe'],
      [2, 2, '10.0.2.1/32', 'universe'],
      [10, 2, 'fe80::1/64', 'link'],
    ]);
    expect(all[3]!.attributes.address).toBe('10.0.2.2');
    expect(all[4]!.flags).toEqual({
      names: ['nodad', 'permanent', 'noprefixroute'],
      raw: IFA_F_PERMANENT | IFA_F_NODAD | IFA_F_NOPREFIXROUTE,
    });
  });

  it('dev and family go into the dump header; scope, label, address are checked after', async () => {
    const k = fakeKernel();
    using rt = client(k);
    await rt.addresses.list({ dev: 'br0', family: 'inet6' });
    expect(k.requests.map((r) => r.type)).toEqual([RTM_GETLINK, RTM_GETADDR]);
    expect(k.requests[1]!.payload).toEqual(cat(Buffer.of(10, 0, 0, 0), u32le(2)));
    expect((await rt.addresses.list({ scope: 'host' })).map((a) => a.address)).toEqual([
      '127.0.0.1/8',
    ]);
    expect((await rt.addresses.list({ scope: 'global' })).length).toBe(3);
    expect((await rt.addresses.list({ label: 'br0:sec' })).map((a) => a.address)).toEqual([
      '192.0.2.9/24',
    ]);
    expect((await rt.addresses.list({ address: '192.0.2.1' })).length).toBe(1);
    expect((await rt.addresses.list({ address: '192.0.2.1/25' })).length).toBe(0);
    expect((await rt.addresses.list({ address: 'fe80::1/64' })).length).toBe(1);
  });

  it('a bad filter is refused before anything is sent', async () => {
    const k = fakeKernel();
    using rt = client(k);
    const err = await rt.addresses.list({ family: 'ipx' as never }).catch((e: unknown) => e);
    expect((err as NetlinkEncodeError).path).toBe('address.family');
    const err2 = await rt.addresses.list({ address: '10.0.0.1/40' }).catch((e: unknown) => e);
    expect((err2 as NetlinkEncodeError).path).toBe('address.address');
    expect(k.requests).toHaveLength(0);
  });

  it('iterate() streams the same addresses', async () => {
    const k = fakeKernel();
    using rt = client(k);
    const seen: string[] = [];
    for await (const a of rt.addresses.iterate({ family: 'inet' })) seen.push(a.address);
    expect(seen).toHaveLength(4);
  });
});

describe('addresses.add / replace / delete / flush', () => {
  it('add() by device name: one lookup, then RTM_NEWADDR', async () => {
    const k = fakeKernel();
    using rt = client(k);
    await rt.addresses.add({ dev: 'br0', address: '198.51.100.1/24' });
    const req = k.requests[1]!;
    expect(req.type).toBe(RTM_NEWADDR);
    expect(req.payload.subarray(0, 8)).toEqual(cat(Buffer.of(2, 24, 0, 0), u32le(2)));
    expect(attrs(req.payload).get(IFA_LOCAL)).toEqual(ip4(198, 51, 100, 1));
    await rt.addresses.replace({ dev: 2, address: '198.51.100.1/24' });
    expect(k.requests[2]!.flags & 0x500).toBe(0x500);
  });

  it.each([
    ['prefix length 33', { address: '192.0.2.1/33' }, 'address.address'],
    ['prefix length 129', { address: '2001:db8::1/129' }, 'address.address'],
    ['a malformed address', { address: '192.0.2.x/24' }, 'address.address'],
    ['a bad device name', { dev: 'a-very-long-device' }, 'address.dev'],
    ['a label that is too long', { label: 'br0:0123456789ab' }, 'address.label'],
  ])('add() refuses %s and sends nothing', async (_what, spec, path) => {
    const k = fakeKernel();
    using rt = client(k);
    const err = await rt.addresses
      .add({ dev: 'br0', address: '192.0.2.5/24', ...spec })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetlinkEncodeError);
    expect((err as NetlinkEncodeError).code).toBe('BAD_VALUE');
    expect((err as NetlinkEncodeError).path).toBe(path);
    expect(k.requests).toHaveLength(0);
  });

  it('a kernel refusal carries the extended-ack text; a missing device is ENODEV naming it', async () => {
    const k = fakeKernel({ onNew: EEXIST });
    using rt = client(k);
    const err = await rt.addresses.add({ dev: 2, address: '192.0.2.1/24' }).catch((e) => e);
    expect((err as NetlinkError).code).toBe('EEXIST');
    expect((err as NetlinkError).kernelMessage).toBe('Address already assigned');
    const gone = await rt.addresses.add({ dev: 'eth5', address: '192.0.2.1/24' }).catch((e) => e);
    expect((gone as NetlinkError).message).toBe('Cannot find device "eth5" (ENODEV)');
  });

  it('delete(): RTM_DELADDR with the prefix', async () => {
    const k = fakeKernel();
    using rt = client(k);
    await rt.addresses.delete({ dev: 2, address: '192.0.2.1/24' });
    expect(k.requests[0]!.type).toBe(RTM_DELADDR);
    expect(k.requests[0]!.flags).toBe(NLM_F_REQUEST | NLM_F_ACK);
  });

  it('flush() needs a filter, deletes what matches, and shrugs off secondaries already gone', async () => {
    const k = fakeKernel({
      onDelete: (req) =>
        attrs(req.payload)
          .get(IFA_LOCAL)
          ?.equals(ip4(192, 0, 2, 9))
          ? EADDRNOTAVAIL
          : 0,
    });
    using rt = client(k);
    const err = await rt.addresses.flush({}).catch((e: unknown) => e);
    expect((err as NetlinkEncodeError).path).toBe('address.filter');
    expect(k.requests).toHaveLength(0);
    expect(await rt.addresses.flush({ dev: 2, family: 'inet' })).toBe(3);
    const dels = k.requests.filter((r) => r.type === RTM_DELADDR);
    expect(dels).toHaveLength(3);
    // The point-to-point address is deleted with its peer as IFA_ADDRESS.
    const p2p = dels.find((r) =>
      attrs(r.payload)
        .get(IFA_LOCAL)
        ?.equals(ip4(10, 0, 2, 1)),
    )!;
    expect(attrs(p2p.payload).get(IFA_ADDRESS)).toEqual(ip4(10, 0, 2, 2));
    expect(p2p.payload.subarray(0, 8)).toEqual(cat(Buffer.of(2, 32, 0, 0), u32le(2)));
  });
});
