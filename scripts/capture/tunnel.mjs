// Capture plugin (see scripts/capture-fixtures.mjs): the requests behind `rtnl tunnel add`.
//
// ip tunnel drives IP tunnels with ioctls; rtnl's `tunnel add NAME mode M …` sends instead the
// RTM_NEWLINK that `ip link add NAME type KIND …` sends for the same settings. Each fixture here
// is iproute2's request for one `ip link add` whose options say exactly what one `ip tunnel add`
// says (named in its description), so test/cli/tunnel-requests.test.ts can hold
// rtnl's request to iproute2's bytes. This kernel has none of these kinds: the requests are
// refused ("Unknown device type") and captured all the same.
//
// Runs in a fresh namespace of its own (only lo); ifb0 (ifindex 2) is the underlay for `dev`.

export const groups = ['tunnel'];

const DIR = 'tunnel';

/** [fixture name, `ip link add …` arguments, the equivalent `ip tunnel` command, what it shows]. */
const CASES = [
  [
    'gre-add',
    'link add gre1 type gre remote 192.0.2.2 local 192.0.2.1 ttl 64 tos 0x10 key 42 csum seq dev ifb0',
    'tunnel add gre1 mode gre remote 192.0.2.2 local 192.0.2.1 ttl 64 tos 0x10 key 42 csum seq dev ifb0',
    'gre: IFLA_GRE_IKEY/OKEY, IFLAGS/OFLAGS with GRE_KEY|GRE_CSUM|GRE_SEQ, addresses, PMTUDISC 1, TOS, LINK, TTL, FWMARK 0 and the four ENCAP attributes at their defaults',
  ],
  [
    'gre-add-keys',
    'link add gre2 type gre remote 192.0.2.3 ikey 1 okey 1.2.3.4 iseq ocsum nopmtudisc tos inherit',
    'tunnel add gre2 mode gre remote 192.0.2.3 ikey 1 okey 1.2.3.4 iseq ocsum nopmtudisc tos inherit',
    'gre: different input and output keys (one written as a dotted quad), one-sided flags, PMTUDISC 0, TOS 1 (inherit), no LOCAL',
  ],
  [
    'gre-add-multicast',
    'link add gre3 type gre remote 239.1.1.1 local 192.0.2.1',
    'tunnel add gre3 mode gre remote 239.1.1.1 local 192.0.2.1',
    'gre to a multicast group: the group is the key in both directions (GRE_KEY set)',
  ],
  [
    'ipip-add',
    'link add ipip1 type ipip mode ipip remote 192.0.2.2 local 192.0.2.1 ttl 32 tos 0x28 dev ifb0',
    'tunnel add ipip1 mode ipip remote 192.0.2.2 local 192.0.2.1 ttl 32 tos 0x28 dev ifb0',
    'ipip: IFLA_IPTUN_PROTO 4 first, addresses, PMTUDISC, TOS, TTL, LINK, FWMARK and ENCAP defaults',
  ],
  [
    'sit-add',
    'link add sit1 type sit mode ip6ip remote 192.0.2.2 local 192.0.2.1 ttl 64',
    'tunnel add sit1 mode sit remote 192.0.2.2 local 192.0.2.1 ttl 64',
    'sit: IFLA_IPTUN_PROTO 41 and IFLA_IPTUN_FLAGS 0 after the ENCAP attributes',
  ],
  [
    'sit-add-isatap',
    'link add isa1 type sit mode ip6ip local 192.0.2.1 isatap',
    'tunnel add isa1 mode isatap local 192.0.2.1',
    'sit with IFLA_IPTUN_FLAGS = SIT_ISATAP, no REMOTE',
  ],
  [
    'vti-add',
    'link add vti1 type vti remote 192.0.2.2 local 192.0.2.1 ikey 5 okey 6 dev ifb0',
    'tunnel add vti1 mode vti remote 192.0.2.2 local 192.0.2.1 ikey 5 okey 6 dev ifb0',
    'vti: IFLA_VTI_IKEY/OKEY, addresses, FWMARK 0, then LINK',
  ],
  [
    'ip6tnl-add',
    'link add t6 type ip6tnl mode ip6ip6 remote 2001:db8::2 local 2001:db8::1 hoplimit 32 encaplimit 5 tclass 0x10 flowlabel 0x12345 dev ifb0',
    '-6 tunnel add t6 mode ip6ip6 remote 2001:db8::2 local 2001:db8::1 hoplimit 32 encaplimit 5 tclass 0x10 flowlabel 0x12345 dev ifb0',
    'ip6tnl ip6ip6: PROTO 41, TTL (hop limit), ENCAP_LIMIT, FLOWINFO with traffic class and flow label, FLAGS 0, LINK',
  ],
  [
    'ip6tnl-add-any',
    'link add t6c type ip6tnl mode any remote 2001:db8::4 dscp inherit',
    '-6 tunnel add t6c mode any remote 2001:db8::4 dscp inherit',
    'ip6tnl with PROTO 0 (any), the default hop limit 64 and encapsulation limit 4, IP6_TNL_F_RCV_DSCP_COPY, LINK 0',
  ],
  [
    'ip6gre-add-seq',
    'link add g6b type ip6gre remote 2001:db8::5 ikey 7 okey 8 seq csum hoplimit 10',
    '-6 tunnel add g6b mode ip6gre remote 2001:db8::5 ikey 7 okey 8 seq csum hoplimit 10',
    'ip6gre: separate keys, GRE_SEQ|GRE_CSUM both ways, no LOCAL and no LINK',
  ],
];

export default async function capture(ctx) {
  const { sh, RTM } = ctx;
  sh(['ip', 'link', 'set', 'lo', 'up']);
  sh(['ip', 'link', 'add', 'ifb0', 'type', 'ifb']);

  for (const [name, command, tunnel, what] of CASES) {
    const args = command.split(' ');
    const t = ctx.ip(args, { allowFail: true });
    const ex = ctx.pick(t, RTM.NEWLINK);
    const failed = t.status !== 0;
    const expectReply = failed ? { error: ctx.errorExpect(ex, t) } : {};
    ctx.writePair(`${DIR}/${name}`, t, ex, {
      command: `ip ${command}`,
      description: `ip ${command} (what rtnl ${tunnel} sends)`,
      proves: {
        request: `iproute2's exact request bytes, which rtnl ${tunnel} must send too: ${what}`,
        reply: failed
          ? `the kernel's refusal (${expectReply.error.errno_name}${
              expectReply.error.ext_ack_msg ? `, "${expectReply.error.ext_ack_msg}"` : ''
            }): this kernel has no such kind`
          : 'success ack (error 0)',
      },
      expectReply,
    });
    // Keep the state small: a refused add leaves nothing behind, an accepted one is removed.
    if (!failed) sh(['ip', 'link', 'del', args[2]]);
  }
}
