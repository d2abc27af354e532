// The binary dump files of `ip address save`, `ip route save` and `ip rule save` (iproute2 6.1
// ip/ipaddress.c ipadd_save_prep / ipadd_dump_check_magic, ip/iproute.c save_route_prep /
// route_dump_check_magic, ip/iprule.c save_rule_prep / rule_dump_check_magic,
// lib/libnetlink.c rtnl_from_file): a 32-bit magic number in host byte order, then the
// kernel's dump messages exactly as they arrived (nlmsghdr included, each padded to 4 bytes).
// `restore` sends those messages back, `showdump` prints them.
import { fstatSync, readFileSync, writeSync } from 'node:fs';
import { type NetlinkError, type NetlinkMessage, NLM_F_CREATE, type RtNetlink } from '../index.js';
import { CliError, formatNetlinkError, isNetlinkError } from './errors.js';
import type { Output } from './output.js';

/** The magic number of an `ip address save` file (ipadd_dump_magic). */
export const ADDRESS_DUMP_MAGIC = 0x47361222;
/** The magic number of an `ip route save` file (route_dump_magic). */
export const ROUTE_DUMP_MAGIC = 0x45311224;
/** The magic number of an `ip rule save` file (rule_dump_magic). */
export const RULE_DUMP_MAGIC = 0x71706986;

const NLMSG_HDRLEN = 16;
/** rtnl_from_file reads each message into a 16 KiB buffer: a longer one is malformed. */
const FILE_MAX_MESSAGE = 16384;
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** isatty(3) (node:tty is loaded on use: it pulls in node:net, which other commands never need). */
async function isTerminal(fd: number): Promise<boolean> {
  const { isatty } = await import('node:tty');
  return isatty(fd);
}

/** `write(2)` all of `buf` to `fd` (a non-blocking pipe may say EAGAIN: wait and go on). */
function writeAll(fd: number, buf: Uint8Array): void {
  let rest = buf;
  while (rest.length > 0) {
    try {
      rest = rest.subarray(writeSync(fd, rest));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
        continue;
      }
      if (code === 'EPIPE') process.exit(0);
      throw err;
    }
  }
}

function u32(value: number): Buffer {
  const b = Buffer.alloc(4);
  if (LITTLE_ENDIAN) b.writeUInt32LE(value >>> 0);
  else b.writeUInt32BE(value >>> 0);
  return b;
}

/**
 * The saving side: refuses a terminal on stdout (`Not sending a binary stream to stdout`),
 * writes the magic number, then each message as it comes. Messages are gathered and written in
 * chunks of 64 KiB; {@link DumpFileWriter.close} writes the rest.
 */
export class DumpFileWriter {
  private chunks: Buffer[] = [];
  private size = 0;
  private readonly fd: number;

  private constructor(fd: number) {
    this.fd = fd;
  }

  /**
   * Start a dump file on stdout (`fd` 1 by default), as ipadd_save_prep / save_route_prep:
   * a terminal is refused with a CliError (exit status 1) before anything is written.
   */
  static async open(out: Output, magic: number, fd = 1): Promise<DumpFileWriter> {
    if (await isTerminal(fd)) throw new CliError('Not sending a binary stream to stdout', 1);
    out.flush();
    const w = new DumpFileWriter(fd);
    writeAll(fd, u32(magic));
    return w;
  }

  /** Append one message: its nlmsghdr as received, then its payload, padded to 4 bytes. */
  write(m: NetlinkMessage): void {
    const len = NLMSG_HDRLEN + m.payload.length;
    const aligned = (len + 3) & ~3;
    const b = Buffer.alloc(aligned);
    b.writeUInt32LE(len, 0);
    b.writeUInt16LE(m.type, 4);
    b.writeUInt16LE(m.flags, 6);
    b.writeUInt32LE(m.seq >>> 0, 8);
    b.writeUInt32LE(m.pid >>> 0, 12);
    b.set(m.payload, NLMSG_HDRLEN);
    this.chunks.push(b);
    this.size += aligned;
    if (this.size >= 64 * 1024) this.flush();
  }

  /** Write what is gathered. */
  flush(): void {
    if (this.chunks.length === 0) return;
    const all = Buffer.concat(this.chunks);
    this.chunks = [];
    this.size = 0;
    writeAll(this.fd, all);
  }

  /** Write the rest. */
  close(): void {
    this.flush();
  }
}

/**
 * A whole save: the magic number, then every message of the dump `request` (of `type`) brings,
 * on stdout. The terminal check comes first, then `client()`. Resolves to undefined when it
 * went through, or to the kernel's refusal of the dump (what was read before it is written
 * out); anything else is thrown.
 */
export async function saveDump(
  out: Output,
  magic: number,
  client: () => Promise<RtNetlink>,
  type: number,
  request: Uint8Array,
): Promise<NetlinkError | undefined> {
  const file = await DumpFileWriter.open(out, magic);
  try {
    const rt = await client();
    for await (const m of rt.connection.dump(type, request)) file.write(m);
  } catch (err) {
    if (!isNetlinkError(err)) throw err;
    return err;
  } finally {
    file.close();
  }
  return undefined;
}

