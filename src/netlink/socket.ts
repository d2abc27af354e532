// The dgram-like face of the native shim: one netlink socket, datagrams in and out. It knows
// nothing of message framing, sequence numbers or acks (connection.ts owns those).

import { EventEmitter } from 'node:events';
import { closeSync, openSync } from 'node:fs';
import { NetlinkSocketError } from './errors.js';
import { type Addon, loadAddon, toSocketError, type Watcher } from './native.js';

export { exitNow } from './native.js';

// Option numbers, local so this module needs nothing from the codec (message.ts exports the
// netlink ones for everybody else).
const SOL_SOCKET = 1; // <asm-generic/socket.h>
const SO_RCVBUF = 8;
const SO_RCVBUFFORCE = 33; // like SO_RCVBUF but past net.core.rmem_max; needs CAP_NET_ADMIN
const SOL_NETLINK = 270; // <linux/socket.h>
const NETLINK_ADD_MEMBERSHIP = 1; // <linux/netlink.h>; the value is a group number, not a mask
const NETLINK_DROP_MEMBERSHIP = 2;
const NETLINK_LISTEN_ALL_NSID = 8;

// Errnos the read loop tells apart (<asm-generic/errno-base.h>, <asm-generic/errno.h>).
const EPERM = 1;
const EAGAIN = 11;
const EMSGSIZE = 90;
const ENOBUFS = 105;

/** NLMSG_HDRLEN: nothing smaller can hold a netlink message. */
const MIN_RECV_BUFFER = 16;
const DEFAULT_RECV_BUFFER = 256 * 1024;
const MAX_RECV_BUFFER = 1 << 30;

// The async iterator pauses the socket when this many datagrams wait unread, and resumes at half.
const ITERATOR_HIGH_WATER = 64;

/** Options for {@link NetlinkSocket.open}. */
export interface NetlinkSocketOptions {
  /** Legacy multicast groups as a bitmask for bind() (groups 1–32); default none. */
  groups?: number | undefined;
  /** SO_RCVBUF in bytes (the kernel doubles it for bookkeeping); default: the kernel's. */
  rcvbuf?: number | undefined;
  /** Set `rcvbuf` with SO_RCVBUFFORCE first (beyond rmem_max), falling back on EPERM. */
  rcvbufForce?: boolean | undefined;
  /** Namespace to open the socket in: a path such as `/run/netns/NAME`, or an open fd. */
  netns?: string | number | undefined;
  /**
   * Size in bytes of the receive buffer reused for every recvmsg; default 256 KiB. Keep it at
   * 64 KiB or more: a datagram longer than this is lost ('error' with code EMSGSIZE), and the
   * kernel only fills dump datagrams up to 32 KiB once a reader offered that much.
   */
  recvBufferSize?: number | undefined;
  /**
   * Set NETLINK_LISTEN_ALL_NSID: the socket also receives the notifications of its groups from
   * every other namespace that has an id (nsid) in its own, and each datagram is read with its
   * control messages so that the id reaches the receiver and `'message'` as `nsid` (-1 for the
   * socket's own namespace, replies and acks). Notifications from a namespace without an id
   * here never arrive. Needs CAP_NET_BROADCAST in the other namespace's user namespace. Default
   * false: the plain read path, which reads no control messages.
   */
  listenAllNsid?: boolean | undefined;
}

/**
 * Takes each datagram in place: `buffer` is the socket's reused receive buffer and the datagram
 * is its first `length` bytes. They are valid only until the call returns (the next recvmsg
 * overwrites them): copy whatever must outlive it. `nsid` is given only by a socket opened with
 * `listenAllNsid`: the id the socket's namespace gives the namespace the datagram came from, or
 * -1 when it came from the socket's own namespace (or is a reply or an ack); otherwise it is
 * `undefined`.
 */
export type DatagramReceiver = (buffer: Buffer, length: number, nsid?: number) => void;

/** Events of a {@link NetlinkSocket}. */
export interface NetlinkSocketEvents {
  /**
   * One datagram (possibly many netlink messages), in a Buffer the listener may keep; `nsid`
   * as for {@link DatagramReceiver} (only with `listenAllNsid`).
   */
  message: [datagram: Buffer, nsid?: number];
  /** A receive-side failure; the socket stays usable. */
  error: [error: NetlinkSocketError];
  /** The socket was closed. */
  close: [];
}

