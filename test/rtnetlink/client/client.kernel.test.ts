// RtNetlink.open() against the live kernel: every way of naming a namespace lands the socket in
// that namespace (told apart by what `ip` sees there), the socket keeps the namespace alive on
// its own, and nothing is left open. Only namespaces this file makes are touched.
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createNetns, type Netns } from '../../../src/ns/index.js';
import { RtNetlink } from '../../../src/rtnetlink/client.js';

let ns: Netns;
let fdsBefore: number;
const openFds = () => readdirSync('/proc/self/fd').length;
const ipLinks = (n: Netns) =>
  (
    JSON.parse(
      execFileSync(
        'nsenter',
        [`--net=/proc/${process.pid}/fd/${n.fd}`, 'ip', '-j', 'link', 'show'],
        {
          encoding: 'utf8',
        },
      ),
    ) as { ifname: string }[]
  ).map((l) => l.ifname);

beforeEach(() => {
  fdsBefore = openFds();
  ns = createNetns();
});

afterEach(() => {
  ns.close();
  expect(openFds()).toBe(fdsBefore);
});

describe('RtNetlink.open({ netns })', () => {
  it.each([
    ['a Netns', () => ns],
    ['a descriptor', () => ns.fd],
    ['a path', () => `/proc/${process.pid}/fd/${ns.fd}`],
  ])('by %s', async (_what, ref) => {
    await using rt = await RtNetlink.open({ netns: ref() });
    await rt.links.add({ name: 'marker0', kind: 'ifb' });
    expect(ipLinks(ns)).toEqual(['lo', 'marker0']);
    expect((await rt.links.list()).map((l) => l.name)).toEqual(['lo', 'marker0']);
  });

  it('the socket keeps the namespace once every descriptor of it is closed', async () => {
    const rt = await RtNetlink.open({ netns: ns, timeout: 5000 });
    ns.close();
    await rt.links.add({ name: 'orphan0', kind: 'ifb' });
    expect((await rt.links.list()).map((l) => l.name)).toEqual(['lo', 'orphan0']);
    rt.close();
    ns = createNetns();
  });
});
