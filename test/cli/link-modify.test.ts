// `rtnl link add|set|delete` against `ip link …`: the same commands run through rtnl in one
// namespace and through ip in a twin must leave both in the same state (as `ip -j -d link`
// reports it), with the same status and stderr; usage errors name the argument; kernel
// refusals print ip's text.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Twin, twin, VOLATILE } from './helpers.js';

// Generated MAC addresses differ between the twins; timers and counters run.
const STATE_PATHS = [
  '*.address',
  '*.broadcast',
  '*.linkinfo.info_data.bridge_id',
  '*.linkinfo.info_data.root_id',
  '*.linkinfo.info_slave_data.bridge_id',
  '*.linkinfo.info_slave_data.root_id',
  ...VOLATILE.stats,
  ...VOLATILE.ageing,
];
const STATE = ['-d', 'link', 'show'];

let tw: Twin;
beforeEach(() => {
  tw = twin(['link set lo up', 'link add base0 type ifb']);
});
afterEach(() => tw?.close());

/** Run each command through both and compare status, stderr and the final state. */
function same(...commands: string[][]): void {
  for (const c of commands) tw.both(...c);
  tw.expectSameState(STATE, STATE_PATHS);
}

describe('link add', () => {
  it.each([
    [['link', 'add', 'i0', 'type', 'ifb']],
    [['link', 'add', 'name', 'i0', 'type', 'ifb']],
    [['link', 'add', 'dev', 'i0', 'mtu', '1280', 'txqlen', '10', 'type', 'ifb']],
    [['link', 'add', 'i0', 'address', '02:00:00:00:00:01', 'type', 'ifb']],
    [['link', 'add', 'i0', 'group', '3', 'alias', 'an alias', 'type', 'ifb']],
    [['link', 'add', 'i0', 'numtxqueues', '4', 'numrxqueues', '2', 'type', 'ifb']],
    [['link', 'add', 'i0', 'index', '77', 'type', 'ifb']],
    [['link', 'add', 'v0', 'type', 'veth']],
    [['link', 'add', 'v0', 'type', 'veth', 'peer', 'name', 'v1']],
    [['link', 'add', 'v0', 'mtu', '1400', 'type', 'veth', 'peer', 'name', 'v1', 'mtu', '1300']],
    [['link', 'add', 'br0', 'type', 'bridge']],
    [['link', 'add', 'br0', 'type', 'bridge', 'stp_state', '1', 'priority', '4096']],
    [['link', 'add', 'br0', 'type', 'bridge', 'forward_delay', '400', 'hello_time', '300']],
    [['link', 'add', 'br0', 'type', 'bridge', 'ageing_time', '6000', 'vlan_filtering', '1']],
    [['link', 'add', 'br0', 'type', 'bridge', 'mcast_snooping', '0', 'mcast_router', '2']],
    [['link', 'add', 'br0', 'type', 'bridge', 'group_fwd_mask', '0x8']],
    [['link', 'add', 'vx0', 'type', 'vxlan', 'id', '10', 'dstport', '4789']],
    [['link', 'add', 'vx0', 'type', 'vxlan', 'id', '10', 'local', '192.0.2.1', 'dstport', '0']],
    [
      [
        'link',
        'add',
        'vx0',
        'type',
        'vxlan',
        'id',
        '11',
        'remote',
        '198.51.100.7',
        'dstport',
        '4789',
        'ttl',
        '5',
        'tos',
        '10',
        'ageing',
        '120',
        'nolearning',
      ],
    ],
    [
      [
        'link',
        'add',
        'vx0',
        'type',
        'vxlan',
        'id',
        '12',
        'group',
        '239.1.1.1',
        'dev',
        'base0',
        'dstport',
        '4789',
        'srcport',
        '1000',
        '2000',
      ],
    ],
    [
      [
        'link',
        'add',
        'vx0',
        'type',
        'vxlan',
        'vni',
        '13',
        'remote',
        '2001:db8::9',
        'dstport',
        '4789',
        'noudpcsum',
        'udp6zerocsumtx',
        'l2miss',
        'proxy',
        'maxaddress',
        '50',
      ],
    ],
    [['link', 'add', 'vx0', 'type', 'vxlan', 'external', 'dstport', '4789']],
    [['link', 'add', 'mv0', 'link', 'base0', 'type', 'macvlan']],
    [['link', 'add', 'mv0', 'link', 'base0', 'type', 'macvlan', 'mode', 'private']],
    [['link', 'add', 'mv0', 'link', 'base0', 'type', 'macvlan', 'mode', 'passthru', 'nopromisc']],
    [['link', 'add', 'mvt0', 'link', 'base0', 'type', 'macvtap', 'mode', 'bridge']],
  ])('%j', (cmd) => {
    same(cmd);
  });

  it('`-4 link add … type vxlan` without an address sends the any-group as ip does', () => {
    same(['-4', 'link', 'add', 'vx0', 'type', 'vxlan', 'id', '5', 'dstport', '4789']);
  });
});

