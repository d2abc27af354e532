// The monitor's listing / resync algorithm against a scripted kernel: dump replies and
// notifications in chosen interleavings (the races a live kernel produces only by chance),
// built byte by byte with the independent builder. Each test reads like the stream the kernel
// would queue on the socket, then the events the consumer must see.
import { describe, expect, it } from 'vitest';
import { Monitor } from '../../src/monitor/monitor.js';
import type { MonitorEvent } from '../../src/monitor/types.js';
import { NetlinkDecodeError, NetlinkError } from '../../src/netlink/errors.js';
import { cat, nla, nlmsg, u8, u32le } from '../helpers/bytes.js';
import {
  done,
  FakeMonitorSocket,
  NLM_F_APPEND,
  NLM_F_CREATE,
  NLM_F_DUMP,
  NLM_F_DUMP_INTR,
  NLM_F_MULTI,
  NLM_F_REQUEST,
  PORT,
  type RouteBytes,
  RTM_DELROUTE,
  RTM_GETROUTE,
  RTM_NEWROUTE,
  refusal,
  routeDumpMessage,
  routeNotification,
} from './fake.js';
import { Table } from './helpers.js';

const A: RouteBytes = { dst: '198.51.100.0/24', oif: 2 };
const A2: RouteBytes = { dst: '198.51.100.0/24', oif: 3 };
const B: RouteBytes = { dst: '203.0.113.0/24', oif: 2 };
const C: RouteBytes = { dst: '192.0.2.0/24', oif: 2 };
const C2: RouteBytes = { dst: '192.0.2.0/24', oif: 3 };
const D: RouteBytes = { dst: '10.9.0.0/16', oif: 2 };

/** A monitor of IPv4 routes over the fake socket, recording every event as a short line. */
function setup(options: Parameters<typeof Monitor.fromSocket>[1] = {}) {
  const socket = new FakeMonitorSocket();
  const mon = Monitor.fromSocket(socket, { groups: ['ipv4-route'], ...options });
  const events: MonitorEvent[] = [];
  const table = new Table();
  mon.on('event', (e) => {
    events.push(e);
    table.apply(e);
  });
  mon.on('overrun', (e) => events.push(e));
  mon.on('synced', (e) => events.push(e));
  mon.on('error', (_, e) => events.push(e));
  const lines = () =>
    events.map((e) => {
      if (e.action === 'error') return `error ${(e.error as { code?: string }).code}`;
      if (e.action === 'synced') return `synced ${e.reason}`;
      if (e.action === 'overrun') return `overrun resync=${e.resync}`;
      const r = e.value as { dst: string; attributes: { oif?: number } };
      return `${e.origin} ${e.action} ${r.dst} oif ${r.attributes.oif}`;
    });
  return { socket, mon, events, table, lines };
}

/** The routes a table holds, as 'dst oif'. */
function rows(table: Table): string[] {
  return [...table.rows.values()]
    .map((v) => {
      const r = v as { dst: string; attributes: { oif?: number } };
      return `${r.dst} oif ${r.attributes.oif}`;
    })
    .sort();
}

const tick = () => new Promise((r) => setImmediate(r));

