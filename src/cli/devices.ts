// ip's ll_map: the ifindex ↔ name cache of one run. A `-batch` of 10 000 `route add … dev d0`
// pays one RTM_GETLINK for d0, not one per line. Entries belong to a client (one per run and
// namespace) and are dropped whenever a command that can create, delete, rename or move links
// runs (the framework calls forgetDevices() after `link`, `tunnel` and `netns` commands), so a
// later line never meets a stale index. The framework imports this module, so it loads nothing
// of the library (types only).
import type { RtNetlink } from '../index.js';

interface DevCache {
  /** forgetDevices() calls when the cache was made: an older cache is discarded. */
  generation: number;
  byIndex: Map<number, string>;
  byName: Map<string, number>;
}

const caches = new WeakMap<RtNetlink, DevCache>();
let generation = 0;

function cacheOf(rt: RtNetlink): DevCache {
  let c = caches.get(rt);
  if (c === undefined || c.generation !== generation) {
    c = { generation, byIndex: new Map(), byName: new Map() };
    caches.set(rt, c);
  }
  return c;
}

/** Drop every cached ifindex ↔ name pair (links may have changed). */
export function forgetDevices(): void {
  generation++;
}

/** A kernel error meaning "no such device" (ENODEV, or ENOENT from some lookups). */
export function isNoDevice(err: unknown): boolean {
  const e = err as { name?: unknown; code?: unknown } | null;
  return e?.name === 'NetlinkError' && (e.code === 'ENODEV' || e.code === 'ENOENT');
}

/** The cached ifindex of `name`, or undefined when it is not cached (no lookup is made). */
export function cachedDevIndex(rt: RtNetlink, name: string): number | undefined {
  const c = caches.get(rt);
  return c !== undefined && c.generation === generation ? c.byName.get(name) : undefined;
}

/** ip's ll_index_to_name: `*` for 0, the name, else `ifN`. */
export async function devName(rt: RtNetlink, index: number): Promise<string> {
  if (index === 0) return '*';
  const c = cacheOf(rt);
  const hit = c.byIndex.get(index);
  if (hit !== undefined) return hit;
  let name = `if${index}`;
  try {
    name = (await rt.links.get(index)).name;
    c.byName.set(name, index);
  } catch (err) {
    if (!isNoDevice(err)) throw err;
  }
  c.byIndex.set(index, name);
  return name;
}

/** ip's ll_name_to_index: the ifindex, `ifN` as index N, or 0 when there is no such device. */
export async function devIndex(rt: RtNetlink, name: string): Promise<number> {
  const c = cacheOf(rt);
  const hit = c.byName.get(name);
  if (hit !== undefined) return hit;
  let index = 0;
  try {
    index = await rt.links.index(name);
  } catch (err) {
    if (!isNoDevice(err) && !(err instanceof Error && err.name === 'NetlinkEncodeError')) {
      throw err;
    }
    const m = /^if(\d+)$/.exec(name);
    if (m) index = Number(m[1]);
  }
  if (index) {
    c.byName.set(name, index);
    c.byIndex.set(index, name);
  }
  return index;
}
