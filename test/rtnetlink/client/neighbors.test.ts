// rt.neighbors on a fake kernel: the bytes each call sends (built here by hand), validation
// before anything is sent, kernel refusals, and decoding of captured kernel dumps checked
// against what `ip -j neigh show` printed for the same state.
import { describe, expect, it } from 'vitest';
import { Connection } from '../../../src/netlink/connection.js';
import { NetlinkEncodeError, NetlinkError } from '../../../src/netlink/errors.js';
import type { Neighbor, NeighborSpecInput } from '../../../src/rtnetlink/api/neighbors.js';
import { RtNetlink } from '../../../src/rtnetlink/client.js';
import { cat, nla, str, u16le, u32le } from '../../helpers/bytes.js';
import { ack, done, FakeKernel, type FakeRequest, reply } from '../../helpers/fake-kernel.js';
import { loadFixture } from '../../helpers/fixtures.js';

// <linux/rtnetlink.h>, <linux/netlink.h>, <linux/neighbour.h>
const RTM_NEWLINK = 16;
const RTM_GETLINK = 18;
const RTM_NEWNEIGH = 28;
const RTM_DELNEIGH = 29;
const RTM_GETNEIGH = 30;
const NLM_F_REQUEST = 0x1;
const NLM_F_ACK = 0x4;
const NLM_F_DUMP = 0x300;
const NLM_F_REPLACE = 0x100;
const NLM_F_EXCL = 0x200;
const NLM_F_CREATE = 0x400;
const NDA_DST = 1;
const NDA_LLADDR = 2;
const NDA_IFINDEX = 8;
const NDA_MASTER = 9;
const NUD_REACHABLE = 0x02;
const NUD_STALE = 0x04;
const NUD_PERMANENT = 0x80;
const NTF_PROXY = 0x08;
const EEXIST = 17;
const AF_INET = 2;
const AF_INET6 = 10;

/** struct ndmsg, field by field (the pads are zero). */
function ndmsg(family: number, ifindex: number, state: number, flags = 0, type = 0): Buffer {
  return cat(Buffer.of(family, 0), u16le(0), u32le(ifindex), u16le(state), Buffer.of(flags, type));
}

function client(handler?: (req: FakeRequest, k: FakeKernel) => Buffer[] | undefined) {
  const kernel = new FakeKernel(handler);
  return { kernel, rt: RtNetlink.fromConnection(Connection.fromSocket(kernel)) };
}

function withLink(name: string, index: number, rest = (req: FakeRequest) => [ack(req)]) {
  return (req: FakeRequest): Buffer[] => {
    if (req.type !== RTM_GETLINK) return rest(req);
    const ifinfomsg = cat(Buffer.of(0, 0), u16le(1), u32le(index), u32le(0x1003), u32le(0));
    return [reply(req, RTM_NEWLINK, cat(ifinfomsg, nla(3, str(name))), 0), ack(req)];
  };
}

function replay(name: string) {
  const datagrams = loadFixture(name).messages;
  return (req: FakeRequest): Buffer[] =>
    datagrams.map((d) => {
      const out = Buffer.from(d);
      for (let off = 0; off + 16 <= out.length; ) {
        const len = out.readUInt32LE(off);
        out.writeUInt32LE(req.seq, off + 8);
        out.writeUInt32LE(req.pid, off + 12);
        off += (len + 3) & ~3;
      }
      return out;
    });
}

const mac = (...b: number[]) => Buffer.of(...b);

