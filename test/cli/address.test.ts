// `rtnl address` against `ip address` (iproute2 is the oracle): every show form, IPv4 and IPv6,
// the filters, -s, -d, -br, -o; writes through rtnl in one twin and ip in the other; errors.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type CliNs,
  cliNs,
  expectSameJson,
  expectSameText,
  type Twin,
  twin,
  VOLATILE,
} from './helpers.js';

// Remaining lifetimes tick between the two calls; counters of devices that are up move.
const VOLATILE_KEYS = [...VOLATILE.lifetimes, ...VOLATILE.stats, ...VOLATILE.ageing];
const LFT_TEXT = /(valid_lft|preferred_lft) [0-9]+sec/g;
const TIMER_TEXT =
  /\b(hello_timer|tcn_timer|topology_change_timer|gc_timer|hold_timer|message_age_timer|forward_delay_timer) +[0-9]+\.[0-9]+/g;
const fix = (s: string) => s.replace(LFT_TEXT, '$1 <n>sec').replace(TIMER_TEXT, '$1 <t>');

describe('address show', () => {
  let t: CliNs;
  beforeAll(() => {
    t = cliNs([
      'link set lo up',
      'link add d0 type ifb',
      'link add d1 type ifb',
      'link add br0 type bridge',
      'link add v0 type veth peer name v1',
      'link set v0 master br0',
      'link set d0 up',
      'link set br0 up',
      'addr add 192.0.2.1/24 dev d0',
      'addr add 192.0.2.2/24 dev d0',
      'addr add 198.51.100.1/25 brd + dev d0 label d0:one',
      'addr add 203.0.113.1 peer 203.0.113.2/32 dev d0',
      'addr add 10.9.0.1/16 dev d0 metric 7 scope link',
      'addr add 10.8.0.1/8 dev d0 noprefixroute',
      'addr add 10.7.0.1/24 dev d0 valid_lft 3000 preferred_lft 2000',
      'addr add 10.6.0.1/24 dev d0 valid_lft 3000 preferred_lft 0',
      'addr add 2001:db8::1/64 dev d0 nodad',
      'addr add 2001:db8:1::1/64 dev d0 nodad valid_lft 4000 preferred_lft 1000',
      'addr add 2001:db8:2::1/64 dev d0 nodad mngtmpaddr',
      'addr add 2001:db8:3::1/128 dev d0 nodad home',
      'addr add 192.0.2.129/26 dev br0',
      'addr add 2001:db8:9::1/64 dev br0 nodad',
      'addr add 2001:db8:a::1/64 dev d1',
    ]);
  });
  afterAll(() => t?.close());

  it.each([
    [['address']],
    [['addr', 'show']],
    [['a']],
    [['address', 'list']],
    [['address', 'lst']],
    [['-4', 'address']],
    [['-6', 'address']],
    [['-f', 'inet', 'addr']],
    [['-f', 'inet6', 'addr']],
    [['-0', 'addr']],
    [['addr', 'show', 'dev', 'd0']],
    [['addr', 'show', 'd1']],
    [['-4', 'addr', 'show', 'dev', 'd0']],
    [['-6', 'addr', 'show', 'dev', 'd0']],
    [['addr', 'show', 'up']],
    [['addr', 'show', 'scope', 'global']],
    [['addr', 'show', 'scope', 'link']],
    [['addr', 'show', 'scope', 'host']],
    [['addr', 'show', 'scope', 'all']],
    [['addr', 'show', 'label', 'd0:*']],
    [['addr', 'show', 'label', 'd0']],
    [['addr', 'show', 'to', '192.0.2.0/24']],
    [['addr', 'show', 'to', '10.0.0.0/8']],
    [['addr', 'show', 'to', '2001:db8::/32']],
    [['addr', 'show', 'primary']],
    [['addr', 'show', 'secondary']],
    [['addr', 'show', 'permanent']],
    [['addr', 'show', 'dynamic']],
    [['addr', 'show', 'tentative']],
    [['addr', 'show', '-tentative']],
    [['addr', 'show', 'deprecated']],
    [['addr', 'show', 'noprefixroute']],
    [['addr', 'show', 'mngtmpaddr']],
    [['addr', 'show', 'master', 'br0']],
    [['addr', 'show', 'nomaster']],
    [['addr', 'show', 'type', 'bridge']],
    [['addr', 'show', 'type', 'bridge_slave']],
    [['addr', 'show', 'group', 'default']],
    [['-d', 'addr']],
    [['-s', 'addr', 'show', 'dev', 'd1']],
    [['-s', '-s', 'addr', 'show']],
    [['-br', 'addr']],
    [['-br', '-4', 'addr']],
    [['-o', 'addr']],
    [['-o', '-6', 'addr', 'show', 'dev', 'd0']],
  ])('-j %j', (args) => {
    expectSameJson(t, args, VOLATILE_KEYS);
  });

  it.each([
    [['addr']],
    [['-4', 'addr', 'show', 'dev', 'd0']],
    [['-6', 'addr', 'show', 'dev', 'd0']],
    [['addr', 'show', 'dev', 'd1']],
    [['addr', 'show', 'label', 'd0:*']],
    [['addr', 'show', 'secondary']],
    [['-br', 'addr']],
    [['-br', '-c', 'addr']],
    [['-c', 'addr', 'show', 'dev', 'd0']],
    [['-o', 'addr']],
    [['-N', 'addr', 'show', 'dev', 'd0']],
    [['-d', 'addr', 'show', 'dev', 'br0']],
    [['-s', 'addr', 'show', 'dev', 'd1']],
  ])('text %j', (args) => {
    expectSameText(t, args, fix);
  });

  it('-p prints ip’s bytes', () => {
    const args = ['-j', '-p', '-4', 'addr', 'show', 'dev', 'd0'];
    expect(t.rtnl(...args).stdout).toBe(t.ip(...args));
  });

  it.each([
    [['addr', 'show', 'dev', 'nope']],
    [['addr', 'show', 'scope', 'bogus']],
    [['addr', 'show', 'to', 'nonsense']],
    [['addr', 'show', 'master', 'nope']],
    [['addr', 'show', 'd0', 'd1']],
    [['addr', 'show', 'label']],
    [['addr', 'frob']],
  ])('errors %j', (args) => {
    expectSameText(t, args);
  });
});

