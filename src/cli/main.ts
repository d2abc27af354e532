// rtnl: an ip-compatible command line on rtnl's public API.
//
//   rtnl [ OPTIONS ] OBJECT { COMMAND | help }
//   rtnl [ -force ] -batch FILENAME
//
// main() parses the global options as ip's main() does (same words, same prefix rule, same
// order of tests, so `-h` is -human and `-b` is -batch), then loads only the module of the object
// named (src/cli/commands/<object>.ts) and runs it. The library itself is loaded on the first
// ctx.rt(), so `-V`, `help` and usage errors cost almost nothing beyond Node's start.

import type { RtNetlink } from '../index.js';
import { matches, readFamily } from './args.js';
import { runBatch } from './batch.js';
import {
  type CliContext,
  type CliFamily,
  type CommandModule,
  defaultOptions,
  type GlobalOptions,
  type PlannedWrite,
} from './context.js';
import { forgetDevices } from './devices.js';
import { CliUsageError, describeError, incomplete, invarg, setErrnoText } from './errors.js';
import { Output, type OutputSink, processSink } from './output.js';

/** The usage text of `rtnl help` / `rtnl -help` (on stderr, exit status 255, as ip). */
export const USAGE = `Usage: rtnl [ OPTIONS ] OBJECT { COMMAND | help }
       rtnl [ -force ] -batch { FILE | - }

Objects:  link  address  route  rule  neighbour (neighbor)  netns  tunnel  help
          (abbreviations work as in ip: l, a, r, n, t, …)

Options:  -j, -json            JSON, as ip -j prints it        -p, -pretty     indent it
          -s, -stats           statistics (repeat for more)    -d, -details    details (repeat)
          -4 | -6 | -0 | -B | -M | -f FAMILY                   inet inet6 link bridge mpls
          -n, -netns NETNS     a name under /run/netns, or a path
          -br, -brief          one line per object             -o, -oneline    records on one line
          -c[=always|auto|never]  colour                       -h, -human      units (-iec: 1024)
          -N, -Numeric         numbers instead of names        -a, -all        every namespace
          -t, -timestamp       (monitor)                       -l, -loops N    flush rounds
          -batch FILE          one command per line ('-' reads stdin); -force goes on after errors
          -V, -Version         print the version
`;

// ip's object table (ip/ip.c cmds[]) in ip's order, since the first entry the word is a prefix
// of wins ("a" is address, "n" neighbor, "r" route, "t" tunnel), with the module under
// src/cli/commands/ that implements it. Objects rtnl does not implement keep their place so
// that prefixes resolve as in ip. A module that is not there (yet) reads as "not implemented":
// the monitor issue only has to add commands/monitor.ts.
const OBJECTS: readonly (readonly [name: string, module: string | undefined])[] = [
  ['address', 'address'],
  ['addrlabel', undefined],
  ['maddress', undefined],
  ['route', 'route'],
  ['rule', 'rule'],
  ['neighbor', 'neighbour'],
  ['neighbour', 'neighbour'],
  ['ntable', undefined],
  ['ntbl', undefined],
  ['link', 'link'],
  ['l2tp', undefined],
  ['fou', undefined],
  ['ila', undefined],
  ['macsec', undefined],
  ['tunnel', 'tunnel'],
  ['tunl', 'tunnel'],
  ['tuntap', undefined],
  ['tap', undefined],
  ['token', undefined],
  ['tcpmetrics', undefined],
  ['tcp_metrics', undefined],
  ['monitor', 'monitor'],
  ['xfrm', undefined],
  ['mroute', undefined],
  ['mrule', undefined],
  ['netns', 'netns'],
  ['netconf', undefined],
  ['vrf', undefined],
  ['sr', undefined],
  ['nexthop', undefined],
  ['mptcp', undefined],
  ['ioam', undefined],
  ['help', undefined],
  ['stats', undefined],
];

// One literal import per module, so the bundler gives each its own chunk and nothing else
// loads before the object is known.
const MODULES: Record<string, () => Promise<CommandModule>> = {
  address: () => import('./commands/address.js'),
  link: () => import('./commands/link.js'),
  neighbour: () => import('./commands/neighbour.js'),
  netns: () => import('./commands/netns.js'),
  route: () => import('./commands/route.js'),
  rule: () => import('./commands/rule.js'),
  tunnel: () => import('./commands/tunnel.js'),
  monitor: () => import('./commands/monitor.js'),
};

