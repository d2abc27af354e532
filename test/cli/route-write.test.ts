// `rtnl route add|del|replace|append|change|prepend|flush` against `ip route`: the same command
// through rtnl in one namespace and through ip in its twin must leave the same routing tables
// (compared as `ip -j -d route show table all` of both) and report the same status and stderr.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Routes } from '../../src/index.js';
import { type Twin, twin } from './helpers.js';

const BASE = [
  'link set lo up',
  'link add v0 type veth peer name v1',
  'link set v0 addrgenmode none',
  'link set v1 addrgenmode none',
  'link set v0 up',
  'link set v1 up',
  'link add d0 type ifb',
  'link set d0 addrgenmode none',
  'link set d0 up',
  'addr add 192.0.2.1/24 dev v0',
  'addr add 198.51.100.129/25 dev d0',
  'addr add 2001:db8::1/64 dev v0 nodad',
];
const STATE = ['-d', 'route', 'show', 'table', 'all'];
// The remaining lifetime of an expiring IPv6 route moves between the two reads.
const TIMERS = ['**.expires'];

/** The same command through rtnl (twin a) and ip (twin b); same status and stderr expected. */
function both(tw: Twin, line: string): number {
  const { rtnl } = tw.both(...line.split(' '));
  return rtnl.status;
}

