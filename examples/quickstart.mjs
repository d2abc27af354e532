// rtnl quick start: a throw-away network namespace, changes made over netlink, and the kernel's
// state read back, all without touching the host's network. Run as root: node examples/quickstart.mjs
import {
  addressMessage,
  Connection,
  linkMessage,
  NetlinkError,
  RTM_GETADDR,
  RTM_GETLINK,
  RTM_GETROUTE,
  RTM_NEWADDR,
  RTM_NEWLINK,
  RTM_NEWROUTE,
  routeMessage,
} from '../dist/index.js';
import { createNetns } from '../dist/ns/index.js';

const AF_INET = 2;
const IFF_UP = 1;
const NLM_F_CREATE = 0x400;
const NLM_F_EXCL = 0x200;

const ns = createNetns(); // anonymous: it lives as long as this fd
const conn = await Connection.open({ netns: ns.fd });
try {
  // lo up, an address on it, and a route through it.
  await conn.request(RTM_NEWLINK, (w) =>
    linkMessage.encode(w, { header: { index: 1, flags: IFF_UP, change: IFF_UP } }),
  );
  // A loopback address must have host scope (RT_SCOPE_HOST = 254), or the kernel refuses it.
  const address = {
    header: { family: AF_INET, prefixlen: 8, scope: 254, index: 1 },
    attributes: { local: '127.0.0.53' },
  };
  await conn.request(RTM_NEWADDR, (w) => addressMessage.encode(w, address), {
    flags: NLM_F_CREATE | NLM_F_EXCL,
  });
  await conn.request(
    RTM_NEWROUTE,
    (w) =>
      routeMessage.encode(w, {
        header: { family: AF_INET, dst_len: 24, table: 254, protocol: 4, scope: 253, type: 1 },
        attributes: { dst: '127.1.2.0', oif: 1 },
      }),
    { flags: NLM_F_CREATE | NLM_F_EXCL },
  );

  console.log('links:');
  for await (const msg of conn.dump(RTM_GETLINK, (w) => linkMessage.encode(w, { header: {} }))) {
    const { header, attributes: a } = linkMessage.decode(msg.payload);
    console.log(
      `  ${header.index}: ${a.ifname} mtu ${a.mtu} state ${a.operstate} address ${a.address}`,
    );
  }
  console.log('addresses:');
  for (const msg of await conn
    .dump(RTM_GETADDR, (w) => addressMessage.encode(w, { header: {} }))
    .list()) {
    const { header, attributes: a } = addressMessage.decode(msg.payload);
    console.log(
      `  ${a.address}/${header.prefixlen} on ifindex ${header.index} flags ${a.flags?.names.join(',')}`,
    );
  }
  console.log('IPv4 routes (main table):');
  const routes = conn.dump(RTM_GETROUTE, (w) =>
    routeMessage.encode(w, { header: { family: AF_INET, table: 254 } }),
  );
  for await (const msg of routes) {
    const { header, attributes: a } = routeMessage.decode(msg.payload);
    console.log(`  ${a.dst ?? 'default'}/${header.dst_len} oif ${a.oif} table ${a.table}`);
  }

  // The same address again: the kernel says no, in its own words.
  try {
    await conn.request(RTM_NEWADDR, (w) => addressMessage.encode(w, address), {
      flags: NLM_F_CREATE | NLM_F_EXCL,
    });
  } catch (err) {
    if (!(err instanceof NetlinkError)) throw err;
    console.log(`refused: ${err.code} (errno ${err.errno}): ${err.kernelMessage}`);
  }
} finally {
  conn.close();
  ns.close(); // the namespace and everything in it are gone
}
