// rt.nsid against the live kernel: anonymous namespaces this file makes (never the host's, never
// a name under /run/netns), read back with `ip -j netns list-id` run in the observing one.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NetlinkError } from '../../../src/netlink/errors.js';
import { createNetns, type Netns } from '../../../src/ns/index.js';
import { RtNetlink } from '../../../src/rtnetlink/client.js';

let ns: Netns;
let peer: Netns;
let third: Netns;
let sleeper: ChildProcess;
let rt: RtNetlink;

const ipJson = <T>(...args: string[]): T =>
  JSON.parse(
    execFileSync('nsenter', [`--net=/proc/${process.pid}/fd/${ns.fd}`, 'ip', '-j', ...args], {
      encoding: 'utf8',
    }),
  ) as T;

beforeAll(async () => {
  ns = createNetns();
  peer = createNetns();
  third = createNetns();
  // A process living in `third`, to name that namespace by pid.
  sleeper = spawn('nsenter', [`--net=/proc/${process.pid}/fd/${third.fd}`, 'sleep', '60'], {
    stdio: 'ignore',
  });
  await new Promise((r) => setTimeout(r, 100));
  rt = await RtNetlink.open({ netns: ns });
});

afterAll(() => {
  sleeper?.kill('SIGKILL');
  rt?.close();
  for (const n of [ns, peer, third]) n?.close();
});

describe('rt.nsid', () => {
  it('a peer has no id until one is given', async () => {
    await expect(rt.nsid.get(peer)).resolves.toBeUndefined();
    expect(ipJson('netns', 'list-id')).toEqual([]);
  });

  it('set(peer, 5) → get → list, as ip netns list-id sees it', async () => {
    await rt.nsid.set(peer, 5);
    await expect(rt.nsid.get(peer)).resolves.toBe(5);
    // By a descriptor number as well as by the Netns.
    await expect(rt.nsid.get(peer.fd)).resolves.toBe(5);
    const theirs = ipJson<{ nsid: number }[]>('netns', 'list-id');
    expect(theirs.map((j) => j.nsid)).toEqual([5]);
    await expect(rt.nsid.list()).resolves.toEqual([{ nsid: 5 }]);
  });

  it("set({ pid }, 'auto') lets the kernel choose", async () => {
    await rt.nsid.set({ pid: sleeper.pid! }, 'auto');
    const id = await rt.nsid.get({ pid: sleeper.pid! });
    expect(id).toBeTypeOf('number');
    // The same namespace by its descriptor.
    await expect(rt.nsid.get(third)).resolves.toBe(id);
    const theirs = ipJson<{ nsid: number }[]>('netns', 'list-id');
    expect(theirs.map((j) => j.nsid).sort()).toEqual([5, id].sort());
    const mine = await rt.nsid.list();
    expect(mine.map((e) => e.nsid).sort()).toEqual([5, id].sort());
  });

  it('giving a second id is refused by the kernel', async () => {
    const err = await rt.nsid.set(peer, 6).catch((e) => e);
    expect(err).toBeInstanceOf(NetlinkError);
    expect(err.code).toBe('EEXIST');
    expect(err.kernelMessage).toBeTypeOf('string');
  });
});
