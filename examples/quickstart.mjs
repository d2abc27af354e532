// rtnl quick start: a throw-away network namespace, changes made with the typed client, and the
// kernel's state read back, all without touching the host's network.
// Run as root: node examples/quickstart.mjs
import { NetlinkError, RtNetlink } from '../dist/index.js';
import { netns } from '../dist/ns/index.js';

const ns = netns.create(); // anonymous: it lives as long as this fd (and sockets in it)
const rt = await RtNetlink.open({ netns: ns });
try {
  await rt.links.set('lo', { up: true });
  // A loopback address: the client gives 127.0.0.0/8 host scope, as ip does.
  await rt.addresses.add({ dev: 'lo', address: '127.0.0.53/8' });
  await rt.routes.add({ dst: '127.1.2.0/24', dev: 'lo' });
  // A pair of linked interfaces, then both ends up (the kernel refuses to bring a veth peer up
  // in the request that creates it: ENOTCONN), and an address on one end.
  await rt.links.add({ name: 'veth0', kind: 'veth', peer: { name: 'veth1' } });
  await Promise.all([rt.links.set('veth0', { up: true }), rt.links.set('veth1', { up: true })]);
  await rt.addresses.add({ dev: 'veth0', address: '192.0.2.1/24' });

  console.log('links:');
  for (const link of await rt.links.list()) {
    const a = link.attributes;
    console.log(
      `  ${link.index}: ${link.name} mtu ${a.mtu} state ${a.operstate} kind ${link.kind ?? '-'} flags ${link.flags.names.join(',')}`,
    );
  }
  console.log('addresses:');
  for (const addr of await rt.addresses.list({ family: 'inet' })) {
    console.log(`  ${addr.address} on ifindex ${addr.index} scope ${addr.scope}`);
  }
  console.log('IPv4 routes (main table):');
  for (const route of await rt.routes.list({ family: 'inet', table: 'main' })) {
    console.log(
      `  ${route.dst} oif ${route.attributes.oif} table ${route.table === 'main' ? 254 : route.table} proto ${route.protocol} scope ${route.scope}`,
    );
  }

  // The same address again: the kernel says no, in its own words.
  try {
    await rt.addresses.add({ dev: 'lo', address: '127.0.0.53/8' });
  } catch (err) {
    if (!(err instanceof NetlinkError)) throw err;
    console.log(`refused: ${err.code} (errno ${err.errno}): ${err.kernelMessage}`);
  }
  // A bad value never reaches the kernel: the error names the field.
  try {
    await rt.routes.add({ dst: '10.0.0.0/33', dev: 'lo' });
  } catch (err) {
    console.log(`rejected before sending: ${err.code} at ${err.path}: ${err.message}`);
  }
} finally {
  rt.close();
  ns.close(); // the namespace and everything in it are gone
}
