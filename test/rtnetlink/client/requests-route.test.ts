// Our route request builders against iproute2's captured requests for the same commands: the
// payload (rtmsg + attributes) must be byte for byte the same, the type the same, and the flags
// the same once the engine's NLM_F_REQUEST | NLM_F_ACK (or NLM_F_DUMP) are added. Ifindexes
// come from each fixture's namespace state (lo = 1, then links in the order they were made).
import { describe, expect, it } from 'vitest';
import {
  buildRouteDumpRequest,
  buildRouteGetRequest,
  buildRouteRequest,
  planPayload,
  type RequestPlan,
  type RouteDumpFilter,
  type RouteGetSpec,
  type RouteOp,
  type RouteSpec,
} from '../../../src/rtnetlink/requests/route.js';
import { cat, hex, nla, u32le } from '../../helpers/bytes.js';
import { listFixtures, loadFixture } from '../../helpers/fixtures.js';
import { cValues } from '../../helpers/uapi.js';

// <linux/netlink.h>
const NLM_F_REQUEST = 0x1;
const NLM_F_ACK = 0x4;
const NLM_F_DUMP = 0x300;

// struct rtmsg is 12 bytes; the attributes follow it.
const RTMSG_SIZE = 12;

/**
 * iproute2's addattr8/addattr16 leave whatever its stack held in the alignment padding after a
 * 1- or 2-byte attribute (the kernel ignores padding); we write zeros. Zero the captured
 * padding the same way, walking the TLVs here (and into NLA_F_NESTED nests, and the
 * rtnexthops of a top-level RTA_MULTIPATH) independently of the codec under test.
 */
function zeroPadding(buf: Buffer, start: number, end: number, top = true): Buffer {
  for (let off = start; off + 4 <= end; ) {
    const len = buf.readUInt16LE(off);
    const type = buf.readUInt16LE(off + 2);
    if (len < 4 || off + len > end) break;
    if (type & 0x8000) zeroPadding(buf, off + 4, off + len, false);
    // RTA_MULTIPATH (9): struct rtnexthop (8 bytes: len, flags, hops, ifindex) + attributes.
    if (top && type === 9) {
      for (let h = off + 4; h + 8 <= off + len; ) {
        const hopLen = buf.readUInt16LE(h);
        if (hopLen < 8 || h + hopLen > off + len) break;
        zeroPadding(buf, h + 8, h + hopLen, false);
        h += (hopLen + 3) & ~3;
      }
    }
    const next = Math.min(end, off + ((len + 3) & ~3));
    buf.fill(0, off + len, next);
    off = next;
  }
  return buf;
}

function captured(
  name: string,
  fixedSize = RTMSG_SIZE,
): { type: number; flags: number; payload: Buffer } {
  const fx = loadFixture(name);
  const dgram = fx.messages[0]!;
  const len = dgram.readUInt32LE(0);
  const payload = Buffer.from(dgram.subarray(16, len));
  return {
    type: dgram.readUInt16LE(4),
    flags: dgram.readUInt16LE(6),
    payload: zeroPadding(payload, (fixedSize + 3) & ~3, payload.length),
  };
}

function expectSame(name: string, plan: RequestPlan, engineFlags: number): void {
  const want = captured(name);
  expect(plan.type).toBe(want.type);
  expect(plan.flags | engineFlags).toBe(want.flags);
  expect(planPayload(plan).toString('hex')).toBe(want.payload.toString('hex'));
}