describe('link set', () => {
  beforeEach(() => {
    for (const ns of [tw.a, tw.b]) {
      ns.setup(['link add br0 type bridge', 'link add i0 type ifb', 'link add i1 type ifb']);
    }
  });

  it.each([
    [['link', 'set', 'i0', 'up']],
    [['link', 'set', 'dev', 'i0', 'up', 'mtu', '1300']],
    [['link', 'set', 'i0', 'down']],
    [['link', 'set', 'i0', 'name', 'renamed']],
    [['link', 'set', 'dev', 'i0', 'address', '02:aa:bb:cc:dd:ee']],
    [['link', 'set', 'i0', 'broadcast', '02:ff:ff:ff:ff:ff']],
    [['link', 'set', 'i0', 'txqueuelen', '77']],
    [['link', 'set', 'i0', 'qlen', '78']],
    [['link', 'set', 'i0', 'alias', 'hello world']],
    [['link', 'set', 'i0', 'group', '9']],
    [['link', 'set', 'i0', 'arp', 'off']],
    [['link', 'set', 'i0', 'multicast', 'on']],
    [['link', 'set', 'i0', 'allmulticast', 'on']],
    [['link', 'set', 'i0', 'promisc', 'on']],
    [['link', 'set', 'i0', 'dynamic', 'on']],
    [['link', 'set', 'i0', 'master', 'br0']],
    [['link', 'set', 'i0', 'addrgenmode', 'none']],
    [['link', 'set', 'i0', 'gso_max_size', '32768', 'gso_max_segs', '100']],
    [['link', 'set', 'br0', 'type', 'bridge', 'stp_state', '1']],
    [['link', 'set', 'br0', 'type', 'bridge', 'ageing_time', '1000', 'hello_time', '150']],
  ])('%j', (cmd) => {
    same(cmd);
  });

  it('master / nomaster / bridge_slave options', () => {
    same(
      ['link', 'set', 'i0', 'master', 'br0'],
      ['link', 'set', 'i1', 'master', 'br0'],
      [
        'link',
        'set',
        'i0',
        'type',
        'bridge_slave',
        'cost',
        '50',
        'priority',
        '7',
        'learning',
        'off',
      ],
      ['link', 'set', 'dev', 'i0', 'type', 'bridge_slave', 'hairpin', 'on', 'guard', 'on'],
      ['link', 'set', 'i1', 'nomaster'],
    );
  });

  it('a device group at once', () => {
    same(
      ['link', 'set', 'i0', 'group', '5'],
      ['link', 'set', 'i1', 'group', '5'],
      ['link', 'set', 'group', '5', 'up', 'mtu', '1400'],
      ['link', 'set', 'group', '5', 'down'],
    );
  });
});

describe('link delete', () => {
  it.each([
    [['link', 'delete', 'base0']],
    [['link', 'del', 'dev', 'base0']],
    [['link', 'delete', 'base0', 'type', 'ifb']],
  ])('%j', (cmd) => {
    same(cmd);
  });

  it('a veth pair goes with either end', () => {
    for (const ns of [tw.a, tw.b]) ns.setup(['link add v0 type veth peer name v1']);
    same(['link', 'delete', 'v1']);
  });

  it('a device group', () => {
    for (const ns of [tw.a, tw.b])
      ns.setup(['link set base0 group 4', 'link add g1 group 4 type ifb']);
    same(['link', 'delete', 'group', '4']);
  });
});

