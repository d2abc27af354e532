// rt.links: list / iterate / get / index / add / set / delete. Requests come from the pure
// builders in ../requests/link.ts; replies are decoded with the link schema.
import { NetlinkDecodeError, NetlinkError } from '../../netlink/errors.js';
import type { NetlinkMessage } from '../../netlink/message.js';
import type { Decoded, FlagSet } from '../../netlink/schema.js';
import { type Netns, type NetnsRef, openNetns } from '../../ns/netns.js';
import type { RtNetlink } from '../client.js';
import { RTM_NEWLINK } from '../constants.js';
import { ARPHRD, IFF_FLAGS, ifinfomsg, linkMessage } from '../link.js';
import {
  type LinkChanges,
  type LinkSpec,
  linkAddRequest,
  linkDeleteRequest,
  linkDumpRequest,
  linkGetRequest,
  linkLookupRequest,
  linkReplaceRequest,
  linkSetRequest,
  type NetnsTarget,
  type RequestMessage,
  type VethPeer,
} from '../requests/link.js';
import { checkDevRef, type DevRef, enumName, flagSetOf } from './inet.js';

/** ENODEV: no such device. */
const ENODEV = 19;

/** The decoded IFLA_* attributes of a link (the link schema's decode). */
export type LinkAttributes = Decoded<typeof linkMessage.attributes.attrs>;

/**
 * A link as the kernel reported it: the ifinfomsg fields with natural values, two conveniences
 * (`name`, `kind`), and every attribute as the link schema decodes it.
 */
export interface Link {
  /** ifi_family: AF_UNSPEC (0) for links; AF_BRIDGE (7) in bridge port dumps. */
  family: number;
  /** ifi_type, the hardware type (ARPHRD_*) as iproute2 names it: `ether`, `loopback`, `none`, … or the number. */
  type: keyof typeof ARPHRD | number;
  /** ifi_index */
  index: number;
  /** ifi_flags (IFF_*): `up`, `broadcast`, `lower_up`, … and the raw bits. */
  flags: FlagSet<keyof typeof IFF_FLAGS>;
  /** ifi_change */
  change: number;
  /** The interface name (IFLA_IFNAME). */
  name: string;
  /** The link kind (IFLA_LINKINFO → IFLA_INFO_KIND: veth, bridge, …); absent for plain devices. */
  kind?: string;
  /** Every IFLA_* attribute, decoded. */
  attributes: LinkAttributes;
}

/**
 * What {@link Links.list} selects. `master` and `kind` go into the dump request and the kernel
 * filters on them; `up` and `group` are checked on each decoded link (the kernel cannot filter
 * on them), as is `master: null` (links with no master).
 */
export interface LinkFilter {
  /** Only ports of this master (kernel-side: IFLA_MASTER); `null`: only links without one. */
  master?: DevRef | null;
  /** Only links of this kind (kernel-side: IFLA_LINKINFO → IFLA_INFO_KIND). */
  kind?: string;
  /** Only links administratively up (true) or down (false). */
  up?: boolean;
  /** Only links of this device group (IFLA_GROUP). */
  group?: number;
}

/** {@link Links.add}'s spec: devices by name or ifindex, namespaces by any {@link NetnsRef}. */
export type LinkAddSpec<K extends string = string> = LinkSpec<K, DevRef, NetnsRef>;
/** {@link Links.set}'s changes: devices by name or ifindex, namespaces by any {@link NetnsRef}. */
export type LinkSetChanges = LinkChanges<DevRef, NetnsRef>;

/** Turn an RTM_NEWLINK message (or its payload) into a {@link Link}. */
export function decodeLink(msg: NetlinkMessage | Uint8Array): Link {
  const payload = msg instanceof Uint8Array ? msg : msg.payload;
  const { header: h, attributes } = linkMessage.decode(payload);
  const link: Link = {
    family: h.family,
    type: enumName(ARPHRD, h.type),
    index: h.index,
    flags: flagSetOf(IFF_FLAGS, h.flags),
    change: h.change,
    name: attributes.ifname ?? '',
    attributes,
  };
  const kind = attributes.linkinfo?.kind;
  if (kind !== undefined) link.kind = kind;
  return link;
}

