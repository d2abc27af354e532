// Loader for the native shim (native/shim.c, built as rtnl_shim.node). Nothing here runs at
// import time: the addon loads on first use, so importing any rtnl module works on a machine
// where the addon was never built, and only opening a socket reports it.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NetlinkSocketError } from './errors.js';

/** Opaque handle returned by {@link Addon.watch}: a uv_poll_t owned by the shim. */
export type Watcher = { readonly __rtnlWatcher: unique symbol };

/**
 * The functions `rtnl_shim.node` exports; docs/INTERFACES.md is the contract. Functions that
 * return `-errno` do so on the hot path; the others throw an Error carrying `code`, `errno` and
 * `syscall` (convert it with {@link toSocketError}).
 */
export interface Addon {
  open(protocol: number, netnsFd: number): number;
  bind(fd: number, groups: number): number;
  setsockopt(fd: number, level: number, name: number, value: number): void;
  getsockopt(fd: number, level: number, name: number): number;
  send(fd: number, buf: Uint8Array, offset: number, length: number): number;
  recv(fd: number, buf: Uint8Array): number;
  /**
   * `recv` for a socket with NETLINK_LISTEN_ALL_NSID: also reads the control messages, and sets
   * `nsid[0]` to the id carried by the NETLINK_LISTEN_ALL_NSID cmsg (the id the socket's
   * namespace gives the namespace the notification came from), or -1 when there was none (the
   * socket's own namespace, a reply, an ack). Returns what `recv` returns.
   */
  recvNsid(fd: number, buf: Uint8Array, nsid: Int32Array): number;
  watch(fd: number, callback: (status: number) => void): Watcher;
  pause(watcher: Watcher): void;
  resume(watcher: Watcher): void;
  ref(watcher: Watcher): void;
  unref(watcher: Watcher): void;
  unwatch(watcher: Watcher): void;
  close(fd: number): void;
  netnsCreate(): number;
  netnsCreateAt(path: string): void;
  mount(
    source: string | null,
    target: string,
    fstype: string | null,
    flags: number,
    data: string | null,
  ): void;
  umount(target: string, flags: number): void;
  /** ioctl(fd, NS_GET_NSTYPE): the CLONE_NEW* flag of a namespace descriptor; ENOTTY otherwise. */
  nsType(fd: number): number;
  /**
   * Creates a tun/tap device as `ip tuntap add` does (TUNSETIFF with IFF_TUN_EXCL, then
   * TUNSETOWNER / TUNSETGROUP when not -1, then TUNSETPERSIST when `persist`), inside the
   * namespace `netnsFd` (-1: the caller's). `name` may be '' or a pattern like `tap%d`.
   * Returns the device's name.
   */
  tunCreate(
    name: string,
    flags: number,
    persist: boolean,
    netnsFd: number,
    owner: number,
    group: number,
  ): string;
  /** _exit(code): the process ends at once (see {@link exitNow}). */
  exit(code: number): never;
}

/** Environment variable naming a directory to load the addon from instead of the package. */
export const ADDON_PATH_ENV = 'RTNL_ADDON_PATH';

const PACKAGE_NAME = 'rtnl';

let addon: Addon | undefined;

/**
 * The addon, loaded on first call and cached. Looks in `$RTNL_ADDON_PATH` when set, else in the
 * rtnl package directory (build/Release, build/Debug, then prebuilds/<platform>-<arch>).
 *
 * @throws {NetlinkSocketError} code `ERR_RTNL_ADDON` when no loadable addon is found.
 */
export function loadAddon(): Addon {
  if (addon) return addon;
  const override = process.env[ADDON_PATH_ENV];
  const dir = override ? resolve(override) : packageRoot();
  addon = loadAddonFrom(dir);
  return addon;
}

/**
 * Loads the addon from `dir` (a directory laid out like the package: `build/Release/*.node` or
 * `prebuilds/<platform>-<arch>/*.node`), uncached.
 *
 * @throws {NetlinkSocketError} code `ERR_RTNL_ADDON`, naming where it looked, why it failed and
 * how to build the addon.
 */
export function loadAddonFrom(dir: string): Addon {
  const require = selfRequire();
  try {
    // A local build first, without node-gyp-build's search (it lists and parses directories):
    // the same file it would pick first.
    return require(join(dir, 'build', 'Release', 'rtnl_shim.node')) as Addon;
  } catch {
    // Not built here: prebuilds (or build/Debug), through node-gyp-build.
  }
  try {
    const load = require('node-gyp-build') as (dir: string) => unknown;
    return load(dir) as Addon;
  } catch (cause) {
    const reason = (cause instanceof Error ? cause.message : String(cause))
      .replace(/\s+/g, ' ')
      .trim();
    throw new NetlinkSocketError(
      'ERR_RTNL_ADDON',
      `rtnl: cannot load the native addon rtnl_shim.node: looked in ${join(dir, 'build', 'Release')}, ` +
        `${join(dir, 'build', 'Debug')} and ${join(dir, 'prebuilds', `${process.platform}-${process.arch}`)}` +
        ` (${reason}). Build it with \`npm rebuild rtnl\` in the project that installed rtnl ` +
        `(or \`npm run build:native\` in ${dir}); building needs python3, make and a C/C++ compiler (g++).`,
    );
  }
}

