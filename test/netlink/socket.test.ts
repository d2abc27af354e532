// Kernel tests for NetlinkSocket and the native shim. Every socket that sends anything lives in
// an anonymous namespace made here (never the host's), and every fd is accounted for.

import { execFileSync, spawn } from 'node:child_process';
import { fstatSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { NetlinkSocketError } from '../../src/netlink/errors.js';
import { loadAddonFrom } from '../../src/netlink/native.js';
import { NetlinkSocket, type NetlinkSocketOptions } from '../../src/netlink/socket.js';
import { createNetns, type Netns } from '../../src/ns/index.js';

// Wire constants, written out here so the tests do not lean on the codec under test.
const NETLINK_ROUTE = 0; // <linux/netlink.h>
const SOL_SOCKET = 1; // <asm-generic/socket.h>
const SO_RCVBUF = 8;
const NLMSG_ERROR = 2; // <linux/netlink.h>
const NLMSG_DONE = 3;
const NLM_F_REQUEST = 0x1;
const NLM_F_ACK = 0x4;
const NLM_F_DUMP = 0x300; // NLM_F_ROOT | NLM_F_MATCH
const RTM_NEWLINK = 16; // <linux/rtnetlink.h>
const RTM_GETLINK = 18;
const RTNLGRP_LINK = 1;
const IFLA_IFNAME = 3; // <linux/if_link.h>
const IFF_UP = 0x1; // <linux/if.h>

const ROOT = resolve(import.meta.dirname, '../..');

interface Message {
  type: number;
  flags: number;
  seq: number;
  pid: number;
  body: Buffer;
}

/** nlmsghdr (16 bytes, host order) + payload. */
function request(type: number, flags: number, seq: number, payload: Buffer): Buffer {
  const header = Buffer.alloc(16);
  header.writeUInt32LE(16 + payload.length, 0); // nlmsg_len
  header.writeUInt16LE(type, 4); // nlmsg_type
  header.writeUInt16LE(flags, 6); // nlmsg_flags
  header.writeUInt32LE(seq, 8); // nlmsg_seq
  header.writeUInt32LE(0, 12); // nlmsg_pid: 0, the kernel fills in ours
  return Buffer.concat([header, payload]);
}

/** struct ifinfomsg (16 bytes). */
function ifinfomsg(index = 0, flags = 0, change = 0): Buffer {
  const b = Buffer.alloc(16);
  b.writeUInt8(0, 0); // ifi_family AF_UNSPEC
  b.writeUInt16LE(0, 2); // ifi_type
  b.writeInt32LE(index, 4); // ifi_index
  b.writeUInt32LE(flags, 8); // ifi_flags
  b.writeUInt32LE(change, 12); // ifi_change
  return b;
}

const dumpLinks = (seq: number) =>
  request(RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, seq, ifinfomsg());
const setLo = (seq: number, up: boolean) =>
  request(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK, seq, ifinfomsg(1, up ? IFF_UP : 0, IFF_UP));

/** Splits a datagram into messages, checking every length against what remains. */
function walk(datagram: Buffer): Message[] {
  const messages: Message[] = [];
  let offset = 0;
  while (offset < datagram.length) {
    expect(datagram.length - offset).toBeGreaterThanOrEqual(16);
    const length = datagram.readUInt32LE(offset);
    expect(length).toBeGreaterThanOrEqual(16);
    expect(offset + length).toBeLessThanOrEqual(datagram.length);
    messages.push({
      type: datagram.readUInt16LE(offset + 4),
      flags: datagram.readUInt16LE(offset + 6),
      seq: datagram.readUInt32LE(offset + 8),
      pid: datagram.readUInt32LE(offset + 12),
      body: datagram.subarray(offset + 16, offset + length),
    });
    offset += (length + 3) & ~3; // NLMSG_ALIGN
  }
  return messages;
}

/** ifi_index, ifi_flags and IFLA_IFNAME of an RTM_NEWLINK body. */
function linkOf(message: Message): { index: number; flags: number; name: string | undefined } {
  const { body } = message;
  let name: string | undefined;
  for (let offset = 16; offset + 4 <= body.length; ) {
    const length = body.readUInt16LE(offset);
    if (length < 4) break;
    if ((body.readUInt16LE(offset + 2) & 0x3fff) === IFLA_IFNAME) {
      name = body.toString('latin1', offset + 4, offset + length).replace(/\0.*$/s, '');
    }
    offset += (length + 3) & ~3; // NLA_ALIGN
  }
  return { index: body.readInt32LE(4), flags: body.readUInt32LE(8), name };
}

/** nlmsgerr.error of an NLMSG_ERROR message: 0 for an ack, -errno otherwise. */
const errorOf = (message: Message) => message.body.readInt32LE(0);

function countFds(): number {
  return readdirSync('/proc/self/fd').length;
}

function withTimeout<T>(what: string, executor: (resolve: (value: T) => void) => () => void) {
  return new Promise<T>((resolvePromise, reject) => {
    let cleanup: () => void = () => {};
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`timed out waiting for ${what}`));
    }, 5000);
    cleanup = executor((value) => {
      clearTimeout(timer);
      cleanup();
      resolvePromise(value);
    });
  });
}

