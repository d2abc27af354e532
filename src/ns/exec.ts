// Running commands inside a network namespace, as `ip netns exec` does, through the small helper
// executable (native/nshelper.c): setns(net) → private mount namespace → fresh /sys →
// /etc/netns/NAME/* over /etc → exec. Node cannot do this itself: a threaded process cannot get
// a mount namespace of its own. The process spawned is the command after the helper's exec, so
// its pid, exit code, signal and stdio are the command's own.
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { NetlinkEncodeError, NetlinkSocketError } from '../netlink/errors.js';
import { EINVAL, execError, type NetnsExecError, type NetnsExecStep } from './errors.js';
import { nshelperPath } from './helper.js';
import { type NetnsRef, openResolved, resolveNetnsRef } from './netns.js';
import { invalidNameReason, nameOfRunPath } from './paths.js';

/** One of the three standard streams: piped, inherited, discarded, or an open descriptor. */
export type NetnsStdioEntry = 'pipe' | 'inherit' | 'ignore' | number;

/** Options of {@link spawnInNetns}. */
export interface NetnsSpawnOptions {
  /** Working directory of the command. */
  cwd?: string;
  /** Environment of the command (default: this process's). PATH here finds the command. */
  env?: NodeJS.ProcessEnv;
  /** stdin, stdout and stderr: one setting for all three, or one each. Default 'pipe'. */
  stdio?: NetnsStdioEntry | readonly [NetnsStdioEntry, NetnsStdioEntry, NetnsStdioEntry];
  /**
   * Whose `/etc/netns/NAME/` files to bind-mount over `/etc` (as `ip netns exec NAME` does):
   * default the namespace's name when the reference is a name (or a path `/run/netns/NAME`);
   * a string names another; `false` binds none.
   */
  etc?: string | false;
  /**
   * Give the command an empty, private `/run/netns` (a tmpfs in its own mount namespace):
   * `ip netns list` inside shows none of the caller's named namespaces, and namespaces it adds
   * stay private and vanish with it.
   */
  isolateRegistry?: boolean;
}

/** Options of {@link execInNetns} and {@link runIsolated}. */
export interface NetnsExecOptions extends Omit<NetnsSpawnOptions, 'stdio'> {
  /** 'pipe' (default) collects stdout and stderr; 'inherit' shares this process's streams. */
  stdio?: 'pipe' | 'inherit';
  /** Written to the command's stdin, which is then closed (with 'pipe' only). */
  input?: string | Uint8Array;
  /** Kill the command after this many ms (0: never, the default) and reject with ETIMEDOUT. */
  timeout?: number;
  /** Signal for `timeout`, `signal` and `maxBuffer` kills. Default 'SIGTERM'. */
  killSignal?: NodeJS.Signals | number;
  /** Abort: kill the command and reject with the signal's reason. */
  signal?: AbortSignal;
  /** Decoding of stdout and stderr; 'buffer' keeps Buffers. Default 'utf8'. */
  encoding?: BufferEncoding | 'buffer';
  /** Most bytes of stdout or stderr kept; more kills the command. Default 1 MiB. */
  maxBuffer?: number;
}

/** How a command ended, and what it wrote (empty with `stdio: 'inherit'`). */
export interface NetnsExecResult<T extends string | Buffer = string> {
  /** The command's pid (it ran in the helper's process). */
  pid: number;
  /** Exit code, or null when a signal ended it. */
  code: number | null;
  /** The signal that ended it, or null. */
  signal: NodeJS.Signals | null;
  stdout: T;
  stderr: T;
}

/** Output type for the given options: Buffer with `encoding: 'buffer'`, else string. */
export type NetnsExecOutput<O> = O extends { encoding: 'buffer' } ? Buffer : string;

const DEFAULT_MAX_BUFFER = 1024 * 1024;

function badValue(message: string, path: string): NetlinkEncodeError {
  return new NetlinkEncodeError('BAD_VALUE', message, path);
}

function checkString(value: unknown, path: string, allowEmpty: boolean): string {
  if (typeof value !== 'string') throw badValue(`expected a string, got ${typeof value}`, path);
  if (!allowEmpty && value === '') throw badValue('must not be empty', path);
  if (value.includes('\0')) throw badValue('must not contain NUL bytes', path);
  return value;
}

function checkCommand(command: unknown, args: unknown, op: string): string[] {
  const file = checkString(command, `${op}.command`, false);
  if (!Array.isArray(args)) throw badValue('expected an array of strings', `${op}.args`);
  return [file, ...args.map((a, i) => checkString(a, `${op}.args[${i}]`, true))];
}

