// Keeping a consumer's table in step with the kernel: the initial listing, resynchronisation
// after lost messages, and the bookkeeping both need. No I/O: the Monitor hands in datagrams and
// sends the dump requests this asks for.
//
// The algorithm (one socket for notifications and dumps):
//
// 1. The groups are joined before any dump is requested, so every change from then on is
//    notified. Dumps run on the same socket, one table (coverage) at a time; dump messages and
//    notifications reach us in one stream, in the order the kernel queued them. A notification
//    carries the whole new state of its object (or its removal) and is queued after its change.
//    A dump message describes its objects as they were when its datagram was filled — which can
//    be a little before it is queued, so a change notified in between precedes a datagram that
//    does not show it yet.
// 2. `tracked` maps each object's identity key (objects.ts keyOf) to its last message: the
//    state the consumer will have once it has applied every event delivered so far.
// 3. While a listing or resync round runs, notifications are held back, in order. A dump
//    message that differs from `tracked` is delivered at once as `new` (origin list/resync).
//    When a dump ends, every tracked object of its table that it did not list is gone: it is
//    delivered as a `del` made from its last message. A dump the kernel flags NLM_F_DUMP_INTR
//    is run again.
// 4. When the round ends, the held notifications are released in order, keeping for each
//    object only the last one: it describes the object as of its change, which no dump message
//    read before it can postdate except by the race in 1 — so applying it is right in both
//    cases. Applying compares it with `tracked`: a `new` equal to the tracked state (apart from
//    counters and clocks, compare.ts sameState) is a duplicate and is dropped, as is a `del` of
//    an untracked object (the consumer never saw it); anything else updates `tracked` and is
//    delivered. Then `synced`.
//    So the consumer sees the current state first, then what changed since, with no gap (each
//    change after the subscription is in a dump or in a notification, and the last word on an
//    object wins) and no duplicate (what a dump already showed compares equal and is dropped).
// 5. Outside rounds, notifications about tracked tables go through the same apply step (which
//    also drops one that arrives just after a dump that already showed its change).
// 6. Held notifications are bounded (`maxHeld`). Past it, the round stops holding: what is held
//    is applied at once, later notifications are applied as they come, and a dump message
//    about an object notified during the round is not applied over the notification (which is
//    as new or newer). The final table is the same; only the stream is less tidy.
// 7. After lost messages (ENOBUFS), with resync on, every table is dumped again in a round of
//    reason 'resync', and the differences come out as `new` / `del` events. The round starts
//    once the socket's queue has been read empty: the kernel reports ENOBUFS once and then
//    drops silently until then. Notifications held or read after the loss was reported, until
//    a table's new dump answers, are dropped: they sat in the socket's queue before the request
//    (the kernel queues a dump's first datagram inside the request's sendmsg), the dump
//    reflects them, and what came after them may be what was lost.
// 8. With allNsid, notifications from other namespaces (a datagram with an nsid >= 0) share the
//    stream but not the tables: dumps read only our own namespace, and their keys (ifindex,
//    nsid, …) mean other objects there. They are never tracked, compared or made stale; they
//    are held and released in order like any untracked message.
import { NetlinkError, NetlinkSocketError } from '../netlink/errors.js';
import {
  forEachMessage,
  type NetlinkMessage,
  NLM_F_DUMP_INTR,
  NLMSG_DONE,
  NLMSG_ERROR,
  NLMSG_HDRLEN,
  NLMSG_OVERRUN,
  parseAck,
  parseDone,
} from '../netlink/message.js';
import type { NetnsRef } from '../ns/index.js';
import { sameState } from './compare.js';
import { type CoverageId, DUMPS } from './dumps.js';
import { actionOfType, coverageOf, decodeValue, keyOf, objectOfType } from './objects.js';
import type { MonitorEvent, ObjectEvent, TrackedObject } from './types.js';

