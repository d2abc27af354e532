// Errors of the namespace layer: every failed system call becomes a NetlinkSocketError that
// keeps its errno and names what was being done to which namespace, with a hint where the cause
// is usually the same (no privilege, a name in use, still mounted elsewhere).
import { errnoName, errnoText } from '../netlink/errno.js';
import { NetlinkSocketError } from '../netlink/errors.js';

export const EPERM = 1;
export const ENOENT = 2;
export const ESRCH = 3;
export const EBADF = 9;
export const EACCES = 13;
export const EBUSY = 16;
export const EEXIST = 17;
export const EINVAL = 22;

/** What needs privilege, said once for every EPERM / EACCES. */
export const PRIVILEGE_HINT =
  'network namespaces and the mounts under /run/netns need CAP_SYS_ADMIN (run as root)';

/** A system-call failure: errno and syscall from an addon or `node:fs` error, else undefined. */
export function syscallFailure(error: unknown): { errno: number; syscall: string } | undefined {
  if (!(error instanceof Error)) return undefined;
  const { errno, syscall } = error as Error & { errno?: unknown; syscall?: unknown };
  if (typeof errno !== 'number' || errno === 0 || typeof syscall !== 'string') return undefined;
  return { errno: Math.abs(errno), syscall };
}

/**
 * A NetlinkSocketError for `errno`, worded `<op>: <detail>: <strerror> (<CODE>)` plus a
 * privilege hint on EPERM / EACCES. `detail` says what was wrong in the caller's terms.
 */
export function nsError(
  errno: number,
  syscall: string,
  op: string,
  detail: string,
  hint = PRIVILEGE_HINT,
): NetlinkSocketError {
  const code = errnoName(errno);
  let message = `${op}: ${detail}: ${errnoText(errno)} (${code})`;
  if (errno === EPERM || errno === EACCES) message += `; ${hint}`;
  return new NetlinkSocketError(code, message, errno, syscall);
}

/**
 * Converts a failed system call into {@link nsError}, using `describe(errno)` for the detail.
 * Anything that is not a system-call error (a TypeError, an error already converted) is
 * returned unchanged.
 */
export function wrapError(
  error: unknown,
  op: string,
  describe: (errno: number) => string,
  hint?: string,
): unknown {
  if (error instanceof NetlinkSocketError) return error;
  const failure = syscallFailure(error);
  if (failure === undefined) return error;
  return nsError(failure.errno, failure.syscall, op, describe(failure.errno), hint);
}

/** The step of `netns.exec` / `netns.spawn` that failed, on {@link NetnsExecError.step}. */
export type NetnsExecStep =
  /** The helper refused its arguments (a bug in rtnl, or a hand-made call). */
  | 'usage'
  /** Opening the namespace file. */
  | 'open'
  /** The file is not a network namespace. */
  | 'check'
  /** setns(CLONE_NEWNET). */
  | 'setns'
  /** unshare(CLONE_NEWNS): the private mount namespace. */
  | 'unshare'
  /** mount --make-rslave /. */
  | 'make-rslave'
  /** The fresh sysfs on /sys. */
  | 'mount-sys'
  /** The empty /run/netns of an isolated registry. */
  | 'isolate-registry'
  /** The helper's status descriptor. */
  | 'status-fd'
  /** execvp of the command (ENOENT: command not found, exit code 127). */
  | 'exec'
  /** Starting the helper itself. */
  | 'spawn';

/**
 * A NetlinkSocketError from `netns.exec` / `netns.spawn` / `netns.runIsolated`: `code` and
 * `errno` are the failed call's, `step` says which step of `ip netns exec`'s sequence failed,
 * and `command` is the command that was to run.
 */
export interface NetnsExecError extends NetlinkSocketError {
  readonly step: NetnsExecStep;
  readonly command: string;
}

/** Whether `error` is a {@link NetnsExecError}. */
export function isNetnsExecError(error: unknown): error is NetnsExecError {
  return (
    error instanceof NetlinkSocketError &&
    typeof (error as { step?: unknown }).step === 'string' &&
    typeof (error as { command?: unknown }).command === 'string'
  );
}

const STEP_SYSCALL: Record<NetnsExecStep, string> = {
  usage: 'rtnl_nshelper',
  open: 'open',
  check: 'ioctl(NS_GET_NSTYPE)',
  setns: 'setns',
  unshare: 'unshare',
  'make-rslave': 'mount',
  'mount-sys': 'mount',
  'isolate-registry': 'mount',
  'status-fd': 'fcntl',
  exec: 'execvp',
  spawn: 'spawn',
};

/** Builds the {@link NetnsExecError} for a failed step. `where` names the namespace. */
export function execError(
  step: NetnsExecStep,
  errno: number,
  command: string,
  where: string,
  detail = '',
): NetnsExecError {
  const op = 'netns exec';
  let what: string;
  switch (step) {
    case 'exec':
      what =
        errno === ENOENT
          ? `command not found: ${JSON.stringify(command)}`
          : `cannot execute ${JSON.stringify(command)}`;
      break;
    case 'open':
      what =
        errno === ENOENT
          ? `no network namespace ${where}`
          : `cannot open the network namespace ${where}`;
      break;
    case 'check':
      what = `${where} is not a network namespace`;
      break;
    case 'setns':
      what = `cannot enter the network namespace ${where}`;
      break;
    case 'spawn':
      what = `cannot start the namespace helper ${detail}`;
      break;
    case 'usage':
      what = `the namespace helper refused its arguments (${detail})`;
      break;
    default:
      what = `${step} failed${detail ? ` (${detail})` : ''}`;
  }
  const error = nsError(errno, STEP_SYSCALL[step], op, what) as NetlinkSocketError & {
    step: NetnsExecStep;
    command: string;
  };
  Object.defineProperty(error, 'step', { value: step, enumerable: true });
  Object.defineProperty(error, 'command', { value: command, enumerable: true });
  return error;
}