function checkStdioEntry(value: unknown, path: string): NetnsStdioEntry {
  if (value === 'pipe' || value === 'inherit' || value === 'ignore') return value;
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return value;
  throw badValue(
    `expected 'pipe', 'inherit', 'ignore' or a descriptor, got ${String(value)}`,
    path,
  );
}

function checkSpawnOptions(options: NetnsSpawnOptions, op: string): NetnsStdioEntry[] {
  if (options.cwd !== undefined) checkString(options.cwd, `${op}.options.cwd`, false);
  if (options.env !== undefined && (typeof options.env !== 'object' || options.env === null)) {
    throw badValue('expected an object', `${op}.options.env`);
  }
  if (options.etc !== undefined && options.etc !== false) {
    checkString(options.etc, `${op}.options.etc`, false);
    const problem = invalidNameReason(options.etc);
    if (problem !== undefined)
      throw badValue(`invalid namespace name: ${problem}`, `${op}.options.etc`);
  }
  const stdio = options.stdio ?? 'pipe';
  if (Array.isArray(stdio)) {
    if (stdio.length !== 3) throw badValue('expected three entries', `${op}.options.stdio`);
    return stdio.map((s, i) => checkStdioEntry(s, `${op}.options.stdio[${i}]`));
  }
  const one = checkStdioEntry(stdio, `${op}.options.stdio`);
  return [one, one, one];
}

/** A helper process with its status pipe read: `failure` settles when the helper exec'd. */
interface Launch {
  child: ChildProcess;
  /** The typed error of a step that failed before exec, or undefined once the command runs. */
  failure: Promise<NetnsExecError | undefined>;
}

// Starts the helper. `nsFd` (ours, closed by the caller) becomes the helper's fd 3; the status
// pipe comes right after the descriptors the helper gets.
function launch(
  nsFd: number | undefined,
  flags: string[],
  argv: string[],
  stdio: NetnsStdioEntry[],
  options: NetnsSpawnOptions,
  where: string,
): Launch {
  const helper = nshelperPath();
  const fds: (NetnsStdioEntry | 'pipe')[] = [...stdio];
  const helperArgs: string[] = [];
  if (nsFd !== undefined) {
    helperArgs.push('--fd', String(fds.length));
    fds.push(nsFd);
  }
  const statusIndex = fds.length;
  fds.push('pipe');
  helperArgs.push(...flags, '--status-fd', String(statusIndex), '--', ...argv);

  const child = spawn(helper, helperArgs, {
    stdio: fds,
    ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
    ...(options.env !== undefined ? { env: options.env } : {}),
  });
  const command = argv[0]!;
  const status = child.stdio[statusIndex] as Readable | null | undefined;
  const failure = new Promise<NetnsExecError | undefined>((resolve) => {
    if (!status) {
      resolve(undefined);
      return;
    }
    let text = '';
    status.setEncoding('utf8');
    status.on('data', (chunk: string) => {
      text += chunk;
    });
    status.on('error', () => {});
    status.on('close', () => resolve(parseStatus(text, command, where)));
  });
  return { child, failure };
}

const STEPS = new Set<NetnsExecStep>([
  'usage',
  'open',
  'check',
  'setns',
  'unshare',
  'make-rslave',
  'mount-sys',
  'isolate-registry',
  'status-fd',
  'exec',
]);

// "rtnl-nshelper\t<step>\t<errno>\t<detail>\n" → the typed error; nothing → undefined.
function parseStatus(text: string, command: string, where: string): NetnsExecError | undefined {
  if (text === '') return undefined;
  const [tag, step, errnoText, ...rest] = text.replace(/\n$/, '').split('\t');
  const errno = Number(errnoText);
  if (tag !== 'rtnl-nshelper' || !STEPS.has(step as NetnsExecStep) || !(errno > 0)) {
    return execError(
      'usage',
      EINVAL,
      command,
      where,
      `unexpected helper status ${JSON.stringify(text)}`,
    );
  }
  return execError(step as NetnsExecStep, errno, command, where, rest.join('\t'));
}

function spawnFailure(error: unknown, command: string, where: string): NetnsExecError {
  const e = error as { errno?: unknown; path?: unknown };
  const errno = typeof e.errno === 'number' ? Math.abs(e.errno) : EINVAL;
  return execError('spawn', errno, command, where, String(e.path ?? nshelperPath()));
}