describe('rtnl route add/del/replace/append (twin namespaces)', () => {
  let tw: Twin;
  beforeAll(() => {
    tw = twin(BASE);
  });
  afterAll(() => tw?.close());

  const STEPS: string[] = [
    'route add 198.51.100.0/25 via 192.0.2.2 metric 10',
    'route add 198.51.100.128/26 via 198.51.100.130 mtu lock 1400 rtt 100ms rttvar 50ms advmss 1000 congctl lock cubic features ecn hoplimit 64 initcwnd 10 initrwnd 20 quickack 1 ssthresh 9 cwnd 8 window 7 reordering 6 fastopen_no_cookie 1 rto_min 300ms',
    'route add 10.30.0.0/16 via 192.0.2.2 rtt 12 rttvar 1.5s reordering lock 3 window lock 9',
    'route add 203.0.113.0/24 nexthop via 192.0.2.2 weight 2 nexthop via 192.0.2.3 dev v0 onlink nexthop dev d0 weight 5 realms 2/3',
    'route add blackhole 10.1.0.0/16 table 100',
    'route add unreachable 10.2.0.0/16 proto static',
    'route add prohibit 10.4.0.0/16 table 1000 metric 7',
    'route add throw 10.5.0.0/16 table 100',
    'route add 10.3.0.0/16 dev v0 realms 3/4 src 192.0.2.1',
    'route add 10.8.0.0/16 tos 0x10 dev v0',
    'route add 10.10.0.0/16 via inet6 2001:db8::7 dev v0',
    'route add local 192.0.2.200 dev v0',
    'route add broadcast 192.0.2.201 dev v0 table 100',
    'route add 10.12.0.0/16 dev v0 scope host proto 99 metric 4294967295',
    'route add 10.13.0.0/16 dev v0 table main protocol bird scope link',
    'route add to unicast 10.14.0.0/16 dev d0 pref low',
    'route add default via 192.0.2.254',
    'route add 10.15.0.0/16 via 192.0.2.9 dev v0 onlink',
    'route add 2001:db8:1::/48 via 2001:db8::2 pref high',
    'route add 2001:db8:5::/48 via 2001:db8::2 expires 300',
    'route add 2001:db8:3::/48 nexthop via 2001:db8::2 dev v0 nexthop via 2001:db8::3 dev v0 weight 3',
    'route add 2001:db8:4::/48 from 2001:db8:ff::/48 via 2001:db8::2',
    'route add prohibit 2001:db8:2::/48',
    'route add 2001:db8:6::/48 dev v0 table 100 metric 9 proto static',
    '-6 route add default via 2001:db8::2 metric 5',
    'route add 2001:db8:8::/48 via 2001:db8::2 ttl-propagate enabled',
    'route add 10.70.0.0/16 encap ip id 5 dst 192.0.2.9 ttl 3 tos 0x10 key csum dev v0',
    'route add 10.71.0.0/16 encap ip dst 192.0.2.9 src 192.0.2.1 seq dev v0 metric 3',
    'route add 2001:db8:70::/48 encap ip6 id 7 dst 2001:db8::9 src 2001:db8::1 hoplimit 9 tc 0x10 key dev v0',
    'route add 2001:db8:71::/48 encap seg6 mode encap segs 2001:db8::5,2001:db8::6 dev v0',
    'route add 2001:db8:72::/48 encap seg6 mode inline segs 2001:db8::5 dev v0',
    'route replace 198.51.100.0/25 via 192.0.2.3 metric 10',
    'route replace 10.40.0.0/16 dev v0',
    'route append 10.20.0.0/16 via 192.0.2.2',
    'route append 10.20.0.0/16 via 192.0.2.3',
    'route append 2001:db8:7::/48 via 2001:db8::2',
    'route append 2001:db8:7::/48 via 2001:db8::3',
    'route del 10.2.0.0/16',
    'route del 198.51.100.128/26',
    'route del 10.1.0.0/16 table 100',
    'route delete default',
    'route del 2001:db8:3::/48',
    'route del unreachable 10.99.0.0/16',
    'route del 10.4.0.0/16 table 1000 metric 7 proto boot',
  ];

  it.each(STEPS.map((s, i) => [i, s]))('step %i: %s', (_, line) => {
    both(tw, line as string);
    tw.expectSameState(STATE, TIMERS);
  });

  it('the state compared is not empty (the twin check can fail)', () => {
    const { a } = tw.state(STATE, TIMERS);
    expect((a as unknown[]).length).toBeGreaterThan(20);
  });

  it('kernel refusals print ip’s text and status', () => {
    for (const line of [
      'route add 198.51.100.0/25 via 192.0.2.3 metric 10',
      'route del 10.99.0.0/16',
      'route add 10.9.0.0/16 via 10.99.9.9',
      'route add 10.9.0.0/16 table 100 nhid 77',
      'route add 10.9.0.0/16 dev v0 congctl nosuchalgo',
      'route add 10.9.0.0/16 encap mpls 100/200 dev v0',
    ]) {
      const status = both(tw, line);
      expect(status, line).toBe(2);
    }
    tw.expectSameState(STATE, TIMERS);
  });

  it.each([
    'route add 10.9.0.0/16 dev nosuch',
    'route add 10.9.0.0/16 nexthop via 192.0.2.2 dev nosuch',
    'route add 10.9.0.0/16 dev v0 metric abc',
    'route add 10.9.0.0/16 dev v0 table abc',
    'route add 10.9.0.0/16 dev v0 proto nosuch',
    'route add 10.9.0.0/16 dev v0 scope nosuch',
    'route add 10.9.0.0/16 dev v0 mtu',
    'route add 10.9.0.0/16 dev v0 mtu lock x',
    'route add 10.9.0.0/16 dev v0 hoplimit 256',
    'route add 10.9.0.0/16 dev v0 rtt 5x',
    'route add 10.9.0.0/16 dev v0 quickack 2',
    'route add 10.9.0.0/16 dev v0 features foo',
    'route add 10.9.0.0/16 dev v0 pref bogus',
    'route add 10.9.0.0/16 dev v0 realms a/b',
    'route add 10.9.0.0/16 dev v0 tos zz',
    'route add 10.9.0.0/16 dev v0 expires -1',
    'route add 10.9.0.0/16 via 192.0.2.2 via 192.0.2.3',
    'route add 10.9.0.0/16 nexthop via 192.0.2.2 weight 0',
    'route add 10.9.0.0/16 nexthop via 192.0.2.2 weight 257',
    'route add 10.9.0.0/16 nexthop via 192.0.2.2 bogus',
    'route add 10.9.0.0/16 nexthop',
    'route add 10.9.0.0/16 10.10.0.0/16',
    'route add 10.9.0.0/33 dev v0',
    'route add bogus dev v0',
    '-6 route add 10.9.0.0/16 dev v0',
    'route add 10.9.0.0/16 via 2001:db8::zz',
    'route add 2001:db8:99::/48 via 192.0.2.2',
    'route del 10.9.0.0/16 dev nosuch',
    'route add 10.9.0.0/16 encap bogus dev v0',
    'route add 10.9.0.0/16 encap ip id 5',
    'route add 10.9.0.0/16 encap ip',
    'route add 10.9.0.0/16 encap ip id x dev v0',
    'route add 10.9.0.0/16 encap ip id 1 id 2 dev v0',
    'route add 10.9.0.0/16 encap ip dst 2001:db8::1 dev v0',
    'route add 10.9.0.0/16 encap ip ttl 300 dev v0',
    'route add 10.9.0.0/16 encap mpls x dev v0',
    'route add 10.9.0.0/16 encap mpls 100 ttl x dev v0',
    'route add 2001:db8:9::/48 encap seg6 segs 2001:db8::5 mode encap dev v0',
    'route add 2001:db8:9::/48 encap seg6 mode bogus dev v0',
  ])('usage error, as ip reports it: %s', (line) => {
    const { rtnl, ip } = tw.both(...line.split(' '));
    expect(rtnl.status).not.toBe(0);
    expect(rtnl.stdout).toBe(ip.stdout);
  });

  it.each(['route add', 'route add dev v0', 'route add help', 'route del'])(
    'no destination prints the usage (rtnl’s own text), status 255: %s',
    (line) => {
      const r = tw.rtnl(...line.split(' '));
      const i = tw.ip(...line.split(' '));
      expect(r.status).toBe(i.status);
      expect(r.stderr).toMatch(/^Usage: rtnl route/);
    },
  );

  it('nothing above changed either namespace', () => {
    tw.expectSameState(STATE, TIMERS);
  });

  it('an unknown command: ip’s text with the program’s own name', () => {
    const r = tw.rtnl('route', 'bogus');
    const i = tw.ip('route', 'bogus');
    expect(r.status).toBe(i.status);
    expect(r.stderr).toBe(i.stderr.replace('"ip route help"', '"rtnl route help"'));
  });

  it('`route help` prints the usage on stderr with status 255', () => {
    const r = tw.rtnl('route', 'help');
    expect(r.status).toBe(255);
    expect(r.stderr).toMatch(/^Usage: rtnl route/);
  });
});

