// rt.nsid on a fake kernel: how each way of naming a namespace reaches the kernel (NETNSA_PID,
// NETNSA_FD), the id read back, and refusals before and after sending.
import { describe, expect, it } from 'vitest';
import { Connection } from '../../../src/netlink/connection.js';
import {
  NetlinkEncodeError,
  NetlinkError,
  NetlinkSocketError,
} from '../../../src/netlink/errors.js';
import { RtNetlink } from '../../../src/rtnetlink/client.js';
import { cat, nla, u32le } from '../../helpers/bytes.js';
import { ack, done, FakeKernel, type FakeRequest, reply } from '../../helpers/fake-kernel.js';

// <linux/rtnetlink.h>, <linux/net_namespace.h>
const RTM_NEWNSID = 88;
const RTM_GETNSID = 90;
const NLM_F_REQUEST = 0x1;
const NLM_F_ACK = 0x4;
const NLM_F_DUMP = 0x300;
const NETNSA_NSID = 1;
const NETNSA_PID = 2;
const NETNSA_FD = 3;
const EEXIST = 17;

/** struct rtgenmsg (1 byte) padded to 4. */
const rtgen = Buffer.of(0, 0, 0, 0);

function client(handler?: (req: FakeRequest, k: FakeKernel) => Buffer[] | undefined) {
  const kernel = new FakeKernel(handler);
  return { kernel, rt: RtNetlink.fromConnection(Connection.fromSocket(kernel)) };
}

/** Answers RTM_GETNSID with `nsid`, acks the rest. */
function answering(nsid: number) {
  return (req: FakeRequest): Buffer[] =>
    req.type === RTM_GETNSID
      ? [reply(req, RTM_NEWNSID, cat(rtgen, nla(NETNSA_NSID, u32le(nsid))), 0), ack(req)]
      : [ack(req)];
}

describe('rt.nsid', () => {
  it('get({ pid }) asks with NETNSA_PID', async () => {
    const { kernel, rt } = client(answering(3));
    await expect(rt.nsid.get({ pid: 1234 })).resolves.toBe(3);
    const [req] = kernel.requests;
    expect(req!.type).toBe(RTM_GETNSID);
    expect(req!.flags).toBe(NLM_F_REQUEST | NLM_F_ACK);
    expect(req!.payload).toEqual(cat(rtgen, nla(NETNSA_PID, u32le(1234))));
  });

  it('get(fd) asks with NETNSA_FD, our own descriptor as it is', async () => {
    const { kernel, rt } = client(answering(7));
    await expect(rt.nsid.get(42)).resolves.toBe(7);
    expect(kernel.requests[0]!.payload).toEqual(cat(rtgen, nla(NETNSA_FD, u32le(42))));
  });

  it('an unassigned id (-1) is undefined', async () => {
    const { rt } = client(answering(-1));
    await expect(rt.nsid.get({ pid: 1 })).resolves.toBeUndefined();
  });

  it('set(ref, id) sends RTM_NEWNSID with the peer first, then NETNSA_NSID', async () => {
    const { kernel, rt } = client();
    await rt.nsid.set({ pid: 99 }, 5);
    const [req] = kernel.requests;
    expect(req!.type).toBe(RTM_NEWNSID);
    expect(req!.payload).toEqual(
      cat(rtgen, nla(NETNSA_PID, u32le(99)), nla(NETNSA_NSID, u32le(5))),
    );
  });

  it("set(ref, 'auto') sends -1", async () => {
    const { kernel, rt } = client();
    await rt.nsid.set({ pid: 99 }, 'auto');
    expect(kernel.requests[0]!.payload.subarray(-4)).toEqual(u32le(-1));
  });

  it('list() dumps RTM_GETNSID', async () => {
    const { kernel, rt } = client((req) => [
      reply(req, RTM_NEWNSID, cat(rtgen, nla(NETNSA_NSID, u32le(0)))),
      reply(req, RTM_NEWNSID, cat(rtgen, nla(NETNSA_NSID, u32le(4)))),
      done(req),
    ]);
    await expect(rt.nsid.list()).resolves.toEqual([{ nsid: 0 }, { nsid: 4 }]);
    expect(kernel.requests[0]!.flags).toBe(NLM_F_REQUEST | NLM_F_DUMP);
  });

  it('a bad id is refused before sending', async () => {
    const { kernel, rt } = client();
    const err = await rt.nsid.set({ pid: 99 }, -3).catch((e) => e);
    expect(err).toBeInstanceOf(NetlinkEncodeError);
    expect(err.path).toBe('nsid.nsid');
    expect(kernel.requests).toHaveLength(0);
  });

  it('a namespace name that does not exist fails to open, and nothing is sent', async () => {
    const { kernel, rt } = client();
    const err = await rt.nsid.get('/nonexistent/rtnl-test-ns').catch((e) => e);
    expect(err).toBeInstanceOf(NetlinkSocketError);
    expect(err.code).toBe('ENOENT');
    expect(kernel.requests).toHaveLength(0);
  });

  it('a refusal surfaces as NetlinkError', async () => {
    const { rt } = client((req) => [ack(req, EEXIST)]);
    const err = await rt.nsid.set({ pid: 99 }, 5).catch((e) => e);
    expect(err).toBeInstanceOf(NetlinkError);
    expect(err.code).toBe('EEXIST');
  });
});
