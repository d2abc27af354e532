// rtnl/ns: network namespaces. Anonymous ones held by an fd, named ones under /run/netns laid out
// exactly as iproute2's `ip netns` does (so each sees the other's), running commands inside one
// (the exec helper), an isolated namespace registry, and tun/tap devices.
//
//   import { netns } from 'rtnl/ns';
//   using ns = netns.create();
//   await netns.exec(ns, 'ip', ['-j', 'link']);
import { execInNetns, runIsolated, spawnInNetns } from './exec.js';
import { createNetns, openNetns } from './netns.js';
import { namedNetnsPath } from './paths.js';
import {
  addNamedNetns,
  attachNetns,
  deleteNamedNetns,
  getNetnsId,
  identifyNetns,
  listNetns,
  netnsPids,
  setNetnsId,
} from './registry.js';
import { createTunTap } from './tuntap.js';
import { createVethPair, moveLink } from './veth.js';

export {
  isNetnsExecError,
  type NetnsExecError,
  type NetnsExecStep,
  PRIVILEGE_HINT,
} from './errors.js';
export {
  execInNetns,
  type NetnsExecOptions,
  type NetnsExecOutput,
  type NetnsExecResult,
  type NetnsSpawnOptions,
  type NetnsStdioEntry,
  runIsolated,
  spawnInNetns,
} from './exec.js';
export { NSHELPER_NAME, NSHELPER_PATH_ENV, nshelperPath } from './helper.js';
export { createNetns, Netns, type NetnsRef, openNetns } from './netns.js';
export { NETNS_ETC_DIR, NETNS_RUN_DIR, namedNetnsPath } from './paths.js';
export {
  addNamedNetns,
  attachNetns,
  deleteNamedNetns,
  getNetnsId,
  identifyNetns,
  listNetns,
  type NetnsEntry,
  type NsidConnection,
  type NsidViaOptions,
  netnsPids,
  setNetnsId,
} from './registry.js';
export {
  Topology,
  type TopologyAddress,
  type TopologyBridge,
  type TopologyBuildFailure,
  type TopologyNamespace,
  type TopologyPhase,
  type TopologySpec,
  type TopologyVethEnd,
  topologyFailure,
} from './topology.js';
export { createTunTap, TUN_FLAGS, type TunTapOptions, tunTapFlags } from './tuntap.js';
export {
  createVethPair,
  type MoveLinkOptions,
  moveLink,
  type VethEndOptions,
  type VethPairOptions,
  type VethPairSpec,
  type VethPeerSpec,
} from './veth.js';

/**
 * Every namespace operation under the names `ip netns` uses:
 *
 * | call | like |
 * |---|---|
 * | `netns.list({ via? })` | `ip netns list` (names with their nsid) |
 * | `netns.add(name)` / `netns.delete(name)` | `ip netns add` / `ip netns delete` |
 * | `netns.create()` | an anonymous namespace held by a {@link Netns} (no name) |
 * | `netns.open(ref)` | open a name, path, fd, `{ pid }` or Netns, checked to be a netns |
 * | `netns.identify(pid?)` | `ip netns identify [PID]` |
 * | `netns.pids(ref)` | `ip netns pids NAME` |
 * | `netns.attach(name, pid)` | `ip netns attach NAME PID` |
 * | `netns.set(ref, nsid \| 'auto', { via? })` | `ip netns set NAME NSID` |
 * | `netns.getId(ref, { via? })` | the nsid alone |
 * | `netns.exec(ref, cmd, args, opts?)` | `ip netns exec NAME cmd args…` (resolves on exit) |
 * | `netns.spawn(ref, cmd, args, opts?)` | the same, returning the ChildProcess |
 * | `netns.runIsolated(cmd, args, opts?)` | a program with a private, empty /run/netns |
 * | `netns.path(name)` | `/run/netns/NAME`, after checking the name |
 * | `netns.createTunTap(opts)` | `ip tuntap add` (in a namespace too) |
 * | `netns.createVethPair(spec)` | a veth pair with its peer made directly in another namespace |
 * | `netns.moveLink(dev, to, { from? })` | `ip link set DEV netns NS` |
 *
 * Whole topologies (namespaces, bridges, veths, addresses, routes): {@link Topology}.
 */
export const netns = {
  list: listNetns,
  add: addNamedNetns,
  delete: deleteNamedNetns,
  create: createNetns,
  open: openNetns,
  identify: identifyNetns,
  pids: netnsPids,
  attach: attachNetns,
  set: setNetnsId,
  getId: getNetnsId,
  exec: execInNetns,
  spawn: spawnInNetns,
  runIsolated,
  path: namedNetnsPath,
  createTunTap,
  createVethPair,
  moveLink,
} as const;
