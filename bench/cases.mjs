// The JS workloads of the benchmark, shared by run.mjs (timing), memory-child.mjs and
// profile-child.mjs. Each one does the same work as the matching mode of bench/c/nlref.c, so the
// two can be compared byte for byte and checksum for checksum.
import {
  Connection,
  NetlinkSocket,
  parseAttributes,
  walkAttributes,
} from '../dist/netlink/index.js';

// <linux/rtnetlink.h>; spelled out here so the bench does not depend on how the library names
// its constants.
export const RTM_NEWLINK = 16;
export const RTM_GETROUTE = 26;
export const RTM_NEWROUTE = 24;
const RTA_OIF = 4;
const AF_INET = 2; // <linux/socket.h>
// <linux/netlink.h>
const NETLINK_ROUTE = 0;
const NLMSG_ERROR = 2;
const NLM_F_REQUEST = 0x01;
const NLM_F_ACK = 0x04;
const NLMSG_HDRLEN = 16;
const SOL_NETLINK = 270;
const NETLINK_CAP_ACK = 10;
const NETLINK_EXT_ACK = 11;
const NETLINK_GET_STRICT_CHK = 12;
/** NLA_HDRLEN: the C peer sums rta_len, which includes the 4-byte header. */
const NLA_HDRLEN = 4;
/** sizeof(struct rtmsg): where a route message's attributes start. */
export const RTMSG_SIZE = 12;

/**
 * struct ifinfomsg for ifindex 1 (lo) with ifi_flags = ifi_change = 0: a change that changes
 * nothing, which the kernel acks. The C peer sends the same 16 bytes after its nlmsghdr.
 */
export function noopNewlinkPayload() {
  const payload = Buffer.alloc(16); // ifi_family AF_UNSPEC, ifi_type 0
  payload.writeInt32LE(1, 4); // ifi_index
  return payload;
}

/**
 * struct rtmsg for an IPv4 dump of one table. With NETLINK_GET_STRICT_CHK a non-zero rtm_table
 * is a filter, so the kernel walks only that table (the C peer sends the same bytes).
 */
export function routeDumpPayload(table) {
  const payload = Buffer.alloc(RTMSG_SIZE);
  payload[0] = AF_INET; // rtm_family
  payload[4] = table; // rtm_table
  return payload;
}

export function openConnection(netnsPath) {
  return Connection.open({ netns: netnsPath });
}

/** A bare NetlinkSocket configured as Connection.open (and nlref) configure theirs. */
export function openSocket(netnsPath) {
  const socket = NetlinkSocket.open(NETLINK_ROUTE, {
    netns: netnsPath,
    rcvbuf: 4 * 1024 * 1024,
    rcvbufForce: true,
  });
  socket.setsockopt(SOL_NETLINK, NETLINK_EXT_ACK, 1);
  socket.setsockopt(SOL_NETLINK, NETLINK_GET_STRICT_CHK, 1);
  socket.setsockopt(SOL_NETLINK, NETLINK_CAP_ACK, 1);
  return socket;
}

/**
 * Context: the same round trip on the bare socket, synchronously — send, then read the ack the
 * kernel queued inside sendmsg. The floor under Connection: what the shim and one Buffer copy
 * per datagram cost over C. Returns ns per round trip.
 */
export function ackSocketSync(socket, count) {
  const request = Buffer.alloc(NLMSG_HDRLEN + 16);
  request.writeUInt32LE(request.length, 0); // nlmsg_len
  request.writeUInt16LE(RTM_NEWLINK, 4);
  request.writeUInt16LE(NLM_F_REQUEST | NLM_F_ACK, 6);
  noopNewlinkPayload().copy(request, NLMSG_HDRLEN);
  let seq = 0;
  let acked = 0;
  let failure;
  const onMessage = (datagram) => {
    // struct nlmsgerr after the header: error 0 is an ack.
    if (datagram.readUInt16LE(4) !== NLMSG_ERROR || datagram.readUInt32LE(8) !== seq) {
      failure ??= new Error(`unexpected reply to seq ${seq}`);
    } else if (datagram.readInt32LE(NLMSG_HDRLEN) !== 0) {
      failure ??= new Error(`RTM_NEWLINK failed: errno ${-datagram.readInt32LE(NLMSG_HDRLEN)}`);
    } else {
      acked++;
    }
  };
  const onError = (error) => {
    failure ??= error;
  };
  socket.on('message', onMessage);
  socket.on('error', onError);
  const start = process.hrtime.bigint();
  for (let i = 0; i < count; i++) {
    request.writeUInt32LE(++seq, 8);
    socket.send(request);
    socket.receiveNow(1);
  }
  const ns = Number(process.hrtime.bigint() - start) / count;
  socket.off('message', onMessage);
  socket.off('error', onError);
  if (failure) throw failure;
  if (acked !== count) throw new Error(`${acked} acks for ${count} requests`);
  return ns;
}

