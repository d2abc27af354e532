// RTM_NEWNSID / RTM_GETNSID bodies: struct rtgenmsg + NETNSA_* attributes
// (<linux/net_namespace.h>), and the three requests on a Connection: the id this namespace gave
// a peer namespace (get), giving one (set), and every id it gave (list).
//
// An nsid is the number a namespace uses to refer to another one (IFLA_LINK_NETNSID of a veth
// whose peer lives elsewhere, `ip netns list`'s "(id: N)"). Ids are per observing namespace:
// the same peer may have id 3 here and none elsewhere.
import type { Connection } from '../netlink/connection.js';
import { NetlinkEncodeError } from '../netlink/errors.js';
import { defineAttributes, defineMessage } from '../netlink/schema.js';
import { defineStruct, struct, u8 } from '../netlink/struct.js';
import { AF_UNSPEC, RTM_GETNSID, RTM_NEWNSID } from './constants.js';

/** struct rtgenmsg: one byte of family; the attributes start at the next 4-byte boundary. */
export interface Rtgenmsg {
  family: number;
}
export const rtgenmsg = defineStruct<Rtgenmsg>(struct([u8('family')], 'rtgenmsg'));

/** NETNSA_NSID_NOT_ASSIGNED: the value of NETNSA_NSID when the peer has no id here. */
export const NETNSA_NSID_NOT_ASSIGNED = -1;

export const nsidAttributes = defineAttributes('nsid', {
  nsid: {
    type: 1,
    kind: 's32',
    c: 'NETNSA_NSID',
    doc: 'The id; -1 (NETNSA_NSID_NOT_ASSIGNED) in a reply means none, in RTM_NEWNSID "pick one"',
  },
  pid: { type: 2, kind: 'u32', c: 'NETNSA_PID', doc: 'The peer, named by a process in it' },
  fd: { type: 3, kind: 'u32', c: 'NETNSA_FD', doc: "The peer, named by the sender's descriptor" },
  targetNsid: {
    type: 4,
    kind: 's32',
    c: 'NETNSA_TARGET_NSID',
    doc: 'Ask as seen from the namespace with this id (instead of the socket’s)',
  },
  currentNsid: {
    type: 5,
    kind: 's32',
    c: 'NETNSA_CURRENT_NSID',
    doc: 'In answers to a TARGET_NSID query: the id, in the target, of the socket’s namespace',
  },
});

/** An RTM_*NSID body: `{ header: { family }, attributes: { nsid, fd, … } }`. */
export const nsidMessage = defineMessage('nsid', rtgenmsg, nsidAttributes);

/** A peer namespace: one of our open descriptors of it, or a process in it. */
export type NsidPeer = { readonly fd: number } | { readonly pid: number };

/** Options of the nsid requests. */
export interface NsidOptions {
  /**
   * Ask in the namespace that has this id here (NETNSA_TARGET_NSID) rather than in the
   * connection's own namespace.
   */
  targetNsid?: number;
  /** Per-request timeout in ms (default: the connection's). */
  timeout?: number;
  signal?: AbortSignal;
}

/** One entry of {@link listNsids}. */
export interface NsidEntry {
  /** The id the observing namespace gave the peer. */
  nsid: number;
  /**
   * With `targetNsid`: the id this connection's own namespace gives the same peer
   * (NETNSA_CURRENT_NSID; absent when it gives none). `nsid` is then the target's id for it.
   */
  currentNsid?: number;
}

type Requester = Pick<Connection, 'request' | 'dump'>;

const INT32_MAX = 0x7fffffff;

function isInt(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}

/** The NETNSA_FD / NETNSA_PID attribute naming `peer`, after checking it. */
function peerAttributes(peer: NsidPeer, path: string): { fd: number } | { pid: number } {
  const p = peer as { fd?: unknown; pid?: unknown } | null;
  if (p === null || typeof p !== 'object' || (p.fd === undefined) === (p.pid === undefined)) {
    throw new NetlinkEncodeError('BAD_VALUE', 'expected exactly one of { fd } or { pid }', path);
  }
  if (p.fd !== undefined) {
    if (!isInt(p.fd, 0, INT32_MAX)) {
      throw new NetlinkEncodeError(
        'OUT_OF_RANGE',
        `${String(p.fd)} is not a descriptor`,
        `${path}.fd`,
      );
    }
    return { fd: p.fd };
  }
  if (!isInt(p.pid, 1, INT32_MAX)) {
    throw new NetlinkEncodeError('OUT_OF_RANGE', `${String(p.pid)} is not a pid`, `${path}.pid`);
  }
  return { pid: p.pid };
}

