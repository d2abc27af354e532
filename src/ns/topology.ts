// A declarative network topology: namespaces (anonymous, or registered under /run/netns),
// bridges, veth pairs between namespaces (or from a namespace to a bridge in another),
// addresses and routes. `Topology.build(spec)` checks the whole spec first, then builds it in
// phases, each phase's requests made concurrently (one RtNetlink per namespace; the engine
// sends what one tick asks for in one datagram):
//
//   namespaces → lo up + bridges → veth pairs → addresses → routes
//
// On the first failure it tears down everything it made and rethrows that error, naming the
// step. `close()` (or `await using`) tears the rest down: sockets closed, names deleted,
// descriptors closed; a namespace then dies with every device in it.
import { NetlinkEncodeError, NetlinkSocketError } from '../netlink/errors.js';
import type { AddressSpecInput } from '../rtnetlink/api/addresses.js';
import { checkDevRef, familyOf } from '../rtnetlink/api/inet.js';
import type { LinkAddSpec } from '../rtnetlink/api/links.js';
import type { RouteSpecInput } from '../rtnetlink/api/routes.js';
import { RtNetlink } from '../rtnetlink/client.js';
import { addressRequest } from '../rtnetlink/requests/address.js';
import {
  checkIfname,
  type KindDataOf,
  type LinkSpec,
  linkAddRequest,
} from '../rtnetlink/requests/link.js';
import { buildRouteRequest } from '../rtnetlink/requests/route.js';
import {
  execInNetns,
  type NetnsExecOptions,
  type NetnsExecOutput,
  type NetnsExecResult,
} from './exec.js';
import { createNetns, type Netns, openNetns } from './netns.js';
import { invalidNameReason } from './paths.js';
import { addNamedNetns, deleteNamedNetns } from './registry.js';
import { createVethPair } from './veth.js';

/**
 * An address on a device of the topology: `'10.0.0.1/24'`, `'2001:db8::1/64'`, or the options
 * of `rt.addresses.add` without `dev`. IPv6 addresses get `nodad` unless `flags` are given, so
 * they are usable at once (no duplicate address detection to wait for).
 */
export type TopologyAddress = string | Omit<AddressSpecInput, 'dev'>;

/** A bridge in a namespace of the topology. It is created up. */
export interface TopologyBridge {
  /** Addresses on the bridge itself. */
  addresses?: readonly TopologyAddress[];
  /** IFLA_MTU */
  mtu?: number;
  /** The bridge's MAC address. */
  address?: string;
  /** Bridge options (IFLA_INFO_DATA), as `rt.links.add` takes them: `{ stpState: 0 }`, … */
  data?: KindDataOf<'bridge'>;
}

/** One namespace of the topology. */
export interface TopologyNamespace {
  /**
   * Register the namespace under /run/netns so that `ip netns`, `ip -n` and other tools see it:
   * `true` under the topology's name for it, a string under that name. Default: anonymous
   * (held only by the topology's descriptor), which needs no cleanup if the process dies.
   */
  named?: boolean | string;
  /** Bridges, by device name. */
  bridges?: Readonly<Record<string, TopologyBridge>>;
  /**
   * Routes, added last, as `rt.routes.add` takes them (`{ dst: 'default', gateway: '10.0.0.254' }`;
   * devices by name or ifindex).
   */
  routes?: readonly RouteSpecInput[];
}

/** One end of a veth pair. Both ends are created up. */
export interface TopologyVethEnd {
  /** The namespace this end is in: a key of {@link TopologySpec.namespaces}. */
  netns: string;
  /** The interface name in that namespace. */
  name: string;
  /**
   * A bridge of the same namespace to enslave this end to. This end is then the one the create
   * request makes (IFLA_MASTER in that request) and the other end is its peer, created directly
   * in its own namespace.
   */
  master?: string;
  /** Addresses on this end. */
  addresses?: readonly TopologyAddress[];
  /** IFLA_MTU */
  mtu?: number;
  /** The MAC address. */
  address?: string;
}

