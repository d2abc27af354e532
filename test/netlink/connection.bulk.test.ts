// Connection.requestMany against a fake kernel: how the requests are framed and paced (checked
// field by field on the bytes the fake received), how acks are matched by sequence range, and
// how every failure lands on its own index. Replies are built with the independent builder.
import { describe, expect, it } from 'vitest';
import { Connection } from '../../src/netlink/connection.js';
import { NetlinkError, NetlinkSocketError } from '../../src/netlink/errors.js';
import { routeMessage } from '../../src/rtnetlink/route.js';
import { cat, nla, u32le } from '../helpers/bytes.js';
import { ack, datagram, done, FakeKernel, type Handler, reply } from '../helpers/fake-kernel.js';
import { BorrowingKernel } from './borrowing-kernel.js';

const RTM_NEWLINK = 16;
const RTM_NEWROUTE = 24;
const RTM_GETLINK = 18;
const NLM_F_REQUEST = 0x1;
const NLM_F_ACK = 0x4;
const NLM_F_EXCL = 0x200;
const NLM_F_CREATE = 0x400;
const NLM_F_DUMP = 0x300;
const EEXIST = 17;
const ENOBUFS = 105;

/** struct ifinfomsg for ifindex `index`, everything else zero. */
const ifinfo = (index: number) => cat(u32le(0), u32le(index), u32le(0), u32le(0));

/** `n` RTM_NEWLINK requests, request i carrying ifindex i + 1. */
function links(n: number) {
  return Array.from({ length: n }, (_, i) => ({ type: RTM_NEWLINK, payload: ifinfo(i + 1) }));
}

/** Both fakes: one emitting owned datagrams, one lending its receive buffer (as the socket). */
const kernels = [
  ['owned datagrams', (h?: Handler) => new FakeKernel(h)],
  ['borrowed receive buffer', (h?: Handler) => new BorrowingKernel(h)],
] as const;

