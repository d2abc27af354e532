// Our neighbour request builders against iproute2's captured requests for the same commands:
// the payload (ndmsg + attributes) byte for byte, the type, and the flags once the engine's
// NLM_F_REQUEST | NLM_F_ACK (or NLM_F_DUMP) are added. d0 is ifindex 2 in their namespace.
import { describe, expect, it } from 'vitest';
import {
  buildFdbRequest,
  buildNeighborDumpRequest,
  buildNeighborRequest,
  type FdbOp,
  type FdbSpec,
  type NeighborDumpFilter,
  type NeighborOp,
  type NeighborSpec,
} from '../../../src/rtnetlink/requests/neighbor.js';
import { planPayload, type RequestPlan } from '../../../src/rtnetlink/requests/route.js';
import { listFixtures, loadFixture } from '../../helpers/fixtures.js';

// <linux/netlink.h>
const NLM_F_REQUEST = 0x1;
const NLM_F_ACK = 0x4;
const NLM_F_DUMP = 0x300;

function expectSame(name: string, plan: RequestPlan, engineFlags: number): void {
  const dgram = loadFixture(name).messages[0]!;
  // iproute2 sends its whole request buffer for dumps; the message ends at nlmsg_len.
  const len = dgram.readUInt32LE(0);
  expect(plan.type).toBe(dgram.readUInt16LE(4));
  expect(plan.flags | engineFlags).toBe(dgram.readUInt16LE(6));
  expect(planPayload(plan).toString('hex')).toBe(dgram.subarray(16, len).toString('hex'));
}

const ROWS: [string, NeighborOp, NeighborSpec<number>][] = [
  // ip -6 neigh add proxy 2001:db8::9 dev d0
  ['neigh/add-ipv6-proxy.request', 'add', { proxy: true, dst: '2001:db8::9', dev: 2 }],
  // ip -6 neigh add 2001:db8::5 lladdr 02:00:00:00:00:25 dev d0 router
  [
    'neigh/add-ipv6-router.request',
    'add',
    { dst: '2001:db8::5', lladdr: '02:00:00:00:00:25', dev: 2, router: true },
  ],
  // ip neigh add 10.0.0.8 lladdr 02:00:00:00:00:08 dev d0 nud noarp
  [
    'neigh/add-noarp.request',
    'add',
    { dst: '10.0.0.8', lladdr: '02:00:00:00:00:08', dev: 2, state: 'noarp' },
  ],
  // ip neigh add 10.0.0.5 lladdr 02:00:00:00:00:05 dev d0
  ['neigh/add-permanent.request', 'add', { dst: '10.0.0.5', lladdr: '02:00:00:00:00:05', dev: 2 }],
  // ip neigh add proxy 10.0.0.9 dev d0
  ['neigh/add-proxy.request', 'add', { proxy: true, dst: '10.0.0.9', dev: 2 }],
  // ip neigh add 10.0.0.6 lladdr 02:00:00:00:00:06 dev d0 nud reachable
  [
    'neigh/add-reachable.request',
    'add',
    { dst: '10.0.0.6', lladdr: '02:00:00:00:00:06', dev: 2, state: 'reachable' },
  ],
  // ip neigh add 10.0.0.7 lladdr 02:00:00:00:00:07 dev d0 nud stale
  [
    'neigh/add-stale.request',
    'add',
    { dst: '10.0.0.7', lladdr: '02:00:00:00:00:07', dev: 2, state: 'stale' },
  ],
  // ip neigh del 10.0.0.7 dev d0
  ['neigh/del.request', 'delete', { dst: '10.0.0.7', dev: 2 }],
  // ip neigh replace 10.0.0.6 lladdr 02:00:00:00:00:16 dev d0 nud permanent
  [
    'neigh/replace.request',
    'replace',
    { dst: '10.0.0.6', lladdr: '02:00:00:00:00:16', dev: 2, state: 'permanent' },
  ],
];

const DUMPS: [string, NeighborDumpFilter<number>][] = [
  // ip -j neigh show
  ['neigh/dump.request', {}],
  // ip -j neigh show proxy
  ['neigh/dump-proxy.request', { proxy: true }],
  // bridge -j fdb show
  ['neigh/fdb-dump.request', { family: 'bridge' }],
  // ip -j neigh show nomaster (NDA_MASTER -1)
  ['neigh-master/dump-nomaster.request', { master: null }],
  // ip -j neigh show master br0 (br0 is ifindex 2 in its namespace)
  ['neigh-master/dump-master.request', { master: 2 }],
];

// `bridge fdb` requests; v0 = 6, vx0 = 7 in their namespace.
const FDB: [string, FdbOp, FdbSpec<number>][] = [
  // bridge fdb add 02:00:00:00:00:aa dev v0 master static
  [
    'neigh/fdb-add-master-static.request',
    'add',
    { family: 'bridge', lladdr: '02:00:00:00:00:aa', dev: 6, master: true, state: 'static' },
  ],
  // bridge fdb add 00:00:00:00:00:00 dev vx0 dst 10.0.0.99 port 4790 vni 43 self permanent
  [
    'neigh/fdb-add-vxlan-remote.request',
    'add',
    {
      family: 'bridge',
      lladdr: '00:00:00:00:00:00',
      dev: 7,
      dst: '10.0.0.99',
      port: 4790,
      vni: 43,
      self: true,
      state: 'permanent',
    },
  ],
];

describe('neighbour requests equal iproute2 requests', () => {
  it.each(ROWS)('%s', (name, op, spec) => {
    expectSame(name, buildNeighborRequest(op, spec), NLM_F_REQUEST | NLM_F_ACK);
  });

  it.each(FDB)('%s', (name, op, spec) => {
    expectSame(name, buildFdbRequest(op, spec), NLM_F_REQUEST | NLM_F_ACK);
  });

  it.each(DUMPS)('%s', (name, filter) => {
    expectSame(name, buildNeighborDumpRequest(filter), NLM_F_REQUEST | NLM_F_DUMP);
  });

  it('covers every captured `ip neigh` and `bridge fdb` request', () => {
    const covered = new Set([...ROWS, ...DUMPS, ...FDB].map((r) => r[0]));
    const neighRequests = listFixtures().filter((n) => {
      if (!n.endsWith('.request')) return false;
      const fx = loadFixture(n);
      const command = fx.meta.provenance.command;
      if (!command.startsWith('ip ') && !command.startsWith('bridge ')) return false;
      const type = fx.messages[0]!.readUInt16LE(4);
      return type >= 28 && type <= 30; // RTM_NEWNEIGH, RTM_DELNEIGH, RTM_GETNEIGH
    });
    expect(neighRequests.filter((n) => !covered.has(n))).toEqual([]);
  });
});