/** Opens the namespace and starts the helper in it; shared by spawn and exec. */
function start(
  ref: NetnsRef,
  command: string,
  args: readonly string[],
  options: NetnsSpawnOptions,
  op: string,
): Launch {
  const argv = checkCommand(command, args, op);
  const stdio = checkSpawnOptions(options, op);
  const target = resolveNetnsRef(ref);
  const etc =
    options.etc === false
      ? undefined
      : (options.etc ??
        target.name ??
        (target.kind === 'path' ? nameOfRunPath(target.path) : undefined));
  const flags = etc !== undefined ? ['--etc', etc] : ['--no-etc'];
  if (options.isolateRegistry) flags.push('--isolate-registry');
  const fd = openResolved(target, 'netns exec');
  try {
    return launch(fd, flags, argv, stdio, options, target.what);
  } finally {
    // The helper has its own copy (fd 3) once spawn() returns.
    closeSync(fd);
  }
}

/**
 * Starts `command` with `args` (an argv array: no shell) inside the namespace `ref` names, with
 * the semantics of `ip netns exec`, and returns the ChildProcess (its pid is the command's).
 * Bad arguments and a namespace that cannot be opened throw at once; a step that fails later
 * (e.g. the command is not found: exit code 127) is emitted as an `'error'` event carrying a
 * {@link NetnsExecError}, before or after `'exit'`.
 *
 * @throws {NetlinkEncodeError} `BAD_VALUE` for a bad command, argument or option (with `path`).
 * @throws {NetlinkSocketError} for a namespace that cannot be opened (see `openNetns`), or
 *   `ERR_RTNL_ADDON` when the helper is not built.
 */
export function spawnInNetns(
  ref: NetnsRef,
  command: string,
  args: readonly string[] = [],
  options: NetnsSpawnOptions = {},
): ChildProcess {
  const { child, failure } = start(ref, command, args, options, 'spawn');
  void failure.then((error) => {
    if (error) child.emit('error', error);
  });
  return child;
}

/**
 * Runs `command` with `args` (no shell) inside the namespace `ref` names, as
 * `ip netns exec NAME command args…` does, and resolves when it ends with its exit code or
 * signal and what it wrote (a non-zero exit is a result, not an error).
 *
 * @throws {NetlinkEncodeError} `BAD_VALUE` for a bad command, argument or option.
 * @throws {NetnsExecError} (a NetlinkSocketError with `step`) when a step before the command
 *   failed: `ENOENT` at step `exec` for a command that is not found, `EPERM` at `setns` without
 *   privilege, …; also for a namespace that cannot be opened. `ETIMEDOUT` after `timeout`.
 */
export async function execInNetns<O extends NetnsExecOptions = NetnsExecOptions>(
  ref: NetnsRef,
  command: string,
  args: readonly string[] = [],
  options?: O,
): Promise<NetnsExecResult<NetnsExecOutput<O>>> {
  const opts: NetnsExecOptions = options ?? {};
  const checked = checkExecOptions(opts, 'exec');
  return collect(
    () => start(ref, command, args, { ...opts, stdio: checked.stdio }, 'exec'),
    opts,
    command,
  );
}

/**
 * Runs `command` (a whole program, such as a test runner) in the caller's network namespace
 * but with an isolated namespace registry: a private mount namespace whose `/run/netns` is an
 * empty tmpfs. Inside, `ip netns list` shows none of the caller's named namespaces, and the ones
 * it adds are private and vanish when it ends. Same options and result as {@link execInNetns}.
 */
export async function runIsolated<O extends NetnsExecOptions = NetnsExecOptions>(
  command: string,
  args: readonly string[] = [],
  options?: O,
): Promise<NetnsExecResult<NetnsExecOutput<O>>> {
  const opts: NetnsExecOptions = options ?? {};
  const checked = checkExecOptions(opts, 'runIsolated');
  return collect(
    () => {
      const argv = checkCommand(command, args, 'runIsolated');
      const stdio = checkSpawnOptions({ ...opts, stdio: checked.stdio }, 'runIsolated');
      const etc = opts.etc === undefined || opts.etc === false ? undefined : opts.etc;
      const flags = etc !== undefined ? ['--etc', etc] : ['--no-etc'];
      flags.push('--isolate-registry');
      return launch(undefined, flags, argv, stdio, opts, 'the isolated registry');
    },
    opts,
    command,
  );
}