/** The object modules rtnl has (file names under src/cli/commands/). */
export const COMMAND_MODULES: readonly string[] = Object.keys(MODULES);

const loaded = new Map<string, CommandModule>();

/** Load src/cli/commands/<file>.ts once; null when rtnl has no such module. */
export async function loadCommand(file: string): Promise<CommandModule | null> {
  const hit = loaded.get(file);
  if (hit) return hit;
  const load = MODULES[file];
  if (!load) return null;
  const mod = await load();
  loaded.set(file, mod);
  return mod;
}

const objectOf = new Map<string, readonly [string, string | undefined] | undefined>();

/** The object entry a word selects by ip's prefix rule, or undefined. */
export function findObject(word: string): readonly [string, string | undefined] | undefined {
  // Batch lines repeat the same few words: look each up once.
  if (objectOf.has(word)) return objectOf.get(word);
  const entry = OBJECTS.find(([name]) => matches(word, name));
  objectOf.set(word, entry);
  return entry;
}

// Objects whose commands can create, delete, rename or move links: after one of them runs,
// the ifindex ↔ name cache of the run starts afresh.
const CHANGES_LINKS = new Set(['link', 'tunnel', 'netns']);

/** What parseGlobalOptions found besides the options. */
export interface ParsedCommandLine {
  opts: GlobalOptions;
  /** The words after the options (object, command, arguments). */
  rest: string[];
  /** `-batch FILE`. */
  batchFile?: string;
  /** `-V`: print the version and stop. */
  version?: boolean;
  /** `-help` / a usage problem: print USAGE and exit 255. */
  usage?: boolean;
  /** `-c` value: 'always' | 'auto' | 'never' (resolved into opts.color by the caller). */
  color: 'always' | 'auto' | 'never';
}

const FAMILY_OPTS: Record<string, CliFamily> = {
  '-4': 'inet',
  '-6': 'inet6',
  '-0': 'link',
  '-M': 'mpls',
  '-B': 'bridge',
};

// lib/color.c matches_color: -c[olor][=always|auto|never]; plain -c is always.
function matchColor(opt: string): 'always' | 'auto' | 'never' | undefined {
  const eq = opt.indexOf('=');
  const word = eq >= 0 ? opt.slice(0, eq) : opt;
  const value = eq >= 0 ? opt.slice(eq + 1) : '';
  if (!matches(word, '-color')) return undefined;
  if (value === '' || value === 'always') return 'always';
  if (value === 'auto' || value === 'never') return value;
  return undefined;
}

/**
 * Parse the global options exactly as ip's main() does (iproute2 ip/ip.c): options until the
 * first word not starting with '-', `--` ends them, `--opt` is `-opt`.
 */
