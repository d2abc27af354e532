// rt.routes.addMany / deleteMany on a fake kernel: the bytes of every request (built here by
// hand with the independent builder), one lookup per device name, validation before anything
// is sent, and the kernel's refusals landing on their index. Also: list()/iterate() decode in
// place into routes of one shape.
import { describe, expect, it } from 'vitest';
import { Connection } from '../../../src/netlink/connection.js';
import { NetlinkEncodeError, NetlinkError } from '../../../src/netlink/errors.js';
import { decodeRoute, type Route } from '../../../src/rtnetlink/api/routes.js';
import { RtNetlink } from '../../../src/rtnetlink/client.js';
import { routeMessage } from '../../../src/rtnetlink/route.js';
import { cat, nla, str, u16le, u32le } from '../../helpers/bytes.js';
import { ack, done, type FakeKernel, type FakeRequest, reply } from '../../helpers/fake-kernel.js';
import { listFixtures, loadFixture } from '../../helpers/fixtures.js';
import { BorrowingKernel } from '../../netlink/borrowing-kernel.js';

// <linux/rtnetlink.h>, <linux/netlink.h>
const RTM_NEWLINK = 16;
const RTM_GETLINK = 18;
const RTM_NEWROUTE = 24;
const RTM_DELROUTE = 25;
const NLM_F_REQUEST = 0x1;
const NLM_F_ACK = 0x4;
const NLM_F_EXCL = 0x200;
const NLM_F_CREATE = 0x400;
const RTA_DST = 1;
const RTA_OIF = 4;
const RTA_GATEWAY = 5;
const RTA_PRIORITY = 6;
const RTA_TABLE = 15;
const EEXIST = 17;
const ENODEV = 19;
const ENETUNREACH = 101;

/** struct rtmsg, field by field. */
function rtmsg(
  family: number,
  dstLen: number,
  table: number,
  protocol: number,
  scope: number,
  type: number,
): Buffer {
  return cat(Buffer.of(family, dstLen, 0, 0, table, protocol, scope, type), u32le(0));
}
const ip4 = (a: number, b: number, c: number, d: number) => Buffer.of(a, b, c, d);

function client(handler?: (req: FakeRequest, k: FakeKernel) => Buffer[] | undefined) {
  const kernel = new BorrowingKernel(handler);
  return { kernel, rt: RtNetlink.fromConnection(Connection.fromSocket(kernel)) };
}

/** Answers RTM_GETLINK for the names in `links`, ENODEV for others; acks everything else. */
function withLinks(links: Record<string, number>, rest = (req: FakeRequest) => [ack(req)]) {
  return (req: FakeRequest): Buffer[] => {
    if (req.type !== RTM_GETLINK) return rest(req);
    const asked = req.payload.subarray(16).toString('latin1');
    const name = Object.keys(links).find((n) => asked.includes(`${n}\0`));
    if (name === undefined) return [ack(req, ENODEV)];
    const ifinfomsg = cat(Buffer.of(0, 0), u16le(1), u32le(links[name]!), u32le(0x1003), u32le(0));
    return [reply(req, RTM_NEWLINK, cat(ifinfomsg, nla(3, str(name))), 0), ack(req)];
  };
}

