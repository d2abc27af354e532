import { errnoName, errnoText } from './errno.js';

// Errors are branded with a registry symbol rather than relying on the class identity alone, so
// `instanceof` still answers true when two copies of rtnl (its ESM and CJS builds, or two
// versions in one dependency tree) meet in one process.
const BRAND = Symbol.for('rtnl.error');

type Brand = 'NetlinkError' | 'NetlinkDecodeError' | 'NetlinkEncodeError' | 'NetlinkSocketError';

function branded(value: unknown, brand: Brand): boolean {
  return (
    typeof value === 'object' && value !== null && (value as { [BRAND]?: unknown })[BRAND] === brand
  );
}

/** Where in our own request the kernel's extended ack pointed. */
export interface NetlinkErrorDetails {
  /** Positive errno the kernel returned (nlmsgerr.error negated). */
  errno: number;
  /** Extended-ack text (NLMSGERR_ATTR_MSG), when the kernel gave one. */
  kernelMessage?: string | undefined;
  /** Attribute path in the request, resolved from NLMSGERR_ATTR_OFFS, e.g. `linkinfo.data.id`. */
  attributePath?: string | undefined;
  /** Byte offset inside the request that NLMSGERR_ATTR_OFFS named. */
  offset?: number | undefined;
  /** NLMSGERR_ATTR_MISS_TYPE: the attribute the kernel wanted and did not find. */
  missingType?: number | undefined;
  /** NLMSGERR_ATTR_MISS_NEST: offset of the nest the missing attribute belongs in. */
  missingNest?: number | undefined;
  /** NLMSGERR_ATTR_POLICY, raw, when the kernel reported the policy that rejected the value. */
  policy?: Uint8Array | undefined;
  /** Sequence number and message type of the request the kernel refused. */
  seq?: number | undefined;
  requestType?: number | undefined;
}

/**
 * The kernel refused a request. `code` is the errno's name (`EEXIST`), `errno` its number, and
 * `kernelMessage` the kernel's own extended-ack text when it sent one.
 */
export class NetlinkError extends Error {
  declare readonly [BRAND]: 'NetlinkError';
  override readonly name: string = 'NetlinkError';
  readonly errno: number;
  readonly code: string;
  readonly kernelMessage: string | undefined;
  readonly attributePath: string | undefined;
  readonly offset: number | undefined;
  readonly missingType: number | undefined;
  readonly missingNest: number | undefined;
  readonly policy: Uint8Array | undefined;
  readonly seq: number | undefined;
  readonly requestType: number | undefined;

  constructor(details: NetlinkErrorDetails) {
    const code = errnoName(details.errno);
    let message = details.kernelMessage
      ? `${details.kernelMessage} (${code})`
      : `${errnoText(details.errno)} (${code})`;
    if (details.attributePath) message += ` at attribute ${details.attributePath}`;
    super(message);
    Object.defineProperty(this, BRAND, { value: 'NetlinkError' });
    this.errno = details.errno;
    this.code = code;
    this.kernelMessage = details.kernelMessage;
    this.attributePath = details.attributePath;
    this.offset = details.offset;
    this.missingType = details.missingType;
    this.missingNest = details.missingNest;
    this.policy = details.policy;
    this.seq = details.seq;
    this.requestType = details.requestType;
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return branded(value, 'NetlinkError');
  }
}

/** Codes a NetlinkDecodeError can carry; each is documented in docs/errors.md. */
export type DecodeErrorCode =
  | 'TRUNCATED_HEADER'
  | 'BAD_LENGTH'
  | 'BAD_ATTRIBUTE_LENGTH'
  | 'TRAILING_BYTES'
  | 'BAD_PAYLOAD_SIZE';

/**
 * Bytes could not be parsed. `offset` is the byte offset in the buffer given to the decoder and
 * `path` names the attribute being read, e.g. `link.linkinfo.data(vxlan).id`.
 */
export class NetlinkDecodeError extends Error {
  declare readonly [BRAND]: 'NetlinkDecodeError';
  override readonly name: string = 'NetlinkDecodeError';
  readonly code: DecodeErrorCode;
  readonly offset: number;
  readonly path: string;

  constructor(code: DecodeErrorCode, message: string, offset: number, path = '') {
    super(`${message} at byte ${offset}${path ? ` (${path})` : ''}`);
    Object.defineProperty(this, BRAND, { value: 'NetlinkDecodeError' });
    this.code = code;
    this.offset = offset;
    this.path = path;
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return branded(value, 'NetlinkDecodeError');
  }
}

/** Codes a NetlinkEncodeError can carry; each is documented in docs/errors.md. */
export type EncodeErrorCode =
  | 'PAYLOAD_TOO_LARGE'
  | 'OUT_OF_RANGE'
  | 'BAD_ADDRESS'
  | 'BAD_LLADDR'
  | 'BAD_STRING'
  | 'BAD_TYPE'
  | 'UNKNOWN_ATTRIBUTE'
  | 'BAD_VALUE';

/** A value given to an encoder cannot be put on the wire; `path` names the attribute. */
export class NetlinkEncodeError extends Error {
  declare readonly [BRAND]: 'NetlinkEncodeError';
  override readonly name: string = 'NetlinkEncodeError';
  readonly code: EncodeErrorCode;
  readonly path: string;

  constructor(code: EncodeErrorCode, message: string, path = '') {
    super(path ? `${path}: ${message}` : message);
    Object.defineProperty(this, BRAND, { value: 'NetlinkEncodeError' });
    this.code = code;
    this.path = path;
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return branded(value, 'NetlinkEncodeError');
  }
}

/** Codes a NetlinkSocketError can carry besides errno names; documented in docs/errors.md. */
export type SocketErrorCode = string;

/**
 * A socket-level failure: a system call failed (`code` is its errno name and `syscall` names
 * it), the addon is missing (`ERR_RTNL_ADDON`), the socket was closed (`ERR_RTNL_CLOSED`), a
 * request timed out (`ETIMEDOUT`) or was aborted (`ABORT_ERR`).
 */
export class NetlinkSocketError extends Error {
  declare readonly [BRAND]: 'NetlinkSocketError';
  override readonly name: string = 'NetlinkSocketError';
  readonly code: SocketErrorCode;
  readonly errno: number | undefined;
  readonly syscall: string | undefined;

  constructor(code: SocketErrorCode, message: string, errno?: number, syscall?: string) {
    super(message);
    Object.defineProperty(this, BRAND, { value: 'NetlinkSocketError' });
    this.code = code;
    this.errno = errno;
    this.syscall = syscall;
  }

  /** Build from a positive errno returned by a system call. */
  static fromErrno(errno: number, syscall: string, context?: string): NetlinkSocketError {
    const code = errnoName(errno);
    const what = context ? `${syscall} ${context}` : syscall;
    return new NetlinkSocketError(code, `${what}: ${errnoText(errno)} (${code})`, errno, syscall);
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return branded(value, 'NetlinkSocketError');
  }
}
