// rt.routes.sequence() against the live kernel, in an anonymous namespace this file makes: on a
// real socket every push is framed at once and handed to the shim's worker (native/sequence.c)
// in segments while the caller keeps pushing; the worker sends one request at a time without
// acks and stops at the first refusal. `ip -j route show` in the same namespace is the oracle
// for what was applied, and `ip -batch` of the same lines the oracle for mixed scripts.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BulkResult } from '../../../src/netlink/connection.js';
import {
  NetlinkEncodeError,
  NetlinkError,
  type NetlinkSocketError,
} from '../../../src/netlink/errors.js';
import { createNetns, type Netns } from '../../../src/ns/index.js';
import { RtNetlink } from '../../../src/rtnetlink/client.js';
import type { RouteOp, RouteSpec } from '../../../src/rtnetlink/requests/route.js';
import { type CodecError, caught } from '../../helpers/caught.js';
import { ipIn } from '../../helpers/ns-ip.js';

let ns: Netns;
let rt: RtNetlink;
/** d0's ifindex, as ip reports it (a sequence takes ifindexes, not names). */
let d0: number;

const { nsenter, ip, ipError, ipBatch } = ipIn(() => ns);
const dstOf = (i: number) => `10.${(i >> 8) & 255}.${i & 255}.0/24`;
const spec = (i: number, table: number) => ({ dst: dstOf(i), dev: d0, table });
/** `ip -j route show table N`: [] for a table that does not exist (yet). */
const shown = (table: number) => {
  const r = spawnSync(
    'nsenter',
    [...nsenter(), 'ip', '-j', 'route', 'show', 'table', String(table)],
    { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  );
  if (r.status !== 0 && r.stderr.includes('FIB table does not exist')) return [];
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout) as { dst: string; dev?: string; metric?: number }[];
};
const dsts = (table: number) => new Set(shown(table).map((r) => r.dst));
/** The routes of a table as comparable lines, whatever their order. */
const lines = (table: number) =>
  shown(table)
    .map((r) => `${r.dst} ${r.dev} ${r.metric ?? 0}`)
    .sort();
const fdCount = () => readdirSync('/proc/self/fd').length;
const tick = () => new Promise((r) => setImmediate(r));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Wait (at most `ms`) until `cond` holds; returns whether it did. */
const until = async (cond: () => boolean, ms = 5000) => {
  const stop = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > stop) return false;
    await sleep(5);
  }
  return true;
};
/** Applied routes of `table` are exactly dstOf(0 .. n - 1): what left is a prefix. */
const expectPrefix = (table: number, total: number) => {
  const applied = dsts(table);
  for (let i = 0; i < applied.size; i++) expect(applied.has(dstOf(i))).toBe(true);
  expect(applied.size).toBeLessThanOrEqual(total);
  return applied.size;
};
const code = (e: unknown) => (e as NetlinkSocketError | undefined)?.code;

beforeAll(async () => {
  ns = createNetns();
  for (const cmd of ['link set lo up', 'link add d0 type ifb', 'link set d0 up']) {
    ip(...cmd.split(' '));
  }
  d0 = (JSON.parse(ip('-j', 'link', 'show', 'd0')) as { ifindex: number }[])[0]!.ifindex;
  rt = await RtNetlink.open({ netns: ns });
});

afterAll(() => {
  rt?.close();
  ns?.close();
});

