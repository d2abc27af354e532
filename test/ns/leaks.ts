// What a namespace test may leave behind, measured: named namespaces with our prefix, entries
// under /etc/netns, mounts, descriptors and child processes. Each test file snapshots before and
// asserts after. Mounts are compared as a set of lines, and only lines that could be ours count
// (other test files may add and remove their own named namespaces at the same time).
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmdirSync, rmSync, statSync } from 'node:fs';
import { expect } from 'vitest';
import { deleteNamedNetns, NETNS_RUN_DIR } from '../../src/ns/index.js';

/** Names this test process makes: `rtnl-test-<pid>-<tag>-<n>`. */
export function namer(tag: string): () => string {
  let n = 0;
  return () => `rtnl-test-${process.pid}-${tag}-${n++}`;
}

export const PREFIX = `rtnl-test-${process.pid}-`;

export function countFds(): number {
  return readdirSync('/proc/self/fd').length;
}

/** Pids of this process's children (over every thread). */
export function childPids(): number[] {
  const pids: number[] = [];
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      const text = readFileSync(`/proc/self/task/${tid}/children`, 'utf8').trim();
      if (text) pids.push(...text.split(/\s+/).map(Number));
    } catch {}
  }
  return pids;
}

export function mountLines(): Set<string> {
  return new Set(
    readFileSync('/proc/self/mountinfo', 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      // Drop the mount id and parent id: a remount elsewhere renumbers nothing of ours.
      .map((l) => l.split(' ').slice(2).join(' ')),
  );
}

/** Mount lines added since `before` that could come from a namespace test of ours. */
export function ourNewMounts(before: Set<string>): string[] {
  return [...mountLines()].filter(
    (line) =>
      !before.has(line) &&
      (line.includes(PREFIX) ||
        line.includes('rtnl-netns') ||
        / \/sys /.test(line) ||
        / \/etc\//.test(line) ||
        / \/run\/netns /.test(line)),
  );
}

/** Best-effort removal of a named namespace a failed test may have left. */
export function removeNamed(name: string): void {
  if (!existsSync(`${NETNS_RUN_DIR}/${name}`)) return;
  try {
    deleteNamedNetns(name);
  } catch {
    execFileSync('ip', ['netns', 'delete', name], { stdio: 'ignore' });
  }
}

/** Named namespaces and /etc/netns entries with our prefix. */
export function ourLeftovers(): string[] {
  const left: string[] = [];
  for (const dir of [NETNS_RUN_DIR, '/etc/netns']) {
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir)) if (name.startsWith(PREFIX)) left.push(`${dir}/${name}`);
  }
  return left;
}

/** Removes whatever {@link ourLeftovers} finds (after a failure), returning what it found. */
export function sweep(): string[] {
  const left = ourLeftovers();
  for (const path of left) {
    if (path.startsWith(`${NETNS_RUN_DIR}/`)) removeNamed(path.slice(NETNS_RUN_DIR.length + 1));
    else rmSync(path, { recursive: true, force: true });
  }
  return left;
}

/** A snapshot to take in beforeAll and check in afterAll. */
export function leakGuard(): { check(): void } {
  const fds = countFds();
  const mounts = mountLines();
  const etcExisted = existsSync('/etc/netns');
  return {
    check() {
      const left = sweep();
      if (!etcExisted && existsSync('/etc/netns') && readdirSync('/etc/netns').length === 0) {
        try {
          rmdirSync('/etc/netns');
        } catch {}
      }
      expect(left, 'named namespaces or /etc/netns entries left behind').toEqual([]);
      expect(ourNewMounts(mounts), 'mounts left behind').toEqual([]);
      expect(childPids(), 'child processes left behind').toEqual([]);
      expect(countFds(), 'descriptors left open').toBe(fds);
    },
  };
}

/** A `sleep` running inside the namespace at `nsPath` (entered with nsenter); stop() ends it. */
export async function sleeperIn(nsPath: string): Promise<{ pid: number; stop(): Promise<void> }> {
  const child = spawn('nsenter', [`--net=${nsPath}`, 'sleep', '60'], { stdio: 'ignore' });
  await new Promise((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', reject);
  });
  const pid = child.pid!;
  // nsenter switches, then execs sleep in the same process: wait until the switch is visible.
  const want = statSync(nsPath);
  for (let i = 0; i < 400; i++) {
    try {
      const now = statSync(`/proc/${pid}/ns/net`);
      if (now.ino === want.ino && now.dev === want.dev) break;
    } catch {}
    await new Promise((r) => setTimeout(r, 5));
  }
  return {
    pid,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const closed = new Promise((r) => child.once('close', r));
      child.kill();
      await closed;
    },
  };
}