/** The whole description {@link Topology.build} takes. */
export interface TopologySpec {
  /** The namespaces, by the names the topology knows them by (`topo.netns(name)`). */
  namespaces: Readonly<Record<string, TopologyNamespace>>;
  /** Veth pairs, each joining two ends (in two namespaces, or both in one). */
  veths?: readonly (readonly [TopologyVethEnd, TopologyVethEnd])[];
}

/** The phases of a build, in order. */
export type TopologyPhase = 'namespaces' | 'links' | 'veths' | 'addresses' | 'routes';

/** An error from {@link Topology.build}, which rethrows the failed step's own error with this added. */
export interface TopologyBuildFailure {
  /** Which step failed: `veths[2] (left:eth0 ↔ hub:h2)`, `address 10.0.0.1/24 on left:eth0`, … */
  readonly topologyStep: string;
  /** Its phase. */
  readonly topologyPhase: TopologyPhase;
}

/** The step a build failed at, when `error` came from {@link Topology.build}. */
export function topologyFailure(error: unknown): TopologyBuildFailure | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { topologyStep, topologyPhase } = error as Partial<TopologyBuildFailure>;
  if (typeof topologyStep !== 'string' || typeof topologyPhase !== 'string') return undefined;
  return { topologyStep, topologyPhase };
}