// [fixture, operation, spec]
const MODIFY: [string, RouteOp, RouteSpec<number>][] = [
  // ip route add blackhole 10.40.0.0/24
  ['requests/route-add-blackhole.request', 'add', { type: 'blackhole', dst: '10.40.0.0/24' }],
  // ip route add 198.51.100.0/24 dev t1   (t1 = 2)
  ['requests/route-add-dev.request', 'add', { dst: '198.51.100.0/24', dev: 2 }],
  // ip -6 route add blackhole 2001:db8:3::/64
  [
    'requests/route-add-ipv6-blackhole.request',
    'add',
    { type: 'blackhole', dst: '2001:db8:3::/64' },
  ],
  // ip -6 route add 2001:db8:4::/64 dev ifb0 mtu 1300   (ifb0 = 3)
  [
    'requests/route-add-ipv6-metrics.request',
    'add',
    { dst: '2001:db8:4::/64', dev: 3, metrics: { mtu: 1300 } },
  ],
  // ip -6 route add 2001:db8:5::/64 nexthop via 2001:db8::2 weight 1 nexthop via 2001:db8::3 weight 2
  [
    'requests/route-add-ipv6-multipath.request',
    'add',
    {
      dst: '2001:db8:5::/64',
      nexthops: [
        { gateway: '2001:db8::2', weight: 1 },
        { gateway: '2001:db8::3', weight: 2 },
      ],
    },
  ],
  // ip -6 route add 2001:db8:2::/64 via 2001:db8::2 table 1000
  [
    'requests/route-add-ipv6-table-1000.request',
    'add',
    { dst: '2001:db8:2::/64', gateway: '2001:db8::2', table: 1000 },
  ],
  // ip route add 10.20.0.0/24 via 10.0.0.2 mtu 1400
  [
    'requests/route-add-metrics.request',
    'add',
    { dst: '10.20.0.0/24', gateway: '10.0.0.2', metrics: { mtu: 1400 } },
  ],
  // ip route add 10.50.0.0/24 nexthop via 10.0.0.2 weight 1 nexthop via 10.0.1.2 weight 2
  [
    'requests/route-add-multipath.request',
    'add',
    {
      dst: '10.50.0.0/24',
      nexthops: [
        { gateway: '10.0.0.2', weight: 1 },
        { gateway: '10.0.1.2', weight: 2 },
      ],
    },
  ],
  // ip route add 10.30.0.0/24 dev ifb0 table 1000   (ifb0 = 3)
  ['requests/route-add-table-1000.request', 'add', { dst: '10.30.0.0/24', dev: 3, table: 1000 }],
  // ip route add 10.9.0.0/24 via 10.99.99.1
  ['errors/route-invalid-gateway-ip.request', 'add', { dst: '10.9.0.0/24', gateway: '10.99.99.1' }],
  // fixtures/route-requests: d0 = 2, d1 = 3 in their namespace.
  ['route-requests/add-blackhole.request', 'add', { type: 'blackhole', dst: '10.10.1.0/24' }],
  [
    'route-requests/add-broadcast.request',
    'add',
    { type: 'broadcast', dst: '10.10.6.255', dev: 2, table: 1000 },
  ],
  [
    'route-requests/add-dev-table-metric-src.request',
    'add',
    {
      dst: '203.0.113.0/24',
      dev: 2,
      table: 1000,
      priority: 50,
      protocol: 'static',
      scope: 'link',
      prefsrc: '10.0.0.1',
    },
  ],
  [
    'route-requests/add-encap-ip.request',
    'add',
    { dst: '10.70.0.0/24', encap: { type: 'ip', id: 5n, dst: '10.0.0.9', ttl: 10 }, dev: 2 },
  ],
  [
    'route-requests/add-encap-mpls.request',
    'add',
    { dst: '10.50.0.0/24', encap: { type: 'mpls', dst: [100, 200], ttl: 10 }, gateway: '10.0.0.2' },
  ],
  [
    'route-requests/add-encap-seg6-inet.request',
    'add',
    {
      dst: '10.60.0.0/24',
      encap: { type: 'seg6', srh: { mode: 'encap', segments: ['2001:db8::10', '2001:db8::20'] } },
      dev: 2,
    },
  ],
  [
    'route-requests/add-ipv6-encap-seg6-inline.request',
    'add',
    {
      dst: '2001:db8:21::/64',
      // Inline mode: iproute2 adds the :: slot the kernel fills with the original destination
      // (the decoded form lists it too).
      encap: { type: 'seg6', srh: { mode: 'inline', segments: ['2001:db8::10', '::'] } },
      dev: 2,
    },
  ],
  [
    'route-requests/add-ipv6-encap-seg6.request',
    'add',
    {
      dst: '2001:db8:20::/64',
      encap: {
        type: 'seg6',
        srh: { mode: 'encap', segments: ['2001:db8::10', '2001:db8::20', '2001:db8::30'] },
      },
      dev: 2,
    },
  ],
  [
    'route-requests/add-ipv6-multipath.request',
    'add',
    {
      dst: '2001:db8:30::/64',
      nexthops: [
        { gateway: '2001:db8::2', dev: 2, weight: 1 },
        { gateway: '2001:db8:1::2', dev: 3, weight: 4 },
      ],
    },
  ],
  [
    'route-requests/add-ipv6-pref-expires.request',
    'add',
    { dst: '2001:db8:10::/64', gateway: '2001:db8::2', pref: 'high', expires: 300 },
  ],
  [
    'route-requests/add-local.request',
    'add',
    { type: 'local', dst: '10.10.5.1', dev: 2, table: 1000 },
  ],
  [
    'route-requests/add-metrics.request',
    'add',
    {
      dst: '10.20.0.0/24',
      gateway: '10.0.0.2',
      metrics: {
        mtu: 1400,
        advmss: 1360,
        window: 65535,
        rtt: 100,
        rttvar: 50,
        ssthresh: 10,
        cwnd: 10,
        initcwnd: 10,
        initrwnd: 20,
        hoplimit: 64,
        reordering: 3,
        rtoMin: 200,
        quickack: 1,
        features: ['ecn'],
        ccAlgo: 'cubic',
        fastopenNoCookie: 1,
        lock: ['mtu'],
      },
    },
  ],
  [
    'route-requests/add-multicast.request',
    'add',
    { type: 'multicast', dst: '239.1.1.0/24', dev: 2, table: 1000 },
  ],
  [
    'route-requests/add-multipath-dev-onlink.request',
    'add',
    {
      dst: '10.31.0.0/24',
      nexthops: [
        { gateway: '10.0.0.2', dev: 2, weight: 2, onlink: true },
        { gateway: '10.0.1.2', dev: 3 },
      ],
    },
  ],
  [
    'route-requests/add-multipath-weights.request',
    'add',
    {
      dst: '10.30.0.0/24',
      nexthops: [
        { gateway: '10.0.0.2', weight: 2 },
        { gateway: '10.0.1.2', weight: 3 },
      ],
    },
  ],
  ['route-requests/add-prohibit.request', 'add', { type: 'prohibit', dst: '10.10.3.0/24' }],
  [
    'route-requests/add-proto-bird.request',
    'add',
    { dst: '203.0.113.64/26', gateway: '10.0.0.2', protocol: 'bird', priority: 100 },
  ],
  ['route-requests/add-throw.request', 'add', { type: 'throw', dst: '10.10.4.0/24', table: 1000 }],
  ['route-requests/add-unreachable.request', 'add', { type: 'unreachable', dst: '10.10.2.0/24' }],
  [
    'route-requests/add-via-inet6.request',
    'add',
    { dst: '10.40.0.0/24', gateway: '2001:db8::2', dev: 2 },
  ],
  ['route-requests/add-via.request', 'add', { dst: '198.51.100.0/24', gateway: '10.0.0.2' }],
  [
    'route-requests/append.request',
    'append',
    { dst: '10.20.0.0/24', gateway: '10.0.1.2', priority: 5 },
  ],
  ['route-requests/del-blackhole.request', 'delete', { type: 'blackhole', dst: '10.10.1.0/24' }],
  [
    'route-requests/del-table.request',
    'delete',
    { type: 'throw', dst: '10.10.4.0/24', table: 1000 },
  ],
  ['route-requests/replace.request', 'replace', { dst: '198.51.100.0/24', gateway: '10.0.1.2' }],
  // fixtures/route-nh-encap: a lightweight tunnel inside a nexthop; d0 = 2, d1 = 3. The hop's
  // gateway, encap and realms follow its keys, as ip's words do.
  [
    'route-nh-encap/add-mpls.request',
    'add',
    {
      dst: '10.50.0.0/24',
      nexthops: [
        { gateway: '10.0.0.2', dev: 2, encap: { type: 'mpls', dst: [100], ttl: 5 } },
        { gateway: '10.0.1.2', dev: 3, encap: { type: 'mpls', dst: [200, 300] }, weight: 2 },
      ],
    },
  ],
  [
    'route-nh-encap/add-ip.request',
    'add',
    {
      dst: '10.52.0.0/24',
      nexthops: [
        { gateway: '10.0.0.2', dev: 2, encap: { type: 'ip', id: 5n, dst: '10.0.0.9', ttl: 3 } },
        { gateway: '10.0.1.2', dev: 3, weight: 2 },
      ],
    },
  ],
  [
    'route-nh-encap/add-encap-first.request',
    'add',
    {
      dst: '10.53.0.0/24',
      nexthops: [
        {
          // TUNNEL_KEY (4) | TUNNEL_CSUM (1)
          encap: { type: 'ip', id: 6n, dst: '10.0.0.9', tos: 0x10, flags: 5 },
          gateway: '10.0.0.2',
          dev: 2,
          realms: 5,
        },
        { gateway: '10.0.1.2', dev: 3 },
      ],
    },
  ],
  [
    'route-nh-encap/add-seg6-inet.request',
    'add',
    {
      dst: '10.54.0.0/24',
      nexthops: [
        {
          gateway: '10.0.0.2',
          dev: 2,
          encap: {
            type: 'seg6',
            srh: { mode: 'encap', segments: ['2001:db8::10', '2001:db8::20'] },
          },
        },
        { gateway: '10.0.1.2', dev: 3 },
      ],
    },
  ],
  [
    'route-nh-encap/add-ipv6-ip6.request',
    'add',
    {
      dst: '2001:db8:20::/64',
      nexthops: [
        {
          gateway: '2001:db8::2',
          dev: 2,
          encap: { type: 'ip6', id: 7n, dst: '2001:db8::9', hoplimit: 9, tc: 0x10 },
        },
        { gateway: '2001:db8:1::2', dev: 3 },
      ],
    },
  ],
  [
    'route-nh-encap/add-ipv6-seg6.request',
    'add',
    {
      dst: '2001:db8:21::/64',
      nexthops: [
        {
          gateway: '2001:db8::2',
          dev: 2,
          // Inline mode: ip adds the :: slot the kernel fills with the packet's destination.
          encap: { type: 'seg6', srh: { mode: 'inline', segments: ['2001:db8::10', '::'] } },
        },
        {
          gateway: '2001:db8:1::2',
          dev: 3,
          encap: {
            type: 'seg6',
            srh: { mode: 'encap', segments: ['2001:db8::20', '2001:db8::30'] },
          },
        },
      ],
    },
  ],
  // fixtures/route-test: `ip route test …` (NLM_F_EXCL alone); d0 = 2.
  ['route-test/test-exists.request', 'test', { dst: '198.51.100.0/24', gateway: '192.0.2.254' }],
  ['route-test/test-missing.request', 'test', { dst: '203.0.113.0/24', gateway: '192.0.2.254' }],
  [
    'route-test/test-ipv6-exists.request',
    'test',
    { family: 'inet6', dst: '2001:db8:5::/48', gateway: '2001:db8::fe' },
  ],
  [
    'route-test/test-ipv6-missing.request',
    'test',
    { family: 'inet6', dst: '2001:db8:6::/48', gateway: '2001:db8::fe', dev: 2 },
  ],
];

