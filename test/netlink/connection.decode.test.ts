// Dumps decoded in place (`dump(…, { decode })`), `forEach()`, and the engine reading datagrams
// out of a borrowed receive buffer: against fake kernels whose replies are built with the
// independent byte builder. The borrowing fake overwrites its buffer after every datagram, so
// anything the engine kept without copying would read back as 0xee.
import { describe, expect, it } from 'vitest';
import { Connection, type MessageView } from '../../src/netlink/connection.js';
import { NetlinkError, NetlinkSocketError } from '../../src/netlink/errors.js';
import { cat, u32le } from '../helpers/bytes.js';
import {
  ack,
  datagram,
  done,
  FakeKernel,
  type FakeRequest,
  type Handler,
  reply,
} from '../helpers/fake-kernel.js';
import { BorrowingKernel } from './borrowing-kernel.js';

const RTM_NEWLINK = 16;
const RTM_DELLINK = 17;
const RTM_GETLINK = 18;
const NLM_F_MULTI = 0x2;
const NLM_F_DUMP_INTR = 0x10;
const ENODEV = 19;

const ifinfo = (index: number) => cat(u32le(0), u32le(index), u32le(0), u32le(0));

/** `count` link messages in datagrams of `perDatagram`, then DONE; `intr` flags them DUMP_INTR. */
function dumpOf(count: number, perDatagram: number, intr = false) {
  return (req: FakeRequest): Buffer[] => {
    const out: Buffer[] = [];
    for (let i = 0; i < count; i += perDatagram) {
      const msgs: Buffer[] = [];
      for (let j = i; j < Math.min(count, i + perDatagram); j++) {
        msgs.push(
          reply(req, RTM_NEWLINK, ifinfo(j + 1), NLM_F_MULTI | (intr ? NLM_F_DUMP_INTR : 0)),
        );
      }
      out.push(datagram(...msgs));
    }
    out.push(done(req));
    return out;
  };
}

/** The ifindex of an RTM_NEWLINK read in place. */
const ifindexOf = (m: MessageView) => m.buffer.readUInt32LE(m.start + 4);

const kernels = [
  ['owned datagrams', (h?: Handler) => new FakeKernel(h)],
  ['borrowed receive buffer', (h?: Handler) => new BorrowingKernel(h)],
] as const;