function checkExecOptions(options: NetnsExecOptions, op: string): { stdio: 'pipe' | 'inherit' } {
  const stdio = options.stdio ?? 'pipe';
  if (stdio !== 'pipe' && stdio !== 'inherit') {
    throw badValue(`expected 'pipe' or 'inherit', got ${String(stdio)}`, `${op}.options.stdio`);
  }
  if (options.input !== undefined) {
    if (typeof options.input !== 'string' && !(options.input instanceof Uint8Array)) {
      throw badValue('expected a string or bytes', `${op}.options.input`);
    }
    if (stdio !== 'pipe') throw badValue("needs stdio 'pipe'", `${op}.options.input`);
  }
  const timeout = options.timeout;
  if (timeout !== undefined && !(Number.isInteger(timeout) && timeout >= 0)) {
    throw badValue('expected a whole number of ms, 0 or more', `${op}.options.timeout`);
  }
  const maxBuffer = options.maxBuffer;
  if (maxBuffer !== undefined && !(typeof maxBuffer === 'number' && maxBuffer > 0)) {
    throw badValue('expected a positive number of bytes', `${op}.options.maxBuffer`);
  }
  const encoding = options.encoding;
  if (encoding !== undefined && encoding !== 'buffer' && !Buffer.isEncoding(encoding)) {
    throw badValue(`unknown encoding ${String(encoding)}`, `${op}.options.encoding`);
  }
  return { stdio };
}

function collect<T extends string | Buffer>(
  begin: () => Launch,
  options: NetnsExecOptions,
  command: string,
): Promise<NetnsExecResult<T>> {
  const signal = options.signal;
  if (signal?.aborted) return Promise.reject(signal.reason);
  const { child, failure } = begin();
  const killSignal = options.killSignal ?? 'SIGTERM';
  const maxBuffer = options.maxBuffer ?? DEFAULT_MAX_BUFFER;
  const encoding = options.encoding ?? 'utf8';

  return new Promise<NetnsExecResult<T>>((resolve, reject) => {
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let outBytes = 0;
    let errBytes = 0;
    let overflow: 'stdout' | 'stderr' | undefined;
    let timedOut = false;
    let aborted = false;
    let spawnError: unknown;

    const kill = () => {
      try {
        child.kill(killSignal);
      } catch {}
    };
    const take = (which: 'stdout' | 'stderr') => (chunk: Buffer) => {
      let size: number;
      if (which === 'stdout') {
        outBytes += chunk.length;
        size = outBytes;
      } else {
        errBytes += chunk.length;
        size = errBytes;
      }
      if (size > maxBuffer) {
        if (overflow === undefined) {
          overflow = which;
          kill();
        }
        return;
      }
      (which === 'stdout' ? out : err).push(chunk);
    };
    child.stdout?.on('data', take('stdout'));
    child.stderr?.on('data', take('stderr'));
    if (child.stdin) {
      // The command may exit without reading its input: EPIPE is not our error.
      child.stdin.on('error', () => {});
      child.stdin.end(options.input);
    }

    const timer =
      options.timeout !== undefined && options.timeout > 0
        ? setTimeout(() => {
            timedOut = true;
            kill();
          }, options.timeout)
        : undefined;
    const onAbort = () => {
      aborted = true;
      kill();
    };
    signal?.addEventListener('abort', onAbort, { once: true });

    const decode = (chunks: Buffer[]): T => {
      const buf = Buffer.concat(chunks);
      return (encoding === 'buffer' ? buf : buf.toString(encoding)) as T;
    };

    child.on('error', (error) => {
      // Only Node's own spawn errors come here (ours are reported through `failure`).
      spawnError ??= error;
    });
    child.on('close', (code: number | null, exitSignal: NodeJS.Signals | null) => {
      if (timer) clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      void failure.then((stepError) => {
        const stdout = decode(out);
        const stderr = decode(err);
        if (spawnError !== undefined && child.pid === undefined) {
          reject(spawnFailure(spawnError, command, 'the helper'));
        } else if (stepError) {
          reject(stepError);
        } else if (aborted) {
          reject(signal?.reason);
        } else if (overflow !== undefined) {
          const e = new RangeError(
            `netns exec: ${overflow} of ${JSON.stringify(command)} exceeded maxBuffer (${maxBuffer} bytes)`,
          );
          reject(Object.assign(e, { code: 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER', stdout, stderr }));
        } else if (timedOut) {
          const e = new NetlinkSocketError(
            'ETIMEDOUT',
            `netns exec: ${JSON.stringify(command)} did not finish within ${options.timeout} ms and was killed (${String(killSignal)})`,
            110,
          );
          reject(Object.assign(e, { stdout, stderr, exitCode: code, signal: exitSignal }));
        } else {
          resolve({ pid: child.pid!, code, signal: exitSignal, stdout, stderr });
        }
      });
    });
  });
}
