// Errors of the rtnl command line. A command module throws a CliError (or its usage flavour) with
// the exact text `ip` prints and the exit status `ip` gives; the framework (main.ts / batch.ts)
// prints the message on stderr and exits with the status. Kernel refusals are not wrapped: a
// NetlinkError propagates and the framework prints it in ip's form (see formatNetlinkError).
// Only types: the library is loaded lazily (see describeError), so `rtnl -V`, `help` and usage
// errors never load it.
import type { NetlinkEncodeError, NetlinkError } from '../netlink/index.js';

// The library brands its errors with this registry symbol (src/netlink/errors.ts), so they can
// be recognised without loading the library.
const BRAND = Symbol.for('rtnl.error');

function brandOf(err: unknown): unknown {
  return typeof err === 'object' && err !== null
    ? (err as { [BRAND]?: unknown })[BRAND]
    : undefined;
}

/** The error is the library's NetlinkError (the kernel refused a request). */
export function isNetlinkError(err: unknown): err is NetlinkError {
  return brandOf(err) === 'NetlinkError';
}

/** The error is the library's NetlinkEncodeError (a value it refused before sending). */
export function isNetlinkEncodeError(err: unknown): err is NetlinkEncodeError {
  return brandOf(err) === 'NetlinkEncodeError';
}

/**
 * A command failed for a reason the command itself explains. `message` is printed as-is on
 * stderr (nothing when empty); `exitCode` is the process exit status, as `ip` gives it (1 for
 * "Cannot find device", 2 for a failed kernel request, 255 for `exit(-1)`).
 */
export class CliError extends Error {
  override readonly name: string = 'CliError';
  readonly exitCode: number;

  constructor(message: string, exitCode = 1) {
    super(message);
    this.exitCode = exitCode;
  }
}

/**
 * The command line could not be parsed. The message names the argument in ip's words
 * (`Error: argument "X" is wrong: Y`); the status is 255, as ip's `exit(-1)`.
 */
export class CliUsageError extends CliError {
  override readonly name: string = 'CliUsageError';

  constructor(message: string, exitCode = 255) {
    super(message, exitCode);
  }
}

// Factories for the usage errors of iproute2's lib/utils.c, with the same texts.

/** `Error: argument "ARG" is wrong: MSG` (ip's invarg). */
export function invarg(msg: string, arg: string): CliUsageError {
  return new CliUsageError(`Error: argument "${arg}" is wrong: ${msg}`);
}

/** `Error: duplicate "KEY": "ARG" is the second value.` (ip's duparg). */
export function duparg(key: string, arg: string): CliUsageError {
  return new CliUsageError(`Error: duplicate "${key}": "${arg}" is the second value.`);
}

/** `Error: either "KEY" is duplicate, or "ARG" is a garbage.` (ip's duparg2). */
export function duparg2(key: string, arg: string): CliUsageError {
  return new CliUsageError(`Error: either "${key}" is duplicate, or "${arg}" is a garbage.`);
}

/** `Error: argument "KEY" is required` (ip's missarg). */
export function missarg(key: string): CliUsageError {
  return new CliUsageError(`Error: argument "${key}" is required`);
}

/** `Command line is not complete. Try option "help"` (ip's incomplete_command / NEXT_ARG). */
export function incomplete(): CliUsageError {
  return new CliUsageError('Command line is not complete. Try option "help"');
}

/** `Cannot find device "DEV"` (ip's nodev), exit status 1 unless given. */
export function nodev(dev: string, exitCode = 1): CliError {
  return new CliError(`Cannot find device "${dev}"`, exitCode);
}

/**
 * `Command "CMD" is unknown, try "rtnl OBJECT help".`, ip's text for an unknown subcommand with
 * the program's own name (exit status 255).
 */
export function unknownCommand(cmd: string, object: string): CliUsageError {
  return new CliUsageError(`Command "${cmd}" is unknown, try "rtnl ${object} help".`);
}

// strerror(3) of the library (errnoText), installed by the framework once it has loaded the
// library (a NetlinkError cannot exist before that).
let strerror: ((errno: number) => string) | undefined;

/** Give formatNetlinkError the library's errno texts (main.ts does, when it loads the library). */
export function setErrnoText(fn: (errno: number) => string): void {
  strerror = fn;
}

/**
 * The text ip prints for a kernel refusal: the extended-ack message as
 * `Error: <text>.` (a full stop added unless it ends with one), else
 * `RTNETLINK answers: <strerror>` (iproute2 lib/libnetlink.c, rtnl_talk_error).
 */
export function formatNetlinkError(err: NetlinkError): string {
  const msg = err.kernelMessage;
  if (msg) return `Error: ${msg}${msg.endsWith('.') ? '' : '.'}`;
  const text = strerror?.(err.errno) ?? /^(.*) \(E[A-Z0-9]+\)/.exec(err.message)?.[1];
  return `RTNETLINK answers: ${text ?? `Unknown error ${err.errno}`}`;
}

/** Exit status ip gives when a request the command sent is refused by the kernel. */
export const KERNEL_ERROR_EXIT = 2;

/**
 * Turn anything a command threw into the stderr text and exit status the framework reports.
 * CliError: its own text and status; NetlinkError: ip's form, status 2; NetlinkEncodeError
 * (a value the library refused before sending): `Error: <message>`, status 255 as a usage error;
 * anything else: `rtnl: <message>`, status 1 (a bug or a system failure, never silent).
 */
export async function describeError(err: unknown): Promise<{ message: string; exitCode: number }> {
  if (err instanceof CliError) return { message: err.message, exitCode: err.exitCode };
  if (isNetlinkError(err)) {
    if (!strerror && !err.kernelMessage) {
      // A NetlinkError exists, so the library is loaded already: this import costs nothing.
      setErrnoText((await import('../netlink/index.js')).errnoText);
    }
    return { message: formatNetlinkError(err), exitCode: KERNEL_ERROR_EXIT };
  }
  if (isNetlinkEncodeError(err)) return { message: `Error: ${err.message}`, exitCode: 255 };
  const e = err as { message?: unknown; code?: unknown };
  const text = typeof e?.message === 'string' ? e.message : String(err);
  return { message: `rtnl: ${text}`, exitCode: 1 };
}
