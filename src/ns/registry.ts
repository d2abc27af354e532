// Named network namespaces with iproute2's on-disk conventions: a file per namespace under
// /run/netns, bind-mounted from the namespace, with /run/netns a shared mount so that deleting a
// name in one mount namespace releases it in all. `ip netns` sees ours and we see its.
// list / add / delete / attach / identify / pids / set, as `ip netns` does them.
import {
  closeSync,
  constants as fsConstants,
  fstatSync,
  mkdirSync,
  opendirSync,
  openSync,
  type Stats,
  statSync,
  unlinkSync,
} from 'node:fs';
import { Connection } from '../netlink/connection.js';
import { type Addon, loadAddon } from '../netlink/native.js';
import { getNsid, setNsid } from '../rtnetlink/nsid.js';
import { EBUSY, EEXIST, EINVAL, ENOENT, syscallFailure, wrapError } from './errors.js';
import { type Netns, type NetnsRef, openResolved, resolveNetnsRef } from './netns.js';
import { NETNS_RUN_DIR, namedNetnsPath } from './paths.js';

// <linux/mount.h> (MS_*) and <sys/mount.h> (MNT_DETACH).
const MS_BIND = 0x1000;
const MS_REC = 0x4000;
const MS_PRIVATE = 1 << 18;
const MS_SHARED = 1 << 20;
const MNT_DETACH = 2;

/** What the nsid requests need from a connection (a {@link Connection} has it). */
export type NsidConnection = Pick<Connection, 'request' | 'dump'>;

/** Which namespace's view of nsids to use. */
export interface NsidViaOptions {
  /**
   * A connection (or anything with one, such as an `RtNetlink` client) whose namespace
   * assigns and reports the ids. Default: a short-lived connection in the caller's namespace.
   */
  via?: NsidConnection | { readonly connection: NsidConnection };
}

/** One named namespace, as `ip -j netns list` reports it. */
export interface NetnsEntry {
  /** The file name under /run/netns. */
  name: string;
  /** The id the observing namespace gave it (`ip netns list`'s "(id: N)"), if any. */
  nsid?: number;
}

const quote = (name: string) => JSON.stringify(name);

/** Runs `use` with the caller's connection, or a short-lived one in the caller's namespace. */
async function withConnection<T>(
  options: NsidViaOptions,
  use: (conn: NsidConnection) => Promise<T>,
): Promise<T> {
  const via = options.via;
  if (via !== undefined) return use('connection' in via ? via.connection : via);
  const conn = await Connection.open();
  try {
    return await use(conn);
  } finally {
    conn.close();
  }
}

/** The entries of /run/netns in the directory's own order (iproute2 does not sort). */
function readRunDir(op: string): string[] {
  let dir: ReturnType<typeof opendirSync>;
  try {
    dir = opendirSync(NETNS_RUN_DIR);
  } catch (error) {
    if (syscallFailure(error)?.errno === ENOENT) return [];
    throw wrapError(error, op, () => `cannot read ${NETNS_RUN_DIR}`);
  }
  const names: string[] = [];
  try {
    for (let entry = dir.readSync(); entry !== null; entry = dir.readSync()) {
      names.push(entry.name);
    }
  } finally {
    dir.closeSync();
  }
  return names;
}

/**
 * The named namespaces under /run/netns, like `ip netns list`: in the directory's order (as
 * iproute2 prints them, unsorted), each with the nsid the observing namespace (the caller's, or
 * `options.via`'s) gave it, when it gave one. A file that is not a mounted namespace is listed
 * without an id, as iproute2 does. A missing /run/netns is an empty list.
 */
export async function listNetns(options: NsidViaOptions = {}): Promise<NetnsEntry[]> {
  const names = readRunDir('netns list');
  if (names.length === 0) return [];
  return withConnection(options, async (conn) => {
    const entries: NetnsEntry[] = names.map((name) => ({ name }));
    // Bounded batches: every name needs an open descriptor while its request is in flight.
    const BATCH = 64;
    for (let start = 0; start < entries.length; start += BATCH) {
      const batch = entries.slice(start, start + BATCH);
      await Promise.all(
        batch.map(async (entry) => {
          let fd: number;
          try {
            fd = openSync(`${NETNS_RUN_DIR}/${entry.name}`, fsConstants.O_RDONLY);
          } catch {
            return; // vanished or unreadable: listed without an id, like iproute2
          }
          try {
            const nsid = await getNsid(conn, { fd });
            if (nsid !== undefined) entry.nsid = nsid;
          } catch {
            // EINVAL for a placeholder that is not a namespace: no id, as iproute2 shows it.
          } finally {
            closeSync(fd);
          }
        }),
      );
    }
    return entries;
  });
}

