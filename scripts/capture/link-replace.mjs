// Capture plugin (see scripts/capture-fixtures.mjs): iproute2's `ip link replace` and
// `ip address change` requests and the kernel's answers.
//
// 1. `ip link replace NAME … type KIND …`: RTM_NEWLINK with NLM_F_CREATE | NLM_F_REPLACE; the
//    kernel creates a link that does not exist (ack) and refuses to replace one that does
//    (EOPNOTSUPP).
// 2. `ip address change …`: RTM_NEWADDR with NLM_F_REPLACE alone (no NLM_F_CREATE).
//
// Runs in a fresh namespace of its own (only lo).

export const groups = ['link-replace'];

const DIR = 'link-replace';

export default async function capture(ctx) {
  const { sh, RTM } = ctx;

  sh(['ip', 'link', 'set', 'lo', 'up']);

  /** `ip ARGS` under strace; DIR/NAME.request + .reply for its exchange of `type`. */
  function cap(name, args, type, what, { nth } = {}) {
    ctx.captureIp(`${DIR}/${name}`, args, type, what, { nth, allowFail: true });
  }

  // A link that does not exist yet: created.
  cap(
    'replace-ifb-new',
    ['link', 'replace', 'r0', 'type', 'ifb'],
    RTM.NEWLINK,
    'RTM_NEWLINK, NLM_F_CREATE | NLM_F_REPLACE, IFLA_IFNAME and IFLA_LINKINFO(kind ifb)',
  );
  // The same name again, with options: the kernel will not replace an existing link.
  cap(
    'replace-ifb-exists',
    ['link', 'replace', 'r0', 'mtu', '1400', 'txqueuelen', '64', 'type', 'ifb'],
    RTM.NEWLINK,
    'NLM_F_CREATE | NLM_F_REPLACE with IFLA_MTU and IFLA_TXQLEN before the name',
  );
  // A veth pair with a peer and an index.
  cap(
    'replace-veth-new',
    ['link', 'replace', 'rv0', 'index', '77', 'type', 'veth', 'peer', 'name', 'rv1'],
    RTM.NEWLINK,
    'ifi_index in the header, the peer in IFLA_INFO_DATA (VETH_INFO_PEER)',
  );

  // ip address change: NLM_F_REPLACE only.
  sh(['ip', 'link', 'add', 'a0', 'type', 'ifb']);
  sh(['ip', 'address', 'add', '192.0.2.1/24', 'dev', 'a0']);
  cap(
    'address-change-v4',
    ['address', 'change', '192.0.2.1/24', 'dev', 'a0', 'valid_lft', '300', 'preferred_lft', '100'],
    RTM.NEWADDR,
    'RTM_NEWADDR with NLM_F_REPLACE alone, IFA_LOCAL, IFA_ADDRESS and IFA_CACHEINFO',
  );
  cap(
    'address-change-v6',
    ['address', 'change', '2001:db8::1/64', 'dev', 'a0', 'nodad', 'metric', '20'],
    RTM.NEWADDR,
    'an IPv6 change: ifa_flags nodad, IFA_RT_PRIORITY',
  );
}