// [fixture, spec]; iproute2 sends `ip route get` without NLM_F_ACK (the engine adds it).
const GETS: [string, RouteGetSpec<number>][] = [
  ['route-more/get.request', { dst: '198.51.100.7' }],
  ['route-more/get-fibmatch.request', { dst: '10.20.0.7', fibMatch: true }],
  ['route-more/get-ipv6.request', { dst: '2001:db8:10::7' }],
  // RTM_F_NOTIFY (0x100), with RTM_F_LOOKUP_TABLE for IPv4.
  ['route-cache/get-notify.request', { dst: '10.1.0.5', notify: true }],
  ['route-cache/get-ipv6-notify.request', { dst: '2001:db8:1::5', notify: true }],
  [
    'route-more/get-selectors.request',
    {
      dst: '10.30.0.7',
      src: '10.0.0.1',
      mark: 5,
      uid: 1000,
      ipProto: 6,
      sport: 1000,
      dport: 80,
    },
  ],
];

// [fixture, filter]
const DUMPS: [string, RouteDumpFilter<number>][] = [
  // ip route show table all
  ['route/dump-all.request', {}],
  // nlcapture.py route-dump-table table=2000 (family inet, RTA_TABLE 2000)
  ['route/dump-multipart.request', { family: 'inet', table: 2000 }],
  // ip -j route show / ip -j -6 route show / ip -j route show table 1000 (`ip route` means inet)
  ['route-more/dump-main.request', { family: 'inet', table: 'main' }],
  ['route-more/dump-ipv6.request', { family: 'inet6', table: 'main' }],
  ['route-more/dump-table-1000.request', { family: 'inet', table: 1000 }],
  // ip route show cloned table all / ip route show cache / ip -6 route show cache (RTM_F_CLONED)
  ['route-cache/dump-cache-all.request', { cloned: true }],
  ['route-cache/dump-cache-main.request', { family: 'inet', table: 'main', cloned: true }],
  ['route-cache/dump-ipv6-cache.request', { family: 'inet6', table: 'main', cloned: true }],
  // ip -j route show / ip -j -6 route show, after the nexthop encap routes
  ['route-nh-encap/dump-main.request', { family: 'inet', table: 'main' }],
  ['route-nh-encap/dump-ipv6.request', { family: 'inet6', table: 'main' }],
];

