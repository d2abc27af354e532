// Kernel tests for namespace creation. Anonymous namespaces vanish with their fd; named ones use
// unique names (rtnl-test-<pid>-<n>) and are deleted in `finally`, checked against `ip netns`.

import { execFileSync } from 'node:child_process';
import {
  existsSync,
  fstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NetlinkSocketError } from '../../src/netlink/errors.js';
import { NetlinkSocket } from '../../src/netlink/socket.js';
import {
  addNamedNetns,
  createNetns,
  deleteNamedNetns,
  NETNS_RUN_DIR,
  namedNetnsPath,
} from '../../src/ns/index.js';

const NETLINK_ROUTE = 0; // <linux/netlink.h>
const NLMSG_DONE = 3;
const RTM_NEWLINK = 16; // <linux/rtnetlink.h>
const RTM_GETLINK = 18;
const IFLA_IFNAME = 3; // <linux/if_link.h>

const ROOT = resolve(import.meta.dirname, '../..');
const prefix = `rtnl-test-${process.pid}-`;
let counter = 0;
const uniqueName = () => `${prefix}${counter++}`;

function countFds(): number {
  return readdirSync('/proc/self/fd').length;
}

/** Names `ip netns list` shows (each line is `NAME` or `NAME (id: N)`). */
function ipNetnsList(): string[] {
  return execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })
    .split('\n')
    .map((line) => line.split(' ')[0] ?? '')
    .filter((name) => name !== '');
}

/** `<command...> -o link show`, e.g. `ip -n NAME`; one line per link. */
function linksVia(command: string[]): string[] {
  const [file = 'ip', ...args] = command;
  return execFileSync(file, [...args, '-o', 'link', 'show'], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => line !== '');
}

function isMountPoint(path: string): boolean {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .some((line) => line.split(' ')[4] === path);
}

/** Link names seen by a netlink dump from a socket opened in `netns`. */
function dumpLinkNames(netns: string | number): string[] {
  const socket = NetlinkSocket.open(NETLINK_ROUTE, { netns });
  try {
    const request = Buffer.alloc(32);
    request.writeUInt32LE(32, 0); // nlmsg_len
    request.writeUInt16LE(RTM_GETLINK, 4); // nlmsg_type
    request.writeUInt16LE(0x301, 6); // NLM_F_REQUEST | NLM_F_DUMP
    request.writeUInt32LE(1, 8); // nlmsg_seq; the ifinfomsg stays zero
    const names: string[] = [];
    let done = false;
    socket.on('message', (datagram) => {
      for (let offset = 0; offset + 16 <= datagram.length; ) {
        const length = datagram.readUInt32LE(offset);
        const type = datagram.readUInt16LE(offset + 4);
        if (type === NLMSG_DONE) done = true;
        if (type === RTM_NEWLINK) {
          // Attributes follow the 16-byte ifinfomsg.
          for (let at = offset + 32; at + 4 <= offset + length; ) {
            const attrLength = datagram.readUInt16LE(at);
            if (attrLength < 4) break;
            if ((datagram.readUInt16LE(at + 2) & 0x3fff) === IFLA_IFNAME) {
              names.push(datagram.toString('latin1', at + 4, at + attrLength - 1));
            }
            at += (attrLength + 3) & ~3;
          }
        }
        offset += (length + 3) & ~3;
      }
    });
    socket.send(request);
    // rtnetlink queues a dump's replies during send and refills inside recvmsg.
    socket.receiveNow();
    expect(done).toBe(true);
    return names;
  } finally {
    socket.close();
  }
}

/** Best-effort removal of a named namespace a failed test may have left. */
function cleanup(name: string): void {
  if (!existsSync(`${NETNS_RUN_DIR}/${name}`)) return;
  try {
    deleteNamedNetns(name);
  } catch {
    execFileSync('ip', ['netns', 'delete', name], { stdio: 'ignore' });
  }
}

let fdsBefore: number;
beforeEach(() => {
  fdsBefore = countFds();
});
afterEach(() => {
  expect(countFds()).toBe(fdsBefore);
});

