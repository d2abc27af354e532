// Ordered sending off the main thread: the shim's sequence (native/sequence.c) sends framed
// requests one at a time on a thread of libuv's pool and stops at the first refusal. It is a
// stream: more requests can be handed to it while it sends, and it waits for them until ended.
// The engine (connection.ts) uses it for `requestMany(…, { stopOnError: true })` and for
// `sequence()` on a real socket; over any other DatagramSocket it sends one request per ack.
import { loadAddon } from './native.js';
import { NetlinkSocket } from './socket.js';

/**
 * Called on the main thread when a sequence ends. `next` counts the requests that left, over
 * every push. `received` holds what the kernel answered, datagram by datagram, each as a u32
 * length (host order) and its bytes. `errno` is 0, a positive errno when request `next` could
 * not be sent, or a negative errno when reading the answers failed after request `next - 1`
 * left (ENOBUFS: an answer may have been lost).
 */
export type SequenceDone = (next: number, received: Buffer | undefined, errno: number) => void;

interface SequenceAddon {
  sequenceOpen(fd: number, stopOnError: boolean, control: Int32Array, done: SequenceDone): object;
  sequencePush(
    handle: object,
    buf: Uint8Array,
    starts: Uint32Array,
    from: number,
    to: number,
  ): void;
  sequenceEnd(handle: object): void;
}

/** The words of {@link SequenceHandle.control}. */
export const CONTROL_CANCEL = 0;
export const CONTROL_SENT = 1;
export const CONTROL_STOPPED = 2;

/** A running sequence of the shim's. */
export interface SequenceHandle {
  /**
   * Shared with the worker: set `[CONTROL_CANCEL]` to 1 (then call end()) to stop it before its
   * next request; it keeps `[CONTROL_SENT]` (requests that left) and sets `[CONTROL_STOPPED]`
   * to 1 when it stops at a refusal or an error.
   */
  readonly control: Int32Array;
  /** More requests: `bytes[starts[i], starts[i + 1])` for i in `[from, to)`, kept unchanged. */
  push(bytes: Buffer, starts: Uint32Array, from: number, to: number): void;
  /** No more requests: the worker ends once it has sent what it has. */
  end(): void;
}

/** Starts a sequence on the shim's worker; `done` is called once, when it ends. */
export type SequenceOpener = (stopOnError: boolean, done: SequenceDone) => SequenceHandle;

/**
 * The ordered sender for `socket`, or undefined when it is not a NetlinkSocket (a fake kernel)
 * or the addon has no sequences (an older build).
 */
export function sequenceSender(socket: unknown): SequenceOpener | undefined {
  if (!(socket instanceof NetlinkSocket)) return undefined;
  const addon = loadAddon() as unknown as Partial<SequenceAddon>;
  const { sequenceOpen, sequencePush, sequenceEnd } = addon;
  if (
    typeof sequenceOpen !== 'function' ||
    typeof sequencePush !== 'function' ||
    typeof sequenceEnd !== 'function'
  ) {
    return undefined;
  }
  return (stopOnError, done) => {
    const control = new Int32Array(3);
    const handle = sequenceOpen.call(addon, socket.fd, stopOnError, control, done);
    return {
      control,
      push: (bytes, starts, from, to) => sequencePush.call(addon, handle, bytes, starts, from, to),
      end: () => sequenceEnd.call(addon, handle),
    };
  };
}

/** Calls `visit` with each datagram of a `received` buffer (see {@link SequenceDone}). */
export function forEachDatagram(
  received: Buffer,
  visit: (datagram: Buffer, length: number) => void,
): void {
  let off = 0;
  while (off + 4 <= received.length) {
    const len = received.readUInt32LE(off);
    const datagram = received.subarray(off + 4, off + 4 + len);
    off += 4 + len;
    visit(datagram, datagram.length);
  }
}
