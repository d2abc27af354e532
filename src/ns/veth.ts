// Veth pairs across namespaces and moving links between namespaces, on the public rtnetlink
// client. A pair whose peer lives in another namespace is made in ONE request: the peer's own
// attributes (VETH_INFO_PEER) carry IFLA_NET_NS_FD, so the peer never exists in the namespace
// the request came from. A move is `ip link set DEV netns NS`: IFLA_NET_NS_FD (or
// IFLA_NET_NS_PID for `{ pid }`).
import { NetlinkEncodeError } from '../netlink/errors.js';
import { checkDevRef, type DevRef } from '../rtnetlink/api/inet.js';
import type { LinkAddSpec, LinkSetChanges } from '../rtnetlink/api/links.js';
import { RtNetlink } from '../rtnetlink/client.js';
import {
  type LinkChanges,
  type LinkSpec,
  linkAddRequest,
  linkSetRequest,
} from '../rtnetlink/requests/link.js';
import type { NetnsRef } from './netns.js';

/** What can be set on either end of a veth pair when it is created. */
export interface VethEndOptions {
  /** The interface name (IFLA_IFNAME): at most 15 bytes, no '/', ':' or white space. */
  name: string;
  /** Bring the end up (IFF_UP). */
  up?: boolean;
  /** IFLA_MTU */
  mtu?: number;
  /** The MAC address (IFLA_ADDRESS), `02:00:00:00:00:01`; the kernel picks a random one when absent. */
  address?: string;
}

/** The far end of a pair: its options and the namespace it is created in. */
export interface VethPeerSpec extends VethEndOptions {
  /**
   * The namespace the peer is created in, directly (IFLA_NET_NS_FD, or IFLA_NET_NS_PID for
   * `{ pid }`, in the peer's attributes). Default: the first end's namespace.
   */
  netns?: NetnsRef;
}

/** {@link createVethPair}'s description of the pair. */
export interface VethPairSpec extends VethEndOptions {
  /**
   * The namespace the first end is created in: the request is sent from a socket opened there.
   * Default: the namespace of `options.via`, else the caller's. Not together with `via`.
   */
  netns?: NetnsRef;
  /**
   * Enslave the first end to this device (a bridge in the first end's namespace, by name or
   * ifindex) in the create request itself (IFLA_MASTER).
   */
  master?: DevRef;
  /** The second end. */
  peer: VethPeerSpec;
}

/** Which clients {@link createVethPair} sends through (instead of opening short-lived ones). */
export interface VethPairOptions {
  /** A client in the first end's namespace: the create request goes through it. */
  via?: RtNetlink;
  /**
   * A client in the peer's namespace, used only to bring the peer up (see
   * {@link createVethPair}). Default: a short-lived one opened in `peer.netns`.
   */
  peerVia?: RtNetlink;
}

/** Options of {@link moveLink}. */
export interface MoveLinkOptions {
  /**
   * Where the link is now: a namespace (a socket is opened there for the request) or a client
   * in it. Default: the caller's namespace.
   */
  from?: NetnsRef | RtNetlink;
  /** A new name for the link in its new namespace, in the same request (IFLA_IFNAME). */
  name?: string;
  /** Bring the link up in its new namespace, in the same request (a move leaves it down). */
  up?: boolean;
}