/** The first message (delivered through the event loop) that satisfies `predicate`. */
function nextMessage(socket: NetlinkSocket, what: string, predicate: (m: Message) => boolean) {
  return withTimeout<Message>(what, (done) => {
    const onMessage = (datagram: Buffer) => {
      const found = walk(datagram).find(predicate);
      if (found) done(found);
    };
    socket.on('message', onMessage);
    return () => socket.off('message', onMessage);
  });
}

/** Every message of the dump with sequence number `seq`, up to and including NLMSG_DONE. */
function collectDump(socket: NetlinkSocket, seq: number) {
  const messages: Message[] = [];
  return withTimeout<Message[]>(`dump ${seq}`, (done) => {
    const onMessage = (datagram: Buffer) => {
      for (const message of walk(datagram)) {
        if (message.seq !== seq) continue;
        messages.push(message);
        if (message.type === NLMSG_DONE || message.type === NLMSG_ERROR) done(messages);
      }
    };
    socket.on('message', onMessage);
    return () => socket.off('message', onMessage);
  });
}

function nextError(socket: NetlinkSocket) {
  return withTimeout<NetlinkSocketError>('an error event', (done) => {
    socket.on('error', done);
    return () => socket.off('error', done);
  });
}

const tick = () => new Promise((r) => setImmediate(r));

let ns: Netns;
let fdsBefore: number;
const sockets: NetlinkSocket[] = [];

/** A socket inside this test's namespace, closed after the test. */
function open(options: NetlinkSocketOptions = {}): NetlinkSocket {
  const socket = NetlinkSocket.open(NETLINK_ROUTE, { netns: ns.fd, ...options });
  sockets.push(socket);
  return socket;
}

beforeEach(() => {
  fdsBefore = countFds();
  ns = createNetns();
});

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.close();
  ns.close();
  await tick();
  expect(countFds()).toBe(fdsBefore);
});