function targetAttribute(options: NsidOptions, path: string): { targetNsid?: number } {
  if (options.targetNsid === undefined) return {};
  if (!isInt(options.targetNsid, 0, INT32_MAX)) {
    throw new NetlinkEncodeError(
      'OUT_OF_RANGE',
      `${String(options.targetNsid)} is not an nsid (0..${INT32_MAX})`,
      `${path}.targetNsid`,
    );
  }
  return { targetNsid: options.targetNsid };
}

function requestOptions(options: NsidOptions) {
  return {
    schema: nsidMessage,
    ...(options.timeout !== undefined ? { timeout: options.timeout } : {}),
    ...(options.signal !== undefined ? { signal: options.signal } : {}),
  };
}

/**
 * The id the connection's namespace (or `options.targetNsid`'s) gave the peer namespace, as
 * `ip netns list` shows it; `undefined` when it gave none (NETNSA_NSID_NOT_ASSIGNED).
 *
 * @throws {NetlinkEncodeError} for a malformed peer; {@link NetlinkError} when the kernel
 *   refuses (EINVAL for a descriptor that is not a network namespace, ESRCH for a gone pid).
 */
export async function getNsid(
  conn: Requester,
  peer: NsidPeer,
  options: NsidOptions = {},
): Promise<number | undefined> {
  const attributes = { ...peerAttributes(peer, 'nsid'), ...targetAttribute(options, 'nsid') };
  const replies = await conn.request(
    RTM_GETNSID,
    (w) => nsidMessage.encode(w, { header: { family: AF_UNSPEC }, attributes }),
    requestOptions(options),
  );
  for (const reply of replies) {
    if (reply.type !== RTM_NEWNSID) continue;
    const nsid = nsidMessage.decode(reply.payload).attributes.nsid;
    return nsid === undefined || nsid < 0 ? undefined : nsid;
  }
  return undefined;
}

/**
 * Gives the peer namespace id `nsid` in the connection's namespace (`ip netns set NAME NSID`);
 * `'auto'` (sent as -1) lets the kernel pick the lowest free id. The kernel refuses with EEXIST
 * when the peer already has an id or the id is taken.
 *
 * @throws {NetlinkEncodeError} for a malformed peer or id; {@link NetlinkError} on refusal.
 */
export async function setNsid(
  conn: Requester,
  peer: NsidPeer,
  nsid: number | 'auto',
  options: Omit<NsidOptions, 'targetNsid'> = {},
): Promise<void> {
  if (nsid !== 'auto' && !isInt(nsid, 0, INT32_MAX)) {
    throw new NetlinkEncodeError(
      'OUT_OF_RANGE',
      `${String(nsid)} is not an nsid: expected 0..${INT32_MAX} or 'auto'`,
      'nsid.nsid',
    );
  }
  // iproute2 sends NETNSA_FD (or PID) first, then NETNSA_NSID.
  const attributes = {
    ...peerAttributes(peer, 'nsid'),
    nsid: nsid === 'auto' ? NETNSA_NSID_NOT_ASSIGNED : nsid,
  };
  await conn.request(
    RTM_NEWNSID,
    (w) => nsidMessage.encode(w, { header: { family: AF_UNSPEC }, attributes }),
    requestOptions(options),
  );
}

/**
 * Every id the connection's namespace (or `options.targetNsid`'s) has given, in the kernel's
 * order (`ip netns list-id`).
 *
 * @throws {NetlinkEncodeError} for a malformed `targetNsid`; {@link NetlinkError} on refusal.
 */
export async function listNsids(conn: Requester, options: NsidOptions = {}): Promise<NsidEntry[]> {
  const attributes = targetAttribute(options, 'nsid');
  const messages = await conn
    .dump(
      RTM_GETNSID,
      (w) => nsidMessage.encode(w, { header: { family: AF_UNSPEC }, attributes }),
      requestOptions(options),
    )
    .list();
  const out: NsidEntry[] = [];
  for (const message of messages) {
    if (message.type !== RTM_NEWNSID) continue;
    const { nsid, currentNsid } = nsidMessage.decode(message.payload).attributes;
    if (nsid === undefined) continue;
    const entry: NsidEntry = { nsid };
    if (currentNsid !== undefined && currentNsid >= 0) entry.currentNsid = currentNsid;
    out.push(entry);
  }
  return out;
}