describe('anonymous namespaces', () => {
  it('start with only lo', () => {
    const ns = createNetns();
    try {
      expect(ns.fd).toBeGreaterThanOrEqual(0);
      expect(ns.path).toBe(`/proc/self/fd/${ns.fd}`);
      // `ip` runs in another process, where /proc/self is not us.
      const links = linksVia(['nsenter', `--net=/proc/${process.pid}/fd/${ns.fd}`, 'ip']);
      expect(links).toHaveLength(1);
      expect(links[0]).toMatch(/^1: lo:/);
      expect(dumpLinkNames(ns.fd)).toEqual(['lo']);
    } finally {
      ns.close();
    }
  });

  it('are distinct from each other and from ours, which stays put', () => {
    const identity = (path: string) => {
      const { dev, ino } = statSync(path);
      return `${dev}:${ino}`;
    };
    const ours = identity('/proc/self/ns/net');
    const a = createNetns();
    const b = createNetns();
    try {
      const ids = [identity(a.path), identity(b.path), ours];
      expect(new Set(ids).size).toBe(3);
      // The namespace work ran on its own thread: Node's main thread did not move.
      expect(identity('/proc/self/ns/net')).toBe(ours);
      expect(identity('/proc/thread-self/ns/net')).toBe(ours);
    } finally {
      a.close();
      b.close();
    }
  });

  it('close() releases the fd and is idempotent; Symbol.dispose closes too', () => {
    const ns = createNetns();
    const fd = ns.fd;
    ns.close();
    expect(ns.closed).toBe(true);
    expect(ns.fd).toBe(-1);
    expect(() => fstatSync(fd)).toThrow(expect.objectContaining({ code: 'EBADF' }));
    ns.close();

    const other = createNetns();
    other[Symbol.dispose]();
    expect(other.closed).toBe(true);
  });
});

