// `rtnl netns …`: named network namespaces as `ip netns` (iproute2 6.1, ip/ipnetns.c) manages
// them, on the library's namespace API (list / add / delete / attach / identify / pids / set /
// exec) and its nsid requests (list-id). Texts, exit statuses and the JSON of `list` and
// `list-id` are ip's; ip's `return -N` from its do_* functions becomes exit status N & 0xff.
import { existsSync, mkdirSync, opendirSync, watch } from 'node:fs';
import { constants as osConstants } from 'node:os';
import type { NsidEntry, RtNetlink } from '../../index.js';
import { errnoText, NetlinkSocketError } from '../../netlink/index.js';
import { getInteger, matches } from '../args.js';
import type { CliContext } from '../context.js';
import {
  CliError,
  duparg,
  formatNetlinkError,
  incomplete,
  invarg,
  isNetlinkError,
  unknownCommand,
} from '../errors.js';

/** The library, loaded once a subcommand needs it (a usage error costs nothing). */
const lib = () => import('../../index.js');

/** iproute2's NETNS_RUN_DIR (the library's NETNS_RUN_DIR). */
const NETNS_RUN_DIR = '/run/netns';

/** `rtnl netns help`: the grammar, as ip's usage() gives it. */
export const help = `Usage:	rtnl netns list
	rtnl netns add NAME
	rtnl netns attach NAME PID
	rtnl netns set NAME NETNSID
	rtnl [-all] netns delete [NAME]
	rtnl netns identify [PID]
	rtnl netns pids NAME
	rtnl [-all] netns exec [NAME] cmd ...
	rtnl netns monitor
	rtnl netns list-id [target-nsid POSITIVE-INT] [nsid POSITIVE-INT]
NETNSID := auto | POSITIVE-INT`;

// errno numbers (<asm-generic/errno-base.h>) this module words itself.
const ENOENT = 2;
const ESRCH = 3;
const EEXIST = 17;
const EINVAL = 22;
/** NAME_MAX (<linux/limits.h>). */
const NAME_MAX = 255;

/** ip's usage(): the usage text on stderr, exit status 255. */
function usage(): CliError {
  return new CliError(help, 255);
}

/** A message ip prints before `return -1` (exit status 1). */
function fail(message: string): CliError {
  return new CliError(message, 1);
}

/** ipnetns.c invalid_name(): empty, longer than NAME_MAX, a '/', `.` or `..`. */
function invalidName(name: string): boolean {
  return (
    name === '' ||
    Buffer.byteLength(name) > NAME_MAX ||
    name.includes('/') ||
    name === '.' ||
    name === '..'
  );
}

/** The errno of a failed namespace operation (a NetlinkSocketError or a node:fs error). */
function errnoOf(err: unknown): number | undefined {
  if (err instanceof NetlinkSocketError) return err.errno;
  const e = err as { errno?: unknown } | null;
  return typeof e?.errno === 'number' ? Math.abs(e.errno) : undefined;
}

/** strerror of `err`, or rethrow it when it is not a system-call failure (a bug). */
function strerror(err: unknown): string {
  const errno = errnoOf(err);
  if (errno === undefined) throw err;
  return errnoText(errno);
}

/**
 * The names under /run/netns in the directory's own order, as ip's readdir loops see them
 * (fs.readdirSync would sort them). Empty when the directory does not exist.
 */
function runDirNames(): string[] {
  let dir: ReturnType<typeof opendirSync>;
  try {
    dir = opendirSync(NETNS_RUN_DIR);
  } catch (err) {
    if (errnoOf(err) === ENOENT) return [];
    throw fail(`Failed to open directory ${NETNS_RUN_DIR}: ${strerror(err)}`);
  }
  const names: string[] = [];
  try {
    for (let e = dir.readSync(); e !== null; e = dir.readSync()) names.push(e.name);
  } finally {
    dir.closeSync();
  }
  return names;
}

