// rt.nsid: the ids this namespace gives other network namespaces (RTM_GETNSID / RTM_NEWNSID),
// over the requests in ../nsid.ts.
import { Netns, type NetnsRef, openNetns } from '../../ns/netns.js';
import type { RtNetlink } from '../client.js';
import {
  getNsid,
  listNsids,
  type NsidEntry,
  type NsidOptions,
  type NsidPeer,
  setNsid,
} from '../nsid.js';

/**
 * Namespace ids as seen from the client's namespace (`ip netns list-id`, `ip netns set`).
 * Reach it as `rt.nsid`.
 */
export class NsIds {
  readonly #rt: RtNetlink;

  constructor(rt: RtNetlink) {
    this.#rt = rt;
  }

  /**
   * The id the client's namespace gave the namespace `ref` names (a name under /run/netns, a
   * path, a descriptor, `{ pid }` or a Netns); `undefined` when it has none.
   */
  get(ref: NetnsRef, options: NsidOptions = {}): Promise<number | undefined> {
    return withPeer(ref, (peer) => getNsid(this.#rt.connection, peer, options));
  }

  /**
   * Give the namespace `ref` names the id `id` here (`ip netns set NAME ID`); 'auto' lets the
   * kernel choose. EEXIST when it already has an id or the id is taken.
   */
  set(
    ref: NetnsRef,
    id: number | 'auto',
    options: Omit<NsidOptions, 'targetNsid'> = {},
  ): Promise<void> {
    return withPeer(ref, (peer) => setNsid(this.#rt.connection, peer, id, options));
  }

  /** Every id the client's namespace has given (`ip netns list-id`). */
  list(options: NsidOptions = {}): Promise<NsidEntry[]> {
    return listNsids(this.#rt.connection, options);
  }
}

/**
 * Run `fn` with the peer attribute naming `ref`: a pid as NETNSA_PID, a descriptor or Netns as
 * NETNSA_FD (ours, no copy), anything else opened for the request and closed after it.
 */
async function withPeer<T>(ref: NetnsRef, fn: (peer: NsidPeer) => Promise<T>): Promise<T> {
  if (typeof ref === 'object' && ref !== null && !(ref instanceof Netns)) {
    return fn({ pid: (ref as { pid: number }).pid });
  }
  if (typeof ref === 'number') return fn({ fd: ref });
  if (ref instanceof Netns && !ref.closed) return fn({ fd: ref.fd });
  const ns = openNetns(ref);
  try {
    return await fn({ fd: ns.fd });
  } finally {
    ns.close();
  }
}