export function parseGlobalOptions(argv: readonly string[]): ParsedCommandLine {
  const opts = defaultOptions();
  const parsed: ParsedCommandLine = { opts, rest: [], color: 'never' };
  let i = 0;
  const value = (): string | undefined => argv[++i];
  for (; i < argv.length; i++) {
    let opt = argv[i]!;
    if (opt === '--') {
      i++;
      break;
    }
    if (!opt.startsWith('-')) break;
    if (opt[1] === '-') opt = opt.slice(1);
    const color = matchColor(opt);
    if (matches(opt, '-loops')) {
      const v = value();
      if (v === undefined) return { ...parsed, usage: true };
      opts.loops = Number.parseInt(v, 10) || 0;
    } else if (matches(opt, '-family')) {
      const v = value();
      if (v === undefined || v === 'help') return { ...parsed, usage: true };
      const fam = readFamily(v);
      if (!fam) throw invarg('invalid protocol family', v);
      opts.family = fam;
    } else if (opt in FAMILY_OPTS) {
      opts.family = FAMILY_OPTS[opt]!;
    } else if (matches(opt, '-human') || matches(opt, '-human-readable')) {
      opts.human = true;
    } else if (matches(opt, '-iec')) {
      opts.iec = true;
    } else if (matches(opt, '-stats') || matches(opt, '-statistics')) {
      opts.stats++;
    } else if (matches(opt, '-details')) {
      opts.details++;
    } else if (matches(opt, '-resolve')) {
      opts.resolve = true;
    } else if (matches(opt, '-oneline')) {
      opts.oneline = true;
    } else if (matches(opt, '-timestamp')) {
      opts.timestamp = Math.max(opts.timestamp, 1);
    } else if (matches(opt, '-tshort')) {
      opts.timestamp = 2;
    } else if (matches(opt, '-Version')) {
      return { ...parsed, version: true };
    } else if (matches(opt, '-force')) {
      opts.force = true;
    } else if (matches(opt, '-batch')) {
      const v = value();
      if (v === undefined) return { ...parsed, usage: true };
      parsed.batchFile = v;
    } else if (matches(opt, '-brief')) {
      opts.brief = true;
    } else if (matches(opt, '-json')) {
      opts.json = true;
    } else if (matches(opt, '-pretty')) {
      opts.pretty = true;
    } else if (matches(opt, '-rcvbuf')) {
      const v = value();
      if (v === undefined) return { ...parsed, usage: true };
      if (!/^\d+$/.test(v)) throw new CliUsageError(`Invalid rcvbuf size '${v}'`);
    } else if (color !== undefined) {
      parsed.color = color;
    } else if (matches(opt, '-help')) {
      return { ...parsed, usage: true };
    } else if (matches(opt, '-netns')) {
      const v = value();
      if (v === undefined) {
        throw incomplete();
      }
      opts.netns = v;
    } else if (matches(opt, '-Numeric')) {
      opts.numeric = true;
    } else if (matches(opt, '-all')) {
      opts.all = true;
    } else if (opt === '-echo') {
      opts.echo = true;
    } else {
      throw new CliUsageError(`Option "${opt}" is unknown, try "rtnl -help".`);
    }
  }
  parsed.rest = argv.slice(i);
  return parsed;
}

/** Opens (once) and closes the client a run shares between commands and batch lines. */
export class ClientHolder {
  private client: Promise<RtNetlink> | undefined;
  private opened: RtNetlink | undefined;
  private readonly netns: string | undefined;

  constructor(netns: string | undefined) {
    this.netns = netns;
  }

  get(): Promise<RtNetlink> {
    this.client ??= this.open().then((rt) => {
      this.opened = rt;
      return rt;
    });
    return this.client;
  }

  /** The client once it has opened; undefined before (or if it could not open). */
  peek(): RtNetlink | undefined {
    return this.opened;
  }

  private async open(): Promise<RtNetlink> {
    const { RtNetlink, errnoText, exitNow } = await import('../index.js');
    setErrnoText(errnoText);
    quickExit = exitNow;
    if (this.netns === undefined) return RtNetlink.open();
    try {
      return await RtNetlink.open({ netns: this.netns });
    } catch (err) {
      // ip's netns_switch: `Cannot open network namespace "NAME": <strerror>`, exit 255.
      const e = err as { errno?: unknown; code?: unknown; message?: unknown };
      if (typeof e.errno === 'number' && e.code !== 'ERR_RTNL_ADDON') {
        throw new CliUsageError(
          `Cannot open network namespace "${this.netns}": ${errnoText(e.errno)}`,
        );
      }
      throw err;
    }
  }

  async close(): Promise<void> {
    const c = this.client;
    this.client = undefined;
    this.opened = undefined;
    if (!c) return;
    try {
      (await c).close();
    } catch {
      // It never opened; its error was reported where it was awaited.
    }
  }
}

/** Run one command (`OBJECT ARGS…`) with a context; resolves to its exit status. */
export async function runCommand(ctx: CliContext, words: readonly string[]): Promise<number> {
  const object = words[0];
  if (object === undefined) return 0;
  const entry = findObject(object);
  if (!entry) {
    ctx.out.error(`Object "${object}" is unknown, try "rtnl help".`);
    return 1;
  }
  const [name, file] = entry;
  if (name === 'help') {
    ctx.out.error(USAGE.trimEnd());
    return 255;
  }
  // Loaded once; every later batch line finds it without a promise.
  const mod = file === undefined ? null : (loaded.get(file) ?? (await loadCommand(file)));
  if (!mod) {
    ctx.out.error(`Object "${name}" is not implemented by rtnl.`);
    return 1;
  }
  // The module may consume its words: a copy, without the object word.
  const args = words.slice(1);
  // `rtnl OBJECT help` (ip: every do_<object> calls its usage(), which exits 255).
  if (args.length === 1 && matches(args[0], 'help')) {
    ctx.out.error((mod.helpFor?.(ctx.opts) ?? mod.help).trimEnd());
    return 255;
  }
  try {
    const code = await mod.default(ctx, args);
    return typeof code === 'number' ? code : 0;
  } finally {
    if (CHANGES_LINKS.has(file!)) forgetDevices();
    ctx.out.closeJson();
  }
}

