// NETLINK_LISTEN_ALL_NSID on NetlinkSocket (`listenAllNsid`) and the shim's recvNsid, against the
// kernel, in anonymous namespaces made here: A listens; B has an id in A (given here with a
// hand-built RTM_NEWNSID), C has none until a test gives it one. Every number on the wire comes
// from the C headers (cValues), and every message is built and read here by hand, not with the
// codec. iproute2 reads the ids back (`ip -j netns list-id`).
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAddon } from '../../src/netlink/native.js';
import { NetlinkSocket } from '../../src/netlink/socket.js';
import { createNetns, type Netns } from '../../src/ns/index.js';
import { cValues, DEFAULT_HEADERS } from '../helpers/uapi.js';

const C = cValues(
  {
    SOL_NETLINK: 'SOL_NETLINK',
    NETLINK_LISTEN_ALL_NSID: 'NETLINK_LISTEN_ALL_NSID',
    NETLINK_ROUTE: 'NETLINK_ROUTE',
    RTNLGRP_LINK: 'RTNLGRP_LINK',
    RTM_NEWLINK: 'RTM_NEWLINK',
    RTM_GETLINK: 'RTM_GETLINK',
    RTM_NEWNSID: 'RTM_NEWNSID',
    NETNSA_NSID: 'NETNSA_NSID',
    NETNSA_FD: 'NETNSA_FD',
    NLMSG_ERROR: 'NLMSG_ERROR',
    NLMSG_DONE: 'NLMSG_DONE',
    NLM_F_REQUEST: 'NLM_F_REQUEST',
    NLM_F_ACK: 'NLM_F_ACK',
    NLM_F_DUMP: 'NLM_F_DUMP',
    IFLA_IFNAME: 'IFLA_IFNAME',
    EAGAIN: 'EAGAIN',
  },
  [...DEFAULT_HEADERS, 'linux/net_namespace.h', 'errno.h'],
).values as Record<string, number>;

interface Message {
  type: number;
  seq: number;
  body: Buffer;
}

function nlmsg(type: number, flags: number, seq: number, payload: Buffer): Buffer {
  const header = Buffer.alloc(16);
  header.writeUInt32LE(16 + payload.length, 0); // nlmsg_len
  header.writeUInt16LE(type, 4); // nlmsg_type
  header.writeUInt16LE(flags, 6); // nlmsg_flags
  header.writeUInt32LE(seq, 8); // nlmsg_seq
  return Buffer.concat([header, payload]);
}

/** A u32 attribute (4-byte header + value, already aligned). */
function nlaU32(type: number, value: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeUInt16LE(8, 0);
  b.writeUInt16LE(type, 2);
  b.writeUInt32LE(value, 4);
  return b;
}

function walk(datagram: Buffer): Message[] {
  const out: Message[] = [];
  for (let off = 0; off + 16 <= datagram.length; ) {
    const len = datagram.readUInt32LE(off);
    if (len < 16 || off + len > datagram.length) throw new Error(`bad nlmsg_len ${len}`);
    out.push({
      type: datagram.readUInt16LE(off + 4),
      seq: datagram.readUInt32LE(off + 8),
      body: datagram.subarray(off + 16, off + len),
    });
    off += (len + 3) & ~3;
  }
  return out;
}

/** IFLA_IFNAME of an RTM_NEWLINK body (after the 16-byte ifinfomsg). */
function linkName(body: Buffer): string | undefined {
  for (let off = 16; off + 4 <= body.length; ) {
    const len = body.readUInt16LE(off);
    if (len < 4) break;
    if ((body.readUInt16LE(off + 2) & 0x3fff) === C.IFLA_IFNAME) {
      return body.toString('latin1', off + 4, off + len).replace(/\0.*$/s, '');
    }
    off += (len + 3) & ~3;
  }
  return undefined;
}

let A: Netns;
let B: Netns;
let Cns: Netns;
let fdsBefore: number;
const B_ID = 5;

const ip = (ns: Netns, ...args: string[]) =>
  execFileSync('nsenter', [`--net=/proc/${process.pid}/fd/${ns.fd}`, 'ip', ...args], {
    encoding: 'utf8',
  });
const countFds = () => readdirSync('/proc/self/fd').length;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** RTM_NEWNSID in `where` (A): give the namespace `peer` holds the id `id` (-1: kernel picks). */
function giveId(peer: Netns, id: number, where: Netns = A): void {
  const s = NetlinkSocket.open(C.NETLINK_ROUTE!, { netns: where.fd });
  try {
    const seq = 77;
    // struct rtgenmsg (1 byte, family AF_UNSPEC) padded to 4, NETNSA_NSID, NETNSA_FD.
    const payload = Buffer.concat([
      Buffer.alloc(4),
      nlaU32(C.NETNSA_NSID!, id >>> 0),
      nlaU32(C.NETNSA_FD!, peer.fd),
    ]);
    const replies: Message[] = [];
    s.on('message', (d) => replies.push(...walk(d)));
    s.send(nlmsg(C.RTM_NEWNSID!, C.NLM_F_REQUEST! | C.NLM_F_ACK!, seq, payload));
    s.receiveNow();
    const ack = replies.find((m) => m.type === C.NLMSG_ERROR && m.seq === seq);
    expect(ack?.body.readInt32LE(0)).toBe(0);
  } finally {
    s.close();
  }
}

