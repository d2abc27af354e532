// `rtnl route save SELECTOR > FILE`, `rtnl route restore < FILE`, `rtnl route showdump < FILE`
// (iproute2 6.1 ip/iproute.c: iproute_list_flush_or_save with IPROUTE_SAVE, save_route,
// iproute_restore, restore_handler, iproute_showdump). The file format is ../dumpfile.ts.
//
// route.ts dispatches here (loaded on demand); the selector of `save` is the list/flush
// selector, route.ts's parseRouteSelector.
import {
  decodeRoute,
  type NetlinkMessage,
  RTM_DELROUTE,
  RTM_F,
  RTM_GETROUTE,
  RTM_NEWROUTE,
  walkAttributes,
} from '../../index.js';
import type { CliContext } from '../context.js';
import {
  DumpFileWriter,
  dumpFileMessages,
  ROUTE_DUMP_MAGIC,
  readDumpFile,
  restoreMessages,
} from '../dumpfile.js';
import { CliError, formatNetlinkError, isNetlinkError } from '../errors.js';
import { Output } from '../output.js';
import {
  emptyFilter,
  familyNumber,
  nums,
  parseRouteSelector,
  printContext,
  printRoute,
  type RouteSelection,
  routeMatches,
} from './route.js';

const RTA_DST = 1;
const RTA_OIF = 4;
const RTA_GATEWAY = 5;
const RTA_PREFSRC = 7;
const RTA_TABLE = 15;
const RT_TABLE_MAIN = 254;
/** sizeof(struct rtmsg) */
const RTMSG_LEN = 12;

/**
 * The RTM_GETROUTE dump payload ip sends for a selector (rtnl_routedump_req +
 * iproute_dump_filter): struct rtmsg with the family, protocol and RTM_F_CLONED, then
 * RTA_TABLE and RTA_OIF when set.
 */
function dumpRequest({ filter: f, dumpFamily }: RouteSelection): Buffer {
  const request = Buffer.alloc(RTMSG_LEN + (f.tb ? 8 : 0) + (f.oif ? 8 : 0));
  request[0] = dumpFamily;
  request[5] = f.protocol; // rtm_protocol
  if (f.cloned) request.writeUInt32LE(RTM_F.cloned, 8); // rtm_flags
  let off = RTMSG_LEN;
  for (const [type, value] of [
    [RTA_TABLE, f.tb],
    [RTA_OIF, f.oif],
  ] as const) {
    if (!value) continue;
    request.writeUInt16LE(8, off);
    request.writeUInt16LE(type, off + 2);
    request.writeUInt32LE(value >>> 0, off + 4);
    off += 8;
  }
  return request;
}

/**
 * `ip route save SELECTOR`: the magic number (written first, before the selector is even read,
 * as ip does), then each route of the dump that passes the selector, as the kernel sent it.
 * A terminal on stdout is refused (exit status 1); a failed dump prints `Dump terminated`
 * (exit status 2), except ENOENT for a missing main table, which ends the file quietly.
 */
export async function routeSave(ctx: CliContext, args: readonly string[]): Promise<number> {
  const { out } = ctx;
  const file = await DumpFileWriter.open(out, ROUTE_DUMP_MAGIC);
  try {
    const sel = await parseRouteSelector(ctx, args);
    const rt = await ctx.rt();
    try {
      for await (const m of rt.connection.dump(RTM_GETROUTE, dumpRequest(sel))) {
        if (m.type !== RTM_NEWROUTE && m.type !== RTM_DELROUTE) continue;
        const r = decodeRoute(m);
        if (routeMatches(sel.filter, r, nums(r), familyNumber(ctx.opts.family))) file.write(m);
      }
    } catch (err) {
      if (!isNetlinkError(err)) throw err;
      if (!(sel.filter.tb === RT_TABLE_MAIN && err.code === 'ENOENT')) {
        file.flush();
        out.error(formatNetlinkError(err));
        out.error('Dump terminated');
        return 2;
      }
    }
  } finally {
    file.close();
  }
  return 0;
}