/** The NetlinkError for a device that does not exist, naming it (the kernel sends no text). */
function noDevice(err: NetlinkError, dev: DevRef): NetlinkError {
  const named = new NetlinkError({
    errno: err.errno,
    kernelMessage: err.kernelMessage,
    attributePath: err.attributePath,
    offset: err.offset,
    seq: err.seq,
    requestType: err.requestType,
  });
  named.message =
    typeof dev === 'number'
      ? `Cannot find device with ifindex ${dev} (ENODEV)`
      : `Cannot find device "${dev}" (ENODEV)`;
  return named;
}

function isNoDevice(err: unknown): err is NetlinkError {
  return err instanceof NetlinkError && err.errno === ENODEV && !err.kernelMessage;
}

/** Check a LinkTarget-like argument: a device, or `{ group }`. */
function checkTarget(target: unknown, path: string): DevRef | { group: number } {
  if (typeof target === 'object' && target !== null && 'group' in target) {
    return target as { group: number };
  }
  return checkDevRef(target, path);
}

/** Network interfaces (RTM_NEWLINK / RTM_DELLINK / RTM_GETLINK). Reach it as `rt.links`. */
export class Links {
  readonly #rt: RtNetlink;

  constructor(rt: RtNetlink) {
    this.#rt = rt;
  }

  /** Every link matching `filter` (every link without one). See {@link LinkFilter}. */
  async list(filter: LinkFilter = {}): Promise<Link[]> {
    const { req, keep } = await this.#dump(filter);
    const messages = await this.#rt.connection
      .dump(req.type, req.payload, { flags: req.flags, schema: linkMessage })
      .list();
    const out: Link[] = [];
    for (const m of messages) {
      if (m.type !== RTM_NEWLINK) continue;
      const link = decodeLink(m);
      if (keep(link)) out.push(link);
    }
    return out;
  }

