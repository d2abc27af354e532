// `rtnl [-force] -batch FILE|-`: run one command per line, as ip's do_batch (lib/utils.c) does:
// '#' starts a comment, a line ending in '\' continues on the next, words split on blanks with
// '…' or "…" quoting a word; blank lines are skipped. The first failing line stops the run with
// `Command failed FILE:LINE` (the last physical line of the command); with -force every line
// runs and the status is 1 if any failed. One rtnetlink socket serves every line.
import { readFileSync } from 'node:fs';
import type { BulkResult, RtNetlink } from '../index.js';
import type { CliContext, GlobalOptions, PlannedWrite, WriteSequence } from './context.js';
import { CliError, describeError } from './errors.js';
import type { Output } from './output.js';

/** One command of a batch file: its words and the line number ip reports for it. */
export interface BatchCommand {
  words: string[];
  line: number;
}

const PLAIN = /^[^'"]*$/;

/** True for the blanks makeargs splits on (" \t\r\n"). */
const isBlank = (c: number) => c === 32 || c === 9 || c === 13 || c === 10;

/**
 * ip's makeargs: split one line into words. A word that starts with a quote runs to the next
 * identical quote (the character after the closing quote is dropped as a separator).
 *
 * @throws {CliError} `Unterminated quoted string` (ip exits 1).
 */
export function splitWords(line: string): string[] {
  // Fast path: no quotes, so words are what lies between blanks.
  if (PLAIN.test(line)) {
    const words: string[] = [];
    const n = line.length;
    let i = 0;
    while (i < n) {
      while (i < n && isBlank(line.charCodeAt(i))) i++;
      if (i >= n) break;
      const start = i;
      while (i < n && !isBlank(line.charCodeAt(i))) i++;
      words.push(line.slice(start, i));
    }
    return words;
  }
  const ws = ' \t\r\n';
  const words: string[] = [];
  let i = 0;
  while (i < line.length) {
    while (i < line.length && ws.includes(line[i]!)) i++;
    if (i >= line.length) break;
    const q = line[i]!;
    if (q === "'" || q === '"') {
      const end = line.indexOf(q, i + 1);
      if (end < 0) throw new CliError('Unterminated quoted string', 1);
      words.push(line.slice(i + 1, end));
      i = end + 2;
    } else {
      let j = i;
      while (j < line.length && !ws.includes(line[j]!)) j++;
      words.push(line.slice(i, j));
      i = j + 1;
    }
  }
  return words;
}

/**
 * ip's getcmdline loop: comments cut at '#', `\` + newline joins the next physical line.
 * Yields each non-blank command with the number of its last physical line.
 */
export function* batchCommands(text: string): Generator<BatchCommand> {
  const lines = text.split('\n');
  // A final newline does not start another line.
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  let n = 0;
  while (n < lines.length) {
    let line = lines[n++]!;
    let hash = line.indexOf('#');
    if (hash >= 0) line = line.slice(0, hash);
    // getcmdline looks for "\\\n" in the line as read, i.e. a backslash ending the line.
    while (line.endsWith('\\') && hash < 0) {
      if (n >= lines.length) throw new CliError('Missing continuation line', 1);
      let next = lines[n++]!;
      hash = next.indexOf('#');
      if (hash >= 0) next = next.slice(0, hash);
      line = line.slice(0, -1) + next;
    }
    const words = splitWords(line);
    if (words.length > 0) yield { words, line: n };
  }
}

/** Read a batch file, or stdin for `-`. */
export function readBatchInput(name: string): string {
  try {
    return readFileSync(name === '-' ? 0 : name, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const reason = STRERROR[e.code ?? ''] ?? e.message;
    throw new CliError(`Cannot open file "${name}" for reading: ${reason}`, 1);
  }
}

// strerror(3) texts of what opening a file can fail with (the rest: Node's message).
const STRERROR: Record<string, string> = {
  ENOENT: 'No such file or directory',
  EACCES: 'Permission denied',
  EISDIR: 'Is a directory',
  ENOTDIR: 'Not a directory',
  ELOOP: 'Too many levels of symbolic links',
  ENAMETOOLONG: 'File name too long',
};

/** What runBatch needs from the framework (main.ts). */
export interface BatchHooks {
  /** The client, opened on first use. */
  rt(): Promise<RtNetlink>;
  /** The client if it is open already (the fast lane never opens it). */
  peek(): RtNetlink | undefined;
  /** Run one line the normal way; resolves to its exit status. */
  run(ctx: CliContext, words: readonly string[]): Promise<number>;
  /** The fast lane: the line as a PlannedWrite, or undefined (see CommandModule.plan). */
  plan(ctx: CliContext, rt: RtNetlink, words: readonly string[]): PlannedWrite | undefined;
}

/** Planned lines waiting to go out together (with -force). */
interface Chunk {
  readonly key: string;
  readonly submit: PlannedWrite['submit'];
  readonly items: unknown[];
  readonly commands: BatchCommand[];
}

// With -force: the first run goes out after this many lines, so the kernel starts early; runs
// then double up to the maximum while the lines that follow are parsed (≈7 ms of kernel work at
// 1024: long enough to parse the next run meanwhile, short enough that its objects die young).
const FIRST_RUN = 64;
const MAX_RUN = 1024;

/**
 * Run a batch file. Resolves to the exit status: 0 when every line succeeded, 1 when one failed
 * (ip's EXIT_FAILURE), whatever status that line's command had.
 *
 * Lines run in order, as in ip. The fast lane only changes how: write lines that a module can
 * plan without any lookup (`route add …` on known devices) are sent while the next lines are
 * parsed. Without -force they go into one ordered stream (rt.routes.sequence()): each is sent
 * as soon as it is pushed, one request at a time, and nothing after the first refusal is sent
 * (as with ip); reading stops once the stream reports the refusal. With -force runs of them go
 * out as pipelined bulks and every line is tried. Errors are reported in line order either way,
 * and any other line waits until every line before it is done.
 */
export async function runBatch(
  name: string,
  opts: GlobalOptions,
  out: Output,
  hooks: BatchHooks,
): Promise<number> {
  let text: string;
  try {
    text = readBatchInput(name);
  } catch (err) {
    const { message, exitCode } = await describeError(err);
    out.error(message);
    return exitCode;
  }
  const family = opts.family;
  // One context for every line; ip resets the family to the command line's before each line
  // (ip_batch_cmd), which is all a line may have changed.
  const lineOpts: GlobalOptions = { ...opts };
  const ctx: CliContext = { opts: lineOpts, out, batch: true, rt: hooks.rt };
  const stopOnError = !opts.force;
  let status = 0;

  /** Report the failed command ending on `line`; true when the run must stop. */
  const failed = async (line: number, err: unknown): Promise<boolean> => {
    if (err !== undefined) {
      const d = await describeError(err);
      if (d.message) out.error(d.message);
    }
    out.error(`Command failed ${name}:${line}`);
    status = 1;
    return stopOnError;
  };
  /** A line the normal way; true when the run must stop. */
  const runLine = async (cmd: BatchCommand): Promise<boolean> => {
    let code: number;
    try {
      code = await hooks.run(ctx, cmd.words);
    } catch (err) {
      const d = await describeError(err);
      if (d.message) out.error(d.message);
      code = d.exitCode;
    }
    if (code === 0) return false;
    return failed(cmd.line, undefined);
  };

  let chunk: Chunk | undefined;
  let inFlight: { chunk: Chunk; result: Promise<BulkResult> } | undefined;
  let runLimit = FIRST_RUN;
  /** Wait for the run in flight and report its failures; true when the run must stop. */
  const settle = async (): Promise<boolean> => {
    const f = inFlight;
    inFlight = undefined;
    if (f === undefined) return false;
    let result: BulkResult;
    try {
      result = await f.result;
    } catch {
      // Refused before anything was sent (a spec the library rejects as a whole): the lines
      // run one by one the normal way, so each gets its own outcome and message.
      for (const cmd of f.chunk.commands) if (await runLine(cmd)) return true;
      return false;
    }
    if (result.failed === 0) return false;
    const errors = result.errors;
    for (let i = 0; i < errors.length; i++) {
      const err = errors[i];
      if (err !== undefined && (await failed(f.chunk.commands[i]!.line, err))) return true;
    }
    return false;
  };
  /** Send the chunk being filled once the run before it is done; true when the run stops. */
  const rotate = async (): Promise<boolean> => {
    if (await settle()) return true;
    const c = chunk;
    chunk = undefined;
    if (c !== undefined) {
      const rt = hooks.peek()!;
      inFlight = { chunk: c, result: c.submit(rt, c.items) };
    }
    return false;
  };
  /** The ordered lane: the open sequence and the line number of each item pushed. */
  let seq: { open: PlannedWrite['sequence']; s: WriteSequence; lines: number[] } | undefined;
  /** End the open sequence and report its first failure; true when the run must stop. */
  const finish = async (): Promise<boolean> => {
    const q = seq;
    seq = undefined;
    if (q === undefined) return false;
    const { errors } = await q.s.end();
    for (let i = 0; i < errors.length; i++) {
      const err = errors[i];
      // Nothing after the first refusal was sent: that one is the line ip stops at.
      if (err !== undefined) return failed(q.lines[i]!, err);
    }
    return false;
  };
  /** Everything planned so far is done (and reported); true when the run must stop. */
  const drain = async (): Promise<boolean> => (await finish()) || (await rotate()) || settle();

  const commands = batchCommands(text);
  for (;;) {
    let cmd: BatchCommand | undefined;
    try {
      const r = commands.next();
      if (r.done) break;
      cmd = r.value;
    } catch (err) {
      // A line ip could not split (unterminated quote): ip exits at once with status 1, once
      // the lines before it are done.
      if (await drain()) return status;
      const { message, exitCode } = await describeError(err);
      out.error(message);
      return exitCode;
    }
    if (family !== undefined) lineOpts.family = family;
    else if (lineOpts.family !== undefined) delete lineOpts.family;
    const rt = hooks.peek();
    let planned: PlannedWrite | undefined;
    if (rt !== undefined) {
      try {
        planned = hooks.plan(ctx, rt, cmd.words);
      } catch {
        // The line's own error: it is reported by the normal way, in its turn.
        planned = undefined;
      }
    }
    if (planned !== undefined && stopOnError) {
      if (seq !== undefined && seq.open !== planned.sequence && (await finish())) return status;
      if (seq === undefined) seq = { open: planned.sequence, s: planned.sequence(rt!), lines: [] };
      try {
        seq.s.push(planned.key, planned.item);
      } catch {
        // Refused before it was sent (a spec the library rejects): the line runs the normal
        // way, after the lines before it, and gets its own message.
        if ((await finish()) || (await runLine(cmd))) return status;
        continue;
      }
      seq.lines.push(cmd.line);
      // The kernel refused a line: the ones after it are not sent; stop reading.
      if (seq.s.stopped && (await finish())) return status;
      continue;
    }
    if (planned !== undefined) {
      if (chunk !== undefined && (chunk.key !== planned.key || chunk.submit !== planned.submit)) {
        if (await rotate()) return status;
      }
      chunk ??= { key: planned.key, submit: planned.submit, items: [], commands: [] };
      chunk.items.push(planned.item);
      chunk.commands.push(cmd);
      if (chunk.items.length >= runLimit) {
        if (await rotate()) return status;
        runLimit = Math.min(runLimit * 2, MAX_RUN);
      }
      continue;
    }
    if (await drain()) return status;
    if (await runLine(cmd)) return status;
  }
  await drain();
  return status;
}