/**
 * A netlink socket: datagrams to and from the kernel, read as they arrive through the event
 * loop. Created with {@link NetlinkSocket.open}.
 *
 * Events:
 * - `'message'` `(datagram: Buffer, nsid?: number)`: one datagram, copied out of the reused
 *   receive buffer. A receiver set with {@link NetlinkSocket.setReceiver} sees it first, in
 *   place and uncopied; the copy is then made only while `'message'` has listeners. `nsid`
 *   comes only with `listenAllNsid` (see {@link DatagramReceiver}).
 * - `'error'` `(error: NetlinkSocketError)`: code `ENOBUFS` when the kernel dropped messages
 *   because the receive queue overflowed (multicast listeners must resync), `EMSGSIZE` when a
 *   datagram was longer than the receive buffer (it is lost), or another errno from recvmsg.
 *   The socket keeps working. As with every EventEmitter, an 'error' with no listener is thrown:
 *   from the event loop that is an uncaught exception, so always listen for 'error'.
 * - `'close'`: after {@link NetlinkSocket.close}, on the next tick.
 */
export class NetlinkSocket extends EventEmitter<NetlinkSocketEvents> {
  /** Netlink protocol number given to socket(2), e.g. NETLINK_ROUTE (0). */
  readonly protocol: number;
  /** Port id the kernel assigned at bind (nl_pid); replies are addressed to it. */
  readonly portId: number;

  readonly #native: Addon;
  readonly #fd: number;
  readonly #watcher: Watcher;
  readonly #buffer: Buffer;
  /** With listenAllNsid: where the shim writes each datagram's nsid (reused, never realloc'd). */
  readonly #nsid: Int32Array | undefined;
  #receiver: DatagramReceiver | undefined;
  /** A read loop is running (a listener that reads again must not reuse its buffer). */
  #draining = false;
  #closed = false;
  #paused = false;

  private constructor(
    native: Addon,
    fd: number,
    protocol: number,
    portId: number,
    size: number,
    allNsid: boolean,
  ) {
    super();
    this.#native = native;
    this.#fd = fd;
    this.protocol = protocol;
    this.portId = portId;
    // Allocated once, outside Node's Buffer pool: every recvmsg lands here and only the bytes
    // received are copied out.
    this.#buffer = Buffer.allocUnsafeSlow(size);
    this.#nsid = allNsid ? new Int32Array(1) : undefined;
    this.#watcher = native.watch(fd, (status) => this.#onPoll(status));
  }

  /**
   * Opens and binds a netlink socket (the kernel picks the port id) and starts reading.
   *
   * @param protocol netlink protocol, e.g. NETLINK_ROUTE (0).
   * @throws {NetlinkSocketError} code `ERR_RTNL_ADDON` when the native addon cannot load, or
   *   the errno of the failed system call (`EPERM`, `EPROTONOSUPPORT`, `ENOENT` for a missing
   *   namespace path, …).
   * @throws {TypeError | RangeError} for malformed arguments.
   */
  static open(protocol: number, options: NetlinkSocketOptions = {}): NetlinkSocket {
    checkInteger('protocol', protocol, 0, 31); // MAX_LINKS is 32
    const groups = options.groups ?? 0;
    checkInteger('options.groups', groups, 0, 0xffffffff);
    const size = options.recvBufferSize ?? DEFAULT_RECV_BUFFER;
    checkInteger('options.recvBufferSize', size, MIN_RECV_BUFFER, MAX_RECV_BUFFER);
    if (options.rcvbuf !== undefined) checkInteger('options.rcvbuf', options.rcvbuf, 0, 0x7fffffff);
    const { netns } = options;
    if (typeof netns === 'number') checkInteger('options.netns', netns, 0, 0x7fffffff);
    else if (netns !== undefined && typeof netns !== 'string') {
      throw new TypeError('options.netns must be a path or a file descriptor');
    }
    const allNsid = options.listenAllNsid ?? false;
    if (typeof allNsid !== 'boolean')
      throw new TypeError('options.listenAllNsid must be a boolean');

    const native = loadAddon();
    let fd: number;
    if (typeof netns === 'string') {
      let nsFd: number;
      try {
        nsFd = openSync(netns, 'r');
      } catch (error) {
        throw toSocketError(error, netns);
      }
      try {
        fd = native.open(protocol, nsFd);
      } catch (error) {
        throw toSocketError(error, `(netns ${netns})`);
      } finally {
        // The socket holds its own reference to the namespace.
        closeSync(nsFd);
      }
    } else {
      try {
        fd = native.open(protocol, netns ?? -1);
      } catch (error) {
        throw toSocketError(error);
      }
    }

    try {
      if (options.rcvbuf !== undefined)
        setReceiveBuffer(native, fd, options.rcvbuf, options.rcvbufForce === true);
      // Before bind, which may join groups (`groups`): every notification then has its nsid.
      if (allNsid) native.setsockopt(fd, SOL_NETLINK, NETLINK_LISTEN_ALL_NSID, 1);
      const portId = native.bind(fd, groups);
      return new NetlinkSocket(native, fd, protocol, portId, size, allNsid);
    } catch (error) {
      try {
        native.close(fd);
      } catch {
        // The failure that brought us here is the one worth reporting.
      }
      throw toSocketError(error);
    }
  }

