// Connection.sequence() over a socket that is not a NetlinkSocket (the fake kernel): pushes are
// framed and kept, and end() sends them one per datagram, each after the ack of the one before,
// stopping at the first refusal. (On a real socket the shim's worker sends them as they are
// pushed: see test/rtnetlink/client/routes.stream.kernel.test.ts.)
import { describe, expect, it } from 'vitest';
import { Connection } from '../../src/netlink/connection.js';
import { NetlinkError, NetlinkSocketError } from '../../src/netlink/errors.js';
import { cat, u32le } from '../helpers/bytes.js';
import { ack, FakeKernel } from '../helpers/fake-kernel.js';

const RTM_NEWLINK = 16;
const NLM_F_REQUEST = 0x1;
const NLM_F_ACK = 0x4;
const NLM_F_CREATE = 0x400;
const NLMSG_HDRLEN = 16;
const EEXIST = 17;

const ifinfo = (index: number) => cat(u32le(0), u32le(index), u32le(0), u32le(0));
const link = (index: number) => ({ type: RTM_NEWLINK, payload: ifinfo(index) });
/** The ifindex a fake request carries. */
const indexOf = (payload: Buffer) => payload.readUInt32LE(4);
const ticks = async (n: number) => {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
};

describe('Connection.sequence over a fake kernel', () => {
  it('sends nothing before end(), then one request per datagram, each after the ack of the one before', async () => {
    const k = new FakeKernel();
    const sentBefore: number[] = [];
    k.handler = (req) => {
      // When request n arrives, exactly n - 1 requests were sent before it.
      sentBefore.push(k.requests.length - 1);
      return [ack(req)];
    };
    const conn = Connection.fromSocket(k);
    const seq = conn.sequence();
    const indexes = [1, 2, 3, 4, 5].map((i) => seq.push(link(i)));
    expect(indexes).toEqual([0, 1, 2, 3, 4]);
    await ticks(5);
    expect(k.datagrams).toHaveLength(0);
    const result = await seq.end();
    expect(result).toEqual({ count: 5, ok: 5, failed: 0, errors: new Array(5).fill(undefined) });
    expect(k.datagrams).toHaveLength(5);
    expect(sentBefore).toEqual([0, 1, 2, 3, 4]);
    for (const d of k.datagrams) expect(d.readUInt32LE(0)).toBe(d.length);
    for (const r of k.requests) expect(r.flags).toBe(NLM_F_REQUEST | NLM_F_ACK);
    expect(k.requests.map((r) => indexOf(r.payload))).toEqual([1, 2, 3, 4, 5]);
    expect(k.requests.map((r) => r.len)).toEqual(new Array(5).fill(NLMSG_HDRLEN + 16));
    conn.close();
  });

  it('keeps a request’s own flags beside NLM_F_REQUEST|NLM_F_ACK', async () => {
    const k = new FakeKernel();
    const conn = Connection.fromSocket(k);
    const seq = conn.sequence();
    seq.push({ ...link(1), flags: NLM_F_CREATE });
    seq.push(link(2));
    await seq.end();
    expect(k.requests.map((r) => r.flags)).toEqual([
      NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE,
      NLM_F_REQUEST | NLM_F_ACK,
    ]);
    conn.close();
  });

  it('the first refusal ends it: later requests are never sent and fail ERR_RTNL_NOT_SENT', async () => {
    const k = new FakeKernel((req) => [
      ack(req, indexOf(req.payload) === 3 ? EEXIST : 0, { message: 'it is there' }),
    ]);
    const conn = Connection.fromSocket(k);
    const seq = conn.sequence();
    for (let i = 1; i <= 8; i++) seq.push(link(i));
    const result = await seq.end();
    expect(k.requests.map((r) => indexOf(r.payload))).toEqual([1, 2, 3]);
    expect(result).toMatchObject({ count: 8, ok: 2, failed: 6 });
    expect(result.errors.slice(0, 2)).toEqual([undefined, undefined]);
    const err = result.errors[2] as NetlinkError;
    expect(err).toBeInstanceOf(NetlinkError);
    expect(err.errno).toBe(EEXIST);
    expect(err.kernelMessage).toBe('it is there');
    for (const e of result.errors.slice(3)) {
      expect(e).toBeInstanceOf(NetlinkSocketError);
      expect((e as NetlinkSocketError).code).toBe('ERR_RTNL_NOT_SENT');
    }
    conn.close();
  });

  it('a payload that throws makes push throw and queues nothing; the next push gets the next index', async () => {
    const k = new FakeKernel();
    const conn = Connection.fromSocket(k);
    const seq = conn.sequence();
    expect(seq.push(link(1))).toBe(0);
    const boom = new Error('no payload today');
    expect(() =>
      seq.push({
        type: RTM_NEWLINK,
        payload: (w) => {
          // Half a payload written before it throws: none of it may be sent.
          w.rawBytes(ifinfo(99).subarray(0, 8));
          throw boom;
        },
      }),
    ).toThrow(boom);
    expect(seq.count).toBe(1);
    expect(seq.push(link(2))).toBe(1);
    expect(seq.count).toBe(2);
    const result = await seq.end();
    expect(result).toEqual({ count: 2, ok: 2, failed: 0, errors: [undefined, undefined] });
    expect(k.requests.map((r) => indexOf(r.payload))).toEqual([1, 2]);
    expect(k.requests.map((r) => r.len)).toEqual([NLMSG_HDRLEN + 16, NLMSG_HDRLEN + 16]);
    conn.close();
  });

  it('an AbortSignal aborted before end(): every push fails with the reason, nothing is sent', async () => {
    const k = new FakeKernel();
    const conn = Connection.fromSocket(k);
    const ac = new AbortController();
    const seq = conn.sequence({ signal: ac.signal });
    seq.push(link(1));
    seq.push(link(2));
    const reason = new Error('changed my mind');
    ac.abort(reason);
    expect(seq.stopped).toBe(true);
    seq.push(link(3));
    const result = await seq.end();
    expect(result).toEqual({ count: 3, ok: 0, failed: 3, errors: [reason, reason, reason] });
    await ticks(3);
    expect(k.datagrams).toHaveLength(0);
    // The connection still works.
    await conn.request(RTM_NEWLINK, ifinfo(7));
    expect(k.requests.map((r) => indexOf(r.payload))).toEqual([7]);
    conn.close();
  });

  it('a signal already aborted when the sequence is made: the same', async () => {
    const k = new FakeKernel();
    const conn = Connection.fromSocket(k);
    const reason = new Error('too late');
    const seq = conn.sequence({ signal: AbortSignal.abort(reason) });
    expect(seq.stopped).toBe(true);
    seq.push(link(1));
    const result = await seq.end();
    expect(result).toEqual({ count: 1, ok: 0, failed: 1, errors: [reason] });
    expect(k.datagrams).toHaveLength(0);
    conn.close();
  });

  it('zero pushes: end() resolves empty and sends nothing; end() twice is the same promise', async () => {
    const k = new FakeKernel();
    const conn = Connection.fromSocket(k);
    const seq = conn.sequence();
    expect(seq.count).toBe(0);
    expect(seq.stopped).toBe(false);
    const p = seq.end();
    expect(seq.end()).toBe(p);
    expect(await p).toEqual({ count: 0, ok: 0, failed: 0, errors: [] });
    expect(k.datagrams).toHaveLength(0);
    expect(() => seq.push(link(1))).toThrow();
    expect(seq.count).toBe(0);
    conn.close();
  });

  it('count follows the pushes; push after end() throws and changes nothing', async () => {
    const k = new FakeKernel();
    const conn = Connection.fromSocket(k);
    const seq = conn.sequence();
    for (let i = 1; i <= 600; i++) {
      expect(seq.push(link(i))).toBe(i - 1);
      expect(seq.count).toBe(i);
    }
    const p = seq.end();
    expect(() => seq.push(link(601))).toThrow();
    expect(seq.count).toBe(600);
    const result = await p;
    expect(result).toMatchObject({ count: 600, ok: 600, failed: 0 });
    expect(k.requests.map((r) => indexOf(r.payload))).toEqual(
      Array.from({ length: 600 }, (_, i) => i + 1),
    );
    conn.close();
  });

  it('waits its turn behind a request made before it; one made after end() leaves after it', async () => {
    const k = new FakeKernel();
    const conn = Connection.fromSocket(k);
    const before = conn.request(RTM_NEWLINK, ifinfo(100));
    const seq = conn.sequence();
    seq.push(link(1));
    seq.push(link(2));
    const ended = seq.end();
    const after = conn.request(RTM_NEWLINK, ifinfo(200));
    await Promise.all([before, ended, after]);
    expect(k.requests.map((r) => indexOf(r.payload))).toEqual([100, 1, 2, 200]);
    conn.close();
  });
});
