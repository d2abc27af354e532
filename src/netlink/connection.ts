// The request engine: sequence numbers, port-id matching, acks and errors, dumps as async
// iterables, batching, a bounded in-flight window, timeouts and aborts. Schemas never do any of
// this; the socket below only moves datagrams.
import { EventEmitter } from 'node:events';
import { AttributeWriter } from './attributes.js';
import { NetlinkDecodeError, NetlinkError, NetlinkSocketError } from './errors.js';
import {
  type Ack,
  forEachMessage,
  NETLINK_CAP_ACK,
  NETLINK_EXT_ACK,
  NETLINK_GET_STRICT_CHK,
  NETLINK_ROUTE,
  type NetlinkMessage,
  NLM_F_ACK,
  NLM_F_DUMP,
  NLM_F_DUMP_INTR,
  NLM_F_REQUEST,
  NLMSG_DONE,
  NLMSG_ERROR,
  NLMSG_HDRLEN,
  NLMSG_NOOP,
  NLMSG_OVERRUN,
  nlmsgAlign,
  parseAck,
  parseDone,
  SOL_NETLINK,
} from './message.js';
import { NetlinkSocket, type NetlinkSocketOptions } from './socket.js';

/**
 * What the engine needs from a socket. NetlinkSocket is one; a test can hand in a fake kernel
 * that answers requests with bytes (see test/helpers/fake-kernel.ts).
 */
export interface DatagramSocket {
  readonly portId: number;
  send(data: Uint8Array): void;
  /** Read what is already queued, emitting 'message' for each datagram; at most `limit`. */
  receiveNow(limit?: number): number;
  pause(): void;
  resume(): void;
  ref(): unknown;
  unref(): unknown;
  close(): void;
  on(event: 'message', listener: (datagram: Buffer) => void): unknown;
  on(event: 'error', listener: (err: Error) => void): unknown;
}

/** Anything that can name the attribute at a kernel error offset (a MessageSchema does). */
export interface AttributeLocator {
  pathAt(request: Uint8Array, offset: number): string | undefined;
}

export interface ConnectionOptions {
  /** Netlink protocol; default NETLINK_ROUTE. */
  protocol?: number;
  /** Network namespace: a namespace file path or an open fd. Default: the caller's. */
  netns?: string | number;
  /** Receive buffer in bytes (SO_RCVBUFFORCE when permitted, else SO_RCVBUF). Default 4 MiB. */
  rcvbuf?: number;
  /**
   * Requests in flight at once. More than ~256 acked requests overflow a default receive
   * buffer; 64–128 measured fastest here. Default 64.
   */
  window?: number;
  /** Per-request timeout in ms; 0 disables. Default 30 000. */
  timeout?: number;
  /** Messages a dump may buffer ahead of its consumer before reading pauses. Default 4096. */
  dumpHighWaterMark?: number;
  /**
   * Give kernel refusals (NetlinkError) the stack of the `request()` call, or of the dump's
   * iteration, instead of the engine's receive path. Costs ≈2 µs per request (a captured
   * stack), so it is off by default: turn it on while debugging.
   */
  callSiteStacks?: boolean;
  /** NETLINK_EXT_ACK, NETLINK_GET_STRICT_CHK and NETLINK_CAP_ACK; all on by default. */
  extAck?: boolean;
  strictCheck?: boolean;
  capAck?: boolean;
}

export interface RequestOptions {
  /** Extra nlmsg_flags (NLM_F_REQUEST and NLM_F_ACK are always set on requests). */
  flags?: number;
  /** Timeout in ms for this request; 0 disables. Default: the connection's. */
  timeout?: number;
  signal?: AbortSignal;
  /** Names attributes in kernel error offsets (`link.linkinfo.data(vxlan).id`). */
  schema?: AttributeLocator;
  /** Called with the kernel's warning when a successful ack carries an ext-ack message. */
  onWarning?: (message: string) => void;
}

