// The nsid schema and requests (src/rtnetlink/nsid.ts). Numbers come from the C compiler,
// request bytes from the independent builder and from iproute2 itself (strace of `ip netns set`
// and `ip netns list-id`), answers from `ip -j netns list-id` of the same state. Kernel tests run
// in anonymous namespaces made here.
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AttributeWriter } from '../../src/netlink/attributes.js';
import { Connection } from '../../src/netlink/connection.js';
import { NetlinkEncodeError, NetlinkError } from '../../src/netlink/errors.js';
import type { NetlinkMessage } from '../../src/netlink/message.js';
import { createNetns, type Netns } from '../../src/ns/index.js';
import { RTM_GETNSID, RTM_NEWNSID } from '../../src/rtnetlink/constants.js';
import {
  getNsid,
  listNsids,
  NETNSA_NSID_NOT_ASSIGNED,
  nsidMessage,
  rtgenmsg,
  setNsid,
} from '../../src/rtnetlink/nsid.js';
import { cat, nla, nlmsg, u8, u32le, zeros } from '../helpers/bytes.js';
import { collectAttributes, cValues } from '../helpers/uapi.js';
import { leakGuard } from './leaks.js';

const NLM_F_REQUEST = 0x01; // <linux/netlink.h>
const NLM_F_ACK = 0x04;
const NLM_F_DUMP = 0x300;

/** A connection stand-in that records what would be sent and answers with canned replies. */
function recorder(replies: Buffer[] = []) {
  const sent: { type: number; flags: number; body: Buffer }[] = [];
  const answer = (): NetlinkMessage[] =>
    replies.map((payload) => ({
      length: 16 + payload.length,
      type: RTM_NEWNSID,
      flags: 0,
      seq: 1,
      pid: 0,
      payload,
    }));
  const capture = (type: number, flags: number, payload: unknown) => {
    const w = new AttributeWriter();
    (payload as (w: AttributeWriter) => void)(w);
    sent.push({ type, flags, body: Buffer.from(w.bytes()) });
  };
  const conn = {
    request: async (type: number, payload: unknown, options?: { flags?: number }) => {
      capture(type, NLM_F_REQUEST | NLM_F_ACK | (options?.flags ?? 0), payload);
      return answer();
    },
    dump: (type: number, payload: unknown, options?: { flags?: number }) => {
      capture(type, NLM_F_REQUEST | NLM_F_DUMP | (options?.flags ?? 0), payload);
      return { list: async () => answer() };
    },
  };
  return { sent, conn: conn as unknown as Connection };
}

describe('numbers against <linux/net_namespace.h>', () => {
  it('NETNSA_* attribute numbers, NETNSA_NSID_NOT_ASSIGNED and sizeof(struct rtgenmsg)', () => {
    const declared = collectAttributes(nsidMessage.attributes);
    const exprs: Record<string, string> = Object.fromEntries(
      [...declared.keys()].map((c) => [c, c]),
    );
    exprs.NOT_ASSIGNED = 'NETNSA_NSID_NOT_ASSIGNED';
    exprs.RTGENMSG = 'sizeof(struct rtgenmsg)';
    exprs.NETNSA_MAX = 'NETNSA_MAX';
    const { values, unknown } = cValues(exprs, [
      'linux/netlink.h',
      'linux/rtnetlink.h',
      'linux/net_namespace.h',
    ]);
    expect(unknown).toEqual([]);
    for (const [c, n] of declared) expect(values[c], c).toBe(n);
    // Every attribute the header defines is declared.
    expect(declared.size).toBe(values.NETNSA_MAX);
    expect(NETNSA_NSID_NOT_ASSIGNED).toBe(values.NOT_ASSIGNED);
    expect(rtgenmsg.size).toBe(values.RTGENMSG);
  });
});

