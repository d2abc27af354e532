// Where iproute2 keeps namespace state, and its rule for namespace names.

import { NetlinkSocketError } from '../netlink/errors.js';
import { EINVAL } from './errors.js';

/** Where iproute2 keeps named namespaces (NETNS_RUN_DIR). */
export const NETNS_RUN_DIR = '/run/netns';

/** Per-namespace configuration files bind-mounted over /etc by `exec` (NETNS_ETC_DIR). */
export const NETNS_ETC_DIR = '/etc/netns';

/** NAME_MAX from <linux/limits.h>: the longest file name, in bytes. */
const NAME_MAX = 255;

/**
 * Why `name` is not a valid namespace name, as iproute2's invalid_name() decides (empty, longer
 * than NAME_MAX bytes, containing '/', '.' or '..'; plus a NUL byte, which no file name can
 * hold), or undefined when it is valid.
 */
export function invalidNameReason(name: string): string | undefined {
  if (name === '') return 'it is empty';
  if (Buffer.byteLength(name) > NAME_MAX) return `it is longer than ${NAME_MAX} bytes`;
  if (name.includes('/')) return "it contains '/'";
  if (name === '.' || name === '..') return `it is '${name}'`;
  if (name.includes('\0')) return 'it contains a NUL byte';
  return undefined;
}

/**
 * The file of named namespace `name`, `/run/netns/NAME`, after checking the name as iproute2's
 * invalid_name() does: not empty, at most NAME_MAX bytes, no '/', not '.' or '..'.
 *
 * @throws {NetlinkSocketError} code `EINVAL` for an invalid name.
 */
export function namedNetnsPath(name: string): string {
  if (typeof name !== 'string') throw new TypeError('namespace name must be a string');
  const problem = invalidNameReason(name);
  if (problem !== undefined) {
    throw new NetlinkSocketError(
      'EINVAL',
      `invalid network namespace name ${JSON.stringify(name)}: ${problem}`,
      EINVAL,
    );
  }
  return `${NETNS_RUN_DIR}/${name}`;
}

/** The name a path under /run/netns stands for (`/run/netns/blue` → `blue`), if it is one. */
export function nameOfRunPath(path: string): string | undefined {
  const prefix = `${NETNS_RUN_DIR}/`;
  if (!path.startsWith(prefix)) return undefined;
  const name = path.slice(prefix.length);
  return invalidNameReason(name) === undefined ? name : undefined;
}