describe('route requests equal iproute2 requests', () => {
  it.each(MODIFY)('%s', (name, op, spec) => {
    expectSame(name, buildRouteRequest(op, spec), NLM_F_REQUEST | NLM_F_ACK);
  });

  it.each(GETS)('%s', (name, spec) => {
    expectSame(name, buildRouteGetRequest(spec), NLM_F_REQUEST);
  });

  it.each(DUMPS)('%s', (name, filter) => {
    expectSame(name, buildRouteDumpRequest(filter), NLM_F_REQUEST | NLM_F_DUMP);
  });

  it('covers every captured iproute2 route add/replace/append/delete/dump request', () => {
    const covered = new Set([...MODIFY, ...GETS, ...DUMPS].map((r) => r[0]));
    const routeRequests = listFixtures().filter((n) => {
      if (!n.endsWith('.request')) return false;
      const fx = loadFixture(n);
      if (!fx.meta.provenance.command.startsWith('ip ')) return false;
      const type = fx.messages[0]!.readUInt16LE(4);
      return type >= 24 && type <= 26; // RTM_NEWROUTE, RTM_DELROUTE, RTM_GETROUTE
    });
    const missing = routeRequests.filter((n) => !covered.has(n));
    expect(missing).toEqual([]);
  });
});

describe('route test, notify and cloned', () => {
  it('test is RTM_NEWROUTE with NLM_F_EXCL (0x200) alone', () => {
    const plan = buildRouteRequest('test', { dst: '192.0.2.0/24', dev: 2 });
    expect({ type: plan.type, flags: plan.flags }).toEqual({ type: 24, flags: 0x200 });
  });

  it.each([
    [() => buildRouteGetRequest({ dst: '192.0.2.1', notify: 1 as never }), 'route.notify'],
    [() => buildRouteDumpRequest({ cloned: 'yes' as never }), 'routeFilter.cloned'],
  ])('a flag that is not a boolean is refused with its path (%#)', (build, path) => {
    expect(build).toThrow(expect.objectContaining({ code: 'BAD_VALUE', path }));
  });

  it('false is the same as leaving the flag out', () => {
    const hex = (p: RequestPlan) => planPayload(p).toString('hex');
    expect(hex(buildRouteGetRequest({ dst: '192.0.2.1', notify: false }))).toBe(
      hex(buildRouteGetRequest({ dst: '192.0.2.1' })),
    );
    expect(hex(buildRouteDumpRequest({ cloned: false }))).toBe(hex(buildRouteDumpRequest({})));
  });
});

