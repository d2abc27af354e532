// `rtnl link show` against `ip link show` (iproute2 is the oracle), JSON and text, in a namespace
// the test made: every kind this kernel has, the filters, -s, -d, -br, -o, -p, -c.
// Runs the built CLI (npm test builds dist/ first).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliNs, cliNs, expectSameJson, expectSameText, VOLATILE } from './helpers.js';

// Timers of the bridge and its ports run between the two calls; the counters of a device that
// is up may move (IPv6 sends MLD/ND on bridges and veths).
const TIMER_KEYS = [...VOLATILE.ageing];
const COUNTERS = [...VOLATILE.stats];
const TIMER_TEXT =
  /\b(hello_timer|tcn_timer|topology_change_timer|gc_timer|hold_timer|message_age_timer|forward_delay_timer) +[0-9]+\.[0-9]+/g;
const fixTimers = (s: string) => s.replace(TIMER_TEXT, '$1 <t>');

let t: CliNs;

beforeAll(() => {
  t = cliNs([
    'link set lo up',
    'link add t0 type ifb',
    'link add br0 type bridge',
    'link set t0 master br0',
    'link add v0 type veth peer name v1',
    'link set v0 master br0',
    'link set br0 up',
    'link set v0 up',
    'link add vx0 type vxlan id 42 dstport 4789 local 192.0.2.1',
    'link add vx6 type vxlan id 7 remote 2001:db8::2 local 2001:db8::1 dstport 4790 ttl 64 nolearning',
    'link add mv0 link v1 type macvlan mode bridge',
    'link add mvt0 link v1 type macvtap mode vepa',
    'link add t1 type ifb',
    'link set t1 mtu 1400 txqlen 50 group 7 alias hello',
    'link property add dev t1 altname other-name-of-t1',
  ]);
  // An alias with the characters iproute2's json_writer escapes (quote, backslash, tab).
  t.ip('link', 'set', 't0', 'alias', 'with"quote\\and\ttab');
  t.ip('tuntap', 'add', 'tap0', 'mode', 'tap');
  t.ip('tuntap', 'add', 'tun0', 'mode', 'tun', 'multi_queue');
});

afterAll(() => t?.close());

describe('rtnl -j link show = ip -j link show', () => {
  it.each([
    [['link']],
    [['link', 'show']],
    [['link', 'list']],
    [['link', 'lst']],
    [['l']],
    [['link', 'show', 'dev', 't1']],
    [['link', 'show', 't0']],
    [['link', 'show', 'up']],
    [['link', 'show', 'master', 'br0']],
    [['link', 'show', 'nomaster']],
    [['link', 'show', 'type', 'veth']],
    [['link', 'show', 'type', 'bridge_slave']],
    [['link', 'show', 'type', 'vxlan']],
    [['link', 'show', 'group', '7']],
    [['link', 'show', 'group', 'default']],
    [['link', 'show', 'dev', 'lo', 'up']],
    [['link', 'show', 'dev', 'vx0', 'up']],
    [['-4', 'link', 'show']],
  ])('%j', (args) => {
    expectSameJson(t, args, COUNTERS);
  });

  it.each([
    [['-d', 'link', 'show']],
    [['-d', '-d', 'link']],
    [['-d', 'link', 'show', 'dev', 'br0']],
    [['-d', 'link', 'show', 'dev', 'v0']],
    [['-d', 'link', 'show', 'dev', 'vx6']],
    [['-d', 'link', 'show', 'dev', 'tun0']],
    [['-d', 'link', 'show', 'type', 'macvlan']],
  ])('details: %j', (args) => {
    expectSameJson(t, args, [...COUNTERS, ...TIMER_KEYS]);
  });

  it.each([[['-s']], [['-s', '-s']], [['-s', '-s', '-s']]])(
    'statistics %j: every link, counters normalised; quiet devices compared as they are',
    (opts) => {
      expectSameJson(t, [...opts, 'link', 'show'], COUNTERS);
      // lo and t1 (an ifb that is down) move no packets: their counters must match exactly.
      for (const dev of ['lo', 't1']) expectSameJson(t, [...opts, 'link', 'show', 'dev', dev]);
    },
  );

  it('brief: -br link', () => {
    expectSameJson(t, ['-br', 'link']);
    expectSameJson(t, ['-br', 'link', 'show', 'type', 'veth']);
  });

  it('-p prints the same bytes as ip -p (iproute2 json_writer layout)', () => {
    const args = ['-j', '-p', 'link', 'show', 'dev', 't1'];
    expect(t.rtnl(...args).stdout).toBe(t.ip(...args));
    const d = ['-j', '-p', '-d', 'link', 'show', 'dev', 'tap0'];
    expect(t.rtnl(...d).stdout).toBe(t.ip(...d));
  });

  it('-j compact output is byte-identical too', () => {
    for (const dev of ['lo', 't0', 't1', 'vx0', 'mv0']) {
      const args = ['-j', 'link', 'show', 'dev', dev];
      expect(t.rtnl(...args).stdout).toBe(t.ip(...args));
    }
  });
});