/**
 * End the process now with `code`, as `process.exit(code)` does but without Node's teardown:
 * the 'exit' event is emitted, then the process calls _exit(2). Node's own exit joins V8's
 * background threads first, and a compile job still running holds it for up to ~10 ms, which a
 * short command-line run of rtnl otherwise pays on every exit. Only for a program that has
 * nothing left to write: stdout and stderr must have been written synchronously (as fs.writeSync
 * does, and as process.stdout does for files, pipes and terminals on Linux). It is
 * process.exit without the addon, and when Node has something to write at teardown: coverage
 * (NODE_V8_COVERAGE) or a profile (--cpu-prof, --heap-prof, --prof).
 */
export function exitNow(code: number): never {
  let exit: ((code: number) => never) | undefined;
  try {
    const a = loadAddon();
    if (typeof a.exit === 'function' && !writesAtTeardown()) exit = (c) => a.exit(c);
  } catch {
    // No addon: Node's exit.
  }
  if (exit === undefined) return process.exit(code);
  process.exitCode = code;
  process.emit('exit', code);
  return exit(typeof process.exitCode === 'number' ? process.exitCode : code);
}

/** Whether Node was asked for output it writes while it tears down. */
function writesAtTeardown(): boolean {
  if (process.env.NODE_V8_COVERAGE) return true;
  const profiling = /(^|\s)--(cpu-prof|heap-prof|prof)\b/;
  return (
    process.execArgv.some((a) => profiling.test(a)) ||
    profiling.test(process.env.NODE_OPTIONS ?? '')
  );
}

/**
 * Converts a system-call error into a {@link NetlinkSocketError}: one thrown by the addon (an
 * Error with a positive `errno` and a `syscall`) or by `node:fs` (a negative `errno`). Anything
 * else, such as a TypeError for a bad argument, is returned unchanged.
 */
export function toSocketError(error: unknown, context?: string): unknown {
  if (error instanceof NetlinkSocketError || !(error instanceof Error)) return error;
  const { errno, syscall } = error as Error & { errno?: unknown; syscall?: unknown };
  if (typeof errno !== 'number' || errno === 0 || typeof syscall !== 'string') return error;
  return NetlinkSocketError.fromErrno(Math.abs(errno), syscall, context);
}

// Where this module's code lives. The ESM build and vitest (running src/) have
// `import.meta.url`; the CJS build (dist/*.cjs), where esbuild empties `import.meta`, has
// `__filename`. import.meta comes first: in an ESM module `__filename` is not ours but a global
// that `node -e` and eval'd workers define ('[eval]', '[worker eval]').
function selfPath(): string | undefined {
  try {
    const url = import.meta.url;
    if (url) return fileURLToPath(url);
  } catch {
    // Not a file URL (or no import.meta): try the CommonJS way.
  }
  if (typeof __filename === 'string' && isAbsolute(__filename)) return __filename;
  return undefined;
}

function selfRequire(): NodeJS.Require {
  const self = selfPath();
  return createRequire(self ?? join(process.cwd(), 'noop.js'));
}

// The directory of the package.json named "rtnl" above this module: src/netlink/ in a checkout,
// dist/ or dist/<entry>/ (tsup chunks) in an installed package.
function packageRoot(): string {
  const self = selfPath();
  if (self === undefined) {
    throw new NetlinkSocketError(
      'ERR_RTNL_ADDON',
      `rtnl: cannot locate the rtnl package to load its native addon; set ${ADDON_PATH_ENV} to the package directory.`,
    );
  }
  const root = findPackageRoot();
  if (root === undefined) {
    throw new NetlinkSocketError(
      'ERR_RTNL_ADDON',
      `rtnl: no package.json named "${PACKAGE_NAME}" above ${dirname(self)}; set ${ADDON_PATH_ENV} to the package directory.`,
    );
  }
  return root;
}

/** The rtnl package directory above this module, or undefined when it cannot be found. */
export function findPackageRoot(): string | undefined {
  const self = selfPath();
  if (self === undefined) return undefined;
  for (let dir = dirname(self); ; dir = dirname(dir)) {
    if (isRtnlPackage(dir)) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}

function isRtnlPackage(dir: string): boolean {
  try {
    const json = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: unknown };
    return json.name === PACKAGE_NAME;
  } catch {
    return false;
  }
}
