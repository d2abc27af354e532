// The events a Monitor delivers. Object events carry the typed value (decoded with the same
// schemas as dumps), the netlink message they came from (type, flags, seq, pid and the raw
// payload, which is what `ip monitor`-style printing needs), where they came from, and the
// namespace. The other events report loss, completed (re)synchronisation and errors.
import type { NetlinkMessage } from '../netlink/message.js';
import type { Decoded } from '../netlink/schema.js';
import type { NetnsRef } from '../ns/index.js';
import type { Address } from '../rtnetlink/api/addresses.js';
import type { Link } from '../rtnetlink/api/links.js';
import type { Neighbor } from '../rtnetlink/api/neighbors.js';
import type { Route } from '../rtnetlink/api/routes.js';
import type { Rule } from '../rtnetlink/api/rules.js';
import type { nsidAttributes } from '../rtnetlink/nsid.js';

/** A namespace id event's value (RTM_NEWNSID / RTM_DELNSID, group `nsid`). */
export interface NsidInfo {
  /** The id this namespace gave (or took back from) another namespace. */
  nsid: number;
  /** Every NETNSA_* attribute, decoded. */
  attributes: Decoded<typeof nsidAttributes.attrs>;
}

/** The typed value of each object an event can be about. */
export interface MonitorValues {
  link: Link;
  address: Address;
  route: Route;
  rule: Rule;
  neighbor: Neighbor;
  nsid: NsidInfo;
  /**
   * A message rtnl has no schema for yet (tc, netconf, IPv6 prefix, ND user option, nexthop,
   * mdb, stats, …): its raw payload. `message.type` says which (RTM_* number).
   */
  other: Buffer;
}

/** The objects a Monitor reports on. */
export type MonitorObject = keyof MonitorValues;

/** The objects a Monitor can list and resynchronise (every object but `other`). */
export type TrackedObject = Exclude<MonitorObject, 'other'>;

/**
 * Where an object event came from:
 * - `kernel`: a notification, exactly as the kernel multicast it;
 * - `list`: the initial listing (`listExisting`): an object that existed when the monitor started;
 * - `resync`: a difference found by re-reading the kernel's tables after messages were lost
 *   (`resync: true`), or after a notification that does not say the whole truth (see
 *   {@link eventKey}); a `del` of this origin was made by the monitor, not sent by the kernel.
 */
export type EventOrigin = 'kernel' | 'list' | 'resync';

/** Fields every event has. */
interface EventBase {
  /**
   * The namespace the events come from: the `netns` given to {@link Monitor.open}, or
   * `undefined` for the caller's own namespace.
   */
  netns: NetnsRef | undefined;
}

/** An object was added or changed (`new`), or removed (`del`). */
export type ObjectEvent = {
  [K in MonitorObject]: EventBase & {
    action: 'new' | 'del';
    object: K;
    value: MonitorValues[K];
    origin: EventOrigin;
    /**
     * Only with `allNsid` (then always present): the id the monitor's namespace gives the
     * namespace the event came from, or -1 when it came from the monitor's own namespace
     * (every `list` and `resync` event does: dumps read only the monitor's own namespace).
     * Absent without `allNsid`.
     */
    nsid?: number;
    /**
     * The message: nlmsghdr fields (`type` such as RTM_NEWROUTE, `flags` such as
     * NLM_F_CREATE | NLM_F_EXCL, `seq`, `pid` of the sender) and the raw `payload`. For a `del`
     * the monitor made during a resync, `type` is the RTM_DEL* type, flags, seq and pid are 0
     * and the payload is the object's last known state.
     */
    message: NetlinkMessage;
  };
}[MonitorObject];

/** An object event about one kind of object: `ObjectEventOf<'route'>`. */
export type ObjectEventOf<K extends MonitorObject> = Extract<ObjectEvent, { object: K }>;

/**
 * Messages were lost: the kernel's receive queue for the monitor's socket overflowed (ENOBUFS)
 * or a datagram was truncated (EMSGSIZE). The kernel reports an overflow once, then drops
 * silently until the queue has been read empty; so with `resync`, the monitor first reads the
 * queue empty (what it reads meanwhile predates the loss and is dropped), then re-reads its
 * tables and reports the difference as `new` / `del` events of origin `resync`, then `synced`.
 */
export interface OverrunEvent extends EventBase {
  action: 'overrun';
  /** Whether a resynchronisation follows. */
  resync: boolean;
  /** The socket error that reported the loss (code ENOBUFS or EMSGSIZE). */
  error: Error;
}

/**
 * The tables the monitor tracks are in step with the kernel: sent once the initial listing
 * (`reason: 'list'`) or a resynchronisation after an overrun (`reason: 'resync'`) is complete.
 */
export interface SyncedEvent extends EventBase {
  action: 'synced';
  reason: 'list' | 'resync';
}

/**
 * Something could not be handled, and the monitor carries on: a message that does not decode
 * (NetlinkDecodeError, with the message), a dump the kernel refused (NetlinkError), or a socket
 * error (NetlinkSocketError).
 */
export interface MonitorErrorEvent extends EventBase {
  action: 'error';
  error: Error;
  /** The message that could not be decoded, when there is one. */
  message?: NetlinkMessage;
  /** With `allNsid` and a `message`: the nsid of the namespace it came from (-1: our own). */
  nsid?: number;
}

/** Everything a Monitor's async iterator yields. */
export type MonitorEvent = ObjectEvent | OverrunEvent | SyncedEvent | MonitorErrorEvent;

/** The Monitor's EventEmitter events and their arguments. */
export interface MonitorEvents {
  /** Every object event. */
  event: [event: ObjectEvent];
  link: [event: ObjectEventOf<'link'>];
  address: [event: ObjectEventOf<'address'>];
  route: [event: ObjectEventOf<'route'>];
  rule: [event: ObjectEventOf<'rule'>];
  neighbor: [event: ObjectEventOf<'neighbor'>];
  nsid: [event: ObjectEventOf<'nsid'>];
  other: [event: ObjectEventOf<'other'>];
  overrun: [event: OverrunEvent];
  synced: [event: SyncedEvent];
  /** Only emitted while someone listens (an 'error' nobody handles never throws here). */
  error: [error: Error, event: MonitorErrorEvent];
  close: [];
}
