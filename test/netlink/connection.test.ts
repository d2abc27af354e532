// The request engine against a fake kernel: every reply here is built byte by byte by the
// independent builder in test/helpers, so these tests pin the engine's protocol logic
// (seq matching, acks, dumps, windows, timeouts) without a kernel's timing in the way.
import { describe, expect, it } from 'vitest';
import { Connection } from '../../src/netlink/connection.js';
import { NetlinkDecodeError, NetlinkError, NetlinkSocketError } from '../../src/netlink/errors.js';
import { linkMessage } from '../../src/rtnetlink/link.js';
import { routeMessage } from '../../src/rtnetlink/route.js';
import { cat, nla, u16le, u32le, zeros } from '../helpers/bytes.js';
import {
  ack,
  datagram,
  done,
  FakeKernel,
  type FakeRequest,
  reply,
} from '../helpers/fake-kernel.js';
import { loadFixture } from '../helpers/fixtures.js';

const RTM_NEWLINK = 16;
const RTM_GETLINK = 18;
const NLM_F_REQUEST = 0x1;
const NLM_F_ACK = 0x4;
const NLM_F_DUMP_INTR = 0x10;
const NLM_F_DUMP = 0x300;
const NLM_F_MULTI = 0x2;

const ifinfo = (index: number) => cat(u32le(0), u32le(index), u32le(0), u32le(0));

function open(kernel: FakeKernel, options: Parameters<typeof Connection.fromSocket>[1] = {}) {
  return Connection.fromSocket(kernel, options);
}

/** A dump handler: `count` link messages in datagrams of `perDatagram`, then DONE. */
function dumpOf(count: number, perDatagram: number, flags = NLM_F_MULTI) {
  return (req: FakeRequest): Buffer[] => {
    const out: Buffer[] = [];
    for (let i = 0; i < count; i += perDatagram) {
      const msgs: Buffer[] = [];
      for (let j = i; j < Math.min(count, i + perDatagram); j++)
        msgs.push(reply(req, RTM_NEWLINK, ifinfo(j + 1), flags));
      out.push(datagram(...msgs));
    }
    out.push(done(req));
    return out;
  };
}

