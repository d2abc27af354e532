// The rtnetlink requests `rtnl route|rule|neigh …` send, captured with strace, equal the ones
// `ip` sends for the same command line (sequence number and port id aside): header, flags and
// every attribute byte. Commands are written in the usual order (the order `ip … show` prints
// things in), for which the client's request builders promise iproute2's attribute order.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RTNL_BIN, straceSentMessages, tracedNs, zeroAttributePadding } from './helpers.js';

const BASE = [
  'link set lo up',
  'link add v0 type veth peer name v1',
  'link set v0 addrgenmode none',
  'link set v1 addrgenmode none',
  'link set v0 up',
  'link set v1 up',
  'link add d0 type ifb',
  'link set d0 up',
  'addr add 192.0.2.1/24 dev v0',
  'addr add 198.51.100.129/25 dev d0',
  'addr add 2001:db8::1/64 dev v0 nodad',
];

const NLM_F_ACK = 0x4;

// RTM_NEW/DEL ROUTE, NEIGH, RULE: the requests compared (the GETLINK lookups are not).
const MODIFY_TYPES = new Set([24, 25, 28, 29, 32, 33]);

interface Request {
  type: number;
  flags: number;
  payload: string;
}

/** The netlink messages a traced command wrote, attribute padding zeroed. */
function sentMessages(log: string): Request[] {
  return straceSentMessages(log).map(({ type, flags, bytes }) => {
    const payload = bytes.subarray(16);
    // Family header (rtmsg, fib_rule_hdr, ndmsg: 12 bytes each), then the attributes.
    if (MODIFY_TYPES.has(type)) {
      zeroAttributePadding(payload, 12, payload.length, type === 24 || type === 25);
    }
    return { type, flags, payload: payload.toString('hex') };
  });
}

const tn = tracedNs(BASE, 'req');

/** The one modifying request a traced command wrote. */
const onlyRequest = ({ log, stderr }: { log: string; stderr: string }, what: string): Request => {
  const sent = sentMessages(log).filter((m) => MODIFY_TYPES.has(m.type));
  expect(sent.length, `${what}: ${stderr}`).toBe(1);
  return sent[0]!;
};

/** ip first (it changes the state), then rtnl (which may then be refused: the bytes still go). */
function sameRequest(line: string): void {
  const [theirs, ours] = tn.ipThenRtnl(line.split(' '), onlyRequest);
  expect(ours).toEqual(theirs);
}

describe('rtnl route sends ip’s request bytes', () => {
  it.each([
    'route add 10.1.0.0/16 dev v0',
    'route add 10.2.0.0/16 via 192.0.2.2 metric 10',
    'route add blackhole 10.3.0.0/16 table 100',
    'route add unreachable 10.4.0.0/16 table 1000 proto static',
    'route add local 192.0.2.200 dev v0',
    'route add 10.5.0.0/16 from 0.0.0.0/0 tos 0x10 via 192.0.2.2 table 200 metric 7 src 192.0.2.1 realms 2/3 dev v0',
    'route add 10.6.0.0/16 via 192.0.2.2 dev v0 mtu lock 1400 advmss 1000 rtt 100ms rttvar 50ms reordering 6 window 7 cwnd 8 initcwnd 10 initrwnd 20 features ecn quickack 1 congctl cubic ssthresh 9 hoplimit 64 rto_min 300ms fastopen_no_cookie 1',
    'route add 10.7.0.0/16 nexthop via 192.0.2.2 weight 2 nexthop via 192.0.2.3 dev v0 onlink nexthop dev d0 realms 5',
    'route add 10.8.0.0/16 via inet6 2001:db8::7 dev v0',
    'route add 10.9.0.0/16 scope link proto bird dev d0',
    'route add 10.10.0.0/16 via 192.0.2.9 dev v0 onlink',
    'route add 2001:db8:1::/48 via 2001:db8::2 pref high',
    'route add 2001:db8:2::/48 via 2001:db8::2 expires 300',
    'route add 2001:db8:3::/48 from 2001:db8:ff::/48 via 2001:db8::2',
    'route add 2001:db8:4::/48 nexthop via 2001:db8::2 dev v0 nexthop via 2001:db8::3 dev v0 weight 3',
    'route add 10.11.0.0/16 encap ip id 5 dst 192.0.2.9 ttl 3 dev v0',
    'route replace 10.2.0.0/16 via 192.0.2.3 metric 10',
    'route append 10.12.0.0/16 via 192.0.2.2',
    'route del 10.1.0.0/16',
    'route del 10.3.0.0/16 table 100',
    'route del unreachable 10.4.0.0/16 table 1000',
    'route delete 2001:db8:1::/48',
    'route add default via 192.0.2.254',
    '-6 route add default via 2001:db8::2 metric 5',
    '-4 route add default via 192.0.2.253 table 300',
    'route add 10.13.0.0/16 encap ip id 5 dst 192.0.2.9 ttl 3 tos 0x10 key csum dev v0',
    'route add 2001:db8:5::/48 encap ip6 id 7 dst 2001:db8::9 hoplimit 9 tc 0x10 key dev v0',
    'route add 2001:db8:6::/48 encap seg6 mode encap segs 2001:db8::5,2001:db8::6 dev v0',
    'route add 2001:db8:7::/48 encap seg6 mode inline segs 2001:db8::5 dev v0',
  ])('%s', sameRequest);
});

