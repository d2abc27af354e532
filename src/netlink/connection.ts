// The request engine: sequence numbers, port-id matching, acks and errors, dumps as async
// iterables, batching, a bounded in-flight window, bulk requests, timeouts and aborts. Schemas
// never do any of this; the socket below only moves datagrams.
import { EventEmitter } from 'node:events';
import { AttributeWriter } from './attributes.js';
import { NetlinkDecodeError, NetlinkError, NetlinkSocketError } from './errors.js';
import {
  type Ack,
  NETLINK_CAP_ACK,
  NETLINK_EXT_ACK,
  NETLINK_GET_STRICT_CHK,
  NETLINK_ROUTE,
  type NetlinkMessage,
  NLM_F_ACK,
  NLM_F_ACK_TLVS,
  NLM_F_CAPPED,
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
import {
  CONTROL_CANCEL,
  CONTROL_SENT,
  CONTROL_STOPPED,
  forEachDatagram,
  type SequenceHandle,
  sequenceSender,
} from './sequence.js';
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
  /**
   * Optional: hand each datagram over in place (NetlinkSocket does), valid only during the
   * call. The engine then reads acks and decodes dumps where they landed, copying only what it
   * keeps. Without it the engine listens to 'message' and treats each datagram as its own.
   */
  setReceiver?(receiver: ((buffer: Buffer, length: number) => void) | undefined): void;
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
  /**
   * Items (messages, or what a dump's `decode` made of them) a dump may buffer ahead of an
   * iterating consumer before reading pauses. Default 4096.
   */
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
   * `maxRetries` times, then an error); iteration and `forEach()` default to 'error', thrown
   * after the last message, since messages already delivered cannot be taken back ('retry'
   * acts as 'error' there). 'ignore' accepts the result; `interrupted` on the iterable tells.
   */
  onInterrupted?: 'retry' | 'error' | 'ignore';
  maxRetries?: number;
}

/** A dump whose messages are decoded where they landed, as each datagram arrives. */
export interface DecodedDumpOptions<T> extends DumpOptions {
  /**
   * Turn one message into an item, or `undefined` to skip it. Runs synchronously inside the
   * receive path for every message of the dump (NLMSG_DONE and errors excepted), so the dump
   * keeps items, not messages: no datagram is copied unless `m.message()` is called. What it
   * throws ends the dump (read to its end and dropped) and rejects the consumer.
   */
  decode: (m: MessageView) => T | undefined;
}

/** A dump in progress: iterate it, `forEach()` it, or collect it with `list()`. */
export interface DumpIterable<T = NetlinkMessage> extends AsyncIterable<T> {
  /** Collect every item (retrying an interrupted dump, unless told otherwise). */
  list(): Promise<T[]>;
  /**
   * Call `visit` on every item synchronously as its datagram arrives: no buffering and no
   * promise per item. Resolves when the dump ends; rejects with the kernel's error, or with
   * what `visit` threw (the rest of the dump is then read and dropped).
   */
  forEach(visit: (item: T) => void): Promise<void>;
  /** True once a finished dump was flagged NLM_F_DUMP_INTR. */
  readonly interrupted: boolean;
}

/**
 * A message read in place, inside the datagram it arrived in. It is valid only during the
 * callback it is given to: the engine reuses the object for the next message and the socket
 * reuses the buffer for the next datagram. Read what you need, or call `message()` for a
 * {@link NetlinkMessage} that stays valid.
 */
export interface MessageView {
  /** The received bytes; this message's payload is `buffer[start, end)`. */
  readonly buffer: Buffer;
  /** Offset of the payload (just past the 16-byte nlmsghdr) in `buffer`. */
  readonly start: number;
  /** Offset just past the payload (the header's nlmsg_len, unpadded). */
  readonly end: number;
  /** nlmsg_len. */
  readonly length: number;
  readonly type: number;
  readonly flags: number;
  readonly seq: number;
  readonly pid: number;
  /** The message with a payload that outlives the callback (the datagram is copied once). */
  message(): NetlinkMessage;
}

/** One request of {@link Connection.requestMany}. */
export interface BulkRequest {
  /** nlmsg_type. */
  type: number;
  /** Extra nlmsg_flags (NLM_F_REQUEST and NLM_F_ACK are always set). */
  flags?: number | undefined;
  /** The payload: bytes, or a function writing it. */
  payload: Uint8Array | ((w: AttributeWriter) => void);
}

/** Options of {@link Connection.requestMany}. */
export interface BulkOptions {
  /**
   * Give up on what is still unanswered when no ack has arrived for this many ms; 0 disables.
   * Default: the connection's timeout.
   */
  timeout?: number;
  /** Stop: requests not yet answered fail with the signal's reason; nothing more is sent. */
  signal?: AbortSignal;
  /** Names attributes in kernel error offsets. */
  schema?: AttributeLocator;
  /** Called when a successful ack carries an ext-ack warning. */
  onWarning?: (index: number, message: string) => void;
  /**
   * Send the requests one at a time, in order, and stop at the first one the kernel refuses:
   * nothing after it is sent, and those requests fail with code `ERR_RTNL_NOT_SENT`. This is
   * what a script of changes needs when each one assumes the ones before it were made (ip's
   * `-batch` without `-force`).
   *
   * The bulk waits until nothing else is in flight on the connection, and nothing else leaves
   * until it is done. On a NetlinkSocket the requests go out from a thread of libuv's pool
   * without asking for acks: rtnetlink handles a request inside the send that carries it, so a
   * read right after each send finds its refusal if there is one, and the main thread is free
   * meanwhile. In that mode `timeout` does not apply (no request waits for an answer) and
   * `onWarning` is not called (successes are not acknowledged). Over another DatagramSocket
   * each request waits for its ack before the next leaves.
   */
  stopOnError?: boolean;
}

/** What {@link Connection.requestMany} resolves with: one outcome per request, by index. */
export interface BulkResult {
  /** Requests made. */
  readonly count: number;
  /** Requests the kernel acknowledged. */
  readonly ok: number;
  /** Requests that failed (count − ok). */
  readonly failed: number;
  /**
   * `errors[i]` is undefined when request `i` was acknowledged, else why it failed: a
   * NetlinkError with the kernel's errno and extended-ack text, or a NetlinkSocketError
   * (ETIMEDOUT, ERR_RTNL_CLOSED, ENOBUFS, …) or the abort reason.
   */
  readonly errors: readonly (Error | undefined)[];
}

/** Options of {@link Connection.sequence}. */
export interface SequenceOptions {
  /** Stop: what has not left yet fails with the signal's reason and is never sent. */
  signal?: AbortSignal;
  /** Names attributes in kernel error offsets. */
  schema?: AttributeLocator;
}

/**
 * An ordered stream of requests (see {@link Connection.sequence}): requests are pushed one by
 * one while earlier ones are already being sent, and nothing after the first refusal is sent.
 */
export interface RequestSequence {
  /**
   * Frame the request and queue it behind those pushed before; returns its index in the
   * result. A payload that throws throws here, and nothing is queued for it.
   *
   * @throws {Error} after {@link RequestSequence.end}.
   */
  push(request: BulkRequest): number;
  /** Requests pushed so far. */
  readonly count: number;
  /**
   * True once the kernel refused a request (or a send failed, or the sequence was aborted or
   * its connection closed): whatever is pushed from then on will not be sent. A script can
   * check it to stop early; the result tells which request it was.
   */
  readonly stopped: boolean;
  /**
   * No more requests. Resolves, once every request pushed has been sent or will never be, with
   * one outcome per push, by index: undefined for a request the kernel took, the kernel's
   * NetlinkError for the one it refused, and ERR_RTNL_NOT_SENT (or the abort reason, or
   * ERR_RTNL_CLOSED) for those after it. Calling it again returns the same promise.
   */
  end(): Promise<BulkResult>;
}

