// A network namespace held by a file descriptor, the ways of naming one (NetnsRef), opening a
// reference with a check that it really is a network namespace, and anonymous namespaces.
import {
  closeSync,
  constants as fsConstants,
  fstatSync,
  openSync,
  readlinkSync,
  statfsSync,
} from 'node:fs';
import { NetlinkSocketError } from '../netlink/errors.js';
import { loadAddon } from '../netlink/native.js';
import { EBADF, EINVAL, ENOENT, ESRCH, nsError, syscallFailure, wrapError } from './errors.js';
import { namedNetnsPath } from './paths.js';

/**
 * A network namespace held open by a file descriptor. An anonymous namespace lives exactly as
 * long as its descriptor (and any socket or process in it).
 */
export class Netns implements Disposable {
  #fd: number;

  /** Wraps an open namespace descriptor; the instance owns it and closes it. */
  constructor(fd: number) {
    this.#fd = fd;
  }

  /** The descriptor (O_RDONLY|O_CLOEXEC), or -1 once closed. Pass it as `netns` to sockets. */
  get fd(): number {
    return this.#fd;
  }

  /**
   * `/proc/self/fd/<fd>`: a path naming the namespace inside this process while it is open
   * (another process, such as `nsenter`, needs `/proc/<our pid>/fd/<fd>`).
   */
  get path(): string {
    return `/proc/self/fd/${this.#fd}`;
  }

  /** Whether {@link Netns.close} was called. */
  get closed(): boolean {
    return this.#fd < 0;
  }

  /** Closes the descriptor; idempotent. */
  close(): void {
    const fd = this.#fd;
    if (fd < 0) return;
    this.#fd = -1;
    closeSync(fd);
  }

  /** Same as {@link Netns.close}, for `using`. */
  [Symbol.dispose](): void {
    this.close();
  }
}

/**
 * Any way of naming a network namespace: a name under /run/netns (no '/'), a path (contains a
 * '/', e.g. `/proc/123/ns/net`), an open descriptor (number, not owned), `{ pid }` (that
 * process's namespace), or a {@link Netns} (not owned).
 */
export type NetnsRef = string | number | { readonly pid: number } | Netns;

/** A reference resolved to the file to open, and words for it in messages. */
export interface ResolvedRef {
  kind: 'name' | 'path' | 'fd' | 'pid' | 'netns';
  path: string;
  /** `"blue" (/run/netns/blue)`, `/proc/1/ns/net`, `descriptor 7`, `of process 42`. */
  what: string;
  /** The namespace name when the reference is one (or a path /run/netns/NAME). */
  name?: string;
  pid?: number;
  fd?: number;
}

function invalidRef(message: string): NetlinkSocketError {
  return new NetlinkSocketError('EINVAL', message, EINVAL);
}

/**
 * Resolves `ref` to the file that names its namespace, checking its form (not the file).
 *
 * @throws {NetlinkSocketError} `EINVAL` for an invalid name, descriptor, pid or closed Netns.
 */
export function resolveNetnsRef(ref: NetnsRef): ResolvedRef {
  if (ref instanceof Netns) {
    if (ref.closed) throw invalidRef('the Netns given as a namespace is closed');
    return { kind: 'netns', path: ref.path, what: `the Netns on descriptor ${ref.fd}`, fd: ref.fd };
  }
  if (typeof ref === 'number') {
    if (!Number.isInteger(ref) || ref < 0 || ref > 0x7fffffff) {
      throw invalidRef(`invalid namespace descriptor ${ref}`);
    }
    return { kind: 'fd', path: `/proc/self/fd/${ref}`, what: `descriptor ${ref}`, fd: ref };
  }
  if (typeof ref === 'string') {
    if (ref.includes('/')) {
      if (ref.includes('\0')) throw invalidRef(`invalid namespace path ${JSON.stringify(ref)}`);
      return { kind: 'path', path: ref, what: ref };
    }
    const path = namedNetnsPath(ref);
    return { kind: 'name', path, what: `${JSON.stringify(ref)} (${path})`, name: ref };
  }
  if (ref !== null && typeof ref === 'object' && 'pid' in ref) {
    const { pid } = ref;
    if (!Number.isInteger(pid) || pid <= 0 || pid > 0x7fffffff) {
      throw invalidRef(`invalid pid ${String(pid)}`);
    }
    return { kind: 'pid', path: `/proc/${pid}/ns/net`, what: `of process ${pid}`, pid };
  }
  throw invalidRef(
    `invalid namespace reference ${String(ref)}: expected a name, a path, a descriptor, { pid } or a Netns`,
  );
}

