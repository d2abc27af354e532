// `rtnl link show` against `ip link show` (iproute2 is the oracle) in a namespace the test made.
// Runs the built CLI (npm test builds dist/ first).
import { execFileSync, spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNetns, type Netns } from '../../src/ns/index.js';

const BIN = new URL('../../bin/rtnl.js', import.meta.url).pathname;
let ns: Netns;
let nsPath: string;
const ip = (...args: string[]) =>
  execFileSync('nsenter', [`--net=${nsPath}`, 'ip', ...args], { encoding: 'utf8' });
const rtnl = (...args: string[]) =>
  spawnSync(process.execPath, [BIN, '-n', nsPath, ...args], { encoding: 'utf8' });

beforeAll(() => {
  ns = createNetns();
  nsPath = `/proc/${process.pid}/fd/${ns.fd}`;
  for (const cmd of [
    'link set lo up',
    'link add t0 type ifb',
    'link add br0 type bridge',
    'link set t0 master br0',
    'link set t0 up mtu 1400',
    'link set br0 up',
    'link add t1 type ifb',
  ]) {
    ip(...cmd.split(' '));
  }
});

afterAll(() => ns.close());

describe('rtnl link show', () => {
  it('-j prints the same document as `ip -j link show`', () => {
    const ours = rtnl('-j', 'link', 'show');
    expect(ours.status).toBe(0);
    expect(JSON.parse(ours.stdout)).toEqual(JSON.parse(ip('-j', 'link', 'show')));
  });

  it('text output matches `ip link show` line for line', () => {
    expect(rtnl('link', 'show').stdout).toBe(ip('link', 'show'));
  });

  it('filters by device, with or without "dev"', () => {
    expect(rtnl('link', 'show', 'dev', 't0').stdout).toBe(ip('link', 'show', 'dev', 't0'));
    expect(rtnl('-j', 'link', 'show', 't1').stdout).toBe(ip('-j', 'link', 'show', 't1'));
  });

  it('an unknown device is an error, as in ip', () => {
    const r = rtnl('link', 'show', 'dev', 'nope');
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('Device "nope" does not exist.\n');
  });

  it('says plainly what it does not implement yet', () => {
    const r = rtnl('route', 'show');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('not implemented yet');
  });
});