/** NLM_F_APPEND on a notification: the route was added after others with the same key. */
const NLM_F_APPEND = 0x800;
const AF_INET = 2;
/** Dump refusals that mean the kernel has no such table (<asm-generic/errno.h>). */
const EOPNOTSUPP = 95;
const EAFNOSUPPORT = 97;
/** How many times a table's dump is retried when the kernel flags it NLM_F_DUMP_INTR. */
const MAX_INTERRUPTED = 5;
/** Message types below this are netlink control messages (NLMSG_MIN_TYPE). */
const NLMSG_MIN_TYPE = 0x10;

/** What the synchroniser needs from its owner. */
export interface SyncHost {
  /** The socket's port id: dump replies are addressed to it. */
  readonly portId: number;
  readonly netns: NetnsRef | undefined;
  /** Send a dump request (NLM_F_REQUEST | NLM_F_DUMP) with this seq; may throw. */
  sendDump(type: number, payload: Buffer, seq: number): void;
  /** Deliver an event to the consumer. */
  deliver(event: MonitorEvent): void;
}

export interface SyncOptions {
  /** The tables whose objects are tracked (empty: nothing is tracked, events pass through). */
  tracked: readonly CoverageId[];
  /** Re-read every tracked table after an overrun. */
  resync: boolean;
  /** Notifications held back during a round before it stops holding. */
  maxHeld: number;
  /** Label every object event with `nsid` (-1: our own namespace). Default false. */
  allNsid?: boolean;
}

type Reason = 'list' | 'resync' | 'refresh';

interface Entry {
  object: TrackedObject;
  cover: CoverageId;
  /** The RTM_NEW* type of the message (its RTM_DEL* is one more). */
  type: number;
  payload: Buffer;
}

interface CoverState {
  status: 'pending' | 'running' | 'ok' | 'failed';
  /** Keys the latest dump of this table listed. */
  listed: Set<string>;
  interruptions: number;
  /** Asked for again while its dump ran: it stays queued after the dump ends. */
  again: boolean;
}

interface Running {
  id: CoverageId;
  seq: number;
  /** Losses reported before the request (see Synchronizer.#losses). */
  epoch: number;
  reason: Reason;
  state: CoverState;
  /** Keys the dump listed, plus keys notifications set while it ran (when not holding). */
  confirmed: Set<string>;
  interrupted: boolean;
  failed: boolean;
}

interface Held {
  event: ObjectEvent;
  /** The table and key of a tracked object (undefined: delivered as it is). */
  cover: CoverageId | undefined;
  key: string | undefined;
}

interface Round {
  reasons: Set<Reason>;
  covers: Map<CoverageId, CoverState>;
  queue: CoverageId[];
  /** Held notifications, in order; undefined once the round stopped holding. */
  held: Held[] | undefined;
  /** Keys notified (and applied) during the round once it stopped holding. */
  notified: Set<string>;
}

/** The listing / resync state machine of one Monitor. */
export class Synchronizer {
  readonly #host: SyncHost;
  readonly #covered: ReadonlySet<CoverageId>;
  readonly #resync: boolean;
  readonly #maxHeld: number;
  /** With allNsid: the nsid of events from our own namespace (dumps); else undefined. */
  readonly #ownNsid: -1 | undefined;
  readonly #tracked = new Map<string, Entry>();
  /** IPv4 route keys under which the kernel holds more than one route (NLM_F_APPEND). */
  readonly #shared = new Set<string>();
  /** Tables this kernel does not have (their dump was refused with EAFNOSUPPORT/EOPNOTSUPP). */
  readonly #unsupported = new Set<CoverageId>();
  /** Tables whose notifications are stale: read after a loss, before their new dump answered. */
  readonly #stale = new Set<CoverageId>();
  /** Losses reported so far: a dump requested before the last one cannot make a table fresh. */
  #losses = 0;
  /** A loss was reported and the socket's queue was not read empty since: drops may be silent. */
  #lossOpen = false;
  #round: Round | undefined;
  #running: Running | undefined;
  #seq = (Math.random() * 0x7fffffff) >>> 0 || 1;
  #closed = false;

