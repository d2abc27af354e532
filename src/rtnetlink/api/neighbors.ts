// rt.neighbors: list / iterate / add / replace / delete / flush. Requests come from the pure
// builders in ../requests/neighbor.ts; replies are decoded with the neighbour schema.
import { formatIp } from '../../netlink/address.js';
import type { NetlinkMessage } from '../../netlink/message.js';
import type { Decoded, FlagSet } from '../../netlink/schema.js';
import type { RtNetlink } from '../client.js';
import { NTF, NUD, RTM_NEWNEIGH, RTN } from '../constants.js';
import { neighborMessage } from '../neighbor.js';
import {
  buildFdbRequest,
  buildNeighborDumpRequest,
  buildNeighborGetRequest,
  buildNeighborRequest,
  type FdbSpec,
  type NeighborDumpFilter,
  type NeighborOp,
  type NeighborSpec,
} from '../requests/neighbor.js';
import type { RequestPlan } from '../requests/route.js';
import { type DevRef, enumName, flagSetOf, flagsValue, parseInetAddress } from './inet.js';
import { resolveDev } from './routes.js';

/** The decoded NDA_* attributes of a neighbour entry (the neighbour schema's decode). */
export type NeighborAttributes = Decoded<typeof neighborMessage.attributes.attrs>;

/**
 * A neighbour entry as the kernel reported it: the ndmsg fields with natural values, the
 * conveniences `dst` and `lladdr`, and every attribute as the neighbour schema decodes it.
 */
export interface Neighbor {
  /** AF_INET (2), AF_INET6 (10), AF_BRIDGE (7) for FDB entries. */
  family: number;
  ifindex: number;
  /** NUD state bits ('reachable', 'stale', 'permanent', …). */
  state: FlagSet<keyof typeof NUD>;
  flags: FlagSet<keyof typeof NTF>;
  type: keyof typeof RTN | number;
  /** NDA_DST, when present. */
  dst?: string | undefined;
  /** NDA_LLADDR, when present (absent while unresolved). */
  lladdr?: string | undefined;
  attributes: NeighborAttributes;
}

/**
 * A neighbour spec whose device may be a name: an ARP / NDP entry, or with `family: 'bridge'`
 * a bridge / vxlan FDB entry ({@link FdbSpec}).
 */
export type NeighborSpecInput = NeighborSpec<DevRef> | FdbSpec<DevRef>;

/**
 * What `list()` selects. `family`, `dev`, `master` and `proxy` go into the dump request and the
 * kernel filters on them (`master: null`: only devices without a master); `dst` and `state`
 * are checked on each decoded entry.
 */
export interface NeighborFilter extends NeighborDumpFilter<DevRef> {
  /** Only the entry for this address. */
  dst?: string | undefined;
  /** Only entries in one of these states (names, or the bits as a number). */
  state?: (keyof typeof NUD)[] | number | undefined;
}

/** Turn an RTM_NEWNEIGH message into a {@link Neighbor}. */
export function decodeNeighbor(msg: NetlinkMessage | Uint8Array): Neighbor {
  const payload = msg instanceof Uint8Array ? msg : msg.payload;
  const { header: h, attributes } = neighborMessage.decode(payload);
  const n: Neighbor = {
    family: h.family,
    ifindex: h.ifindex,
    state: flagSetOf(NUD, h.state),
    flags: flagSetOf(NTF, h.flags),
    type: enumName(RTN, h.type),
    attributes,
  };
  if (attributes.dst !== undefined) n.dst = attributes.dst;
  if (attributes.lladdr !== undefined) n.lladdr = attributes.lladdr;
  return n;
}

const AF_BRIDGE = 7;

// `ip neigh flush` leaves permanent and noarp entries alone unless told which states to flush.
const FLUSH_DEFAULT_STATES = 0xff & ~(NUD.permanent | NUD.noarp);

/** Neighbour entries (RTM_NEWNEIGH / RTM_DELNEIGH / RTM_GETNEIGH). Reach it as `rt.neighbors`. */
export class Neighbors {
  readonly #rt: RtNetlink;

  constructor(rt: RtNetlink) {
    this.#rt = rt;
  }

  /** Every entry matching `filter` (all families and devices without one). */
  async list(filter: NeighborFilter = {}): Promise<Neighbor[]> {
    const out: Neighbor[] = [];
    for await (const n of this.iterate(filter)) out.push(n);
    return out;
  }