describe('listing (listExisting)', () => {
  it('joins the groups first, then sends one dump per table, with a hand-checked request', () => {
    const { socket } = setup({ listExisting: true });
    expect(socket.groups).toEqual([7]); // RTNLGRP_IPV4_ROUTE
    expect(socket.sent).toHaveLength(1);
    const [req] = socket.sent;
    expect(req).toMatchObject({ type: RTM_GETROUTE, flags: NLM_F_REQUEST | NLM_F_DUMP, pid: 0 });
    // struct rtmsg, all zero but the family: every table, every type.
    expect(req!.payload).toEqual(cat(u8(2), Buffer.alloc(11)));
  });

  it('delivers the current state, then synced', async () => {
    const { socket, lines } = setup({ listExisting: true });
    await tick();
    const seq = socket.lastSeq;
    socket.push(routeDumpMessage(seq, A), routeDumpMessage(seq, B), done(seq));
    expect(lines()).toEqual([
      'list new 198.51.100.0/24 oif 2',
      'list new 203.0.113.0/24 oif 2',
      'synced list',
    ]);
  });

  it('drops a notification the dump already reflects (it came before the dump listed it)', async () => {
    const { socket, lines, table } = setup({ listExisting: true });
    await tick();
    const seq = socket.lastSeq;
    socket.push(
      routeNotification(RTM_NEWROUTE, C, NLM_F_CREATE), // C added while the dump runs…
      routeDumpMessage(seq, A),
      routeDumpMessage(seq, C), // …and the dump, reaching C later, lists it
      done(seq),
    );
    expect(lines()).toEqual([
      'list new 198.51.100.0/24 oif 2',
      'list new 192.0.2.0/24 oif 2',
      'synced list',
    ]);
    expect(table.duplicates).toBe(0);
  });

  it('drops an older state that arrives before the dump lists the newer one', async () => {
    const { socket, lines, table } = setup({ listExisting: true });
    await tick();
    const seq = socket.lastSeq;
    socket.push(
      routeNotification(RTM_NEWROUTE, C),
      routeNotification(RTM_NEWROUTE, C2), // changed again before the dump got there
      routeDumpMessage(seq, C2),
      done(seq),
    );
    expect(lines()).toEqual(['list new 192.0.2.0/24 oif 3', 'synced list']);
    expect(rows(table)).toEqual(['192.0.2.0/24 oif 3']);
  });

  it('applies, after the listing, what changed since; only the last word on each object', async () => {
    const { socket, lines, table } = setup({ listExisting: true });
    await tick();
    const seq = socket.lastSeq;
    socket.push(
      routeDumpMessage(seq, A),
      routeNotification(RTM_NEWROUTE, A2), // changed after the dump listed it
      routeNotification(RTM_DELROUTE, A2), // then removed: the change is superseded
      routeDumpMessage(seq, B),
      routeNotification(RTM_NEWROUTE, C),
      done(seq),
    );
    expect(lines()).toEqual([
      'list new 198.51.100.0/24 oif 2',
      'list new 203.0.113.0/24 oif 2',
      'kernel del 198.51.100.0/24 oif 3',
      'kernel new 192.0.2.0/24 oif 2',
      'synced list',
    ]);
    expect(rows(table)).toEqual(['192.0.2.0/24 oif 2', '203.0.113.0/24 oif 2']);
  });

  it('a removal notified before the datagram that still lists the object wins', async () => {
    // The kernel fills a dump datagram, then queues it; a deletion made and notified in
    // between comes first in the stream, though the datagram still shows the route.
    const { socket, lines, table } = setup({ listExisting: true });
    await tick();
    const seq = socket.lastSeq;
    socket.push(
      routeNotification(RTM_DELROUTE, B),
      routeDumpMessage(seq, A),
      routeDumpMessage(seq, B),
      done(seq),
    );
    expect(lines()).toEqual([
      'list new 198.51.100.0/24 oif 2',
      'list new 203.0.113.0/24 oif 2',
      'kernel del 203.0.113.0/24 oif 2',
      'synced list',
    ]);
    expect(rows(table)).toEqual(['198.51.100.0/24 oif 2']);
  });

  it('once it stops holding, a notification is not overwritten by an older dump message', async () => {
    const { socket, table, mon } = setup({ listExisting: true, maxBuffered: 1 });
    await tick();
    const seq = socket.lastSeq;
    socket.push(
      routeNotification(RTM_NEWROUTE, D),
      routeNotification(RTM_DELROUTE, B), // past maxBuffered: applied from here on
      routeDumpMessage(seq, A),
      routeDumpMessage(seq, B), // filled before B was deleted
      done(seq),
    );
    expect(mon.syncing).toBe(false);
    expect(rows(table)).toEqual(['10.9.0.0/16 oif 2', '198.51.100.0/24 oif 2']);
  });

  it('keeps an object created after the dump passed its place, and drops a removal it never showed', async () => {
    const { socket, lines, table } = setup({ listExisting: true });
    await tick();
    const seq = socket.lastSeq;
    socket.push(
      routeNotification(RTM_DELROUTE, B), // B removed before the dump reached it
      routeDumpMessage(seq, A),
      routeNotification(RTM_NEWROUTE, D), // D added behind the dump's position
      done(seq),
    );
    expect(lines()).toEqual([
      'list new 198.51.100.0/24 oif 2',
      'kernel new 10.9.0.0/16 oif 2',
      'synced list',
    ]);
    expect(rows(table)).toEqual(['10.9.0.0/16 oif 2', '198.51.100.0/24 oif 2']);
    expect(table.strayDels).toBe(0);
  });

  it('drops a late notification of a change the finished dump already showed', async () => {
    const { socket, lines, table } = setup({ listExisting: true });
    await tick();
    const seq = socket.lastSeq;
    socket.push(routeDumpMessage(seq, A), done(seq), routeNotification(RTM_NEWROUTE, A));
    expect(lines()).toEqual(['list new 198.51.100.0/24 oif 2', 'synced list']);
    expect(table.duplicates).toBe(0);
  });

  it('walks a table again when the kernel flags the dump NLM_F_DUMP_INTR', async () => {
    const { socket, lines, table } = setup({ listExisting: true });
    await tick();
    const first = socket.lastSeq;
    socket.push(
      routeDumpMessage(first, A),
      routeDumpMessage(first, B, NLM_F_MULTI | NLM_F_DUMP_INTR),
      done(first),
    );
    // Nothing removed on the strength of an inconsistent dump; a second one is asked for.
    expect(socket.sent).toHaveLength(2);
    const second = socket.lastSeq;
    expect(second).not.toBe(first);
    socket.push(routeDumpMessage(second, B), done(second));
    expect(lines()).toEqual([
      'list new 198.51.100.0/24 oif 2',
      'list new 203.0.113.0/24 oif 2',
      // A was not in the consistent dump: it was gone.
      'list del 198.51.100.0/24 oif 2',
      'synced list',
    ]);
    expect(rows(table)).toEqual(['203.0.113.0/24 oif 2']);
  });

  it('reports a dump the kernel refuses as an error event and still ends the listing', async () => {
    const { socket, lines, events } = setup({ listExisting: true });
    await tick();
    socket.push(refusal(socket.lastSeq, 22)); // EINVAL
    expect(lines()).toEqual(['error EINVAL', 'synced list']);
    const e = events[0] as Extract<MonitorEvent, { action: 'error' }>;
    expect(e.error).toBeInstanceOf(NetlinkError);
  });

  it('skips, quietly and from then on, a table this kernel does not have', async () => {
    const { socket, lines, mon } = setup({ listExisting: true, resync: true });
    await tick();
    socket.push(refusal(socket.lastSeq, 97)); // EAFNOSUPPORT
    expect(lines()).toEqual(['synced list']);
    mon.resync();
    expect(socket.sent).toHaveLength(1);
    expect(lines()).toEqual(['synced list', 'synced resync']);
  });

  it('stops holding notifications past maxBuffered, and the table still ends right', async () => {
    const { socket, table, mon } = setup({ listExisting: true, maxBuffered: 3 });
    await tick();
    const seq = socket.lastSeq;
    const during: Buffer[] = [];
    for (let i = 0; i < 8; i++) {
      during.push(routeNotification(RTM_NEWROUTE, { dst: `10.0.${i}.0/24`, oif: 2 }));
    }
    socket.push(
      routeDumpMessage(seq, A),
      ...during,
      routeDumpMessage(seq, { dst: '10.0.1.0/24', oif: 2 }),
      done(seq),
    );
    expect(mon.syncing).toBe(false);
    expect(rows(table)).toEqual(
      [
        ...Array.from({ length: 8 }, (_, i) => `10.0.${i}.0/24 oif 2`),
        '198.51.100.0/24 oif 2',
      ].sort(),
    );
    expect(table.duplicates).toBe(0);
  });
});