  constructor(host: SyncHost, options: SyncOptions) {
    this.#host = host;
    this.#covered = new Set(options.tracked);
    this.#resync = options.resync;
    this.#maxHeld = Math.max(1, options.maxHeld);
    this.#ownNsid = options.allNsid === true ? -1 : undefined;
  }

  /** Objects tracked (each object's last message is kept while listExisting or resync is on). */
  get trackedCount(): number {
    return this.#tracked.size;
  }

  /** Whether a listing or resync round is running, or a resync waits for the queue to empty. */
  get syncing(): boolean {
    return this.#round !== undefined || this.#lossOpen;
  }

  /** Start the initial listing of `ids`; `synced` (reason 'list') follows, even for none. */
  list(ids: readonly CoverageId[]): void {
    this.#enqueue(ids, 'list');
  }

  /** Re-read every tracked table and report the differences (reason 'resync'). */
  resync(): void {
    this.#enqueue([...this.#covered], 'resync');
  }

  /**
   * Messages were lost: report it, and resync when enabled — once the socket's queue has been
   * read empty ({@link Synchronizer.drained}). The kernel reports ENOBUFS once per congestion
   * (NETLINK_S_CONGESTED): until its queue is read empty, further drops are silent, so a dump
   * requested before then could miss them.
   */
  overrun(error: Error): void {
    const resync = this.#resync && this.#covered.size > 0;
    this.#host.deliver({ action: 'overrun', resync, error, netns: this.#host.netns });
    if (!resync) return;
    this.#losses++;
    for (const id of this.#covered) this.#stale.add(id);
    const held = this.#round?.held;
    if (held) {
      // Superseded by the dumps to come, and maybe followed by lost changes.
      this.#round!.held = held.filter((h) => h.cover === undefined);
    }
    this.#lossOpen = true;
  }

  /**
   * The socket's queue was just read empty (the read loop met EAGAIN without being paused):
   * no drop since then went unreported. A resync a loss is waiting for starts now.
   */
  drained(): void {
    if (!this.#lossOpen || this.#closed) return;
    this.#lossOpen = false;
    this.resync();
  }

  /** Stop: nothing more is sent or delivered. */
  close(): void {
    this.#closed = true;
    this.#round = undefined;
    this.#running = undefined;
  }

  /**
   * Handle one datagram (any number of messages). Bytes that cannot be read become error
   * events; only an exception from the consumer's own listener propagates. `nsid` is what a
   * NETLINK_LISTEN_ALL_NSID socket reports: >= 0 for another namespace's notification; -1 or
   * undefined for our own namespace.
   */
  onDatagram(datagram: Buffer, nsid?: number): void {
    // Another namespace's notification: never tracked (see 8). Labelled only with allNsid.
    const foreign = nsid !== undefined && nsid >= 0;
    const label = this.#ownNsid === undefined ? undefined : foreign ? nsid : -1;
    // Bad framing becomes an error event; what a consumer's listener throws goes on up.
    let visiting = false;
    try {
      forEachMessage(datagram, (m) => {
        visiting = true;
        this.#onMessage(m, foreign, label);
        visiting = false;
      });
    } catch (error) {
      if (visiting) throw error;
      this.#error(error);
    }
  }

  #onMessage(m: NetlinkMessage, foreign: boolean, nsid: number | undefined): void {
    if (this.#closed) return;
    const run = this.#running;
    if (!foreign && run !== undefined && m.seq === run.seq && m.pid === this.#host.portId) {
      this.#onDumpMessage(run, m);
      return;
    }
    if (m.type < NLMSG_MIN_TYPE) {
      // NOOP, or a stray ERROR/DONE of an abandoned request: nothing to report. The kernel
      // does not send NLMSG_OVERRUN, but it would mean the same as ENOBUFS.
      if (m.type === NLMSG_OVERRUN) {
        this.overrun(new NetlinkSocketError('ENOBUFS', 'NLMSG_OVERRUN: messages were lost'));
      }
      return;
    }
    const object = objectOfType(m.type);
    let event: ObjectEvent;
    try {
      event = {
        action: actionOfType(m.type),
        object,
        value: decodeValue(object, m),
        origin: 'kernel',
        netns: this.#host.netns,
        message: m,
      } as ObjectEvent;
    } catch (error) {
      this.#error(error, m, nsid);
      return;
    }
    if (nsid !== undefined) event.nsid = nsid;
    const cover = object === 'other' || foreign ? undefined : coverageOf(object, event.value);
    const tracked = cover !== undefined && this.#covered.has(cover);
    const key = tracked ? keyOf(object, event.value) : undefined;
    // Read after a loss and before its table's new dump answered: the dump reflects it.
    if (tracked && this.#stale.has(cover)) return;
    const round = this.#round;
    if (round?.held) {
      round.held.push({ event, cover: tracked ? cover : undefined, key });
      if (round.held.length > this.#maxHeld) this.#stopHolding(round);
      return;
    }
    if (tracked) {
      round?.notified.add(key!);
      if (!this.#apply(event, cover, key!)) return;
    }
    this.#host.deliver(event);
  }

  /**
   * Apply a notification about a tracked object to `tracked`. Returns false when it must not
   * be delivered (a duplicate, or the removal of something the consumer never saw).
   */
  #apply(event: ObjectEvent, cover: CoverageId, key: string): boolean {
    const run = this.#running;
    // The object exists (or existed) while its table is being read: the dump's end must not
    // remove it for not being listed.
    if (run?.id === cover) run.confirmed.add(key);
    const object = event.object as TrackedObject;
    const { message } = event;
    const entry = this.#tracked.get(key);
    if (event.action === 'new') {
      if (entry && sameState(object, entry.payload, message.payload)) return false;
      if (
        entry &&
        object === 'route' &&
        message.flags & NLM_F_APPEND &&
        message.payload[0] === AF_INET
      ) {
        this.#shared.add(key);
      }
      this.#tracked.set(key, { object, cover, type: message.type, payload: copy(message.payload) });
      return true;
    }
    if (!entry) return false;
    this.#tracked.delete(key);
    // Another route still lives under this key (an appended IPv4 route, or the other next hops
    // of an IPv6 multipath route): read the table again, which brings it back as `new`.
    if (
      object === 'route' &&
      (this.#shared.delete(key) || !sameState(object, entry.payload, message.payload))
    ) {
      this.#enqueue([cover], 'refresh');
    }
    return true;
  }

  #onDumpMessage(run: Running, m: NetlinkMessage): void {
    // Notifications read from here on were queued after the request: fresh (if no loss was
    // reported since the request).
    if (run.epoch === this.#losses) this.#stale.delete(run.id);
    if (m.type === NLMSG_DONE || m.type === NLMSG_ERROR) {
      let errno = 0;
      let text: string | undefined;
      try {
        const r = m.type === NLMSG_DONE ? parseDone(m) : parseAck(m);
        errno = -r.error;
        text = r.message;
      } catch (error) {
        this.#error(error, m);
        run.failed = true;
      }
      if (errno === EAFNOSUPPORT || errno === EOPNOTSUPP) {
        // This kernel has no such table (MPLS or multicast routing not built): nothing to
        // list, now or later, and no notification can be about it.
        run.failed = true;
        this.#unsupported.add(run.id);
      } else if (errno > 0) {
        run.failed = true;
        this.#error(
          new NetlinkError({
            errno,
            kernelMessage: text,
            seq: run.seq,
            requestType: DUMPS[run.id].type,
          }),
        );
      }
      this.#finish(run);
      return;
    }
    if (m.type < NLMSG_MIN_TYPE) return;
    if (m.flags & NLM_F_DUMP_INTR) run.interrupted = true;
    const object = objectOfType(m.type);
    if (object === 'other') return;
    let value: ObjectEvent['value'];
    try {
      value = decodeValue(object, m);
    } catch (error) {
      // An object we cannot read: the table cannot be reconciled this time.
      run.failed = true;
      this.#error(error, m);
      return;
    }
    const cover = coverageOf(object, value);
    if (cover === undefined || !this.#covered.has(cover)) return;
    const key = keyOf(object, value)!;
    if (run.state.listed.has(key) && object === 'route') this.#shared.add(key);
    run.state.listed.add(key);
    run.confirmed.add(key);
    // A notification applied during this round is as new as this message, or newer.
    if (this.#round?.notified.has(key)) return;
    const entry = this.#tracked.get(key);
    if (entry && sameState(object, entry.payload, m.payload)) return;
    this.#tracked.set(key, { object, cover, type: m.type, payload: copy(m.payload) });
    this.#host.deliver({
      action: 'new',
      object,
      value,
      origin: run.reason === 'list' ? 'list' : 'resync',
      netns: this.#host.netns,
      message: m,
      ...this.#ownLabel(),
    } as ObjectEvent);
  }

  /** A table's dump ended: remove what it did not list, then run the next one. */
  #finish(run: Running): void {
    this.#running = undefined;
    if (run.epoch === this.#losses) this.#stale.delete(run.id);
    const round = this.#round;
    if (run.failed) {
      run.state.status = 'failed';
    } else if (run.interrupted) {
      // The table changed while it was walked: objects may have been skipped. Walk it again.
      run.state.interruptions++;
      if (run.state.interruptions <= MAX_INTERRUPTED && round) {
        run.state.status = 'pending';
        round.queue.unshift(run.id);
      } else {
        run.state.status = 'failed';
        this.#error(
          new NetlinkSocketError(
            'ERR_RTNL_DUMP_INTERRUPTED',
            `the ${run.id} dump was interrupted (NLM_F_DUMP_INTR) ${run.state.interruptions} times: the table changed while it was read; it is not reconciled`,
          ),
        );
      }
    } else {
      run.state.status = 'ok';
      for (const [key, entry] of this.#tracked) {
        if (entry.cover !== run.id || run.confirmed.has(key)) continue;
        this.#tracked.delete(key);
        this.#shared.delete(key);
        this.#deliverRemoval(entry, run.reason);
      }
    }
    if (run.state.again) {
      run.state.again = false;
      run.state.interruptions = 0;
      run.state.status = 'pending';
      if (!round?.queue.includes(run.id)) round?.queue.push(run.id);
    }
    this.#next();
  }

  /** The `del` of an object a dump no longer lists, made from its last message. */
  #deliverRemoval(entry: Entry, reason: Reason): void {
    const message: NetlinkMessage = {
      length: NLMSG_HDRLEN + entry.payload.length,
      type: entry.type + 1,
      flags: 0,
      seq: 0,
      pid: 0,
      payload: entry.payload,
    };
    let value: ObjectEvent['value'];
    try {
      value = decodeValue(entry.object, message);
    } catch (error) {
      this.#error(error, message);
      return;
    }
    this.#host.deliver({
      action: 'del',
      object: entry.object,
      value,
      origin: reason === 'list' ? 'list' : 'resync',
      netns: this.#host.netns,
      message,
      ...this.#ownLabel(),
    } as ObjectEvent);
  }