/** The ids `ip netns list-id` shows in A. */
const idsInA = () =>
  (JSON.parse(ip(A, '-j', 'netns', 'list-id')) as { nsid: number }[]).map((e) => e.nsid).sort();

interface Seen {
  nsid: number | undefined;
  argc: number;
  messages: Message[];
}

/** A socket in A joined to RTNLGRP_LINK that records each datagram as its receiver saw it. */
function listener(listenAllNsid: boolean): { socket: NetlinkSocket; seen: Seen[] } {
  const socket = NetlinkSocket.open(C.NETLINK_ROUTE!, { netns: A.fd, listenAllNsid });
  const seen: Seen[] = [];
  socket.setReceiver((...args: unknown[]) => {
    const [buffer, length, nsid] = args as [Buffer, number, number | undefined];
    seen.push({
      nsid,
      argc: args.length,
      messages: walk(Buffer.from(buffer.subarray(0, length))),
    });
  });
  socket.on('error', (e) => {
    throw e;
  });
  socket.addMembership(C.RTNLGRP_LINK!);
  return { socket, seen };
}

/** The nsid each datagram announcing a new link named `name` came with. */
async function nsidsOf(seen: Seen[], name: string, wait = 300): Promise<(number | undefined)[]> {
  await sleep(wait);
  return seen
    .filter((d) => d.messages.some((m) => m.type === C.RTM_NEWLINK && linkName(m.body) === name))
    .map((d) => d.nsid);
}

beforeAll(() => {
  fdsBefore = countFds();
  A = createNetns();
  B = createNetns();
  Cns = createNetns();
  giveId(B, B_ID);
});

afterAll(() => {
  A?.close();
  B?.close();
  Cns?.close();
  expect(countFds()).toBe(fdsBefore);
});

