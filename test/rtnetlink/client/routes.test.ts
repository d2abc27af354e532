// rt.routes on a fake kernel: the bytes each call sends (built here by hand with the independent
// builder), validation before anything is sent, kernel refusals, and decoding of captured
// kernel dumps checked against what `ip -j route show` printed for the same state.
import { describe, expect, it } from 'vitest';
import { Connection } from '../../../src/netlink/connection.js';
import { NetlinkEncodeError, NetlinkError } from '../../../src/netlink/errors.js';
import { decodeRoute, type Route, type RouteSpecInput } from '../../../src/rtnetlink/api/routes.js';
import { RtNetlink } from '../../../src/rtnetlink/client.js';
import { routeMessage } from '../../../src/rtnetlink/route.js';
import { cat, nla, str, u16le, u32le } from '../../helpers/bytes.js';
import { ack, done, FakeKernel, type FakeRequest, reply } from '../../helpers/fake-kernel.js';
import { listFixtures, loadFixture } from '../../helpers/fixtures.js';

// <linux/rtnetlink.h>, <linux/netlink.h>
const RTM_NEWLINK = 16;
const RTM_GETLINK = 18;
const RTM_NEWROUTE = 24;
const RTM_DELROUTE = 25;
const RTM_GETROUTE = 26;
const NLM_F_REQUEST = 0x1;
const NLM_F_ACK = 0x4;
const NLM_F_DUMP = 0x300;
const NLM_F_REPLACE = 0x100;
const NLM_F_EXCL = 0x200;
const NLM_F_CREATE = 0x400;
const NLM_F_APPEND = 0x800;
const RTA_DST = 1;
const RTA_OIF = 4;
const RTA_GATEWAY = 5;
const RTA_PRIORITY = 6;
const RTA_TABLE = 15;
const RTA_MARK = 16;
const ENETUNREACH = 101;
const ENODEV = 19;

/** struct rtmsg, field by field. */
function rtmsg(
  family: number,
  dstLen: number,
  table: number,
  protocol: number,
  scope: number,
  type: number,
  flags = 0,
  srcLen = 0,
  tos = 0,
): Buffer {
  return cat(Buffer.of(family, dstLen, srcLen, tos, table, protocol, scope, type), u32le(flags));
}

const ip4 = (a: number, b: number, c: number, d: number) => Buffer.of(a, b, c, d);

/** A client over a fake kernel that runs `handler` (default: ack everything). */
function client(handler?: (req: FakeRequest, k: FakeKernel) => Buffer[] | undefined) {
  const kernel = new FakeKernel(handler);
  return { kernel, rt: RtNetlink.fromConnection(Connection.fromSocket(kernel)) };
}

/** The fake answers RTM_GETLINK for `name` with ifindex `index` (ENODEV for other names). */
function withLink(name: string, index: number, rest = (req: FakeRequest) => [ack(req)]) {
  return (req: FakeRequest): Buffer[] => {
    if (req.type !== RTM_GETLINK) return rest(req);
    const asked = req.payload.subarray(16).toString('latin1');
    if (!asked.includes(`${name}\0`)) return [ack(req, ENODEV)];
    const ifinfomsg = cat(Buffer.of(0, 0), u16le(1), u32le(index), u32le(0x1003), u32le(0));
    return [reply(req, RTM_NEWLINK, cat(ifinfomsg, nla(3, str(name))), 0), ack(req)];
  };
}

/** Answer a dump with the datagrams captured in fixture `name`, seq and pid rewritten. */
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