describe('requests', () => {
  it('frames REQUEST|ACK with a fresh seq and resolves on the ack', async () => {
    const k = new FakeKernel();
    const conn = open(k);
    await expect(conn.request(RTM_NEWLINK, ifinfo(1))).resolves.toEqual([]);
    const [req] = k.requests;
    expect(req!.type).toBe(RTM_NEWLINK);
    expect(req!.flags).toBe(NLM_F_REQUEST | NLM_F_ACK);
    expect(req!.len).toBe(32);
    expect(req!.payload).toEqual(ifinfo(1));
    const next = conn.request(RTM_NEWLINK, ifinfo(1), { flags: 0x400 });
    await next;
    expect(k.requests[1]!.seq).toBe(req!.seq + 1);
    expect(k.requests[1]!.flags).toBe(NLM_F_REQUEST | NLM_F_ACK | 0x400);
  });

  it('collects the replies that come before the ack', async () => {
    const k = new FakeKernel((req) => [datagram(reply(req, RTM_NEWLINK, ifinfo(7), 0), ack(req))]);
    const conn = open(k);
    const replies = await conn.request(RTM_GETLINK, ifinfo(7));
    expect(replies).toHaveLength(1);
    expect(replies[0]!.type).toBe(RTM_NEWLINK);
    expect(replies[0]!.payload.readInt32LE(4)).toBe(7);
  });

  it('builds the payload with a writer callback', async () => {
    const k = new FakeKernel();
    const conn = open(k);
    await conn.request(RTM_NEWLINK, (w) =>
      linkMessage.encode(w, { header: { index: 3 }, attributes: { mtu: 1400 } }),
    );
    expect(k.requests[0]!.payload).toEqual(cat(ifinfo(3), nla(4, u32le(1400))));
    expect(k.requests[0]!.len).toBe(16 + 16 + 8);
  });

  it.each([
    ['capped', true],
    ['uncapped', false],
  ])('rejects a %s error with errno, ext-ack text and the attribute path', async (_n, capped) => {
    // The offset points at the IFLA_MTU header: 16 (nlmsghdr) + 16 (ifinfomsg) + 8 (IFLA_TXQLEN).
    const k = new FakeKernel((req) => [
      ack(req, 34, { capped, message: 'Attribute failed policy validation', offset: 40 }),
    ]);
    const conn = open(k);
    const err = await conn
      .request(
        RTM_NEWLINK,
        (w) => {
          linkMessage.encode(w, { header: { index: 1 }, attributes: { txqlen: 1000 } });
          w.u16(4, 1500);
        },
        { schema: linkMessage },
      )
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetlinkError);
    const e = err as NetlinkError;
    expect(e.errno).toBe(34);
    expect(e.code).toBe('ERANGE');
    expect(e.kernelMessage).toBe('Attribute failed policy validation');
    expect(e.offset).toBe(40);
    expect(e.attributePath).toBe('link.mtu');
    expect(e.seq).toBe(k.requests[0]!.seq);
    expect(e.requestType).toBe(RTM_NEWLINK);
    expect(e.message).toContain('Attribute failed policy validation');
  });

  it('resolves an ack that carries a warning and reports the warning', async () => {
    const k = new FakeKernel((req) => [ack(req, 0, { message: 'quantum is big' })]);
    const conn = open(k);
    const seen: string[] = [];
    conn.on('warning', (w: { message: string }) => seen.push(`event:${w.message}`));
    await conn.request(RTM_NEWLINK, ifinfo(1), { onWarning: (m) => seen.push(`option:${m}`) });
    expect(seen).toEqual(['option:quantum is big', 'event:quantum is big']);
  });

  it('sends the requests of one tick in one datagram', async () => {
    const k = new FakeKernel();
    const conn = open(k);
    await Promise.all([1, 2, 3, 4, 5].map((i) => conn.request(RTM_NEWLINK, ifinfo(i))));
    expect(k.datagrams).toHaveLength(1);
    expect(k.requests.map((r) => r.payload.readInt32LE(4))).toEqual([1, 2, 3, 4, 5]);
  });

  it('keeps no more than `window` requests in flight', async () => {
    let outstanding = 0;
    let peak = 0;
    // Acks are answered asynchronously, one at a time, so the window really fills.
    const k = new FakeKernel((req, kernel) => {
      outstanding++;
      peak = Math.max(peak, outstanding);
      setTimeout(() => {
        outstanding--;
        kernel.inject(ack(req));
      }, 1);
      return undefined;
    });
    const conn = open(k, { window: 4 });
    await Promise.all(Array.from({ length: 40 }, (_, i) => conn.request(RTM_NEWLINK, ifinfo(i))));
    expect(peak).toBe(4);
    expect(k.requests).toHaveLength(40);
    expect(conn.pendingCount).toBe(0);
  });

  it('ignores replies for unknown sequence numbers and other ports', async () => {
    const k = new FakeKernel((req) => [
      ack({ ...req, seq: req.seq + 100 }),
      ack({ ...req, pid: 999 }),
      ack(req),
    ]);
    const conn = open(k);
    const unsolicited: number[] = [];
    conn.on('unsolicited', (m: { seq: number }) => unsolicited.push(m.seq));
    await conn.request(RTM_NEWLINK, ifinfo(1));
    expect(unsolicited).toHaveLength(2);
  });

  it('fails pending requests with a NetlinkDecodeError when a datagram is malformed', async () => {
    const k = new FakeKernel(() => [cat(u32le(400), u16le(2), u16le(0), zeros(8))]);
    const conn = open(k);
    const err = await conn.request(RTM_NEWLINK, ifinfo(1)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetlinkDecodeError);
    expect((err as NetlinkDecodeError).code).toBe('BAD_LENGTH');
  });

  it('holds a reference on the socket only while requests are pending', async () => {
    const held: FakeRequest[] = [];
    const k = new FakeKernel((req) => {
      held.push(req);
      return undefined;
    });
    const conn = open(k);
    expect(k.referenced).toBe(false);
    const p = conn.request(RTM_NEWLINK, ifinfo(1));
    await new Promise((r) => setImmediate(r));
    expect(k.referenced).toBe(true);
    k.inject(ack(held[0]!));
    await p;
    expect(k.referenced).toBe(false);
  });
});