/** The error for a failed open of a resolved reference, in its own terms. */
function openError(error: unknown, target: ResolvedRef, op: string): unknown {
  const failure = syscallFailure(error);
  if (failure?.errno === ENOENT) {
    switch (target.kind) {
      case 'pid':
        return nsError(ESRCH, failure.syscall, op, `no process ${target.pid}`);
      case 'fd':
        return nsError(EBADF, failure.syscall, op, `descriptor ${target.fd} is not open`);
      case 'name':
        return nsError(ENOENT, failure.syscall, op, `no network namespace ${target.what}`);
      default:
        return nsError(ENOENT, failure.syscall, op, `no such file ${target.path}`);
    }
  }
  return wrapError(error, op, () => `cannot open the network namespace ${target.what}`);
}

// <linux/magic.h> NSFS_MAGIC, and the CLONE_NEW* flags NS_GET_NSTYPE answers (<linux/sched.h>).
const NSFS_MAGIC = 0x6e736673;
const CLONE_NEWNET = 0x40000000;
const NAMESPACE_KINDS: Readonly<Record<number, string>> = {
  128: 'time',
  131072: 'mnt',
  33554432: 'cgroup',
  67108864: 'uts',
  134217728: 'ipc',
  268435456: 'user',
  536870912: 'pid',
};

/** What a file that is not a namespace is, for "… is not a network namespace (it is …)". */
function describeFile(fd: number): string {
  try {
    const st = fstatSync(fd);
    if (st.isFile()) {
      return st.size === 0 ? 'an empty file: no namespace is mounted on it' : 'a regular file';
    }
    if (st.isDirectory()) return 'a directory';
    if (st.isSocket()) return 'a socket';
    if (st.isFIFO()) return 'a pipe';
    if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  } catch {}
  try {
    // Anonymous kernel objects read as `type:[inode]` (anon_inode:[eventfd], …).
    return readlinkSync(`/proc/self/fd/${fd}`);
  } catch {
    return 'something else';
  }
}

/**
 * Checks that `fd` is a network namespace: a file of nsfs (its statfs magic) whose
 * NS_GET_NSTYPE is CLONE_NEWNET. Without the addon only the first half can be checked; setns
 * still refuses any other namespace later.
 *
 * @throws {NetlinkSocketError} `EINVAL` naming the file and what it is instead.
 */
export function checkNetnsFd(fd: number, what: string, op = 'netns open'): void {
  const notNetns = (it: string) =>
    nsError(EINVAL, 'open', op, `${what} is not a network namespace (it is ${it})`);
  let magic: number;
  try {
    magic = statfsSync(`/proc/self/fd/${fd}`).type;
  } catch (error) {
    throw wrapError(error, op, () => `cannot inspect ${what}`);
  }
  if (magic !== NSFS_MAGIC) throw notNetns(describeFile(fd));
  let native: ReturnType<typeof loadAddon>;
  try {
    native = loadAddon();
  } catch {
    return;
  }
  let type: number;
  try {
    type = native.nsType(fd);
  } catch (error) {
    throw wrapError(error, op, () => `cannot inspect ${what}`);
  }
  if (type !== CLONE_NEWNET) {
    const kind = NAMESPACE_KINDS[type];
    throw notNetns(kind ? `a ${kind} namespace` : `a namespace of type ${type}`);
  }
}

/**
 * Opens the namespace `ref` names and returns a {@link Netns} the caller owns (close it), after
 * checking that the file really is a network namespace. For a descriptor or a Netns the result
 * holds a new descriptor, so closing it never closes the caller's.
 *
 * @throws {NetlinkSocketError} `EINVAL` for an invalid ref or a file that is not a network
 *   namespace, `ENOENT` when there is no such namespace (the message names it), `ESRCH` for a
 *   pid that is gone, `EBADF` for a descriptor that is not open, `EACCES`/`EPERM` with a hint.
 */
export function openNetns(ref: NetnsRef): Netns {
  const target = resolveNetnsRef(ref);
  return new Netns(openResolved(target, 'netns open'));
}

/** Opens and checks a resolved reference; returns the descriptor. */
export function openResolved(target: ResolvedRef, op: string): number {
  let fd: number;
  try {
    // libuv opens every file with O_CLOEXEC.
    fd = openSync(target.path, fsConstants.O_RDONLY);
  } catch (error) {
    throw openError(error, target, op);
  }
  try {
    checkNetnsFd(fd, target.what, op);
  } catch (error) {
    closeSync(fd);
    throw error;
  }
  return fd;
}

/**
 * Creates a new, empty network namespace (only a down `lo`) with no name: the ideal sandbox.
 * It disappears when the returned {@link Netns} and every socket opened in it are closed.
 *
 * @throws {NetlinkSocketError} `EPERM` without CAP_SYS_ADMIN (with a hint), `ERR_RTNL_ADDON`
 *   without the addon.
 */
export function createNetns(): Netns {
  const native = loadAddon();
  try {
    return new Netns(native.netnsCreate());
  } catch (error) {
    throw wrapError(error, 'netns create', () => 'cannot create a network namespace');
  }
}
