// The Monitor: a socket of its own joined to rtnetlink multicast groups, in any namespace, whose
// notifications come out as typed events, through an async iterator or as EventEmitter events,
// with loss reported (and repaired on request), an initial listing without gap or duplicate,
// and bounded memory for a slow consumer.
import { EventEmitter } from 'node:events';
import { NetlinkEncodeError } from '../netlink/errors.js';
import {
  NETLINK_EXT_ACK,
  NETLINK_GET_STRICT_CHK,
  NETLINK_ROUTE,
  NLM_F_DUMP,
  NLM_F_REQUEST,
  NLMSG_HDRLEN,
  nlmsgAlign,
  SOL_NETLINK,
} from '../netlink/message.js';
import { NetlinkSocket } from '../netlink/socket.js';
import { type NetnsRef, openNetns } from '../ns/index.js';
import { type CoverageId, coverageOfGroups } from './dumps.js';
import { type MonitorGroup, resolveGroups } from './groups.js';
import { Synchronizer } from './sync.js';
import type { MonitorEvent, MonitorEvents, ObjectEvent, TrackedObject } from './types.js';

/** Default receive buffer: 16 MiB (the kernel doubles it), room for some 15 000 notifications. */
export const DEFAULT_MONITOR_RCVBUF = 16 * 1024 * 1024;
/** Default {@link MonitorOptions.maxBuffered}. */
export const DEFAULT_MAX_BUFFERED = 4096;

const TRACKED_OBJECTS: readonly TrackedObject[] = [
  'link',
  'address',
  'route',
  'rule',
  'neighbor',
  'nsid',
];
/** EventEmitter events that carry object events: listening to one starts the flowing mode. */
const DATA_EVENTS = new Set<string | symbol>(['event', 'other', ...TRACKED_OBJECTS]);

/** Options of {@link Monitor.open}. */
export interface MonitorOptions {
  /**
   * The multicast groups to join: names (`'link'`, `'ipv4-ifaddr'`, `'ipv6-route'`, …, see
   * RTNLGRP), aliases (`'address'`, `'route'`, `'rule'`, `'mroute'`, `'netconf'`,
   * `'neighbor'`), RTNLGRP_* numbers, or `'all'` (what `ip monitor all` joins). Default `'all'`.
   */
  groups?: readonly MonitorGroup[] | 'all';
  /**
   * The network namespace to listen in, for the monitor's whole life: a name under /run/netns,
   * a path, an open descriptor, `{ pid }` or a Netns. Default: the caller's.
   */
  netns?: NetnsRef;
  /**
   * The socket's receive buffer in bytes (the kernel doubles it). Notifications that arrive
   * while it is full are lost (reported as `overrun`). Default 16 MiB.
   */
  rcvbuf?: number;
  /**
   * Set `rcvbuf` with SO_RCVBUFFORCE (beyond net.core.rmem_max; needs CAP_NET_ADMIN), falling
   * back to SO_RCVBUF. Default true.
   */
  rcvbufForce?: boolean;
  /**
   * Before live events, deliver every existing object of the subscribed groups as a `new`
   * event of origin `list`, then `synced` (reason 'list'): `true` for every object the groups
   * report, or a list of objects (`['link', 'route']`). Live events during the listing are
   * delivered after it, without gap or duplicate (see sync.ts). Costs the memory of one copy of
   * each listed object's last message for the monitor's life. Default false.
   */
  listExisting?: boolean | readonly TrackedObject[];
  /**
   * After lost messages (`overrun`), re-read every table the groups report and deliver the
   * differences from what was delivered before (`new` for added or changed, `del` for gone;
   * origin `resync`), then `synced` (reason 'resync'). The monitor then keeps a copy of the
   * last message of every object it reports. Default false.
   */
  resync?: boolean;
  /**
   * Events buffered for a consumer that is behind (the async iterator, or before any listener)
   * before the monitor stops reading its socket; it reads again when half of them were taken.
   * While it does not read, the kernel queues up to `rcvbuf`, then drops notifications: an
   * `overrun` (and a resync, when enabled) follows. Also the most live events held back during
   * a listing or resync. Default 4096 (a few MiB).
   */
  maxBuffered?: number;
  /** Size of the reused receive buffer for one datagram; default 256 KiB (see NetlinkSocket). */
  recvBufferSize?: number;
  /**
   * Also listen to every other namespace that has an id (nsid) in the monitor's namespace, as
   * `ip monitor all-nsid` does (NETLINK_LISTEN_ALL_NSID): the groups' notifications from all of
   * them arrive, and every object event carries `nsid`, the id the monitor's namespace gives
   * the namespace it came from, or -1 for the monitor's own. A namespace without an id here
   * is not heard; one that gets an id later is heard from then on.
   *
   * Only the monitor's own namespace is listed and tracked: `listExisting`, `resync` and
   * {@link Monitor.resync} dump its tables alone (their events have nsid -1). Events from other
   * namespaces are delivered as they come (held in order behind a running listing or resync,
   * like any untracked event), never compared with, merged into or dropped as duplicates of
   * the tracked tables. After an overrun, the resync (when on) repairs the monitor's own tables
   * only: what other namespaces said in the lost messages stays lost, and their events keep
   * flowing. Default false.
   */
  allNsid?: boolean;
}

