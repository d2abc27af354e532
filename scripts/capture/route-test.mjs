// Capture plugin (see scripts/capture-fixtures.mjs): `ip route test ROUTE` (iproute2 6.1
// do_iproute: iproute_modify(RTM_NEWROUTE, NLM_F_EXCL, …)): the request `ip route add` sends,
// with NLM_F_EXCL and without NLM_F_CREATE. IPv4 answers EEXIST for a route that exists and
// ENOENT for a missing one; IPv6 answers EEXIST for an existing route but adds a missing one.
//
// Runs in a fresh namespace of its own (only lo).

export const groups = ['route-test'];

const DIR = 'route-test';
// <linux/rtnetlink.h>
const RTM_NEWROUTE = 24;

export default async function capture(ctx) {
  const { sh } = ctx;
  sh(['ip', 'link', 'set', 'lo', 'up']);
  sh(['ip', 'link', 'add', 'd0', 'type', 'ifb']);
  sh(['ip', 'link', 'set', 'd0', 'up']);
  sh(['ip', 'address', 'add', '192.0.2.1/24', 'dev', 'd0']);
  sh(['ip', '-6', 'address', 'add', '2001:db8::1/64', 'dev', 'd0', 'nodad']);
  sh(['ip', 'route', 'add', '198.51.100.0/24', 'via', '192.0.2.254']);
  sh(['ip', '-6', 'route', 'add', '2001:db8:5::/48', 'via', '2001:db8::fe']);

  /** `ip ARGS` under strace; DIR/NAME.request + .reply for its RTM_NEWROUTE exchange. */
  function cap(name, args, what) {
    ctx.captureIp(`${DIR}/${name}`, args, RTM_NEWROUTE, what, {
      allowFail: true,
      refusalLabel: 'answer',
      reply: 'success ack (error 0): the route was added',
    });
  }

  cap(
    'test-exists',
    ['route', 'test', '198.51.100.0/24', 'via', '192.0.2.254'],
    'RTM_NEWROUTE with NLM_F_REQUEST|NLM_F_ACK|NLM_F_EXCL (no NLM_F_CREATE), an existing route',
  );
  cap(
    'test-missing',
    ['route', 'test', '203.0.113.0/24', 'via', '192.0.2.254'],
    'RTM_NEWROUTE with NLM_F_EXCL alone, a missing IPv4 route',
  );
  cap(
    'test-ipv6-exists',
    ['-6', 'route', 'test', '2001:db8:5::/48', 'via', '2001:db8::fe'],
    'an existing IPv6 route, NLM_F_EXCL alone',
  );
  cap(
    'test-ipv6-missing',
    ['-6', 'route', 'test', '2001:db8:6::/48', 'via', '2001:db8::fe', 'dev', 'd0'],
    'a missing IPv6 route, NLM_F_EXCL alone, with RTA_OIF (d0 = 2)',
  );
}
