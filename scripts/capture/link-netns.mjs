// Capture plugin (see scripts/capture-fixtures.mjs): `ip link add … link-netns` and
// `link-netnsid`, the lower device's namespace named by nsid.
//
// `link-netns NAME|PATH` makes ip look up the id this namespace gives that namespace
// (RTM_GETNSID with NETNSA_FD) and, when it has none, ask for one (RTM_NEWNSID, NETNSA_NSID -1)
// first; the RTM_NEWLINK then carries IFLA_LINK_NETNSID (37) before IFLA_IFNAME. For a veth,
// this kernel creates the peer in that namespace.
//
// Runs in a fresh namespace of its own (only lo), with a second namespace (a sleeping process's).

export const groups = ['link-netns'];

const DIR = 'link-netns';
// <linux/rtnetlink.h>
const RTM_NEWLINK = 16;

export default async function capture(ctx) {
  const { sh } = ctx;
  sh(['ip', 'link', 'set', 'lo', 'up']);
  const peer = `/proc/${ctx.peerNamespace()}/ns/net`;

  /** `ip ARGS` under strace; DIR/NAME.request + .reply for its exchange of `type`. */
  function cap(name, args, type, what) {
    ctx.captureIp(`${DIR}/${name}`, args, type, what);
  }

  // The peer namespace has no id here yet: ip gives it one (the kernel picks 0), then uses it.
  cap(
    'add-veth-link-netns',
    ['link', 'add', 'v0', 'link-netns', peer, 'type', 'veth', 'peer', 'name', 'v1'],
    RTM_NEWLINK,
    'IFLA_LINK_NETNSID (the id ip just had assigned) first, then IFLA_IFNAME and IFLA_LINKINFO',
  );
  cap(
    'add-veth-link-netnsid',
    ['link', 'add', 'v2', 'link-netnsid', '0', 'type', 'veth', 'peer', 'name', 'v3'],
    RTM_NEWLINK,
    'IFLA_LINK_NETNSID 0 given by number',
  );
  cap(
    'add-veth-peer-link-netnsid',
    ['link', 'add', 'v4', 'type', 'veth', 'peer', 'name', 'v5', 'link-netnsid', '0'],
    RTM_NEWLINK,
    "IFLA_LINK_NETNSID inside VETH_INFO_PEER, before the peer's IFLA_IFNAME",
  );
}