describe('NetlinkSocket listenAllNsid', () => {
  it('sets NETLINK_LISTEN_ALL_NSID (read back with getsockopt); without it the option is 0', () => {
    const on = NetlinkSocket.open(C.NETLINK_ROUTE!, { netns: A.fd, listenAllNsid: true });
    const off = NetlinkSocket.open(C.NETLINK_ROUTE!, { netns: A.fd });
    try {
      expect(on.getsockopt(C.SOL_NETLINK!, C.NETLINK_LISTEN_ALL_NSID!)).toBe(1);
      expect(on.listenAllNsid).toBe(true);
      expect(off.getsockopt(C.SOL_NETLINK!, C.NETLINK_LISTEN_ALL_NSID!)).toBe(0);
      expect(off.listenAllNsid).toBe(false);
    } finally {
      on.close();
      off.close();
    }
  });

  it('rejects a listenAllNsid that is not a boolean before opening anything', () => {
    const fds = countFds();
    expect(() =>
      NetlinkSocket.open(C.NETLINK_ROUTE!, { listenAllNsid: 1 as unknown as boolean }),
    ).toThrow(TypeError);
    expect(countFds()).toBe(fds);
  });

  it("B's change arrives with the id A gave B, A's own with -1, C's (no id in A) not at all", async () => {
    expect(idsInA()).toEqual([B_ID]);
    const { socket, seen } = listener(true);
    try {
      ip(B, 'link', 'add', 'nsb0', 'type', 'ifb');
      ip(A, 'link', 'add', 'nsa0', 'type', 'ifb');
      ip(Cns, 'link', 'add', 'nsc0', 'type', 'ifb');
      expect(await nsidsOf(seen, 'nsb0')).toEqual([B_ID]);
      expect(await nsidsOf(seen, 'nsa0', 0)).toEqual([-1]);
      expect(await nsidsOf(seen, 'nsc0', 0)).toEqual([]);
      // The receiver was given three arguments every time.
      expect(seen.every((d) => d.argc === 3)).toBe(true);
    } finally {
      socket.close();
    }
  });

  it("'message' listeners get the nsid too, beside the receiver", async () => {
    const socket = NetlinkSocket.open(C.NETLINK_ROUTE!, { netns: A.fd, listenAllNsid: true });
    const got: [string | undefined, number | undefined][] = [];
    socket.on('message', (datagram, nsid) => {
      for (const m of walk(datagram)) {
        if (m.type === C.RTM_NEWLINK) got.push([linkName(m.body), nsid]);
      }
    });
    try {
      socket.addMembership(C.RTNLGRP_LINK!);
      ip(B, 'link', 'set', 'nsb0', 'mtu', '1400');
      ip(A, 'link', 'set', 'nsa0', 'mtu', '1400');
      await sleep(300);
      expect(got).toEqual([
        ['nsb0', B_ID],
        ['nsa0', -1],
      ]);
    } finally {
      socket.close();
    }
  });

  it('a namespace that gets an id later is heard from then on, with that id', async () => {
    const { socket, seen } = listener(true);
    try {
      ip(Cns, 'link', 'set', 'nsc0', 'mtu', '1300');
      expect(await nsidsOf(seen, 'nsc0')).toEqual([]);
      giveId(Cns, -1); // NETNSA_NSID_NOT_ASSIGNED: the kernel picks
      const ids = idsInA();
      expect(ids).toHaveLength(2);
      const cId = ids.find((id) => id !== B_ID)!;
      seen.length = 0;
      ip(Cns, 'link', 'set', 'nsc0', 'mtu', '1200');
      expect(await nsidsOf(seen, 'nsc0')).toEqual([cId]);
    } finally {
      socket.close();
    }
  });

  it('a namespace that gave itself an id still sees -1 on its own notifications', async () => {
    // The kernel stopped reporting a self-referential id on local notifications in upstream
    // 88b126b39f97 ("net: netlink: dont set nsid on local notifications"); this kernel has it.
    const D = createNetns();
    try {
      giveId(D, 11, D);
      expect(
        (JSON.parse(ip(D, '-j', 'netns', 'list-id')) as { nsid: number }[]).map((e) => e.nsid),
      ).toEqual([11]);
      const socket = NetlinkSocket.open(C.NETLINK_ROUTE!, { netns: D.fd, listenAllNsid: true });
      const seen: Seen[] = [];
      socket.setReceiver((buffer, length, nsid) => {
        seen.push({ nsid, argc: 3, messages: walk(Buffer.from(buffer.subarray(0, length))) });
      });
      try {
        socket.addMembership(C.RTNLGRP_LINK!);
        ip(D, 'link', 'add', 'self0', 'type', 'ifb');
        expect(await nsidsOf(seen, 'self0')).toEqual([-1]);
      } finally {
        socket.close();
      }
    } finally {
      D.close();
    }
  });

  it('replies to our own requests (a dump) carry no id: -1', async () => {
    const socket = NetlinkSocket.open(C.NETLINK_ROUTE!, { netns: A.fd, listenAllNsid: true });
    const seen: { nsid: number | undefined; messages: Message[] }[] = [];
    socket.setReceiver((buffer, length, nsid) => {
      seen.push({ nsid, messages: walk(Buffer.from(buffer.subarray(0, length))) });
    });
    try {
      socket.send(nlmsg(C.RTM_GETLINK!, C.NLM_F_REQUEST! | C.NLM_F_DUMP!, 9, Buffer.alloc(16)));
      socket.receiveNow();
      expect(seen.length).toBeGreaterThan(0);
      expect(seen.at(-1)!.messages.at(-1)!.type).toBe(C.NLMSG_DONE);
      const names = seen.flatMap((d) =>
        d.messages.map((m) => m.type === C.RTM_NEWLINK && linkName(m.body)),
      );
      expect(names).toContain('nsa0');
      expect(seen.map((d) => d.nsid)).toEqual(seen.map(() => -1));
    } finally {
      socket.close();
    }
  });

  it('without listenAllNsid: no other namespace is heard, and the receiver gets two arguments', async () => {
    const { socket, seen } = listener(false);
    try {
      ip(B, 'link', 'set', 'nsb0', 'mtu', '1280');
      ip(A, 'link', 'set', 'nsa0', 'mtu', '1280');
      expect(await nsidsOf(seen, 'nsb0')).toEqual([]);
      expect(await nsidsOf(seen, 'nsa0', 0)).toEqual([undefined]);
      expect(seen.every((d) => d.argc === 2)).toBe(true);
    } finally {
      socket.close();
    }
  });
});

describe('shim recvNsid', () => {
  it('checks its nsid argument: an Int32Array of length >= 1', () => {
    const addon = loadAddon();
    const socket = NetlinkSocket.open(C.NETLINK_ROUTE!, { netns: A.fd, listenAllNsid: true });
    try {
      const buf = Buffer.alloc(64);
      for (const bad of [new Uint32Array(1), new Int32Array(0), [0], undefined]) {
        expect(() => addon.recvNsid(socket.fd, buf, bad as unknown as Int32Array)).toThrow(
          TypeError,
        );
      }
    } finally {
      socket.close();
    }
  });

  it('an empty queue: -EAGAIN, and nsid[0] set to -1', () => {
    const addon = loadAddon();
    const socket = NetlinkSocket.open(C.NETLINK_ROUTE!, { netns: A.fd, listenAllNsid: true });
    try {
      const out = new Int32Array([1234]);
      expect(addon.recvNsid(socket.fd, Buffer.alloc(64), out)).toBe(-C.EAGAIN!);
      expect(out[0]).toBe(-1);
    } finally {
      socket.close();
    }
  });
});
