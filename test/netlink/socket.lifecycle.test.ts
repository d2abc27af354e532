// The socket's life from the system's side: flags the kernel sees on the descriptor, many
// sockets opened and closed, and a socket left open in a worker thread that exits.
import { readdirSync, readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { Connection } from '../../src/netlink/connection.js';
import { NetlinkSocket } from '../../src/netlink/socket.js';
import { createNetns, type Netns } from '../../src/ns/index.js';

// <asm-generic/fcntl.h>, as /proc/<pid>/fdinfo prints them (octal).
const O_NONBLOCK = 0o4000;
const O_CLOEXEC = 0o2000000;
const NETLINK_ROUTE = 0;

let ns: Netns;
let before: number;
const openFds = () => readdirSync('/proc/self/fd').length;

beforeEach(() => {
  before = openFds();
  ns = createNetns();
});
afterEach(() => {
  ns.close();
  expect(openFds()).toBe(before);
});

it('sockets are CLOEXEC and NONBLOCK, and namespace fds CLOEXEC', () => {
  const sock = NetlinkSocket.open(NETLINK_ROUTE, { netns: ns.fd });
  try {
    const flags = (fd: number) => {
      const line = readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8')
        .split('\n')
        .find((l) => l.startsWith('flags:'))!;
      return Number.parseInt(line.split(/\s+/)[1]!, 8);
    };
    expect(flags(sock.fd) & O_NONBLOCK).toBe(O_NONBLOCK);
    expect(flags(sock.fd) & O_CLOEXEC).toBe(O_CLOEXEC);
    expect(flags(ns.fd) & O_CLOEXEC).toBe(O_CLOEXEC);
    // The kernel picked the port id (autobind), and it is this process's or a fresh one.
    expect(sock.portId).toBeGreaterThan(0);
  } finally {
    sock.close();
  }
});

it('opening and closing 500 connections leaks no descriptor', async () => {
  for (let i = 0; i < 500; i++) {
    const conn = await Connection.open({ netns: ns.fd });
    if (i % 100 === 0) await conn.dump(18, Buffer.alloc(16)).list();
    conn.close();
  }
  // The count is checked in afterEach.
});

it('a worker thread can use a connection and exit with it still open', async () => {
  // The worker runs the built package (what a user's worker would import).
  const dist = new URL('../../dist/index.js', import.meta.url).href;
  const code = `
    const { parentPort, workerData } = require('node:worker_threads');
    import(workerData.dist).then(async ({ Connection }) => {
      const conn = await Connection.open({ netns: workerData.path });
      const links = await conn.dump(18, Buffer.alloc(16)).list();
      // Deliberately not closed: the environment's teardown must release the poll handle.
      conn.socket.ref();
      parentPort.postMessage(links.length);
      process.exit(0);
    });
  `;
  const worker = new Worker(code, {
    eval: true,
    workerData: { dist, path: `/proc/${process.pid}/fd/${ns.fd}` },
  });
  const count = await new Promise<number>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  const exitCode = await new Promise<number>((resolve) => worker.once('exit', resolve));
  expect(count).toBe(1);
  expect(exitCode).toBe(0);
});