type Payload = Uint8Array | ((w: AttributeWriter) => void);

interface Sink {
  queue: unknown[];
  head: number;
  done: boolean;
  error: Error | undefined;
  cancelled: boolean;
  interrupted: boolean;
  waiter: (() => void) | undefined;
  /** Items buffered ahead of the consumer before reading pauses (resumes at half). */
  highWater: number;
  /** Turns a message into an item (undefined: skip); without it the item is the message. */
  decode: ((m: MessageView) => unknown) | undefined;
  /** forEach: items go straight to the consumer, never into the queue. */
  visit: ((item: unknown) => void) | undefined;
}

interface Pending {
  seq: number;
  type: number;
  bytes: Buffer;
  dump: boolean;
  /** Replies before the ack; made on the first one (most requests get none). */
  replies: NetlinkMessage[] | undefined;
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

// Per-request states of a bulk (0: not sent yet).
const IN_FLIGHT = 1;
const SETTLED = 2;

/** requestMany in progress: all its requests framed in one buffer, sequence numbers in a row. */
interface Bulk {
  readonly bulk: true;
  readonly count: number;
  /** Every request, framed back to back; request i is bytes[starts[i], starts[i + 1]). */
  readonly bytes: Buffer;
  readonly starts: Uint32Array;
  /** Request i carries seq seqBase + i. */
  readonly seqBase: number;
  readonly state: Uint8Array;
  readonly errors: (Error | undefined)[];
  /** Next request to send; requests before it left (or failed to). */
  next: number;
  inFlight: number;
  settled: number;
  failed: number;
  /** Lowest index that may still be in flight. */
  low: number;
  timeout: number;
  deadline: number;
  /** `settled` when the deadline was last set: progress moves the deadline. */
  progressMark: number;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
  schema: AttributeLocator | undefined;
  onWarning: ((index: number, message: string) => void) | undefined;
  site: { stack?: string } | undefined;
  resolve: (r: BulkResult) => void;
  finished: boolean;
  /** {@link BulkOptions.stopOnError}: one at a time, nothing after a refusal. */
  readonly stopOnError: boolean;
  /** Sent by the shim's ordered sender (acks off), not by the engine. */
  readonly native: boolean;
}

/** Requests of a bulk waiting in the outgoing batch: indexes [from, to). */
interface BulkRun {
  readonly bulk: Bulk;
  readonly from: number;
  to: number;
}

/**
 * A block of a {@link Connection.sequence}'s requests, framed back to back like a bulk's:
 * request i is bytes[starts[i], starts[i + 1]). The worker has [0, given) of them.
 */
interface Segment {
  bytes: Buffer;
  starts: Uint32Array;
  count: number;
  given: number;
}

/** A {@link Connection.sequence} in progress. */
interface Stream {
  readonly stream: true;
  /** Every block, in order; the last is being filled (by `writer`). */
  readonly segments: Segment[];
  /** The first block the worker does not have all of. */
  handed: number;
  writer: AttributeWriter | undefined;
  /** Requests pushed. */
  count: number;
  /** Requests given to the worker (numbered by then): the first `sentToWorker` pushed. */
  sentToWorker: number;
  /** Sequence numbers of the requests handed to the worker, from seqBase on. */
  seqBase: number;
  /** The worker's sequence, once the connection let the stream start. */
  handle: SequenceHandle | undefined;
  /** end() was called. */
  ended: boolean;
  /** What the worker reported when it stopped: settled once end() has been called too. */
  outcome: { sent: number; received: Buffer | undefined; errno: number } | undefined;
  /** Why it was stopped from outside (abort, close). */
  stopReason: Error | undefined;
  readonly schema: AttributeLocator | undefined;
  readonly signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
  result: Promise<BulkResult> | undefined;
  resolve: ((r: BulkResult) => void) | undefined;
}

type Queued = Pending | Bulk | Stream;
type Outgoing = Pending | BulkRun;

const MAX_BATCH_BYTES = 64 * 1024;
const DUMP_INTERRUPTED = 'ERR_RTNL_DUMP_INTERRUPTED';
const MAX_SEQ = 0xffffffff;
/** The most requests one {@link Connection.sequence} takes (its numbers must not wrap). */
const MAX_STREAM = 0x40000000;
// A stream frames its requests in blocks of BLOCK and hands them to the worker SEGMENT_MAX at
// a time, or as soon as SEGMENT_MIN are framed when the worker has sent everything it had.
const BLOCK = 4096;
const SEGMENT_MIN = 32;
const SEGMENT_MAX = 512;

function closedError(what: string): NetlinkSocketError {
  return new NetlinkSocketError('ERR_RTNL_CLOSED', `netlink connection closed ${what}`);
}

function isBulk(q: Queued): q is Bulk {
  return (q as Bulk).bulk === true;
}

function isStream(q: Queued): q is Stream {
  return (q as Stream).stream === true;
}

function isPending(q: Queued): q is Pending {
  return !isBulk(q) && !isStream(q);
}

/**
 * The messages of one received datagram, seen one at a time (see {@link MessageView}). The
 * datagram is copied only if someone asks for a message that outlives the callback.
 */
class View implements MessageView {
  readonly buffer: Buffer;
  start = 0;
  end = 0;
  type = 0;
  flags = 0;
  seq = 0;
  pid = 0;
  readonly #size: number;
  /** The bytes may be kept as they are (the datagram is ours, not the socket's buffer). */
  readonly #owned: boolean;
  #copy: Buffer | undefined;

  constructor(buffer: Buffer, size: number, owned: boolean) {
    this.buffer = buffer;
    this.#size = size;
    this.#owned = owned;
  }

  get length(): number {
    return this.end - this.start + NLMSG_HDRLEN;
  }