describe('rt.routes.sequence() against the kernel (a stream to the shim’s worker)', () => {
  it('3000 pushes in one synchronous loop, then end(): every route is in the table', async () => {
    const seq = rt.routes.sequence();
    for (let i = 0; i < 3000; i++) expect(seq.push('add', spec(i, 200))).toBe(i);
    expect(seq.count).toBe(3000);
    const result = await seq.end();
    expect(result).toMatchObject({ count: 3000, ok: 3000, failed: 0 });
    expect(result.errors).toHaveLength(3000);
    expect(result.errors.every((e) => e === undefined)).toBe(true);
    expect(seq.stopped).toBe(false);
    expect(dsts(200)).toEqual(new Set(Array.from({ length: 3000 }, (_, i) => dstOf(i))));
  });

  it('stops at a refusal in the middle: routes 0..700 are there, nothing after; `stopped` turns true while pushing', async () => {
    ip('route', 'add', dstOf(700), 'dev', 'd0', 'table', '201');
    const seq = rt.routes.sequence();
    for (let i = 0; i < 700; i++) seq.push('add', spec(i, 201));
    expect(seq.stopped).toBe(false);
    seq.push('add', spec(700, 201));
    // Keep pushing (up to 1500) while the worker catches up with the refused one, then give it
    // a bounded while: the refusal must show before end() is called.
    let i = 701;
    for (; i < 1500; i++) {
      if (seq.stopped) break;
      seq.push('add', spec(i, 201));
      if (i % 100 === 0) await tick();
    }
    expect(await until(() => seq.stopped)).toBe(true);
    const pushed = seq.count;
    expect(pushed).toBe(i);
    const result = await seq.end();
    expect(result).toMatchObject({ count: pushed, ok: 700, failed: pushed - 700 });
    expect(result.errors.slice(0, 700).every((e) => e === undefined)).toBe(true);
    const err = result.errors[700] as NetlinkError;
    expect(err).toBeInstanceOf(NetlinkError);
    expect(err.errno).toBe(17);
    expect(ipError('route', 'add', dstOf(700), 'dev', 'd0', 'table', '201')).toBe(
      'RTNETLINK answers: File exists',
    );
    for (const e of result.errors.slice(701)) expect(code(e)).toBe('ERR_RTNL_NOT_SENT');
    const applied = dsts(201);
    expect(applied.size).toBe(701);
    for (let j = 0; j <= 700; j++) expect(applied.has(dstOf(j))).toBe(true);
  });

  it('mixed ops in one sequence (add, replace with priority 5, delete half) leave what ip -batch leaves', async () => {
    const n = 400;
    const ops: [RouteOp, number, number | undefined][] = [];
    for (let i = 0; i < n; i++) ops.push(['add', i, undefined]);
    for (let i = 0; i < n; i++) ops.push(['replace', i, 5]);
    for (let i = 0; i < n; i += 2) ops.push(['delete', i, undefined]);
    const seq = rt.routes.sequence();
    for (const [op, i, priority] of ops) {
      seq.push(op, priority === undefined ? spec(i, 202) : { ...spec(i, 202), priority });
    }
    const result = await seq.end();
    expect(result).toMatchObject({ count: ops.length, ok: ops.length, failed: 0 });
    const verb = { add: 'add', replace: 'replace', delete: 'del' } as Record<RouteOp, string>;
    ipBatch(
      ops.map(
        ([op, i, priority]) =>
          `route ${verb[op]} ${dstOf(i)} dev d0 table 203${priority === undefined ? '' : ` metric ${priority}`}`,
      ),
    );
    const ours = lines(202);
    expect(ours).toEqual(lines(203));
    // Not a vacuous match. IPv4 replace matches on the metric, so metric 5 adds a route beside
    // the metric-0 one; a delete without a metric takes the first match (metric 0).
    expect(ours.filter((l) => l.endsWith(' 5'))).toHaveLength(n);
    expect(ours.filter((l) => l.endsWith(' 0'))).toHaveLength(n / 2);
  });

  it('a refusal’s extended ack carries the kernel’s text, as ip prints it', async () => {
    const seq = rt.routes.sequence();
    seq.push('add', { dst: '10.200.0.0/24', dev: d0, table: 204 });
    seq.push('add', { dst: '10.200.1.0/24', dev: d0, table: 204, gateway: '192.0.2.1' });
    seq.push('add', { dst: '10.200.2.0/24', dev: d0, table: 204 });
    const result = await seq.end();
    expect(result).toMatchObject({ count: 3, ok: 1, failed: 2 });
    const err = result.errors[1] as NetlinkError;
    expect(err).toBeInstanceOf(NetlinkError);
    expect(`Error: ${err.kernelMessage}.`).toBe(
      ipError('route', 'add', '10.200.1.0/24', 'dev', 'd0', 'table', '204', 'via', '192.0.2.1'),
    );
    expect(code(result.errors[2])).toBe('ERR_RTNL_NOT_SENT');
    expect(shown(204).map((r) => r.dst)).toEqual(['10.200.0.0/24']);
  });

  it('a request made while the sequence is open waits until it has ended', async () => {
    const seq = rt.routes.sequence();
    for (let i = 0; i < 300; i++) seq.push('add', spec(i, 205));
    const during = rt.routes.list({ table: 205 });
    await tick();
    for (let i = 300; i < 600; i++) seq.push('add', spec(i, 205));
    await tick();
    const result = await seq.end();
    expect(result).toMatchObject({ ok: 600, failed: 0 });
    const listed = await during;
    expect(new Set(listed.map((r) => r.dst))).toEqual(
      new Set(Array.from({ length: 600 }, (_, i) => dstOf(i))),
    );
  });

  it('a sequence opened in the same tick as a dump: both succeed', async () => {
    // A table big enough for its dump to take many datagrams.
    ipBatch(Array.from({ length: 2000 }, (_, i) => `route add ${dstOf(i)} dev d0 table 206`));
    const listing = rt.routes.list({ table: 206 });
    const seq = rt.routes.sequence();
    for (let i = 0; i < 100; i++) seq.push('add', spec(i, 207));
    const [result, listed] = await Promise.all([seq.end(), listing]);
    expect(result).toMatchObject({ count: 100, ok: 100, failed: 0 });
    expect(new Set(listed.map((r) => r.dst))).toEqual(dsts(206));
    expect(listed).toHaveLength(2000);
    expect(dsts(207).size).toBe(100);
  });

  it('a sequence opened while a dump is in flight waits for it: the dump sees none of its routes', async () => {
    const before = dsts(206);
    expect(before.size).toBe(2000);
    // A dump held in flight: its consumer takes one route and stops, so reading pauses.
    const own = await RtNetlink.open({ netns: ns, dumpHighWaterMark: 16 });
    const routes = own.routes.iterate({ table: 206 });
    const first = await routes.next();
    expect(first.done).toBe(false);
    const seq = own.routes.sequence();
    for (let i = 2000; i < 2100; i++) seq.push('add', spec(i, 206));
    const ended = seq.end();
    await sleep(50);
    // Nothing of the sequence has left while the dump is unfinished.
    expect(dsts(206)).toEqual(before);
    const seen = new Set([first.value!.dst]);
    for await (const r of routes) seen.add(r.dst);
    expect(seen).toEqual(before);
    expect(await ended).toMatchObject({ count: 100, ok: 100, failed: 0 });
    expect(dsts(206).size).toBe(2100);
    own.close();
  });

  it('close() during a long sequence: the unsent fail ERR_RTNL_CLOSED, what was applied is a prefix, the socket closes', async () => {
    const before = fdCount();
    const own = await RtNetlink.open({ netns: ns });
    const seq = own.routes.sequence();
    for (let i = 0; i < 6000; i++) seq.push('add', spec(i, 208));
    const ended = seq.end();
    // Let the worker start on it.
    await tick();
    own.close();
    const result = await ended;
    expect(result.count).toBe(6000);
    expect(result.failed).toBeGreaterThan(0);
    const applied = expectPrefix(208, 6000);
    expect(applied).toBeLessThan(6000);
    expect(result.ok).toBe(applied);
    for (let i = 0; i < 6000; i++) {
      if (i < applied) expect(result.errors[i]).toBeUndefined();
      else expect(code(result.errors[i])).toBe('ERR_RTNL_CLOSED');
    }
    expect(() => own.connection.socket.send(Buffer.alloc(16))).toThrow();
    expect(await until(() => fdCount() <= before)).toBe(true);
  });

  it('close() while a sequence is still open (end() not called yet): the same, and end() still resolves', async () => {
    const own = await RtNetlink.open({ netns: ns });
    const seq = own.routes.sequence();
    for (let i = 0; i < 3000; i++) seq.push('add', spec(i, 209));
    await tick();
    own.close();
    expect(await until(() => seq.stopped)).toBe(true);
    const result = await seq.end();
    expect(result.count).toBe(3000);
    const applied = expectPrefix(209, 3000);
    // The last segment was never handed to the worker (no end(), not full): not all went.
    expect(applied).toBeLessThan(3000);
    expect(result.ok).toBe(applied);
    for (let i = applied; i < 3000; i++) expect(code(result.errors[i])).toBe('ERR_RTNL_CLOSED');
    expect(() => own.connection.socket.send(Buffer.alloc(16))).toThrow();
  });

  it('close() while the worker waits for more: it lets go, and what it had not been given fails', async () => {
    const before = fdCount();
    const own = await RtNetlink.open({ netns: ns });
    const seq = own.routes.sequence();
    for (let i = 0; i < 40; i++) seq.push('add', spec(i, 214));
    // Let the worker send what it was given and wait for more; then push a few, too few to be
    // handed over at once (an idle worker gets a segment only once 32 are framed).
    expect(await until(() => dsts(214).size > 0)).toBe(true);
    await sleep(20);
    for (let i = 40; i < 43; i++) seq.push('add', spec(i, 214));
    await sleep(20);
    const sentBefore = dsts(214).size;
    expect(sentBefore).toBeLessThan(43);
    own.close();
    expect(seq.stopped).toBe(true);
    const result = await seq.end();
    const applied = expectPrefix(214, 43);
    expect(applied).toBe(sentBefore);
    expect(result).toMatchObject({ count: 43, ok: applied, failed: 43 - applied });
    for (let i = applied; i < 43; i++) expect(code(result.errors[i])).toBe('ERR_RTNL_CLOSED');
    expect(() => own.connection.socket.send(Buffer.alloc(16))).toThrow();
    expect(await until(() => fdCount() <= before)).toBe(true);
  });

  it('an abort mid-way: the unsent fail with the reason, what left is a prefix, and the connection works afterwards', async () => {
    const ac = new AbortController();
    const seq = rt.routes.sequence({ signal: ac.signal });
    for (let i = 0; i < 6000; i++) seq.push('add', spec(i, 210));
    await tick();
    const reason = new Error('enough');
    ac.abort(reason);
    expect(seq.stopped).toBe(true);
    const result = await seq.end();
    expect(result.count).toBe(6000);
    const applied = expectPrefix(210, 6000);
    expect(applied).toBeLessThan(6000);
    expect(result.ok).toBe(applied);
    for (let i = 0; i < 6000; i++) {
      expect(result.errors[i]).toBe(i < applied ? undefined : reason);
    }
    // The connection is usable again once the worker has returned.
    await rt.routes.add({ dst: '10.250.0.0/24', dev: 'd0', table: 210 });
    expect(dsts(210).has('10.250.0.0/24')).toBe(true);
    const again = rt.routes.sequence();
    again.push('add', { dst: '10.250.1.0/24', dev: d0, table: 210 });
    expect(await again.end()).toMatchObject({ ok: 1, failed: 0 });
    expect(dsts(210).has('10.250.1.0/24')).toBe(true);
  });

  it('a signal aborted before the sequence is made: nothing is sent, every push fails with the reason', async () => {
    const reason = new Error('not today');
    const seq = rt.routes.sequence({ signal: AbortSignal.abort(reason) });
    expect(seq.stopped).toBe(true);
    seq.push('add', spec(0, 215));
    seq.push('add', spec(1, 215));
    expect(await seq.end()).toEqual({ count: 2, ok: 0, failed: 2, errors: [reason, reason] });
    expect(shown(215)).toEqual([]);
    await rt.routes.add({ dst: dstOf(5), dev: 'd0', table: 215 });
    expect([...dsts(215)]).toEqual([dstOf(5)]);
  });

  it('two sequences open at once run one after the other, in the order they were made', async () => {
    const a = rt.routes.sequence();
    const b = rt.routes.sequence();
    // b deletes what a adds: in any other order its deletes would be refused (ESRCH).
    for (let i = 0; i < 200; i++) {
      a.push('add', spec(i, 216));
      b.push('delete', spec(i, 216));
    }
    a.push('add', spec(999, 216));
    const later = b.end();
    const [ra, rb] = await Promise.all([a.end(), later]);
    expect(ra).toMatchObject({ count: 201, ok: 201, failed: 0 });
    expect(rb).toMatchObject({ count: 200, ok: 200, failed: 0 });
    expect([...dsts(216)]).toEqual([dstOf(999)]);
  });

  it('end() with zero pushes resolves empty; end() twice is the same promise; push after end() throws', async () => {
    const seq = rt.routes.sequence();
    const p = seq.end();
    expect(seq.end()).toBe(p);
    expect(await p).toEqual({ count: 0, ok: 0, failed: 0, errors: [] });
    expect(() => seq.push('add', spec(0, 211))).toThrow();
    expect(seq.count).toBe(0);

    const two = rt.routes.sequence();
    two.push('add', spec(0, 211));
    const q = two.end();
    expect(two.end()).toBe(q);
    expect(() => two.push('add', spec(1, 211))).toThrow();
    expect(await q).toEqual({ count: 1, ok: 1, failed: 0, errors: [undefined] });
    expect(await two.end()).toBe(await q);
    expect([...dsts(211)]).toEqual([dstOf(0)]);
    // The connection is free again.
    expect(await rt.routes.list({ table: 211 })).toHaveLength(1);
  });

  it('a malformed spec, a device name or an unknown op throws BAD_VALUE from push; nothing is queued for it', async () => {
    const seq = rt.routes.sequence();
    expect(seq.push('add', spec(0, 212))).toBe(0);
    const bad = caught(() => seq.push('add', { dst: 'not-a-prefix', dev: d0, table: 212 }));
    expect(bad).toBeInstanceOf(NetlinkEncodeError);
    expect(bad).toMatchObject({ code: 'BAD_VALUE', path: 'route.dst' });
    const named = { dst: dstOf(9), dev: 'd0', table: 212 } as unknown as RouteSpec<number>;
    const name = caught(() => seq.push('add', named));
    expect(name).toBeInstanceOf(NetlinkEncodeError);
    expect(name).toMatchObject({ code: 'BAD_VALUE', path: 'route.dev' });
    const op = caught<CodecError>(() => seq.push('bogus' as RouteOp, spec(8, 212)));
    expect(op).toBeInstanceOf(NetlinkEncodeError);
    expect(op).toMatchObject({ code: 'BAD_VALUE', path: 'op' });
    expect(seq.count).toBe(1);
    expect(seq.stopped).toBe(false);
    expect(seq.push('add', spec(1, 212))).toBe(1);
    expect(seq.push('add', spec(2, 212))).toBe(2);
    const result: BulkResult = await seq.end();
    expect(result).toEqual({
      count: 3,
      ok: 3,
      failed: 0,
      errors: [undefined, undefined, undefined],
    });
    expect(dsts(212)).toEqual(new Set([dstOf(0), dstOf(1), dstOf(2)]));
  });

  it('leaks no fd: an own RtNetlink that ran a sequence gives back everything it opened', async () => {
    const before = fdCount();
    const own = await RtNetlink.open({ netns: ns });
    const seq = own.routes.sequence();
    for (let i = 0; i < 1000; i++) seq.push('add', spec(i, 213));
    expect(await seq.end()).toMatchObject({ ok: 1000 });
    expect(fdCount()).toBeGreaterThan(before);
    own.close();
    expect(await until(() => fdCount() <= before, 2000)).toBe(true);
    expect(fdCount()).toBe(before);
  });
});