  /** The socket's file descriptor, or -1 once closed (the number may already be reused). */
  get fd(): number {
    return this.#closed ? -1 : this.#fd;
  }

  /** Whether {@link NetlinkSocket.close} was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Whether the socket was opened with `listenAllNsid` (NETLINK_LISTEN_ALL_NSID). */
  get listenAllNsid(): boolean {
    return this.#nsid !== undefined;
  }

  /** Whether reading is paused ({@link NetlinkSocket.pause}). */
  get paused(): boolean {
    return this.#paused;
  }

  /**
   * Sends one datagram to the kernel (it may hold several netlink messages). rtnetlink handles
   * the request inside this call, so its replies are already queued when it returns.
   *
   * @throws {NetlinkSocketError} `ERR_RTNL_CLOSED` after close, or the errno of sendto(2).
   */
  send(data: Uint8Array): void {
    if (!(data instanceof Uint8Array)) throw new TypeError('data must be a Uint8Array or Buffer');
    this.#assertOpen();
    const sent = this.#native.send(this.#fd, data, 0, data.byteLength);
    if (sent < 0) throw NetlinkSocketError.fromErrno(-sent, 'sendto');
  }

  /**
   * Synchronously reads what the kernel has queued, emitting `'message'` (and `'error'`) for
   * each datagram, until the queue is empty, `limit` datagrams were read, or a listener paused
   * or closed the socket. Does nothing while paused or closed.
   *
   * @returns the number of datagrams read (a truncated one counts).
   */
  receiveNow(limit = Number.POSITIVE_INFINITY): number {
    return this.#drain(limit);
  }

  /**
   * Takes datagrams in place rather than as copies: `receiver(buffer, length)` is called with
   * the reused receive buffer for every datagram read, before any `'message'` listener (with
   * `listenAllNsid`: `receiver(buffer, length, nsid)`). The bytes are valid only during the
   * call. `'message'` is then emitted (with a copy) only while it has listeners, so a receiver
   * alone costs no allocation per datagram. `undefined` removes it. A request engine uses this to match acks and decode dumps where they landed.
   */
  setReceiver(receiver: DatagramReceiver | undefined): void {
    if (receiver !== undefined && typeof receiver !== 'function') {
      throw new TypeError('receiver must be a function');
    }
    this.#receiver = receiver;
  }