/** What a Monitor needs from its socket: a NetlinkSocket, or a fake kernel in tests. */
export interface MonitorSocket {
  readonly portId: number;
  send(data: Uint8Array): void;
  pause(): void;
  resume(): void;
  ref(): unknown;
  unref(): unknown;
  close(): void;
  addMembership(group: number): void;
  /**
   * Optional (NetlinkSocket has it): hand each datagram in place, valid during the call. The
   * monitor then copies it into pooled memory itself instead of the socket allocating a
   * buffer of its own for every datagram.
   */
  setReceiver?(
    receiver: ((buffer: Buffer, length: number, nsid?: number) => void) | undefined,
  ): void;
  /**
   * With `allNsid`, `nsid` is the datagram's id as NetlinkSocket gives it with `listenAllNsid`
   * (-1 or absent: the socket's own namespace).
   */
  on(event: 'message', listener: (datagram: Buffer, nsid?: number) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
}

interface Resolved {
  groups: number[];
  listing: CoverageId[] | undefined;
  tracked: CoverageId[];
  resync: boolean;
  maxBuffered: number;
  netns: NetnsRef | undefined;
  allNsid: boolean;
}

function bad(path: string, message: string): NetlinkEncodeError {
  return new NetlinkEncodeError('BAD_VALUE', message, path);
}

function checkCount(value: unknown, path: string, min: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > 2 ** 31) {
    throw bad(path, `expected an integer from ${min} to ${2 ** 31}, got ${String(value)}`);
  }
  return value;
}

/** Check every option before anything is opened. */
function resolve(options: MonitorOptions): Resolved {
  if (typeof options !== 'object' || options === null) throw bad('monitor', 'expected an object');
  const groups = resolveGroups(options.groups ?? 'all');
  const resync = options.resync ?? false;
  if (typeof resync !== 'boolean') throw bad('monitor.resync', 'expected true or false');
  const maxBuffered = checkCount(
    options.maxBuffered ?? DEFAULT_MAX_BUFFERED,
    'monitor.maxBuffered',
    1,
  );
  if (options.rcvbuf !== undefined) checkCount(options.rcvbuf, 'monitor.rcvbuf', 0);
  if (options.recvBufferSize !== undefined) {
    checkCount(options.recvBufferSize, 'monitor.recvBufferSize', 16);
  }
  if (options.rcvbufForce !== undefined && typeof options.rcvbufForce !== 'boolean') {
    throw bad('monitor.rcvbufForce', 'expected true or false');
  }
  const allNsid = options.allNsid ?? false;
  if (typeof allNsid !== 'boolean') throw bad('monitor.allNsid', 'expected true or false');
  const all = coverageOfGroups(groups);
  let listing: CoverageId[] | undefined;
  const list = options.listExisting ?? false;
  if (list === true) {
    listing = all;
  } else if (Array.isArray(list)) {
    const objects = new Set<TrackedObject>();
    list.forEach((o: unknown, i) => {
      const path = `monitor.listExisting[${i}]`;
      if (typeof o !== 'string' || !TRACKED_OBJECTS.includes(o as TrackedObject)) {
        throw bad(path, `expected one of ${TRACKED_OBJECTS.join(', ')}, got ${String(o)}`);
      }
      if (coverageOfGroups(groups, new Set([o as TrackedObject])).length === 0) {
        throw bad(path, `no subscribed group reports ${o}`);
      }
      objects.add(o as TrackedObject);
    });
    listing = coverageOfGroups(groups, objects);
  } else if (list !== false) {
    throw bad('monitor.listExisting', 'expected true, false or a list of objects');
  }
  const tracked = [...new Set([...(resync ? all : []), ...(listing ?? [])])];
  return { groups, listing, tracked, resync, maxBuffered, netns: options.netns, allNsid };
}

function isObjectEvent(event: MonitorEvent): event is ObjectEvent {
  return event.action === 'new' || event.action === 'del';
}

const DONE: IteratorResult<MonitorEvent> = { done: true, value: undefined };