  /**
   * The links matching `filter`, decoded one by one as the dump arrives (memory stays bounded
   * however many links there are). Breaking out of the loop stops the dump.
   */
  async *iterate(filter: LinkFilter = {}): AsyncGenerator<Link, void, undefined> {
    const { req, keep } = await this.#dump(filter);
    for await (const m of this.#rt.connection.dump(req.type, req.payload, {
      flags: req.flags,
      schema: linkMessage,
    })) {
      if (m.type !== RTM_NEWLINK) continue;
      const link = decodeLink(m);
      if (keep(link)) yield link;
    }
  }

  async #dump(filter: LinkFilter): Promise<{ req: RequestMessage; keep: (l: Link) => boolean }> {
    if (typeof filter !== 'object' || filter === null) filter = {};
    const master =
      filter.master === undefined || filter.master === null
        ? undefined
        : checkDevRef(filter.master, 'link.master');
    // Validate everything before the name lookup sends anything.
    linkDumpRequest({
      ...(master !== undefined ? { master: typeof master === 'number' ? master : 1 } : {}),
      ...(filter.kind !== undefined ? { kind: filter.kind } : {}),
    });
    const masterIndex = master === undefined ? undefined : await this.index(master);
    const { kind, up, group } = filter;
    const req = linkDumpRequest({
      ...(masterIndex !== undefined ? { master: masterIndex } : {}),
      ...(kind !== undefined ? { kind } : {}),
    });
    const noMaster = filter.master === null;
    // The kernel-side filters are checked again: a kernel without strict checking ignores them.
    const keep = (l: Link): boolean =>
      (masterIndex === undefined || l.attributes.master === masterIndex) &&
      (kind === undefined || l.kind === kind) &&
      (up === undefined || ((l.flags.raw & 1) !== 0) === up) &&
      (group === undefined || l.attributes.group === group) &&
      (!noMaster || !l.attributes.master);
    return { req, keep };
  }

  /**
   * One link, by name or ifindex (RTM_GETLINK).
   *
   * @throws {NetlinkError} ENODEV, with a message naming the device, when there is none.
   */
  async get(dev: DevRef): Promise<Link> {
    return this.#get(dev, linkGetRequest);
  }

  async #get(dev: DevRef, build: (dev: DevRef) => RequestMessage): Promise<Link> {
    return decodeLink(await this.#getMessage(dev, build));
  }

  /** The kernel's RTM_NEWLINK for one device. */
  async #getMessage(dev: DevRef, build: (dev: DevRef) => RequestMessage): Promise<NetlinkMessage> {
    const ref = checkDevRef(dev, 'link.dev');
    const req = build(ref);
    let replies: NetlinkMessage[];
    try {
      replies = await this.#rt.connection.request(req.type, req.payload, {
        flags: req.flags,
        schema: linkMessage,
      });
    } catch (err) {
      throw isNoDevice(err) ? noDevice(err, ref) : err;
    }
    const m = replies.find((r) => r.type === RTM_NEWLINK);
    if (!m) {
      throw new NetlinkError({ errno: ENODEV, requestType: req.type });
    }
    return m;
  }

  /**
   * The ifindex of a device: a number is returned as it is (no I/O), a name costs one
   * RTM_GETLINK. Resolve once and pass the index when making many requests.
   *
   * @throws {NetlinkError} ENODEV, with a message naming the device, when there is none.
   */
  async index(dev: DevRef): Promise<number> {
    const ref = checkDevRef(dev, 'link.dev');
    if (typeof ref === 'number') return ref;
    // iproute2's lookup: the answer leaves the statistics out. Only ifi_index is read
    // (struct ifinfomsg: family, pad, type, then the index at 4).
    const m = await this.#getMessage(ref, linkLookupRequest);
    if (m.payload.length < ifinfomsg.size) {
      throw new NetlinkDecodeError(
        'TRUNCATED_HEADER',
        `${m.payload.length} bytes, too few for a ${ifinfomsg.size}-byte ifinfomsg`,
        0,
      );
    }
    return m.payload.readInt32LE(4);
  }

  /**
   * Create a link (`ip link add`): RTM_NEWLINK with NLM_F_CREATE | NLM_F_EXCL.
   *
   * ```ts
   * await rt.links.add({ name: 'br0', kind: 'bridge' });
   * await rt.links.add({ name: 'veth0', kind: 'veth', peer: { name: 'veth1', netns: 'blue' } });
   * await rt.links.add({ name: 'mv0', kind: 'macvlan', link: 'eth0', data: { mode: 'bridge' } });
   * ```
   *
   * @throws {NetlinkEncodeError} BAD_VALUE naming the field (`link.name`, `link.mtu`,
   *   `link.data(vxlan).id`, …) before anything is sent.
   * @throws {NetlinkError} when the kernel refuses (EEXIST, EOPNOTSUPP for an unknown kind, …).
   */
  add<K extends string>(spec: LinkAddSpec<K>): Promise<void> {
    return this.#create(spec, linkAddRequest);
  }

  /**
   * Create a link, or replace one (`ip link replace`): the request of {@link Links.add} with
   * NLM_F_CREATE | NLM_F_REPLACE instead of NLM_F_EXCL. Linux creates the link when no link
   * has that name (or `index`); it refuses to replace an existing one (EOPNOTSUPP), which
   * `rt.links.set` changes instead.
   *
   * @throws {NetlinkEncodeError} BAD_VALUE naming the field before anything is sent.
   * @throws {NetlinkError} when the kernel refuses (EOPNOTSUPP for an existing link, …).
   */
  replace<K extends string>(spec: LinkAddSpec<K>): Promise<void> {
    return this.#create(spec, linkReplaceRequest);
  }

  async #create<K extends string>(
    spec: LinkAddSpec<K>,
    build: (spec: LinkSpec<string>) => RequestMessage,
  ): Promise<void> {
    // Validate the whole spec (names of other devices stand in as ifindex 1) before any I/O.
    const stand = placeholders(spec) as LinkSpec<string>;
    const direct = build(stand);
    // Nothing named by name and no namespace to open: that request is the one to send.
    if (stand === spec) return this.#send(direct);
    const opened: Netns[] = [];
    try {
      const resolved = await this.#resolveAdd(spec, opened);
      await this.#send(build(resolved));
    } finally {
      for (const ns of opened) ns.close();
    }
  }

  /**
   * Change a link, or every link of a device group (`ip link set`): RTM_NEWLINK without
   * NLM_F_CREATE. `{ up: true }`, `{ mtu: 1400 }`, `{ master: 'br0' }`, `{ master: null }`,
   * `{ name: 'new' }`, `{ netns: 'blue' }`, `{ kind: 'bridge', data: { stpState: 1 } }`,
   * `{ slave: { kind: 'bridge', data: { cost: 5 } } }`, …
   *
   * @throws {NetlinkEncodeError} BAD_VALUE naming the field before anything is sent.
   * @throws {NetlinkError} ENODEV naming the device when there is none, or the kernel's refusal.
   */
  async set(dev: DevRef | { group: number }, changes: LinkSetChanges): Promise<void> {
    const target = checkTarget(dev, 'link.dev');
    const stand = placeholders(changes) as LinkChanges;
    const direct = linkSetRequest(typeof target === 'string' ? 1 : target, stand);
    if (stand === changes && typeof target !== 'string') return this.#send(direct, target);
    const opened: Netns[] = [];
    try {
      const index = typeof target === 'object' ? target : await this.index(target);
      const resolved = (await resolveOptions(this, changes, opened)) as LinkChanges;
      await this.#send(linkSetRequest(index, resolved), target);
    } finally {
      for (const ns of opened) ns.close();
    }
  }

  /**
   * Delete a link, or every link of a device group (`ip link delete { DEV | group N }`).
   *
   * @throws {NetlinkError} ENODEV naming the device when there is none, or the kernel's refusal.
   */
  async delete(dev: DevRef | { group: number }): Promise<void> {
    const target = checkTarget(dev, 'link.dev');
    const direct = linkDeleteRequest(typeof target === 'string' ? 1 : target);
    if (typeof target !== 'string') return this.#send(direct, target);
    await this.#send(linkDeleteRequest(await this.index(target)), target);
  }

  async #send(req: RequestMessage, target?: DevRef | { group: number }): Promise<void> {
    try {
      await this.#rt.connection.request(req.type, req.payload, {
        flags: req.flags,
        schema: linkMessage,
      });
    } catch (err) {
      if (isNoDevice(err) && target !== undefined && typeof target !== 'object') {
        throw noDevice(err, target);
      }
      throw err;
    }
  }

  async #resolveAdd(spec: LinkAddSpec, opened: Netns[]): Promise<LinkSpec<string>> {
    const out = (await resolveOptions(this, spec, opened)) as unknown as LinkSpec<string>;
    if (spec.link !== undefined) out.link = await this.index(spec.link);
    if (spec.peer !== undefined) {
      out.peer = (await resolveOptions(this, spec.peer, opened)) as VethPeer;
    }
    return out;
  }
}