  /** Stops reading: datagrams wait in the kernel until {@link NetlinkSocket.resume}. */
  pause(): void {
    if (this.#closed || this.#paused) return;
    this.#paused = true;
    this.#native.pause(this.#watcher);
  }

  /** Starts reading again after {@link NetlinkSocket.pause}. */
  resume(): void {
    if (this.#closed || !this.#paused) return;
    this.#paused = false;
    this.#native.resume(this.#watcher);
  }

  /**
   * Joins multicast group `group` (a number such as RTNLGRP_LINK, not a bitmask).
   * @throws {NetlinkSocketError}
   */
  addMembership(group: number): void {
    this.setsockopt(SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, group);
  }

  /**
   * Leaves multicast group `group`.
   * @throws {NetlinkSocketError}
   */
  dropMembership(group: number): void {
    this.setsockopt(SOL_NETLINK, NETLINK_DROP_MEMBERSHIP, group);
  }

  /**
   * setsockopt(2) with an int value, e.g. `(SOL_NETLINK, NETLINK_EXT_ACK, 1)`.
   * @throws {NetlinkSocketError}
   */
  setsockopt(level: number, name: number, value: number): void {
    this.#assertOpen();
    try {
      this.#native.setsockopt(this.#fd, level, name, value);
    } catch (error) {
      throw toSocketError(error);
    }
  }

  /**
   * getsockopt(2) of an int-valued option, e.g. `(SOL_SOCKET, SO_RCVBUF)`.
   * @throws {NetlinkSocketError}
   */
  getsockopt(level: number, name: number): number {
    this.#assertOpen();
    try {
      return this.#native.getsockopt(this.#fd, level, name);
    } catch (error) {
      throw toSocketError(error);
    }
  }

  /** Lets the socket keep the process alive again (the default). */
  ref(): this {
    if (!this.#closed) this.#native.ref(this.#watcher);
    return this;
  }

  /** Lets the process exit while this socket is still open. */
  unref(): this {
    if (!this.#closed) this.#native.unref(this.#watcher);
    return this;
  }

  /**
   * Stops reading and closes the descriptor; idempotent. `'close'` follows on the next tick, and
   * running async iterators finish.
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    process.nextTick(() => this.emit('close'));
    // The poll handle goes first: epoll must forget the fd before its number can be reused.
    this.#native.unwatch(this.#watcher);
    try {
      this.#native.close(this.#fd);
    } catch (error) {
      throw toSocketError(error);
    }
  }

  /**
   * Iterates over incoming datagrams. Datagrams are queued until consumed; above 64 waiting,
   * the iterator pauses the socket (the kernel then queues up to SO_RCVBUF, after which
   * multicast messages are dropped and ENOBUFS reported). An `'error'` ends the iteration by
   * throwing it, after the datagrams that arrived before it; close ends it normally. Leaving the
   * loop early (`break`, `return()`) stops iterating but does not close the socket. Use one
   * iterator at a time: each sees every datagram, and their pauses would interfere. It yields
   * datagrams only: with `listenAllNsid`, take the nsid from `'message'` or a receiver.
   */
  [Symbol.asyncIterator](): AsyncIterableIterator<Buffer> {
    const queue: Buffer[] = [];
    let failure: NetlinkSocketError | undefined;
    let ended = this.#closed;
    let pausedHere = false;
    let waiting:
      | { resolve: (result: IteratorResult<Buffer>) => void; reject: (error: unknown) => void }
      | undefined;

    const detach = (): void => {
      ended = true;
      this.off('message', onMessage);
      this.off('error', onError);
      this.off('close', onClose);
      if (pausedHere) {
        pausedHere = false;
        this.resume();
      }
    };
    const settle = (): void => {
      if (waiting === undefined) return;
      const { resolve, reject } = waiting;
      if (queue.length > 0) {
        waiting = undefined;
        resolve({ value: queue.shift()!, done: false });
      } else if (failure !== undefined) {
        waiting = undefined;
        const error = failure;
        failure = undefined;
        reject(error);
      } else if (ended) {
        waiting = undefined;
        resolve({ value: undefined, done: true });
      }
    };
    const onMessage = (datagram: Buffer): void => {
      queue.push(datagram);
      if (queue.length >= ITERATOR_HIGH_WATER && !this.#paused) {
        pausedHere = true;
        this.pause();
      }
      settle();
    };
    const onError = (error: NetlinkSocketError): void => {
      failure = error;
      detach();
      settle();
    };
    const onClose = (): void => {
      detach();
      settle();
    };
    if (!ended) {
      this.on('message', onMessage);
      this.on('error', onError);
      this.on('close', onClose);
    }

    const iterator: AsyncIterableIterator<Buffer> = {
      next: () =>
        new Promise<IteratorResult<Buffer>>((resolve, reject) => {
          if (waiting !== undefined) {
            reject(
              new Error('NetlinkSocket iterator: next() called before the previous one settled'),
            );
            return;
          }
          waiting = { resolve, reject };
          settle();
          if (pausedHere && queue.length <= ITERATOR_HIGH_WATER / 2) {
            pausedHere = false;
            this.resume();
          }
        }),
      return: () => {
        queue.length = 0;
        failure = undefined;
        detach();
        settle();
        return Promise.resolve({ value: undefined, done: true });
      },
      [Symbol.asyncIterator]() {
        return iterator;
      },
    };
    return iterator;
  }

  #assertOpen(): void {
    if (this.#closed) {
      throw new NetlinkSocketError('ERR_RTNL_CLOSED', 'rtnl: the netlink socket is closed');
    }
  }

  #onPoll(status: number): void {
    if (this.#closed) return;
    if (status < 0) {
      // The shim read SO_ERROR after POLLERR (ENOBUFS from netlink_overrun) and re-armed.
      this.#emitErrno(-status);
      if (status !== -ENOBUFS) return;
    }
    this.#drain(Number.POSITIVE_INFINITY);
  }

  #drain(limit: number): number {
    const native = this.#native;
    // A listener that reads again (receiveNow inside 'message') gets a buffer of its own: the
    // outer loop's datagram may still be in use by a receiver.
    const nested = this.#draining;
    const buffer = nested ? Buffer.allocUnsafeSlow(this.#buffer.length) : this.#buffer;
    this.#draining = true;
    try {
      // A socket without listenAllNsid keeps the plain recvmsg (no control buffer) and a
      // two-argument receiver.
      return this.#read(native, buffer, limit, this.#nsid);
    } finally {
      this.#draining = nested;
    }
  }

  /**
   * Read up to `limit` datagrams. `out` (a listenAllNsid socket's) switches to recvNsid: each
   * datagram then goes to the receiver and listeners with its nsid.
   */
  #read(native: Addon, buffer: Buffer, limit: number, out?: Int32Array): number {
    let count = 0;
    // Listeners run inside this loop and may pause or close the socket: check every time.
    while (count < limit && !this.#closed && !this.#paused) {
      const length =
        out === undefined ? native.recv(this.#fd, buffer) : native.recvNsid(this.#fd, buffer, out);
      if (length < 0) {
        if (length === -EAGAIN) break;
        this.#emitErrno(-length);
        // After an overrun the queue still holds what fitted; anything else would repeat.
        if (length === -ENOBUFS) continue;
        break;
      }
      count++;
      if (length > buffer.length) {
        this.#emitTruncated(length, buffer.length);
        continue;
      }
      // Taken now: a listener that reads again (receiveNow) overwrites `out`.
      const nsid = out?.[0];
      const receiver = this.#receiver;
      if (receiver !== undefined) {
        if (out === undefined) receiver(buffer, length);
        else receiver(buffer, length, nsid);
      }
      if (receiver === undefined || this.listenerCount('message') > 0) {
        const datagram = Buffer.allocUnsafeSlow(length);
        buffer.copy(datagram, 0, 0, length);
        if (out === undefined) this.emit('message', datagram);
        else this.emit('message', datagram, nsid);
      }
    }
    return count;
  }

  #emitTruncated(length: number, size: number): void {
    this.emit(
      'error',
      new NetlinkSocketError(
        'EMSGSIZE',
        `recvmsg: a ${length}-byte datagram was truncated to the ${size}-byte receive buffer and dropped (EMSGSIZE); raise recvBufferSize`,
        EMSGSIZE,
        'recvmsg',
      ),
    );
  }

  #emitErrno(errno: number): void {
    const context =
      errno === ENOBUFS ? '(receive queue overrun: messages were dropped)' : undefined;
    this.emit('error', NetlinkSocketError.fromErrno(errno, 'recvmsg', context));
  }
}

function setReceiveBuffer(native: Addon, fd: number, size: number, force: boolean): void {
  if (force) {
    try {
      native.setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, size);
      return;
    } catch (error) {
      // Without CAP_NET_ADMIN: fall back to SO_RCVBUF, capped at net.core.rmem_max.
      if ((error as { errno?: unknown }).errno !== EPERM) throw error;
    }
  }
  native.setsockopt(fd, SOL_SOCKET, SO_RCVBUF, size);
}

function checkInteger(name: string, value: unknown, min: number, max: number): void {
  if (typeof value !== 'number') throw new TypeError(`${name} must be a number`);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${name} must be an integer from ${min} to ${max}, got ${value}`);
  }
}