/**
 * Live rtnetlink events from one network namespace (with `allNsid`, also from every namespace
 * that has an id in it).
 *
 * ```ts
 * await using mon = await Monitor.open({ groups: ['link', 'route'], listExisting: true });
 * for await (const e of mon) {
 *   if (e.action === 'new' || e.action === 'del') console.log(e.action, e.object, e.value);
 *   else if (e.action === 'overrun') console.warn('events were lost');
 * }
 * ```
 *
 * Two ways to consume, as with Node streams: iterate (`for await`), which yields every
 * {@link MonitorEvent} (object events, `overrun`, `synced`, `error`) and is bounded by
 * `maxBuffered`; or listen (`mon.on('event' | 'link' | 'route' | …, e => …)`), which switches
 * the monitor to flowing mode: object events are emitted as they are decoded (the ones buffered
 * before the first listener first). `'overrun'`, `'synced'`, `'error'` and `'close'` are
 * emitted as they happen in both modes; `'error'` only while someone listens. Leaving the loop
 * (`break`) closes the monitor. A monitor keeps the process alive until closed, unless
 * {@link Monitor.unref}ed.
 *
 * Backpressure: at most `maxBuffered` events wait for the iterator (plus the rest of the
 * datagram being read); then the monitor stops reading, the kernel queues up to `rcvbuf` and
 * then drops notifications, which is reported as `overrun` when reading resumes, and repaired
 * when `resync` is on.
 */
