// Ordered sending off the main thread: the shim's `sendSequence` (native/sequence.c) sends
// framed requests one at a time on a thread of libuv's pool and stops at the first refusal.
// The engine (connection.ts) uses it for `requestMany(…, { stopOnError: true })` on a real
// socket; over any other DatagramSocket it sends one request per ack instead.
import { loadAddon } from './native.js';
import { NetlinkSocket } from './socket.js';

/**
 * Called on the main thread when a sequence ends. `next` is the index of the first request that
 * did not leave. `received` holds what the kernel answered, datagram by datagram, each as a u32
 * length (host order) and its bytes. `errno` is 0, a positive errno when request `next` could
 * not be sent, or a negative errno when reading the answers failed after request `next - 1`
 * left (ENOBUFS: an answer may have been lost).
 */
export type SequenceDone = (next: number, received: Buffer | undefined, errno: number) => void;

interface SequenceAddon {
  sendSequence(
    fd: number,
    buf: Uint8Array,
    starts: Uint32Array,
    from: number,
    to: number,
    stopOnError: boolean,
    control: Int32Array,
    done: SequenceDone,
  ): void;
}

/** A running sequence: set `control[0]` to 1 to stop it before its next request. */
export interface SequenceHandle {
  readonly control: Int32Array;
}

/**
 * The ordered sender for `socket`, or undefined when it is not a NetlinkSocket (a fake kernel)
 * or the addon has no sendSequence (an older build).
 */
export function sequenceSender(
  socket: unknown,
):
  | ((
      bytes: Buffer,
      starts: Uint32Array,
      from: number,
      to: number,
      stopOnError: boolean,
      done: SequenceDone,
    ) => SequenceHandle)
  | undefined {
  if (!(socket instanceof NetlinkSocket)) return undefined;
  const addon = loadAddon() as unknown as Partial<SequenceAddon>;
  const send = addon.sendSequence;
  if (typeof send !== 'function') return undefined;
  return (bytes, starts, from, to, stopOnError, done) => {
    const control = new Int32Array(1);
    send.call(addon, socket.fd, bytes, starts, from, to, stopOnError, control, done);
    return { control };
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
