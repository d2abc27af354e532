// Where the exec helper (native/nshelper.c, built by binding.gyp as rtnl_nshelper beside the
// addon) lives: looked up like the addon, on first use, and cached.
import { accessSync, constants as fsConstants } from 'node:fs';
import { join, resolve } from 'node:path';
import { NetlinkSocketError } from '../netlink/errors.js';
import { ADDON_PATH_ENV, findPackageRoot } from '../netlink/native.js';

/** Environment variable naming the helper executable to use instead of the package's. */
export const NSHELPER_PATH_ENV = 'RTNL_NSHELPER_PATH';

/** The helper's file name in build/Release and prebuilds/<platform>-<arch>. */
export const NSHELPER_NAME = 'rtnl_nshelper';

let cached: string | undefined;

/**
 * The helper executable: `$RTNL_NSHELPER_PATH` when set, else `rtnl_nshelper` in
 * build/Release, build/Debug or prebuilds/<platform>-<arch> of `$RTNL_ADDON_PATH` (when set)
 * or the rtnl package directory.
 *
 * @throws {NetlinkSocketError} code `ERR_RTNL_ADDON` naming where it looked and how to build.
 */
export function nshelperPath(): string {
  if (cached !== undefined) return cached;
  const override = process.env[NSHELPER_PATH_ENV];
  if (override) {
    const path = resolve(override);
    if (!isExecutable(path)) {
      throw new NetlinkSocketError(
        'ERR_RTNL_ADDON',
        `rtnl: ${NSHELPER_PATH_ENV}=${override} is not an executable file.`,
      );
    }
    cached = path;
    return path;
  }
  const addonDir = process.env[ADDON_PATH_ENV];
  const roots = addonDir ? [resolve(addonDir)] : [];
  const root = findPackageRoot();
  if (root !== undefined) roots.push(root);
  const candidates = roots.flatMap((dir) => [
    join(dir, 'build', 'Release', NSHELPER_NAME),
    join(dir, 'build', 'Debug', NSHELPER_NAME),
    join(dir, 'prebuilds', `${process.platform}-${process.arch}`, NSHELPER_NAME),
  ]);
  const found = candidates.find(isExecutable);
  if (found === undefined) {
    throw new NetlinkSocketError(
      'ERR_RTNL_ADDON',
      `rtnl: cannot find the namespace helper ${NSHELPER_NAME}: looked for ${candidates.join(', ')}. ` +
        `Build it with \`npm rebuild rtnl\` in the project that installed rtnl (or \`npm run build:native\` ` +
        `in the rtnl directory; it needs python3, make and a C compiler), or set ${NSHELPER_PATH_ENV}.`,
    );
  }
  cached = found;
  return found;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}