describe('rtnl rule sends ip’s request bytes', () => {
  it.each([
    'rule add from 192.0.2.0/24 lookup 100 pref 100',
    'rule add not from all to 198.51.100.0/24 tos 0x10 fwmark 0x10/0xff iif v0 lookup 200 pref 200 protocol static',
    'rule add uidrange 100-200 ipproto tcp sport 80-90 dport 443 blackhole pref 300',
    'rule add fwmark 5 goto 100 pref 50',
    'rule add lookup main suppress_prefixlength 0 pref 60',
    'rule add oif v1 tun_id 77 lookup 1000 realms 2/3 pref 70',
    'rule add l3mdev pref 80',
    'rule add nop pref 90',
    'rule add lookup 100 suppress_ifgroup 5 pref 93',
    '-6 rule add from 2001:db8::/32 lookup 5 pref 5',
    'rule del pref 100',
    'rule del from 192.0.2.0/24 lookup 100',
    '-4 rule add from default lookup 9 pref 9',
    'rule add from all to all lookup 10 pref 10',
  ])('%s', sameRequest);
});

describe('rtnl neigh sends ip’s request bytes', () => {
  it.each([
    'neigh add 192.0.2.9 lladdr 02:00:00:00:00:09 dev v0',
    'neigh add 192.0.2.10 lladdr 02:00:00:00:00:10 nud stale dev v0 protocol static',
    'neigh add 2001:db8::9 lladdr 02:00:00:00:00:0a dev v0 router nud stale',
    'neigh add proxy 192.0.2.77 dev v0',
    'neigh add 192.0.2.11 dev v0 nud none',
    'neigh add 192.0.2.12 lladdr 02:00:00:00:00:12 dev v0 extern_learn',
    'neigh replace 192.0.2.9 lladdr 02:00:00:00:00:19 dev v0',
    'neigh del 192.0.2.9 dev v0',
    'neigh del proxy 192.0.2.77 dev v0',
  ])('%s', sameRequest);
});

describe('rtnl -batch sends route lines through its ordered lane', () => {
  it('after a line of another object, route lines leave without NLM_F_ACK, with ip’s bytes', () => {
    const lines = ['link set d0 up'];
    for (let i = 0; i < 6; i++) lines.push(`route add 10.90.${i}.0/24 dev d0 table 90`);
    lines.push('route replace 10.90.0.0/24 dev d0 table 90 metric 3');
    lines.push('route del 10.90.1.0/24 dev d0 table 90');
    const file = join(tn.dir, 'lane.batch');
    writeFileSync(file, `${lines.join('\n')}\n`);
    const routes = ({ log }: { log: string }) =>
      sentMessages(log).filter((m) => m.type === 24 || m.type === 25);
    const theirs = routes(tn.trace('ip', ['-batch', file]));
    execFileSync('nsenter', [`--net=${tn.ns.path}`, 'ip', 'route', 'flush', 'table', '90']);
    const ours = routes(tn.trace(process.execPath, [RTNL_BIN, '-n', tn.ns.path, '-batch', file]));
    expect(ours.map((m) => m.payload)).toEqual(theirs.map((m) => m.payload));
    // The first route line runs the normal way (it looks its device up), acked as ip's are;
    // the lines after it go through the stream, which asks for no ack.
    expect(ours.map((m) => m.flags)).toEqual(
      theirs.map((m, i) => (i === 0 ? m.flags : m.flags & ~NLM_F_ACK)),
    );
  });
});