describe('timeouts, aborts, close, socket errors', () => {
  it('times a request out and ignores its late reply', async () => {
    const late: FakeRequest[] = [];
    const k = new FakeKernel((req) => {
      late.push(req);
      return undefined;
    });
    const conn = open(k, { timeout: 30 });
    const err = await conn.request(RTM_NEWLINK, ifinfo(1)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetlinkSocketError);
    expect((err as NetlinkSocketError).code).toBe('ETIMEDOUT');
    const stray: unknown[] = [];
    conn.on('unsolicited', (m) => stray.push(m));
    k.inject(ack(late[0]!));
    await new Promise((r) => setImmediate(r));
    expect(stray).toHaveLength(1);
    expect(conn.pendingCount).toBe(0);
  });

  it('a per-request timeout overrides the connection default; 0 disables', async () => {
    const k = new FakeKernel(() => undefined);
    const conn = open(k, { timeout: 0 });
    const err = await conn
      .request(RTM_NEWLINK, ifinfo(1), { timeout: 10 })
      .catch((e: unknown) => e);
    expect((err as NetlinkSocketError).code).toBe('ETIMEDOUT');
    const forever = conn.request(RTM_NEWLINK, ifinfo(1));
    const raced = await Promise.race([
      forever.then(() => 'answered'),
      new Promise((r) => setTimeout(() => r('waiting'), 50)),
    ]);
    expect(raced).toBe('waiting');
    conn.close();
    await expect(forever).rejects.toMatchObject({ code: 'ERR_RTNL_CLOSED' });
  });

  it('rejects with the signal reason on abort, before or after sending', async () => {
    const k = new FakeKernel(() => undefined);
    const conn = open(k);
    const before = new AbortController();
    before.abort(new Error('not wanted'));
    await expect(conn.request(RTM_NEWLINK, ifinfo(1), { signal: before.signal })).rejects.toThrow(
      'not wanted',
    );
    expect(k.requests).toHaveLength(0);
    const during = new AbortController();
    const p = conn.request(RTM_NEWLINK, ifinfo(1), { signal: during.signal });
    await new Promise((r) => setImmediate(r));
    expect(k.requests).toHaveLength(1);
    during.abort();
    await expect(p).rejects.toMatchObject({ name: 'AbortError' });
    expect(conn.pendingCount).toBe(0);
  });

  it('close() fails everything pending or queued, and later requests', async () => {
    const k = new FakeKernel(() => undefined);
    const conn = open(k, { window: 1 });
    const a = conn.request(RTM_NEWLINK, ifinfo(1));
    const b = conn.request(RTM_NEWLINK, ifinfo(2));
    await new Promise((r) => setImmediate(r));
    conn.close();
    await expect(a).rejects.toMatchObject({ code: 'ERR_RTNL_CLOSED' });
    await expect(b).rejects.toMatchObject({ code: 'ERR_RTNL_CLOSED' });
    await expect(conn.request(RTM_NEWLINK, ifinfo(3))).rejects.toMatchObject({
      code: 'ERR_RTNL_CLOSED',
    });
    expect(k.closed).toBe(true);
  });

  it('fails pending requests on ENOBUFS but lets a dump go on', async () => {
    let dumpReq: FakeRequest | undefined;
    const k = new FakeKernel((req) => {
      if (req.flags & NLM_F_DUMP) dumpReq = req;
      return undefined;
    });
    const conn = open(k);
    const seen: string[] = [];
    conn.on('error', (e: NetlinkSocketError) => seen.push(e.code));
    const r = conn.request(RTM_NEWLINK, ifinfo(1));
    const d = conn.dump(RTM_GETLINK, ifinfo(0)).list();
    await new Promise((res) => setImmediate(res));
    k.emit(
      'error',
      new NetlinkSocketError(
        'ENOBUFS',
        'recvmsg: No buffer space available (ENOBUFS)',
        105,
        'recvmsg',
      ),
    );
    await expect(r).rejects.toMatchObject({ code: 'ENOBUFS' });
    k.inject(datagram(reply(dumpReq!, RTM_NEWLINK, ifinfo(1)), done(dumpReq!)));
    await expect(d).resolves.toHaveLength(1);
    expect(seen).toEqual(['ENOBUFS']);
  });
});