describe('open and bind', () => {
  it('gets a nonzero port id from the kernel, distinct per socket', () => {
    const a = open();
    const b = open();
    expect(a.protocol).toBe(NETLINK_ROUTE);
    expect(a.fd).toBeGreaterThanOrEqual(0);
    expect(a.closed).toBe(false);
    expect(a.portId).toBeGreaterThan(0);
    expect(b.portId).toBeGreaterThan(0);
    expect(b.portId).not.toBe(a.portId);
  });

  it('applies rcvbuf (the kernel doubles SO_RCVBUF for bookkeeping)', () => {
    const socket = open({ rcvbuf: 100_000 });
    expect(socket.getsockopt(SOL_SOCKET, SO_RCVBUF)).toBe(200_000);
    const forced = open({ rcvbuf: 100_000, rcvbufForce: true });
    expect(forced.getsockopt(SOL_SOCKET, SO_RCVBUF)).toBe(200_000);
  });

  it('opens in a namespace given as a path', async () => {
    const socket = NetlinkSocket.open(NETLINK_ROUTE, { netns: ns.path });
    sockets.push(socket);
    const dump = collectDump(socket, 5);
    socket.send(dumpLinks(5));
    const links = (await dump).filter((m) => m.type === RTM_NEWLINK);
    expect(links.map((m) => linkOf(m).name)).toEqual(['lo']);
  });

  it('reports a missing namespace path as ENOENT without leaking', () => {
    const open = () => NetlinkSocket.open(NETLINK_ROUTE, { netns: '/run/netns/rtnl-no-such-ns' });
    expect(open).toThrow(NetlinkSocketError);
    expect(open).toThrow(expect.objectContaining({ code: 'ENOENT', errno: 2 }));
  });

  it('reports a descriptor that is not a namespace as EINVAL from setns', () => {
    const open = () => NetlinkSocket.open(NETLINK_ROUTE, { netns: 0 });
    expect(open).toThrow(expect.objectContaining({ code: 'EINVAL', syscall: 'setns' }));
  });

  it('rejects malformed arguments', () => {
    expect(() => NetlinkSocket.open(-1)).toThrow(RangeError);
    expect(() => NetlinkSocket.open(1.5)).toThrow(RangeError);
    expect(() => open({ recvBufferSize: 8 })).toThrow(RangeError);
    expect(() => open({ groups: -1 })).toThrow(RangeError);
    expect(() => open().send('x' as unknown as Uint8Array)).toThrow(TypeError);
  });
});

describe('requests and dumps', () => {
  it('dumps exactly lo in a fresh namespace, then NLMSG_DONE', async () => {
    const socket = open();
    const dump = collectDump(socket, 1);
    socket.send(dumpLinks(1));
    const messages = await dump;

    expect(messages.map((m) => m.type)).toEqual([RTM_NEWLINK, NLMSG_DONE]);
    expect(linkOf(messages[0]!)).toMatchObject({ index: 1, name: 'lo' });
    for (const message of messages) expect(message.pid).toBe(socket.portId);
    // The namespace the socket lives in is not the one this process runs in.
    const mine = statSync('/proc/self/ns/net');
    const its = fstatSync(ns.fd);
    expect([its.dev, its.ino]).not.toEqual([mine.dev, mine.ino]);
  });

  it('reads synchronously with receiveNow (replies are queued when send returns)', () => {
    const socket = open();
    const messages: Message[] = [];
    socket.on('message', (datagram) => messages.push(...walk(datagram)));
    socket.send(dumpLinks(2));
    const read = socket.receiveNow();
    expect(read).toBeGreaterThanOrEqual(1);
    expect(messages.map((m) => m.type)).toEqual([RTM_NEWLINK, NLMSG_DONE]);
    expect(socket.receiveNow()).toBe(0);
  });

  it('hands out a fresh Buffer per datagram', () => {
    const socket = open();
    const datagrams: Buffer[] = [];
    socket.on('message', (datagram) => datagrams.push(datagram));
    socket.send(dumpLinks(3));
    socket.receiveNow();
    socket.send(dumpLinks(4));
    socket.receiveNow();
    const [first, , third] = datagrams;
    expect(first).toBeDefined();
    expect(first!.buffer).not.toBe(third!.buffer);
    expect(walk(first!)[0]!.seq).toBe(3);
    expect(walk(third!)[0]!.seq).toBe(4);
  });

  it('stops mid-loop when a listener closes the socket', async () => {
    const socket = open();
    const onMessage = vi.fn(() => socket.close());
    socket.on('message', onMessage);
    socket.send(dumpLinks(6));
    expect(socket.receiveNow()).toBe(1);
    await tick();
    expect(onMessage).toHaveBeenCalledTimes(1);
  });

  it('stops mid-loop when a listener pauses, and resumes through the event loop', async () => {
    const socket = open();
    const types: number[] = [];
    socket.on('message', (datagram) => {
      types.push(...walk(datagram).map((m) => m.type));
      socket.pause();
    });
    socket.send(dumpLinks(7));
    expect(socket.receiveNow()).toBe(1);
    expect(socket.paused).toBe(true);
    expect(socket.receiveNow()).toBe(0);
    const done = nextMessage(socket, 'NLMSG_DONE', (m) => m.type === NLMSG_DONE);
    socket.resume();
    await done;
    expect(types).toEqual([RTM_NEWLINK, NLMSG_DONE]);
  });
});

