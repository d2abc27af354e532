// `allNsid` against a scripted kernel: datagrams arrive as a NETLINK_LISTEN_ALL_NSID socket reads
// them, each with the nsid of the namespace it came from (-1: the monitor's own). Events must
// carry that nsid; dumps (listing, resync) read only the monitor's own namespace, so events from
// other namespaces must never touch the tracked tables, however their keys collide. Messages are
// built byte by byte with the independent builder.
import { describe, expect, it } from 'vitest';
import { Monitor } from '../../src/monitor/monitor.js';
import type { MonitorEvent } from '../../src/monitor/types.js';
import { NetlinkEncodeError } from '../../src/netlink/errors.js';
import { nlmsg, u8 } from '../helpers/bytes.js';
import {
  done,
  FakeMonitorSocket,
  NLM_F_CREATE,
  PORT,
  type RouteBytes,
  RTM_DELROUTE,
  RTM_NEWROUTE,
  routeDumpMessage,
  routeNotification,
} from './fake.js';
import { Table } from './helpers.js';

const R1: RouteBytes = { dst: '198.51.100.0/24', oif: 2 };
const R1b: RouteBytes = { dst: '198.51.100.0/24', oif: 3 };
const R2: RouteBytes = { dst: '203.0.113.0/24', oif: 2 };

const tick = () => new Promise((r) => setImmediate(r));

function setup(options: Parameters<typeof Monitor.fromSocket>[1] = {}) {
  const socket = new FakeMonitorSocket();
  const mon = Monitor.fromSocket(socket, { groups: ['ipv4-route'], ...options });
  const events: MonitorEvent[] = [];
  const own = new Table();
  mon.on('event', (e) => {
    events.push(e);
    if (e.nsid === undefined || e.nsid === -1) own.apply(e);
  });
  mon.on('overrun', (e) => events.push(e));
  mon.on('synced', (e) => events.push(e));
  mon.on('error', (_, e) => events.push(e));
  const lines = () =>
    events.map((e) => {
      if (e.action === 'error') return `error nsid=${e.nsid}`;
      if (e.action === 'synced') return `synced ${e.reason}`;
      if (e.action === 'overrun') return `overrun resync=${e.resync}`;
      const r = e.value as { dst: string; attributes: { oif?: number } };
      return `[${e.nsid}] ${e.origin} ${e.action} ${r.dst} oif ${r.attributes.oif}`;
    });
  return { socket, mon, events, own, lines };
}