describe.each(kernels)('requestMany (%s)', (_name, makeKernel) => {
  it('frames every request with REQUEST|ACK, its flags, and consecutive sequence numbers', async () => {
    const k = makeKernel();
    const conn = Connection.fromSocket(k);
    const result = await conn.requestMany(
      Array.from({ length: 5 }, (_, i) => ({
        type: RTM_NEWLINK,
        flags: NLM_F_CREATE | NLM_F_EXCL,
        payload: ifinfo(i + 1),
      })),
    );
    expect(result).toEqual({ count: 5, ok: 5, failed: 0, errors: new Array(5).fill(undefined) });
    expect(k.requests).toHaveLength(5);
    const seq0 = k.requests[0]!.seq;
    k.requests.forEach((r, i) => {
      expect(r.len).toBe(32);
      expect(r.type).toBe(RTM_NEWLINK);
      expect(r.flags).toBe(NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
      expect(r.seq).toBe(seq0 + i);
      expect(r.pid).toBe(0);
      expect(r.payload).toEqual(ifinfo(i + 1));
    });
    // One datagram: five 32-byte messages back to back.
    expect(k.datagrams).toHaveLength(1);
    expect(k.datagrams[0]!.length).toBe(5 * 32);
    expect(conn.pendingCount).toBe(0);
  });

  it('writes payloads given as functions, padded to 4 bytes', async () => {
    const k = makeKernel();
    const conn = Connection.fromSocket(k);
    await conn.requestMany([
      { type: RTM_NEWLINK, payload: (w) => w.rawBytes(Buffer.of(1, 2, 3)) },
      { type: RTM_NEWLINK, payload: (w) => w.rawBytes(Buffer.of(4)) },
    ]);
    expect(k.datagrams[0]).toEqual(
      cat(
        u32le(19),
        Buffer.of(RTM_NEWLINK, 0, NLM_F_REQUEST | NLM_F_ACK, 0),
        u32le(k.requests[0]!.seq),
        u32le(0),
        Buffer.of(1, 2, 3, 0),
        u32le(17),
        Buffer.of(RTM_NEWLINK, 0, NLM_F_REQUEST | NLM_F_ACK, 0),
        u32le(k.requests[0]!.seq + 1),
        u32le(0),
        Buffer.of(4, 0, 0, 0),
      ),
    );
  });

  it('keeps at most `window` requests unanswered, and sends each refill in one datagram', async () => {
    let outstanding = 0;
    let most = 0;
    const k = makeKernel((req) => {
      outstanding++;
      most = Math.max(most, outstanding);
      return [ack(req)];
    });
    k.on('message', () => outstanding--);
    const conn = Connection.fromSocket(k, { window: 8 });
    const result = await conn.requestMany(links(100));
    expect(result.ok).toBe(100);
    expect(most).toBeLessThanOrEqual(8);
    for (const d of k.datagrams) expect(d.length / 32).toBeLessThanOrEqual(8);
    expect(k.datagrams[0]!.length / 32).toBe(8);
    expect(k.requests.map((r) => r.payload.readUInt32LE(4))).toEqual(
      Array.from({ length: 100 }, (_, i) => i + 1),
    );
  });

  it('splits datagrams at 64 KiB', async () => {
    const k = makeKernel();
    const conn = Connection.fromSocket(k, { window: 1000 });
    // 1000 requests of 1 KiB: 63 fit in 64 KiB.
    const big = Buffer.alloc(1024 - 16);
    const result = await conn.requestMany(
      Array.from({ length: 1000 }, () => ({ type: RTM_NEWLINK, payload: big })),
    );
    expect(result.ok).toBe(1000);
    for (const d of k.datagrams) expect(d.length).toBeLessThanOrEqual(64 * 1024);
    expect(k.datagrams[0]!.length).toBe(64 * 1024);
    expect(k.requests).toHaveLength(1000);
  });

  it('puts each kernel refusal on its index, with the ext-ack text and attribute path', async () => {
    const RTA_OIF = 4;
    const k = makeKernel((req) => {
      const i = req.payload.readUInt32LE(4);
      if (i === 3) return [ack(req, EEXIST, { message: 'File exists' })];
      // The offset of RTA_OIF in the request: 16 (nlmsghdr) + 12 (rtmsg).
      if (i === 5) return [ack(req, 22, { message: 'Invalid oif', offset: 28 })];
      return [ack(req)];
    });
    const conn = Connection.fromSocket(k);
    const result = await conn.requestMany(
      Array.from({ length: 6 }, (_, i) => ({
        type: RTM_NEWROUTE,
        // rtmsg whose bytes 4..7 carry the index (the handler reads it), then RTA_OIF.
        payload: cat(Buffer.alloc(4), u32le(i + 1), Buffer.alloc(4), nla(RTA_OIF, u32le(9))),
      })),
      { schema: routeMessage },
    );
    expect(result.count).toBe(6);
    expect(result.ok).toBe(4);
    expect(result.failed).toBe(2);
    expect(result.errors.map((e) => e === undefined)).toEqual([
      true,
      true,
      false,
      true,
      false,
      true,
    ]);
    const exists = result.errors[2] as NetlinkError;
    expect(exists).toBeInstanceOf(NetlinkError);
    expect(exists.code).toBe('EEXIST');
    expect(exists.kernelMessage).toBe('File exists');
    expect(exists.seq).toBe(k.requests[2]!.seq);
    expect(exists.requestType).toBe(RTM_NEWROUTE);
    const invalid = result.errors[4] as NetlinkError;
    expect(invalid.code).toBe('EINVAL');
    expect(invalid.kernelMessage).toBe('Invalid oif');
    expect(invalid.attributePath).toBe('route.oif');
  });

  it('reports warnings on successful acks by index', async () => {
    const k = makeKernel((req) =>
      req.payload.readUInt32LE(4) === 2 ? [ack(req, 0, { message: 'careful' })] : [ack(req)],
    );
    const conn = Connection.fromSocket(k);
    const warnings: [number, string][] = [];
    const events: unknown[] = [];
    conn.on('warning', (w) => events.push(w));
    const result = await conn.requestMany(links(3), {
      onWarning: (i, message) => warnings.push([i, message]),
    });
    expect(result.ok).toBe(3);
    expect(warnings).toEqual([[1, 'careful']]);
    expect(events).toEqual([{ message: 'careful', seq: k.requests[1]!.seq, type: RTM_NEWLINK }]);
  });

  it('takes any iterable, reading one request at a time', async () => {
    const k = makeKernel();
    const conn = Connection.fromSocket(k);
    let made = 0;
    function* requests() {
      for (let i = 0; i < 300; i++) {
        made++;
        yield { type: RTM_NEWLINK, payload: ifinfo(i + 1) };
      }
    }
    const result = await conn.requestMany(requests());
    expect(made).toBe(300);
    expect(result.ok).toBe(300);
    expect(k.requests.map((r) => r.payload.readUInt32LE(4))).toEqual(
      Array.from({ length: 300 }, (_, i) => i + 1),
    );
  });

  it('resolves at once for no requests, sending nothing', async () => {
    const k = makeKernel();
    const conn = Connection.fromSocket(k);
    expect(await conn.requestMany([])).toEqual({ count: 0, ok: 0, failed: 0, errors: [] });
    expect(k.datagrams).toHaveLength(0);
  });

  it('rejects before sending anything when a payload throws', async () => {
    const k = makeKernel();
    const conn = Connection.fromSocket(k);
    const boom = new Error('bad payload');
    const err = await conn
      .requestMany([
        { type: RTM_NEWLINK, payload: ifinfo(1) },
        {
          type: RTM_NEWLINK,
          payload: () => {
            throw boom;
          },
        },
      ])
      .catch((e) => e);
    expect(err).toBe(boom);
    await new Promise((r) => setImmediate(r));
    expect(k.datagrams).toHaveLength(0);
    // The engine is still usable.
    expect((await conn.requestMany(links(2))).ok).toBe(2);
  });

  it('rejects on a closed connection or an aborted signal, sending nothing', async () => {
    const k = makeKernel();
    const conn = Connection.fromSocket(k);
    const aborted = AbortSignal.abort(new Error('stop'));
    await expect(conn.requestMany(links(2), { signal: aborted })).rejects.toThrow('stop');
    conn.close();
    const err = await conn.requestMany(links(2)).catch((e) => e);
    expect(err).toBeInstanceOf(NetlinkSocketError);
    expect(err.code).toBe('ERR_RTNL_CLOSED');
    expect(k.datagrams).toHaveLength(0);
  });

  it('keeps its place in line: earlier requests leave before it, later ones after', async () => {
    const k = makeKernel();
    const conn = Connection.fromSocket(k, { window: 4 });
    const before = conn.request(RTM_GETLINK, ifinfo(100));
    const bulk = conn.requestMany(links(10));
    const after = conn.request(RTM_GETLINK, ifinfo(200));
    await Promise.all([before, bulk, after]);
    const order = k.requests.map((r) => r.payload.readUInt32LE(4));
    expect(order).toEqual([100, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 200]);
    // Sequence numbers stay unique.
    expect(new Set(k.requests.map((r) => r.seq)).size).toBe(12);
  });

  it('runs beside a dump without mixing their messages', async () => {
    const k = makeKernel((req) => {
      if (req.flags & 0x100) {
        return [
          datagram(reply(req, RTM_NEWLINK, ifinfo(1)), reply(req, RTM_NEWLINK, ifinfo(2))),
          done(req),
        ];
      }
      return [ack(req)];
    });
    const conn = Connection.fromSocket(k);
    const [dumped, bulk] = await Promise.all([
      conn.dump(RTM_GETLINK, ifinfo(0)).list(),
      conn.requestMany(links(50)),
    ]);
    expect(dumped.map((m) => m.payload.readUInt32LE(4))).toEqual([1, 2]);
    expect(bulk.ok).toBe(50);
    expect(k.requests[0]!.flags).toBe(NLM_F_REQUEST | NLM_F_DUMP);
  });

  it('drops replies other than acks, and hands unknown sequence numbers to unsolicited', async () => {
    const k = makeKernel((req) => [datagram(reply(req, RTM_NEWLINK, ifinfo(99), 0), ack(req))]);
    const conn = Connection.fromSocket(k);
    const unsolicited: number[] = [];
    conn.on('unsolicited', (m) => unsolicited.push(m.seq));
    const result = await conn.requestMany(links(3));
    expect(result.ok).toBe(3);
    k.inject(ack({ ...k.requests[0]!, seq: 77 }));
    await new Promise((r) => setImmediate(r));
    expect(unsolicited).toEqual([77]);
  });

  it('an abort midway fails what is unanswered with the reason, and resolves', async () => {
    const controller = new AbortController();
    const reason = new Error('enough');
    // The fake answers the first window only, then goes quiet.
    const k = makeKernel((req) => (req.payload.readUInt32LE(4) <= 4 ? [ack(req)] : undefined));
    const conn = Connection.fromSocket(k, { window: 4 });
    const bulk = conn.requestMany(links(10), { signal: controller.signal });
    await new Promise((r) => setTimeout(r, 20));
    controller.abort(reason);
    const result = await bulk;
    expect(result.ok).toBe(4);
    expect(result.failed).toBe(6);
    expect(result.errors.slice(4).every((e) => e === reason)).toBe(true);
    // Requests 9 and 10 never left.
    expect(k.requests).toHaveLength(8);
    expect(conn.pendingCount).toBe(0);
    // The window is free again.
    k.handler = (req) => [ack(req)];
    expect((await conn.requestMany(links(6))).ok).toBe(6);
  });

  it('times out when no ack comes for `timeout` ms, failing the rest with ETIMEDOUT', async () => {
    const k = makeKernel((req) => (req.payload.readUInt32LE(4) <= 2 ? [ack(req)] : undefined));
    const conn = Connection.fromSocket(k, { window: 2 });
    const result = await conn.requestMany(links(5), { timeout: 30 });
    expect(result.ok).toBe(2);
    expect(result.errors.slice(2).map((e) => (e as NetlinkSocketError).code)).toEqual([
      'ETIMEDOUT',
      'ETIMEDOUT',
      'ETIMEDOUT',
    ]);
  });

  it('progress keeps a slow bulk alive past its timeout', async () => {
    // Each ack comes 10 ms after its request: 8 requests one at a time take ≈80 ms, well past
    // the 40 ms allowed without progress, yet all succeed.
    const k = makeKernel((req, kernel) => {
      setTimeout(() => kernel.inject(ack(req)), 10);
      return undefined;
    });
    const conn = Connection.fromSocket(k, { window: 1 });
    const result = await conn.requestMany(links(8), { timeout: 40 });
    expect(result.ok).toBe(8);
  });

  it('close() fails whatever is unanswered with ERR_RTNL_CLOSED', async () => {
    const k = makeKernel(() => undefined);
    const conn = Connection.fromSocket(k, { window: 2 });
    const bulk = conn.requestMany(links(5));
    await new Promise((r) => setImmediate(r));
    conn.close();
    const result = await bulk;
    expect(result.failed).toBe(5);
    for (const e of result.errors) expect((e as NetlinkSocketError).code).toBe('ERR_RTNL_CLOSED');
  });

  it('ENOBUFS fails what was in flight (its acks may be lost); the rest still goes', async () => {
    let first = true;
    const k = makeKernel((req) => {
      if (first && req.payload.readUInt32LE(4) === 2) {
        first = false;
        return undefined; // this ack is "lost"
      }
      return [ack(req)];
    });
    const conn = Connection.fromSocket(k, { window: 2 });
    const bulk = conn.requestMany(links(6));
    await new Promise((r) => setTimeout(r, 10));
    k.emit('error', new NetlinkSocketError('ENOBUFS', 'overrun', ENOBUFS, 'recvmsg'));
    const result = await bulk;
    expect(result.errors.map((e) => (e as NetlinkSocketError | undefined)?.code)).toEqual([
      undefined,
      'ENOBUFS',
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });

  it('a send error fails the requests of that datagram only', async () => {
    const k = makeKernel();
    const send = k.send.bind(k);
    let sends = 0;
    k.send = (data: Uint8Array) => {
      if (++sends === 2) throw new NetlinkSocketError('EPERM', 'no', 1, 'sendto');
      send(data);
    };
    const conn = Connection.fromSocket(k, { window: 2 });
    const result = await conn.requestMany(links(6));
    expect(result.errors.map((e) => (e as NetlinkSocketError | undefined)?.code)).toEqual([
      undefined,
      undefined,
      'EPERM',
      'EPERM',
      undefined,
      undefined,
    ]);
  });

  it('a malformed datagram fails what was in flight with a NetlinkDecodeError', async () => {
    const k = makeKernel((req) =>
      req.payload.readUInt32LE(4) === 3 ? [Buffer.from('0100000000000000', 'hex')] : [ack(req)],
    );
    const conn = Connection.fromSocket(k, { window: 1 });
    const decodeErrors: Error[] = [];
    conn.on('decodeError', (e) => decodeErrors.push(e));
    const result = await conn.requestMany(links(4));
    expect(result.errors.map((e) => e?.name)).toEqual([
      undefined,
      undefined,
      'NetlinkDecodeError',
      undefined,
    ]);
    expect(decodeErrors).toHaveLength(1);
  });

  it('holds a reference on the socket only while the bulk runs', async () => {
    // Acks come a moment later, so the bulk is still running when looked at.
    const k = makeKernel((req, kernel) => {
      setTimeout(() => kernel.inject(ack(req)), 5);
      return undefined;
    });
    const conn = Connection.fromSocket(k);
    expect(k.referenced).toBe(false);
    const bulk = conn.requestMany(links(3));
    await new Promise((r) => setImmediate(r));
    expect(k.referenced).toBe(true);
    await bulk;
    expect(k.referenced).toBe(false);
  });

  it('with callSiteStacks a refusal carries the stack of the requestMany() call', async () => {
    const k = makeKernel((req) => [ack(req, EEXIST)]);
    const conn = Connection.fromSocket(k, { callSiteStacks: true });
    async function addThemAll() {
      return conn.requestMany(links(1));
    }
    const result = await addThemAll();
    expect(result.errors[0]!.stack).toContain('addThemAll');
  });
});