/** The socket reports that the kernel dropped messages (ENOBUFS). */
function lose(socket: FakeMonitorSocket): void {
  socket.emit('error', Object.assign(new Error('recvmsg: ENOBUFS'), { code: 'ENOBUFS' }));
}

describe('resync after an overrun', () => {
  it('reports the overrun, re-reads the table, and delivers only the differences', async () => {
    const { socket, lines, table } = setup({ listExisting: true, resync: true });
    await tick();
    let seq = socket.lastSeq;
    socket.push(routeDumpMessage(seq, A), routeDumpMessage(seq, B), done(seq));
    // Lost: A changed, B removed, C added. The socket reports ENOBUFS.
    lose(socket);
    await tick();
    expect(socket.sent).toHaveLength(2);
    seq = socket.lastSeq;
    socket.push(routeDumpMessage(seq, C), routeDumpMessage(seq, A2), done(seq));
    expect(lines()).toEqual([
      'list new 198.51.100.0/24 oif 2',
      'list new 203.0.113.0/24 oif 2',
      'synced list',
      'overrun resync=true',
      'resync new 192.0.2.0/24 oif 2',
      'resync new 198.51.100.0/24 oif 3',
      'resync del 203.0.113.0/24 oif 2',
      'synced resync',
    ]);
    expect(rows(table)).toEqual(['192.0.2.0/24 oif 2', '198.51.100.0/24 oif 3']);
  });

  it('makes the del from the last known message, typed RTM_DELROUTE', async () => {
    const { socket, events } = setup({ resync: true });
    socket.push(routeNotification(RTM_NEWROUTE, B, NLM_F_CREATE));
    lose(socket);
    await tick();
    socket.push(done(socket.lastSeq));
    const del = events.find((e) => e.action === 'del')!;
    expect(del).toMatchObject({
      action: 'del',
      object: 'route',
      origin: 'resync',
      message: { type: RTM_DELROUTE, flags: 0, seq: 0, pid: 0 },
      value: { dst: '203.0.113.0/24', table: 'main' },
    });
  });

  it('waits for the socket queue to be read empty before re-reading (the kernel drops silently until then)', async () => {
    const socket = new FakeMonitorSocket();
    const mon = Monitor.fromSocket(socket, {
      groups: ['ipv4-route'],
      resync: true,
      maxBuffered: 2,
    });
    // A stalled consumer: the monitor pauses at 2 buffered events, the rest waits.
    socket.push(
      ...Array.from({ length: 5 }, (_, i) =>
        routeNotification(RTM_NEWROUTE, { dst: `10.0.${i}.0/24`, oif: 2 }),
      ),
    );
    expect(socket.paused).toBe(true);
    lose(socket);
    await tick();
    expect(socket.sent).toHaveLength(0);
    const it = mon[Symbol.asyncIterator]();
    // The consumer takes what was buffered; the monitor reads the queue empty (what it reads
    // now is stale: older than the loss) and only then asks for the table.
    const got: string[] = [];
    for (let i = 0; i < 3; i++) {
      const { value } = await it.next();
      got.push(value!.action);
    }
    expect(got).toEqual(['new', 'new', 'overrun']);
    await tick();
    expect(socket.inbox).toHaveLength(0);
    expect(socket.sent).toHaveLength(1);
    expect(socket.sent[0]).toMatchObject({ type: RTM_GETROUTE });
    mon.close();
  });

  it('does not bring back an object from a notification queued before the loss', async () => {
    const { socket, lines, table } = setup({ listExisting: true, resync: true });
    await tick();
    let seq = socket.lastSeq;
    socket.push(routeDumpMessage(seq, A), done(seq));
    // The socket reports the loss before the notifications still waiting in its queue are read:
    // C was added (that notification waits in the queue), then deleted (that one was lost).
    lose(socket);
    socket.push(routeNotification(RTM_NEWROUTE, C, NLM_F_CREATE));
    await tick();
    seq = socket.lastSeq;
    socket.push(routeDumpMessage(seq, A), done(seq));
    expect(lines()).toEqual([
      'list new 198.51.100.0/24 oif 2',
      'synced list',
      'overrun resync=true',
      'synced resync',
    ]);
    expect(rows(table)).toEqual(['198.51.100.0/24 oif 2']);
  });

  it('a loss while a dump runs: its notifications stay stale, and the table is read again after', async () => {
    const { socket, lines, table } = setup({ listExisting: true, resync: true });
    await tick();
    const first = socket.lastSeq;
    socket.push(routeDumpMessage(first, A));
    // Loss while the listing dump runs; C's creation sat in the queue, its removal was lost.
    lose(socket);
    socket.push(routeNotification(RTM_NEWROUTE, C), routeDumpMessage(first, B), done(first));
    await tick();
    // Read empty: the table is read again.
    expect(socket.sent).toHaveLength(2);
    const second = socket.lastSeq;
    socket.push(routeDumpMessage(second, A), routeDumpMessage(second, B), done(second));
    expect(lines()).toEqual([
      'list new 198.51.100.0/24 oif 2',
      'overrun resync=true',
      'list new 203.0.113.0/24 oif 2',
      'synced list',
      'synced resync',
    ]);
    expect(rows(table)).toEqual(['198.51.100.0/24 oif 2', '203.0.113.0/24 oif 2']);
  });

  it('without resync, only reports the overrun', async () => {
    const { socket, lines } = setup({});
    lose(socket);
    await tick();
    expect(lines()).toEqual(['overrun resync=false']);
    expect(socket.sent).toHaveLength(0);
  });

  it('an overrun during a resync walks the table once more', async () => {
    const { socket } = setup({ resync: true });
    lose(socket);
    await tick();
    const first = socket.lastSeq;
    lose(socket);
    await tick();
    // One dump at a time on a socket: the second waits for the first.
    expect(socket.sent).toHaveLength(1);
    socket.push(done(first));
    expect(socket.sent).toHaveLength(2);
  });
});