describe('allNsid: the nsid on events', () => {
  it('labels each kernel event with the nsid its datagram came with; none at all means -1', () => {
    const { socket, lines } = setup({ allNsid: true });
    socket.pushFrom(7, routeNotification(RTM_NEWROUTE, R1, NLM_F_CREATE));
    socket.pushFrom(-1, routeNotification(RTM_NEWROUTE, R2, NLM_F_CREATE));
    socket.push(routeNotification(RTM_DELROUTE, R2));
    socket.pushFrom(0, routeNotification(RTM_DELROUTE, R1));
    expect(lines()).toEqual([
      '[7] kernel new 198.51.100.0/24 oif 2',
      '[-1] kernel new 203.0.113.0/24 oif 2',
      '[-1] kernel del 203.0.113.0/24 oif 2',
      '[0] kernel del 198.51.100.0/24 oif 2',
    ]);
  });

  it('every message of a datagram gets its nsid', () => {
    const { socket, events } = setup({ allNsid: true });
    socket.pushFrom(
      3,
      Buffer.concat([
        routeNotification(RTM_NEWROUTE, R1, NLM_F_CREATE),
        routeNotification(RTM_NEWROUTE, R2, NLM_F_CREATE),
      ]),
    );
    expect(events.map((e) => (e.action === 'new' ? e.nsid : 'x'))).toEqual([3, 3]);
  });

  it('without allNsid the field is absent, whatever the socket passes', () => {
    const { socket, events, mon } = setup();
    socket.push(routeNotification(RTM_NEWROUTE, R1, NLM_F_CREATE));
    socket.pushFrom(-1, routeNotification(RTM_NEWROUTE, R2, NLM_F_CREATE));
    expect(mon.allNsid).toBe(false);
    expect(events).toHaveLength(2);
    for (const e of events) expect('nsid' in e).toBe(false);
  });

  it('a message from another namespace that does not decode: an error event with its nsid', () => {
    const { socket, lines } = setup({ allNsid: true });
    // RTM_NEWROUTE with a 2-byte body: shorter than struct rtmsg.
    socket.pushFrom(9, nlmsg({ type: RTM_NEWROUTE, seq: 1, pid: 1 }, u8(2), u8(24)));
    expect(lines()).toEqual(['error nsid=9']);
  });

  it('rejects a non-boolean allNsid, naming the option', () => {
    const socket = new FakeMonitorSocket();
    let caught: unknown;
    try {
      Monitor.fromSocket(socket, { allNsid: 'yes' as unknown as boolean });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(NetlinkEncodeError);
    expect(caught).toMatchObject({ code: 'BAD_VALUE', path: 'monitor.allNsid' });
    expect(socket.groups).toEqual([]);
  });
});

describe('allNsid with listExisting and resync: only the own namespace is tracked', () => {
  it('list events say -1; a colliding route from another namespace passes through untracked', async () => {
    const { socket, mon, lines, own } = setup({ allNsid: true, listExisting: true });
    await tick();
    const seq = socket.lastSeq;
    socket.pushFrom(-1, routeDumpMessage(seq, R1), done(seq));
    expect(mon.tracked).toBe(1);
    // Namespace 4 has a route with the same key: new, changed, deleted there.
    socket.pushFrom(4, routeNotification(RTM_NEWROUTE, R1, NLM_F_CREATE));
    socket.pushFrom(4, routeNotification(RTM_NEWROUTE, R1b, NLM_F_CREATE));
    socket.pushFrom(4, routeNotification(RTM_DELROUTE, R1b));
    // And one that the monitor's namespace never had: its del is delivered all the same.
    socket.pushFrom(4, routeNotification(RTM_DELROUTE, R2));
    expect(lines()).toEqual([
      '[-1] list new 198.51.100.0/24 oif 2',
      'synced list',
      '[4] kernel new 198.51.100.0/24 oif 2', // not dropped as a duplicate of ours
      '[4] kernel new 198.51.100.0/24 oif 3',
      '[4] kernel del 198.51.100.0/24 oif 3',
      '[4] kernel del 203.0.113.0/24 oif 2', // not dropped as the del of an untracked object
    ]);
    // Our own table is untouched: the same route, and a resync finds nothing to say.
    expect(mon.tracked).toBe(1);
    expect([...own.rows.keys()]).toHaveLength(1);
    mon.resync();
    await tick();
    const again = socket.lastSeq;
    expect(again).not.toBe(seq);
    socket.pushFrom(-1, routeDumpMessage(again, R1), done(again));
    expect(lines().slice(6)).toEqual(['synced resync']);
  });

  it('other namespaces are held behind a running listing, in order, and released after it', async () => {
    const { socket, lines } = setup({ allNsid: true, listExisting: true });
    await tick();
    const seq = socket.lastSeq;
    socket.pushFrom(-1, routeDumpMessage(seq, R1));
    socket.pushFrom(2, routeNotification(RTM_NEWROUTE, R2, NLM_F_CREATE));
    socket.pushFrom(-1, done(seq));
    expect(lines()).toEqual([
      '[-1] list new 198.51.100.0/24 oif 2',
      '[2] kernel new 203.0.113.0/24 oif 2',
      'synced list',
    ]);
  });

  it("a message from another namespace with our dump's seq and port id is not taken for a dump reply", async () => {
    const { socket, lines } = setup({ allNsid: true, listExisting: true });
    await tick();
    const seq = socket.lastSeq;
    socket.pushFrom(6, routeDumpMessage(seq, R2)); // seq and pid (PORT) of our dump
    socket.pushFrom(-1, routeDumpMessage(seq, R1), done(seq));
    expect(lines()).toEqual([
      '[-1] list new 198.51.100.0/24 oif 2',
      '[6] kernel new 203.0.113.0/24 oif 2',
      'synced list',
    ]);
    expect(PORT).toBeGreaterThan(0);
  });

  it('after an overrun, the resync re-reads the own tables only; other namespaces keep flowing', async () => {
    const { socket, lines, mon } = setup({ allNsid: true, listExisting: true, resync: true });
    await tick();
    let seq = socket.lastSeq;
    socket.pushFrom(-1, routeDumpMessage(seq, R1), done(seq));
    socket.emit('error', Object.assign(new Error('recvmsg: ENOBUFS'), { code: 'ENOBUFS' }));
    // Read after the loss, before the new dump: ours is stale (the dump will say it), theirs is
    // delivered (no dump of ours can say it).
    socket.pushFrom(-1, routeNotification(RTM_NEWROUTE, R1b, NLM_F_CREATE));
    socket.pushFrom(8, routeNotification(RTM_NEWROUTE, R2, NLM_F_CREATE));
    await tick();
    expect(socket.sent).toHaveLength(2); // the listing, and one resync dump of ours
    seq = socket.lastSeq;
    socket.pushFrom(-1, routeDumpMessage(seq, R1b), done(seq));
    expect(lines()).toEqual([
      '[-1] list new 198.51.100.0/24 oif 2',
      'synced list',
      'overrun resync=true',
      '[8] kernel new 203.0.113.0/24 oif 2',
      '[-1] resync new 198.51.100.0/24 oif 3',
      'synced resync',
    ]);
    expect(mon.tracked).toBe(1);
  });

  it('a del the resync makes for the own namespace says -1', async () => {
    const { socket, lines } = setup({ allNsid: true, resync: true });
    socket.pushFrom(-1, routeNotification(RTM_NEWROUTE, R2, NLM_F_CREATE));
    socket.emit('error', Object.assign(new Error('recvmsg: ENOBUFS'), { code: 'ENOBUFS' }));
    await tick();
    socket.pushFrom(-1, done(socket.lastSeq));
    expect(lines()).toEqual([
      '[-1] kernel new 203.0.113.0/24 oif 2',
      'overrun resync=true',
      '[-1] resync del 203.0.113.0/24 oif 2',
      'synced resync',
    ]);
  });
});