describe('named namespaces', () => {
  afterAll(() => {
    const left = readdirSync(NETNS_RUN_DIR).filter((name) => name.startsWith(prefix));
    for (const name of left) cleanup(name);
    expect(left).toEqual([]);
  });

  it('interoperate with ip netns, and delete leaves nothing behind', () => {
    const name = uniqueName();
    const path = `${NETNS_RUN_DIR}/${name}`;
    try {
      expect(addNamedNetns(name)).toBe(path);
      expect(isMountPoint(path)).toBe(true);
      expect(ipNetnsList()).toContain(name);
      const links = linksVia(['ip', '-n', name]);
      expect(links).toHaveLength(1);
      expect(links[0]).toMatch(/^1: lo:/);
      expect(dumpLinkNames(path)).toEqual(['lo']);
      expect(statSync(path).ino).not.toBe(statSync('/proc/self/ns/net').ino);

      deleteNamedNetns(name);
      expect(existsSync(path)).toBe(false);
      expect(isMountPoint(path)).toBe(false);
      expect(ipNetnsList()).not.toContain(name);
    } finally {
      cleanup(name);
    }
  });

  it('makes /run/netns a shared mount point, as iproute2 does', () => {
    const name = uniqueName();
    try {
      addNamedNetns(name);
      const line = readFileSync('/proc/self/mountinfo', 'utf8')
        .split('\n')
        .find((l) => l.split(' ')[4] === NETNS_RUN_DIR);
      expect(line).toBeDefined();
      expect(line).toMatch(/ shared:\d+/);
    } finally {
      cleanup(name);
    }
  });

  it('deletes what `ip netns add` made, and `ip netns delete` removes ours', () => {
    const theirs = uniqueName();
    const ours = uniqueName();
    try {
      execFileSync('ip', ['netns', 'add', theirs]);
      deleteNamedNetns(theirs);
      expect(existsSync(`${NETNS_RUN_DIR}/${theirs}`)).toBe(false);
      expect(ipNetnsList()).not.toContain(theirs);

      addNamedNetns(ours);
      execFileSync('ip', ['netns', 'delete', ours]);
      expect(existsSync(`${NETNS_RUN_DIR}/${ours}`)).toBe(false);
      expect(isMountPoint(`${NETNS_RUN_DIR}/${ours}`)).toBe(false);
    } finally {
      cleanup(theirs);
      cleanup(ours);
    }
  });

  it('refuses a name that is taken (EEXIST) and keeps the existing namespace', () => {
    const name = uniqueName();
    try {
      addNamedNetns(name);
      const again = () => addNamedNetns(name);
      expect(again).toThrow(NetlinkSocketError);
      expect(again).toThrow(expect.objectContaining({ code: 'EEXIST' }));
      expect(isMountPoint(`${NETNS_RUN_DIR}/${name}`)).toBe(true);
      expect(linksVia(['ip', '-n', name])).toHaveLength(1);
    } finally {
      cleanup(name);
    }
  });

  it('accepts a name of exactly NAME_MAX (255) bytes', () => {
    const name = prefix + 'x'.repeat(255 - prefix.length);
    try {
      addNamedNetns(name);
      expect(ipNetnsList()).toContain(name);
    } finally {
      cleanup(name);
    }
  });

  it('turns a plain /run/netns into a shared mount point first (in a private mount namespace)', () => {
    // The EINVAL branch of iproute2's netns_add needs /run/netns not to be a mount point. Undo
    // that only inside a child's private mount namespace (`unshare --mount` makes every mount
    // private, so nothing propagates back); the host's mounts are never touched.
    const out = join(ROOT, 'node_modules', '.cache', `rtnl-netns-test-${process.pid}`);
    const name = uniqueName();
    mkdirSync(out, { recursive: true });
    try {
      execFileSync(
        join(ROOT, 'node_modules', '.bin', 'tsup'),
        ['--no-config', '--entry.ns', 'src/ns/index.ts', '--format', 'cjs', '--silent', '-d', out],
        { cwd: ROOT, stdio: 'pipe' },
      );
      const program = `
        const { execFileSync } = require('node:child_process');
        const { existsSync, readFileSync } = require('node:fs');
        const { addNamedNetns, deleteNamedNetns } = require(${JSON.stringify(join(out, 'ns.cjs'))});
        const mounts = () => readFileSync('/proc/self/mountinfo', 'utf8').split('\\n')
          .filter((line) => line.split(' ')[4] === '/run/netns');
        while (mounts().length > 0) execFileSync('umount', ['-l', '/run/netns']);
        addNamedNetns(${JSON.stringify(name)});
        const after = mounts();
        const ok = execFileSync('ip', ['-n', ${JSON.stringify(name)}, '-o', 'link', 'show'], { encoding: 'utf8' });
        deleteNamedNetns(${JSON.stringify(name)});
        console.log(JSON.stringify({ after, ok, left: existsSync('/run/netns/' + ${JSON.stringify(name)}) }));
      `;
      const output = execFileSync(
        'unshare',
        ['--mount', '--propagation', 'private', process.execPath, '-e', program],
        { encoding: 'utf8' },
      );
      const result = JSON.parse(output) as { after: string[]; ok: string; left: boolean };
      expect(result.after).toHaveLength(1);
      expect(result.after[0]).toMatch(/ shared:\d+/);
      expect(result.ok).toMatch(/^1: lo:/);
      expect(result.left).toBe(false);
    } finally {
      rmSync(out, { recursive: true, force: true });
      cleanup(name);
    }
  }, 60_000);

  it('reports deleting a namespace that does not exist as ENOENT', () => {
    expect(() => deleteNamedNetns(uniqueName())).toThrow(
      expect.objectContaining({ code: 'ENOENT', errno: 2 }),
    );
  });

  it.each([
    ['empty', ''],
    ['dot', '.'],
    ['dot-dot', '..'],
    ['a slash', 'a/b'],
    ['a path', '../etc'],
    ['256 bytes', 'x'.repeat(256)],
    ['128 two-byte characters', 'é'.repeat(128)],
    ['a NUL byte', 'a\0b'],
  ])('rejects a name that is %s with EINVAL, before touching the disk', (_, name) => {
    for (const call of [() => addNamedNetns(name), () => deleteNamedNetns(name)]) {
      expect(call).toThrow(NetlinkSocketError);
      expect(call).toThrow(expect.objectContaining({ code: 'EINVAL', errno: 22 }));
    }
    expect(() => namedNetnsPath(name)).toThrow(/invalid network namespace name/);
  });
});