function bad(path: string, message: string): NetlinkEncodeError {
  return new NetlinkEncodeError('BAD_VALUE', message, path);
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

const END_KEYS = ['name', 'up', 'mtu', 'address'] as const;

/** The end options present in `o`, in a fixed order, without `undefined`s. */
function endOptions(o: VethEndOptions): VethEndOptions {
  const out: Record<string, unknown> = {};
  for (const key of END_KEYS) if (o[key] !== undefined) out[key] = o[key];
  return out as unknown as VethEndOptions;
}

function checkKeys(o: Record<string, unknown>, allowed: readonly string[], path: string): void {
  for (const key of Object.keys(o)) {
    if (!allowed.includes(key)) throw bad(`${path}.${key}`, `unknown option "${key}"`);
  }
}

/** Runs `use` with `via`, or with a client opened in `netns` (closed afterwards). */
async function withClient<T>(
  via: RtNetlink | undefined,
  netns: NetnsRef | undefined,
  use: (rt: RtNetlink) => Promise<T>,
): Promise<T> {
  if (via !== undefined) return use(via);
  const rt = await RtNetlink.open(netns === undefined ? {} : { netns });
  try {
    return await use(rt);
  } finally {
    rt.close();
  }
}

/**
 * The `rt.links.add` spec of a veth pair, with the peer in `peer.netns`. The peer is never
 * created up here: see {@link createVethPair}.
 */
function vethAddSpec(spec: VethPairSpec): LinkAddSpec<'veth'> {
  const peer: VethPeerSpec = { ...endOptions(spec.peer) };
  delete peer.up;
  if (spec.peer.netns !== undefined) peer.netns = spec.peer.netns;
  const add: LinkAddSpec<'veth'> = {
    ...endOptions(spec),
    name: spec.name,
    kind: 'veth',
    peer,
  };
  if (spec.master !== undefined) add.master = spec.master;
  return add;
}

/**
 * Checks the whole pair spec before any socket is opened: its shape here, every value with the
 * link request builder (devices and namespaces given by name stand in as placeholders; the
 * client resolves them later).
 */
function checkPairSpec(spec: unknown, options: VethPairOptions): VethPairSpec {
  const path = 'veth';
  if (!isObject(spec)) throw bad(path, 'expected { name, peer: { name, netns? }, … }');
  checkKeys(spec, [...END_KEYS, 'netns', 'master', 'peer'], path);
  if (!isObject(spec.peer)) throw bad(`${path}.peer`, 'expected { name, netns?, … }');
  checkKeys(spec.peer, [...END_KEYS, 'netns'], `${path}.peer`);
  if (typeof spec.peer.name !== 'string') {
    throw bad(`${path}.peer.name`, 'the peer needs a name (its up/down is set by name)');
  }
  if (options.via !== undefined && spec.netns !== undefined) {
    throw bad(`${path}.netns`, 'give the namespace of the first end as `netns` or `via`, not both');
  }
  if (options.via !== undefined && !(options.via instanceof RtNetlink)) {
    throw bad('options.via', 'expected an RtNetlink client');
  }
  if (options.peerVia !== undefined && !(options.peerVia instanceof RtNetlink)) {
    throw bad('options.peerVia', 'expected an RtNetlink client');
  }
  const checked = spec as unknown as VethPairSpec;
  const add = vethAddSpec(checked) as unknown as LinkSpec<string>;
  if (add.master !== undefined) add.master = stand(checkDevRef(add.master, `${path}.master`));
  if (add.peer?.netns !== undefined) add.peer.netns = { fd: 0 };
  if (checked.peer.up !== undefined && typeof checked.peer.up !== 'boolean') {
    throw bad(`${path}.peer.up`, `expected true or false, got ${String(checked.peer.up)}`);
  }
  linkAddRequest(add);
  return checked;
}

/** An ifindex standing in for a device given by name, for a build that only validates. */
function stand(dev: DevRef): number {
  return typeof dev === 'number' ? dev : 1;
}

/**
 * Creates a veth pair, `ip link add NAME type veth peer name PEER netns NS`: the first end in
 * `spec.netns` (or `options.via`'s namespace, or the caller's), the peer directly inside
 * `spec.peer.netns`, in one RTM_NEWLINK request (the peer's attributes carry IFLA_NET_NS_FD,
 * or IFLA_NET_NS_PID for `{ pid }`). The first end's `up`, `mtu`, `address` and `master` go in
 * that request; so do the peer's `mtu` and `address`.
 *
 * The peer's `up` cannot: the kernel configures the peer before the first end is registered, so
 * opening it then fails with ENOTCONN (as `ip link add … type veth peer … up` does). It is set
 * with a second request in the peer's namespace, through `options.peerVia` or a client opened
 * there for it.
 *
 * ```ts
 * using blue = netns.create();
 * await createVethPair({ name: 'veth0', up: true, peer: { name: 'eth0', netns: blue, up: true } });
 * ```
 *
 * @throws {NetlinkEncodeError} BAD_VALUE naming the field (`veth.peer.name`, `link.mtu`, …)
 *   before anything is sent.
 * @throws {NetlinkError} when the kernel refuses (EEXIST for a name in use, …); when only the
 *   peer's `up` fails, the pair exists.
 * @throws {NetlinkSocketError} when a namespace cannot be opened.
 */
export async function createVethPair(
  spec: VethPairSpec,
  options: VethPairOptions = {},
): Promise<void> {
  const checked = checkPairSpec(spec, options);
  const add = vethAddSpec(checked);
  await withClient(options.via, checked.netns, async (rt) => {
    await rt.links.add(add);
    // A new link is down: only `up: true` needs a request.
    if (checked.peer.up !== true) return;
    const up: LinkSetChanges = { up: true };
    // Same namespace: the same socket sees the peer.
    if (checked.peer.netns === undefined && options.peerVia === undefined) {
      await rt.links.set(checked.peer.name, up);
      return;
    }
    await withClient(options.peerVia, checked.peer.netns, (peerRt) =>
      peerRt.links.set(checked.peer.name, up),
    );
  });
}

/**
 * Moves an existing link into another namespace, `ip link set DEV netns NS [name NEW] [up]`:
 * RTM_NEWLINK with IFLA_NET_NS_FD (the namespace `to` names, opened for the request) or
 * IFLA_NET_NS_PID for `{ pid }`. The link leaves its addresses and routes behind and arrives
 * down, unless `options.up` brings it up in the same request.
 *
 * @param dev The link, by name or ifindex, in the `from` namespace.
 * @param to A name under /run/netns, a path, a descriptor, `{ pid }` or a {@link Netns}.
 * @throws {NetlinkEncodeError} BAD_VALUE naming the field before anything is sent.
 * @throws {NetlinkError} ENODEV naming the device, EEXIST when the name is taken over there, …
 * @throws {NetlinkSocketError} when a namespace cannot be opened.
 */
export async function moveLink(
  dev: DevRef,
  to: NetnsRef,
  options: MoveLinkOptions = {},
): Promise<void> {
  if (!isObject(options as unknown)) throw bad('moveLink.options', 'expected an object');
  checkKeys(options as Record<string, unknown>, ['from', 'name', 'up'], 'moveLink.options');
  if (to === undefined || to === null) throw bad('moveLink.to', 'expected a namespace');
  const target = checkDevRef(dev, 'moveLink.dev');
  const changes: LinkSetChanges = { netns: to };
  if (options.name !== undefined) changes.name = options.name;
  if (options.up !== undefined) changes.up = options.up;
  // Validate before any socket is opened (the namespace stands in as a placeholder).
  linkSetRequest(stand(target), { ...changes, netns: { fd: 0 } } as LinkChanges);
  const from = options.from;
  const via = from instanceof RtNetlink ? from : undefined;
  const netns = from instanceof RtNetlink ? undefined : from;
  await withClient(via, netns, (rt) => rt.links.set(target, changes));
}