describe('multicast', () => {
  it('delivers RTM_NEWLINK for RTNLGRP_LINK after lo is set up, until the group is dropped', async () => {
    const listener = open();
    listener.addMembership(RTNLGRP_LINK);
    const event = nextMessage(
      listener,
      'lo up',
      (m) => m.type === RTM_NEWLINK && linkOf(m).index === 1 && (linkOf(m).flags & IFF_UP) !== 0,
    );
    const control = open();
    const ack = nextMessage(control, 'ack', (m) => m.type === NLMSG_ERROR && m.seq === 10);
    control.send(setLo(10, true));
    expect(errorOf(await ack)).toBe(0);
    expect(linkOf(await event).name).toBe('lo');

    listener.dropMembership(RTNLGRP_LINK);
    listener.receiveNow();
    const seen = vi.fn();
    listener.on('message', seen);
    control.send(setLo(11, false));
    control.receiveNow();
    // Notifications are sent inside the request, so anything for us would be queued by now.
    expect(listener.receiveNow()).toBe(0);
    expect(seen).not.toHaveBeenCalled();
  });

  it('sees a link that `ip` creates inside the namespace', async () => {
    const listener = open();
    listener.addMembership(RTNLGRP_LINK);
    const event = nextMessage(
      listener,
      'RTM_NEWLINK t0',
      (m) => m.type === RTM_NEWLINK && linkOf(m).name === 't0',
    );
    const net = `--net=/proc/${process.pid}/fd/${ns.fd}`;
    execFileSync('nsenter', [net, 'ip', 'link', 'add', 't0', 'type', 'ifb']);
    try {
      expect(linkOf(await event).index).toBeGreaterThan(1);
    } finally {
      execFileSync('nsenter', [net, 'ip', 'link', 'del', 't0']);
    }
  });

  it('reports an overrun as ENOBUFS, survives it and keeps receiving', async () => {
    const listener = open({ rcvbuf: 1 }); // clamped to SOCK_MIN_RCVBUF, a few KiB
    expect(listener.getsockopt(SOL_SOCKET, SO_RCVBUF)).toBeLessThan(16 * 1024);
    listener.addMembership(RTNLGRP_LINK);
    const errors: NetlinkSocketError[] = [];
    listener.on('error', (error) => errors.push(error));
    listener.pause();

    const control = open();
    let refused = 0;
    control.on('message', (datagram) => {
      for (const m of walk(datagram)) if (m.type === NLMSG_ERROR && errorOf(m) !== 0) refused++;
    });
    for (let i = 0; i < 200; i++) {
      control.send(setLo(100 + i, i % 2 === 0));
      control.receiveNow();
    }
    expect(refused).toBe(0);

    const overrun = nextError(listener);
    listener.resume();
    const error = await overrun;
    expect(error).toBeInstanceOf(NetlinkSocketError);
    expect(error.code).toBe('ENOBUFS');
    expect(error.errno).toBe(105);

    // Drain what fitted, then prove the re-armed watcher still delivers through the event loop.
    await tick();
    listener.receiveNow();
    const after = nextMessage(listener, 'event after overrun', (m) => m.type === RTM_NEWLINK);
    control.send(setLo(400, true));
    control.receiveNow();
    await after;
    expect(errors.map((e) => e.code)).toEqual(['ENOBUFS']);
  });
});