describe('request and reply bytes', () => {
  // struct rtgenmsg is one byte; NLMSG_ALIGN puts the attributes at the next 4-byte boundary.
  const rtgen = cat(u8(0), zeros(3));

  it('getNsid by descriptor: rtgenmsg(AF_UNSPEC) + NETNSA_FD', async () => {
    const { sent, conn } = recorder([cat(rtgen, nla(1, u32le(7)))]);
    expect(await getNsid(conn, { fd: 9 })).toBe(7);
    expect(sent).toEqual([
      { type: RTM_GETNSID, flags: NLM_F_REQUEST | NLM_F_ACK, body: cat(rtgen, nla(3, u32le(9))) },
    ]);
  });

  it('getNsid by pid, and with a target namespace', async () => {
    const { sent, conn } = recorder([cat(rtgen, nla(1, u32le(-1)))]);
    expect(await getNsid(conn, { pid: 1234 }, { targetNsid: 2 })).toBeUndefined();
    expect(sent[0]!.body).toEqual(cat(rtgen, nla(2, u32le(1234)), nla(4, u32le(2))));
  });

  it('NETNSA_NSID_NOT_ASSIGNED (-1) reads as undefined; so does a reply without NETNSA_NSID', async () => {
    expect(
      await getNsid(recorder([cat(rtgen, nla(1, u32le(-1)))]).conn, { fd: 3 }),
    ).toBeUndefined();
    expect(await getNsid(recorder([rtgen]).conn, { fd: 3 })).toBeUndefined();
    expect(await getNsid(recorder([]).conn, { fd: 3 })).toBeUndefined();
  });

  it("setNsid: NETNSA_FD then NETNSA_NSID, as iproute2 orders them; 'auto' is -1", async () => {
    const { sent, conn } = recorder();
    await setNsid(conn, { fd: 6 }, 7);
    await setNsid(conn, { pid: 42 }, 'auto');
    expect(sent).toEqual([
      {
        type: RTM_NEWNSID,
        flags: NLM_F_REQUEST | NLM_F_ACK,
        body: cat(rtgen, nla(3, u32le(6)), nla(1, u32le(7))),
      },
      {
        type: RTM_NEWNSID,
        flags: NLM_F_REQUEST | NLM_F_ACK,
        body: cat(rtgen, nla(2, u32le(42)), nla(1, u32le(-1))),
      },
    ]);
  });

  it('listNsids: a dump of rtgenmsg alone, or with NETNSA_TARGET_NSID; entries in order', async () => {
    const { sent, conn } = recorder([
      cat(rtgen, nla(1, u32le(0))),
      cat(rtgen, nla(1, u32le(3)), nla(5, u32le(1))),
      cat(rtgen, nla(1, u32le(4)), nla(5, u32le(-1))),
    ]);
    expect(await listNsids(conn)).toEqual([{ nsid: 0 }, { nsid: 3, currentNsid: 1 }, { nsid: 4 }]);
    await listNsids(conn, { targetNsid: 5 });
    expect(sent.map((s) => [s.type, s.flags, s.body])).toEqual([
      [RTM_GETNSID, NLM_F_REQUEST | NLM_F_DUMP, rtgen],
      [RTM_GETNSID, NLM_F_REQUEST | NLM_F_DUMP, cat(rtgen, nla(4, u32le(5)))],
    ]);
  });

  it.each([
    ['no peer', {}, 'nsid', 'BAD_VALUE'],
    ['both fd and pid', { fd: 1, pid: 1 }, 'nsid', 'BAD_VALUE'],
    ['a negative fd', { fd: -1 }, 'nsid.fd', 'OUT_OF_RANGE'],
    ['a fractional fd', { fd: 1.5 }, 'nsid.fd', 'OUT_OF_RANGE'],
    ['pid 0', { pid: 0 }, 'nsid.pid', 'OUT_OF_RANGE'],
    ['a string pid', { pid: '12' }, 'nsid.pid', 'OUT_OF_RANGE'],
  ])('rejects %s before sending', async (_, peer, path, code) => {
    const { sent, conn } = recorder();
    const e = await getNsid(conn, peer as never).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(NetlinkEncodeError);
    expect(e).toMatchObject({ code, path });
    expect(sent).toEqual([]);
  });

  it.each([[-1], [-2], [2 ** 31], [1.5], ['7']])(
    'setNsid rejects the id %s (only 0..INT32_MAX or auto)',
    async (nsid) => {
      const { sent, conn } = recorder();
      const e = await setNsid(conn, { fd: 3 }, nsid as never).catch((x: unknown) => x);
      expect(e).toMatchObject({
        name: 'NetlinkEncodeError',
        code: 'OUT_OF_RANGE',
        path: 'nsid.nsid',
      });
      expect(sent).toEqual([]);
    },
  );

  it('rejects a bad targetNsid', async () => {
    const { conn } = recorder();
    const e = await listNsids(conn, { targetNsid: -3 }).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: 'OUT_OF_RANGE', path: 'nsid.targetNsid' });
  });
});