/** ipnetns.c is_pid(): only digits (the empty string too). */
function isPid(text: string): boolean {
  return /^[0-9]*$/.test(text);
}

/**
 * The pid ip would open `/proc/PID/ns/net` for, or undefined when no process can have it (0,
 * out of range): ip then fails its open with ENOENT, which is what we report.
 */
function pidOf(text: string): number | undefined {
  const pid = Number(text);
  return Number.isSafeInteger(pid) && pid > 0 && pid <= 0x7fffffff ? pid : undefined;
}

/**
 * `rtnl netns [list | add | delete | set | identify | pids | exec | monitor | attach | list-id]`
 * (ip's do_netns). With no subcommand it lists.
 */
export default async function netnsCommand(
  ctx: CliContext,
  args: string[],
): Promise<number | undefined> {
  const [cmd, ...rest] = args;
  if (cmd === undefined) return list(ctx);

  // ip checks the word after the subcommand as a namespace name, whatever the subcommand.
  if (!ctx.opts.all && args.length > 1 && invalidName(args[1]!)) {
    throw new CliError(`Invalid netns name "${args[1]}"`, 255);
  }

  if (matches(cmd, 'list') || matches(cmd, 'show') || matches(cmd, 'lst')) return list(ctx);
  if (matches(cmd, 'list-id')) return listId(ctx, rest);
  if (matches(cmd, 'help')) throw usage();
  if (matches(cmd, 'add')) return add(rest);
  if (matches(cmd, 'set')) return set(ctx, rest);
  if (matches(cmd, 'delete')) return remove(ctx, rest);
  if (matches(cmd, 'identify')) return identify(ctx, rest);
  if (matches(cmd, 'pids')) return pids(ctx, rest);
  if (matches(cmd, 'exec')) return exec(ctx, rest);
  if (matches(cmd, 'monitor')) return monitor(ctx);
  if (matches(cmd, 'attach')) return attach(rest);
  throw unknownCommand(cmd, 'netns');
}

// ---- list -----------------------------------------------------------------------------------

/**
 * `ip netns list`: the names under /run/netns in the directory's order, each with the id the
 * observing namespace (the one `-n` names, else ours) gave it. JSON: `[{"name","id"?}]`.
 * Without /run/netns ip prints nothing at all, not even `[]`.
 */
async function list(ctx: CliContext): Promise<number> {
  if (!existsSync(NETNS_RUN_DIR)) return 0;
  const { netns } = await lib();
  const entries = await netns.list({ via: await ctx.rt() });
  const out = ctx.out;
  out.openJson();
  for (const entry of entries) {
    out.openObject();
    out.any('name', entry.name, entry.name);
    if (entry.nsid !== undefined) out.any('id', entry.nsid, ` (id: ${entry.nsid})`);
    out.text('\n');
    out.closeObject();
  }
  out.closeJson();
  return 0;
}

// ---- list-id --------------------------------------------------------------------------------

/**
 * A dump the kernel ended with an error: ip prints the error, then "Dump terminated", and
 * exits with status 1 (lib/libnetlink.c rtnl_dump_filter and its callers).
 */
function dumpTerminated(ctx: CliContext, err: unknown): unknown {
  if (!isNetlinkError(err)) return err;
  ctx.out.error(formatNetlinkError(err));
  return fail('Dump terminated');
}

/** ip's `"X" value should be >= 0` message names the word after the value (argv[1]). */
function nextWord(args: string[], i: number): string {
  return args[i + 1] ?? '(null)';
}

/**
 * `ip netns list-id [target-nsid N] [nsid N]`: the ids the observing namespace (or the one with
 * id `target-nsid` there) gave other namespaces, each with the name under /run/netns it stands
 * for. JSON: `[{"nsid","current-nsid"?,"name"?}]`.
 */
