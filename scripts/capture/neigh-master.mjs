// Capture plugin (see scripts/capture-fixtures.mjs): neighbour dumps filtered by master.
//
// `ip neigh show master DEV` sends NDA_MASTER = DEV's ifindex and `ip neigh show nomaster`
// NDA_MASTER = -1 (0xffffffff) in the RTM_GETNEIGH dump request; the kernel (strict checking)
// then leaves out the entries of devices without that master, or of every enslaved device.
//
// Runs in a fresh namespace of its own (only lo): br0 (bridge) with port v0 (veth), and d0 (ifb)
// outside it, one permanent ARP entry on each port.

export const groups = ['neigh-master'];

const DIR = 'neigh-master';
// <linux/rtnetlink.h>
const RTM_GETNEIGH = 30;

export default async function capture(ctx) {
  const { sh } = ctx;
  sh(['ip', 'link', 'set', 'lo', 'up']);
  sh(['ip', 'link', 'add', 'br0', 'type', 'bridge']);
  sh(['ip', 'link', 'add', 'v0', 'type', 'veth', 'peer', 'name', 'v1']);
  sh(['ip', 'link', 'set', 'v0', 'master', 'br0']);
  sh(['ip', 'link', 'add', 'd0', 'type', 'ifb']);
  for (const d of ['br0', 'v0', 'v1', 'd0']) sh(['ip', 'link', 'set', d, 'up']);
  sh(['ip', 'neigh', 'add', '10.0.0.5', 'lladdr', '02:00:00:00:00:05', 'dev', 'd0']);
  sh(['ip', 'neigh', 'add', '10.0.1.5', 'lladdr', '02:00:00:00:01:05', 'dev', 'v0']);
  sh(['ip', 'neigh', 'add', '10.0.2.5', 'lladdr', '02:00:00:00:02:05', 'dev', 'v1']);

  /** `ip ARGS` (a -j dump) under strace; DIR/NAME.request + .reply, with the ip -j document. */
  function cap(name, args, what) {
    ctx.captureIp(`${DIR}/${name}`, args, RTM_GETNEIGH, what, {
      json: true,
      reply:
        'the kernel dump (filtered by the kernel), with the `ip -j` document of the same state',
    });
  }

  cap('dump-nomaster', ['-j', 'neigh', 'show', 'nomaster'], 'NDA_MASTER 0xffffffff (-1)');
  cap('dump-master', ['-j', 'neigh', 'show', 'master', 'br0'], "NDA_MASTER br0's ifindex");
}