/** `count` sequential request+ack round trips, one in flight; returns ns per round trip. */
export async function ackRoundTrips(conn, count) {
  const payload = noopNewlinkPayload();
  const start = process.hrtime.bigint();
  for (let i = 0; i < count; i++) await conn.request(RTM_NEWLINK, payload);
  return Number(process.hrtime.bigint() - start) / count;
}

/**
 * Tally one route message the way nlref does: count it and its top-level attributes, and sum
 * rta_type + rta_len and the RTA_OIF value, so C and JS must have seen the same bytes.
 */
function tallyAttributes(tally, attributes) {
  for (const attribute of attributes) {
    tally.attributes++;
    tally.checksum += attribute.type + attribute.length + NLA_HDRLEN;
    if (attribute.type === RTA_OIF) tally.checksum += readU32(attribute.buffer, attribute.offset);
  }
}

// A plain byte read, as a decoder would do it, rather than `attribute.data`, which would add a
// view per attribute that the C peer has no counterpart for.
function readU32(buf, offset) {
  return (
    (buf[offset] | (buf[offset + 1] << 8) | (buf[offset + 2] << 16)) + buf[offset + 3] * 2 ** 24
  );
}

function newTally() {
  return { messages: 0, attributes: 0, checksum: 0 };
}

function checkRoute(message) {
  if (message.type !== RTM_NEWROUTE) throw new Error(`unexpected message type ${message.type}`);
}

/**
 * The target case: stream a dump with `for await` and decode each message's attributes into
 * RawAttribute objects. `onMessage` (optional) runs after each message; the memory child samples
 * there.
 */
export async function dumpDecode(conn, table, onMessage) {
  const tally = newTally();
  const payload = routeDumpPayload(table);
  for await (const message of conn.dump(RTM_GETROUTE, payload)) {
    checkRoute(message);
    tally.messages++;
    tallyAttributes(tally, parseAttributes(message.payload, RTMSG_SIZE, message.payload.length));
    if (onMessage) onMessage(tally.messages);
  }
  return tally;
}

/**
 * The same work after collecting the whole dump with list() (memory proportional to the table).
 * `onList` (optional) sees the collected array while it is alive; the memory child samples there.
 */
export async function dumpListDecode(conn, table, onList) {
  const tally = newTally();
  const messages = await conn.dump(RTM_GETROUTE, routeDumpPayload(table)).list();
  if (onList) onList(messages);
  for (const message of messages) {
    checkRoute(message);
    tally.messages++;
    tallyAttributes(tally, parseAttributes(message.payload, RTMSG_SIZE, message.payload.length));
  }
  return tally;
}

/** Context: the streaming dump walked with the allocation-free walkAttributes (no objects). */
export async function dumpWalk(conn, table) {
  const tally = newTally();
  let payload; // the message being walked, for the visitor's RTA_OIF read
  const visit = (type, _flags, offset, length) => {
    tally.attributes++;
    tally.checksum += type + length + NLA_HDRLEN;
    if (type === RTA_OIF) tally.checksum += readU32(payload, offset);
  };
  for await (const message of conn.dump(RTM_GETROUTE, routeDumpPayload(table))) {
    checkRoute(message);
    tally.messages++;
    payload = message.payload;
    walkAttributes(payload, RTMSG_SIZE, payload.length, visit);
  }
  return tally;
}

export const dumpCases = { decode: dumpDecode, list: dumpListDecode, walk: dumpWalk };

/** Run `fn` and return [elapsed ms, its result]. */
export async function timed(fn) {
  const start = process.hrtime.bigint();
  const result = await fn();
  return [Number(process.hrtime.bigint() - start) / 1e6, result];
}

// ---- the typed client (issue 3): bulk route adds, routes listed as objects ----------------------