/**
 * The batch fast lane: the line planned by its module (see CommandModule.plan), if that module
 * is loaded already and can plan it without any I/O; undefined otherwise.
 */
export function planCommand(
  ctx: CliContext,
  rt: RtNetlink,
  words: readonly string[],
): PlannedWrite | undefined {
  const object = words[0];
  if (object === undefined) return undefined;
  // Batch files repeat one object word: its module is remembered (once it is loaded: the
  // first line of an object runs the normal way, which loads it).
  if (object !== lastPlanned.word || lastPlanned.mod === undefined) {
    const file = findObject(object)?.[1];
    lastPlanned.word = object;
    lastPlanned.mod = file === undefined ? undefined : loaded.get(file);
  }
  const plan = lastPlanned.mod?.plan;
  return plan === undefined ? undefined : plan(ctx, rt, words, 1);
}

const lastPlanned: { word: string | undefined; mod: CommandModule | undefined } = {
  word: undefined,
  mod: undefined,
};

/** Where run() reads its version text from. */
async function versionText(): Promise<string> {
  try {
    const { existsSync, readFileSync } = await import('node:fs');
    // dist/cli.js → ../package.json; src/cli/main.ts (tests) → ../../package.json.
    for (const rel of ['../package.json', '../../package.json']) {
      const url = new URL(rel, import.meta.url);
      if (!existsSync(url)) continue;
      const pkg = JSON.parse(readFileSync(url, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'rtnl') return `rtnl utility, rtnl-${pkg.version ?? 'unknown'}`;
    }
  } catch {
    // fall through
  }
  return 'rtnl utility';
}

/** Options of run(): where output goes (tests), and whether stdout is a terminal. */
export interface RunOptions {
  sink?: OutputSink;
  isTTY?: boolean;
}

/**
 * Run the command line `argv` (without node and the script) and resolve to the exit status.
 * Never throws for a failed command: the error is printed on stderr as ip prints it.
 */
export async function run(argv: readonly string[], runOpts: RunOptions = {}): Promise<number> {
  const sink = runOpts.sink ?? processSink;
  let parsed: ParsedCommandLine;
  try {
    parsed = parseGlobalOptions(argv);
  } catch (err) {
    const { message, exitCode } = await describeError(err);
    sink.stderr(`${message}\n`);
    return exitCode;
  }
  if (parsed.version) {
    sink.stdout(`${await versionText()}\n`);
    return 0;
  }
  const { opts } = parsed;
  // lib/color.c check_enable_color: never with -j; always, or auto on a terminal. node:tty
  // (which loads node:net) is only loaded when -c=auto asks.
  opts.color =
    !opts.json &&
    (parsed.color === 'always' ||
      (parsed.color === 'auto' && (runOpts.isTTY ?? (await import('node:tty')).isatty(1))));
  if (parsed.usage || (parsed.batchFile === undefined && parsed.rest.length === 0)) {
    sink.stderr(USAGE);
    return 255;
  }
  const out = new Output(opts, sink);
  const client = new ClientHolder(opts.netns);
  try {
    if (parsed.batchFile !== undefined) {
      return await runBatch(parsed.batchFile, opts, out, {
        rt: () => client.get(),
        peek: () => client.peek(),
        run: runCommand,
        plan: planCommand,
      });
    }
    const ctx: CliContext = { opts, out, batch: false, rt: () => client.get() };
    try {
      return await runCommand(ctx, parsed.rest);
    } catch (err) {
      const { message, exitCode } = await describeError(err);
      if (message) out.error(message);
      return exitCode;
    }
  } finally {
    out.flush();
    await client.close();
  }
}

/**
 * The library's exitNow, once a command has loaded the library (a command that never opened a
 * client, such as `-V`, does not load it just to exit).
 */
let quickExit: ((code: number) => never) | undefined;

/**
 * The launcher's entry point: run and exit with the status. Everything is written with
 * writeSync (see output.ts), so the process may end without Node's teardown.
 */
export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  const code = await run(argv);
  if (quickExit !== undefined) quickExit(code);
  process.exit(code);
}