describe('routes.addMany', () => {
  it('sends one RTM_NEWROUTE per spec, as add() would, in order and in few datagrams', async () => {
    const { kernel, rt } = client();
    const specs = Array.from({ length: 200 }, (_, i) => ({
      dst: `10.1.${i}.0/24`,
      dev: 3,
      table: 100,
      protocol: 'static',
      scope: 'link',
    }));
    const result = await rt.routes.addMany(specs);
    expect(result).toMatchObject({ count: 200, ok: 200, failed: 0 });
    expect(kernel.requests).toHaveLength(200);
    kernel.requests.forEach((req, i) => {
      expect(req.type).toBe(RTM_NEWROUTE);
      expect(req.flags).toBe(NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
      // inet, /24, table 100, proto static (4), scope link (253), unicast
      expect(req.payload).toEqual(
        cat(rtmsg(2, 24, 100, 4, 253, 1), nla(RTA_DST, ip4(10, 1, i, 0)), nla(RTA_OIF, u32le(3))),
      );
    });
    // 64 in flight: the first datagram carries a full window.
    expect(kernel.datagrams[0]!.length).toBe(64 * 44);
    expect(kernel.datagrams.length).toBeLessThan(200);
  });

  it('gives the same bytes as add() for every spec shape', async () => {
    const specs = [
      { dst: '192.0.2.0/24', gateway: '198.51.100.1', dev: 7, priority: 10 },
      { dst: '2001:db8::/32', gateway: '2001:db8::1' },
      { type: 'blackhole', dst: '203.0.113.0/28' },
      { dst: '203.0.113.0/24', dev: 2, table: 1000, priority: 50, prefsrc: '10.0.0.1' },
      { dst: 'default', gateway: '10.0.0.1', metrics: { mtu: 1400 } },
      {
        dst: '198.51.100.0/24',
        nexthops: [
          { gateway: '10.0.0.2', dev: 4, weight: 2 },
          { gateway: '10.0.1.2', dev: 5 },
        ],
      },
    ];
    const one = client();
    for (const s of specs) await one.rt.routes.add(s);
    const bulk = client();
    await bulk.rt.routes.addMany(specs);
    expect(bulk.kernel.requests.map((r) => [r.type, r.flags, r.payload])).toEqual(
      one.kernel.requests.map((r) => [r.type, r.flags, r.payload]),
    );
  });

  it('looks each device name up once, however many specs use it', async () => {
    const { kernel, rt } = client(withLinks({ d0: 41, d1: 42 }));
    const specs = Array.from({ length: 30 }, (_, i) => ({
      dst: `10.2.${i}.0/24`,
      dev: i % 3 === 0 ? 'd1' : i % 3 === 1 ? 'd0' : 9,
    }));
    const result = await rt.routes.addMany(specs);
    expect(result.ok).toBe(30);
    expect(kernel.requests.filter((r) => r.type === RTM_GETLINK)).toHaveLength(2);
    const routes = kernel.requests.filter((r) => r.type === RTM_NEWROUTE);
    expect(routes.map((r) => r.payload.readUInt32LE(r.payload.length - 4))).toEqual(
      specs.map((_, i) => (i % 3 === 0 ? 42 : i % 3 === 1 ? 41 : 9)),
    );
  });

  it('resolves the devices of nexthops too', async () => {
    const { kernel, rt } = client(withLinks({ d0: 41 }));
    await rt.routes.addMany([
      { dst: '10.3.0.0/24', nexthops: [{ gateway: '10.0.0.2', dev: 'd0' }] },
    ]);
    expect(kernel.requests.map((r) => r.type)).toEqual([RTM_GETLINK, RTM_NEWROUTE]);
    const direct = client();
    await direct.rt.routes.add({
      dst: '10.3.0.0/24',
      nexthops: [{ gateway: '10.0.0.2', dev: 41 }],
    });
    expect(kernel.requests[1]!.payload).toEqual(direct.kernel.requests[0]!.payload);
  });

  it('refuses a bad spec before anything is sent, naming its index', async () => {
    const { kernel, rt } = client(withLinks({ d0: 41 }));
    const specs = [
      { dst: '10.4.0.0/24', dev: 'd0' },
      { dst: '10.4.1.0/24', dev: 1 },
      { dst: '10.4.2.0/33', dev: 1 },
    ];
    const err = await rt.routes.addMany(specs).catch((e) => e);
    expect(err).toBeInstanceOf(NetlinkEncodeError);
    expect(err.code).toBe('BAD_VALUE');
    expect(err.path).toBe('routes[2].dst');
    expect(err.message).toMatch(/^routes\[2\]\.dst: /);
    expect(kernel.requests).toHaveLength(0);
  });

  it('refuses a bad device name before any lookup', async () => {
    const { kernel, rt } = client(withLinks({ d0: 41 }));
    const err = await rt.routes
      .addMany([
        { dst: '10.4.0.0/24', dev: 'd0' },
        { dst: '10.4.1.0/24', dev: 'a name far too long' },
      ])
      .catch((e) => e);
    expect(err.path).toBe('routes[1].dev');
    expect(kernel.requests).toHaveLength(0);
    const notArray = await rt.routes.addMany('10.0.0.0/8' as never).catch((e) => e);
    expect(notArray.path).toBe('routes');
  });

  it('a missing device rejects the whole call, and no route request leaves', async () => {
    const { kernel, rt } = client(withLinks({ d0: 41 }));
    const err = await rt.routes
      .addMany([
        { dst: '10.4.0.0/24', dev: 'd0' },
        { dst: '10.4.1.0/24', dev: 'nosuch0' },
      ])
      .catch((e) => e);
    expect(err).toBeInstanceOf(NetlinkError);
    expect(err.code).toBe('ENODEV');
    expect(kernel.requests.every((r) => r.type === RTM_GETLINK)).toBe(true);
  });

  it('puts each kernel refusal on its spec, with the kernel text', async () => {
    const { rt } = client((req) => {
      const third = req.payload[12 + 4 + 2] === 2; // RTA_DST 10.5.2.0
      if (third) return [ack(req, EEXIST, { message: 'File exists' })];
      if (req.payload[12 + 4 + 2] === 4) {
        // The offset of RTA_GATEWAY: 16 (nlmsghdr) + 12 (rtmsg) + 8 (RTA_DST).
        return [ack(req, ENETUNREACH, { message: 'Nexthop has invalid gateway', offset: 36 })];
      }
      return [ack(req)];
    });
    const specs = Array.from({ length: 6 }, (_, i) => ({
      dst: `10.5.${i}.0/24`,
      gateway: '192.0.2.1',
    }));
    const result = await rt.routes.addMany(specs);
    expect(result.ok).toBe(4);
    expect(result.failed).toBe(2);
    const [exists, unreachable] = [result.errors[2], result.errors[4]] as NetlinkError[];
    expect(exists!.code).toBe('EEXIST');
    expect(exists!.kernelMessage).toBe('File exists');
    expect(unreachable!.code).toBe('ENETUNREACH');
    expect(unreachable!.attributePath).toBe('route.gateway');
    expect(result.errors.filter((e) => e !== undefined)).toHaveLength(2);
  });
});

describe('routes.deleteMany', () => {
  it('deletes by spec (wildcards, as delete()) and by listed Route (exactly)', async () => {
    const { kernel, rt } = client();
    const listed = decodeRoute(
      cat(
        rtmsg(2, 24, 254, 4, 0, 1),
        nla(RTA_TABLE, u32le(254)),
        nla(RTA_DST, ip4(10, 6, 0, 0)),
        nla(RTA_GATEWAY, ip4(10, 0, 0, 2)),
        nla(RTA_PRIORITY, u32le(20)),
        nla(RTA_OIF, u32le(3)),
      ),
    );
    const result = await rt.routes.deleteMany([{ dst: '10.6.1.0/24' }, listed]);
    expect(result.ok).toBe(2);
    const single = client();
    await single.rt.routes.delete({ dst: '10.6.1.0/24' });
    await single.rt.routes.delete(listed);
    expect(kernel.requests.map((r) => [r.type, r.flags, r.payload])).toEqual(
      single.kernel.requests.map((r) => [r.type, r.flags, r.payload]),
    );
    expect(kernel.requests.every((r) => r.type === RTM_DELROUTE)).toBe(true);
    expect(kernel.requests[0]!.flags).toBe(NLM_F_REQUEST | NLM_F_ACK);
  });
});

describe('routes.flush', () => {
  it('deletes what it listed through the bulk path, rejecting with the first refusal', async () => {
    const routes = [0, 1, 2].map((i) =>
      cat(
        rtmsg(2, 24, 254, 4, 253, 1),
        nla(RTA_TABLE, u32le(254)),
        nla(RTA_DST, ip4(10, 10, i, 0)),
        nla(RTA_OIF, u32le(2)),
      ),
    );
    const { kernel, rt } = client((req) => {
      if (req.type === 26) {
        return [cat(...routes.map((p) => reply(req, RTM_NEWROUTE, p))), done(req)];
      }
      // The second route is gone already.
      return req.payload.includes(ip4(10, 10, 1, 0)) ? [ack(req, 3)] : [ack(req)];
    });
    const err = await rt.routes.flush({ protocol: 'static' }).catch((e) => e);
    expect(err).toBeInstanceOf(NetlinkError);
    expect(err.code).toBe('ESRCH');
    const deletes = kernel.requests.filter((r) => r.type === RTM_DELROUTE);
    expect(deletes).toHaveLength(3);
    // One datagram for the three.
    expect(kernel.datagrams).toHaveLength(2);
  });
});

describe('routes decoded in place', () => {
  /** Every route message the kernel sent in any captured fixture: rtmsg payloads. */
  const captured: Buffer[] = [];
  for (const name of listFixtures()) {
    if (!name.endsWith('.reply')) continue;
    for (const d of loadFixture(name).messages) {
      for (let off = 0; off + 16 <= d.length; ) {
        const len = d.readUInt32LE(off);
        if (len < 16) break;
        if (d.readUInt16LE(off + 4) === RTM_NEWROUTE) {
          captured.push(Buffer.from(d.subarray(off + 16, off + len)));
        }
        off += (len + 3) & ~3;
      }
    }
  }

  /** A dump of every captured route message, `perDatagram` to a datagram, then DONE. */
  function dumpAll(perDatagram: number) {
    return (req: FakeRequest): Buffer[] => {
      const out: Buffer[] = [];
      for (let i = 0; i < captured.length; i += perDatagram) {
        out.push(
          cat(...captured.slice(i, i + perDatagram).map((p) => reply(req, RTM_NEWROUTE, p))),
        );
      }
      out.push(done(req));
      return out;
    };
  }

  it('has captured route messages to check', () => {
    expect(captured.length).toBeGreaterThan(50);
  });

  it.each([1, 7, 64])(
    'list() and iterate() give decodeRoute of every captured message (%i per datagram)',
    async (perDatagram) => {
      const expected = captured.map((p) => decodeRoute(p));
      const { rt } = client(dumpAll(perDatagram));
      expect(await rt.routes.list()).toEqual(expected);
      const { rt: rt2 } = client(dumpAll(perDatagram));
      const iterated: Route[] = [];
      for await (const r of rt2.routes.iterate()) iterated.push(r);
      expect(iterated).toEqual(expected);
    },
  );

  it('attributes read off the bytes have the schema decode’s keys in its order', () => {
    for (const p of captured) {
      const fast = decodeRoute(p).attributes;
      const schema = routeMessage.decode(p).attributes;
      expect(fast).toEqual(schema);
      expect(Object.keys(fast)).toEqual(Object.keys(schema));
    }
  });

  it.each([
    [
      'an unusual order',
      [nla(RTA_OIF, u32le(2)), nla(RTA_TABLE, u32le(7)), nla(RTA_DST, ip4(10, 9, 0, 0))],
    ],
    [
      'a repeated attribute',
      [
        nla(RTA_TABLE, u32le(7)),
        nla(RTA_DST, ip4(10, 9, 0, 0)),
        nla(RTA_DST, ip4(10, 9, 1, 0)),
        nla(RTA_OIF, u32le(2)),
      ],
    ],
    [
      'more than six attributes',
      [
        nla(RTA_TABLE, u32le(7)),
        nla(RTA_DST, ip4(10, 9, 0, 0)),
        nla(RTA_PRIORITY, u32le(5)),
        nla(7, ip4(10, 0, 0, 1)),
        nla(RTA_GATEWAY, ip4(10, 0, 0, 2)),
        nla(RTA_OIF, u32le(2)),
        nla(11, u32le(3)),
        nla(16, u32le(9)),
      ],
    ],
    [
      'IPv6 with cacheinfo and pref',
      [
        nla(RTA_TABLE, u32le(254)),
        nla(RTA_DST, Buffer.alloc(16, 0x20)),
        nla(RTA_OIF, u32le(2)),
        nla(12, Buffer.alloc(32, 1)),
        nla(20, Buffer.of(0)),
      ],
    ],
  ])('%s decodes as the schema does, keys in the same order', (_name, attrs) => {
    const p = cat(rtmsg(2, 24, 254, 4, 253, 1), ...attrs);
    const fast = decodeRoute(p).attributes;
    const schema = routeMessage.decode(p).attributes;
    expect(fast).toEqual(schema);
    expect(Object.keys(fast)).toEqual(Object.keys(schema));
  });

  it('every route has the same keys in the same order, fast path or schema', () => {
    const fast = decodeRoute(
      cat(rtmsg(2, 24, 254, 4, 253, 1), nla(RTA_DST, ip4(10, 7, 0, 0)), nla(RTA_OIF, u32le(1))),
    );
    // RTA_METRICS sends the decode through the schema.
    const viaSchema = decodeRoute(
      cat(
        rtmsg(2, 0, 254, 4, 0, 1),
        nla(RTA_GATEWAY, ip4(10, 0, 0, 1)),
        nla(8, nla(2, u32le(1400))),
      ),
    );
    expect(viaSchema.attributes.metrics).toBeDefined();
    expect(Object.keys(fast)).toEqual(Object.keys(viaSchema));
    expect(Object.keys(fast)).toEqual([
      'family',
      'dstLen',
      'srcLen',
      'tos',
      'table',
      'protocol',
      'scope',
      'type',
      'flags',
      'dst',
      'src',
      'attributes',
    ]);
    expect(fast.src).toBeUndefined();
    expect(fast.dst).toBe('10.7.0.0/24');
    expect(viaSchema.dst).toBe('default');
  });

  it('routes decoded through the schema in place keep no view of the receive buffer', async () => {
    // An unknown attribute (type 200) is kept as bytes: they must not be the socket's.
    const payload = cat(
      rtmsg(2, 24, 254, 4, 253, 1),
      nla(RTA_DST, ip4(10, 8, 0, 0)),
      nla(200, u32le(0xabcdef01)),
    );
    const { rt } = client((req) =>
      req.type === 26 ? [reply(req, RTM_NEWROUTE, payload), done(req)] : [ack(req)],
    );
    const [r] = await rt.routes.list();
    expect(r!.attributes).toEqual(routeMessage.decode(payload).attributes);
  });
});