describe('rtnl link show text = ip link show text', () => {
  it.each([
    [['link']],
    [['link', 'show', 'dev', 't1']],
    [['link', 'show', 'master', 'br0']],
    [['link', 'show', 'type', 'vxlan']],
    [['-o', 'link']],
    [['-br', 'link']],
    [['-br', '-c', 'link']],
    [['-c', 'link', 'show', 'dev', 'br0']],
    [['-c=always', 'link', 'show', 'dev', 'v1']],
    [['-c=never', 'link', 'show', 'dev', 'v1']],
    [['-d', 'link', 'show', 'dev', 't1']],
    [['-d', 'link', 'show', 'dev', 'vx0']],
    [['-d', 'link', 'show', 'dev', 'vx6']],
    [['-d', 'link', 'show', 'dev', 'mv0']],
    [['-d', 'link', 'show', 'dev', 'mvt0']],
    [['-d', 'link', 'show', 'dev', 'tap0']],
    [['-d', 'link', 'show', 'dev', 'tun0']],
    [['-d', 'link', 'show', 'dev', 'br0']],
    [['-d', 'link', 'show', 'dev', 't0']],
    [['-d', '-o', 'link', 'show', 'dev', 't0']],
    [['-s', 'link', 'show', 'dev', 'lo']],
    [['-s', '-s', 'link', 'show', 'dev', 't1']],
    [['-s', '-h', 'link', 'show', 'dev', 't1']],
  ])('%j', (args) => {
    expectSameText(t, args, fixTimers);
  });

  it('colours follow lib/color.c (the dark palette with COLORFGBG)', () => {
    const args = ['-c', 'link', 'show', 'dev', 'br0'];
    const env = { COLORFGBG: '15;0' };
    const ours = t.rtnlRun(args, { env });
    const theirs = t.ipRun(args, { env });
    expect(ours.stdout).toBe(theirs.stdout);
    expect(ours.stdout).toContain('\x1b[1;36m');
  });
});

describe('rtnl link show errors = ip', () => {
  it.each([
    [['link', 'show', 'dev', 'nope']],
    [['link', 'show', 'master', 'nope']],
    [['link', 'show', 'group', 'x']],
    [['link', 'show', 'dev']],
    [['link', 'show', 'lo', 't0']],
  ])('%j', (args) => {
    expectSameText(t, args);
  });

  it('an unknown subcommand names it (with rtnl as the program)', () => {
    const r = t.rtnl('link', 'frob');
    const i = t.ipRun(['link', 'frob']);
    expect(r.status).toBe(i.status);
    expect(r.stderr).toBe(i.stderr.replace('"ip link help"', '"rtnl link help"'));
  });
});