// change (NLM_F_REPLACE alone) and prepend (NLM_F_CREATE alone) need rt.routes.change() and
// rt.routes.prepend(), which the client has not exposed yet.
const hasChange = 'change' in Routes.prototype && 'prepend' in Routes.prototype;

describe.runIf(hasChange)('rtnl route change/prepend (twin namespaces)', () => {
  let tw: Twin;
  beforeAll(() => {
    tw = twin([...BASE, 'route add 10.50.0.0/16 via 192.0.2.2']);
  });
  afterAll(() => tw?.close());
  it.each([
    'route change 10.50.0.0/16 via 192.0.2.3',
    'route change 10.51.0.0/16 via 192.0.2.3',
    'route prepend 10.50.0.0/16 via 192.0.2.4',
    'route prepend 10.52.0.0/16 dev v0',
    'route chg 10.52.0.0/16 dev d0',
  ])('%s', (line) => {
    both(tw, line);
    tw.expectSameState(STATE, TIMERS);
  });
});

describe.runIf(!hasChange)('rtnl route change/prepend without client support', () => {
  it('say they are not supported, before sending anything', () => {
    const tw = twin(BASE);
    try {
      for (const op of ['change', 'prepend']) {
        const r = tw.rtnl('route', op, '10.50.0.0/16', 'dev', 'v0');
        expect(r.status).toBe(255);
        expect(r.stderr).toContain('not supported');
      }
      tw.expectSameState(STATE, TIMERS);
    } finally {
      tw.close();
    }
  });
});

describe('rtnl route flush (twin namespaces)', () => {
  let tw: Twin;
  beforeAll(() => {
    const routes: string[] = [];
    for (let i = 0; i < 40; i++)
      routes.push(`route add 10.60.${i}.0/24 via 192.0.2.2 proto static`);
    for (let i = 0; i < 10; i++) routes.push(`route add 10.61.${i}.0/24 dev d0 table 100`);
    for (let i = 0; i < 10; i++) routes.push(`route add 2001:db8:100:${i}::/64 via 2001:db8::2`);
    for (let i = 0; i < 5; i++) routes.push(`route add 10.62.${i}.0/24 dev d0`);
    routes.push('route add blackhole 10.63.0.0/16 table 1000');
    tw = twin([...BASE, ...routes]);
  });
  afterAll(() => tw?.close());

  it('needs arguments, as ip', () => {
    const { rtnl } = tw.both('route', 'flush');
    expect(rtnl.status).toBe(1);
  });

  it.each([
    'route flush table 100',
    'route flush proto static',
    'route flush dev d0',
    '-6 route flush root 2001:db8:100::/56',
    'route flush table 1000 type blackhole',
    'route flush 10.0.0.0/8',
  ])('%s', (line) => {
    const { rtnl, ip } = tw.both(...line.split(' '));
    expect(rtnl.stdout).toBe(ip.stdout);
    tw.expectSameState(STATE, TIMERS);
  });

  it('-s reports the rounds as ip does', () => {
    tw.a.setup(['route add 10.64.0.0/24 dev d0', 'route add 10.64.1.0/24 dev d0']);
    tw.b.setup(['route add 10.64.0.0/24 dev d0', 'route add 10.64.1.0/24 dev d0']);
    const first = tw.both('-s', 'route', 'flush', 'root', '10.64.0.0/16');
    expect(first.rtnl.stdout).toBe(first.ip.stdout);
    expect(first.rtnl.stdout).toContain('deleting 2 entries');
    const again = tw.both('-s', 'route', 'flush', 'root', '10.64.0.0/16');
    expect(again.rtnl.stdout).toBe(again.ip.stdout);
    expect(again.rtnl.stdout).toBe('Nothing to flush.\n');
    tw.expectSameState(STATE, TIMERS);
  });
});