/** The request bytes (nlmsghdr onward) of each sendmsg/sendto that strace dumped. */
function straceSends(output: string): Buffer[] {
  const out: Buffer[] = [];
  let current: number[] | undefined;
  for (const line of output.split('\n')) {
    if (/^(\[pid +\d+\] )?(sendmsg|sendto)\(/.test(line)) {
      current = [];
      out.push(Buffer.alloc(0));
      continue;
    }
    const m = /^ \| [0-9a-f]{5} {2}((?:[0-9a-f]{2} {1,2}){1,16})/.exec(line);
    if (m && current) {
      current.push(
        ...m[1]!
          .trim()
          .split(/\s+/)
          .map((h) => Number.parseInt(h, 16)),
      );
      out[out.length - 1] = Buffer.from(current);
    } else if (!line.startsWith(' ')) {
      current = undefined;
    }
  }
  return out;
}

/** Our request framed as the engine frames it, seq and port id zeroed, fd rewritten. */
function zeroSeq(b: Buffer): Buffer {
  const c = Buffer.from(b);
  c.writeUInt32LE(0, 8);
  c.writeUInt32LE(0, 12);
  return c;
}

describe('the same bytes as iproute2 (strace)', () => {
  it('`ip netns set NAME 7`, `ip netns list` (GETNSID by fd) and `ip netns list-id` (dump)', () => {
    // All of it inside a private network and mount namespace: the named namespace lives in a
    // tmpfs /run/netns that vanishes with the shell, and the ids are given in a throw-away
    // observer namespace, never in ours.
    const strace = 'strace -f -qq -e signal=none -xx -s 65535 -e trace=sendmsg,sendto -e write=all';
    const script = [
      'set -e',
      'mount -t tmpfs rtnl-test /run/netns',
      'ip netns add x',
      `${strace} ip netns set x 7 2>&1`,
      'echo ===',
      `${strace} ip netns list 2>&1`,
      'echo ===',
      `${strace} ip netns list-id 2>&1`,
    ].join('\n');
    const output = execFileSync('unshare', ['--mount', '--net', 'sh', '-c', script], {
      encoding: 'utf8',
    });
    const [setOut = '', listOut = '', listIdOut = ''] = output.split('===\n');
    const set = straceSends(setOut).filter((b) => b.readUInt16LE(4) === RTM_NEWNSID);
    const get = straceSends(listOut).filter((b) => b.readUInt16LE(4) === RTM_GETNSID);
    const dump = straceSends(listIdOut).filter(
      (b) => b.readUInt16LE(4) === RTM_GETNSID && (b.readUInt16LE(6) & NLM_F_DUMP) === NLM_F_DUMP,
    );
    expect(set).toHaveLength(1);
    expect(get.length).toBeGreaterThanOrEqual(1);
    expect(dump).toHaveLength(1);
    expect(listOut).toMatch(/^x \(id: 7\)$/m);

    // The descriptor number iproute2 used is its own; we send the same one.
    const fdOf = (b: Buffer) => b.readUInt32LE(24);
    const framed: Buffer[] = [];
    const conn = {
      request: async (
        type: number,
        payload: (w: AttributeWriter) => void,
        o?: { flags?: number },
      ) => {
        framed.push(frame(type, NLM_F_REQUEST | NLM_F_ACK | (o?.flags ?? 0), payload));
        return [];
      },
      dump: (type: number, payload: (w: AttributeWriter) => void) => {
        framed.push(frame(type, NLM_F_REQUEST | NLM_F_DUMP, payload));
        return { list: async () => [] };
      },
    } as unknown as Connection;
    return (async () => {
      await setNsid(conn, { fd: fdOf(set[0]!) }, 7);
      await listNsids(conn);
      expect(framed[0]).toEqual(zeroSeq(set[0]!));
      expect(framed[1]).toEqual(zeroSeq(dump[0]!));
      // `ip netns list` sends GETNSID without NLM_F_ACK; the engine always asks for an ack.
      await getNsid(conn, { fd: fdOf(get[0]!) });
      const ours = Buffer.from(framed[2]!);
      ours.writeUInt16LE(ours.readUInt16LE(6) & ~NLM_F_ACK, 6);
      expect(ours).toEqual(zeroSeq(get[0]!));
    })();
  });
});

// The engine's framing (nlmsghdr + payload), written out with the independent builder.
function frame(type: number, flags: number, payload: (w: AttributeWriter) => void): Buffer {
  const w = new AttributeWriter();
  payload(w);
  return nlmsg({ type, flags }, w.bytes());
}

describe('kernel', () => {
  let guard: ReturnType<typeof leakGuard>;
  let observer: Netns;
  let peerA: Netns;
  let peerB: Netns;
  let conn: Connection;
  const self = `/proc/${process.pid}/fd`;
  const ipIn = (ns: Netns, ...args: string[]) =>
    execFileSync('nsenter', [`--net=${self}/${ns.fd}`, 'ip', ...args], { encoding: 'utf8' });

  beforeAll(async () => {
    guard = leakGuard();
    observer = createNetns();
    peerA = createNetns();
    peerB = createNetns();
    conn = await Connection.open({ netns: observer.fd });
  });

  afterAll(() => {
    conn?.close();
    for (const ns of [observer, peerA, peerB]) ns?.close();
    guard.check();
  });

  it('a fresh namespace has given no ids', async () => {
    expect(await getNsid(conn, { fd: peerA.fd })).toBeUndefined();
    expect(await listNsids(conn)).toEqual([]);
    expect(JSON.parse(ipIn(observer, '-j', 'netns', 'list-id'))).toEqual([]);
  });

  it('set / get / list agree with `ip netns list-id` in the observer', async () => {
    await setNsid(conn, { fd: peerA.fd }, 5);
    await setNsid(conn, { fd: peerB.fd }, 'auto');
    const a = await getNsid(conn, { fd: peerA.fd });
    const b = await getNsid(conn, { fd: peerB.fd });
    expect(a).toBe(5);
    expect(b).toBeTypeOf('number');
    const ip = JSON.parse(ipIn(observer, '-j', 'netns', 'list-id')) as { nsid: number }[];
    expect(ip.map((e) => e.nsid).sort()).toEqual([5, b!].sort());
    expect(await listNsids(conn)).toEqual(ip.map((e) => ({ nsid: e.nsid })));
  });

  it('get by pid: a process inside the peer', async () => {
    const child = spawn('nsenter', [`--net=${self}/${peerA.fd}`, 'sleep', '30'], {
      stdio: 'ignore',
    });
    try {
      await new Promise((r) => child.once('spawn', r));
      // nsenter execs sleep in the same process: wait until it has switched.
      const target = execFileSync('readlink', [`${self}/${peerA.fd}`], { encoding: 'utf8' }).trim();
      for (let i = 0; i < 200; i++) {
        const now = execFileSync('readlink', [`/proc/${child.pid}/ns/net`], { encoding: 'utf8' });
        if (now.trim() === target) break;
        await new Promise((r) => setTimeout(r, 5));
      }
      expect(await getNsid(conn, { pid: child.pid! })).toBe(5);
    } finally {
      child.kill();
      await new Promise((r) => child.once('close', r));
    }
  });

  it('the kernel refuses a second id for the same peer, and an id in use (EEXIST)', async () => {
    const again = await setNsid(conn, { fd: peerA.fd }, 6).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(NetlinkError);
    expect(again).toMatchObject({ code: 'EEXIST' });
    const taken = createNetns();
    try {
      const e = await setNsid(conn, { fd: taken.fd }, 5).catch((x: unknown) => x);
      expect(e).toMatchObject({ name: 'NetlinkError', code: 'EEXIST' });
      expect((e as NetlinkError).kernelMessage).toBeTypeOf('string');
    } finally {
      taken.close();
    }
  });

  it('a descriptor that is not a namespace, and a gone pid, are kernel errors', async () => {
    const fd = openSync('/etc/hostname', 'r');
    try {
      const e = await getNsid(conn, { fd }).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(NetlinkError);
      expect(e).toMatchObject({ code: 'EINVAL' });
    } finally {
      closeSync(fd);
    }
    const child = spawn('true');
    const pid = child.pid!;
    await new Promise((r) => child.once('close', r));
    const e = await getNsid(conn, { pid }).catch((x: unknown) => x);
    expect(e).toMatchObject({ name: 'NetlinkError', code: 'ESRCH' });
  });

  it('targetNsid: the ids the peer gave, and the id the peer gave the observer', async () => {
    // Give the observer an id inside peerA, from a connection that lives in peerA.
    const inA = await Connection.open({ netns: peerA.fd });
    try {
      await setNsid(inA, { fd: observer.fd }, 9);
    } finally {
      inA.close();
    }
    const ours = await listNsids(conn, { targetNsid: 5 });
    const ip = JSON.parse(ipIn(observer, '-j', 'netns', 'list-id', 'target-nsid', '5')) as {
      nsid: number;
      'current-nsid'?: number;
    }[];
    expect(ours).toEqual(
      ip.map((e) => ({
        nsid: e.nsid,
        ...(e['current-nsid'] !== undefined ? { currentNsid: e['current-nsid'] } : {}),
      })),
    );
    expect(ours.some((e) => e.nsid === 9)).toBe(true);
    expect(await getNsid(conn, { fd: observer.fd }, { targetNsid: 5 })).toBe(9);
  });
});