describe('route specs with fields the builder does not know', () => {
  it('are refused with the field named, never dropped', () => {
    expect(() =>
      buildRouteRequest('add', { dst: '192.0.2.0/24', dev: 2, metric: 5 } as never),
    ).toThrow(
      expect.objectContaining({
        code: 'UNKNOWN_ATTRIBUTE',
        path: 'route.metric',
        message: expect.stringContaining('the metric is "priority"'),
      }),
    );
    expect(() =>
      buildRouteRequest('add', {
        dst: '192.0.2.0/24',
        nexthops: [{ dev: 2 }, { dev: 3, wieght: 2 }],
      } as never),
    ).toThrow(expect.objectContaining({ path: 'route.nexthops[1].wieght' }));
  });
});

describe('an encap in a nexthop', () => {
  // [encap of the second hop, error code, path]
  it.each([
    [5, 'BAD_VALUE', 'route.nexthops[1].encap'],
    [{ type: 'nope' }, 'BAD_VALUE', 'route.nexthops[1].encap.type'],
    [{ type: 'mpls', dst: [1 << 20] }, 'OUT_OF_RANGE', 'route.nexthops[1].encap(mpls).dst[0]'],
    [{ type: 'ip', ttl: 300 }, 'OUT_OF_RANGE', 'route.nexthops[1].encap(ip).ttl'],
    [{ type: 'ip', bogus: 1 }, 'UNKNOWN_ATTRIBUTE', 'route.nexthops[1].encap(ip)'],
  ])('%j is refused with the hop named', (encap, code, path) => {
    expect(() =>
      buildRouteRequest('add', {
        dst: '192.0.2.0/24',
        nexthops: [{ dev: 2 }, { gateway: '192.0.2.2', encap: encap as never }],
      }),
    ).toThrow(expect.objectContaining({ code, path }));
  });

  it('is written where its key stands among gateway and realms', () => {
    const encap = { type: 'ip', dst: '192.0.2.9' } as const;
    const hex = (hop: object) =>
      planPayload(buildRouteRequest('add', { dst: '198.51.100.0/24', nexthops: [hop] })).toString(
        'hex',
      );
    // struct rtmsg, RTA_DST, then RTA_MULTIPATH (len 48) with one rtnexthop (len 44, ifindex 2).
    const head = '02180000fe0300010000000008000100c6336400' + '30000900' + '2c00000002000000';
    const gw = '08000500c0000202'; // RTA_GATEWAY 192.0.2.2
    const enc = '0c001680' + '08000200c0000209' + '060015000200' + '0000'; // RTA_ENCAP, _TYPE ip
    const flow = '08000b0007000000'; // RTA_FLOW 7
    expect(hex({ gateway: '192.0.2.2', dev: 2, encap, realms: 7 })).toBe(head + gw + enc + flow);
    expect(hex({ realms: 7, encap, dev: 2, gateway: '192.0.2.2' })).toBe(head + flow + enc + gw);
  });
});

