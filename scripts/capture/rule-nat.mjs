// Capture plugin (see scripts/capture-fixtures.mjs): iproute2's deprecated route NAT rules.
//
// `ip rule add … nat ADDRESS` (or `map-to`) sends fib_rule_hdr.action RTN_NAT (10) and the
// address as an RTA_GATEWAY (5, FRA_UNUSED2 in <linux/fib_rules.h>) attribute; this kernel
// accepts the rule, keeps the action and drops the address, so a dump shows `masquerade`.
//
// Runs in a fresh namespace of its own (only lo).

export const groups = ['rule-nat'];

const DIR = 'rule-nat';
// <linux/rtnetlink.h>
const RTM_NEWRULE = 32;
const RTM_GETRULE = 34;

export default async function capture(ctx) {
  const { sh } = ctx;
  sh(['ip', 'link', 'set', 'lo', 'up']);

  /** `ip ARGS` under strace; DIR/NAME.request + .reply for its exchange of `type`. */
  function cap(name, args, type, what, { json = false } = {}) {
    ctx.captureIp(`${DIR}/${name}`, args, type, what, {
      json,
      reply: json
        ? 'the kernel dump (one message per rule), with the `ip -j` document of the same state'
        : undefined,
    });
  }

  cap(
    'add-nat',
    ['rule', 'add', 'from', '192.0.2.0/24', 'nat', '198.51.100.1', 'pref', '100'],
    RTM_NEWRULE,
    'action RTN_NAT (10), table main in the header, FRA_SRC, RTA_GATEWAY (5) then FRA_PRIORITY',
  );
  cap(
    'add-map-to-ipv6',
    ['-6', 'rule', 'add', 'from', '2001:db8::/32', 'map-to', '203.0.113.7', 'pref', '101'],
    RTM_NEWRULE,
    'an IPv6 rule with an IPv4 NAT address (get_addr32), written `map-to`',
  );
  cap(
    'add-type-nat',
    ['rule', 'add', 'to', '198.51.100.0/24', 'type', 'nat', 'pref', '102'],
    RTM_NEWRULE,
    'action RTN_NAT from `type nat`: no address, no table (table_ok)',
  );
  cap('dump-ipv4', ['-j', 'rule', 'show'], RTM_GETRULE, 'an IPv4 rule dump', { json: true });
  cap('dump-ipv6', ['-j', '-6', 'rule', 'show'], RTM_GETRULE, 'an IPv6 rule dump', {
    json: true,
  });
}