describe('routes.add / replace / append / delete: the bytes sent', () => {
  it('add with an ifindex sends one RTM_NEWROUTE and no link lookup', async () => {
    const { kernel, rt } = client();
    await rt.routes.add({ dst: '192.0.2.0/24', gateway: '198.51.100.1', dev: 7, priority: 10 });
    expect(kernel.requests).toHaveLength(1);
    const [req] = kernel.requests;
    expect(req!.type).toBe(RTM_NEWROUTE);
    expect(req!.flags).toBe(NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
    // family inet, /24, table main, proto boot, scope universe (a gateway), unicast
    expect(req!.payload).toEqual(
      cat(
        rtmsg(2, 24, 254, 3, 0, 1),
        nla(RTA_DST, ip4(192, 0, 2, 0)),
        nla(RTA_GATEWAY, ip4(198, 51, 100, 1)),
        nla(RTA_PRIORITY, u32le(10)),
        nla(RTA_OIF, u32le(7)),
      ),
    );
  });

  it('add with a device name looks it up once, then sends its ifindex', async () => {
    const { kernel, rt } = client(withLink('eth9', 42));
    await rt.routes.add({ dst: '192.0.2.0/24', dev: 'eth9' });
    expect(kernel.requests.map((r) => r.type)).toEqual([RTM_GETLINK, RTM_NEWROUTE]);
    // no gateway: scope link
    expect(kernel.requests[1]!.payload).toEqual(
      cat(rtmsg(2, 24, 254, 3, 253, 1), nla(RTA_DST, ip4(192, 0, 2, 0)), nla(RTA_OIF, u32le(42))),
    );
  });

  it('a missing device is ENODEV naming it, and no route request leaves', async () => {
    const { kernel, rt } = client(withLink('eth9', 42));
    const err = await rt.routes.add({ dst: '192.0.2.0/24', dev: 'nosuch0' }).catch((e) => e);
    expect(err).toBeInstanceOf(NetlinkError);
    expect(err.code).toBe('ENODEV');
    expect(err.message).toContain('nosuch0');
    expect(kernel.requests.map((r) => r.type)).toEqual([RTM_GETLINK]);
  });

  it.each([
    ['replace', NLM_F_CREATE | NLM_F_REPLACE],
    ['append', NLM_F_CREATE | NLM_F_APPEND],
  ] as const)('%s sets its flags', async (op, flags) => {
    const { kernel, rt } = client();
    await rt.routes[op]({ dst: '2001:db8::/32', gateway: '2001:db8::1' });
    expect(kernel.requests[0]!.flags).toBe(NLM_F_REQUEST | NLM_F_ACK | flags);
    expect(kernel.requests[0]!.payload.subarray(0, 12)).toEqual(rtmsg(10, 32, 254, 3, 0, 1));
  });

  it('delete by spec leaves protocol, type and scope as wildcards (as ip route del)', async () => {
    const { kernel, rt } = client();
    await rt.routes.delete({ dst: '192.0.2.0/24' });
    const [req] = kernel.requests;
    expect(req!.type).toBe(RTM_DELROUTE);
    expect(req!.flags).toBe(NLM_F_REQUEST | NLM_F_ACK);
    expect(req!.payload).toEqual(
      cat(rtmsg(2, 24, 254, 0, 255, 0), nla(RTA_DST, ip4(192, 0, 2, 0))),
    );
  });

  it('delete of a listed route names it exactly (table, type, protocol, scope, dev, gateway, metric)', async () => {
    const { kernel, rt } = client();
    const route: Route = {
      family: 2,
      dstLen: 24,
      srcLen: 0,
      tos: 0,
      table: 1000,
      protocol: 'static',
      scope: 'universe',
      type: 'unicast',
      flags: { names: [], raw: 0 },
      dst: '192.0.2.0/24',
      attributes: { dst: '192.0.2.0', table: 1000, oif: 3, gateway: '198.51.100.1', priority: 7 },
    };
    await rt.routes.delete(route);
    expect(kernel.requests[0]!.payload).toEqual(
      cat(
        rtmsg(2, 24, 0, 4, 0, 1),
        nla(RTA_DST, ip4(192, 0, 2, 0)),
        nla(RTA_GATEWAY, ip4(198, 51, 100, 1)),
        nla(RTA_TABLE, u32le(1000)),
        nla(RTA_PRIORITY, u32le(7)),
        nla(RTA_OIF, u32le(3)),
      ),
    );
  });

  it('many adds in one tick ride the engine batching (few datagrams, no lookups)', async () => {
    const { kernel, rt } = client();
    const adds: Promise<void>[] = [];
    for (let i = 0; i < 256; i++) {
      adds.push(rt.routes.add({ dst: `10.${i >> 8}.${i & 255}.0/24`, dev: 2 }));
    }
    await Promise.all(adds);
    expect(kernel.requests).toHaveLength(256);
    expect(kernel.requests.every((r) => r.type === RTM_NEWROUTE)).toBe(true);
    expect(kernel.datagrams.length).toBeLessThanOrEqual(8);
  });
});

describe('routes: bad input is refused before anything is sent', () => {
  const cases: [string, RouteSpecInput, string][] = [
    ['prefix length 33', { dst: '192.0.2.0/33' }, 'route.dst'],
    ['prefix length 129', { dst: '2001:db8::/129' }, 'route.dst'],
    ['a malformed address', { dst: '192.0.2.300/24' }, 'route.dst'],
    ['a non-address', { dst: 'example.org' }, 'route.dst'],
    ['a bad gateway', { dst: '192.0.2.0/24', gateway: '198.51.100' }, 'route.gateway'],
    ['a source of the other family', { dst: '192.0.2.0/24', src: '2001:db8::/64' }, 'route.src'],
    ['a bad prefsrc', { dst: '192.0.2.0/24', prefsrc: '::g' }, 'route.prefsrc'],
    [
      'a device name longer than 15 bytes',
      { dst: '192.0.2.0/24', dev: 'abcdefghijklmnop' },
      'route.dev',
    ],
    ['a negative ifindex', { dst: '192.0.2.0/24', dev: -1 }, 'route.dev'],
    ['an unknown table name', { dst: '192.0.2.0/24', table: 'nosuch' }, 'route.table'],
    ['an unknown type', { dst: '192.0.2.0/24', type: 'bogus' }, 'route.type'],
    ['an unknown protocol', { dst: '192.0.2.0/24', protocol: 'nosuch' }, 'route.protocol'],
    ['a non-integer metric', { dst: '192.0.2.0/24', priority: 1.5 }, 'route.priority'],
    ['a negative mtu', { dst: '192.0.2.0/24', metrics: { mtu: -1 } }, 'route.metrics.mtu'],
    [
      'an unknown metric',
      { dst: '192.0.2.0/24', metrics: { bogus: 1 } as never },
      'route.metrics.bogus',
    ],
    [
      'weight 0',
      { dst: '192.0.2.0/24', nexthops: [{ gateway: '198.51.100.1', weight: 0 }] },
      'route.nexthops[0].weight',
    ],
    [
      'weight 257',
      { dst: '192.0.2.0/24', nexthops: [{ gateway: '198.51.100.1', weight: 257 }] },
      'route.nexthops[0].weight',
    ],
    [
      'a bad nexthop gateway',
      { dst: '192.0.2.0/24', nexthops: [{ gateway: '198.51.100.1' }, { gateway: 'x' }] },
      'route.nexthops[1].gateway',
    ],
    [
      'an unknown encap',
      { dst: '192.0.2.0/24', encap: { type: 'nope' } as never },
      'route.encap.type',
    ],
    ['a bad pref', { dst: '2001:db8::/32', pref: 'highest' as never }, 'route.pref'],
    // A bad field next to a device name: the name is not even looked up.
    ['a bad dst with a device name', { dst: '192.0.2.0/40', dev: 'eth0' }, 'route.dst'],
  ];

  it.each(cases)('%s → BAD_VALUE at %s', async (_what, spec, path) => {
    const { kernel, rt } = client(withLink('eth0', 2));
    const err = await rt.routes.add(spec).catch((e) => e);
    expect(err).toBeInstanceOf(NetlinkEncodeError);
    expect(err.code).toBe('BAD_VALUE');
    expect(err.path).toBe(path);
    expect(kernel.requests).toHaveLength(0);
  });

  it('a bad filter is refused before the dump leaves', async () => {
    const { kernel, rt } = client();
    const err = await rt.routes.list({ dst: '10.0.0.0/99' }).catch((e) => e);
    expect(err).toBeInstanceOf(NetlinkEncodeError);
    expect(err.path).toBe('routeFilter.dst');
    const err2 = await rt.routes.list({ table: 'nosuch' }).catch((e) => e);
    expect(err2.path).toBe('routeFilter.table');
    expect(kernel.requests).toHaveLength(0);
  });
});

describe('routes: kernel refusals', () => {
  it('surface the errno and the extended-ack text', async () => {
    // What the kernel answers `ip route add 10.9.0.0/24 via 10.99.99.1` with
    // (fixtures/errors/route-invalid-gateway-ip.reply).
    const { rt } = client((req) => [
      ack(req, ENETUNREACH, { message: 'Nexthop has invalid gateway' }),
    ]);
    const err = await rt.routes.add({ dst: '10.9.0.0/24', gateway: '10.99.99.1' }).catch((e) => e);
    expect(err).toBeInstanceOf(NetlinkError);
    expect(err.code).toBe('ENETUNREACH');
    expect(err.kernelMessage).toBe('Nexthop has invalid gateway');
  });
});

describe('routes.list: kernel-side filters in the dump request', () => {
  it('table, protocol, type, family and dev go into the request', async () => {
    const { kernel, rt } = client(withLink('eth0', 5, (req) => [done(req)]));
    await rt.routes.list({
      family: 'inet6',
      table: 1000,
      protocol: 'static',
      type: 'unicast',
      dev: 'eth0',
    });
    const dump = kernel.requests.find((r) => r.type === RTM_GETROUTE)!;
    expect(dump.flags).toBe(NLM_F_REQUEST | NLM_F_DUMP);
    expect(dump.payload).toEqual(
      cat(rtmsg(10, 0, 0, 4, 0, 1), nla(RTA_TABLE, u32le(1000)), nla(RTA_OIF, u32le(5))),
    );
  });

  it('no filter: every table of every family', async () => {
    const { kernel, rt } = client((req) => [done(req)]);
    await rt.routes.list();
    expect(kernel.requests[0]!.payload).toEqual(rtmsg(0, 0, 0, 0, 0, 0));
  });

  it('flush defaults to table main and deletes what it listed', async () => {
    let dumped = false;
    const { kernel, rt } = client((req) => {
      if (req.type !== RTM_GETROUTE) return [ack(req)];
      dumped = true;
      const route = cat(
        rtmsg(2, 24, 254, 4, 0, 1),
        nla(RTA_TABLE, u32le(254)),
        nla(RTA_DST, ip4(192, 0, 2, 0)),
        nla(RTA_GATEWAY, ip4(198, 51, 100, 1)),
        nla(RTA_OIF, u32le(2)),
      );
      return [reply(req, RTM_NEWROUTE, route), done(req)];
    });
    const gone = await rt.routes.flush({ protocol: 'static' });
    expect(dumped).toBe(true);
    expect(gone.map((r) => r.dst)).toEqual(['192.0.2.0/24']);
    expect(kernel.requests[0]!.payload).toEqual(
      cat(rtmsg(0, 0, 0, 4, 0, 0), nla(RTA_TABLE, u32le(254))),
    );
    const del = kernel.requests[1]!;
    expect(del.type).toBe(RTM_DELROUTE);
    expect(del.payload).toEqual(
      cat(
        rtmsg(2, 24, 254, 4, 0, 1),
        nla(RTA_DST, ip4(192, 0, 2, 0)),
        nla(RTA_GATEWAY, ip4(198, 51, 100, 1)),
        nla(RTA_OIF, u32le(2)),
      ),
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Decoding real kernel dumps, checked against `ip -j route show` of the same state.

interface IpRoute {
  dst: string;
  type?: string;
  gateway?: string;
  via?: { family: string; host: string };
  dev?: string;
  protocol?: string;
  scope?: string;
  prefsrc?: string;
  metric?: number;
  flags: string[];
  pref?: string;
  encap?: string;
  nexthops?: { gateway: string; dev: string; weight: number; flags: string[] }[];
  metrics?: Record<string, unknown>[];
}

// The fixtures' namespace: lo, then d0 and d1 (ifb).
const DEVS: Record<number, string> = { 1: 'lo', 2: 'd0', 3: 'd1' };

/** Our route in the shape `ip -j route show` prints (defaults omitted as iproute2 omits them). */
function asIp(r: Route): IpRoute {
  const a = r.attributes;
  const full = r.family === 10 ? 128 : 32;
  const out: IpRoute = {
    dst: r.dst.endsWith(`/${full}`) ? r.dst.slice(0, -`/${full}`.length) : r.dst,
    flags: r.flags.names.filter((n) => n === 'onlink' || n === 'linkdown' || n === 'dead'),
  };
  if (r.type !== 'unicast') out.type = String(r.type);
  if (a.gateway !== undefined) out.gateway = a.gateway;
  if (a.via !== undefined) out.via = { family: String(a.via.family), host: a.via.address };
  if (a.oif !== undefined) out.dev = DEVS[a.oif]!;
  if (r.protocol !== 'boot') out.protocol = String(r.protocol);
  if (r.scope !== 'universe') out.scope = String(r.scope);
  if (a.prefsrc !== undefined) out.prefsrc = a.prefsrc;
  if (a.priority !== undefined) out.metric = a.priority;
  if (a.pref !== undefined) out.pref = String(a.pref);
  if (a.encapType !== undefined) out.encap = String(a.encapType);
  // `ip -j` prints an ip encap's tunnel destination under "dst" too, after the route's own:
  // the document has the key twice and JSON.parse keeps the tunnel's.
  if (a.encapType === 'ip' && a.encap && 'dst' in a.encap) out.dst = String(a.encap.dst);
  if (a.multipath) {
    out.nexthops = a.multipath.map((h) => ({
      gateway: String(h.attributes.gateway),
      dev: DEVS[h.ifindex]!,
      weight: h.hops + 1,
      flags: h.flags.names.filter((n) => n === 'onlink'),
    }));
  }
  return out;
}

/** The fields of `ip -j`'s document we compare (the ones asIp reproduces). */
function pickIp(j: IpRoute): IpRoute {
  const keys = [
    'dst',
    'type',
    'gateway',
    'via',
    'dev',
    'protocol',
    'scope',
    'prefsrc',
    'metric',
    'flags',
    'pref',
    'encap',
    'nexthops',
  ] as const;
  const out: Record<string, unknown> = {};
  for (const k of keys) if (j[k] !== undefined) out[k] = j[k];
  return out as unknown as IpRoute;
}

describe('routes.list decodes captured kernel dumps as ip -j route show reads them', () => {
  it.each([
    ['route-more/dump-main', { family: 'inet', table: 'main' }],
    ['route-more/dump-ipv6', { family: 'inet6', table: 'main' }],
    ['route-more/dump-table-1000', { family: 'inet', table: 1000 }],
  ] as const)('%s', async (name, filter) => {
    const fx = loadFixture(`${name}.reply`);
    const { rt } = client(replay(`${name}.reply`));
    const routes = await rt.routes.list(filter);
    const json = fx.meta.expect.ip_json as IpRoute[];
    // ip route show hides cloned routes; the rest of the dump is what it printed, in order.
    expect(routes.map(asIp)).toEqual(json.map(pickIp));
    for (const r of routes) {
      expect(r.table).toBe(filter.table);
      expect(r.family).toBe(filter.family === 'inet' ? 2 : 10);
    }
  });

  it('iterate() yields the same routes one by one', async () => {
    const { rt } = client(replay('route-more/dump-main.reply'));
    const seen: IpRoute[] = [];
    for await (const r of rt.routes.iterate({ family: 'inet', table: 'main' })) seen.push(asIp(r));
    const json = loadFixture('route-more/dump-main.reply').meta.expect.ip_json as IpRoute[];
    expect(seen).toEqual(json.map(pickIp));
  });

  it('client-side filters (dst, gateway, scope) select after decoding', async () => {
    const { rt } = client(replay('route-more/dump-main.reply'));
    const viaGw = await rt.routes.list({ family: 'inet', table: 'main', gateway: '10.0.0.2' });
    expect(viaGw.map((r) => r.dst)).toEqual(['10.20.0.0/24', '203.0.113.64/26']);
    const { rt: rt2 } = client(replay('route-more/dump-main.reply'));
    const one = await rt2.routes.list({ family: 'inet', table: 'main', dst: '10.20.0.0/24' });
    expect(one.map((r) => r.attributes.gateway)).toEqual(['10.0.0.2', '10.0.1.2']);
    const { rt: rt3 } = client(replay('route-more/dump-main.reply'));
    const link = await rt3.routes.list({ family: 'inet', table: 'main', scope: 'link' });
    expect(link.map((r) => r.dst)).toEqual([
      '10.0.0.0/24',
      '10.0.1.0/24',
      '10.60.0.0/24',
      '10.70.0.0/24',
    ]);
  });
});

describe('routes.get', () => {
  it('sends RTM_GETROUTE with RTM_F_LOOKUP_TABLE and decodes the answer', async () => {
    const { kernel, rt } = client((req) => {
      const answer = cat(
        rtmsg(2, 32, 254, 0, 0, 1, 0x80000000 >>> 0),
        nla(RTA_TABLE, u32le(254)),
        nla(RTA_DST, ip4(198, 51, 100, 7)),
        nla(RTA_OIF, u32le(3)),
        nla(RTA_GATEWAY, ip4(10, 0, 1, 2)),
      );
      return [reply(req, RTM_NEWROUTE, answer, 0), ack(req)];
    });
    const r = await rt.routes.get('198.51.100.7', { mark: 5 });
    expect(kernel.requests[0]!.type).toBe(RTM_GETROUTE);
    expect(kernel.requests[0]!.payload).toEqual(
      cat(
        rtmsg(2, 32, 0, 0, 0, 0, 0x1000),
        nla(RTA_DST, ip4(198, 51, 100, 7)),
        nla(RTA_MARK, u32le(5)),
      ),
    );
    expect(r.dst).toBe('198.51.100.7/32');
    expect(r.table).toBe('main');
    expect(r.attributes.gateway).toBe('10.0.1.2');
    expect(r.attributes.oif).toBe(3);
  });

  it('refuses a prefix before sending', async () => {
    const { kernel, rt } = client();
    const err = await rt.routes.get('198.51.100.0/24').catch((e) => e);
    expect(err).toBeInstanceOf(NetlinkEncodeError);
    expect(err.path).toBe('route.dst');
    expect(kernel.requests).toHaveLength(0);
  });
});

describe('decodeRoute', () => {
  // decodeRoute reads common routes straight off the bytes; its attributes must be exactly what
  // the route schema decodes, for every route message the kernel sent in any fixture.
  const messages: { name: string; payload: Buffer }[] = [];
  for (const name of listFixtures()) {
    if (!name.endsWith('.reply')) continue;
    for (const d of loadFixture(name).messages) {
      for (let off = 0; off + 16 <= d.length; ) {
        const len = d.readUInt32LE(off);
        if (len < 16) break;
        if (d.readUInt16LE(off + 4) === RTM_NEWROUTE) {
          messages.push({ name, payload: d.subarray(off + 16, off + len) });
        }
        off += (len + 3) & ~3;
      }
    }
  }

  it('has route messages to check', () => {
    expect(messages.length).toBeGreaterThan(50);
  });

  it('gives the schema decode’s attributes for every captured route message', () => {
    for (const { name, payload } of messages) {
      const schema = routeMessage.decode(payload);
      const route = decodeRoute(payload);
      expect(route.attributes, name).toEqual(schema.attributes);
      expect(route.family, name).toBe(schema.header.family);
      expect(route.dstLen, name).toBe(schema.header.dst_len);
    }
  });

  it('falls back to the schema (and its errors) on malformed bytes', () => {
    // rtmsg + an RTA_OIF with 3 payload bytes
    const bad = cat(rtmsg(2, 24, 254, 3, 0, 1), Buffer.from('0700040001020300', 'hex'));
    expect(() => decodeRoute(bad)).toThrow(/u32 needs 4 bytes, got 3/);
  });
});