  message(): NetlinkMessage {
    let stable = this.buffer;
    if (!this.#owned) {
      if (this.#copy === undefined) {
        // Small datagrams (acks, single replies) come from Node's pool; dump datagrams get
        // buffers of their own.
        this.#copy = Buffer.allocUnsafe(this.#size);
        this.buffer.copy(this.#copy, 0, 0, this.#size);
      }
      stable = this.#copy;
    }
    return {
      length: this.end - this.start + NLMSG_HDRLEN,
      type: this.type,
      flags: this.flags,
      seq: this.seq,
      pid: this.pid,
      payload: stable.subarray(this.start, this.end),
    };
  }
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
  readonly #queue: Queued[] = [];
  /** Bulks with requests in flight or still to send. */
  readonly #bulks: Bulk[] = [];
  #batch: Outgoing[] = [];
  #flushScheduled = false;
  #inFlight = 0;
  #dumpActive = false;
  #seq: number;
  #timer: NodeJS.Timeout | undefined;
  #timerAt = 0;
  #paused = false;
  #closed = false;
  #referenced = false;
  /**
   * A stopOnError bulk or a stream the shim is sending: the socket is the worker's until it
   * ends.
   */
  #sequence:
    | {
        bulk: Bulk | undefined;
        stream: Stream | undefined;
        handle: SequenceHandle;
        /** Why a bulk was stopped (abort, close): what the worker did not send fails with it. */
        stopReason?: Error;
      }
    | undefined;
  readonly #sender: ReturnType<typeof sequenceSender>;

  private constructor(socket: DatagramSocket, options: ConnectionOptions) {
    super();
    this.socket = socket;
    this.#window = Math.max(1, options.window ?? 64);
    this.#timeout = options.timeout ?? 30_000;
    this.#highWater = Math.max(1, options.dumpHighWaterMark ?? 4096);
    this.#callSiteStacks = options.callSiteStacks ?? false;
    // Start somewhere arbitrary so two connections' traces are easy to tell apart.
    this.#seq = (Math.random() * 0x7fffffff) >>> 0 || 1;
    if (typeof socket.setReceiver === 'function') {
      socket.setReceiver((buffer, length) => this.#receive(buffer, length, false));
    } else {
      socket.on('message', (datagram: Buffer) => this.#receive(datagram, datagram.length, true));
    }
    socket.on('error', (err: Error) => this.#onSocketError(err));
    socket.unref();
    this.#sender = sequenceSender(socket);
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
    let n = this.#pending.size;
    for (const q of this.#queue) if (isPending(q)) n++;
    for (const b of this.#bulks) n += b.count - b.settled;
    return n;
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
   * Send many requests (each NLM_F_REQUEST | NLM_F_ACK | its `flags`) and resolve once, when
   * every one is answered, with the outcome of each by index. All are framed up front into one
   * buffer (a payload that throws rejects the call before anything is sent), leave in
   * datagrams of up to 64 KiB while the connection's window allows, and their acks are
   * matched by sequence range where they land: no promise, no object per request. Replies
   * other than acks are dropped: this is for changes, not queries.
   *
   * Rejects only before sending (closed connection, aborted signal, a payload that throws);
   * once started it always resolves, failures being per request in {@link BulkResult.errors}.
   * Requests made before it leave before it, requests made after it after it.
   */
  requestMany(requests: Iterable<BulkRequest>, options: BulkOptions = {}): Promise<BulkResult> {
    return new Promise((resolve, reject) => {
      if (this.#closed) {
        reject(closedError('before the requests were sent'));
        return;
      }
      if (options.signal?.aborted) {
        reject(options.signal.reason as Error);
        return;
      }
      const stopOnError = options.stopOnError === true;
      // The shim's sender learns of a refusal from the error the kernel sends anyway: no acks.
      const native = stopOnError && this.#sender !== undefined;
      let framed: { bytes: Buffer; starts: Uint32Array; count: number };
      try {
        framed = frameMany(requests, native ? NLM_F_REQUEST : NLM_F_REQUEST | NLM_F_ACK);
      } catch (err) {
        reject(err as Error);
        return;
      }
      const count = framed.count;
      if (count === 0) {
        resolve({ count: 0, ok: 0, failed: 0, errors: [] });
        return;
      }
      // Sequence numbers in one unbroken run, so an ack is placed by subtraction.
      if (this.#seq > MAX_SEQ - count) this.#seq = 0;
      const seqBase = this.#seq + 1;
      this.#seq += count;
      for (let i = 0; i < count; i++) putU32(framed.bytes, framed.starts[i]! + 8, seqBase + i);
      const timeout = native ? 0 : (options.timeout ?? this.#timeout);
      const b = newBulk(framed, seqBase, timeout, options, resolve, stopOnError, native);
      if (this.#callSiteStacks) {
        const site: { stack?: string } = {};
        Error.captureStackTrace(site, this.requestMany);
        b.site = site;
      }
      if (options.signal) {
        const signal = options.signal;
        b.onAbort = () =>
          this.#endBulk(
            b,
            (signal.reason as Error) ?? new NetlinkSocketError('ABORT_ERR', 'aborted'),
          );
        signal.addEventListener('abort', b.onAbort, { once: true });
      }
      this.#bulks.push(b);
      this.#queue.push(b);
      if (b.deadline) this.#armTimer(b.deadline);
      this.#pump();
    });
  }

  /**
   * An ordered stream of requests: what {@link Connection.requestMany} with `stopOnError` does,
   * for requests that are not all known yet (a script read and applied line by line, such as
   * ip's `-batch`). Each {@link RequestSequence.push} frames its request and, on a
   * NetlinkSocket, hands it to the shim's worker, which sends one request at a time without
   * acks and stops at the first refusal: the kernel works on the first requests while the next
   * ones are being made, and nothing after a refusal is sent. {@link RequestSequence.end}
   * resolves with one outcome per push.
   *
   * Like a stopOnError bulk, the sequence starts once nothing else is in flight, and nothing
   * else leaves until it has ended and its worker has stopped. Until {@link RequestSequence.end}
   * is called the worker waits for more requests and holds a thread of libuv's pool. Over
   * another DatagramSocket the requests are sent by {@link RequestSequence.end}, one per ack.
   *
   * @throws {NetlinkSocketError} `ERR_RTNL_CLOSED` if the connection is closed.
   */
  sequence(options: SequenceOptions = {}): RequestSequence {
    if (this.#closed) throw closedError('before the sequence started');
    const st: Stream = {
      stream: true,
      segments: [],
      handed: 0,
      writer: undefined,
      count: 0,
      sentToWorker: 0,
      seqBase: 0,
      handle: undefined,
      ended: false,
      outcome: undefined,
      stopReason: undefined,
      schema: options.schema,
      signal: options.signal,
      onAbort: undefined,
      result: undefined,
      resolve: undefined,
    };
    const signal = options.signal;
    if (signal?.aborted) {
      this.#stopStream(st, signal.reason as Error);
    } else if (signal) {
      st.onAbort = () =>
        this.#stopStream(
          st,
          (signal.reason as Error) ?? new NetlinkSocketError('ABORT_ERR', 'aborted'),
        );
      signal.addEventListener('abort', st.onAbort, { once: true });
    }
    if (this.#sender !== undefined && st.stopReason === undefined) {
      this.#queue.push(st);
      this.#pump();
    }
    const connection = this;
    return {
      push: (request) => this.#streamPush(st, request),
      get count() {
        return st.count;
      },
      get stopped() {
        return connection.#streamStopped(st);
      },
      end: () => this.#streamEnd(st),
    };
  }

  #streamPush(st: Stream, request: BulkRequest): number {
    if (st.ended) throw new Error('RequestSequence.push() after end()');
    if (st.count >= MAX_STREAM) throw new RangeError(`at most ${MAX_STREAM} requests at once`);
    let seg = st.segments[st.segments.length - 1];
    let w = st.writer;
    if (w === undefined || seg === undefined || seg.count === BLOCK) {
      w = st.writer = new AttributeWriter(BLOCK * 64);
      seg = { bytes: w.buf, starts: new Uint32Array(BLOCK + 1), count: 0, given: 0 };
      st.segments.push(seg);
    }
    const at = w.pos;
    try {
      frameOne(w, request, NLM_F_REQUEST);
    } catch (err) {
      w.pos = at;
      throw err;
    }
    // The writer may have moved to a larger buffer: what the worker has stays in the old one.
    seg.bytes = w.buf;
    seg.starts[seg.count++] = at;
    seg.starts[seg.count] = w.pos;
    const index = st.count++;
    // Hand the new requests over once there are SEGMENT_MAX, or at once when the worker has
    // sent everything it was given (it would wait otherwise).
    const waiting = st.count - st.sentToWorker;
    const h = st.handle;
    if (
      h !== undefined &&
      (waiting >= SEGMENT_MAX ||
        (waiting >= SEGMENT_MIN && Atomics.load(h.control, CONTROL_SENT) >= st.sentToWorker))
    ) {
      this.#handOver(st);
    }
    return index;
  }

  #streamStopped(st: Stream): boolean {
    return (
      st.stopReason !== undefined ||
      (st.handle !== undefined && Atomics.load(st.handle.control, CONTROL_STOPPED) === 1)
    );
  }

  /** Number the requests the worker has not had yet and give them to it. */
  #handOver(st: Stream): void {
    // Once the worker has stopped (or is stopping) there is no one to give them to.
    if (st.outcome !== undefined || st.stopReason !== undefined) return;
    const h = st.handle!;
    while (st.handed < st.segments.length) {
      const seg = st.segments[st.handed]!;
      const from = seg.given;
      for (let i = from; i < seg.count; i++) putU32(seg.bytes, seg.starts[i]! + 8, ++this.#seq);
      if (seg.count > from) h.push(seg.bytes, seg.starts, from, seg.count);
      st.sentToWorker += seg.count - from;
      seg.given = seg.count;
      // The last block may still grow.
      if (st.handed === st.segments.length - 1) break;
      st.handed++;
    }
  }

  /** The stream at the head of the queue starts once nothing else is in flight. */
  #startStream(st: Stream): boolean {
    if (this.#inFlight > 0 || this.#dumpActive || this.#batch.length > 0) return false;
    this.#queue.shift();
    // Its numbers run on from seqBase without wrapping (nothing else is in flight).
    if (this.#seq > MAX_SEQ - MAX_STREAM) this.#seq = 0;
    st.seqBase = this.#seq + 1;
    if (!this.#referenced) {
      this.socket.ref();
      this.#referenced = true;
    }
    // The worker reads the answers: the poll watcher must not take them first.
    this.socket.pause();
    const handle = this.#sender!(true, (sent, received, errno) =>
      this.#streamDone(st, sent, received, errno),
    );
    st.handle = handle;
    this.#sequence = { bulk: undefined, stream: st, handle };
    this.#handOver(st);
    if (st.ended) handle.end();
    return true;
  }

  /** The worker stopped: the socket is free again; the result waits for end() if need be. */
  #streamDone(st: Stream, sent: number, received: Buffer | undefined, errno: number): void {
    this.#sequence = undefined;
    st.outcome = { sent, received, errno };
    if (!this.#closed) this.socket.resume();
    if (st.ended) this.#settleStream(st);
    if (this.#closed) {
      // close() waited for the worker to let go of the socket.
      this.socket.close();
    } else {
      this.#pump();
      this.#maybeUnref();
    }
  }

  #streamEnd(st: Stream): Promise<BulkResult> {
    if (st.result !== undefined) return st.result;
    st.ended = true;
    if (st.handle !== undefined) this.#handOver(st);
    if (this.#sender === undefined && st.stopReason === undefined) {
      // No worker: the same frames go out one per ack.
      if (st.onAbort) st.signal?.removeEventListener('abort', st.onAbort);
      st.result = this.requestMany(unframe(st.segments), {
        ...streamOptions(st),
        stopOnError: true,
      });
      return st.result;
    }
    st.result = new Promise<BulkResult>((resolve) => {
      st.resolve = resolve;
    });
    if (st.outcome !== undefined) this.#settleStream(st);
    else st.handle?.end();
    return st.result;
  }

  /** Stop a stream from outside: it sends nothing more, and what did not leave fails. */
  #stopStream(st: Stream, err: Error): void {
    if (st.stopReason !== undefined || st.outcome !== undefined) return;
    st.stopReason = err;
    if (st.handle !== undefined) {
      Atomics.store(st.handle.control, CONTROL_CANCEL, 1);
      st.handle.end();
      return;
    }
    // Not started: nothing was sent.
    const q = this.#queue.indexOf(st);
    if (q >= 0) this.#queue.splice(q, 1);
    st.outcome = { sent: 0, received: undefined, errno: 0 };
    if (st.ended) this.#settleStream(st);
  }

  /** The worker has stopped and end() was called: one outcome per push. */
  #settleStream(st: Stream): void {
    const { sent, received, errno } = st.outcome!;
    if (st.count === 0) {
      if (st.onAbort) st.signal?.removeEventListener('abort', st.onAbort);
      st.resolve!({ count: 0, ok: 0, failed: 0, errors: [] });
      return;
    }
    const framed = joinSegments(st.segments, st.count);
    const b = newBulk(framed, st.seqBase, 0, streamOptions(st), st.resolve!, true, true);
    b.onAbort = st.onAbort;
    b.state.fill(IN_FLIGHT, 0, sent);
    b.next = b.count;
    b.inFlight = sent;
    this.#inFlight += sent;
    this.#bulks.push(b);
    this.#settleSent(b, 0, sent, received, errno, st.stopReason);
  }

  /**
   * Start a dump (NLM_F_REQUEST | NLM_F_DUMP | `flags`). Messages are decoded as datagrams
   * arrive; iterate to stream them, `forEach()` to take them synchronously, or `list()` to
   * collect. The request leaves when one of those starts. Reading pauses while an iterating
   * consumer is more than `dumpHighWaterMark` items behind, so a large table never sits in
   * memory at once. With `decode`, each message is turned into an item in place (no copy of
   * the datagram, no message object) and the dump yields items.
   */
  dump(type: number, payload: Payload, options?: DumpOptions): DumpIterable<NetlinkMessage>;
  dump<T>(type: number, payload: Payload, options: DecodedDumpOptions<T>): DumpIterable<T>;
  dump(
    type: number,
    payload: Payload,
    options: DumpOptions & { decode?: (m: MessageView) => unknown } = {},
  ): DumpIterable<unknown> {
    let interrupted = false;
    const decode = options.decode;
    const start = (
      highWater: number,
      visit: ((item: unknown) => void) | undefined,
      onSettled?: () => void,
    ): Sink => {
      const sink: Sink = {
        queue: [],
        head: 0,
        done: false,
        error: undefined,
        cancelled: false,
        interrupted: false,
        waiter: undefined,
        highWater,
        decode,
        visit,
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
    /** Run one dump to its end; the sink tells how it ended. */
    const run = (visit: ((item: unknown) => void) | undefined): Promise<Sink> =>
      new Promise((resolve) => {
        // The dump may end before start() returns (a closed connection): settle after it.
        let sink: Sink | undefined;
        sink = start(Number.POSITIVE_INFINITY, visit, () => {
          if (sink) resolve(sink);
        });
        if (sink.done) resolve(sink);
      });
    const interruptedError = (attempts?: number) =>
      new NetlinkSocketError(
        DUMP_INTERRUPTED,
        `dump of message type ${type} was interrupted (NLM_F_DUMP_INTR)${attempts === undefined ? '' : ` ${attempts} time(s)`}: the table changed while it was read`,
      );
    const self = this;
    const iterable: DumpIterable<unknown> = {
      get interrupted() {
        return interrupted;
      },
      async list() {
        const policy = options.onInterrupted ?? 'retry';
        const retries = options.maxRetries ?? 5;
        for (let attempt = 0; ; attempt++) {
          const sink = await run(undefined);
          if (sink.error) throw sink.error;
          if (!sink.interrupted || policy === 'ignore') return sink.queue;
          if (policy === 'error' || attempt >= retries) throw interruptedError(attempt + 1);
        }
      },
      async forEach(visit: (item: unknown) => void) {
        if (typeof visit !== 'function') throw new TypeError('forEach needs a function');
        const sink = await run(visit);
        if (sink.error) throw sink.error;
        if (sink.interrupted && (options.onInterrupted ?? 'error') !== 'ignore') {
          throw interruptedError();
        }
      },
      [Symbol.asyncIterator](): AsyncIterator<unknown> {
        const policy = options.onInterrupted ?? 'error';
        let sink: Sink | undefined;
        /** The next result if one is ready: an item, the end, or a throw. */
        const take = (s: Sink): IteratorResult<unknown> | undefined => {
          if (s.head < s.queue.length) {
            const value = s.queue[s.head];
            s.queue[s.head++] = undefined;
            if (s.head === s.queue.length) {
              s.queue.length = 0;
              s.head = 0;
            }
            if (self.#paused) self.#maybeResume(s);
            return { done: false, value };
          }
          if (!s.done) return undefined;
          if (s.error) throw s.error;
          if (s.interrupted && policy !== 'ignore') throw interruptedError();
          return { done: true, value: undefined };
        };
        return {
          next(): Promise<IteratorResult<unknown>> {
            sink ??= start(self.#highWater, undefined);
            const s = sink;
            // The common case first: an item is waiting (no closure, one settled promise).
            if (s.head < s.queue.length) return Promise.resolve(take(s)!);
            try {
              const r = take(s);
              if (r) return Promise.resolve(r);
            } catch (e) {
              return Promise.reject(e);
            }
            return new Promise((resolve, reject) => {
              s.waiter = () => {
                try {
                  resolve(take(s) ?? { done: true, value: undefined });
                } catch (e) {
                  reject(e);
                }
              };
            });
          },
          return(): Promise<IteratorResult<unknown>> {
            if (sink && !sink.done) {
              sink.cancelled = true;
              sink.queue.length = 0;
              sink.head = 0;
              self.#maybeResume(sink);
            }
            return Promise.resolve({ done: true, value: undefined });
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
      replies: undefined,
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
    while (this.#queue.length > 0 && this.#inFlight < this.#window && !this.#sequence) {
      const q = this.#queue[0]!;
      if (isStream(q)) {
        if (!this.#startStream(q)) break;
        continue;
      }
      if (isBulk(q) && q.stopOnError) {
        if (!this.#startOrdered(q)) break;
        continue;
      }
      if (isBulk(q)) {
        // As many of the bulk's requests as the window has room for, in one run.
        const n = Math.min(this.#window - this.#inFlight, q.count - q.next);
        const from = q.next;
        q.state.fill(IN_FLIGHT, from, from + n);
        q.next += n;
        q.inFlight += n;
        this.#inFlight += n;
        const last = this.#batch[this.#batch.length - 1];
        if (last !== undefined && (last as BulkRun).bulk === q && (last as BulkRun).to === from) {
          (last as BulkRun).to = q.next;
        } else {
          this.#batch.push({ bulk: q, from, to: q.next });
        }
        if (q.next === q.count) this.#queue.shift();
        continue;
      }
      const p = q;
      // The kernel runs one dump per socket at a time (a second gets EBUSY): a dump waits for
      // the one before it, and keeps its place so later requests do not overtake it.
      if (p.dump && this.#dumpActive) break;
      this.#queue.shift();
      if (p.dump) this.#dumpActive = true;
      // Skip the numbers a bulk holds (its run is placed where no single request is).
      do {
        this.#seq = this.#seq >= MAX_SEQ ? 1 : this.#seq + 1;
      } while (this.#bulks.length > 0 && this.#bulkOf(this.#seq) !== undefined);
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

  /**
   * Let a stopOnError bulk at the head of the queue go on: all of it to the shim's sender once
   * nothing else is in flight, or (another socket) its next request once the one before it is
   * answered. False when it must wait; the queue behind it waits too.
   */
  #startOrdered(b: Bulk): boolean {
    if (b.native) {
      if (this.#inFlight > 0 || this.#dumpActive || this.#batch.length > 0) return false;
      this.#queue.shift();
      const from = b.next;
      const n = b.count - from;
      b.state.fill(IN_FLIGHT, from);
      b.next = b.count;
      b.inFlight += n;
      this.#inFlight += n;
      if (!this.#referenced) {
        this.socket.ref();
        this.#referenced = true;
      }
      // The worker reads the answers: the poll watcher must not take them first.
      this.socket.pause();
      const handle = this.#sender!(true, (sent, received, errno) =>
        this.#sequenceDone(b, from, from + sent, received, errno),
      );
      handle.push(b.bytes, b.starts, from, b.count);
      handle.end();
      this.#sequence = { bulk: b, stream: undefined, handle };
      return true;
    }
    if (b.inFlight > 0) return false;
    const from = b.next;
    b.state[from] = IN_FLIGHT;
    b.next++;
    b.inFlight++;
    this.#inFlight++;
    this.#batch.push({ bulk: b, from, to: b.next });
    if (b.next === b.count) this.#queue.shift();
    if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      queueMicrotask(() => this.#flush());
    }
    return true;
  }

  /** The shim's sender ended a bulk: place the kernel's refusals, settle the rest. */
  #sequenceDone(
    b: Bulk,
    from: number,
    next: number,
    received: Buffer | undefined,
    errno: number,
  ): void {
    const stopReason = this.#sequence?.stopReason;
    this.#sequence = undefined;
    if (!this.#closed) this.socket.resume();
    this.#settleSent(b, from, next, received, errno, stopReason);
    if (this.#closed) {
      // close() waited for the worker to let go of the socket.
      this.socket.close();
    } else {
      this.#pump();
      this.#maybeUnref();
    }
  }

  /**
   * Requests [from, next) of `b` left through the shim's worker, which kept what the kernel
   * answered in `received`: place its refusals, settle the rest of those as accepted, and fail
   * what never left (with `stopReason` if it was stopped from outside).
   */
  #settleSent(
    b: Bulk,
    from: number,
    next: number,
    received: Buffer | undefined,
    errno: number,
    stopReason: Error | undefined,
  ): void {
    if (received !== undefined) {
      forEachDatagram(received, (datagram, length) => this.#receive(datagram, length, true));
    }
    if (b.finished) return;
    // Read after each send: whatever left and was not refused was accepted, except the last
    // one sent when reading its answer failed (it may have been lost).
    const unknown = errno < 0 ? next - 1 : next;
    this.#acceptRange(b, from, unknown);
    if (!b.finished && unknown < next && b.state[unknown] === IN_FLIGHT) {
      this.#settleBulkItem(b, unknown, NetlinkSocketError.fromErrno(-errno, 'recvmsg'));
    }
    if (!b.finished && next < b.count) {
      if (stopReason !== undefined) {
        // Stopped from outside: what never left fails with the reason.
        this.#endBulk(b, stopReason);
      } else {
        const err =
          errno > 0
            ? NetlinkSocketError.fromErrno(errno, 'sendto')
            : new NetlinkSocketError(
                'ERR_RTNL_NOT_SENT',
                'not sent: the sequence stopped before this request',
              );
        this.#settleBulkItem(b, next, err);
      }
    }
  }

  /** A stopOnError bulk met a refusal at `i`: what it has not sent yet never will be. */
  #stopAfter(b: Bulk, i: number): void {
    const q = this.#queue.indexOf(b);
    if (q >= 0) this.#queue.splice(q, 1);
    const err = new NetlinkSocketError(
      'ERR_RTNL_NOT_SENT',
      `not sent: request ${i} before it failed and the bulk stops at the first failure`,
    );
    for (let j = i + 1; j < b.count && !b.finished; j++) {
      if (b.state[j] !== SETTLED) this.#settleBulkItem(b, j, err);
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
    const out = new Outbox(this.socket, (items, err) => this.#sendFailed(items, err));
    for (const item of batch) {
      if ((item as BulkRun).bulk !== undefined) {
        const { bulk, from, to } = item as BulkRun;
        // Ended (aborted, timed out) before it could leave: its requests are settled already.
        if (bulk.finished) continue;
        const starts = bulk.starts;
        let i = from;
        while (i < to) {
          // The longest run from i that fits in what is left of the datagram (at least one
          // request, even if it alone is larger).
          const room = out.room();
          let j = i + 1;
          while (j < to && starts[j + 1]! - starts[i]! <= room) j++;
          if (starts[j]! - starts[i]! > room && out.size > 0) {
            out.send();
            continue;
          }
          out.add(bulk.bytes.subarray(starts[i]!, starts[j]!), { bulk, from: i, to: j });
          i = j;
        }
        continue;
      }
      const p = item as Pending;
      if (p.bytes.length > out.room() && out.size > 0) out.send();
      out.add(p.bytes, p);
    }
    out.send();
    // rtnetlink answers inside sendmsg: the replies are usually queued already, so read them
    // now rather than a loop iteration later (one ack per datagram: up to a window's worth).
    // Bounded, so a dump's later datagrams are read on poll, not all in this call.
    // Datagram by datagram, and only while someone waits: the read after the last ack would
    // only meet EAGAIN (one wasted system call per request).
    for (
      let read = 0;
      read < this.#window && this.#inFlight > 0 && !this.#paused && !this.#closed;
      read++
    ) {
      if (this.socket.receiveNow(1) === 0) break;
    }
  }

  /** A datagram could not be sent: everything in it fails. */
  #sendFailed(items: Outgoing[], err: Error): void {
    for (const item of items) {
      if ((item as BulkRun).bulk !== undefined) {
        const { bulk, from, to } = item as BulkRun;
        for (let i = from; i < to; i++) this.#settleBulkItem(bulk, i, err);
      } else {
        this.#fail(item as Pending, err);
      }
    }
  }

  /** The bulk holding `seq`, if any. */
  #bulkOf(seq: number): Bulk | undefined {
    for (const b of this.#bulks) {
      const i = seq - b.seqBase;
      if (i >= 0 && i < b.count) return b;
    }
    return undefined;
  }

  /**
   * One datagram from the socket: `buffer[0, size)`. `owned`: the bytes are ours to keep
   * (a 'message' event); otherwise they are the socket's receive buffer, valid only now.
   */
  #receive(buffer: Buffer, size: number, owned: boolean): void {
    const view = new View(buffer, size, owned);
    const portId = this.socket.portId;
    let off = 0;
    try {
      while (off < size) {
        if (size - off < NLMSG_HDRLEN) {
          throw new NetlinkDecodeError(
            'TRUNCATED_HEADER',
            `${size - off} bytes left, too few for a 16-byte nlmsghdr`,
            off,
          );
        }
        const len = u32(buffer, off);
        if (len < NLMSG_HDRLEN || len > size - off) {
          throw new NetlinkDecodeError(
            'BAD_LENGTH',
            `nlmsg_len ${len} but ${size - off} bytes remain`,
            off,
          );
        }
        view.start = off + NLMSG_HDRLEN;
        view.end = off + len;
        view.type = buffer[off + 4]! | (buffer[off + 5]! << 8);
        view.flags = buffer[off + 6]! | (buffer[off + 7]! << 8);
        view.seq = u32(buffer, off + 8);
        view.pid = u32(buffer, off + 12);
        off += nlmsgAlign(len);
        if (view.pid !== portId && view.pid !== 0) {
          this.#unsolicited(view);
          continue;
        }
        if (this.#bulks.length > 0) {
          const b = this.#bulkOf(view.seq);
          if (b !== undefined) {
            this.#onBulkMessage(b, view);
            continue;
          }
        }
        const p = this.#pending.get(view.seq);
        if (p === undefined) this.#unsolicited(view);
        else this.#onMessage(p, view);
      }
    } catch (err) {
      if (err instanceof NetlinkDecodeError) {
        // We cannot tell whose reply the bad bytes were: everyone waiting hears about it.
        for (const p of [...this.#pending.values()]) this.#fail(p, err);
        for (const b of [...this.#bulks]) this.#failInFlight(b, err);
        this.emit('decodeError', err);
        return;
      }
      throw err;
    }
  }

  #unsolicited(view: View): void {
    if (view.type !== NLMSG_NOOP && this.listenerCount('unsolicited') > 0) {
      this.emit('unsolicited', view.message());
    }
  }

  /** A successful ack with nothing to report: no ext-ack TLVs, echo capped (or just the header). */
  static #plainAck(view: View): boolean {
    const { buffer, start, end } = view;
    return (
      end - start >= 4 + NLMSG_HDRLEN &&
      (view.flags & NLM_F_ACK_TLVS) === 0 &&
      ((view.flags & NLM_F_CAPPED) !== 0 || end - start === 4 + NLMSG_HDRLEN) &&
      u32(buffer, start) === 0
    );
  }

  #onMessage(p: Pending, view: View): void {
    const type = view.type;
    if (type === NLMSG_ERROR) {
      if (Connection.#plainAck(view)) {
        this.#complete(p);
        return;
      }
      const ack = parseAck(view.message());
      if (ack.error === 0) {
        if (ack.message !== undefined) this.#warn(p, ack.message);
        this.#complete(p);
      } else {
        this.#fail(p, this.#kernelError(p.bytes, p.seq, p.type, p.schema, ack));
      }
      return;
    }
    if (type === NLMSG_DONE) {
      const done = parseDone(view.message());
      if (done.error < 0) {
        const ack: Ack = {
          error: done.error,
          request: { len: p.bytes.length, type: p.type, flags: 0, seq: p.seq, pid: 0 },
          capped: true,
        };
        if (done.message !== undefined) ack.message = done.message;
        if (done.offset !== undefined) ack.offset = done.offset;
        this.#fail(p, this.#kernelError(p.bytes, p.seq, p.type, p.schema, ack));
      } else {
        this.#complete(p);
      }
      return;
    }
    if (type === NLMSG_OVERRUN) {
      this.#fail(
        p,
        new NetlinkSocketError('ENOBUFS', 'the kernel reported NLMSG_OVERRUN: data was lost'),
      );
      return;
    }
    if (p.draining) return;
    const sink = p.sink;
    if (sink === undefined) {
      p.replies ??= [];
      p.replies.push(view.message());
      return;
    }
    // Iteration stopped early: read the dump to its end, keep nothing.
    if (sink.cancelled) return;
    if (view.flags & NLM_F_DUMP_INTR) sink.interrupted = true;
    let item: unknown;
    if (sink.decode !== undefined) {
      try {
        item = sink.decode(view);
      } catch (err) {
        this.#abandon(p, err as Error, true);
        return;
      }
      if (item === undefined) return;
    } else {
      item = view.message();
    }
    if (sink.visit !== undefined) {
      try {
        sink.visit(item);
      } catch (err) {
        this.#abandon(p, err as Error, true);
      }
      return;
    }
    sink.queue.push(item);
    const w = sink.waiter;
    if (w) {
      sink.waiter = undefined;
      w();
    }
    if (!this.#paused && sink.queue.length - sink.head >= sink.highWater) {
      this.#paused = true;
      this.socket.pause();
    }
  }

  #onBulkMessage(b: Bulk, view: View): void {
    const i = view.seq - b.seqBase;
    // Replies other than acks (and anything for a request not in flight) are not kept.
    if (view.type !== NLMSG_ERROR || b.state[i] !== IN_FLIGHT) return;
    if (Connection.#plainAck(view)) {
      this.#settleBulkItem(b, i, undefined);
      return;
    }
    const ack = parseAck(view.message());
    if (ack.error === 0) {
      if (ack.message !== undefined) {
        b.onWarning?.(i, ack.message);
        if (this.listenerCount('warning') > 0) {
          this.emit('warning', {
            message: ack.message,
            seq: view.seq,
            type: b.bytes.readUInt16LE(b.starts[i]! + 4),
          });
        }
      }
      this.#settleBulkItem(b, i, undefined);
      return;
    }
    const request = b.bytes.subarray(b.starts[i]!, b.starts[i + 1]!);
    const err = this.#kernelError(request, view.seq, request.readUInt16LE(4), b.schema, ack);
    this.#settleBulkItem(b, i, withSite(b.site, err));
  }

  /** Request `i` of bulk `b` is answered (err undefined) or failed; unsent ones may fail too. */
  #settleBulkItem(b: Bulk, i: number, err: Error | undefined): void {
    const state = b.state[i];
    if (state === SETTLED || b.finished) return;
    b.state[i] = SETTLED;
    if (state === IN_FLIGHT) {
      b.inFlight--;
      this.#inFlight--;
    }
    b.settled++;
    if (err !== undefined) {
      b.errors[i] = err;
      b.failed++;
      if (b.stopOnError && b.settled < b.count) {
        this.#stopAfter(b, i);
        return;
      }
    }
    while (b.low < b.next && b.state[b.low] === SETTLED) b.low++;
    if (b.settled === b.count) this.#finishBulk(b);
    else if (!this.#closed) this.#pump();
  }

  /**
   * Requests [from, to) of `b` still in flight were accepted: #settleBulkItem for each, in one
   * pass (a sequence settles ten thousand at once).
   */
  #acceptRange(b: Bulk, from: number, to: number): void {
    const state = b.state;
    let n = 0;
    for (let i = from; i < to; i++) {
      if (state[i] === IN_FLIGHT) {
        state[i] = SETTLED;
        n++;
      }
    }
    if (n === 0) return;
    b.inFlight -= n;
    this.#inFlight -= n;
    b.settled += n;
    while (b.low < b.next && state[b.low] === SETTLED) b.low++;
    if (b.settled === b.count) this.#finishBulk(b);
    else if (!this.#closed) this.#pump();
  }

  /** Everything of `b` in flight fails with `err` (its acks may be lost); the rest goes on. */
  #failInFlight(b: Bulk, err: Error): void {
    // Only what is in flight now: settling refills the window, and those just left.
    const end = b.next;
    for (let i = b.low; i < end && !b.finished; i++) {
      if (b.state[i] === IN_FLIGHT) this.#settleBulkItem(b, i, err);
    }
  }

  /** Stop `b`: whatever is not answered yet (sent or not) fails with `err`. */
  #endBulk(b: Bulk, err: Error): void {
    if (b.finished) return;
    // Being sent by the shim: stop the worker before its next request. It reports back what
    // left (those were applied) and the rest then fails with `err`.
    const seq = this.#sequence;
    if (seq?.bulk === b) {
      Atomics.store(seq.handle.control, 0, 1);
      seq.stopReason ??= err;
      return;
    }
    const q = this.#queue.indexOf(b);
    if (q >= 0) this.#queue.splice(q, 1);
    this.#inFlight -= b.inFlight;
    b.inFlight = 0;
    for (let i = b.low; i < b.count; i++) {
      if (b.state[i] !== SETTLED) {
        b.state[i] = SETTLED;
        b.errors[i] = err;
        b.failed++;
        b.settled++;
      }
    }
    this.#finishBulk(b);
  }

  #finishBulk(b: Bulk): void {
    if (b.finished) return;
    b.finished = true;
    const at = this.#bulks.indexOf(b);
    if (at >= 0) this.#bulks.splice(at, 1);
    if (b.onAbort) b.signal?.removeEventListener('abort', b.onAbort);
    b.resolve({ count: b.count, ok: b.count - b.failed, failed: b.failed, errors: b.errors });
    if (!this.#closed) {
      this.#pump();
      this.#maybeUnref();
    }
  }

  #maybeResume(sink: Sink): void {
    if (this.#paused && (sink.cancelled || sink.queue.length - sink.head <= sink.highWater >>> 1)) {
      this.#paused = false;
      this.socket.resume();
    }
  }

  #kernelError(
    request: Buffer,
    seq: number,
    type: number,
    schema: AttributeLocator | undefined,
    ack: Ack,
  ): NetlinkError {
    let attributePath: string | undefined;
    if (ack.offset !== undefined) {
      try {
        attributePath = schema?.pathAt(request, ack.offset);
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
      seq,
      requestType: type,
    });
  }

  #warn(p: Pending, message: string): void {
    p.onWarning?.(message);
    if (this.listenerCount('warning') > 0)
      this.emit('warning', { message, seq: p.seq, type: p.type });
  }

  #maybeUnref(): void {
    if (
      this.#referenced &&
      this.#pending.size === 0 &&
      this.#queue.length === 0 &&
      this.#bulks.length === 0
    ) {
      this.socket.unref();
      this.#referenced = false;
    }
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
      this.#maybeUnref();
    }
    const wasDraining = p.draining;
    p.draining = true;
    return !wasDraining;
  }

  #complete(p: Pending): void {
    if (this.#settle(p)) p.resolve(p.replies ?? []);
  }

  #fail(p: Pending, err: Error): void {
    if (this.#settle(p)) p.reject(withSite(p.site, err));
  }

  /**
   * Give up on a request (timeout, abort, a consumer's error). A started dump is read to its
   * end and dropped; `keepQueued` lets an iterator hand out what it already holds first.
   */
  #abandon(p: Pending, err: Error, keepQueued = false): void {
    if (p.draining) return;
    if (p.dump && p.sent && this.#pending.get(p.seq) === p) {
      // Keep the seq registered so the rest of the kernel's dump is consumed, not misread,
      // and the next dump does not meet EBUSY.
      p.draining = true;
      if (p.sink) {
        p.sink.cancelled = true;
        if (!keepQueued) {
          p.sink.queue.length = 0;
          p.sink.head = 0;
        }
        if (this.#paused) {
          this.#paused = false;
          this.socket.resume();
        }
      }
      p.reject(withSite(p.site, err));
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
      if (!isPending(p) || !p.deadline || p.draining) continue;
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
    for (const b of [...this.#bulks]) {
      if (!b.deadline) continue;
      // The deadline moves with progress: it is the time allowed without any answer.
      if (b.settled !== b.progressMark) {
        b.progressMark = b.settled;
        b.deadline = now + b.timeout;
      } else if (b.deadline <= now) {
        this.#endBulk(
          b,
          new NetlinkSocketError(
            'ETIMEDOUT',
            `netlink bulk request timed out: no answer for ${b.timeout} ms`,
          ),
        );
        continue;
      }
      if (!next || b.deadline < next) next = b.deadline;
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
    for (const b of [...this.#bulks]) this.#failInFlight(b, err);
    if (this.listenerCount('error') > 0) this.emit('error', err);
  }

  /** Close the socket; everything pending or queued fails with ERR_RTNL_CLOSED. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    const bulks = [...this.#bulks];
    const all: Pending[] = [...this.#pending.values()];
    for (const q of this.#queue) if (isPending(q)) all.push(q);
    for (const o of this.#batch) if ((o as BulkRun).bulk === undefined) all.push(o as Pending);
    this.#batch = [];
    let outstanding = all.length;
    for (const b of bulks) outstanding += b.count - b.settled;
    const err = closedError(`with ${outstanding} request(s) pending`);
    for (const p of all) {
      if (!p.draining) {
        p.draining = true;
        if (p.onAbort) p.signal?.removeEventListener('abort', p.onAbort);
        p.reject(withSite(p.site, err));
      }
    }
    for (const b of bulks) this.#endBulk(b, err);
    const running = this.#sequence?.stream;
    if (running !== undefined) this.#stopStream(running, err);
    for (const q of [...this.#queue]) if (isStream(q)) this.#stopStream(q, err);
    this.#pending.clear();
    this.#queue.length = 0;
    // A worker sending a sequence still uses the socket: it was stopped by #endBulk above, and
    // the socket closes when it returns.
    if (!this.#sequence) this.socket.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
  }

  [Symbol.dispose](): void {
    this.close();
  }
}

/**
 * Gathers outgoing messages into datagrams of at most 64 KiB and sends each; on a send error,
 * tells which requests it carried.
 */
class Outbox {
  readonly #socket: DatagramSocket;
  readonly #onError: (items: Outgoing[], err: Error) => void;
  #parts: Buffer[] = [];
  #items: Outgoing[] = [];
  size = 0;

  constructor(socket: DatagramSocket, onError: (items: Outgoing[], err: Error) => void) {
    this.#socket = socket;
    this.#onError = onError;
  }

  room(): number {
    return MAX_BATCH_BYTES - this.size;
  }

  add(bytes: Buffer, item: Outgoing): void {
    this.#parts.push(bytes);
    this.#items.push(item);
    this.size += bytes.length;
  }

  send(): void {
    if (this.#parts.length === 0) return;
    const parts = this.#parts;
    const items = this.#items;
    const datagram = parts.length === 1 ? parts[0]! : Buffer.concat(parts, this.size);
    this.#parts = [];
    this.#items = [];
    this.size = 0;
    try {
      this.#socket.send(datagram);
    } catch (err) {
      this.#onError(items, err as Error);
      return;
    }
    for (const item of items)
      if ((item as BulkRun).bulk === undefined) (item as Pending).sent = true;
  }
}

/** A little-endian u32, read without Buffer's argument checks (the caller checked the bounds). */
function u32(b: Buffer, at: number): number {
  return (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16)) + b[at + 3]! * 0x1000000;
}

/**
 * Little-endian stores into bytes already reserved, without Buffer's argument checks: framing
 * writes a few per request, and those checks cost more than the stores.
 */
function putU32(b: Buffer, at: number, v: number): void {
  b[at] = v;
  b[at + 1] = v >>> 8;
  b[at + 2] = v >>> 16;
  b[at + 3] = v >>> 24;
}

function putU16(b: Buffer, at: number, v: number): void {
  b[at] = v;
  b[at + 1] = v >>> 8;
}

/** A kernel refusal made for this request gets the stack of the call that made the request. */
function withSite(site: { stack?: string } | undefined, err: Error): Error {
  const stack = site?.stack;
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

/**
 * Frame every request of a bulk back to back (seq 0 for now); request i is
 * bytes[starts[i], starts[i + 1]). Requests are read one at a time, so an iterable that makes
 * each on demand never holds them all.
 */
function frameMany(
  requests: Iterable<BulkRequest>,
  baseFlags: number,
): {
  bytes: Buffer;
  starts: Uint32Array;
  count: number;
} {
  if (requests === null || typeof requests !== 'object' || !(Symbol.iterator in requests)) {
    throw new TypeError('requestMany needs an iterable of requests');
  }
  const hint = Array.isArray(requests) ? requests.length : 1024;
  const w = new AttributeWriter(Math.max(256, hint * 64));
  let starts = new Uint32Array(hint + 1);
  let count = 0;
  for (const r of requests) {
    if (count + 1 >= starts.length) {
      const next = new Uint32Array(starts.length * 2);
      next.set(starts);
      starts = next;
    }
    if (count >= MAX_SEQ - 1) throw new RangeError(`at most ${MAX_SEQ - 1} requests at once`);
    starts[count++] = frameOne(w, r, baseFlags);
  }
  starts[count] = w.pos;
  return { bytes: w.buf, starts, count };
}

/** Frame one request at the end of `w` (seq 0 for now); returns where it starts. */
function frameOne(w: AttributeWriter, r: BulkRequest, baseFlags: number): number {
  const at = w.pos;
  w.zeros(NLMSG_HDRLEN);
  const payload = r.payload;
  if (typeof payload === 'function') payload(w);
  else w.rawBytes(payload);
  const len = w.pos - at;
  w.align();
  const buf = w.buf;
  putU32(buf, at, len);
  putU16(buf, at + 4, r.type);
  putU16(buf, at + 6, baseFlags | (r.flags ?? 0));
  return at;
}

/** A stream's segments as one framed run (the result maps refusals to their requests). */
function joinSegments(
  segments: readonly Segment[],
  count: number,
): { bytes: Buffer; starts: Uint32Array; count: number } {
  let size = 0;
  for (const seg of segments) size += seg.starts[seg.count]!;
  const bytes = Buffer.allocUnsafe(size);
  const starts = new Uint32Array(count + 1);
  let off = 0;
  let n = 0;
  for (const seg of segments) {
    const end = seg.starts[seg.count]!;
    seg.bytes.copy(bytes, off, 0, end);
    for (let i = 0; i < seg.count; i++) starts[n++] = off + seg.starts[i]!;
    off += end;
  }
  starts[n] = off;
  return { bytes, starts, count };
}

/** The bulk options a stream was made with. */
function streamOptions(st: Stream): BulkOptions {
  const options: BulkOptions = {};
  if (st.schema) options.schema = st.schema;
  if (st.signal) options.signal = st.signal;
  return options;
}

/** A stream's frames as requests for requestMany (which frames them again). */
function unframe(segments: readonly Segment[]): BulkRequest[] {
  const requests: BulkRequest[] = [];
  for (const seg of segments) {
    for (let i = 0; i < seg.count; i++) {
      const at = seg.starts[i]!;
      const len = seg.bytes.readUInt32LE(at);
      requests.push({
        type: seg.bytes.readUInt16LE(at + 4),
        flags: seg.bytes.readUInt16LE(at + 6) & ~NLM_F_REQUEST,
        payload: seg.bytes.subarray(at + NLMSG_HDRLEN, at + len),
      });
    }
  }
  return requests;
}

/** The record of a bulk: `framed` requests numbered from seqBase, none sent yet. */
function newBulk(
  framed: { bytes: Buffer; starts: Uint32Array; count: number },
  seqBase: number,
  timeout: number,
  options: BulkOptions,
  resolve: (r: BulkResult) => void,
  stopOnError: boolean,
  native: boolean,
): Bulk {
  const count = framed.count;
  return {
    bulk: true,
    count,
    bytes: framed.bytes,
    starts: framed.starts,
    seqBase,
    state: new Uint8Array(count),
    errors: new Array<Error | undefined>(count).fill(undefined),
    next: 0,
    inFlight: 0,
    settled: 0,
    failed: 0,
    low: 0,
    timeout,
    deadline: timeout > 0 ? Date.now() + timeout : 0,
    progressMark: 0,
    signal: options.signal,
    onAbort: undefined,
    schema: options.schema,
    onWarning: options.onWarning,
    site: undefined,
    resolve,
    finished: false,
    stopOnError,
    native,
  };
}
