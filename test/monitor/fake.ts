// A fake monitor socket: records the groups joined and the requests sent, and delivers the
// datagrams a test scripts, one per 'message', honouring pause/resume as the real socket does.
// Messages are built with the independent byte builder (test/helpers/bytes.ts).
import { EventEmitter } from 'node:events';
import type { MonitorSocket } from '../../src/monitor/monitor.js';
import { cat, nla, nlmsg, u8, u16le, u32le, zeros } from '../helpers/bytes.js';

export const PORT = 4242;

export interface SentRequest {
  type: number;
  flags: number;
  seq: number;
  pid: number;
  payload: Buffer;
}

export class FakeMonitorSocket extends EventEmitter implements MonitorSocket {
  readonly portId = PORT;
  readonly groups: number[] = [];
  readonly sent: SentRequest[] = [];
  readonly inbox: Buffer[] = [];
  /** The nsid each queued datagram is delivered with (undefined: none, as without all-nsid). */
  readonly #inboxNsid: (number | undefined)[] = [];
  paused = false;
  closed = false;
  referenced = true;

  send(data: Uint8Array): void {
    const b = Buffer.from(data);
    this.sent.push({
      type: b.readUInt16LE(4),
      flags: b.readUInt16LE(6),
      seq: b.readUInt32LE(8),
      pid: b.readUInt32LE(12),
      payload: b.subarray(16, b.readUInt32LE(0)),
    });
  }
  pause(): void {
    this.paused = true;
  }
  resume(): void {
    this.paused = false;
    this.flush();
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
  addMembership(group: number): void {
    this.groups.push(group);
  }

  /** Queue datagrams and deliver what the pause state allows. */
  push(...datagrams: Buffer[]): void {
    this.pushFrom(undefined, ...datagrams);
  }

  /**
   * Queue datagrams as a NETLINK_LISTEN_ALL_NSID socket reads them: `nsid` is the id of the
   * namespace they came from (-1: the socket's own), passed as the listener's second argument.
   */
  pushFrom(nsid: number | undefined, ...datagrams: Buffer[]): void {
    this.inbox.push(...datagrams);
    for (const _ of datagrams) this.#inboxNsid.push(nsid);
    this.flush();
  }

  flush(): void {
    while (!this.paused && !this.closed && this.inbox.length > 0) {
      const datagram = this.inbox.shift()!;
      const nsid = this.#inboxNsid.shift();
      if (nsid === undefined) this.emit('message', datagram);
      else this.emit('message', datagram, nsid);
    }
  }

  /** The last request's seq (dump replies must carry it). */
  get lastSeq(): number {
    return this.sent.at(-1)!.seq;
  }
}

// <linux/rtnetlink.h>, <linux/netlink.h>
export const RTM_NEWROUTE = 24;
export const RTM_DELROUTE = 25;
export const RTM_GETROUTE = 26;
export const NLMSG_ERROR = 2;
export const NLMSG_DONE = 3;
export const NLM_F_MULTI = 0x2;
export const NLM_F_DUMP_INTR = 0x10;
export const NLM_F_REQUEST = 0x1;
export const NLM_F_DUMP = 0x300;
export const NLM_F_CREATE = 0x400;
export const NLM_F_APPEND = 0x800;

export interface RouteBytes {
  dst: string; // '198.51.100.0/24'
  oif?: number;
  gateway?: string;
  table?: number;
  priority?: number;
  protocol?: number;
}

function ipv4(text: string): Buffer {
  return Buffer.from(text.split('.').map(Number));
}

/**
 * An IPv4 route body: struct rtmsg { family, dst_len, src_len, tos, table, protocol, scope,
 * type; u32 flags } then RTA_TABLE (15), RTA_DST (1), RTA_PRIORITY (6), RTA_GATEWAY (5),
 * RTA_OIF (4), in the kernel's fill order.
 */
export function routeBody(r: RouteBytes): Buffer {
  const [addr, len] = r.dst.split('/') as [string, string];
  const table = r.table ?? 254;
  return cat(
    u8(2),
    u8(Number(len)),
    u8(0),
    u8(0),
    u8(table < 256 ? table : 252),
    u8(r.protocol ?? 4),
    u8(r.gateway ? 0 : 253),
    u8(1),
    u32le(0),
    nla(15, u32le(table)),
    nla(1, ipv4(addr)),
    ...(r.priority !== undefined ? [nla(6, u32le(r.priority))] : []),
    ...(r.gateway !== undefined ? [nla(5, ipv4(r.gateway))] : []),
    nla(4, u32le(r.oif ?? 2)),
  );
}

/** A route notification (as multicast by the kernel: seq/pid of whoever made the change). */
export function routeNotification(type: number, r: RouteBytes, flags = 0): Buffer {
  return nlmsg({ type, flags, seq: 77, pid: 9999 }, routeBody(r));
}

/** A dump reply message for request `seq`. */
export function routeDumpMessage(seq: number, r: RouteBytes, flags = NLM_F_MULTI): Buffer {
  return nlmsg({ type: RTM_NEWROUTE, flags, seq, pid: PORT }, routeBody(r));
}

/** NLMSG_DONE of a dump: int error (0) as the payload. */
export function done(seq: number, error = 0): Buffer {
  return nlmsg({ type: NLMSG_DONE, flags: NLM_F_MULTI, seq, pid: PORT }, u32le(error));
}

/** NLMSG_ERROR answering request `seq` with -errno (capped: only the request header echoed). */
export function refusal(seq: number, errno: number, type = RTM_GETROUTE): Buffer {
  return nlmsg(
    { type: NLMSG_ERROR, flags: 0x100, seq, pid: PORT },
    u32le(-errno),
    nlmsgHeaderOnly(type, seq),
  );
}

function nlmsgHeaderOnly(type: number, seq: number): Buffer {
  return cat(u32le(28), u16le(type), u16le(NLM_F_REQUEST | NLM_F_DUMP), u32le(seq), u32le(0));
}

/** `n` zero bytes (re-exported for tests building odd payloads). */
export { zeros };