async function listId(ctx: CliContext, args: string[]): Promise<number> {
  let target: number | undefined;
  let nsid: number | undefined;
  for (let i = 0; i < args.length; i++) {
    const word = args[i]!;
    if (word === 'target-nsid' || word === 'nsid') {
      if ((word === 'nsid' ? nsid : target) !== undefined) throw duparg(word, word);
      i++;
      const value = args[i];
      if (value === undefined) throw incomplete();
      const n = getInteger(value);
      if (n === undefined) throw invarg(`"${word}" value is invalid`, value);
      if (n < 0) throw invarg(`"${word}" value should be >= 0`, nextWord(args, i));
      if (word === 'nsid') nsid = n;
      else target = n;
    } else {
      throw usage();
    }
  }

  const rt = await ctx.rt();
  const names = await NsidNames.load(rt);
  let entries: NsidEntry[];
  if (nsid !== undefined) {
    const one = await getByNsid(rt, nsid, target);
    entries = one ? [one] : [];
  } else {
    try {
      entries = await rt.nsid.list(target !== undefined ? { targetNsid: target } : {});
    } catch (err) {
      throw dumpTerminated(ctx, err);
    }
  }
  const out = ctx.out;
  out.openJson();
  for (const entry of entries) printNsid(ctx, entry, target !== undefined, names);
  out.closeJson();
  return 0;
}

/**
 * RTM_GETNSID for the peer with id `nsid` (NETNSA_NSID, then NETNSA_TARGET_NSID, as ip sends
 * them). The client has no call for a lookup by id, so the request goes through its connection.
 * A kernel refusal ("Peer netns reference is invalid") propagates.
 */
async function getByNsid(
  rt: RtNetlink,
  nsid: number,
  target: number | undefined,
): Promise<NsidEntry | undefined> {
  const { nsidMessage, RTM_GETNSID, RTM_NEWNSID } = await lib();
  const attributes = { nsid, ...(target !== undefined ? { targetNsid: target } : {}) };
  const replies = await rt.connection.request(
    RTM_GETNSID,
    (w) => nsidMessage.encode(w, { header: { family: 0 }, attributes }),
    { schema: nsidMessage },
  );
  for (const reply of replies) {
    if (reply.type !== RTM_NEWNSID) continue;
    const a = nsidMessage.decode(reply.payload).attributes;
    if (a.nsid === undefined) continue;
    const entry: NsidEntry = { nsid: a.nsid };
    if (a.currentNsid !== undefined && a.currentNsid >= 0) entry.currentNsid = a.currentNsid;
    return entry;
  }
  return undefined;
}

/**
 * ip's nsid → name cache (netns_map_init): the ids the observing namespace gave the names under
 * /run/netns, the first name in directory order winning. An entry is used once (ip deletes it
 * after printing); later lookups scan the directory again (netns_get_name).
 */
class NsidNames {
  readonly #cache = new Map<number, string>();
  readonly #all: { name: string; nsid?: number }[];