/** The first RTA_DST, RTA_GATEWAY and RTA_PREFSRC of a saved route (parse_rtattr keeps the first). */
function restoreKeys(m: NetlinkMessage): {
  dst?: Uint8Array;
  gateway?: Uint8Array;
  prefsrc?: Uint8Array;
} {
  const keys: { dst?: Uint8Array; gateway?: Uint8Array; prefsrc?: Uint8Array } = {};
  const p = m.payload;
  try {
    walkAttributes(p, Math.min(RTMSG_LEN, p.length), p.length, (type, _flags, off, len) => {
      const data = p.subarray(off, off + len);
      if (type === RTA_DST) keys.dst ??= data;
      else if (type === RTA_GATEWAY) keys.gateway ??= data;
      else if (type === RTA_PREFSRC) keys.prefsrc ??= data;
    });
  } catch {
    // parse_rtattr stops at a malformed attribute: keep what came before it.
  }
  return keys;
}

/** rtattr_cmp: both present and equal. */
function sameAttr(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  return a !== undefined && b !== undefined && Buffer.compare(a, b) === 0;
}

/**
 * restore_handler's order: 0 routes to local addresses (no gateway, no preferred source or
 * one equal to the destination), 1 routes to local networks (no gateway, another preferred
 * source), 2 routes through a gateway.
 */
function restorePass(m: NetlinkMessage): number | undefined {
  const k = restoreKeys(m);
  if (k.gateway) return 2;
  if (!k.prefsrc || sameAttr(k.prefsrc, k.dst)) return 0;
  return 1;
}

/**
 * `ip route restore < FILE`: three passes over the file (see restorePass), each route sent
 * back with NLM_F_CREATE added. stdin must be a file ip can seek in (not a pipe). A route
 * that exists (EEXIST) is reported and skipped; another refusal ends it (exit status 2).
 */
export async function routeRestore(ctx: CliContext): Promise<number> {
  const file = await readDumpFile('route', ROUTE_DUMP_MAGIC, 1);
  if (!file.seekable) throw new CliError('Failed to restore: ftell: Illegal seek', 1);
  const rt = await ctx.rt();
  for (let pass = 0; pass < 3; pass++) {
    const status = await restoreMessages(rt, ctx.out, file, 2, (m) => restorePass(m) === pass);
    if (status !== 0) return status;
  }
  return 0;
}

/**
 * `ip route showdump < FILE`: each saved route as `ip route show` prints it, every table
 * (`-4`/`-6` select a family). ip prints text even with -j (it opens no JSON document here).
 */
export async function routeShowdump(ctx: CliContext): Promise<number> {
  const { opts } = ctx;
  const file = await readDumpFile('route', ROUTE_DUMP_MAGIC, 1);
  const rt = await ctx.rt();
  const out = opts.json
    ? new Output({ ...opts, json: false, color: ctx.out.colorEnabled })
    : ctx.out;
  const p = printContext(rt, out, opts, emptyFilter());
  const family = familyNumber(opts.family);
  const it = dumpFileMessages(file.data, file.base);
  for (;;) {
    const next = it.next();
    if (next.done) {
      out.flush();
      if (next.value === undefined) return 0;
      out.error(next.value);
      return 2;
    }
    const m = next.value;
    if (m.type !== RTM_NEWROUTE && m.type !== RTM_DELROUTE) {
      const hex = (v: number) => (v >>> 0).toString(16).padStart(8, '0');
      out.error(`Not a route: ${hex(m.length)} ${hex(m.type)} ${hex(m.flags)}`);
      continue;
    }
    const r = decodeRoute(m);
    const n = nums(r);
    if (routeMatches(p.filter, r, n, family)) await printRoute(p, r, n);
  }
}