describe('address add / change / replace / delete / flush', () => {
  let tw: Twin;
  const STATE = ['addr', 'show'];
  // The twins' ifb devices get random MACs: no link-local addresses (addrgenmode none), and the
  // MACs are normalised.
  const STATE_PATHS = ['*.address', ...VOLATILE_KEYS];
  beforeEach(() => {
    tw = twin([
      'link set lo up',
      'link add d0 type ifb',
      'link set d0 addrgenmode none',
      'link set d0 up',
      'link add d1 type ifb',
    ]);
  });
  afterEach(() => tw?.close());

  const same = (...commands: string[][]) => {
    for (const c of commands) tw.both(...c);
    tw.expectSameState(STATE, STATE_PATHS);
  };

  it.each([
    [['addr', 'add', '192.0.2.1/24', 'dev', 'd0']],
    [['addr', 'add', '192.0.2.1', 'dev', 'd0']],
    [['addr', 'add', 'local', '192.0.2.1/24', 'dev', 'd0']],
    [['addr', 'add', '192.0.2.1/24', 'brd', '+', 'dev', 'd0']],
    [['addr', 'add', '192.0.2.1/24', 'broadcast', '-', 'dev', 'd0']],
    [['addr', 'add', '192.0.2.1/24', 'brd', '192.0.2.200', 'dev', 'd0']],
    [['addr', 'add', '192.0.2.1/255.255.255.0', 'dev', 'd0']],
    [['addr', 'add', '10.1', 'dev', 'd0']],
    [['addr', 'add', '192.0.2.1', 'peer', '192.0.2.2', 'dev', 'd0']],
    [['addr', 'add', '192.0.2.1', 'peer', '198.51.100.0/24', 'dev', 'd0']],
    [['addr', 'add', '192.0.2.1/24', 'dev', 'd0', 'label', 'd0:x']],
    [['addr', 'add', '192.0.2.1/24', 'dev', 'd0', 'scope', 'link']],
    [['addr', 'add', '192.0.2.1/24', 'dev', 'd0', 'scope', '100']],
    [['addr', 'add', '127.0.0.2/8', 'dev', 'lo']],
    [['addr', 'add', '192.0.2.1/24', 'dev', 'd0', 'metric', '55']],
    [['addr', 'add', '192.0.2.1/24', 'dev', 'd0', 'noprefixroute']],
    [['addr', 'add', '192.0.2.1/24', 'dev', 'd0', 'valid_lft', '600', 'preferred_lft', '300']],
    [['addr', 'add', '192.0.2.1/24', 'dev', 'd0', 'valid_lft', 'forever', 'preferred_lft', '0']],
    [['-6', 'addr', 'add', '2001:db8::1/64', 'dev', 'd0', 'nodad']],
    [['addr', 'add', '2001:db8::1/64', 'dev', 'd0', 'nodad', 'home', 'mngtmpaddr']],
    [['addr', 'add', '2001:db8::1', 'dev', 'd0', 'nodad', 'optimistic']],
    [['addr', 'add', '2001:db8::1/64', 'dev', 'd1', 'valid_lft', '500', 'preferred_lft', '200']],
    [['addr', 'add', '2001:db8::1/64', 'peer', '2001:db8::2', 'dev', 'd0', 'nodad']],
    [['addr', 'add', '2001:db8::1/64', 'anycast', '2001:db8::7', 'dev', 'd0', 'nodad']],
    [['addr', 'add', '239.1.2.3/32', 'dev', 'd0', 'autojoin']],
  ])('%j', (cmd) => {
    same(cmd);
  });

  it('secondaries, replace, change and delete', () => {
    same(
      ['addr', 'add', '192.0.2.1/24', 'dev', 'd0'],
      ['addr', 'add', '192.0.2.2/24', 'dev', 'd0'],
      ['addr', 'add', '192.0.2.3/24', 'dev', 'd0'],
      ['addr', 'replace', '192.0.2.2/24', 'dev', 'd0', 'metric', '9'],
      ['addr', 'change', '192.0.2.3/24', 'dev', 'd0', 'valid_lft', '900', 'preferred_lft', '900'],
      ['addr', 'del', '192.0.2.2/24', 'dev', 'd0'],
      ['addr', 'replace', '198.51.100.1/24', 'dev', 'd1'],
      ['addr', 'delete', '192.0.2.1/24', 'dev', 'd0'],
    );
  });

  it('wildcard deletion of an IPv4 address without a length (with ip’s warning)', () => {
    same(['addr', 'add', '192.0.2.1/24', 'dev', 'd0'], ['addr', 'del', '192.0.2.1', 'dev', 'd0']);
  });

  it.each([
    [['addr', 'flush', 'dev', 'd0']],
    [['addr', 'flush', 'dev', 'd0', 'secondary']],
    [['addr', 'flush', 'dev', 'd0', 'primary']],
    [['-4', 'addr', 'flush', 'dev', 'd0']],
    [['-6', 'addr', 'flush', 'dev', 'd0']],
    [['addr', 'flush', 'label', 'd0:*']],
    [['addr', 'flush', 'to', '192.0.2.0/24']],
    [['addr', 'flush', 'scope', 'link']],
    [['addr', 'flush', 'dynamic']],
    [['-s', 'addr', 'flush', 'dev', 'd1']],
    [['addr', 'flush']],
    [['-0', 'addr', 'flush', 'dev', 'd0']],
    [['addr', 'flush', 'dev', 'nope']],
  ])('flush %j', (cmd) => {
    for (const ns of [tw.a, tw.b]) {
      ns.setup([
        'addr add 192.0.2.1/24 dev d0',
        'addr add 192.0.2.2/24 dev d0',
        'addr add 192.0.2.3/24 dev d0 label d0:a',
        'addr add 198.51.100.1/24 dev d0 scope link',
        'addr add 10.0.0.1/8 dev d0 valid_lft 1000 preferred_lft 1000',
        'addr add 2001:db8::1/64 dev d0 nodad',
        'addr add 192.0.2.9/24 dev d1',
      ]);
    }
    const r = tw.rtnl(...cmd);
    const i = tw.ip(...cmd);
    expect({ status: r.status, stdout: r.stdout, stderr: r.stderr }).toEqual({
      status: i.status,
      stdout: i.stdout,
      stderr: i.stderr,
    });
    tw.expectSameState(STATE, STATE_PATHS);
  });

  it.each([
    // Kernel refusals.
    [
      ['addr', 'add', '192.0.2.1/24', 'dev', 'd0'],
      ['addr', 'add', '192.0.2.1/24', 'dev', 'd0'],
    ],
    [['addr', 'del', '192.0.2.77/24', 'dev', 'd0']],
    [['addr', 'add', '2001:db8::1/64', 'dev', 'd0', 'scope', 'host', 'nodad', 'valid_lft', '0']],
    // Usage errors.
    [['addr', 'add', '192.0.2.1/24']],
    [['addr', 'add', '192.0.2.1/24', 'dev', 'nope']],
    [['addr', 'add', '192.0.2.1/33', 'dev', 'd0']],
    [['addr', 'add', 'bogus', 'dev', 'd0']],
    [['addr', 'add', '192.0.2.1/24', '192.0.2.2/24', 'dev', 'd0']],
    [['addr', 'add', '192.0.2.1/24', 'dev', 'd0', 'scope', 'nowhere-ish']],
    [['addr', 'add', '192.0.2.1/24', 'dev', 'd0', 'metric', 'x']],
    [['addr', 'add', '192.0.2.1/24', 'dev', 'd0', 'valid_lft', 'x']],
    [['addr', 'add', '192.0.2.1/24', 'dev', 'd0', 'valid_lft', '10', 'preferred_lft', '20']],
    [['addr', 'add', '192.0.2.1/24', 'dev', 'd0', 'valid_lft', '0']],
    [['addr', 'add', '192.0.2.1/24', 'dev', 'd0', 'nodad']],
    [['addr', 'add', '192.0.2.1/24', 'dev', 'd0', 'permanent']],
    [['addr', 'add', '192.0.2.1/24', 'dev', 'd0', 'autojoin']],
    [['addr', 'add', '2001:db8::1/64', 'brd', '+', 'dev', 'd0']],
    [['-4', 'addr', 'add', '2001:db8::1/64', 'dev', 'd0']],
    [['addr', 'add', '192.0.2.1/24', 'peer', '192.0.2.2', 'peer', '192.0.2.3', 'dev', 'd0']],
    [['addr', 'add', '192.0.2.1/24', 'dev']],
  ])('errors %j', (...cmds) => {
    let last: { rtnl: { status: number }; ip: { status: number } } | undefined;
    for (const c of cmds) last = tw.both(...c);
    expect(last!.rtnl.status).toBe(last!.ip.status);
    tw.expectSameState(STATE, STATE_PATHS);
  });
});
