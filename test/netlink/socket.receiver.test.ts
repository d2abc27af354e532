// NetlinkSocket.setReceiver against the kernel, in an anonymous namespace made here: datagrams
// handed over in place (no copy), 'message' still served when someone listens, and a read
// nested inside a receiver getting a buffer of its own.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { NetlinkSocket } from '../../src/netlink/socket.js';
import { createNetns, type Netns } from '../../src/ns/index.js';

// <linux/netlink.h>, <linux/rtnetlink.h>: written out so the test leans on nothing under test.
const NETLINK_ROUTE = 0;
const NLMSG_DONE = 3;
const NLM_F_REQUEST = 0x1;
const NLM_F_DUMP = 0x300;
const RTM_NEWLINK = 16;
const RTM_GETLINK = 18;

/** RTM_GETLINK dump request with sequence number `seq`: nlmsghdr + struct ifinfomsg. */
function dumpLinks(seq: number): Buffer {
  const b = Buffer.alloc(32);
  b.writeUInt32LE(32, 0);
  b.writeUInt16LE(RTM_GETLINK, 4);
  b.writeUInt16LE(NLM_F_REQUEST | NLM_F_DUMP, 6);
  b.writeUInt32LE(seq, 8);
  return b;
}

/** [type, seq] of every message in a datagram. */
function headers(buf: Buffer, length: number): [number, number][] {
  const out: [number, number][] = [];
  for (let off = 0; off + 16 <= length; ) {
    const len = buf.readUInt32LE(off);
    out.push([buf.readUInt16LE(off + 4), buf.readUInt32LE(off + 8)]);
    off += (len + 3) & ~3;
  }
  return out;
}

let ns: Netns;
const sockets: NetlinkSocket[] = [];

beforeAll(() => {
  ns = createNetns();
});
afterEach(() => {
  for (const s of sockets.splice(0)) s.close();
});
afterAll(() => ns.close());

function open(): NetlinkSocket {
  const s = NetlinkSocket.open(NETLINK_ROUTE, { netns: ns.fd });
  sockets.push(s);
  return s;
}

describe('NetlinkSocket.setReceiver', () => {
  it('hands each datagram over in the reused buffer, and copies none without listeners', () => {
    const socket = open();
    const buffers = new Set<Buffer>();
    const seen: [number, number][] = [];
    socket.setReceiver((buf, length) => {
      buffers.add(buf);
      expect(length).toBeLessThanOrEqual(buf.length);
      seen.push(...headers(buf, length));
    });
    let emitted = 0;
    const count = () => emitted++;
    socket.send(dumpLinks(11));
    socket.receiveNow();
    socket.send(dumpLinks(12));
    socket.receiveNow();
    // lo alone in a fresh namespace: one RTM_NEWLINK and the DONE, per dump.
    expect(seen).toEqual([
      [RTM_NEWLINK, 11],
      [NLMSG_DONE, 11],
      [RTM_NEWLINK, 12],
      [NLMSG_DONE, 12],
    ]);
    expect(buffers.size).toBe(1);
    expect([...buffers][0]!.length).toBe(256 * 1024);
    // A 'message' listener added later gets copies of its own, after the receiver.
    const copies: Buffer[] = [];
    socket.on('message', (d) => copies.push(d));
    socket.on('message', count);
    socket.send(dumpLinks(13));
    socket.receiveNow();
    expect(copies.flatMap((d) => headers(d, d.length))).toEqual([
      [RTM_NEWLINK, 13],
      [NLMSG_DONE, 13],
    ]);
    expect(copies.every((d) => !buffers.has(d) && d.buffer !== [...buffers][0]!.buffer)).toBe(true);
    expect(emitted).toBe(copies.length);
  });

  it('a read nested inside the receiver gets a buffer of its own', () => {
    const socket = open();
    const outer: [number, number][] = [];
    const inner: [number, number][] = [];
    let depth = 0;
    socket.setReceiver((buf, length) => {
      if (depth > 0) {
        inner.push(...headers(buf, length));
        return;
      }
      depth++;
      const before = Buffer.from(buf.subarray(0, length));
      // A second dump, read from inside the first one's receiver.
      socket.send(dumpLinks(22));
      socket.receiveNow();
      // The outer datagram was not overwritten by the nested read.
      expect(buf.subarray(0, length)).toEqual(before);
      outer.push(...headers(buf, length));
      depth--;
    });
    socket.send(dumpLinks(21));
    socket.receiveNow(1);
    // The nested read takes whatever was queued: the rest of dump 21 (if the kernel split it),
    // then dump 22.
    expect(inner.slice(-2)).toEqual([
      [RTM_NEWLINK, 22],
      [NLMSG_DONE, 22],
    ]);
    expect(outer[0]).toEqual([RTM_NEWLINK, 21]);
  });

  it('undefined removes the receiver; a non-function is refused', () => {
    const socket = open();
    let calls = 0;
    socket.setReceiver(() => calls++);
    socket.setReceiver(undefined);
    const copies: Buffer[] = [];
    socket.on('message', (d) => copies.push(d));
    socket.send(dumpLinks(31));
    socket.receiveNow();
    expect(calls).toBe(0);
    expect(copies.length).toBeGreaterThan(0);
    expect(() => socket.setReceiver(42 as never)).toThrow(TypeError);
  });
});