/**
 * `o` with devices named by name replaced by ifindex 1 and namespaces by `{ fd: 0 }` (or their
 * `{ pid }`), in a copy: what the builder needs to validate everything else without I/O.
 */
function placeholders(o: unknown): unknown {
  if (typeof o !== 'object' || o === null) return o;
  const src = o as Record<string, unknown>;
  let x: Record<string, unknown> | undefined;
  const put = (key: string, value: unknown) => {
    x ??= { ...src };
    x[key] = value;
  };
  for (const key of ['master', 'link']) {
    const v = src[key];
    if (
      v !== undefined &&
      v !== null &&
      v !== 0 &&
      typeof checkDevRef(v, `link.${key}`) === 'string'
    ) {
      put(key, 1);
    }
  }
  if (src.netns !== undefined) put('netns', nsPlaceholder(src.netns as NetnsRef));
  if (typeof src.peer === 'object' && src.peer !== null) {
    const peer = placeholders(src.peer);
    if (peer !== src.peer) put('peer', peer);
  }
  // The same object when nothing needed a stand-in: the caller may then send what it built.
  return x ?? o;
}

function nsPlaceholder(ref: NetnsRef): NetnsTarget {
  if (typeof ref === 'object' && ref !== null && 'pid' in ref) return { pid: ref.pid };
  return { fd: 0 };
}

/** Resolve `master` and `netns` of link options (opening namespaces into `opened`). */
async function resolveOptions(
  links: Links,
  o: object,
  opened: Netns[],
): Promise<Record<string, unknown>> {
  const x = { ...(o as Record<string, unknown>) };
  const master = x.master;
  if (master !== undefined && master !== null && master !== 0) {
    x.master = await links.index(master as DevRef);
  }
  const ns = x.netns as NetnsRef | undefined;
  if (ns !== undefined) {
    if (typeof ns === 'object' && ns !== null && 'pid' in ns) {
      x.netns = { pid: ns.pid };
    } else {
      const handle = openNetns(ns);
      opened.push(handle);
      x.netns = { fd: handle.fd };
    }
  }
  return x;
}
