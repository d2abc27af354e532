// tun/tap devices, as `ip tuntap add` makes them: /dev/net/tun + TUNSETIFF (+ owner, group,
// persist). Not an rtnetlink operation, so it lives here with the shim's other namespace work:
// the device is made in the namespace of the thread that opens /dev/net/tun.
import { closeSync } from 'node:fs';
import { NetlinkEncodeError } from '../netlink/errors.js';
import { loadAddon } from '../netlink/native.js';
import { wrapError } from './errors.js';
import { type NetnsRef, openResolved, resolveNetnsRef } from './netns.js';

/** IFF_* flags of TUNSETIFF (<linux/if_tun.h>). */
export const TUN_FLAGS = {
  IFF_TUN: 0x0001,
  IFF_TAP: 0x0002,
  IFF_MULTI_QUEUE: 0x0100,
  IFF_NO_PI: 0x1000,
  IFF_VNET_HDR: 0x4000,
  IFF_TUN_EXCL: 0x8000,
} as const;

/** What {@link createTunTap} makes. */
export interface TunTapOptions {
  /** 'tun' (layer 3, IFF_TUN) or 'tap' (Ethernet, IFF_TAP). */
  mode: 'tun' | 'tap';
  /** The device name (at most 15 bytes; a `%d` pattern lets the kernel number it). Default: `tun%d` / `tap%d`. */
  name?: string;
  /** The namespace to make it in (default: the caller's). */
  netns?: NetnsRef;
  /** The uid allowed to attach to it (TUNSETOWNER). */
  owner?: number;
  /** The gid allowed to attach to it (TUNSETGROUP). */
  group?: number;
  /** Several queues (IFF_MULTI_QUEUE). */
  multiQueue?: boolean;
  /** A virtio-net header before each packet (IFF_VNET_HDR). */
  vnetHdr?: boolean;
  /** Keep the 4-byte packet information header (no IFF_NO_PI). Default false, as iproute2. */
  pi?: boolean;
  /** Keep the device after our queue closes (TUNSETPERSIST). Default true: it is the point. */
  persist?: boolean;
}

const IFNAMSIZ = 16;

function bad(message: string, path: string): NetlinkEncodeError {
  return new NetlinkEncodeError('BAD_VALUE', message, path);
}

function checkId(value: unknown, path: string): number {
  if (value === undefined) return -1;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 0xfffffffe) {
    throw new NetlinkEncodeError('OUT_OF_RANGE', `${String(value)} is not a uid/gid`, path);
  }
  return value;
}

/** The TUNSETIFF flags for `options` (IFF_TUN_EXCL is added by the shim). */
export function tunTapFlags(
  options: Pick<TunTapOptions, 'mode' | 'multiQueue' | 'vnetHdr' | 'pi'>,
): number {
  let flags = options.mode === 'tun' ? TUN_FLAGS.IFF_TUN : TUN_FLAGS.IFF_TAP;
  if (!options.pi) flags |= TUN_FLAGS.IFF_NO_PI;
  if (options.multiQueue) flags |= TUN_FLAGS.IFF_MULTI_QUEUE;
  if (options.vnetHdr) flags |= TUN_FLAGS.IFF_VNET_HDR;
  return flags;
}

/**
 * Creates a persistent tun or tap device, as `ip tuntap add mode tun|tap …` does, inside
 * `options.netns` (default: the caller's namespace). Fails with EBUSY when a device of that name
 * exists (IFF_TUN_EXCL). Delete it like any link (`rt.links.del`, `ip link del`).
 *
 * @returns the device's name (the kernel's choice for a `%d` pattern).
 * @throws {NetlinkEncodeError} `BAD_VALUE` / `OUT_OF_RANGE` for bad options (with `path`).
 * @throws {NetlinkSocketError} the errno of the failed step: `EBUSY` when the name is taken,
 *   `EPERM` without CAP_NET_ADMIN, `ENOENT` without /dev/net/tun.
 */
export function createTunTap(options: TunTapOptions): string {
  if (options === null || typeof options !== 'object') throw bad('expected an object', 'tuntap');
  if (options.mode !== 'tun' && options.mode !== 'tap') {
    throw bad(`expected 'tun' or 'tap', got ${String(options.mode)}`, 'tuntap.mode');
  }
  const name = options.name ?? `${options.mode}%d`;
  if (typeof name !== 'string') throw bad('expected a string', 'tuntap.name');
  // The kernel's dev_valid_name(): 1..15 bytes, not '.' or '..', no '/', ':' or whitespace.
  if (
    name === '' ||
    Buffer.byteLength(name) >= IFNAMSIZ ||
    name === '.' ||
    name === '..' ||
    /[/:\s\0]/.test(name)
  ) {
    throw bad(
      `invalid interface name ${JSON.stringify(name)}: 1 to 15 bytes, no '/', ':' or whitespace`,
      'tuntap.name',
    );
  }
  const owner = checkId(options.owner, 'tuntap.owner');
  const group = checkId(options.group, 'tuntap.group');
  const flags = tunTapFlags(options);
  const persist = options.persist ?? true;
  const native = loadAddon();
  const op = `tuntap add ${JSON.stringify(name)}`;
  const fd = options.netns === undefined ? -1 : openResolved(resolveNetnsRef(options.netns), op);
  try {
    return native.tunCreate(name, flags, persist, fd, owner, group);
  } catch (error) {
    throw wrapError(
      error,
      op,
      () => `cannot create the ${options.mode} device`,
      'creating tun/tap devices needs CAP_NET_ADMIN (run as root)',
    );
  } finally {
    if (fd >= 0) closeSync(fd);
  }
}