describe.each(kernels)('dumps decoded in place (%s)', (_name, makeKernel) => {
  it('list() collects what decode returns, in order, skipping undefined', async () => {
    const k = makeKernel(dumpOf(10, 3));
    const conn = Connection.fromSocket(k);
    const seen: { type: number; flags: number; seq: number; pid: number; length: number }[] = [];
    const items = await conn
      .dump(RTM_GETLINK, ifinfo(0), {
        decode: (m) => {
          seen.push({ type: m.type, flags: m.flags, seq: m.seq, pid: m.pid, length: m.length });
          const index = ifindexOf(m);
          return index % 2 === 0 ? undefined : index;
        },
      })
      .list();
    expect(items).toEqual([1, 3, 5, 7, 9]);
    expect(seen).toHaveLength(10);
    for (const h of seen) {
      expect(h).toEqual({
        type: RTM_NEWLINK,
        flags: NLM_F_MULTI,
        seq: k.requests[0]!.seq,
        pid: k.requests[0]!.pid,
        length: 32,
      });
    }
  });

  it('iteration yields decoded items across datagrams', async () => {
    const k = makeKernel(dumpOf(25, 4));
    const conn = Connection.fromSocket(k);
    const got: number[] = [];
    for await (const i of conn.dump(RTM_GETLINK, ifinfo(0), { decode: ifindexOf })) got.push(i);
    expect(got).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
  });

  it('forEach() hands every item over synchronously and resolves at the end', async () => {
    const k = makeKernel(dumpOf(12, 5));
    const conn = Connection.fromSocket(k);
    const got: number[] = [];
    await conn.dump(RTM_GETLINK, ifinfo(0), { decode: ifindexOf }).forEach((i) => {
      got.push(i);
    });
    expect(got).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
  });

  it('forEach() without decode hands over messages that stay valid', async () => {
    const k = makeKernel(dumpOf(6, 4));
    const conn = Connection.fromSocket(k);
    const kept: Buffer[] = [];
    await conn.dump(RTM_GETLINK, ifinfo(0)).forEach((m) => {
      kept.push(m.payload);
    });
    // Read after every datagram was overwritten in the borrowing fake.
    expect(kept.map((p) => p.readUInt32LE(4))).toEqual([1, 2, 3, 4, 5, 6]);
    expect(kept[0]).toEqual(ifinfo(1));
  });

  it('m.message() outlives the callback: its payload is a copy of the datagram', async () => {
    const k = makeKernel(dumpOf(7, 3));
    const conn = Connection.fromSocket(k);
    const messages = await conn.dump(RTM_GETLINK, ifinfo(0), { decode: (m) => m.message() }).list();
    expect(messages.map((m) => m.payload)).toEqual(
      Array.from({ length: 7 }, (_, i) => ifinfo(i + 1)),
    );
    expect(messages[6]).toMatchObject({ length: 32, type: RTM_NEWLINK, flags: NLM_F_MULTI });
  });

  it('what decode throws rejects the dump, which is read to its end so the next one works', async () => {
    const k = makeKernel(dumpOf(20, 4));
    const conn = Connection.fromSocket(k);
    const bad = new Error('cannot decode 6');
    const err = await conn
      .dump(RTM_GETLINK, ifinfo(0), {
        decode: (m) => {
          if (ifindexOf(m) === 6) throw bad;
          return ifindexOf(m);
        },
      })
      .list()
      .catch((e) => e);
    expect(err).toBe(bad);
    expect(await conn.dump(RTM_GETLINK, ifinfo(0), { decode: ifindexOf }).list()).toHaveLength(20);
    expect(conn.pendingCount).toBe(0);
  });

  it('iteration hands out the items decoded before a decode error, then throws it', async () => {
    const k = makeKernel(dumpOf(8, 8));
    const conn = Connection.fromSocket(k);
    const got: number[] = [];
    const bad = new Error('no 5');
    const err = await (async () => {
      for await (const i of conn.dump(RTM_GETLINK, ifinfo(0), {
        decode: (m) => {
          if (ifindexOf(m) === 5) throw bad;
          return ifindexOf(m);
        },
      })) {
        got.push(i);
      }
    })().catch((e) => e);
    expect(err).toBe(bad);
    expect(got).toEqual([1, 2, 3, 4]);
  });

  it('what the forEach callback throws rejects it; the rest of the dump is dropped', async () => {
    const k = makeKernel(dumpOf(30, 4));
    const conn = Connection.fromSocket(k);
    const got: number[] = [];
    const stop = new Error('stop at 10');
    const err = await conn
      .dump(RTM_GETLINK, ifinfo(0), { decode: ifindexOf })
      .forEach((i) => {
        if (i === 10) throw stop;
        got.push(i);
      })
      .catch((e) => e);
    expect(err).toBe(stop);
    expect(got).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // The dump slot is free again.
    expect(await conn.dump(RTM_GETLINK, ifinfo(0), { decode: ifindexOf }).list()).toHaveLength(30);
  });

  it('forEach() rejects with the kernel error carried in NLMSG_DONE', async () => {
    const k = makeKernel((req) => [
      datagram(reply(req, RTM_NEWLINK, ifinfo(1))),
      done(req, ENODEV, 'no such device'),
    ]);
    const conn = Connection.fromSocket(k);
    const got: number[] = [];
    const err = await conn
      .dump(RTM_GETLINK, ifinfo(0), { decode: ifindexOf })
      .forEach((i) => {
        got.push(i);
      })
      .catch((e) => e);
    expect(err).toBeInstanceOf(NetlinkError);
    expect(err.code).toBe('ENODEV');
    expect(err.kernelMessage).toBe('no such device');
    expect(got).toEqual([1]);
  });

  it('NLM_F_DUMP_INTR: forEach() throws after the last item unless told to ignore', async () => {
    const conn = Connection.fromSocket(makeKernel(dumpOf(3, 2, true)));
    const got: number[] = [];
    const err = await conn
      .dump(RTM_GETLINK, ifinfo(0), { decode: ifindexOf })
      .forEach((i) => {
        got.push(i);
      })
      .catch((e) => e);
    expect(err).toBeInstanceOf(NetlinkSocketError);
    expect(err.code).toBe('ERR_RTNL_DUMP_INTERRUPTED');
    expect(got).toEqual([1, 2, 3]);
    const d = conn.dump(RTM_GETLINK, ifinfo(0), { decode: ifindexOf, onInterrupted: 'ignore' });
    const again: number[] = [];
    await d.forEach((i) => {
      again.push(i);
    });
    expect(again).toEqual([1, 2, 3]);
    expect(d.interrupted).toBe(true);
  });

  it('list() with decode retries an interrupted dump until it is clean', async () => {
    let n = 0;
    const k = makeKernel((req) => dumpOf(4, 2, ++n < 3)(req));
    const conn = Connection.fromSocket(k);
    expect(await conn.dump(RTM_GETLINK, ifinfo(0), { decode: ifindexOf }).list()).toEqual([
      1, 2, 3, 4,
    ]);
    expect(k.requests).toHaveLength(3);
  });

  it('iteration with decode pauses reading at the high-water mark of items, and resumes', async () => {
    const k = makeKernel(dumpOf(100, 10));
    const conn = Connection.fromSocket(k, { dumpHighWaterMark: 20 });
    let n = 0;
    for await (const _ of conn.dump(RTM_GETLINK, ifinfo(0), {
      // Only every other message becomes an item: the mark counts items, not messages.
      decode: (m) => (ifindexOf(m) % 2 ? ifindexOf(m) : undefined),
    })) {
      n++;
      await new Promise((r) => setImmediate(r));
    }
    expect(n).toBe(50);
    expect(k.pauseCount).toBeGreaterThan(0);
    expect(k.paused).toBe(false);
  });

  it('request replies and acks are read in place and replies stay valid', async () => {
    const k = makeKernel((req) => [
      datagram(reply(req, RTM_NEWLINK, ifinfo(7), 0), reply(req, RTM_NEWLINK, ifinfo(8), 0)),
      ack(req),
    ]);
    const conn = Connection.fromSocket(k);
    const [a, b] = await Promise.all([
      conn.request(RTM_GETLINK, ifinfo(7)),
      conn.request(RTM_GETLINK, ifinfo(8)),
    ]);
    expect(a!.map((m) => m.payload)).toEqual([ifinfo(7), ifinfo(8)]);
    expect(b!.map((m) => m.payload)).toEqual([ifinfo(7), ifinfo(8)]);
  });

  it('unsolicited messages stay valid', async () => {
    const k = makeKernel();
    const conn = Connection.fromSocket(k);
    const got: Buffer[] = [];
    conn.on('unsolicited', (m) => got.push(m.payload));
    k.inject(datagram(reply({ seq: 0, pid: 0 } as FakeRequest, RTM_DELLINK, ifinfo(3), 0)));
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    expect(got).toEqual([ifinfo(3)]);
  });

  it('an error ack carrying ext-ack TLVs is parsed (not taken for a plain ack)', async () => {
    const k = makeKernel((req) => [ack(req, 0, { message: 'a warning' })]);
    const conn = Connection.fromSocket(k);
    const warnings: string[] = [];
    await conn.request(RTM_NEWLINK, ifinfo(1), { onWarning: (w) => warnings.push(w) });
    expect(warnings).toEqual(['a warning']);
    k.handler = (req) => [ack(req, ENODEV, { message: 'gone' })];
    const err = await conn.request(RTM_NEWLINK, ifinfo(1)).catch((e) => e);
    expect(err.code).toBe('ENODEV');
    expect(err.kernelMessage).toBe('gone');
  });
});

describe('the borrowing path is the one taken', () => {
  it('a socket with setReceiver gets every datagram in place, none copied to message', async () => {
    const k = new BorrowingKernel(dumpOf(9, 4));
    const conn = Connection.fromSocket(k);
    expect(k.receiver).toBeTypeOf('function');
    expect(k.listenerCount('message')).toBe(0);
    expect(await conn.dump(RTM_GETLINK, ifinfo(0), { decode: ifindexOf }).list()).toHaveLength(9);
    // 3 datagrams of links + DONE.
    expect(k.borrowed).toBe(4);
  });
});

describe('a closed connection', () => {
  it('list(), forEach() and iteration reject with ERR_RTNL_CLOSED', async () => {
    const conn = Connection.fromSocket(new BorrowingKernel(dumpOf(3, 3)));
    conn.close();
    const d = () => conn.dump(RTM_GETLINK, ifinfo(0), { decode: ifindexOf });
    for (const run of [
      () => d().list(),
      () => d().forEach(() => {}),
      () => d()[Symbol.asyncIterator]().next(),
    ]) {
      const err = await run().catch((e) => e);
      expect(err).toBeInstanceOf(NetlinkSocketError);
      expect(err.code).toBe('ERR_RTNL_CLOSED');
    }
  });
});
