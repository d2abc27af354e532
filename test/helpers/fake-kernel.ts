// A fake kernel at the byte level (after mdlayher/netlink's nltest): it takes the datagrams the
// engine sends, hands each request to a handler, and queues the reply datagrams the handler
// builds with the independent byte builder. Delivery honours pause/resume like the real socket.
import { EventEmitter } from 'node:events';
import type { DatagramSocket } from '../../src/netlink/connection.js';
import { cat, nla, nlmsg, nlmsghdr, str, u32le } from './bytes.js';

export interface FakeRequest {
  len: number;
  type: number;
  flags: number;
  seq: number;
  pid: number;
  payload: Buffer;
  raw: Buffer;
}

export type Handler = (req: FakeRequest, kernel: FakeKernel) => Buffer[] | undefined;

const NLMSG_ERROR = 2;
const NLMSG_DONE = 3;
const NLM_F_MULTI = 0x2;
const NLM_F_CAPPED = 0x100;
const NLM_F_ACK_TLVS = 0x200;

export class FakeKernel extends EventEmitter implements DatagramSocket {
  readonly portId = 4242;
  readonly datagrams: Buffer[] = [];
  readonly requests: FakeRequest[] = [];
  readonly inbox: Buffer[] = [];
  paused = false;
  closed = false;
  referenced = false;
  pauseCount = 0;
  handler: Handler;
  #scheduled = false;

  constructor(handler: Handler = (req) => [ack(req)]) {
    super();
    this.handler = handler;
  }

  send(data: Uint8Array): void {
    if (this.closed) throw new Error('send on a closed fake socket');
    const buf = Buffer.from(data);
    this.datagrams.push(buf);
    for (let off = 0; off + 16 <= buf.length; ) {
      const len = buf.readUInt32LE(off);
      const req: FakeRequest = {
        len,
        type: buf.readUInt16LE(off + 4),
        flags: buf.readUInt16LE(off + 6),
        seq: buf.readUInt32LE(off + 8),
        pid: buf.readUInt32LE(off + 12),
        payload: buf.subarray(off + 16, off + len),
        raw: buf.subarray(off, off + len),
      };
      this.requests.push(req);
      const replies = this.handler(req, this);
      if (replies) this.inbox.push(...replies);
      off += (len + 3) & ~3;
    }
    this.#schedule();
  }

  /** Queue a datagram the kernel sends on its own (a late reply, an event). */
  inject(datagram: Buffer): void {
    this.inbox.push(datagram);
    this.#schedule();
  }

  #schedule(): void {
    if (this.#scheduled || this.paused) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      this.receiveNow();
    });
  }

  receiveNow(limit = Number.POSITIVE_INFINITY): number {
    let n = 0;
    while (!this.paused && !this.closed && this.inbox.length > 0 && n < limit) {
      this.emit('message', this.inbox.shift()!);
      n++;
    }
    if (this.inbox.length > 0) this.#schedule();
    return n;
  }

  pause(): void {
    this.paused = true;
    this.pauseCount++;
  }

  resume(): void {
    this.paused = false;
    this.#schedule();
  }

  ref(): this {
    this.referenced = true;
    return this;
  }

  unref(): this {
    this.referenced = false;
    return this;
  }

  close(): void {
    this.closed = true;
  }
}

export interface AckOptions {
  /** Echo only the header (NETLINK_CAP_ACK), the default as rtnl sets it. */
  capped?: boolean;
  message?: string;
  offset?: number;
}

/** NLMSG_ERROR answering `req`: errno 0 is an ack, a positive errno an error. */
export function ack(req: FakeRequest, errno = 0, options: AckOptions = {}): Buffer {
  const capped = options.capped ?? true;
  const tlvs: Buffer[] = [];
  if (options.message !== undefined) tlvs.push(nla(1, str(options.message)));
  if (options.offset !== undefined) tlvs.push(nla(2, u32le(options.offset)));
  let flags = capped ? NLM_F_CAPPED : 0;
  if (tlvs.length) flags |= NLM_F_ACK_TLVS;
  const echoed = capped ? nlmsghdr({ ...req, len: req.len }) : req.raw;
  const error = Buffer.alloc(4);
  error.writeInt32LE(-errno);
  return nlmsg({ type: NLMSG_ERROR, flags, seq: req.seq, pid: req.pid }, error, echoed, ...tlvs);
}

/** NLMSG_DONE closing a dump, with an errno and message when it failed. */
export function done(req: FakeRequest, errno = 0, message?: string): Buffer {
  const error = Buffer.alloc(4);
  error.writeInt32LE(-errno);
  const flags = NLM_F_MULTI | (message !== undefined ? NLM_F_ACK_TLVS : 0);
  return nlmsg(
    { type: NLMSG_DONE, flags, seq: req.seq, pid: req.pid },
    error,
    ...(message !== undefined ? [nla(1, str(message))] : []),
  );
}

/** One reply message to `req` (a dump entry carries NLM_F_MULTI). */
export function reply(
  req: FakeRequest,
  type: number,
  payload: Buffer,
  flags = NLM_F_MULTI,
): Buffer {
  return nlmsg({ type, flags, seq: req.seq, pid: req.pid }, payload);
}

/** Several messages in one datagram. */
export function datagram(...messages: Buffer[]): Buffer {
  return cat(...messages);
}