/** The i-th bench route, numbered as nlref's `add` mode numbers them: 10.x.y.0/24. */
export function benchRouteDst(i) {
  return `${10 + Math.floor(i / 65536)}.${(i >> 8) & 255}.${i & 255}.0/24`;
}

export async function openClient(netnsPath) {
  const { RtNetlink } = await import('../dist/index.js');
  return RtNetlink.open({ netns: netnsPath });
}

/**
 * `count` routes added through `rt.routes.add` (all issued at once: the engine keeps 64 in
 * flight and packs requests made in one tick into one datagram), then deleted the same way.
 * The same routes as nlref's `add`: dst, dev lo by ifindex, proto static, scope link.
 * Returns { add_ms, del_ms }.
 */
export async function clientRouteAdds(rt, count, table) {
  const specs = [];
  for (let i = 0; i < count; i++) {
    specs.push({ dst: benchRouteDst(i), dev: 1, table, protocol: 'static', scope: 'link' });
  }
  const [add_ms] = await timed(() => Promise.all(specs.map((s) => rt.routes.add(s))));
  const [del_ms] = await timed(() => Promise.all(specs.map((s) => rt.routes.delete(s))));
  return { add_ms, del_ms };
}

/**
 * The same routes through the bulk path: `rt.routes.addMany` (every request framed at once,
 * 64 in flight, acks matched by sequence range, one promise for all), then `deleteMany`.
 * Returns { add_ms, del_ms }; throws if the kernel refused any of them.
 */
export async function clientRouteAddMany(rt, count, table) {
  const specs = [];
  for (let i = 0; i < count; i++) {
    specs.push({ dst: benchRouteDst(i), dev: 1, table, protocol: 'static', scope: 'link' });
  }
  const [add_ms, added] = await timed(() => rt.routes.addMany(specs));
  const [del_ms, deleted] = await timed(() => rt.routes.deleteMany(specs));
  for (const result of [added, deleted]) {
    if (result.failed > 0) throw result.errors.find((e) => e !== undefined);
  }
  return { add_ms, del_ms };
}

/** The same adds and deletes as an ordered bulk: one at a time, stopping at a refusal. */
export async function clientRouteApplyOrdered(rt, count, table) {
  const specs = [];
  for (let i = 0; i < count; i++) {
    specs.push({ dst: benchRouteDst(i), dev: 1, table, protocol: 'static', scope: 'link' });
  }
  const ordered = { stopOnError: true };
  const [add_ms, added] = await timed(() => rt.routes.applyMany('add', specs, ordered));
  const [del_ms, deleted] = await timed(() => rt.routes.applyMany('delete', specs, ordered));
  for (const result of [added, deleted]) {
    if (result.failed > 0) throw result.errors.find((e) => e !== undefined);
  }
  return { add_ms, del_ms };
}

/**
 * The same adds and deletes through `rt.routes.sequence()`: pushed one by one in a loop (each
 * encoded and handed to the shim's worker as it is pushed), then end().
 */
export async function clientRouteSequence(rt, count, table) {
  const run = async (op) => {
    const seq = rt.routes.sequence();
    for (let i = 0; i < count; i++) {
      seq.push(op, { dst: benchRouteDst(i), dev: 1, table, protocol: 'static', scope: 'link' });
    }
    const result = await seq.end();
    if (result.failed > 0) throw result.errors.find((e) => e !== undefined);
  };
  const [add_ms] = await timed(() => run('add'));
  const [del_ms] = await timed(() => run('delete'));
  return { add_ms, del_ms };
}

/**
 * The table listed as route objects (`rt.routes.list`): header fields as names, attributes
 * decoded by the schema. Tally as nlref's dump does, from the objects, so both sides must have
 * seen every route: messages and the sum of RTA_OIF.
 */
export async function clientRouteList(rt, table) {
  const routes = await rt.routes.list({ family: 'inet', table });
  let oifs = 0;
  for (const r of routes) oifs += r.attributes.oif ?? 0;
  return { messages: routes.length, oifs };
}

/** The same with `rt.routes.iterate` (streaming, bounded memory). */
export async function clientRouteIterate(rt, table) {
  let messages = 0;
  let oifs = 0;
  for await (const r of rt.routes.iterate({ family: 'inet', table })) {
    messages++;
    oifs += r.attributes.oif ?? 0;
  }
  return { messages, oifs };
}