describe('dumps', () => {
  it('streams a dump spanning several datagrams, in order', async () => {
    const k = new FakeKernel(dumpOf(10, 3));
    const conn = open(k);
    const indexes: number[] = [];
    for await (const m of conn.dump(RTM_GETLINK, ifinfo(0))) indexes.push(m.payload.readInt32LE(4));
    expect(indexes).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(k.requests[0]!.flags).toBe(NLM_F_REQUEST | NLM_F_DUMP);
  });

  it('does not send the dump until it is consumed', async () => {
    const k = new FakeKernel(dumpOf(1, 1));
    const conn = open(k);
    const d = conn.dump(RTM_GETLINK, ifinfo(0));
    await new Promise((r) => setImmediate(r));
    expect(k.requests).toHaveLength(0);
    await expect(d.list()).resolves.toHaveLength(1);
  });

  it('rejects with the error carried in NLMSG_DONE', async () => {
    const k = new FakeKernel((req) => [
      done(req, 22, 'Invalid values in header for FIB dump request'),
    ]);
    const conn = open(k);
    const err = await conn
      .dump(RTM_GETLINK, ifinfo(0))
      .list()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetlinkError);
    expect((err as NetlinkError).code).toBe('EINVAL');
    expect((err as NetlinkError).kernelMessage).toBe(
      'Invalid values in header for FIB dump request',
    );
  });

  it('rejects a dump refused at the start (NLMSG_ERROR)', async () => {
    const k = new FakeKernel((req) => [ack(req, 95, { message: 'not supported' })]);
    const conn = open(k);
    const it = conn.dump(RTM_GETLINK, ifinfo(0))[Symbol.asyncIterator]();
    await expect(it.next()).rejects.toMatchObject({
      code: 'EOPNOTSUPP',
      kernelMessage: 'not supported',
    });
  });

  it('runs one dump at a time, in order, as the kernel requires', async () => {
    let active = 0;
    const k = new FakeKernel((req, kernel) => {
      expect(active).toBe(0);
      active++;
      setTimeout(() => {
        active--;
        kernel.inject(datagram(reply(req, RTM_NEWLINK, ifinfo(req.seq)), done(req)));
      }, 2);
      return undefined;
    });
    const conn = open(k);
    const [a, b] = await Promise.all([
      conn.dump(RTM_GETLINK, ifinfo(0)).list(),
      conn.dump(RTM_GETLINK, ifinfo(0)).list(),
    ]);
    expect(a).toHaveLength(1);
    expect(b).toHaveLength(1);
    expect(k.requests).toHaveLength(2);
  });

  describe('NLM_F_DUMP_INTR', () => {
    /** The first `bad` dumps are flagged interrupted; later ones are clean. */
    const flaky = (bad: number) => {
      let n = 0;
      return (req: FakeRequest) =>
        dumpOf(3, 2, n++ < bad ? NLM_F_MULTI | NLM_F_DUMP_INTR : NLM_F_MULTI)(req);
    };

    it('list() retries until a clean dump', async () => {
      const k = new FakeKernel(flaky(2));
      const conn = open(k);
      await expect(conn.dump(RTM_GETLINK, ifinfo(0)).list()).resolves.toHaveLength(3);
      expect(k.requests).toHaveLength(3);
    });

    it('list() gives up after maxRetries', async () => {
      const k = new FakeKernel(flaky(10));
      const conn = open(k);
      await expect(
        conn.dump(RTM_GETLINK, ifinfo(0), { maxRetries: 2 }).list(),
      ).rejects.toMatchObject({ code: 'ERR_RTNL_DUMP_INTERRUPTED' });
      expect(k.requests).toHaveLength(3);
    });

    it("iteration yields every message, then throws; 'ignore' accepts and tells", async () => {
      const k = new FakeKernel(flaky(10));
      const conn = open(k);
      const got: number[] = [];
      await expect(
        (async () => {
          for await (const m of conn.dump(RTM_GETLINK, ifinfo(0)))
            got.push(m.payload.readInt32LE(4));
        })(),
      ).rejects.toMatchObject({ code: 'ERR_RTNL_DUMP_INTERRUPTED' });
      expect(got).toEqual([1, 2, 3]);
      const d = conn.dump(RTM_GETLINK, ifinfo(0), { onInterrupted: 'ignore' });
      await expect(d.list()).resolves.toHaveLength(3);
      expect(d.interrupted).toBe(true);
    });
  });

  it('pauses reading while the consumer lags, and resumes', async () => {
    const k = new FakeKernel(dumpOf(5000, 50));
    const conn = open(k, { dumpHighWaterMark: 200 });
    let n = 0;
    let maxInbox = 0;
    for await (const _m of conn.dump(RTM_GETLINK, ifinfo(0))) {
      n++;
      if (n % 100 === 0) await new Promise((r) => setImmediate(r));
      maxInbox = Math.max(maxInbox, k.inbox.length);
    }
    expect(n).toBe(5000);
    expect(k.pauseCount).toBeGreaterThan(0);
    // While paused, the rest of the dump stays with the "kernel".
    expect(maxInbox).toBeGreaterThan(0);
    expect(k.paused).toBe(false);
  });

  it('break drains the rest of the dump so the next one works', async () => {
    const k = new FakeKernel(dumpOf(100, 10));
    const conn = open(k, { dumpHighWaterMark: 5 });
    for await (const m of conn.dump(RTM_GETLINK, ifinfo(0))) {
      if (m.payload.readInt32LE(4) === 3) break;
    }
    await expect(conn.dump(RTM_GETLINK, ifinfo(0)).list()).resolves.toHaveLength(100);
    expect(conn.pendingCount).toBe(0);
  });

  it('a dump aborted midway releases the dump slot once the kernel finishes it', async () => {
    const k = new FakeKernel(dumpOf(100, 10));
    const conn = open(k, { dumpHighWaterMark: 5 });
    const ac = new AbortController();
    const got: number[] = [];
    await expect(
      (async () => {
        for await (const m of conn.dump(RTM_GETLINK, ifinfo(0), { signal: ac.signal })) {
          got.push(m.payload.readInt32LE(4));
          if (got.length === 2) ac.abort();
        }
      })(),
    ).rejects.toMatchObject({ name: 'AbortError' });
    await expect(conn.dump(RTM_GETLINK, ifinfo(0)).list()).resolves.toHaveLength(100);
  });
});

