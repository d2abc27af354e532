// rtnl topology example: two network namespaces joined by a veth pair, an address on each end,
// and a ping from one to the other, run inside the first namespace with netns.exec (what
// `ip netns exec` does). The namespaces are anonymous: they, the veth pair and the addresses
// vanish when the topology is closed, and nothing on the host changes.
// Run as root, after `npm run build`: node examples/topology.mjs
import { netns, Topology } from '../dist/ns/index.js';

const topo = await Topology.build({
  namespaces: { left: {}, right: {} },
  veths: [
    [
      { netns: 'left', name: 'veth0', addresses: ['192.0.2.1/24'] },
      { netns: 'right', name: 'veth0', addresses: ['192.0.2.2/24'] },
    ],
  ],
});
try {
  // The typed client of each namespace sees what was built.
  for (const name of topo.names) {
    const addresses = await topo.rt(name).addresses.list({ dev: 'veth0', family: 'inet' });
    console.log(`${name}: veth0 ${addresses.map((a) => a.address).join(', ')}`);
  }

  const ping = await netns.exec(topo.netns('left'), 'ping', ['-c', '1', '-W', '2', '192.0.2.2']);
  process.stdout.write(ping.stdout);
  console.log(`ping exited with ${ping.code}`);
} finally {
  // Sockets, descriptors and both namespaces (with the veth pair) are gone after this.
  // (Where `await using` is available: `await using topo = await Topology.build(…)`.)
  await topo.close();
}