describe('a cached route to delete (cloned: RTM_F_CLONED)', () => {
  // Values from the kernel headers (the C compiler), bytes from the independent builder.
  const { values: C, unknown } = cValues({
    AF_INET6: 'AF_INET6',
    RTM_DELROUTE: 'RTM_DELROUTE',
    RTM_F_CLONED: 'RTM_F_CLONED',
    RT_TABLE_MAIN: 'RT_TABLE_MAIN',
    RTA_DST: 'RTA_DST',
    RTA_GATEWAY: 'RTA_GATEWAY',
    RTA_OIF: 'RTA_OIF',
  });

  it('the headers know every constant', () => {
    expect(unknown).toEqual([]);
  });

  it.each([
    // [spec, rtm_flags, attributes after RTA_DST]
    [{ dst: '2001:db8:2::1/128', cloned: true }, 'RTM_F_CLONED', []],
    [
      { dst: '2001:db8:2::1', gateway: '2001:db8:1::2', dev: 2, table: 'main', cloned: true },
      'RTM_F_CLONED',
      ['gateway', 'oif'],
    ],
    [{ dst: '2001:db8:2::1/128', cloned: false }, '', []],
  ] as const)('%j', (spec, flagName, attrs) => {
    const plan = buildRouteRequest('delete', spec as RouteSpec<number>);
    const rest = attrs.map((a) =>
      a === 'gateway'
        ? nla(C.RTA_GATEWAY!, hex('20010db8 00010000 00000000 00000002'))
        : nla(C.RTA_OIF!, u32le(2)),
    );
    expect({ type: plan.type, flags: plan.flags }).toEqual({ type: C.RTM_DELROUTE, flags: 0 });
    expect(planPayload(plan).toString('hex')).toBe(
      cat(
        // struct rtmsg: family, dst_len, src_len, tos, table, protocol (0: any), scope
        // (universe: IPv6), type (RTN_UNSPEC: any), flags
        Buffer.of(C.AF_INET6!, 128, 0, 0, C.RT_TABLE_MAIN!, 0, 0, 0),
        u32le(flagName ? C[flagName]! : 0),
        nla(C.RTA_DST!, hex('20010db8 00020000 00000000 00000001')),
        ...rest,
      ).toString('hex'),
    );
  });

  it.each([
    // Only a delete names a cached route (the kernel refuses RTF_CACHE on add).
    ['add', { dst: '2001:db8:2::1/128', dev: 2, cloned: true }, /only a delete/],
    ['replace', { dst: '2001:db8:2::1/128', dev: 2, cloned: true }, /only a delete/],
    // IPv4 ignores RTM_F_CLONED on delete: the FIB route of that prefix would go.
    ['delete', { dst: '10.2.0.1/32', cloned: true }, /IPv4/],
    ['delete', { dst: '2001:db8:2::1/128', cloned: 1 }, /boolean/],
  ] as const)('%s %j is refused, naming route.cloned', (op, spec, message) => {
    expect(() => buildRouteRequest(op, spec as unknown as RouteSpec<number>)).toThrow(
      expect.objectContaining({
        code: 'BAD_VALUE',
        path: 'route.cloned',
        message: expect.stringMatching(message),
      }),
    );
  });
});