describe('captured kernel replies through the engine', () => {
  /** Replay a captured reply, with each message's seq and pid set to the new request's. */
  const replay = (name: string) => (req: FakeRequest) =>
    loadFixture(name).messages.map((d) => {
      const copy = Buffer.from(d);
      for (let off = 0; off + 16 <= copy.length; off += (copy.readUInt32LE(off) + 3) & ~3) {
        copy.writeUInt32LE(req.seq, off + 8);
        copy.writeUInt32LE(req.pid, off + 12);
      }
      return copy;
    });

  it('a multipart route dump (300 routes in 5 datagrams, then DONE) arrives whole and in order', async () => {
    const fx = loadFixture('route/dump-multipart.reply');
    const k = new FakeKernel(replay('route/dump-multipart.reply'));
    const conn = open(k, { dumpHighWaterMark: 50 });
    const dsts: string[] = [];
    for await (const m of conn.dump(RTM_GETLINK, ifinfo(0))) {
      dsts.push(routeMessage.decode(m.payload).attributes.dst!);
    }
    // The oracle: `ip -j route show table 2000` of the same namespace.
    const oracle = (
      fx.meta.expect as unknown as { routes: { ip_json_count: number; ip_json_dsts: string[] } }
    ).routes;
    expect(fx.messages.length).toBe(6);
    expect(dsts).toHaveLength(oracle.ip_json_count);
    expect(dsts.map((d) => `${d}/24`).sort()).toEqual([...oracle.ip_json_dsts].sort());
  });

  it('an error in NLMSG_DONE, as captured, rejects the dump with the kernel text', async () => {
    const k = new FakeKernel(replay('errors/route-dump-strict-done.reply'));
    const conn = open(k);
    await expect(conn.dump(RTM_GETLINK, ifinfo(0)).list()).rejects.toMatchObject({
      code: 'EINVAL',
      kernelMessage: 'Invalid values in header for FIB dump request',
    });
  });
});