export class Monitor
  extends EventEmitter<MonitorEvents>
  implements AsyncIterable<MonitorEvent>, Disposable, AsyncDisposable
{
  /** The RTNLGRP_* numbers joined. */
  readonly groups: readonly number[];
  /** The namespace given to {@link Monitor.open} (undefined: the caller's). */
  readonly netns: NetnsRef | undefined;
  /** See {@link MonitorOptions.maxBuffered}. */
  readonly maxBuffered: number;
  /** Whether events from other namespaces are heard ({@link MonitorOptions.allNsid}). */
  readonly allNsid: boolean;

  readonly #socket: MonitorSocket;
  readonly #sync: Synchronizer;
  #queue: MonitorEvent[] = [];
  #head = 0;
  #waiter: ((result: IteratorResult<MonitorEvent>) => void) | undefined;
  #flowing = false;
  #iterating = false;
  #closed = false;
  #backpressure = false;
  #userPaused = false;
  #drainCheck = false;

  private constructor(socket: MonitorSocket, resolved: Resolved) {
    super();
    this.#socket = socket;
    this.groups = resolved.groups;
    this.netns = resolved.netns;
    this.maxBuffered = resolved.maxBuffered;
    this.allNsid = resolved.allNsid;
    this.#sync = new Synchronizer(
      {
        portId: socket.portId,
        netns: resolved.netns,
        sendDump: (type, payload, seq) => this.#sendDump(type, payload, seq),
        deliver: (event) => this.#deliver(event),
      },
      {
        tracked: resolved.tracked,
        resync: resolved.resync,
        maxHeld: resolved.maxBuffered,
        allNsid: resolved.allNsid,
      },
    );
    (this as EventEmitter).on('newListener', (name: string | symbol) => {
      if (this.#flowing || !DATA_EVENTS.has(name)) return;
      this.#flowing = true;
      // After the listener is in place: hand it what was buffered before it came.
      queueMicrotask(() => this.#flush());
    });
    if (typeof socket.setReceiver === 'function') {
      // Events keep their message bytes: copy each datagram once, into Node's buffer pool
      // (one allocation per 8 KiB of small notifications rather than one per datagram).
      socket.setReceiver((buffer, length, nsid) => {
        const datagram = Buffer.allocUnsafe(length);
        buffer.copy(datagram, 0, 0, length);
        this.#sync.onDatagram(datagram, nsid);
        this.#checkDrained();
      });
    } else {
      socket.on('message', (datagram: Buffer, nsid?: number) => {
        this.#sync.onDatagram(datagram, nsid);
        this.#checkDrained();
      });
    }
    socket.on('error', (error: Error) => this.#onSocketError(error));
    // Subscribe first, then list: every change from now on is either in the dump or notified.
    for (const group of resolved.groups) socket.addMembership(group);
    if (resolved.listing) this.#sync.list(resolved.listing);
  }

  /**
   * Open a monitor: a NETLINK_ROUTE socket of its own in `options.netns`, joined to the
   * groups, and (with `listExisting`) the initial listing started.
   *
   * @throws {NetlinkEncodeError} BAD_VALUE naming the option (`monitor.groups[2]`,
   *   `monitor.maxBuffered`, …) before anything is opened.
   * @throws {NetlinkSocketError} when the namespace or the socket cannot be opened.
   */
  static async open(options: MonitorOptions = {}): Promise<Monitor> {
    const resolved = resolve(options);
    const socketOptions = {
      rcvbuf: options.rcvbuf ?? DEFAULT_MONITOR_RCVBUF,
      rcvbufForce: options.rcvbufForce ?? true,
      ...(options.recvBufferSize !== undefined ? { recvBufferSize: options.recvBufferSize } : {}),
      listenAllNsid: resolved.allNsid,
    };
    let socket: NetlinkSocket;
    if (options.netns === undefined) {
      socket = NetlinkSocket.open(NETLINK_ROUTE, socketOptions);
    } else {
      const ns = openNetns(options.netns);
      try {
        socket = NetlinkSocket.open(NETLINK_ROUTE, { ...socketOptions, netns: ns.fd });
      } finally {
        // The socket keeps the namespace alive.
        ns.close();
      }
    }
    try {
      // Dumps explain refusals, and check their headers strictly.
      socket.setsockopt(SOL_NETLINK, NETLINK_EXT_ACK, 1);
      socket.setsockopt(SOL_NETLINK, NETLINK_GET_STRICT_CHK, 1);
      return new Monitor(socket, resolved);
    } catch (error) {
      socket.close();
      throw error;
    }
  }

  /**
   * A monitor over a socket you provide (a fake kernel in tests). `netns` only labels the
   * events; the socket options are yours to set (with `allNsid`, NETLINK_LISTEN_ALL_NSID too:
   * the socket must then pass each datagram's nsid to its receiver or `'message'` listener,
   * and a datagram without one counts as the monitor's own namespace).
   *
   * @throws {NetlinkEncodeError} BAD_VALUE for a bad option.
   */
  static fromSocket(
    socket: MonitorSocket,
    options: Omit<MonitorOptions, 'rcvbuf' | 'rcvbufForce' | 'recvBufferSize'> = {},
  ): Monitor {
    return new Monitor(socket, resolve(options));
  }

  /** The socket's port id. */
  get portId(): number {
    return this.#socket.portId;
  }

  /** Events waiting for the iterator. */
  get buffered(): number {
    return this.#queue.length - this.#head;
  }

  /** Whether the monitor is not reading its socket (backpressure or {@link Monitor.pause}). */
  get paused(): boolean {
    return !this.#closed && (this.#backpressure || this.#userPaused);
  }

  /** Whether a listing or resync is running (or, after an overrun, about to). */
  get syncing(): boolean {
    return this.#sync.syncing;
  }

  /** Objects whose last message is kept (with `listExisting` or `resync`). */
  get tracked(): number {
    return this.#sync.trackedCount;
  }

  /** Whether {@link Monitor.close} was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Stop reading the socket (the kernel buffers, then drops: see `maxBuffered`). */
  pause(): this {
    this.#userPaused = true;
    if (!this.#closed) this.#socket.pause();
    return this;
  }

  /** Read again after {@link Monitor.pause}. */
  resume(): this {
    this.#userPaused = false;
    if (!this.#closed && !this.#backpressure) this.#socket.resume();
    return this;
  }

  /**
   * Re-read every tracked table now and deliver the differences (needs `resync` or
   * `listExisting`; otherwise only `synced` follows).
   */
  resync(): void {
    if (!this.#closed) this.#sync.resync();
  }

  /** Let the process exit while the monitor is open. */
  unref(): this {
    if (!this.#closed) this.#socket.unref();
    return this;
  }

  /** Keep the process alive while the monitor is open (the default). */
  ref(): this {
    if (!this.#closed) this.#socket.ref();
    return this;
  }

  /**
   * Close the socket; idempotent. Buffered events are dropped, a waiting iterator finishes,
   * and `'close'` follows on the next tick.
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#sync.close();
    this.#queue = [];
    this.#head = 0;
    const waiter = this.#waiter;
    this.#waiter = undefined;
    waiter?.(DONE);
    process.nextTick(() => this.emit('close'));
    this.#socket.close();
  }

  [Symbol.dispose](): void {
    this.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
  }

  /**
   * Iterate over every event (one iterator at a time). Ending the loop early (`break`,
   * `return`, a throw) closes the monitor; closing the monitor ends the loop.
   */
  [Symbol.asyncIterator](): AsyncIterableIterator<MonitorEvent> {
    if (this.#iterating) throw new TypeError('Monitor: only one async iterator at a time');
    this.#iterating = true;
    const iterator: AsyncIterableIterator<MonitorEvent> = {
      next: () => this.#next(),
      return: () => {
        this.close();
        this.#iterating = false;
        return Promise.resolve(DONE);
      },
      [Symbol.asyncIterator]() {
        return iterator;
      },
    };
    return iterator;
  }

  #next(): Promise<IteratorResult<MonitorEvent>> {
    if (this.#head < this.#queue.length) {
      const value = this.#queue[this.#head]!;
      this.#queue[this.#head++] = undefined as never;
      if (this.#head === this.#queue.length) {
        this.#queue.length = 0;
        this.#head = 0;
      } else if (this.#head >= 1024 && this.#head * 2 >= this.#queue.length) {
        this.#queue.splice(0, this.#head);
        this.#head = 0;
      }
      this.#relieve();
      return Promise.resolve({ done: false, value });
    }
    if (this.#closed) return Promise.resolve(DONE);
    if (this.#waiter) {
      return Promise.reject(new Error('Monitor: next() called before the previous one settled'));
    }
    return new Promise((resolve) => {
      this.#waiter = resolve;
    });
  }

  #deliver(event: MonitorEvent): void {
    if (this.#closed) return;
    // Flowing mode began and the buffer has not been handed over yet: first things first.
    if (this.#flowing && !this.#iterating && this.#head < this.#queue.length) this.#flush();
    if (isObjectEvent(event)) {
      if (this.#flowing) this.#emitObject(event);
    } else {
      this.#emitSignal(event);
    }
    if (this.#flowing && !this.#iterating) return;
    const waiter = this.#waiter;
    if (waiter && this.#head === this.#queue.length) {
      this.#waiter = undefined;
      waiter({ done: false, value: event });
      return;
    }
    this.#queue.push(event);
    if (!this.#backpressure && this.#queue.length - this.#head >= this.maxBuffered) {
      this.#backpressure = true;
      this.#socket.pause();
    }
  }

  #emitObject(event: ObjectEvent): void {
    this.emit('event', event);
    (this.emit as (name: string, e: ObjectEvent) => boolean)(event.object, event);
  }

  #emitSignal(event: Exclude<MonitorEvent, ObjectEvent>): void {
    switch (event.action) {
      case 'overrun':
        this.emit('overrun', event);
        break;
      case 'synced':
        this.emit('synced', event);
        break;
      case 'error':
        if (this.listenerCount('error') > 0) this.emit('error', event.error, event);
        break;
    }
  }

  /** Flowing mode began: emit the object events buffered so far (signals were emitted). */
  #flush(): void {
    if (this.#iterating || this.#closed) return;
    const queue = this.#queue;
    const head = this.#head;
    this.#queue = [];
    this.#head = 0;
    for (let i = head; i < queue.length && !this.#closed; i++) {
      const event = queue[i]!;
      if (isObjectEvent(event)) this.#emitObject(event);
    }
    this.#relieve();
  }

  /** Read again once the consumer took half of what was buffered. */
  #relieve(): void {
    if (!this.#backpressure || this.#queue.length - this.#head > this.maxBuffered >>> 1) return;
    this.#backpressure = false;
    if (!this.#closed && !this.#userPaused) this.#socket.resume();
  }

  #onSocketError(error: Error): void {
    if (this.#closed) return;
    const code = (error as { code?: unknown }).code;
    // ENOBUFS: the kernel dropped notifications. EMSGSIZE: a datagram did not fit the receive
    // buffer and is lost. Either way something was missed.
    if (code === 'ENOBUFS' || code === 'EMSGSIZE') {
      this.#sync.overrun(error);
      this.#checkDrained();
    } else {
      this.#deliver({ action: 'error', error, netns: this.netns });
    }
  }

  /**
   * After the socket's read loop (microtasks run once the poll callback returns): if it ended
   * without our pausing it, it met EAGAIN — the kernel's queue for us is empty.
   */
  #checkDrained(): void {
    if (this.#drainCheck) return;
    this.#drainCheck = true;
    queueMicrotask(() => {
      this.#drainCheck = false;
      if (!this.#closed && !this.#backpressure && !this.#userPaused) this.#sync.drained();
    });
  }

  #sendDump(type: number, payload: Buffer, seq: number): void {
    const length = NLMSG_HDRLEN + payload.length;
    const request = Buffer.alloc(nlmsgAlign(length));
    request.writeUInt32LE(length, 0);
    request.writeUInt16LE(type, 4);
    request.writeUInt16LE(NLM_F_REQUEST | NLM_F_DUMP, 6);
    request.writeUInt32LE(seq, 8);
    payload.copy(request, NLMSG_HDRLEN);
    this.#socket.send(request);
  }
}
