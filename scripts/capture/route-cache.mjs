// Capture plugin (see scripts/capture-fixtures.mjs): the route cache as iproute2 6.1 asks for
// it. `ip route get … notify` sets RTM_F_NOTIFY (0x100) in rtm_flags (IPv4 answers with the
// flag and RTCF_NOTIFY; IPv6 refuses it). `ip route show cache` / `cloned` dumps with
// RTM_F_CLONED (0x200) in rtm_flags (iproute_dump_filter); the kernel then dumps the cached
// routes: here a path MTU learned from an ICMP "fragmentation needed" / "packet too big" sent
// by a router in a peer namespace whose next link has a 1280-byte MTU.
//
// Runs in a fresh namespace of its own (only lo) and one peer namespace (the router).

export const groups = ['route-cache'];

const DIR = 'route-cache';
// <linux/rtnetlink.h>
const RTM_GETROUTE = 26;

export default async function capture(ctx) {
  const { sh } = ctx;
  const peer = `/proc/${ctx.peerNamespace()}/ns/net`;
  const inPeer = (argv) => sh(['nsenter', `--net=${peer}`, ...argv]);
  sh(['ip', 'link', 'set', 'lo', 'up']);
  sh(['ip', 'link', 'add', 'v0', 'type', 'veth', 'peer', 'name', 'v1', 'netns', peer]);
  sh(['ip', 'link', 'set', 'v0', 'up']);
  sh(['ip', 'address', 'add', '10.1.0.1/24', 'dev', 'v0']);
  sh(['ip', '-6', 'address', 'add', '2001:db8:1::1/64', 'dev', 'v0', 'nodad']);
  sh(['ip', 'route', 'add', '10.2.0.0/24', 'via', '10.1.0.2']);
  sh(['ip', '-6', 'route', 'add', '2001:db8:2::/64', 'via', '2001:db8:1::2']);
  inPeer(['ip', 'link', 'set', 'lo', 'up']);
  inPeer(['ip', 'link', 'set', 'v1', 'up']);
  inPeer(['ip', 'address', 'add', '10.1.0.2/24', 'dev', 'v1']);
  inPeer(['ip', '-6', 'address', 'add', '2001:db8:1::2/64', 'dev', 'v1', 'nodad']);
  inPeer(['ip', 'link', 'add', 'd0', 'mtu', '1280', 'type', 'ifb']);
  inPeer(['ip', 'link', 'set', 'd0', 'up']);
  inPeer(['ip', 'address', 'add', '10.2.0.2/24', 'dev', 'd0']);
  inPeer(['ip', '-6', 'address', 'add', '2001:db8:2::2/64', 'dev', 'd0', 'nodad']);
  inPeer(['sysctl', '-qw', 'net.ipv4.ip_forward=1', 'net.ipv6.conf.all.forwarding=1']);
  // Too big for d0: the peer answers "fragmentation needed" / "packet too big" (mtu 1280).
  // IPv4 dumps a next-hop exception only once a cached route is bound to it (the kernel's
  // fib_dump_info_fnhe skips one without fnhe_rth_input/output): the second ping's route
  // lookup binds it.
  for (let i = 0; i < 2; i++) {
    ctx.sh(['ping', '-c1', '-W1', '-M', 'do', '-s', '1400', '10.2.0.1'], { allowFail: true });
  }
  ctx.sh(['ping', '-6', '-c1', '-W1', '-M', 'do', '-s', '1400', '2001:db8:2::1'], {
    allowFail: true,
  });

  /** `ip ARGS` under strace; DIR/NAME.request + .reply for its RTM_GETROUTE exchange. */
  function cap(name, args, what, reply, { json = false } = {}) {
    ctx.captureIp(`${DIR}/${name}`, args, RTM_GETROUTE, what, { allowFail: true, json, reply });
  }

  cap(
    'get-notify',
    ['-j', 'route', 'get', '10.1.0.5', 'notify'],
    'RTM_GETROUTE with rtm_flags RTM_F_NOTIFY|RTM_F_LOOKUP_TABLE (0x1100)',
    'the looked-up route with RTM_F_NOTIFY and RTCF_NOTIFY (0x10000) in rtm_flags',
    { json: true },
  );
  cap(
    'get-ipv6-notify',
    ['-6', 'route', 'get', '2001:db8:1::5', 'notify'],
    'RTM_GETROUTE for IPv6 with rtm_flags RTM_F_NOTIFY (0x100)',
    'the kernel\'s refusal (EINVAL, "ipv6: Invalid flags for get route request")',
  );
  cap(
    'dump-cache-all',
    ['-j', 'route', 'show', 'cloned', 'table', 'all'],
    'RTM_GETROUTE dump, family AF_UNSPEC, rtm_flags RTM_F_CLONED (0x200), no RTA_TABLE',
    'the dump with RTM_F_CLONED: only the cached routes, the IPv4 next-hop exception then the IPv6 exception route (RTM_F_CLONED, RTA_CACHEINFO expires, RTA_METRICS mtu 1280)',
    { json: true },
  );
  cap(
    'dump-cache-main',
    ['-j', 'route', 'show', 'cache'],
    'RTM_GETROUTE dump, family AF_INET, rtm_flags RTM_F_CLONED, RTA_TABLE main (254)',
    'the IPv4 dump with RTM_F_CLONED and table main: the next-hop exception',
    { json: true },
  );
  cap(
    'dump-ipv6-cache',
    ['-j', '-6', 'route', 'show', 'cache'],
    'RTM_GETROUTE dump, family AF_INET6, rtm_flags RTM_F_CLONED, RTA_TABLE main (254)',
    'the IPv6 dump with RTM_F_CLONED: the exception route (RTM_F_CLONED, expires, mtu 1280)',
    { json: true },
  );
}