  /** Stream the entries matching `filter`, decoded one message at a time. */
  async *iterate(filter: NeighborFilter = {}): AsyncGenerator<Neighbor, void, undefined> {
    const { dst, state, dev, master, ...rest } = filter;
    // Validate every field before anything is sent.
    const wantDst =
      dst === undefined ? undefined : formatIp(parseInetAddress(dst, 'neighborFilter.dst').bytes);
    const wantState =
      state === undefined ? undefined : flagsValue(NUD, state, 0xffff, 'neighborFilter.state');
    buildNeighborDumpRequest({
      ...rest,
      dev: typeof dev === 'string' ? 1 : dev,
      master: typeof master === 'string' ? 1 : master,
    });
    const plan = buildNeighborDumpRequest({
      ...rest,
      dev: dev === undefined ? undefined : await resolveDev(this.#rt, dev, 'neighborFilter.dev'),
      master:
        master === undefined || master === null
          ? master
          : await resolveDev(this.#rt, master, 'neighborFilter.master'),
    });
    for await (const msg of this.#rt.connection.dump(plan.type, (w) => plan.write(w))) {
      if (msg.type !== RTM_NEWNEIGH) continue;
      const n = decodeNeighbor(msg);
      if (wantDst !== undefined && n.dst !== wantDst) continue;
      // NUD_NONE (0) matches only itself.
      if (
        wantState !== undefined &&
        (n.state.raw === 0 ? wantState !== 0 : !(n.state.raw & wantState))
      ) {
        continue;
      }
      yield n;
    }
  }

  /** Add an entry (`ip neigh add`: NLM_F_CREATE | NLM_F_EXCL; EEXIST if there is one). */
  add(spec: NeighborSpecInput): Promise<void> {
    return this.#modify('add', spec);
  }

  /** Add or replace an entry (`ip neigh replace`: NLM_F_CREATE | NLM_F_REPLACE). */
  replace(spec: NeighborSpecInput): Promise<void> {
    return this.#modify('replace', spec);
  }

  /** Change an existing entry (`ip neigh change`: NLM_F_REPLACE; ENOENT if there is none). */
  change(spec: NeighborSpec<DevRef>): Promise<void> {
    return this.#modify('change', spec);
  }

  /**
   * One entry (`ip neigh get ADDR dev DEV [proxy]`): RTM_GETNEIGH for `dst` on `dev`.
   * Rejects with the kernel's ENOENT when there is no such entry.
   */
  async get(query: { dst: string; dev: DevRef; proxy?: boolean }): Promise<Neighbor> {
    const build = (dev: number) => buildNeighborGetRequest({ ...query, dev });
    build(1); // check everything before a name lookup leaves
    const plan = build(await resolveDev(this.#rt, query.dev, 'neighbor.dev'));
    const replies = await this.#rt.connection.request(plan.type, (w) => plan.write(w), {
      flags: plan.flags,
      schema: neighborMessage,
    });
    const reply = replies.find((m) => m.type === RTM_NEWNEIGH);
    if (!reply) throw new TypeError('the kernel answered RTM_GETNEIGH without an entry');
    return decodeNeighbor(reply);
  }

  /** Delete an entry: a spec ({ dst, dev }) or a {@link Neighbor} from `list()`. */
  delete(entry: NeighborSpecInput | Neighbor): Promise<void> {
    return this.#modify('delete', isNeighbor(entry) ? specOf(entry) : entry);
  }

  /**
   * Delete every entry matching `filter` (`ip neigh flush`): by default those in a state other
   * than permanent and noarp, as `ip neigh flush` does; give `state` to choose. Resolves with
   * the entries deleted.
   */
  async flush(filter: NeighborFilter = {}): Promise<Neighbor[]> {
    const entries = await this.list({ state: FLUSH_DEFAULT_STATES, ...filter });
    const gone = entries.filter((n) => n.dst !== undefined && n.family !== AF_BRIDGE);
    await Promise.all(gone.map((n) => this.delete(n)));
    return gone;
  }

  async #modify(op: NeighborOp, spec: NeighborSpecInput): Promise<void> {
    const fdb =
      typeof spec === 'object' && spec !== null && 'family' in spec && spec.family === 'bridge';
    if (fdb && op === 'change') throw new TypeError("an FDB entry has no 'change'");
    const build = (s: NeighborSpecInput, dev: number): RequestPlan =>
      fdb
        ? buildFdbRequest(op as 'add' | 'replace' | 'delete', { ...(s as FdbSpec<DevRef>), dev })
        : buildNeighborRequest(op, { ...(s as NeighborSpec<DevRef>), dev });
    let plan: RequestPlan;
    if (typeof spec === 'object' && spec !== null && typeof spec.dev === 'string') {
      build(spec, 1); // check everything before the name lookup leaves
      plan = build(spec, await resolveDev(this.#rt, spec.dev, fdb ? 'fdb.dev' : 'neighbor.dev'));
    } else {
      plan = build(spec, (spec as { dev: number } | null)?.dev as number);
    }
    await this.#rt.connection.request(plan.type, (w) => plan.write(w), {
      flags: plan.flags,
      schema: neighborMessage,
    });
  }
}

function isNeighbor(x: unknown): x is Neighbor {
  return typeof x === 'object' && x !== null && 'attributes' in x && 'ifindex' in x;
}

/** The delete spec naming exactly this entry (an FDB spec for a bridge entry). */
function specOf(n: Neighbor): NeighborSpec<number> | FdbSpec<number> {
  if (n.family === AF_BRIDGE) {
    if (n.lladdr === undefined) throw new TypeError('this FDB entry has no MAC address');
    const a = n.attributes;
    const fdb: FdbSpec<number> = { family: 'bridge', lladdr: n.lladdr, dev: n.ifindex };
    // An entry the bridge reported (NDA_MASTER, no NTF_SELF) lives in the bridge's table.
    if (
      n.flags.names.includes('master') ||
      (a.master !== undefined && !n.flags.names.includes('self'))
    ) {
      fdb.master = true;
    }
    if (n.flags.names.includes('self')) fdb.self = true;
    if (a.dst !== undefined) fdb.dst = a.dst;
    if (a.vlan !== undefined) fdb.vlan = a.vlan;
    if (a.port !== undefined) fdb.port = a.port;
    if (a.vni !== undefined) fdb.vni = a.vni;
    if (a.srcVni !== undefined) fdb.srcVni = a.srcVni;
    if (a.nhId !== undefined) fdb.nhid = a.nhId;
    return fdb;
  }
  if (n.dst === undefined) throw new TypeError('this neighbour entry has no address');
  const spec: NeighborSpec<number> = { dst: n.dst, dev: n.ifindex };
  if (n.flags.names.includes('proxy')) spec.proxy = true;
  return spec;
}
