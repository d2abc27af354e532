// The typed rtnetlink client: one Connection and one object per rtnetlink family of objects
// (links, addresses, routes, rules, neighbours, namespace ids). Each object class lives in
// ./api/<object>.ts, builds its requests with the pure builders in ./requests/ and sends them
// through `rt.connection`.
import { Connection, type ConnectionOptions } from '../netlink/connection.js';
import { type NetnsRef, openNetns } from '../ns/netns.js';
import { Addresses } from './api/addresses.js';
import { Links } from './api/links.js';
import { Neighbors } from './api/neighbors.js';
import { NsIds } from './api/nsid.js';
import { Routes } from './api/routes.js';
import { Rules } from './api/rules.js';

/** Options of {@link RtNetlink.open}: the engine's options, and the namespace to work in. */
export interface RtNetlinkOptions extends Omit<ConnectionOptions, 'netns'> {
  /**
   * The network namespace the socket lives in, for its whole life: a name under /run/netns, a
   * path, an open descriptor, `{ pid }` or a {@link Netns} (see {@link NetnsRef}). Default: the
   * caller's namespace.
   */
  netns?: NetnsRef;
}

/**
 * An rtnetlink client.
 *
 * ```ts
 * await using rt = await RtNetlink.open({ netns: 'blue' });
 * await rt.links.add({ name: 'br0', kind: 'bridge' });
 * await rt.links.set('br0', { up: true });
 * await rt.addresses.add({ dev: 'br0', address: '192.0.2.1/24' });
 * for (const link of await rt.links.list()) console.log(link.index, link.name, link.kind);
 * ```
 *
 * Every method validates its input before anything is sent (a `NetlinkEncodeError` with code
 * `BAD_VALUE` and a `path` such as `link.mtu`), and a kernel refusal rejects with the engine's
 * `NetlinkError` (errno name in `code`, the kernel's extended-ack text in `kernelMessage`).
 */
export class RtNetlink implements Disposable, AsyncDisposable {
  /** The request engine every object class sends through. */
  readonly connection: Connection;
  /** Network interfaces (RTM_*LINK). */
  readonly links: Links;
  /** IPv4 and IPv6 interface addresses (RTM_*ADDR). */
  readonly addresses: Addresses;
  /** Routes (RTM_*ROUTE). */
  readonly routes: Routes;
  /** Policy routing rules (RTM_*RULE). */
  readonly rules: Rules;
  /** Neighbour (ARP / NDP) entries (RTM_*NEIGH). */
  readonly neighbors: Neighbors;
  /** Ids of other network namespaces as seen from this one (RTM_*NSID). */
  readonly nsid: NsIds;

  private constructor(connection: Connection) {
    this.connection = connection;
    this.links = new Links(this);
    this.addresses = new Addresses(this);
    this.routes = new Routes(this);
    this.rules = new Rules(this);
    this.neighbors = new Neighbors(this);
    this.nsid = new NsIds(this);
  }

  /**
   * Open an rtnetlink socket (extended acks and strict dump checking on) in `options.netns`,
   * or in the caller's namespace. The namespace is opened only long enough to create the
   * socket, which keeps it alive afterwards.
   *
   * @throws {NetlinkSocketError} when the namespace cannot be opened (`ENOENT`, `EINVAL`, …)
   *   or the socket cannot be created.
   */
  static async open(options: RtNetlinkOptions = {}): Promise<RtNetlink> {
    const { netns, ...rest } = options;
    if (netns === undefined) return new RtNetlink(await Connection.open(rest));
    const ns = openNetns(netns);
    try {
      return new RtNetlink(await Connection.open({ ...rest, netns: ns.fd }));
    } finally {
      ns.close();
    }
  }

  /**
   * A client over a connection you opened yourself (or over a fake kernel in tests). The
   * client does not take ownership beyond {@link RtNetlink.close}, which closes it.
   */
  static fromConnection(conn: Connection): RtNetlink {
    return new RtNetlink(conn);
  }

  /** Close the connection: everything still pending fails with `ERR_RTNL_CLOSED`. Idempotent. */
  close(): void {
    this.connection.close();
  }

  /** Same as {@link RtNetlink.close}, for `using`. */
  [Symbol.dispose](): void {
    this.close();
  }

  /** Same as {@link RtNetlink.close}, for `await using`. */
  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
  }
}