describe('routes that share a key', () => {
  it('re-reads the table when one of two appended IPv4 routes is deleted', () => {
    const { socket, table, lines } = setup({ resync: true });
    socket.push(
      routeNotification(RTM_NEWROUTE, C, NLM_F_CREATE),
      routeNotification(RTM_NEWROUTE, C2, NLM_F_CREATE | NLM_F_APPEND),
      routeNotification(RTM_DELROUTE, C2),
    );
    // The kernel still has C (oif 2): the monitor asks for the table…
    expect(socket.sent).toHaveLength(1);
    socket.push(routeDumpMessage(socket.lastSeq, C), done(socket.lastSeq));
    // …and brings C back.
    expect(lines()).toEqual([
      'kernel new 192.0.2.0/24 oif 2',
      'kernel new 192.0.2.0/24 oif 3',
      'kernel del 192.0.2.0/24 oif 3',
      'resync new 192.0.2.0/24 oif 2',
    ]);
    expect(rows(table)).toEqual(['192.0.2.0/24 oif 2']);
  });
});

describe('bad input never crashes the monitor', () => {
  it('a message that does not decode becomes an error event with the message', () => {
    const { socket, events, lines } = setup({});
    // RTA_OIF with 3 bytes: a u32 of the wrong width.
    const bad = nlmsg(
      { type: RTM_NEWROUTE, seq: 1, pid: 1 },
      cat(
        u8(2),
        u8(24),
        Buffer.alloc(10),
        nla(1, Buffer.from([192, 0, 2, 0])),
        nla(4, Buffer.alloc(3)),
      ),
    );
    socket.push(bad, routeNotification(RTM_NEWROUTE, A));
    expect(lines()).toEqual(['error BAD_PAYLOAD_SIZE', 'kernel new 198.51.100.0/24 oif 2']);
    const e = events[0] as Extract<MonitorEvent, { action: 'error' }>;
    expect(e.error).toBeInstanceOf(NetlinkDecodeError);
    expect(e.message?.type).toBe(RTM_NEWROUTE);
  });

  it('a datagram with broken framing becomes an error event', () => {
    const { socket, lines } = setup({});
    socket.push(Buffer.from([1, 2, 3]), routeNotification(RTM_NEWROUTE, A));
    expect(lines()).toEqual(['error TRUNCATED_HEADER', 'kernel new 198.51.100.0/24 oif 2']);
  });

  it("an 'error' nobody listens to is not thrown", () => {
    const socket = new FakeMonitorSocket();
    const mon = Monitor.fromSocket(socket, { groups: ['ipv4-route'] });
    mon.on('event', () => {});
    expect(() => socket.push(Buffer.from([1, 2, 3]))).not.toThrow();
  });

  it("an exception from the consumer's own listener is not swallowed", async () => {
    const socket = new FakeMonitorSocket();
    const mon = Monitor.fromSocket(socket, { groups: ['ipv4-route'] });
    mon.on('route', () => {
      throw new Error('consumer bug');
    });
    await tick();
    expect(() => socket.push(routeNotification(RTM_NEWROUTE, A))).toThrow('consumer bug');
  });

  it('a message of a type rtnl has no schema for is an `other` event with its payload', () => {
    const socket = new FakeMonitorSocket();
    const mon = Monitor.fromSocket(socket, { groups: ['tc'] });
    const seen: MonitorEvent[] = [];
    mon.on('other', (e) => seen.push(e));
    // RTM_NEWQDISC (36) with a 20-byte struct tcmsg.
    socket.push(nlmsg({ type: 36, seq: 3, pid: 5 }, Buffer.alloc(20, 7)));
    expect(seen).toEqual([
      expect.objectContaining({
        action: 'new',
        object: 'other',
        origin: 'kernel',
        value: Buffer.alloc(20, 7),
        message: expect.objectContaining({ type: 36, seq: 3, pid: 5 }),
      }),
    ]);
    // RTM_DELQDISC (37) is a del.
    socket.push(nlmsg({ type: 37, seq: 4, pid: 5 }, Buffer.alloc(20)));
    expect(seen[1]).toMatchObject({ action: 'del', object: 'other' });
  });
});

