// A fake kernel that hands datagrams over in place, as NetlinkSocket.setReceiver does: each one
// is copied into one reused receive buffer, given to the receiver, and then overwritten with
// 0xee — so anything the engine kept without copying reads as garbage and a test notices.
import { FakeKernel, type Handler } from '../helpers/fake-kernel.js';

export class BorrowingKernel extends FakeKernel {
  readonly scratch = Buffer.alloc(256 * 1024);
  receiver: ((buffer: Buffer, length: number) => void) | undefined;
  /** Datagrams delivered in place. */
  borrowed = 0;
  #later = false;

  constructor(handler?: Handler) {
    super(handler);
  }

  setReceiver(receiver: ((buffer: Buffer, length: number) => void) | undefined): void {
    this.receiver = receiver;
  }

  override receiveNow(limit = Number.POSITIVE_INFINITY): number {
    const receiver = this.receiver;
    if (receiver === undefined) return super.receiveNow(limit);
    let n = 0;
    while (!this.paused && !this.closed && this.inbox.length > 0 && n < limit) {
      const datagram = this.inbox.shift()!;
      datagram.copy(this.scratch);
      this.borrowed++;
      receiver(this.scratch, datagram.length);
      this.scratch.fill(0xee, 0, datagram.length);
      if (this.listenerCount('message') > 0) this.emit('message', Buffer.from(datagram));
      n++;
    }
    if (this.inbox.length > 0 && !this.paused && !this.#later) {
      this.#later = true;
      setImmediate(() => {
        this.#later = false;
        this.receiveNow();
      });
    }
    return n;
  }
}