describe('receive errors', () => {
  it('reports a datagram longer than the receive buffer as EMSGSIZE and carries on', async () => {
    const socket = open({ recvBufferSize: 64 });
    const truncated = nextError(socket);
    const done = nextMessage(socket, 'NLMSG_DONE', (m) => m.type === NLMSG_DONE && m.seq === 20);
    socket.send(dumpLinks(20));
    const error = await truncated;
    expect(error).toBeInstanceOf(NetlinkSocketError);
    expect(error.code).toBe('EMSGSIZE');
    expect(error.errno).toBe(90);
    await done;
  });
});

describe('close', () => {
  it('is idempotent, emits close once, and later calls throw ERR_RTNL_CLOSED', async () => {
    const socket = open();
    const onClose = vi.fn();
    socket.on('close', onClose);
    const fd = socket.fd;
    socket.close();
    socket.close();
    expect(socket.closed).toBe(true);
    expect(socket.fd).toBe(-1);
    expect(() => fstatSync(fd)).toThrow(expect.objectContaining({ code: 'EBADF' }));
    await tick();
    expect(onClose).toHaveBeenCalledTimes(1);

    const send = () => socket.send(dumpLinks(1));
    expect(send).toThrow(NetlinkSocketError);
    expect(send).toThrow(expect.objectContaining({ code: 'ERR_RTNL_CLOSED' }));
    expect(() => socket.addMembership(RTNLGRP_LINK)).toThrow(
      expect.objectContaining({ code: 'ERR_RTNL_CLOSED' }),
    );
    expect(socket.receiveNow()).toBe(0);
    socket.pause();
    socket.resume();
    expect(socket.unref().ref()).toBe(socket);
  });
});

describe('async iteration', () => {
  it('yields datagrams; break leaves the socket open', async () => {
    const socket = open();
    socket.send(dumpLinks(30));
    const types: number[] = [];
    for await (const datagram of socket) {
      const messages = walk(datagram);
      types.push(...messages.map((m) => m.type));
      if (messages.some((m) => m.type === NLMSG_DONE)) break;
    }
    expect(types).toEqual([RTM_NEWLINK, NLMSG_DONE]);
    expect(socket.closed).toBe(false);
    expect(socket.listenerCount('message')).toBe(0);
  });

  it('ends when the socket closes', async () => {
    const socket = open();
    const iterator = socket[Symbol.asyncIterator]();
    const next = iterator.next();
    socket.close();
    await expect(next).resolves.toEqual({ value: undefined, done: true });
  });

  it('throws a receive error, then ends', async () => {
    const socket = open({ recvBufferSize: 64 });
    const iterator = socket[Symbol.asyncIterator]();
    socket.send(dumpLinks(31));
    await expect(iterator.next()).rejects.toMatchObject({ code: 'EMSGSIZE' });
    await expect(iterator.next()).resolves.toEqual({ value: undefined, done: true });
    expect(socket.closed).toBe(false);
  });
});

describe('addon loading', () => {
  it('names what it looked for and how to build it', () => {
    const dir = join(tmpdir(), `rtnl-no-addon-${process.pid}`);
    const load = () => loadAddonFrom(dir);
    expect(load).toThrow(NetlinkSocketError);
    let error: NetlinkSocketError | undefined;
    try {
      load();
    } catch (e) {
      error = e as NetlinkSocketError;
    }
    expect(error?.code).toBe('ERR_RTNL_ADDON');
    expect(error?.message).toContain(join(dir, 'build', 'Release'));
    expect(error?.message).toContain('No native build was found');
    expect(error?.message).toContain('npm rebuild rtnl');
    expect(error?.message).toContain('npm run build:native');
    expect(error?.message).toContain('python3');
  });
});