  #enqueue(ids: readonly CoverageId[], reason: Reason): void {
    if (this.#closed) return;
    let round = this.#round;
    if (!round) {
      round = { reasons: new Set(), covers: new Map(), queue: [], held: [], notified: new Set() };
      this.#round = round;
    }
    round.reasons.add(reason);
    for (const id of ids) {
      if (!this.#covered.has(id)) continue;
      const state = round.covers.get(id);
      if (state === undefined) {
        round.covers.set(id, {
          status: 'pending',
          listed: new Set(),
          interruptions: 0,
          again: false,
        });
        round.queue.push(id);
      } else if (state.status === 'running') {
        // Being read: read it again after (what was lost may be behind the dump's position).
        state.again = true;
        round.queue.push(id);
      } else if (state.status !== 'pending') {
        // Already read in this round: read it again.
        state.status = 'pending';
        state.interruptions = 0;
        round.queue.push(id);
      }
    }
    this.#next();
  }

  /** Request the next dump of the round, or end the round. */
  #next(): void {
    const round = this.#round;
    if (this.#closed || this.#running || !round) return;
    for (;;) {
      const id = round.queue.shift();
      if (id === undefined) {
        this.#endRound(round);
        return;
      }
      const state = round.covers.get(id)!;
      if (state.status !== 'pending') continue;
      if (this.#unsupported.has(id)) {
        state.status = 'failed';
        this.#stale.delete(id);
        continue;
      }
      const spec = DUMPS[id];
      this.#seq = this.#seq >= 0xffffffff ? 1 : this.#seq + 1;
      const run: Running = {
        id,
        seq: this.#seq,
        epoch: this.#losses,
        reason: round.reasons.has('list')
          ? 'list'
          : round.reasons.has('resync')
            ? 'resync'
            : 'refresh',
        state,
        confirmed: new Set(),
        interrupted: false,
        failed: false,
      };
      state.status = 'running';
      state.listed = new Set();
      try {
        this.#host.sendDump(spec.type, spec.payload, run.seq);
      } catch (error) {
        state.status = 'failed';
        this.#stale.delete(id);
        this.#error(error);
        continue;
      }
      this.#running = run;
      return;
    }
  }

  #endRound(round: Round): void {
    this.#round = undefined;
    if (round.held) this.#release(round.held, undefined);
    if (this.#closed) return;
    if (round.reasons.has('list') || round.reasons.has('resync')) {
      this.#host.deliver({
        action: 'synced',
        reason: round.reasons.has('list') ? 'list' : 'resync',
        netns: this.#host.netns,
      });
    }
  }

  /**
   * Apply and deliver held notifications in order, keeping for each object only its last one
   * (untracked messages all go). `round` is the round still running when it stops holding.
   */
  #release(held: Held[], round: Round | undefined): void {
    const last = new Map<string, number>();
    held.forEach((h, i) => {
      if (h.key !== undefined) last.set(h.key, i);
    });
    held.forEach((h, i) => {
      if (this.#closed) return;
      if (h.key !== undefined) {
        if (last.get(h.key) !== i) return;
        round?.notified.add(h.key);
        if (!this.#apply(h.event, h.cover!, h.key)) return;
      }
      this.#host.deliver(h.event);
    });
  }

  /** Too much held back: apply it now and stop holding for the rest of the round. */
  #stopHolding(round: Round): void {
    const held = round.held!;
    round.held = undefined;
    this.#release(held, round);
  }

  #error(error: unknown, message?: NetlinkMessage, nsid: number | undefined = this.#ownNsid): void {
    const err = error instanceof Error ? error : new Error(String(error));
    const event: MonitorEvent = { action: 'error', error: err, netns: this.#host.netns };
    if (message !== undefined) {
      event.message = message;
      if (nsid !== undefined) event.nsid = nsid;
    }
    this.#host.deliver(event);
  }

  /** `{ nsid: -1 }` for an event from our own namespace's dumps with allNsid, else nothing. */
  #ownLabel(): { nsid?: number } {
    return this.#ownNsid === undefined ? {} : { nsid: this.#ownNsid };
  }
}

/** A copy of a payload that does not keep its datagram alive. */
function copy(payload: Buffer): Buffer {
  return Buffer.from(payload);
}