/**
 * Creates a named network namespace, `ip netns add NAME`: a new namespace bind-mounted onto
 * `/run/netns/NAME` (with `/run/netns` made a shared mount first, as iproute2 does, so deleting
 * it in one mount namespace releases it in all).
 *
 * @returns the path of the namespace file, `/run/netns/NAME`.
 * @throws {NetlinkSocketError} `EINVAL` for a name iproute2 would refuse, `EEXIST` when the
 *   name is taken, `EPERM`/`EACCES` with a hint about privileges, or the errno of the failed
 *   step; the message names the namespace.
 */
export function addNamedNetns(name: string): string {
  const path = namedNetnsPath(name);
  const op = `netns add ${quote(name)}`;
  const native = loadAddon();
  const fd = createPlaceholder(native, name, path, op);
  closeSync(fd);
  try {
    native.netnsCreateAt(path);
  } catch (error) {
    removePlaceholder(path);
    throw wrapError(error, op, () =>
      syscallFailure(error)?.syscall === 'unshare'
        ? 'cannot create a network namespace'
        : `cannot bind the new namespace onto ${path}`,
    );
  }
  return path;
}

/**
 * Gives an existing namespace a name, `ip netns attach NAME PID`: bind-mounts it onto
 * `/run/netns/NAME`. `target` is a pid when a number (as in iproute2), or any other
 * {@link NetnsRef}: `{ pid }`, a path, another name, or a {@link Netns} (which names an
 * anonymous namespace, keeping it alive after the Netns is closed).
 *
 * @returns the path of the namespace file, `/run/netns/NAME`.
 * @throws {NetlinkSocketError} `EINVAL` for an invalid name or a target that is not a network
 *   namespace, `ESRCH` for a pid that is gone, `EEXIST` when the name is taken, `EPERM` /
 *   `EACCES` with a hint.
 */
export function attachNetns(name: string, target: number | Exclude<NetnsRef, number>): string {
  const path = namedNetnsPath(name);
  const op = `netns attach ${quote(name)}`;
  const source = openResolved(
    resolveNetnsRef(typeof target === 'number' ? { pid: target } : target),
    op,
  );
  try {
    const native = loadAddon();
    closeSync(createPlaceholder(native, name, path, op));
    try {
      native.mount(`/proc/self/fd/${source}`, path, 'none', MS_BIND, null);
    } catch (error) {
      removePlaceholder(path);
      throw wrapError(error, op, () => `cannot bind the namespace onto ${path}`);
    }
  } finally {
    closeSync(source);
  }
  return path;
}

/**
 * Deletes a named network namespace, `ip netns delete NAME`: detaches the bind mount and removes
 * `/run/netns/NAME`. The namespace itself lives on while sockets or processes still use it.
 *
 * @throws {NetlinkSocketError} `EINVAL` for an invalid name, `ENOENT` when there is no such
 *   namespace (naming it), `EBUSY` when the file is still mounted, `EPERM`/`EACCES` with a
 *   hint, or the errno of the failed step.
 */
export function deleteNamedNetns(name: string): void {
  const path = namedNetnsPath(name);
  const op = `netns delete ${quote(name)}`;
  const native = loadAddon();
  let umountError: unknown;
  try {
    native.umount(path, MNT_DETACH);
  } catch (error) {
    // iproute2 ignores this too: the file may be a leftover that was never mounted (EINVAL), and
    // then the unlink below still has to happen. Kept to explain an EBUSY from the unlink.
    umountError = error;
  }
  try {
    unlinkSync(path);
  } catch (error) {
    const errno = syscallFailure(error)?.errno;
    if (errno === EBUSY && umountError !== undefined) {
      throw wrapError(umountError, op, () => `cannot unmount ${path}, so it cannot be removed`);
    }
    throw wrapError(error, op, (e) =>
      e === ENOENT
        ? `no network namespace ${quote(name)} (${path} does not exist)`
        : e === EBUSY
          ? `${path} is still a mount point`
          : `cannot remove ${path}`,
    );
  }
}

/**
 * The names under /run/netns whose namespace is that of process `pid` (default: this
 * process), or of the given {@link Netns}, like `ip netns identify [PID]` (which prints only the
 * last of several names; all are returned here, in the directory's order). Empty when the
 * namespace has no name.
 *
 * @throws {NetlinkSocketError} `ESRCH` for a pid that is gone, `EINVAL` for an invalid pid.
 */
export function identifyNetns(target: number | Netns = process.pid): string[] {
  const op = 'netns identify';
  const ref = typeof target === 'number' ? { pid: target } : target;
  const fd = openResolved(resolveNetnsRef(ref), op);
  let self: Stats;
  try {
    self = fstatSync(fd);
  } finally {
    closeSync(fd);
  }
  return readRunDir(op).filter((name) => sameFile(`${NETNS_RUN_DIR}/${name}`, self));
}