export interface DumpOptions extends Omit<RequestOptions, 'onWarning'> {
  /**
   * What to do when the kernel flags the dump NLM_F_DUMP_INTR (the table changed while it was
   * walked, so the result may be inconsistent). `list()` defaults to 'retry' (up to
   * `maxRetries` times, then an error); iteration defaults to 'error', thrown after the last
   * message, since messages already yielded cannot be taken back ('retry' acts as 'error'
   * there). 'ignore' accepts the result; `interrupted` on the iterable tells.
   */
  onInterrupted?: 'retry' | 'error' | 'ignore';
  maxRetries?: number;
}

/** A dump in progress: iterate it, or collect it with `list()`. */
export interface DumpIterable<T = NetlinkMessage> extends AsyncIterable<T> {
  /** Collect every message (retrying an interrupted dump, unless told otherwise). */
  list(): Promise<T[]>;
  /** True once a finished dump was flagged NLM_F_DUMP_INTR. */
  readonly interrupted: boolean;
}

type Payload = Uint8Array | ((w: AttributeWriter) => void);

interface Sink {
  queue: NetlinkMessage[];
  head: number;
  done: boolean;
  error: Error | undefined;
  cancelled: boolean;
  interrupted: boolean;
  waiter: (() => void) | undefined;
  /** Messages buffered ahead of the consumer before reading pauses (resumes at half). */
  highWater: number;
}

interface Pending {
  seq: number;
  type: number;
  bytes: Buffer;
  dump: boolean;
  replies: NetlinkMessage[];
  resolve: (v: NetlinkMessage[]) => void;
  reject: (e: Error) => void;
  deadline: number;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
  schema: AttributeLocator | undefined;
  onWarning: ((message: string) => void) | undefined;
  sink: Sink | undefined;
  /** Abandoned (timed out, aborted, iteration stopped): read to the end and discard. */
  draining: boolean;
  sent: boolean;
  /** The caller's stack, when callSiteStacks is on. */
  site: { stack?: string } | undefined;
}

const MAX_BATCH_BYTES = 64 * 1024;
const DUMP_INTERRUPTED = 'ERR_RTNL_DUMP_INTERRUPTED';

function closedError(what: string): NetlinkSocketError {
  return new NetlinkSocketError('ERR_RTNL_CLOSED', `netlink connection closed ${what}`);
}

/**
 * A netlink connection: one socket, its sequence numbers and everything in flight on it.
 *
 * ```ts
 * await using conn = await Connection.open({ netns: '/run/netns/blue' });
 * for await (const msg of conn.dump(RTM_GETLINK, ifinfomsg)) { ... }
 * ```
 */
export class Connection extends EventEmitter {
  readonly socket: DatagramSocket;
  readonly #window: number;
  readonly #timeout: number;
  readonly #highWater: number;
  readonly #callSiteStacks: boolean;
  readonly #pending = new Map<number, Pending>();
  readonly #queue: Pending[] = [];
  #batch: Pending[] = [];
  #flushScheduled = false;
  #inFlight = 0;
  #dumpActive = false;
  #seq: number;
  #timer: NodeJS.Timeout | undefined;
  #timerAt = 0;
  #paused = false;
  #closed = false;
  #referenced = false;