// The built package, exercised from child processes: both bundle formats, process lifetime
// (ref/unref), and the lazy addon load.
describe('bundled builds in a child process', () => {
  const out = join(ROOT, 'node_modules', '.cache', `rtnl-socket-test-${process.pid}`);

  beforeAll(() => {
    mkdirSync(out, { recursive: true });
    execFileSync(
      join(ROOT, 'node_modules', '.bin', 'tsup'),
      [
        '--no-config',
        '--entry.socket',
        'src/netlink/socket.ts',
        '--entry.ns',
        'src/ns/index.ts',
        '--format',
        'esm,cjs',
        '--target',
        'node20',
        '--platform',
        'node',
        '--silent',
        '-d',
        out,
      ],
      { cwd: ROOT, stdio: 'pipe' },
    );
  }, 60_000);

  afterAll(() => {
    rmSync(out, { recursive: true, force: true });
  });

  function runNode(args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 5000) {
    return new Promise<{ code: number | null; timedOut: boolean; stdout: string; stderr: string }>(
      (resolvePromise, reject) => {
        const child = spawn(process.execPath, args, {
          env: { ...process.env, ...env },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let stdout = '';
        let stderr = '';
        let timedOut = false;
        child.stdout.on('data', (d: Buffer) => {
          stdout += d;
        });
        child.stderr.on('data', (d: Buffer) => {
          stderr += d;
        });
        const timer = setTimeout(() => {
          timedOut = true;
          child.kill('SIGKILL');
        }, timeoutMs);
        child.on('error', reject);
        child.on('close', (code) => {
          clearTimeout(timer);
          resolvePromise({ code, timedOut, stdout, stderr });
        });
      },
    );
  }

  const program = (unref: boolean) => `
    const ns = createNetns();
    const socket = NetlinkSocket.open(0, { netns: ns.fd });
    ns.close();
    socket.addMembership(1);
    socket.on('error', () => {});
    ${unref ? 'socket.unref();' : ''}
    console.log('open', socket.portId);
  `;
  const cjs = (body: string) => [
    '-e',
    `const { NetlinkSocket } = require(${JSON.stringify(join(out, 'socket.cjs'))});
     const { createNetns } = require(${JSON.stringify(join(out, 'ns.cjs'))});
     ${body}`,
  ];
  const esm = (body: string) => [
    '--input-type=module',
    '-e',
    `import { NetlinkSocket } from ${JSON.stringify(join(out, 'socket.js'))};
     import { createNetns } from ${JSON.stringify(join(out, 'ns.js'))};
     ${body}`,
  ];

  it.each([
    ['CJS', cjs],
    ['ESM', esm],
  ])('%s build: an unref()ed socket lets the process exit', async (_, build) => {
    const result = await runNode(build(program(true)));
    expect(result).toMatchObject({ code: 0, timedOut: false });
    expect(result.stdout).toMatch(/^open [1-9]\d*$/m);
  });

  it('a watched socket keeps the process alive without unref()', async () => {
    const result = await runNode(cjs(program(false)), {}, 1500);
    expect(result.stdout).toMatch(/^open [1-9]\d*$/m);
    expect(result.timedOut).toBe(true);
  });

  it('importing works without the addon; opening says ERR_RTNL_ADDON', async () => {
    const body = `
      try { NetlinkSocket.open(0); } catch (e) { console.log(e.name, e.code); console.log(e.message); }
    `;
    const result = await runNode(cjs(body), { RTNL_ADDON_PATH: '/nonexistent/rtnl' });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('NetlinkSocketError ERR_RTNL_ADDON');
    expect(result.stdout).toContain('/nonexistent/rtnl/build/Release');
  });
});
