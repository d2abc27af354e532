// Capture plugin (see scripts/capture-fixtures.mjs): a lightweight tunnel inside a nexthop of a
// multipath route (`ip route add … nexthop via GW dev D encap TYPE …`). iproute2 6.1's
// parse_one_nh hands `encap` to lwt_parse_encap with the hop's attribute buffer: RTA_ENCAP
// (NLA_F_NESTED) then RTA_ENCAP_TYPE land inside the rtnexthop, among RTA_GATEWAY / RTA_FLOW
// in command-line order, and rtnh_len grows by what they take. This kernel has no MPLS
// (EOPNOTSUPP, "lwt encapsulation type not supported"): the request bytes are what count.
// ip, ip6 and seg6 are accepted; the dumps afterwards (with `ip -j` of the same state) show
// the kernel's per-hop RTA_ENCAP / RTA_ENCAP_TYPE.
//
// Runs in a fresh namespace of its own (only lo): d0 = 2, d1 = 3.

export const groups = ['route-nh-encap'];

const DIR = 'route-nh-encap';
// <linux/rtnetlink.h>
const RTM_NEWROUTE = 24;
const RTM_GETROUTE = 26;

export default async function capture(ctx) {
  const { sh } = ctx;
  sh(['ip', 'link', 'set', 'lo', 'up']);
  for (const d of ['d0', 'd1']) {
    sh(['ip', 'link', 'add', d, 'type', 'ifb']);
    sh(['ip', 'link', 'set', d, 'up']);
  }
  sh(['ip', 'address', 'add', '10.0.0.1/24', 'dev', 'd0']);
  sh(['ip', 'address', 'add', '10.0.1.1/24', 'dev', 'd1']);
  sh(['ip', '-6', 'address', 'add', '2001:db8::1/64', 'dev', 'd0', 'nodad']);
  sh(['ip', '-6', 'address', 'add', '2001:db8:1::1/64', 'dev', 'd1', 'nodad']);

  /** `ip ARGS` under strace; DIR/NAME.request + .reply for its RTM_NEWROUTE exchange. */
  function add(name, line, what) {
    ctx.captureIp(`${DIR}/${name}`, line.split(' '), RTM_NEWROUTE, what, { allowFail: true });
  }

  add(
    'add-mpls',
    'route add 10.50.0.0/24 nexthop via 10.0.0.2 dev d0 encap mpls 100 ttl 5 nexthop via 10.0.1.2 dev d1 encap mpls 200/300 weight 2',
    'RTA_MULTIPATH whose two rtnexthops carry RTA_GATEWAY, then RTA_ENCAP{MPLS_IPTUNNEL_DST, MPLS_IPTUNNEL_TTL} (NLA_F_NESTED) and RTA_ENCAP_TYPE mpls (1); rtnh_len covers them',
  );
  add(
    'add-ip',
    'route add 10.52.0.0/24 nexthop via 10.0.0.2 dev d0 encap ip id 5 dst 10.0.0.9 ttl 3 nexthop via 10.0.1.2 dev d1 weight 2',
    'the first rtnexthop carries RTA_GATEWAY then RTA_ENCAP{LWTUNNEL_IP_ID, _DST, _TTL} and RTA_ENCAP_TYPE ip (2); the second none',
  );
  add(
    'add-encap-first',
    'route add 10.53.0.0/24 nexthop encap ip id 6 dst 10.0.0.9 tos 0x10 key csum via 10.0.0.2 dev d0 realms 5 nexthop via 10.0.1.2 dev d1',
    "encap written before via (the order of ip-route(8)'s NH grammar): RTA_ENCAP + RTA_ENCAP_TYPE, then RTA_GATEWAY, then RTA_FLOW, in command-line order",
  );
  add(
    'add-seg6-inet',
    'route add 10.54.0.0/24 nexthop via 10.0.0.2 dev d0 encap seg6 mode encap segs 2001:db8::10,2001:db8::20 nexthop via 10.0.1.2 dev d1',
    'an IPv4 route whose first hop carries RTA_ENCAP{SEG6_IPTUNNEL_SRH} and RTA_ENCAP_TYPE seg6 (5)',
  );
  add(
    'add-ipv6-ip6',
    '-6 route add 2001:db8:20::/64 nexthop via 2001:db8::2 dev d0 encap ip6 id 7 dst 2001:db8::9 hoplimit 9 tc 0x10 nexthop via 2001:db8:1::2 dev d1',
    'an IPv6 rtnexthop with RTA_ENCAP{LWTUNNEL_IP6_ID, _DST, _HOPLIMIT, _TC} and RTA_ENCAP_TYPE ip6 (4)',
  );
  add(
    'add-ipv6-seg6',
    '-6 route add 2001:db8:21::/64 nexthop via 2001:db8::2 dev d0 encap seg6 mode inline segs 2001:db8::10 nexthop via 2001:db8:1::2 dev d1 encap seg6 mode encap segs 2001:db8::20,2001:db8::30',
    'two IPv6 rtnexthops, each with its own RTA_ENCAP{SEG6_IPTUNNEL_SRH} (inline with the :: slot; encap) and RTA_ENCAP_TYPE seg6 (5)',
  );

  ctx.captureIp(
    `${DIR}/dump-main`,
    ['-j', 'route', 'show'],
    RTM_GETROUTE,
    'RTM_GETROUTE dump, family AF_INET, RTA_TABLE main (254)',
    {
      json: true,
      reply:
        'the IPv4 dump: multipath routes whose RTA_MULTIPATH hops carry RTA_ENCAP + RTA_ENCAP_TYPE, with the `ip -j` document of the same state',
    },
  );
  ctx.captureIp(
    `${DIR}/dump-ipv6`,
    ['-j', '-6', 'route', 'show'],
    RTM_GETROUTE,
    'RTM_GETROUTE dump, family AF_INET6, RTA_TABLE main (254)',
    {
      json: true,
      reply:
        'the IPv6 dump: multipath routes whose hops carry RTA_ENCAP + RTA_ENCAP_TYPE (ip6, seg6), with the `ip -j` document of the same state',
    },
  );
}