  private constructor(all: { name: string; nsid?: number }[]) {
    this.#all = all;
    for (const e of all) {
      if (e.nsid !== undefined && !this.#cache.has(e.nsid)) this.#cache.set(e.nsid, e.name);
    }
  }

  static async load(rt: RtNetlink): Promise<NsidNames> {
    const { netns } = await lib();
    return new NsidNames(existsSync(NETNS_RUN_DIR) ? await netns.list({ via: rt }) : []);
  }

  /** The cached name of `nsid`, removed from the cache. */
  take(nsid: number | undefined): string | undefined {
    if (nsid === undefined || nsid < 0) return undefined;
    const name = this.#cache.get(nsid);
    if (name !== undefined) this.#cache.delete(nsid);
    return name;
  }

  /** A fresh scan: the first name whose id is `nsid`; it goes back into the cache. */
  scan(nsid: number): string | undefined {
    const name = this.#all.find((e) => e.nsid === nsid)?.name;
    if (name !== undefined && !this.#cache.has(nsid)) this.#cache.set(nsid, name);
    return name;
  }
}

/** ipnetns.c print_nsid(): `nsid N [current-nsid M] [(iproute2 netns name: NAME)]`. */
function printNsid(ctx: CliContext, entry: NsidEntry, targeted: boolean, names: NsidNames): void {
  const out = ctx.out;
  out.openObject();
  out.any('nsid', entry.nsid, `nsid ${entry.nsid} `);
  // With target-nsid the kernel always reports the current id; the library leaves an
  // unassigned one (-1) out.
  if (targeted) {
    if (entry.currentNsid === undefined) out.text('current-nsid unassigned ');
    else out.any('current-nsid', entry.currentNsid, `current-nsid ${entry.currentNsid} `);
  }
  const key = targeted ? (entry.currentNsid ?? -1) : entry.nsid;
  const name = names.take(key) ?? names.scan(entry.nsid);
  if (name !== undefined) out.any('name', name, `(iproute2 netns name: ${name})`);
  out.text('\n');
  out.closeObject();
}

// ---- add / attach / delete / set --------------------------------------------------------------

/** The texts ip's netns_add() prints for the step that failed. */
function addFailure(err: unknown, name: string, proc: string): CliError {
  const path = `${NETNS_RUN_DIR}/${name}`;
  const text = strerror(err);
  const syscall = err instanceof NetlinkSocketError ? err.syscall : undefined;
  switch (syscall) {
    case 'unshare':
      return fail(`Failed to create a new network namespace "${name}": ${text}`);
    case 'mkdir':
      return fail(`mkdir ${NETNS_RUN_DIR} failed: ${text}`);
    case 'mount':
      return fail(`Bind ${proc} -> ${path} failed: ${text}`);
    default:
      return fail(`Cannot create namespace file "${path}": ${text}`);
  }
}

/** `ip netns add NAME`. */
async function add(args: string[]): Promise<number> {
  const name = args[0];
  if (name === undefined) throw fail('No netns name specified');
  const { netns } = await lib();
  try {
    netns.add(name);
  } catch (err) {
    throw addFailure(err, name, '/proc/self/ns/net');
  }
  return 0;
}

/** `ip netns attach NAME PID`: name the namespace of process PID. */
async function attach(args: string[]): Promise<number> {
  const [name, pidText] = args;
  if (name === undefined || pidText === undefined) {
    throw fail('No netns name and PID specified');
  }
  const pid = getInteger(pidText);
  if (pid === undefined || pid === 0) throw fail(`Invalid PID: ${pidText}`);
  const path = `${NETNS_RUN_DIR}/${name}`;
  const proc = `/proc/${pid}/ns/net`;
  const bindFailure = (errno: number) =>
    fail(`Bind ${proc} -> ${path} failed: ${errnoText(errno)}`);
  // ip creates the name first and finds out about the process at the bind; the library checks
  // the process first. The checks go in ip's order so the same problem gets the same text.
  if (existsSync(path)) throw fail(`Cannot create namespace file "${path}": ${errnoText(EEXIST)}`);
  if (pid < 0) throw bindFailure(ENOENT);
  const { netns } = await lib();
  try {
    netns.open({ pid }).close();
  } catch (err) {
    const errno = errnoOf(err);
    if (errno === undefined) throw err;
    // A process that is gone: ip's bind source /proc/PID/ns/net does not exist.
    throw bindFailure(errno === ESRCH ? ENOENT : errno);
  }
  try {
    netns.attach(name, pid);
  } catch (err) {
    throw addFailure(err, name, proc);
  }
  return 0;
}

/** ipnetns.c on_netns_del(): detach and remove /run/netns/NAME. */
async function deleteOne(name: string): Promise<void> {
  const { netns } = await lib();
  try {
    netns.delete(name);
  } catch (err) {
    throw fail(`Cannot remove namespace file "${NETNS_RUN_DIR}/${name}": ${strerror(err)}`);
  }
}

/** `ip [-all] netns delete [NAME]`. With -all, every name, stopping at the first failure. */
async function remove(ctx: CliContext, args: string[]): Promise<number> {
  if (ctx.opts.all) {
    for (const name of runDirNames()) {
      try {
        await deleteOne(name);
      } catch (err) {
        // netns_foreach stops at the first failure and still returns 0.
        ctx.out.error((err as CliError).message);
        break;
      }
    }
    return 0;
  }
  const name = args[0];
  if (name === undefined) throw fail('No netns name specified');
  await deleteOne(name);
  return 0;
}

/** `ip netns set NAME NETNSID`: give NAME an id in the observing namespace (`auto`: any). */
async function set(ctx: CliContext, args: string[]): Promise<number> {
  const [name, idText] = args;
  if (name === undefined) throw fail('No netns name specified');
  if (idText === undefined) throw fail('No nsid specified');
  let nsid: number | 'auto';
  if (idText === 'auto') nsid = 'auto';
  else {
    const n = getInteger(idText);
    if (n === undefined) throw invarg('Invalid "netnsid" value', idText);
    if (n < 0) throw invarg('"netnsid" value should be >= 0', idText);
    nsid = n;
  }
  if (!existsSync(`${NETNS_RUN_DIR}/${name}`)) {
    throw fail(`Cannot open network namespace "${name}": ${errnoText(ENOENT)}`);
  }
  const { netns } = await lib();
  const rt = await ctx.rt();
  try {
    await netns.set(name, nsid, { via: rt });
  } catch (err) {
    if (err instanceof NetlinkSocketError) {
      throw fail(`Cannot open network namespace "${name}": ${strerror(err)}`);
    }
    throw err; // the kernel's refusal, printed by the framework as ip prints it
  }
  return 0;
}

// ---- identify / pids ------------------------------------------------------------------------

/** `ip netns identify [PID]`: the (last) name of PID's namespace, or an empty line. */
async function identify(ctx: CliContext, args: string[]): Promise<number> {
  if (args.length > 1) throw fail('extra arguments specified');
  const pidText = args[0];
  if (pidText !== undefined && !isPid(pidText)) {
    throw fail(`Specified string '${pidText}' is not a pid`);
  }
  const { netns } = await lib();
  let names: string[];
  try {
    if (pidText !== undefined) {
      const pid = pidOf(pidText);
      if (pid === undefined) throw Object.assign(new Error('no such process'), { errno: ENOENT });
      names = netns.identify(pid);
    } else if (ctx.opts.netns !== undefined) {
      // ip switches into the -n namespace first, so "self" is there.
      const ns = netns.open(ctx.opts.netns);
      try {
        names = netns.identify(ns);
      } finally {
        ns.close();
      }
    } else {
      names = netns.identify();
    }
  } catch (err) {
    const errno = errnoOf(err);
    // ip opens /proc/PID/ns/net: a process that is gone is ENOENT there.
    const text = errno === ESRCH || errno === EINVAL ? errnoText(ENOENT) : strerror(err);
    throw fail(`Cannot open network namespace: ${text}`);
  }
  ctx.out.print(`${names.at(-1) ?? ''}\n`);
  return 0;
}

/** `ip netns pids NAME`: the processes in the namespace, one per line. */
async function pids(ctx: CliContext, args: string[]): Promise<number> {
  if (args.length < 1) throw fail('No netns name specified');
  if (args.length > 1) throw fail('extra arguments specified');
  const { netns } = await lib();
  let found: number[];
  try {
    found = netns.pids(args[0]!);
  } catch (err) {
    throw fail(`Cannot open network namespace: ${strerror(err)}`);
  }
  for (const pid of found) ctx.out.print(`${pid}\n`);
  return 0;
}

// ---- exec -----------------------------------------------------------------------------------

/** The exit status of a command that ended by `signal`, as a shell reports it. */
function signalStatus(signal: NodeJS.Signals): number {
  return 128 + (osConstants.signals[signal] ?? 0);
}

/**
 * Run one command in namespace `name` with our stdio, like ip's netns_switch + execvp: the
 * command's exit status, or ip's text and status for the step that failed.
 */
async function execOne(ctx: CliContext, name: string, argv: string[]): Promise<number> {
  const [cmd, ...cmdArgs] = argv as [string, ...string[]];
  const { netns, isNetnsExecError } = await lib();
  ctx.out.flush(); // what we printed must come before what the command prints
  try {
    const r = await netns.exec(name, cmd, cmdArgs, { stdio: 'inherit' });
    if (r.code !== null) return r.code;
    return r.signal ? signalStatus(r.signal) : 1;
  } catch (err) {
    const errno = errnoOf(err);
    if (errno === undefined) throw err;
    const text = errnoText(errno);
    if (!isNetnsExecError(err)) {
      throw new CliError(`Cannot open network namespace "${name}": ${text}`, 255);
    }
    switch (err.step) {
      case 'exec':
        throw new CliError(`exec of "${cmd}" failed: ${text}`, 1);
      case 'open':
      case 'check':
        throw new CliError(`Cannot open network namespace "${name}": ${text}`, 255);
      case 'setns':
        throw new CliError(`setting the network namespace "${name}" failed: ${text}`, 255);
      case 'unshare':
        throw new CliError(`unshare failed: ${text}`, 255);
      case 'make-rslave':
        throw new CliError(`"mount --make-rslave /" failed: ${text}`, 255);
      case 'mount-sys':
        throw new CliError(`mount of /sys failed: ${text}`, 255);
      default:
        throw new CliError(err.message, 255);
    }
  }
}

/**
 * `ip [-all] netns exec [NAME] cmd …`: the command's exit status. With -all, the command runs in
 * every named namespace after a `\nnetns: NAME\n` header, and the status is 0.
 */
async function exec(ctx: CliContext, args: string[]): Promise<number> {
  const all = ctx.opts.all;
  if (args.length < 1 && !all) throw fail('No netns name specified');
  if ((args.length < 2 && !all) || (args.length < 1 && all)) throw fail('No command specified');
  if (!all) return execOne(ctx, args[0]!, args.slice(1));
  for (const name of runDirNames()) {
    ctx.out.print(`\nnetns: ${name}\n`);
    try {
      await execOne(ctx, name, args);
    } catch (err) {
      // Each command runs in a child of its own there: a failure is reported and the loop goes on.
      if (!(err instanceof CliError)) throw err;
      ctx.out.error(err.message);
    }
  }
  return 0;
}

// ---- monitor --------------------------------------------------------------------------------

/** `ip netns monitor`: `add NAME` / `delete NAME` as names appear and vanish, until killed. */
async function monitor(ctx: CliContext): Promise<number> {
  try {
    mkdirSync(NETNS_RUN_DIR, { recursive: true, mode: 0o755 });
  } catch (err) {
    throw fail(`mkdir ${NETNS_RUN_DIR} failed: ${strerror(err)}`);
  }
  const present = new Set(runDirNames());
  await new Promise<never>((_, reject) => {
    const watcher = watch(NETNS_RUN_DIR, (_event, file) => {
      if (!file) return;
      // inotify's IN_CREATE / IN_DELETE arrive as 'rename': the file's presence tells which.
      const exists = existsSync(`${NETNS_RUN_DIR}/${file}`);
      if (exists && !present.has(file)) {
        present.add(file);
        ctx.out.print(`add ${file}\n`);
      } else if (!exists && present.has(file)) {
        present.delete(file);
        ctx.out.print(`delete ${file}\n`);
      }
      ctx.out.flush();
    });
    watcher.on('error', (err) => reject(fail(`read failed: ${strerror(err)}`)));
  });
  return 0;
}