  private constructor(socket: DatagramSocket, options: ConnectionOptions) {
    super();
    this.socket = socket;
    this.#window = Math.max(1, options.window ?? 64);
    this.#timeout = options.timeout ?? 30_000;
    this.#highWater = Math.max(1, options.dumpHighWaterMark ?? 4096);
    this.#callSiteStacks = options.callSiteStacks ?? false;
    // Start somewhere arbitrary so two connections' traces are easy to tell apart.
    this.#seq = (Math.random() * 0x7fffffff) >>> 0 || 1;
    socket.on('message', (datagram: Buffer) => this.#onDatagram(datagram));
    socket.on('error', (err: Error) => this.#onSocketError(err));
    socket.unref();
  }

  /** Open a socket (in `netns` if given) with extended acks and strict checking on. */
  static async open(options: ConnectionOptions = {}): Promise<Connection> {
    const sockOptions: NetlinkSocketOptions = {
      rcvbuf: options.rcvbuf ?? 4 * 1024 * 1024,
      rcvbufForce: true,
    };
    if (options.netns !== undefined) sockOptions.netns = options.netns;
    const socket = NetlinkSocket.open(options.protocol ?? NETLINK_ROUTE, sockOptions);
    try {
      // NETLINK_EXT_ACK: the kernel explains refusals. NETLINK_GET_STRICT_CHK: without it
      // the kernel silently ignores dump filters. NETLINK_CAP_ACK: errors do not echo the
      // whole request back (we keep our own copy to map offsets).
      if (options.extAck ?? true) socket.setsockopt(SOL_NETLINK, NETLINK_EXT_ACK, 1);
      if (options.strictCheck ?? true) socket.setsockopt(SOL_NETLINK, NETLINK_GET_STRICT_CHK, 1);
      if (options.capAck ?? true) socket.setsockopt(SOL_NETLINK, NETLINK_CAP_ACK, 1);
    } catch (err) {
      socket.close();
      throw err;
    }
    return new Connection(socket, options);
  }

  /**
   * Run the engine over a socket you made yourself (socket options are then yours to set), or
   * over a fake kernel in tests.
   */
  static fromSocket(
    socket: DatagramSocket,
    options: Omit<ConnectionOptions, 'protocol' | 'netns' | 'rcvbuf'> = {},
  ): Connection {
    return new Connection(socket, options);
  }

  /** The port id the kernel gave this socket. */
  get portId(): number {
    return this.socket.portId;
  }

  /** Requests sent and not yet answered, plus those waiting for the window. */
  get pendingCount(): number {
    return this.#pending.size + this.#queue.length;
  }

  /**
   * Send one request (NLM_F_REQUEST | NLM_F_ACK | `flags`) and resolve with the messages the
   * kernel answered before its ack (empty for a plain change). Rejects with a NetlinkError
   * carrying the kernel's errno and extended-ack message.
   */
  request(type: number, payload: Payload, options: RequestOptions = {}): Promise<NetlinkMessage[]> {
    return new Promise((resolve, reject) => {
      const p = this.#make(
        type,
        NLM_F_REQUEST | NLM_F_ACK | (options.flags ?? 0),
        payload,
        false,
        options,
        resolve,
        reject,
      );
      if (p) this.#submit(p);
    });
  }

  /**
   * Start a dump (NLM_F_REQUEST | NLM_F_DUMP | `flags`). Messages are decoded as datagrams
   * arrive; iterate to stream them, or `list()` to collect. The request leaves when iteration
   * (or `list()`) starts. Reading pauses while the consumer is more than `dumpHighWaterMark`
   * messages behind, so a large table never sits in memory at once.
   */
  dump(type: number, payload: Payload, options: DumpOptions = {}): DumpIterable {
    let interrupted = false;
    const start = (highWater: number, onSettled?: () => void): Sink => {
      const sink: Sink = {
        queue: [],
        head: 0,
        done: false,
        error: undefined,
        cancelled: false,
        interrupted: false,
        waiter: undefined,
        highWater,
      };
      const wake = () => {
        const w = sink.waiter;
        sink.waiter = undefined;
        w?.();
        onSettled?.();
      };
      const p = this.#make(
        type,
        NLM_F_REQUEST | NLM_F_DUMP | (options.flags ?? 0),
        payload,
        true,
        options,
        () => {
          sink.done = true;
          interrupted = sink.interrupted;
          wake();
        },
        (err) => {
          sink.error = err;
          sink.done = true;
          wake();
        },
      );
      if (p) {
        p.sink = sink;
        this.#submit(p);
      }
      return sink;
    };
    const self = this;
    const iterable: DumpIterable = {
      get interrupted() {
        return interrupted;
      },
      async list() {
        const policy = options.onInterrupted ?? 'retry';
        const retries = options.maxRetries ?? 5;
        for (let attempt = 0; ; attempt++) {
          let settled!: () => void;
          const finished = new Promise<void>((res) => {
            settled = res;
          });
          const sink = start(Number.POSITIVE_INFINITY, () => settled());
          if (sink.done) settled();
          await finished;
          if (sink.error) throw sink.error;
          if (!sink.interrupted || policy === 'ignore') return sink.queue;
          if (policy === 'error' || attempt >= retries) {
            throw new NetlinkSocketError(
              DUMP_INTERRUPTED,
              `dump of message type ${type} was interrupted (NLM_F_DUMP_INTR) ${attempt + 1} time(s): the table changed while it was read`,
            );
          }
        }
      },
      [Symbol.asyncIterator](): AsyncIterator<NetlinkMessage> {
        const policy = options.onInterrupted ?? 'error';
        let sink: Sink | undefined;
        const finish = (): IteratorResult<NetlinkMessage> => ({ done: true, value: undefined });
        return {
          next(): Promise<IteratorResult<NetlinkMessage>> {
            sink ??= start(self.#highWater);
            const s = sink;
            const take = (): IteratorResult<NetlinkMessage> | undefined => {
              if (s.head < s.queue.length) {
                const value = s.queue[s.head]!;
                s.queue[s.head++] = undefined as never;
                if (s.head === s.queue.length) {
                  s.queue.length = 0;
                  s.head = 0;
                }
                self.#maybeResume(s);
                return { done: false, value };
              }
              if (s.done) {
                if (s.error) throw s.error;
                if (s.interrupted && policy !== 'ignore') {
                  throw new NetlinkSocketError(
                    DUMP_INTERRUPTED,
                    `dump of message type ${type} was interrupted (NLM_F_DUMP_INTR): the table changed while it was read`,
                  );
                }
                return finish();
              }
              return undefined;
            };
            try {
              const r = take();
              if (r) return Promise.resolve(r);
            } catch (e) {
              return Promise.reject(e);
            }
            return new Promise((resolve, reject) => {
              s.waiter = () => {
                try {
                  resolve(take() ?? finish());
                } catch (e) {
                  reject(e);
                }
              };
            });
          },
          return(): Promise<IteratorResult<NetlinkMessage>> {
            if (sink && !sink.done) {
              sink.cancelled = true;
              sink.queue.length = 0;
              sink.head = 0;
              self.#maybeResume(sink);
            }
            return Promise.resolve(finish());
          },
        };
      },
    };
    return iterable;
  }

  #make(
    type: number,
    flags: number,
    payload: Payload,
    dump: boolean,
    options: RequestOptions,
    resolve: (v: NetlinkMessage[]) => void,
    reject: (e: Error) => void,
  ): Pending | undefined {
    if (this.#closed) {
      reject(closedError('before the request was sent'));
      return undefined;
    }
    if (options.signal?.aborted) {
      reject(options.signal.reason as Error);
      return undefined;
    }
    let bytes: Buffer;
    try {
      bytes = frame(type, flags, payload);
    } catch (err) {
      reject(err as Error);
      return undefined;
    }
    const timeout = options.timeout ?? this.#timeout;
    const p: Pending = {
      seq: 0,
      type,
      bytes,
      dump,
      replies: [],
      resolve,
      reject,
      deadline: timeout > 0 ? Date.now() + timeout : 0,
      signal: options.signal,
      onAbort: undefined,
      schema: options.schema,
      onWarning: (options as RequestOptions).onWarning,
      sink: undefined,
      draining: false,
      sent: false,
      site: undefined,
    };
    if (this.#callSiteStacks) {
      const site: { stack?: string } = {};
      // For a request the stack starts at the caller of request(); a dump starts on iteration.
      Error.captureStackTrace(site, dump ? undefined : this.request);
      p.site = site;
    }
    if (options.signal) {
      p.onAbort = () =>
        this.#abandon(
          p,
          (options.signal!.reason as Error) ?? new NetlinkSocketError('ABORT_ERR', 'aborted'),
        );
      options.signal.addEventListener('abort', p.onAbort, { once: true });
    }
    return p;
  }

  #submit(p: Pending): void {
    this.#queue.push(p);
    if (p.deadline) this.#armTimer(p.deadline);
    this.#pump();
  }

  /** Move requests from the queue into the outgoing batch while the window allows. */
  #pump(): void {
    while (this.#queue.length > 0 && this.#inFlight < this.#window) {
      const p = this.#queue[0]!;
      // The kernel runs one dump per socket at a time (a second gets EBUSY): a dump waits for
      // the one before it, and keeps its place so later requests do not overtake it.
      if (p.dump && this.#dumpActive) break;
      this.#queue.shift();
      if (p.dump) this.#dumpActive = true;
      this.#seq = this.#seq >= 0xffffffff ? 1 : this.#seq + 1;
      p.seq = this.#seq;
      p.bytes.writeUInt32LE(p.seq, 8);
      this.#pending.set(p.seq, p);
      this.#inFlight++;
      this.#batch.push(p);
    }
    if (this.#batch.length > 0 && !this.#flushScheduled) {
      this.#flushScheduled = true;
      // Requests made in the same tick leave together in one datagram.
      queueMicrotask(() => this.#flush());
    }
  }

  #flush(): void {
    this.#flushScheduled = false;
    if (this.#closed) return;
    const batch = this.#batch;
    this.#batch = [];
    if (!this.#referenced) {
      this.socket.ref();
      this.#referenced = true;
    }
    let i = 0;
    while (i < batch.length) {
      let j = i;
      let size = 0;
      while (j < batch.length && (j === i || size + batch[j]!.bytes.length <= MAX_BATCH_BYTES)) {
        size += batch[j]!.bytes.length;
        j++;
      }
      const group = batch.slice(i, j);
      const datagram =
        group.length === 1
          ? group[0]!.bytes
          : Buffer.concat(
              group.map((p) => p.bytes),
              size,
            );
      try {
        this.socket.send(datagram);
        for (const p of group) p.sent = true;
      } catch (err) {
        for (const p of group) this.#fail(p, err as Error);
      }
      i = j;
    }
    // rtnetlink answers inside sendmsg: the replies are usually queued already, so read them
    // now rather than a loop iteration later (one ack per datagram: up to a window's worth).
    // Bounded, so a dump's later datagrams are read on poll, not all in this call.
    // Datagram by datagram, and only while someone waits: the read after the last ack would
    // only meet EAGAIN (one wasted system call per request).
    for (
      let read = 0;
      read < this.#window && this.#pending.size > 0 && !this.#paused && !this.#closed;
      read++
    ) {
      if (this.socket.receiveNow(1) === 0) break;
    }
  }

  #onDatagram(datagram: Buffer): void {
    try {
      forEachMessage(datagram, (m) => this.#onMessage(m));
    } catch (err) {
      if (err instanceof NetlinkDecodeError) {
        // We cannot tell whose reply the bad bytes were: everyone waiting hears about it.
        for (const p of [...this.#pending.values()]) this.#fail(p, err);
        this.emit('decodeError', err);
        return;
      }
      throw err;
    }
  }

  #onMessage(m: NetlinkMessage): void {
    const p = this.#pending.get(m.seq);
    if (!p || (m.pid !== this.socket.portId && m.pid !== 0)) {
      if (m.type !== NLMSG_NOOP && this.listenerCount('unsolicited') > 0)
        this.emit('unsolicited', m);
      return;
    }
    if (m.type === NLMSG_ERROR) {
      const ack = parseAck(m);
      if (ack.error === 0) {
        if (ack.message !== undefined) this.#warn(p, ack.message);
        this.#complete(p);
      } else {
        this.#fail(p, this.#kernelError(p, ack));
      }
      return;
    }
    if (m.type === NLMSG_DONE) {
      const done = parseDone(m);
      if (done.error < 0) {
        const ack: Ack = {
          error: done.error,
          request: { len: p.bytes.length, type: p.type, flags: 0, seq: p.seq, pid: 0 },
          capped: true,
        };
        if (done.message !== undefined) ack.message = done.message;
        if (done.offset !== undefined) ack.offset = done.offset;
        this.#fail(p, this.#kernelError(p, ack));
      } else {
        this.#complete(p);
      }
      return;
    }
    if (m.type === NLMSG_OVERRUN) {
      this.#fail(
        p,
        new NetlinkSocketError('ENOBUFS', 'the kernel reported NLMSG_OVERRUN: data was lost'),
      );
      return;
    }
    if (p.draining) return;
    const sink = p.sink;
    if (sink) {
      // Iteration stopped early: read the dump to its end, keep nothing.
      if (sink.cancelled) return;
      if (m.flags & NLM_F_DUMP_INTR) sink.interrupted = true;
      sink.queue.push(m);
      const w = sink.waiter;
      if (w) {
        sink.waiter = undefined;
        w();
      }
      if (!this.#paused && sink.queue.length - sink.head >= sink.highWater) {
        this.#paused = true;
        this.socket.pause();
      }
      return;
    }
    p.replies.push(m);
  }

  #maybeResume(sink: Sink): void {
    if (this.#paused && (sink.cancelled || sink.queue.length - sink.head <= sink.highWater >>> 1)) {
      this.#paused = false;
      this.socket.resume();
    }
  }

  #kernelError(p: Pending, ack: Ack): NetlinkError {
    let attributePath: string | undefined;
    if (ack.offset !== undefined) {
      try {
        attributePath = p.schema?.pathAt(p.bytes, ack.offset);
      } catch {
        attributePath = undefined;
      }
    }
    return new NetlinkError({
      errno: -ack.error,
      kernelMessage: ack.message,
      attributePath,
      offset: ack.offset,
      missingType: ack.missingType,
      missingNest: ack.missingNest,
      policy: ack.policy,
      seq: p.seq,
      requestType: p.type,
    });
  }

  #warn(p: Pending, message: string): void {
    p.onWarning?.(message);
    if (this.listenerCount('warning') > 0)
      this.emit('warning', { message, seq: p.seq, type: p.type });
  }

  #settle(p: Pending): boolean {
    if (p.seq !== 0 && this.#pending.get(p.seq) === p) {
      this.#pending.delete(p.seq);
      this.#inFlight--;
      if (p.dump) this.#dumpActive = false;
    } else {
      const i = this.#queue.indexOf(p);
      if (i >= 0) this.#queue.splice(i, 1);
    }
    if (p.onAbort) p.signal?.removeEventListener('abort', p.onAbort);
    if (p.sink && this.#paused) {
      this.#paused = false;
      if (!this.#closed) this.socket.resume();
    }
    if (!this.#closed) {
      this.#pump();
      if (this.#pending.size === 0 && this.#queue.length === 0 && this.#referenced) {
        this.socket.unref();
        this.#referenced = false;
      }
    }
    const wasDraining = p.draining;
    p.draining = true;
    return !wasDraining;
  }

  #complete(p: Pending): void {
    if (this.#settle(p)) p.resolve(p.replies);
  }

  #fail(p: Pending, err: Error): void {
    if (this.#settle(p)) p.reject(withSite(p, err));
  }

  /** Give up on a request (timeout, abort). A started dump is read to its end and dropped. */
  #abandon(p: Pending, err: Error): void {
    if (p.draining) return;
    if (p.dump && p.sent && this.#pending.get(p.seq) === p) {
      // Keep the seq registered so the rest of the kernel's dump is consumed, not misread,
      // and the next dump does not meet EBUSY.
      p.draining = true;
      if (p.sink) {
        p.sink.cancelled = true;
        p.sink.queue.length = 0;
        p.sink.head = 0;
        this.#maybeResume(p.sink);
      }
      p.reject(withSite(p, err));
      return;
    }
    this.#fail(p, err);
  }

  #armTimer(deadline: number): void {
    if (this.#timer && this.#timerAt <= deadline) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timerAt = deadline;
    this.#timer = setTimeout(() => this.#onTimer(), Math.max(0, deadline - Date.now()));
    this.#timer.unref();
  }

  #onTimer(): void {
    this.#timer = undefined;
    const now = Date.now();
    let next = 0;
    for (const p of [...this.#pending.values(), ...this.#queue]) {
      if (!p.deadline || p.draining) continue;
      if (p.deadline <= now) {
        this.#abandon(
          p,
          new NetlinkSocketError(
            'ETIMEDOUT',
            `netlink request (type ${p.type}, seq ${p.seq}) timed out`,
          ),
        );
      } else if (!next || p.deadline < next) {
        next = p.deadline;
      }
    }
    if (next) this.#armTimer(next);
  }

  #onSocketError(err: Error): void {
    // ENOBUFS: acks may have been dropped, so nobody waiting for one can be sure to get it.
    // Dumps are flow-controlled by the kernel and lose nothing to ENOBUFS; but a truncated
    // datagram (EMSGSIZE) may have been a dump's, so dumps fail too (and are read to their end).
    const truncated = (err as { code?: unknown }).code === 'EMSGSIZE';
    for (const p of [...this.#pending.values()]) {
      if (!p.dump) this.#fail(p, err);
      else if (truncated) this.#abandon(p, err);
    }
    if (this.listenerCount('error') > 0) this.emit('error', err);
  }

  /** Close the socket; everything pending or queued fails with ERR_RTNL_CLOSED. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    const all = [...this.#pending.values(), ...this.#queue, ...this.#batch];
    this.#batch = [];
    const err = closedError(`with ${all.length} request(s) pending`);
    for (const p of all) {
      if (!p.draining) {
        p.draining = true;
        if (p.onAbort) p.signal?.removeEventListener('abort', p.onAbort);
        p.reject(withSite(p, err));
      }
    }
    this.#pending.clear();
    this.#queue.length = 0;
    this.socket.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
  }

  [Symbol.dispose](): void {
    this.close();
  }
}

/** A kernel refusal made for this request gets the stack of the call that made the request. */
function withSite(p: Pending, err: Error): Error {
  const stack = p.site?.stack;
  if (stack && err instanceof NetlinkError) {
    err.stack = `${err.name}: ${err.message}\n${stack.slice(stack.indexOf('\n') + 1)}`;
  }
  return err;
}

const shared = new AttributeWriter(4096);
let sharedBusy = false;

/** Frame a request: nlmsghdr (seq filled in when it leaves) + payload, padded. */
function frame(type: number, flags: number, payload: Payload): Buffer {
  if (typeof payload === 'function') {
    // One writer serves every request; a payload callback that itself makes a request gets
    // a writer of its own.
    const writer = sharedBusy ? new AttributeWriter(256) : shared;
    const mine = writer === shared;
    sharedBusy = true;
    try {
      writer.reset();
      writer.zeros(NLMSG_HDRLEN);
      payload(writer);
      const len = writer.pos;
      writer.align();
      const out = Buffer.from(writer.bytes());
      out.writeUInt32LE(len, 0);
      out.writeUInt16LE(type, 4);
      out.writeUInt16LE(flags, 6);
      return out;
    } finally {
      if (mine) sharedBusy = false;
    }
  }
  const len = NLMSG_HDRLEN + payload.length;
  const out = Buffer.alloc(nlmsgAlign(len));
  out.writeUInt32LE(len, 0);
  out.writeUInt16LE(type, 4);
  out.writeUInt16LE(flags, 6);
  out.set(payload, NLMSG_HDRLEN);
  return out;
}
