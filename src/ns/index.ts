// Network namespaces: anonymous ones held by an fd, and named ones under /run/netns laid out
// exactly as iproute2's `ip netns add` does, so `ip netns` and rtnl see each other's.
// First version: create and delete only.

import { closeSync, constants as fsConstants, mkdirSync, openSync, unlinkSync } from 'node:fs';
import { NetlinkSocketError } from '../netlink/errors.js';
import { loadAddon, toSocketError } from '../netlink/native.js';

/** Where iproute2 keeps named namespaces (NETNS_RUN_DIR). */
export const NETNS_RUN_DIR = '/run/netns';

// <linux/mount.h> (MS_*) and <sys/mount.h> (MNT_DETACH).
const MS_BIND = 0x1000;
const MS_REC = 0x4000;
const MS_SHARED = 1 << 20;
const MNT_DETACH = 2;
const EINVAL = 22;
/** NAME_MAX from <linux/limits.h>: the longest file name, in bytes. */
const NAME_MAX = 255;

/**
 * A network namespace held open by a file descriptor. An anonymous namespace lives exactly as
 * long as its descriptor (and any socket created in it).
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

/**
 * Opens the namespace `ref` names and returns a {@link Netns} the caller owns (close it). For a
 * descriptor or a Netns the result holds a duplicate, so closing it never closes the caller's.
 *
 * @throws {NetlinkSocketError} `EINVAL` for an invalid name or ref, `ENOENT` when there is no
 *   such namespace or process, `ESRCH` for a pid that is gone.
 */
export function openNetns(ref: NetnsRef): Netns {
  let path: string;
  if (ref instanceof Netns) {
    if (ref.closed) {
      throw new NetlinkSocketError('EINVAL', 'the Netns given as a namespace is closed', EINVAL);
    }
    path = `/proc/self/fd/${ref.fd}`;
  } else if (typeof ref === 'number') {
    if (!Number.isInteger(ref) || ref < 0) {
      throw new NetlinkSocketError('EINVAL', `invalid namespace descriptor ${ref}`, EINVAL);
    }
    path = `/proc/self/fd/${ref}`;
  } else if (typeof ref === 'string') {
    path = ref.includes('/') ? ref : namedNetnsPath(ref);
  } else if (ref !== null && typeof ref === 'object' && Number.isInteger(ref.pid) && ref.pid > 0) {
    path = `/proc/${ref.pid}/ns/net`;
  } else {
    throw new NetlinkSocketError(
      'EINVAL',
      `invalid namespace reference ${String(ref)}: expected a name, a path, a descriptor, { pid } or a Netns`,
      EINVAL,
    );
  }
  try {
    // libuv opens every file with O_CLOEXEC.
    return new Netns(openSync(path, fsConstants.O_RDONLY));
  } catch (error) {
    throw toSocketError(error, path);
  }
}

/**
 * Creates a new, empty network namespace (only a down `lo`) with no name: the ideal sandbox.
 * It disappears when the returned {@link Netns} and every socket opened in it are closed.
 *
 * @throws {NetlinkSocketError} `EPERM` without CAP_SYS_ADMIN, `ERR_RTNL_ADDON` without addon.
 */
export function createNetns(): Netns {
  const native = loadAddon();
  try {
    return new Netns(native.netnsCreate());
  } catch (error) {
    throw toSocketError(error);
  }
}

/**
 * Creates a named network namespace, `ip netns add NAME`: a new namespace bind-mounted onto
 * `/run/netns/NAME` (with `/run/netns` made a shared mount first, as iproute2 does, so deleting
 * it in one mount namespace releases it in all).
 *
 * @returns the path of the namespace file, `/run/netns/NAME`.
 * @throws {NetlinkSocketError} `EINVAL` for a name iproute2 would refuse, `EEXIST` when the
 *   name is taken, or the errno of the failed step.
 */
export function addNamedNetns(name: string): string {
  const path = namedNetnsPath(name);
  const native = loadAddon();
  try {
    mkdirSync(NETNS_RUN_DIR, { recursive: true, mode: 0o755 });
  } catch (error) {
    throw toSocketError(error, NETNS_RUN_DIR);
  }
  makeRunDirShared(native);

  let fd: number;
  try {
    // Mode 0, O_EXCL: the same empty placeholder `ip netns add` creates; EEXIST if taken.
    fd = openSync(path, fsConstants.O_RDONLY | fsConstants.O_CREAT | fsConstants.O_EXCL, 0);
  } catch (error) {
    throw toSocketError(error, path);
  }
  closeSync(fd);
  try {
    native.netnsCreateAt(path);
  } catch (error) {
    // iproute2 removes the placeholder too; a failure to do so must not hide the cause.
    try {
      unlinkSync(path);
    } catch {}
    throw toSocketError(error, path);
  }
  return path;
}

/**
 * Deletes a named network namespace, `ip netns delete NAME`: detaches the bind mount and removes
 * `/run/netns/NAME`. The namespace itself lives on while sockets or processes still use it.
 *
 * @throws {NetlinkSocketError} `EINVAL` for an invalid name, `ENOENT` when there is no such
 *   namespace, or the errno of the failed step.
 */
export function deleteNamedNetns(name: string): void {
  const path = namedNetnsPath(name);
  const native = loadAddon();
  try {
    native.umount(path, MNT_DETACH);
  } catch {
    // iproute2 ignores this too: the file may be a leftover that was never mounted, and then the
    // unlink below still has to happen. A real problem surfaces as the unlink's error.
  }
  try {
    unlinkSync(path);
  } catch (error) {
    throw toSocketError(error, path);
  }
}

/**
 * The file of named namespace `name`, `/run/netns/NAME`, after checking the name as iproute2's
 * invalid_name() does: not empty, at most NAME_MAX bytes, no '/', not '.' or '..'.
 *
 * @throws {NetlinkSocketError} code `EINVAL` for an invalid name.
 */
export function namedNetnsPath(name: string): string {
  if (typeof name !== 'string') throw new TypeError('namespace name must be a string');
  let problem: string | undefined;
  if (name === '') problem = 'it is empty';
  else if (Buffer.byteLength(name) > NAME_MAX) problem = `it is longer than ${NAME_MAX} bytes`;
  else if (name.includes('/')) problem = "it contains '/'";
  else if (name === '.' || name === '..') problem = `it is '${name}'`;
  else if (name.includes('\0')) problem = 'it contains a NUL byte';
  if (problem !== undefined) {
    throw new NetlinkSocketError(
      'EINVAL',
      `invalid network namespace name ${JSON.stringify(name)}: ${problem}`,
      EINVAL,
    );
  }
  return `${NETNS_RUN_DIR}/${name}`;
}

// iproute2 netns_add(): make /run/netns a shared mount so a later umount propagates to every
// mount namespace. EINVAL means it is not a mount point yet: bind it onto itself, then retry.
function makeRunDirShared(native: ReturnType<typeof loadAddon>): void {
  let madeMountPoint = false;
  for (;;) {
    try {
      native.mount('', NETNS_RUN_DIR, 'none', MS_SHARED | MS_REC, null);
      return;
    } catch (error) {
      if ((error as { errno?: unknown }).errno !== EINVAL || madeMountPoint) {
        throw toSocketError(error, `--make-shared ${NETNS_RUN_DIR}`);
      }
    }
    try {
      native.mount(NETNS_RUN_DIR, NETNS_RUN_DIR, 'none', MS_BIND | MS_REC, null);
    } catch (error) {
      throw toSocketError(error, `--bind ${NETNS_RUN_DIR} ${NETNS_RUN_DIR}`);
    }
    madeMountPoint = true;
  }
}