function bad(path: string, message: string): NetlinkEncodeError {
  return new NetlinkEncodeError('BAD_VALUE', message, path);
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function checkKeys(o: Record<string, unknown>, allowed: readonly string[], path: string): void {
  for (const key of Object.keys(o)) {
    if (!allowed.includes(key)) {
      throw bad(`${path}.${key}`, `unknown option "${key}" (known: ${allowed.join(', ')})`);
    }
  }
}

/**
 * Runs a pure request builder only to validate, re-pathing its BAD_VALUE (`link.mtu`) under the
 * topology's own path (`topology.veths[0][1].mtu`).
 */
function validate(build: () => unknown, from: string, to: string): void {
  try {
    build();
  } catch (error) {
    if (!(error instanceof NetlinkEncodeError)) throw error;
    const rest = error.path.startsWith(from) ? error.path.slice(from.length) : `.${error.path}`;
    const text = error.path ? error.message.slice(error.path.length + 2) : error.message;
    throw new NetlinkEncodeError(error.code, text, `${to}${rest}`);
  }
}

const NAMESPACE_KEYS = ['named', 'bridges', 'routes'] as const;
const BRIDGE_KEYS = ['addresses', 'mtu', 'address', 'data'] as const;
const END_KEYS = ['netns', 'name', 'master', 'addresses', 'mtu', 'address'] as const;

/** One address to add, resolved to its namespace and device. */
interface AddressJob {
  ns: string;
  dev: string;
  spec: Omit<AddressSpecInput, 'dev'>;
}

/** The spec checked and flattened into the work of each phase. */
interface Plan {
  namespaces: { key: string; registered: string | undefined }[];
  bridges: { ns: string; name: string; bridge: TopologyBridge }[];
  veths: {
    index: number;
    /** The end the create request makes (the one with a master, else the first). */
    near: TopologyVethEnd;
    far: TopologyVethEnd;
  }[];
  addresses: AddressJob[];
  routes: { ns: string; index: number; spec: RouteSpecInput }[];
}

/** The address options for one {@link TopologyAddress}, checked (IPv6 strings get nodad). */
function addressSpec(a: TopologyAddress, path: string): Omit<AddressSpecInput, 'dev'> {
  let spec: Omit<AddressSpecInput, 'dev'>;
  if (typeof a === 'string') {
    spec = familyOf(a) === 10 ? { address: a, flags: ['nodad'] } : { address: a };
  } else if (isObject(a)) {
    if ('dev' in a) throw bad(`${path}.dev`, 'the device is the one the address is listed under');
    spec =
      a.flags === undefined && typeof a.address === 'string' && familyOf(a.address) === 10
        ? { ...a, flags: ['nodad'] }
        : { ...a };
  } else {
    throw bad(path, "expected an address such as '10.0.0.1/24', or address options");
  }
  validate(() => addressRequest('add', { ...spec, dev: 1 }), 'address', path);
  return spec;
}

function addressList(x: unknown, path: string): Omit<AddressSpecInput, 'dev'>[] {
  if (x === undefined) return [];
  if (!Array.isArray(x)) throw bad(path, 'expected an array of addresses');
  return x.map((a, i) => addressSpec(a as TopologyAddress, `${path}[${i}]`));
}

/** Devices by name standing in as ifindex 1, for a build that only validates a route. */
function routeStandIn(r: RouteSpecInput): Parameters<typeof buildRouteRequest>[1] {
  const dev = (d: unknown) => (typeof d === 'string' ? 1 : (d as number | undefined));
  return {
    ...r,
    dev: dev(r.dev),
    nexthops: Array.isArray(r.nexthops)
      ? r.nexthops.map((h) => ({ ...h, dev: dev(h?.dev) }))
      : r.nexthops,
  } as Parameters<typeof buildRouteRequest>[1];
}

/**
 * Checks the whole spec before anything is made: every key known, every name valid, every
 * reference (namespace of an end, master of an end) pointing at something the spec declares, no
 * device name twice in one namespace, no namespace name twice under /run/netns, and every value
 * as the request builders check it.
 *
 * @throws {NetlinkEncodeError} BAD_VALUE naming the field, e.g. `topology.veths[2][0].mtu`.
 */
function plan(spec: unknown): Plan {
  const root = 'topology';
  if (!isObject(spec)) throw bad(root, 'expected { namespaces, veths? }');
  checkKeys(spec, ['namespaces', 'veths'], root);
  if (!isObject(spec.namespaces) || Object.keys(spec.namespaces).length === 0) {
    throw bad(`${root}.namespaces`, 'expected an object with at least one namespace');
  }
  const out: Plan = { namespaces: [], bridges: [], veths: [], addresses: [], routes: [] };
  const devices = new Map<string, Map<string, string>>(); // ns → device name → where declared
  const bridges = new Map<string, Set<string>>();
  const registered = new Map<string, string>();
  const declare = (ns: string, name: string, path: string) => {
    const seen = devices.get(ns)!;
    const before = seen.get(name);
    if (before !== undefined) {
      throw bad(path, `device "${name}" is already declared in namespace "${ns}" at ${before}`);
    }
    seen.set(name, path);
  };

  for (const [key, value] of Object.entries(spec.namespaces)) {
    const path = `${root}.namespaces.${key}`;
    if (key === '') throw bad(path, 'a namespace needs a non-empty name');
    const ns = value === undefined ? {} : value;
    if (!isObject(ns)) throw bad(path, 'expected namespace options ({} for none)');
    checkKeys(ns, NAMESPACE_KEYS, path);
    let name: string | undefined;
    if (ns.named === true) name = key;
    else if (typeof ns.named === 'string') name = ns.named;
    else if (ns.named !== undefined && ns.named !== false) {
      throw bad(`${path}.named`, 'expected true, false or a name for /run/netns');
    }
    if (name !== undefined) {
      const problem = invalidNameReason(name);
      if (problem !== undefined) {
        throw bad(`${path}.named`, `invalid namespace name ${JSON.stringify(name)}: ${problem}`);
      }
      const other = registered.get(name);
      if (other !== undefined) {
        throw bad(`${path}.named`, `"${name}" is also the name of namespace "${other}"`);
      }
      registered.set(name, key);
    }
    out.namespaces.push({ key, registered: name });
    devices.set(key, new Map());
    bridges.set(key, new Set());

    if (ns.bridges !== undefined) {
      if (!isObject(ns.bridges)) throw bad(`${path}.bridges`, 'expected bridges by device name');
      for (const [brName, brValue] of Object.entries(ns.bridges)) {
        const at = `${path}.bridges.${brName}`;
        checkIfname(brName, at);
        const br = brValue === undefined ? {} : brValue;
        if (!isObject(br)) throw bad(at, 'expected bridge options ({} for none)');
        checkKeys(br, BRIDGE_KEYS, at);
        const bridge = br as TopologyBridge;
        validate(() => linkAddRequest(bridgeAddSpec(brName, bridge) as LinkSpec), 'link', at);
        declare(key, brName, at);
        bridges.get(key)!.add(brName);
        out.bridges.push({ ns: key, name: brName, bridge });
        for (const a of addressList(br.addresses, `${at}.addresses`)) {
          out.addresses.push({ ns: key, dev: brName, spec: a });
        }
      }
    }
  }

  // Routes come after every namespace is known; their devices may be any of the namespace's.
  for (const [key, value] of Object.entries(spec.namespaces)) {
    const routes = (value as TopologyNamespace | undefined)?.routes;
    if (routes === undefined) continue;
    const path = `${root}.namespaces.${key}.routes`;
    if (!Array.isArray(routes)) throw bad(path, 'expected an array of routes');
    routes.forEach((r, i) => {
      const at = `${path}[${i}]`;
      if (!isObject(r)) throw bad(at, 'expected route options such as { dst, gateway }');
      if (r.dev !== undefined) checkDevRef(r.dev, `${at}.dev`);
      const route = r as unknown as RouteSpecInput;
      validate(() => buildRouteRequest('add', routeStandIn(route)), 'route', at);
      out.routes.push({ ns: key, index: i, spec: route });
    });
  }

  const veths = spec.veths;
  if (veths !== undefined && !Array.isArray(veths)) {
    throw bad(`${root}.veths`, 'expected an array of [end, end] pairs');
  }
  (veths ?? []).forEach((pair: unknown, index: number) => {
    const path = `${root}.veths[${index}]`;
    if (!Array.isArray(pair) || pair.length !== 2) {
      throw bad(path, 'expected a pair of ends: [{ netns, name, … }, { netns, name, … }]');
    }
    const ends = pair.map((end: unknown, i: number) => {
      const at = `${path}[${i}]`;
      if (!isObject(end)) throw bad(at, 'expected { netns, name, master?, addresses?, … }');
      checkKeys(end, END_KEYS, at);
      if (typeof end.netns !== 'string' || !devices.has(end.netns)) {
        throw bad(
          `${at}.netns`,
          `expected one of the topology's namespaces (${[...devices.keys()].join(', ')}), got ${JSON.stringify(end.netns)}`,
        );
      }
      checkIfname(end.name, `${at}.name`);
      if (end.master !== undefined && !bridges.get(end.netns)!.has(end.master as string)) {
        throw bad(
          `${at}.master`,
          `no bridge ${JSON.stringify(end.master)} is declared in namespace "${end.netns}"`,
        );
      }
      const e = end as unknown as TopologyVethEnd;
      validate(
        () =>
          linkAddRequest({
            name: e.name,
            kind: 'veth',
            ...(e.mtu !== undefined ? { mtu: e.mtu } : {}),
            ...(e.address !== undefined ? { address: e.address } : {}),
          }),
        'link',
        at,
      );
      declare(e.netns, e.name, at);
      for (const a of addressList(end.addresses, `${at}.addresses`)) {
        out.addresses.push({ ns: e.netns, dev: e.name, spec: a });
      }
      return e;
    }) as [TopologyVethEnd, TopologyVethEnd];
    const [a, b] = ends;
    const flip = a.master === undefined && b.master !== undefined;
    out.veths.push({ index, near: flip ? b : a, far: flip ? a : b });
  });
  return out;
}

function bridgeAddSpec(name: string, bridge: TopologyBridge): LinkAddSpec<'bridge'> {
  const spec: LinkAddSpec<'bridge'> = { name, kind: 'bridge', up: true };
  if (bridge.mtu !== undefined) spec.mtu = bridge.mtu;
  if (bridge.address !== undefined) spec.address = bridge.address;
  if (bridge.data !== undefined) spec.data = bridge.data;
  return spec;
}

/** A namespace of a built topology. */
interface Member {
  netns: Netns;
  /** Its name under /run/netns, when registered. */
  registered: string | undefined;
  rt: RtNetlink | undefined;
  /** Device name → ifindex lookups, shared by every step (one RTM_GETLINK per device). */
  indexes: Map<string, Promise<number>>;
}

/** One unit of concurrent work, and what to call it when it fails. */
interface Step {
  phase: TopologyPhase;
  what: string;
  run: () => Promise<unknown>;
}

/** `ip netns add NAME`, then the namespace opened; the name is removed again if that fails. */
function createNamed(name: string): Netns {
  addNamedNetns(name);
  try {
    return openNetns(name);
  } catch (error) {
    try {
      deleteNamedNetns(name);
    } catch {}
    throw error;
  }
}

function withStep(error: unknown, step: Omit<Step, 'run'>): unknown {
  const e = error instanceof Error ? error : new Error(String(error));
  const where = `${step.phase}: ${step.what}`;
  Object.defineProperty(e, 'topologyStep', { value: step.what, configurable: true });
  Object.defineProperty(e, 'topologyPhase', { value: step.phase, configurable: true });
  try {
    e.message = `topology build failed at ${where}: ${e.message}`;
  } catch {}
  return e;
}

/**
 * A network topology built from a {@link TopologySpec}: its namespaces, each with an open
 * RtNetlink client, until {@link Topology.close}.
 *
 * ```ts
 * await using topo = await Topology.build({
 *   namespaces: { left: {}, right: {} },
 *   veths: [[
 *     { netns: 'left', name: 'veth0', addresses: ['10.0.0.1/24'] },
 *     { netns: 'right', name: 'veth0', addresses: ['10.0.0.2/24'] },
 *   ]],
 * });
 * const { stdout } = await topo.exec('left', 'ping', ['-c', '1', '10.0.0.2']);
 * ```
 */
export class Topology implements AsyncDisposable {
  readonly #members = new Map<string, Member>();
  #closed = false;

  private constructor() {}

  /**
   * Builds `spec`: every namespace (anonymous, or registered under /run/netns when `named`) with
   * `lo` up, its bridges (up), the veth pairs (both ends up; an end with a master is created on
   * its side with IFLA_MASTER in the create request and its peer directly in the other
   * namespace), the addresses (IPv6 with nodad), then the routes. Each phase's steps run
   * concurrently, one client per namespace.
   *
   * @throws {NetlinkEncodeError} BAD_VALUE naming the field (`topology.veths[1][0].master`)
   *   before anything is made.
   * @throws the first failed step's own error (a NetlinkError carrying the kernel's message, a
   *   NetlinkSocketError, …), after everything made so far was torn down; its message starts
   *   with the step, and {@link topologyFailure} returns it.
   */
  static async build(spec: TopologySpec): Promise<Topology> {
    const work = plan(spec);
    const topo = new Topology();
    try {
      await topo.#build(work);
    } catch (error) {
      try {
        await topo.close();
      } catch {
        // The build's own error is the one to report; teardown is best effort past it.
      }
      throw error;
    }
    return topo;
  }

  async #build(work: Plan): Promise<void> {
    // Namespaces: creation is synchronous (a short-lived thread each); sockets open concurrently.
    for (const { key, registered } of work.namespaces) {
      try {
        this.#members.set(key, {
          netns: registered === undefined ? createNetns() : createNamed(registered),
          registered,
          rt: undefined,
          indexes: new Map(),
        });
      } catch (error) {
        throw withStep(error, {
          phase: 'namespaces',
          what: `namespace "${key}"${registered === undefined ? '' : ` (${registered})`}`,
        });
      }
    }
    await this.#phase(
      [...this.#members].map(([key, m]) => ({
        phase: 'namespaces',
        what: `rtnetlink socket in "${key}"`,
        run: async () => {
          m.rt = await RtNetlink.open({ netns: m.netns });
        },
      })),
    );

    // lo up (ifindex 1, LOOPBACK_IFINDEX, in every namespace) and the bridges.
    await this.#phase([
      ...[...this.#members.keys()].map(
        (key): Step => ({
          phase: 'links',
          what: `lo up in "${key}"`,
          run: () => this.rt(key).links.set(1, { up: true }),
        }),
      ),
      ...work.bridges.map(
        ({ ns, name, bridge }): Step => ({
          phase: 'links',
          what: `bridge ${ns}:${name}`,
          run: () => this.rt(ns).links.add(bridgeAddSpec(name, bridge)),
        }),
      ),
    ]);

    // Veth pairs: every create request first (those of one namespace leave in one datagram),
    // then one link dump per namespace that made some, which gives the ifindex of each end
    // made there and, through IFLA_LINK, of its peer (instead of a lookup per device), then
    // the peers brought up.
    const label = ({ index, near, far }: Plan['veths'][number]) =>
      `veths[${index}] (${near.netns}:${near.name} ↔ ${far.netns}:${far.name})`;
    await this.#phase(
      work.veths.map(
        (v): Step => ({ phase: 'veths', what: label(v), run: () => this.#createVeth(v) }),
      ),
    );
    const makers = [...new Set(work.veths.map((v) => v.near.netns))];
    await this.#phase(
      makers.map(
        (ns): Step => ({
          phase: 'veths',
          what: `links of "${ns}"`,
          run: () =>
            this.#learnIndexes(
              ns,
              work.veths.filter((v) => v.near.netns === ns),
            ),
        }),
      ),
    );
    await this.#phase(
      work.veths.map(
        (v): Step => ({ phase: 'veths', what: `${label(v)}: peer up`, run: () => this.#peerUp(v) }),
      ),
    );

    await this.#phase(
      work.addresses.map(
        ({ ns, dev, spec }): Step => ({
          phase: 'addresses',
          what: `address ${typeof spec.address === 'string' ? spec.address : '?'} on ${ns}:${dev}`,
          run: async () => this.rt(ns).addresses.add({ ...spec, dev: await this.#index(ns, dev) }),
        }),
      ),
    );

    await this.#phase(
      work.routes.map(
        ({ ns, index, spec }): Step => ({
          phase: 'routes',
          what: `routes[${index}] (${spec.dst}${spec.gateway ? ` via ${spec.gateway}` : ''}) in "${ns}"`,
          run: async () => {
            const dev = typeof spec.dev === 'string' ? await this.#index(ns, spec.dev) : spec.dev;
            await this.rt(ns).routes.add(dev === undefined ? spec : { ...spec, dev });
          },
        }),
      ),
    );
  }

  /** Creates one pair: `near` (with its master) here, its peer directly in `far`'s namespace. */
  async #createVeth({ near, far }: Plan['veths'][number]): Promise<void> {
    const here = this.#member(near.netns);
    const there = this.#member(far.netns);
    await createVethPair(
      {
        name: near.name,
        up: true,
        ...(near.mtu !== undefined ? { mtu: near.mtu } : {}),
        ...(near.address !== undefined ? { address: near.address } : {}),
        ...(near.master !== undefined
          ? { master: await this.#index(near.netns, near.master) }
          : {}),
        peer: {
          name: far.name,
          ...(far.mtu !== undefined ? { mtu: far.mtu } : {}),
          ...(far.address !== undefined ? { address: far.address } : {}),
          ...(there !== here ? { netns: there.netns } : {}),
        },
      },
      { via: here.rt! },
    );
  }

  /**
   * One dump of the links of `ns`: the ifindex of every device there, and of the peer of each
   * veth end made there (a veth's IFLA_LINK is its peer's ifindex, in the peer's namespace).
   */
  async #learnIndexes(ns: string, made: Plan['veths']): Promise<void> {
    const m = this.#member(ns);
    const peers = new Map(made.map((v) => [v.near.name, v.far]));
    for (const link of await this.rt(ns).links.list()) {
      if (!m.indexes.has(link.name)) m.indexes.set(link.name, Promise.resolve(link.index));
      const far = peers.get(link.name);
      const peerIndex = link.attributes.link;
      if (far === undefined || link.kind !== 'veth' || peerIndex === undefined) continue;
      const there = this.#member(far.netns);
      if (!there.indexes.has(far.name)) there.indexes.set(far.name, Promise.resolve(peerIndex));
    }
  }

  /**
   * Brings the peer up: it cannot be created up (the kernel refuses with ENOTCONN). When both
   * ends have a master, the peer is enslaved to its own in the same request.
   */
  async #peerUp({ far }: Plan['veths'][number]): Promise<void> {
    const index = await this.#index(far.netns, far.name);
    await this.rt(far.netns).links.set(index, {
      up: true,
      ...(far.master !== undefined ? { master: await this.#index(far.netns, far.master) } : {}),
    });
  }

  /** The ifindex of `dev` in namespace `ns`, looked up once. */
  #index(ns: string, dev: string): Promise<number> {
    const m = this.#member(ns);
    let found = m.indexes.get(dev);
    if (found === undefined) {
      found = m.rt!.links.index(dev);
      m.indexes.set(dev, found);
      // A failed lookup is reported by the step that awaits it; keep none unhandled.
      found.catch(() => {});
    }
    return found;
  }

  /** Runs the steps concurrently, waits for all, and throws the first failure (in spec order). */
  async #phase(steps: Step[]): Promise<void> {
    const results = await Promise.allSettled(steps.map((s) => s.run()));
    const i = results.findIndex((r) => r.status === 'rejected');
    if (i >= 0) throw withStep((results[i] as PromiseRejectedResult).reason, steps[i]!);
  }

  #member(name: string): Member {
    if (this.#closed) {
      throw new NetlinkSocketError('ERR_RTNL_CLOSED', 'the topology is closed');
    }
    const m = this.#members.get(name);
    if (m === undefined) {
      throw bad(
        'topology.name',
        `no namespace ${JSON.stringify(name)} in this topology (it has ${[...this.#members.keys()].join(', ')})`,
      );
    }
    return m;
  }

  /** The topology's names for its namespaces, in the spec's order. */
  get names(): string[] {
    return [...this.#members.keys()];
  }

  /** Whether {@link Topology.close} was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * The namespace the topology calls `name`, held open by the topology (do not close it; open
   * your own with `netns.open(topo.netns(name))` to keep it past {@link Topology.close}).
   */
  netns(name: string): Netns {
    return this.#member(name).netns;
  }

  /** Its name under /run/netns, or undefined for an anonymous namespace. */
  registeredName(name: string): string | undefined {
    return this.#member(name).registered;
  }

  /** The RtNetlink client open in namespace `name` (closed by {@link Topology.close}). */
  rt(name: string): RtNetlink {
    const rt = this.#member(name).rt;
    if (rt === undefined) {
      throw new NetlinkSocketError('ERR_RTNL_CLOSED', `no client is open in "${name}" yet`);
    }
    return rt;
  }

  /**
   * Runs `command` with `args` inside namespace `name`, as `netns.exec` does (semantics of
   * `ip netns exec`). A registered namespace gets its `/etc/netns/NAME/` files, as
   * `ip netns exec NAME` would; pass `etc` to choose otherwise.
   */
  exec<O extends NetnsExecOptions = NetnsExecOptions>(
    name: string,
    command: string,
    args: readonly string[] = [],
    options?: O,
  ): Promise<NetnsExecResult<NetnsExecOutput<O>>> {
    const m = this.#member(name);
    const etc = m.registered ?? false;
    return execInNetns(m.netns, command, args, { etc, ...options } as O);
  }

  /**
   * Tears everything down: every registered name deleted, every client closed, every namespace
   * descriptor closed. The kernel then frees each namespace with every device in it
   * (a veth pair goes with either end's namespace). Idempotent; every step is tried, and the
   * first failure is thrown at the end.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const members = [...this.#members.values()];
    let failure: unknown;
    const attempt = (fn: () => void) => {
      try {
        fn();
      } catch (error) {
        failure ??= error;
      }
    };
    // Names first, last made first, while the descriptors still hold every namespace: no
    // namespace dies during the unmounts (the kernel's cleanup of one would compete with them),
    // and once the descriptors and sockets are closed the kernel frees them all in one batch.
    for (const m of members.toReversed()) {
      if (m.registered !== undefined) attempt(() => deleteNamedNetns(m.registered!));
    }
    for (const m of members) if (m.rt !== undefined) attempt(() => m.rt!.close());
    for (const m of members) attempt(() => m.netns.close());
    if (failure !== undefined) throw failure;
  }

  /** Same as {@link Topology.close}, for `await using`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