describe('neighbors.add / replace / delete: the bytes sent', () => {
  it('add: a permanent entry by default', async () => {
    const { kernel, rt } = client();
    await rt.neighbors.add({ dst: '192.0.2.5', lladdr: '02:00:00:00:00:05', dev: 4 });
    const [req] = kernel.requests;
    expect(req!.type).toBe(RTM_NEWNEIGH);
    expect(req!.flags).toBe(NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
    expect(req!.payload).toEqual(
      cat(
        ndmsg(AF_INET, 4, NUD_PERMANENT),
        nla(NDA_DST, Buffer.of(192, 0, 2, 5)),
        nla(NDA_LLADDR, mac(2, 0, 0, 0, 0, 5)),
      ),
    );
  });

  it('replace with a state and a device name', async () => {
    const { kernel, rt } = client(withLink('eth1', 9));
    await rt.neighbors.replace({
      dst: '2001:db8::5',
      lladdr: '02:00:00:00:00:25',
      dev: 'eth1',
      state: 'stale',
      router: true,
    });
    expect(kernel.requests.map((r) => r.type)).toEqual([RTM_GETLINK, RTM_NEWNEIGH]);
    const req = kernel.requests[1]!;
    expect(req.flags).toBe(NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE);
    expect(req.payload.subarray(0, 12)).toEqual(ndmsg(AF_INET6, 9, NUD_STALE, 0x80));
  });

  it('several states as a list', async () => {
    const { kernel, rt } = client();
    await rt.neighbors.add({ dst: '192.0.2.5', dev: 4, state: ['reachable', 'stale'] });
    expect(kernel.requests[0]!.payload.subarray(0, 12)).toEqual(
      ndmsg(AF_INET, 4, NUD_REACHABLE | NUD_STALE),
    );
  });

  it('delete of a proxy entry keeps NTF_PROXY', async () => {
    const { kernel, rt } = client();
    const entry: Neighbor = {
      family: AF_INET,
      ifindex: 3,
      state: { names: ['none'], raw: 0 },
      flags: { names: ['proxy'], raw: NTF_PROXY },
      type: 'unspec',
      dst: '192.0.2.9',
      attributes: { dst: '192.0.2.9' },
    };
    await rt.neighbors.delete(entry);
    const [req] = kernel.requests;
    expect(req!.type).toBe(RTM_DELNEIGH);
    expect(req!.flags).toBe(NLM_F_REQUEST | NLM_F_ACK);
    expect(req!.payload).toEqual(
      cat(ndmsg(AF_INET, 3, NUD_PERMANENT, NTF_PROXY), nla(NDA_DST, Buffer.of(192, 0, 2, 9))),
    );
  });
});

describe('neighbors: bad input is refused before anything is sent', () => {
  const cases: [string, NeighborSpecInput, string][] = [
    ['a malformed address', { dst: '192.0.2.256', dev: 2 }, 'neighbor.dst'],
    ['a prefix instead of an address', { dst: '192.0.2.0/24', dev: 2 }, 'neighbor.dst'],
    [
      'a MAC of the wrong form',
      { dst: '192.0.2.1', dev: 2, lladdr: '02:00:zz' },
      'neighbor.lladdr',
    ],
    [
      'a MAC with a 3-digit byte',
      { dst: '192.0.2.1', dev: 2, lladdr: '02:000:00' },
      'neighbor.lladdr',
    ],
    ['an unknown state', { dst: '192.0.2.1', dev: 2, state: 'happy' as never }, 'neighbor.state'],
    ['a long device name', { dst: '192.0.2.1', dev: 'abcdefghijklmnop' }, 'neighbor.dev'],
    ['no device', { dst: '192.0.2.1' } as never, 'neighbor.dev'],
    ['a non-boolean flag', { dst: '192.0.2.1', dev: 2, proxy: 1 as never }, 'neighbor.proxy'],
    [
      'a bad address with a device name',
      { dst: 'nope', dev: 'eth0', lladdr: '02:00:00:00:00:01' },
      'neighbor.dst',
    ],
  ];

  it.each(cases)('%s → BAD_VALUE at %s', async (_what, spec, path) => {
    const { kernel, rt } = client(withLink('eth0', 2));
    const err = await rt.neighbors.add(spec).catch((e) => e);
    expect(err).toBeInstanceOf(NetlinkEncodeError);
    expect(err.code).toBe('BAD_VALUE');
    expect(err.path).toBe(path);
    expect(kernel.requests).toHaveLength(0);
  });
});

describe('neighbors: kernel refusals', () => {
  it('surface the errno and the extended-ack text', async () => {
    const { rt } = client((req) => [ack(req, EEXIST, { message: 'Neighbour entry exists' })]);
    const err = await rt.neighbors.add({ dst: '192.0.2.1', dev: 2 }).catch((e) => e);
    expect(err).toBeInstanceOf(NetlinkError);
    expect(err.code).toBe('EEXIST');
    expect(err.kernelMessage).toBe('Neighbour entry exists');
  });
});

describe('neighbors.list', () => {
  it('puts family, device, master and proxy into the dump request', async () => {
    const { kernel, rt } = client((req) => (req.type === RTM_GETNEIGH ? [done(req)] : [ack(req)]));
    await rt.neighbors.list({ family: 'inet6', dev: 4, master: 7, proxy: true });
    const [req] = kernel.requests;
    expect(req!.flags).toBe(NLM_F_REQUEST | NLM_F_DUMP);
    expect(req!.payload).toEqual(
      cat(ndmsg(AF_INET6, 0, 0, NTF_PROXY), nla(NDA_IFINDEX, u32le(4)), nla(NDA_MASTER, u32le(7))),
    );
  });

  /** Our entry in the shape `ip -j neigh show` prints (d0 = ifindex 2 in the fixture). */
  function asIp(n: Neighbor): Record<string, unknown> {
    const out: Record<string, unknown> = { dst: n.dst, dev: n.ifindex === 2 ? 'd0' : n.ifindex };
    if (n.lladdr !== undefined) out.lladdr = n.lladdr;
    if (n.flags.names.includes('router')) out.router = null;
    if (n.flags.names.includes('proxy')) out.proxy = null;
    else out.state = n.state.names.map((s) => s.toUpperCase());
    return out;
  }

  it('decodes a captured dump as `ip -j neigh show` reads it (noarp entries hidden there)', async () => {
    const fx = loadFixture('neigh/dump.reply');
    const { rt } = client(replay('neigh/dump.reply'));
    // ip neigh show lists every state but noarp.
    const all = await rt.neighbors.list({
      state: ['incomplete', 'reachable', 'stale', 'delay', 'probe', 'failed', 'permanent'],
    });
    expect(all.map(asIp)).toEqual(fx.meta.expect.ip_json);
  });

  it('decodes the proxy dump as `ip -j neigh show proxy` reads it', async () => {
    const fx = loadFixture('neigh/dump-proxy.reply');
    const { rt } = client(replay('neigh/dump-proxy.reply'));
    const proxies = await rt.neighbors.list({ proxy: true });
    expect(proxies.map(asIp)).toEqual(fx.meta.expect.ip_json);
  });

  it('filters by address after decoding', async () => {
    const { rt } = client(replay('neigh/dump.reply'));
    const one = await rt.neighbors.list({ dst: '2001:db8::5' });
    expect(one.map((n) => n.lladdr)).toEqual(['02:00:00:00:00:25']);
  });

  it('flush deletes what is not permanent or noarp by default', async () => {
    const entries = [
      cat(ndmsg(AF_INET, 2, NUD_STALE), nla(NDA_DST, Buffer.of(192, 0, 2, 1))),
      cat(ndmsg(AF_INET, 2, NUD_PERMANENT), nla(NDA_DST, Buffer.of(192, 0, 2, 2))),
      cat(ndmsg(AF_INET, 2, NUD_REACHABLE), nla(NDA_DST, Buffer.of(192, 0, 2, 3))),
    ];
    const { kernel, rt } = client((req) =>
      req.type === RTM_GETNEIGH
        ? [...entries.map((e) => reply(req, RTM_NEWNEIGH, e)), done(req)]
        : [ack(req)],
    );
    const gone = await rt.neighbors.flush({ dev: 2 });
    expect(gone.map((n) => n.dst)).toEqual(['192.0.2.1', '192.0.2.3']);
    const dels = kernel.requests.filter((r) => r.type === RTM_DELNEIGH);
    expect(dels.map((r) => r.payload)).toEqual([
      cat(ndmsg(AF_INET, 2, NUD_PERMANENT), nla(NDA_DST, Buffer.of(192, 0, 2, 1))),
      cat(ndmsg(AF_INET, 2, NUD_PERMANENT), nla(NDA_DST, Buffer.of(192, 0, 2, 3))),
    ]);
  });
});