describe('delivery, backpressure and shutdown', () => {
  it('buffers at most maxBuffered events, pauses the socket, resumes at half', async () => {
    const socket = new FakeMonitorSocket();
    const mon = Monitor.fromSocket(socket, { groups: ['ipv4-route'], maxBuffered: 4 });
    for (let i = 0; i < 10; i++) {
      socket.push(routeNotification(RTM_NEWROUTE, { dst: `10.0.${i}.0/24`, oif: 2 }));
    }
    expect(mon.buffered).toBe(4);
    expect(socket.paused).toBe(true);
    expect(mon.paused).toBe(true);
    expect(socket.inbox).toHaveLength(6); // left in the "kernel"
    const it = mon[Symbol.asyncIterator]();
    await it.next();
    expect(socket.paused).toBe(true); // 3 > 2
    await it.next();
    // At half: reading again; the fake delivers the waiting datagrams, up to the limit again.
    expect(mon.buffered).toBe(4);
    expect(socket.inbox).toHaveLength(4);
    const dsts: string[] = [];
    for (let i = 0; i < 8; i++) {
      const { value } = await it.next();
      dsts.push((value as { value: { dst: string } }).value.dst);
    }
    expect(dsts).toEqual(Array.from({ length: 8 }, (_, i) => `10.0.${i + 2}.0/24`));
    expect(socket.paused).toBe(false);
    mon.close();
  });

  it('a listener attached after open first receives what was buffered, in order', async () => {
    const socket = new FakeMonitorSocket();
    const mon = Monitor.fromSocket(socket, { groups: ['ipv4-route'] });
    socket.push(routeNotification(RTM_NEWROUTE, A), routeNotification(RTM_NEWROUTE, B));
    const seen: string[] = [];
    mon.on('route', (e) => seen.push(e.value.dst));
    socket.push(routeNotification(RTM_NEWROUTE, C));
    await tick();
    expect(seen).toEqual(['198.51.100.0/24', '203.0.113.0/24', '192.0.2.0/24']);
    expect(mon.buffered).toBe(0);
  });

  it('leaving a for-await loop closes the monitor and its socket', async () => {
    const socket = new FakeMonitorSocket();
    const mon = Monitor.fromSocket(socket, { groups: ['ipv4-route'] });
    socket.push(routeNotification(RTM_NEWROUTE, A), routeNotification(RTM_NEWROUTE, B));
    for await (const e of mon) {
      expect(e.action).toBe('new');
      break;
    }
    expect(mon.closed).toBe(true);
    expect(socket.closed).toBe(true);
    // Iterating a closed monitor ends at once.
    const after: unknown[] = [];
    for await (const e of mon) after.push(e);
    expect(after).toEqual([]);
  });

  it('close() ends a waiting iteration', async () => {
    const socket = new FakeMonitorSocket();
    const mon = Monitor.fromSocket(socket, { groups: ['ipv4-route'] });
    const it = mon[Symbol.asyncIterator]();
    const pending = it.next();
    mon.close();
    await expect(pending).resolves.toEqual({ done: true, value: undefined });
    expect(socket.closed).toBe(true);
  });

  it('unref() and ref() reach the socket', () => {
    const socket = new FakeMonitorSocket();
    const mon = Monitor.fromSocket(socket, { groups: ['link'] });
    mon.unref();
    expect(socket.referenced).toBe(false);
    mon.ref();
    expect(socket.referenced).toBe(true);
  });

  it('a dump reply for our port and seq is not mistaken for a notification', async () => {
    const { socket, lines } = setup({ listExisting: true });
    await tick();
    const seq = socket.lastSeq;
    // Same seq, but another sender's port: a notification (someone else's request).
    const other = nlmsg(
      { type: RTM_NEWROUTE, seq, pid: PORT + 1 },
      cat(u8(2), u8(24), Buffer.alloc(10), nla(1, Buffer.from([10, 1, 2, 0])), nla(4, u32le(7))),
    );
    socket.push(routeDumpMessage(seq, A), other, done(seq));
    expect(lines()).toEqual([
      'list new 198.51.100.0/24 oif 2',
      'kernel new 10.1.2.0/24 oif 7',
      'synced list',
    ]);
  });
});
