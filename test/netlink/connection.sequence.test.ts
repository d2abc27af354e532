// requestMany(…, { stopOnError: true }) over a socket that is not a NetlinkSocket (the fake
// kernel): requests leave one at a time, each after the ack of the one before; the first
// refusal ends the bulk and nothing after it is sent. (The shim's ordered sender, used on a
// real socket, is tested against the kernel in test/rtnetlink/client/routes.sequence.kernel.)
import { describe, expect, it } from 'vitest';
import { Connection } from '../../src/netlink/connection.js';
import { NetlinkError, NetlinkSocketError } from '../../src/netlink/errors.js';
import { cat, u32le } from '../helpers/bytes.js';
import { ack, FakeKernel } from '../helpers/fake-kernel.js';

const RTM_NEWLINK = 16;
const NLM_F_REQUEST = 0x1;
const NLM_F_ACK = 0x4;
const EEXIST = 17;

const ifinfo = (index: number) => cat(u32le(0), u32le(index), u32le(0), u32le(0));
const links = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ type: RTM_NEWLINK, payload: ifinfo(i + 1) }));
/** The ifindex a fake request carries (request i has i + 1). */
const indexOf = (payload: Buffer) => payload.readUInt32LE(4);

describe('requestMany with stopOnError (fake kernel)', () => {
  it('sends one request per datagram, each only after the ack of the one before', async () => {
    const k = new FakeKernel();
    const conn = Connection.fromSocket(k);
    const sentBeforeAck: number[] = [];
    k.handler = (req) => {
      // When request n arrives, exactly n - 1 requests were sent before it.
      sentBeforeAck.push(k.requests.length - 1);
      return [ack(req)];
    };
    const result = await conn.requestMany(links(6), { stopOnError: true });
    expect(result).toEqual({ count: 6, ok: 6, failed: 0, errors: new Array(6).fill(undefined) });
    expect(k.datagrams).toHaveLength(6);
    expect(sentBeforeAck).toEqual([0, 1, 2, 3, 4, 5]);
    for (const r of k.requests) expect(r.flags).toBe(NLM_F_REQUEST | NLM_F_ACK);
    expect(k.requests.map((r) => indexOf(r.payload))).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('the first refusal ends it: later requests are never sent and fail ERR_RTNL_NOT_SENT', async () => {
    const k = new FakeKernel((req) => [ack(req, indexOf(req.payload) === 3 ? EEXIST : 0)]);
    const conn = Connection.fromSocket(k);
    const result = await conn.requestMany(links(8), { stopOnError: true });
    expect(k.requests.map((r) => indexOf(r.payload))).toEqual([1, 2, 3]);
    expect(result).toMatchObject({ count: 8, ok: 2, failed: 6 });
    expect(result.errors.slice(0, 2)).toEqual([undefined, undefined]);
    expect(result.errors[2]).toBeInstanceOf(NetlinkError);
    expect((result.errors[2] as NetlinkError).errno).toBe(EEXIST);
    for (const e of result.errors.slice(3)) {
      expect(e).toBeInstanceOf(NetlinkSocketError);
      expect((e as NetlinkSocketError).code).toBe('ERR_RTNL_NOT_SENT');
    }
  });

  it('without stopOnError the same refusal leaves the rest going (the pipelined bulk)', async () => {
    const k = new FakeKernel((req) => [ack(req, indexOf(req.payload) === 3 ? EEXIST : 0)]);
    const conn = Connection.fromSocket(k);
    const result = await conn.requestMany(links(8));
    expect(k.requests).toHaveLength(8);
    expect(result).toMatchObject({ ok: 7, failed: 1 });
  });

  it('a request made while it runs leaves after it; one made before leaves before it', async () => {
    const k = new FakeKernel();
    const conn = Connection.fromSocket(k);
    const before = conn.request(RTM_NEWLINK, ifinfo(100));
    const bulk = conn.requestMany(links(4), { stopOnError: true });
    const after = conn.request(RTM_NEWLINK, ifinfo(200));
    await Promise.all([before, bulk, after]);
    expect(k.requests.map((r) => indexOf(r.payload))).toEqual([100, 1, 2, 3, 4, 200]);
  });

  it('two stopOnError bulks in a row keep their order; a refusal in the first spares the second', async () => {
    const k = new FakeKernel((req) => [ack(req, indexOf(req.payload) === 2 ? EEXIST : 0)]);
    const conn = Connection.fromSocket(k);
    const a = conn.requestMany(links(3), { stopOnError: true });
    const b = conn.requestMany(
      [5, 6].map((i) => ({ type: RTM_NEWLINK, payload: ifinfo(i) })),
      { stopOnError: true },
    );
    const [ra, rb] = await Promise.all([a, b]);
    expect(k.requests.map((r) => indexOf(r.payload))).toEqual([1, 2, 5, 6]);
    expect(ra).toMatchObject({ ok: 1, failed: 2 });
    expect(rb).toMatchObject({ ok: 2, failed: 0 });
  });

  it('close() while it waits: what is not answered fails ERR_RTNL_CLOSED', async () => {
    const k = new FakeKernel(() => undefined); // never answers
    const conn = Connection.fromSocket(k);
    const p = conn.requestMany(links(3), { stopOnError: true });
    await new Promise((r) => setImmediate(r));
    expect(k.requests).toHaveLength(1);
    conn.close();
    const result = await p;
    expect(result.failed).toBe(3);
    for (const e of result.errors) expect((e as NetlinkSocketError).code).toBe('ERR_RTNL_CLOSED');
  });
});