describe('errors are ip’s, with its exit statuses', () => {
  it.each([
    // Kernel refusals (extended ack or strerror), exit 2.
    [['link', 'add', 'base0', 'type', 'ifb']],
    [['link', 'add', 'x0', 'type', 'nosuchkind']],
    [['link', 'add', 'v9', 'mtu', '10', 'type', 'veth']],
    [['link', 'add', 'v0', 'type', 'veth', 'peer', 'name', 'base0']],
    [
      [
        'link',
        'add',
        'vx0',
        'type',
        'vxlan',
        'id',
        '1',
        'dstport',
        '4789',
        'ttl',
        '0',
        'df',
        'set',
        'local',
        '2001:db8::1',
        'remote',
        '192.0.2.1',
      ],
    ],
    // Usage errors, exit 255 (or 1 where ip returns -1).
    [['link', 'set', 'nope', 'up']],
    [['link', 'set', 'base0', 'mtu', 'big']],
    [['link', 'set', 'base0', 'txqlen', '1x']],
    [['link', 'set', 'base0', 'arp', 'maybe']],
    [['link', 'set', 'base0', 'mtu', '1000', 'mtu', '1200']],
    [['link', 'set', 'base0', 'master', 'nope']],
    [['link', 'set', 'base0', 'address', 'zz:00']],
    [['link', 'set', 'base0', 'name', 'a/b']],
    [['link', 'set', 'base0', 'group', 'x']],
    [['link', 'set', 'base0', 'addrgenmode', 'nonsense']],
    [['link', 'set', 'base0', 'index', '5']],
    [['link', 'set', 'up']],
    [['link', 'set', 'base0', 'mtu']],
    [['link', 'set', 'base0', 'other0']],
    [['link', 'add', 'x0']],
    [['link', 'add', 'x0', 'link', 'nope', 'type', 'macvlan']],
    [['link', 'add', 'x0', 'name', 'y0', 'dev', 'z0', 'type', 'ifb']],
    [['link', 'add', 'group', '3', 'type', 'ifb']],
    [['link', 'add', 'x0', 'type', 'ifb', 'ignored', 'words']],
    [['link', 'add', 'x0', 'type', 'nokind', 'garbage']],
    [['link', 'add', 'x0', 'type', 'bridge', 'priority', 'high']],
    [['link', 'add', 'x0', 'type', 'vxlan', 'dstport', '4789']],
    [['link', 'add', 'x0', 'type', 'vxlan', 'id', '99999999', 'dstport', '4789']],
    [['link', 'add', 'x0', 'type', 'vxlan', 'id', '1', 'group', '192.0.2.1']],
    [['link', 'add', 'x0', 'type', 'vxlan', 'id', '1', 'group', '239.0.0.1']],
    [['link', 'delete', 'nope']],
    [['link', 'delete']],
  ])('%j', (cmd) => {
    const { rtnl, ip } = tw.both(...cmd);
    expect(rtnl.status).toBe(ip.status);
    tw.expectSameState(STATE, STATE_PATHS);
  });

  // ip follows these with the kind's whole option list (its explain()); rtnl prints the first
  // line, which names the argument, and points to `rtnl link help`.
  it.each([
    [['link', 'add', 'x0', 'type', 'bridge', 'bogus', '1']],
    [['link', 'add', 'x0', 'type', 'vxlan', 'id', '1', 'bogus']],
    [['link', 'add', 'x0', 'link', 'base0', 'type', 'macvlan', 'nopromisc']],
    [['link', 'add', 'x0', 'link', 'base0', 'type', 'macvlan', 'mode', 'weird']],
  ])('%j (first line of ip’s message)', (cmd) => {
    const r = tw.rtnl(...cmd);
    const i = tw.ip(...cmd);
    expect(r.status).toBe(i.status);
    expect(r.stderr.split('\n')[0]).toBe(i.stderr.split('\n')[0]);
    tw.expectSameState(STATE, STATE_PATHS);
  });
});