describe('lost data fails loudly', () => {
  it('a truncated datagram (EMSGSIZE) fails a running dump, which is then read to its end', async () => {
    let dumps = 0;
    const k = new FakeKernel((req) => (dumps++ === 0 ? undefined : dumpOf(3, 3)(req)));
    const conn = open(k);
    const first = conn.dump(RTM_GETLINK, ifinfo(0)).list();
    await new Promise((r) => setImmediate(r));
    const req = k.requests[0]!;
    k.emit('error', new NetlinkSocketError('EMSGSIZE', 'datagram truncated', 90, 'recvmsg'));
    await expect(first).rejects.toMatchObject({ code: 'EMSGSIZE' });
    // The kernel finishes the dump it started; the engine swallows the rest, then runs the next.
    const second = conn.dump(RTM_GETLINK, ifinfo(0)).list();
    k.inject(datagram(reply(req, RTM_NEWLINK, ifinfo(1)), done(req)));
    await expect(second).resolves.toHaveLength(3);
  });

  it('a payload callback may itself frame a request', async () => {
    const k = new FakeKernel();
    const conn = open(k);
    let inner: Promise<unknown> | undefined;
    await conn.request(RTM_NEWLINK, (w) => {
      inner = conn.request(RTM_NEWLINK, (w2) => linkMessage.encode(w2, { header: { index: 9 } }));
      linkMessage.encode(w, { header: { index: 8 } });
    });
    await inner;
    expect(k.requests.map((r) => r.payload.readInt32LE(4)).sort()).toEqual([8, 9]);
  });
});

describe('call-site stacks', () => {
  async function refusedFrom(conn: Connection) {
    return (await conn.request(RTM_NEWLINK, ifinfo(1)).catch((e: unknown) => e)) as NetlinkError;
  }
  it('with callSiteStacks a kernel refusal carries the stack of the request() call', async () => {
    const k = new FakeKernel((req) => [ack(req, 17)]);
    const err = await refusedFrom(open(k, { callSiteStacks: true }));
    expect(err.code).toBe('EEXIST');
    expect(err.stack).toMatch(/^NetlinkError: File exists \(EEXIST\)\n/);
    expect(err.stack).toContain('refusedFrom');
    expect(err.stack).not.toContain('#onMessage');
  });
  it('without it the stack is the engine receive path (no per-request cost)', async () => {
    const k = new FakeKernel((req) => [ack(req, 17)]);
    const err = await refusedFrom(open(k));
    expect(err.stack).not.toContain('refusedFrom');
  });
});

describe('random datagrams', () => {
  it('never throw out of the engine: requests settle with a typed error or stay answerable', async () => {
    const { default: fc } = await import('fast-check');
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.uint8Array({ maxLength: 200 }), { maxLength: 6 }),
        async (junk) => {
          const held: FakeRequest[] = [];
          const k = new FakeKernel((req) => {
            held.push(req);
            return undefined;
          });
          const conn = open(k, { timeout: 0 });
          const settled = conn.request(RTM_NEWLINK, ifinfo(1)).then(
            () => 'ok',
            (e: unknown) => e,
          );
          await new Promise((r) => setImmediate(r));
          // Junk, some of it with the request's own seq and pid stamped in.
          for (const j of junk) {
            const d = Buffer.from(j);
            if (d.length >= 16 && d[0]! & 1) {
              d.writeUInt32LE(held[0]!.seq, 8);
              d.writeUInt32LE(held[0]!.pid, 12);
            }
            k.inject(d);
          }
          k.inject(ack(held[0]!));
          const r = await settled;
          // Either the ack got through, or something before it failed the request with a typed error.
          if (r !== 'ok')
            expect(r instanceof NetlinkDecodeError || r instanceof NetlinkError).toBe(true);
          conn.close();
        },
      ),
      { numRuns: 300 },
    );
  });
});