/**
 * The processes whose network namespace is the one `ref` names, like `ip netns pids NAME`, in
 * /proc's order. Processes this process may not inspect are left out.
 *
 * @throws {NetlinkSocketError} as {@link openNetns} does for `ref`.
 */
export function netnsPids(ref: NetnsRef): number[] {
  const op = 'netns pids';
  const fd = openResolved(resolveNetnsRef(ref), op);
  let target: Stats;
  try {
    target = fstatSync(fd);
  } finally {
    closeSync(fd);
  }
  const pids: number[] = [];
  const dir = opendirSync('/proc');
  try {
    for (let entry = dir.readSync(); entry !== null; entry = dir.readSync()) {
      if (!/^\d+$/.test(entry.name)) continue;
      if (sameFile(`/proc/${entry.name}/ns/net`, target)) pids.push(Number(entry.name));
    }
  } finally {
    dir.closeSync();
  }
  return pids;
}

/**
 * Gives the namespace `ref` names the id `nsid` in the observing namespace (the caller's, or
 * `options.via`'s), like `ip netns set NAME NSID`; `'auto'` lets the kernel pick one.
 *
 * @throws {NetlinkSocketError} as {@link openNetns} does for `ref`; {@link NetlinkError}
 *   `EEXIST` when the namespace already has an id or the id is taken.
 */
export async function setNetnsId(
  ref: NetnsRef,
  nsid: number | 'auto',
  options: NsidViaOptions = {},
): Promise<void> {
  const fd = openResolved(resolveNetnsRef(ref), 'netns set');
  try {
    await withConnection(options, (conn) => setNsid(conn, { fd }, nsid));
  } finally {
    closeSync(fd);
  }
}

/**
 * The id the observing namespace (the caller's, or `options.via`'s) gave the namespace `ref`
 * names, or `undefined` when it gave none.
 */
export async function getNetnsId(
  ref: NetnsRef,
  options: NsidViaOptions = {},
): Promise<number | undefined> {
  const fd = openResolved(resolveNetnsRef(ref), 'netns get-id');
  try {
    return await withConnection(options, (conn) => getNsid(conn, { fd }));
  } finally {
    closeSync(fd);
  }
}

function sameFile(path: string, target: Stats): boolean {
  try {
    const st = statSync(path);
    return st.dev === target.dev && st.ino === target.ino;
  } catch {
    return false; // gone, or not ours to look at
  }
}

// mkdir /run/netns, make it a shared mount, and create the empty placeholder NAME (O_EXCL), as
// iproute2's netns_add() does before it bind-mounts a namespace there. Returns the open fd.
function createPlaceholder(native: Addon, name: string, path: string, op: string): number {
  try {
    mkdirSync(NETNS_RUN_DIR, { recursive: true, mode: 0o755 });
  } catch (error) {
    throw wrapError(error, op, () => `cannot create ${NETNS_RUN_DIR}`);
  }
  makeRunDirShared(native, op);
  try {
    // Mode 0, O_EXCL: the same empty placeholder `ip netns add` creates; EEXIST if taken.
    return openSync(path, fsConstants.O_RDONLY | fsConstants.O_CREAT | fsConstants.O_EXCL, 0);
  } catch (error) {
    throw wrapError(error, op, (errno) =>
      errno === EEXIST
        ? `network namespace ${quote(name)} already exists (${path})`
        : `cannot create ${path}`,
    );
  }
}

function removePlaceholder(path: string): void {
  // iproute2 removes the placeholder too; a failure to do so must not hide the cause.
  try {
    unlinkSync(path);
  } catch {}
}

// iproute2 netns_add(): make /run/netns a shared mount so a later umount propagates to every
// mount namespace. EINVAL means it is not a mount point yet: bind it onto itself, make that
// private (so it starts a peer group of its own), then retry.
function makeRunDirShared(native: Addon, op: string): void {
  let madeMountPoint = false;
  for (;;) {
    try {
      native.mount('', NETNS_RUN_DIR, 'none', MS_SHARED | MS_REC, null);
      return;
    } catch (error) {
      if (syscallFailure(error)?.errno !== EINVAL || madeMountPoint) {
        throw wrapError(error, op, () => `mount --make-shared ${NETNS_RUN_DIR} failed`);
      }
    }
    try {
      native.mount(NETNS_RUN_DIR, NETNS_RUN_DIR, 'none', MS_BIND | MS_REC, null);
      native.mount(NETNS_RUN_DIR, NETNS_RUN_DIR, 'none', MS_PRIVATE | MS_REC, null);
    } catch (error) {
      throw wrapError(error, op, () => `cannot make ${NETNS_RUN_DIR} a mount point`);
    }
    madeMountPoint = true;
  }
}