/** A dump file read from stdin: its messages, and whether stdin could be seeked. */
export interface DumpFile {
  /** The file's bytes after the magic number. */
  data: Buffer;
  /** Where `data` starts in the file (ftell after the magic number): 4. */
  base: number;
  /** stdin is a file or device (ip's ftell works), not a pipe or socket. */
  seekable: boolean;
}

/**
 * Read a dump file from stdin (`fd` 0 by default), as ipadd_dump_check_magic /
 * route_dump_check_magic / rule_dump_check_magic: a terminal is refused (`Can't restore WHAT
 * dump from a terminal`), then the magic number must match (`Magic mismatch (N elems, HEX
 * magic)`). Both fail with a CliError of `exitCode`.
 */
export async function readDumpFile(
  what: 'address' | 'route' | 'rule',
  magic: number,
  exitCode: number,
  fd = 0,
): Promise<DumpFile> {
  if (await isTerminal(fd))
    throw new CliError(`Can't restore ${what} dump from a terminal`, exitCode);
  let data: Buffer;
  try {
    data = readFileSync(fd);
  } catch (err) {
    // EAGAIN from a non-blocking stdin, EISDIR, …: what fread would report as nothing read.
    if ((err as NodeJS.ErrnoException).code === 'EISDIR') data = Buffer.alloc(0);
    else throw err;
  }
  // fread(&magic, 4, 1, stdin) on a shorter file: 0 elements, the bytes it got are kept.
  const head = Buffer.alloc(4);
  data.copy(head, 0, 0, 4);
  const got = LITTLE_ENDIAN ? head.readUInt32LE(0) : head.readUInt32BE(0);
  if (data.length < 4 || got !== magic >>> 0) {
    throw new CliError(
      `Magic mismatch (${data.length < 4 ? 0 : 1} elems, ${got.toString(16)} magic)`,
      exitCode,
    );
  }
  let seekable = true;
  try {
    const st = fstatSync(fd);
    seekable = !(st.isFIFO() || st.isSocket());
  } catch {
    seekable = false;
  }
  return { data: data.subarray(4), base: 4, seekable };
}

/**
 * rtnl_from_file: the messages of a dump file's data, in order. A bad record ends the walk with
 * ip's message as the generator's return value (undefined at a clean end of file):
 * `rtnl-from_file: truncated message` or `!!!malformed message: len=N @OFFSET` (OFFSET is where
 * ip's ftell stands, just after the header, counted from the start of the file: `base`).
 */
export function* dumpFileMessages(
  data: Buffer,
  base = 0,
): Generator<NetlinkMessage, string | undefined, undefined> {
  let off = 0;
  while (off < data.length) {
    if (data.length - off < NLMSG_HDRLEN) return 'rtnl-from_file: truncated message';
    const len = data.readUInt32LE(off);
    if (len < NLMSG_HDRLEN || len > FILE_MAX_MESSAGE) {
      return `!!!malformed message: len=${len | 0} @${base + off + NLMSG_HDRLEN}`;
    }
    const aligned = (len + 3) & ~3;
    if (off + aligned > data.length) return 'rtnl-from_file: truncated message';
    yield {
      length: len,
      type: data.readUInt16LE(off + 4),
      flags: data.readUInt16LE(off + 6),
      seq: data.readUInt32LE(off + 8),
      pid: data.readUInt32LE(off + 12),
      payload: Buffer.from(data.subarray(off + NLMSG_HDRLEN, off + len)),
    };
    off += aligned;
  }
  return undefined;
}

/**
 * The restore loop of ipaddr_restore, iprule_restore and each of iproute_restore's passes:
 * every message of the file that `take` accepts goes back to the kernel as it is, with
 * NLM_F_CREATE added (and the engine's NLM_F_REQUEST | NLM_F_ACK), one at a time and in the
 * file's order. An EEXIST is reported and skipped. Another refusal, or a malformed file (ip's
 * message), ends it with `failStatus`; the end of the file resolves 0.
 */
export async function restoreMessages(
  rt: RtNetlink,
  out: Output,
  file: DumpFile,
  failStatus: number,
  take: (m: NetlinkMessage) => boolean = () => true,
): Promise<number> {
  const it = dumpFileMessages(file.data, file.base);
  for (;;) {
    const next = it.next();
    if (next.done) {
      if (next.value === undefined) return 0;
      out.error(next.value);
      return failStatus;
    }
    const m = next.value;
    if (!take(m)) continue;
    try {
      await rt.connection.request(m.type, m.payload, { flags: m.flags | NLM_F_CREATE });
    } catch (err) {
      if (!isNetlinkError(err)) throw err;
      out.error(formatNetlinkError(err));
      if (err.code !== 'EEXIST') return failStatus;
    }
  }
}
