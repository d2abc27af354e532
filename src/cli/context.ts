// The contract between the CLI framework (main.ts, batch.ts) and the command modules
// (commands/<object>.ts). A command module `export default`s an ObjectCommand and
// `export const help: string`; the framework parses the global options, picks the module by the
// object word, loads it lazily and calls it with everything after the object word.
import type { BulkResult, RtNetlink } from '../index.js';
import type { Output } from './output.js';

/** Address families `-f` / `-4` / `-6` / `-0` / `-B` / `-M` select (ip's preferred_family). */
export type CliFamily = 'inet' | 'inet6' | 'link' | 'bridge' | 'mpls';

/** The global options of `rtnl [OPTIONS] OBJECT …`, as ip's main() collects them. */
export interface GlobalOptions {
  /** `-j[son]`. */
  json: boolean;
  /** `-p[retty]` (pretty JSON; ip only honours it with -j). */
  pretty: boolean;
  /** `-s[tatistics]`, repeatable: the number of times given. */
  stats: number;
  /** `-d[etails]`, repeatable. */
  details: number;
  /** `-f FAMILY`, `-4`, `-6`, `-0` (link), `-B` (bridge), `-M` (mpls); undefined = any. */
  family?: CliFamily;
  /** `-n[etns] NETNS`: a name under /run/netns or a path (contains a `/`). */
  netns?: string;
  /** `-c[olor][=always|auto|never]`, resolved: true when colour is actually used. */
  color: boolean;
  /** `-br[ief]`. */
  brief: boolean;
  /** `-o[neline]`: records on one line, line breaks printed as `\`. */
  oneline: boolean;
  /** `-h[uman[-readable]]`: sizes and rates with units. */
  human: boolean;
  /** `-iec`: human units in powers of 1024 (Ki, Mi …). */
  iec: boolean;
  /** `-force`: in batch mode, go on after a failing line. */
  force: boolean;
  /** `-t[imestamp]` (1) / `-ts[hort]` (2): only monitor uses it. */
  timestamp: number;
  /** `-N[umeric]`: print protocol, scope, table… as numbers. */
  numeric: boolean;
  /** `-a[ll]`: `ip netns exec -all` and friends. */
  all: boolean;
  /** `-r[esolve]`: resolve addresses to names (accepted; rtnl never resolves). */
  resolve: boolean;
  /** `-l[oops] N`: maximum flush rounds (ip's max_flush_loops, default 10). */
  loops: number;
  /** `-echo`: ask the kernel to echo the request (accepted, printed as ip does not). */
  echo: boolean;
}

/** What a command module gets from the framework. */
export interface CliContext {
  /** The global options (for this batch line: the family is reset per line, as ip does). */
  readonly opts: GlobalOptions;
  /**
   * The rtnetlink client, opened lazily in `opts.netns` (a name or path) on first use and
   * reused across batch lines; the framework closes it.
   */
  rt(): Promise<RtNetlink>;
  /** Where output goes: text, colour and iproute2-exact JSON (see output.ts). */
  readonly out: Output;
  /** True while running the lines of `-batch`. */
  readonly batch: boolean;
}

/**
 * One object's command (`link`, `address`, …). `args` is everything after the object word
 * (`['show', 'dev', 'eth0']`). Throw CliUsageError / CliError, or let NetlinkError propagate.
 * A non-zero resolved value is used as the exit status (ip's `return -N` from do_* functions)
 * without printing anything more.
 */
// biome-ignore lint/suspicious/noConfusingVoidType: modules that return nothing are the common case
export type ObjectCommand = (ctx: CliContext, args: string[]) => Promise<number | undefined | void>;

/**
 * One `-batch` line turned into a change that can wait in a queue: its parsing needed nothing
 * the lines before it could still change (see {@link CommandModule.plan}). Consecutive lines
 * with the same `key` go out together through `submit`, in order.
 */
export interface PlannedWrite {
  /** Lines with equal keys (`add`, `delete` …) may share one submit. */
  readonly key: string;
  /** This line's part of the submit. */
  readonly item: unknown;
  /** With -force: send a run of items of this key, every one tried (pipelined). */
  submit(rt: RtNetlink, items: unknown[]): Promise<BulkResult>;
  /**
   * Without -force: an ordered stream taking items of any key of this module, sending each as
   * soon as it is pushed and nothing after the first refusal (the run stops as `ip -batch`
   * does). Consecutive lines share one while they plan the same `sequence`.
   */
  sequence(rt: RtNetlink): WriteSequence;
}

/** See {@link PlannedWrite.sequence} (rt.routes.sequence() is one). */
export interface WriteSequence {
  /** Queue the item of a line planned with `key`; throws (nothing queued) if it is malformed. */
  push(key: string, item: unknown): unknown;
  /** The kernel refused an item: nothing pushed from then on is sent. */
  readonly stopped: boolean;
  /** One outcome per push, by index. */
  end(): Promise<BulkResult>;
}

/** The shape of a module under src/cli/commands/. */
export interface CommandModule {
  default: ObjectCommand;
  /** The object's usage text, printed for `rtnl OBJECT help` (on stderr, exit 255, as ip). */
  help: string;
  /** A usage text that depends on the global options (`-6 tunnel help`), when it does. */
  helpFor?(opts: GlobalOptions): string;
  /**
   * The batch fast lane: a write line (`words` from index `from`: the object word skipped)
   * made into a PlannedWrite without any I/O or await, using only names already looked up;
   * undefined when the line must run through `default` instead. It may throw the line's usage
   * error, which the framework reports only once the lines before it are done.
   */
  plan?(
    ctx: CliContext,
    rt: RtNetlink,
    words: readonly string[],
    from: number,
  ): PlannedWrite | undefined;
}

/** Default global options (ip with no options). */
export function defaultOptions(): GlobalOptions {
  return {
    json: false,
    pretty: false,
    stats: 0,
    details: 0,
    color: false,
    brief: false,
    oneline: false,
    human: false,
    iec: false,
    force: false,
    timestamp: 0,
    numeric: false,
    all: false,
    resolve: false,
    loops: 10,
    echo: false,
  };
}
