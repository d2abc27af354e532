import { describe, expect, it } from 'vitest';
import {
  asRtnl,
  expectSameJson,
  straceSentMessages,
  tracedNs,
  zeroAttributePadding,
} from './helpers.js';

const BASE = [
  'link set lo up',
  'link add d0 type ifb',
  'link add d1 type ifb',
  'link set d0 up',
  'link set d1 up',
  'addr add 192.0.2.1/24 dev d0',
  'addr add 198.51.100.1/24 dev d1',
  'addr add 2001:db8::1/64 dev d0 nodad',
  'addr add 2001:db8:1::1/64 dev d1 nodad',
];

// <linux/rtnetlink.h>
const RTM_NEWROUTE = 24;

/** RTM_NEWROUTE messages a traced command wrote, seq, port id and padding zeroed, as hex. */
function sentRoutes(log: string): string[] {
  return straceSentMessages(log)
    .filter((m) => m.type === RTM_NEWROUTE)
    .map(({ bytes }) => {
      bytes.fill(0, 8, 16); // seq, port id
      zeroAttributePadding(bytes, 16 + 12, bytes.length, true); // after nlmsghdr + struct rtmsg
      return bytes.toString('hex');
    });
}

const tn = tracedNs(BASE, 'nh-encap');

/** The one RTM_NEWROUTE a traced command wrote. */
const onlyRoute = ({ log, stderr }: { log: string; stderr: string }, what: string): string => {
  const sent = sentRoutes(log);
  expect(sent.length, `${what}: ${stderr}`).toBe(1);
  return sent[0]!;
};

/** ip first (it adds the route), then rtnl (refused with EEXIST: the bytes still go). */
function sameRequest(line: string): void {
  const [theirs, ours] = tn.ipThenRtnl(line.split(' '), onlyRoute);
  expect(ours).toBe(theirs);
}

describe('rtnl route add … nexthop … encap sends ip’s request bytes', () => {
  it.each([
    'route add 10.50.0.0/16 nexthop via 192.0.2.2 dev d0 encap mpls 100 ttl 5 nexthop via 198.51.100.2 dev d1 encap mpls 200/300 weight 2',
    'route add 10.51.0.0/16 nexthop encap mpls 100 via 192.0.2.2 dev d0 nexthop encap mpls 200 via 198.51.100.2 dev d1',
    'route add 10.52.0.0/16 nexthop via 192.0.2.2 dev d0 encap ip id 5 dst 192.0.2.9 ttl 3 nexthop via 198.51.100.2 dev d1 weight 2',
    'route add 10.53.0.0/16 nexthop encap ip id 6 dst 192.0.2.9 tos 0x10 key csum via 192.0.2.2 dev d0 realms 5 nexthop via 198.51.100.2 dev d1',
    'route add 10.54.0.0/16 nexthop via 192.0.2.2 dev d0 realms 7 encap ip id 8 src 192.0.2.1 dst 192.0.2.9 seq onlink nexthop dev d1 encap ip dst 198.51.100.9 ttl 9',
    'route add 10.55.0.0/16 nexthop via 192.0.2.2 dev d0 encap seg6 mode encap segs 2001:db8::10,2001:db8::20 nexthop via 198.51.100.2 dev d1',
    'route add 2001:db8:20::/64 nexthop via 2001:db8::2 dev d0 encap ip6 id 7 dst 2001:db8::9 hoplimit 9 tc 0x10 nexthop via 2001:db8:1::2 dev d1',
    'route add 2001:db8:21::/64 nexthop via 2001:db8::2 dev d0 encap seg6 mode inline segs 2001:db8::10 nexthop via 2001:db8:1::2 dev d1 encap seg6 mode encap segs 2001:db8::20,2001:db8::30',
  ])('%s', sameRequest);
});

describe('routes with an encap in a nexthop, as rtnl -j shows them', () => {
  it.each([[['route', 'show']], [['-6', 'route', 'show']], [['route', 'show', '10.53.0.0/16']]])(
    'rtnl -j %j equals ip -j',
    (args) => {
      const { ip } = expectSameJson(tn.ns, args);
      // The routes above exist (the IPv4 ones with ip, ip + realms, seg6; IPv6 with ip6, seg6).
      const withEncap = (ip as { nexthops?: { encap?: string }[] }[]).filter((r) =>
        r.nexthops?.some((h) => h.encap !== undefined),
      );
      expect(withEncap.length).toBeGreaterThan(0);
    },
  );
});

describe('a bad encap in a nexthop', () => {
  it.each([
    'route add 10.60.0.0/16 nexthop via 192.0.2.2 dev d0 encap nope 5 nexthop dev d1',
    'route add 10.61.0.0/16 nexthop via 192.0.2.2 dev d0 encap mpls 1048576 nexthop dev d1',
    'route add 10.62.0.0/16 nexthop via 192.0.2.2 dev d0 encap ip ttl 300 nexthop dev d1',
    'route add 10.63.0.0/16 nexthop via 192.0.2.2 dev d0 encap mpls 100',
    'route add 10.64.0.0/16 nexthop via 192.0.2.2 dev d0 encap ip id 5 id 6 nexthop dev d1',
  ])('%s: refused as ip refuses it', (line) => {
    const words = line.split(' ');
    const theirs = tn.ns.ipRun(words);
    const ours = tn.ns.rtnlRun(words);
    expect(theirs.status).not.toBe(0);
    expect({ status: ours.status, stderr: ours.stderr }).toEqual({
      status: theirs.status,
      stderr: asRtnl(theirs.stderr),
    });
  });
});
