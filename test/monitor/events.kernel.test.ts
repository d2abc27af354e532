// Live notifications from the kernel, inside anonymous namespaces this file makes: every object
// added, changed and deleted with iproute2 shows up as the right typed event, in order. What
// each event must say comes from what the test asked iproute2 to do and from `ip -j` reading
// the same state back, never from our own decoder.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Monitor } from '../../src/monitor/monitor.js';
import type { ObjectEvent } from '../../src/monitor/types.js';
import { createNetns, type Netns } from '../../src/ns/index.js';
import { RtNetlink } from '../../src/rtnetlink/client.js';
import { ipIn, ipJsonIn, until } from './helpers.js';

let ns: Netns;
let mon: Monitor;
const events: ObjectEvent[] = [];

const ip = (...args: string[]) => ipIn(ns, ...args);
const ifindex = (name: string) =>
  ipJsonIn<{ ifindex: number }[]>(ns, 'link', 'show', 'dev', name)[0]!.ifindex;

/** Events from `from` on that match `pick`, after waiting until at least `count` arrived. */
async function awaitEvents(
  from: number,
  pick: (e: ObjectEvent) => boolean,
  count: number,
): Promise<ObjectEvent[]> {
  const found = () => events.slice(from).filter(pick);
  await until(() => found().length >= count, 5000, `${count} matching event(s)`);
  // Anything else the same change causes arrives in the same burst.
  await new Promise((r) => setTimeout(r, 30));
  return found();
}

beforeAll(async () => {
  ns = createNetns();
  ip('link', 'set', 'lo', 'up');
  mon = await Monitor.open({
    netns: ns,
    groups: [
      'link',
      'ipv4-ifaddr',
      'ipv6-ifaddr',
      'ipv4-route',
      'ipv6-route',
      'ipv4-rule',
      'ipv6-rule',
      'neigh',
      'nsid',
    ],
  });
  mon.on('event', (e) => events.push(e));
});

afterAll(() => {
  mon?.close();
  ns?.close();
});

describe('links', () => {
  it('a veth pair: both ends are new links, with the names, indexes and kind ip reports', async () => {
    const from = events.length;
    ip('link', 'add', 'v0', 'type', 'veth', 'peer', 'name', 'v1');
    const got = await awaitEvents(from, (e) => e.object === 'link', 2);
    const v0 = ifindex('v0');
    const v1 = ifindex('v1');
    for (const [name, index] of [
      ['v0', v0],
      ['v1', v1],
    ] as const) {
      const first = got.find((e) => e.object === 'link' && e.value.index === index);
      expect(first).toMatchObject({
        action: 'new',
        object: 'link',
        origin: 'kernel',
        netns: ns,
        message: { type: 16 }, // RTM_NEWLINK
        value: { family: 0, index, name, kind: 'veth' },
      });
    }
  });

  it('a change (mtu, up) is a new event carrying the new state', async () => {
    const from = events.length;
    ip('link', 'set', 'v0', 'mtu', '1400', 'up');
    const [j] = ipJsonIn<{ mtu: number; flags: string[] }[]>(ns, 'link', 'show', 'dev', 'v0');
    const got = await awaitEvents(
      from,
      (e) => e.object === 'link' && e.value.index === ifindex('v0'),
      1,
    );
    const last = got.at(-1)!;
    expect(last.action).toBe('new');
    if (last.object !== 'link') throw new Error('not a link');
    expect(last.value.attributes.mtu).toBe(j!.mtu);
    expect(last.value.flags.names).toContain('up');
    expect(j!.flags).toContain('UP');
  });

  it('deleting one end deletes both: del events, after the news', async () => {
    ip('link', 'add', 'w0', 'type', 'veth', 'peer', 'name', 'w1');
    const w0 = ifindex('w0');
    const w1 = ifindex('w1');
    const from = events.length;
    ip('link', 'del', 'w0');
    const got = await awaitEvents(from, (e) => e.object === 'link' && e.action === 'del', 2);
    expect(got.map((e) => (e.value as { index: number }).index).sort()).toEqual([w0, w1].sort());
    for (const e of got) expect(e.message.type).toBe(17); // RTM_DELLINK
    // In the whole stream, each index's first event is its `new` and its last its `del`.
    for (const index of [w0, w1]) {
      const mine = events.filter((e) => e.object === 'link' && e.value.index === index);
      expect(mine[0]!.action).toBe('new');
      expect(mine.at(-1)!.action).toBe('del');
    }
  });
});

describe('addresses', () => {
  beforeAll(() => {
    ip('link', 'set', 'v1', 'up');
  });

  it.each([
    ['IPv4', '192.0.2.1/24', 2, ['metric', '7'], { rtPriority: 7 }],
    ['IPv6', '2001:db8::1/64', 10, ['nodad', 'metric', '9'], { rtPriority: 9 }],
  ] as const)('%s: add, change, delete in order', async (_, address, family, change, changed) => {
    const index = ifindex('v0');
    const mine = (e: ObjectEvent) =>
      e.object === 'address' && e.value.index === index && e.value.address === address;
    const from = events.length;
    ip('addr', 'add', address, 'dev', 'v0', ...(family === 10 ? ['nodad'] : []));
    const [added] = await awaitEvents(from, mine, 1);
    const [j] = ipJsonIn<{ addr_info: { local: string; prefixlen: number; family: string }[] }[]>(
      ns,
      'addr',
      'show',
      'dev',
      'v0',
    );
    const shown = j!.addr_info.find((a) => `${a.local}/${a.prefixlen}` === address);
    expect(shown).toBeDefined();
    expect(added).toMatchObject({
      action: 'new',
      object: 'address',
      message: { type: 20 }, // RTM_NEWADDR
      value: { family, index, prefixlen: shown!.prefixlen, address },
    });

    const at = events.length;
    ip('addr', 'replace', address, 'dev', 'v0', ...change);
    const [updated] = await awaitEvents(
      at,
      (e) =>
        mine(e) &&
        e.action === 'new' &&
        e.object === 'address' &&
        e.value.attributes.rtPriority !== undefined,
      1,
    );
    expect((updated!.value as { attributes: object }).attributes).toMatchObject(changed);

    const before = events.length;
    ip('addr', 'del', address, 'dev', 'v0');
    const [removed] = await awaitEvents(before, (e) => mine(e) && e.action === 'del', 1);
    expect(removed).toMatchObject({ message: { type: 21 }, value: { address } }); // RTM_DELADDR
    expect(events.filter(mine).map((e) => e.action)).toEqual(
      expect.arrayContaining(['new', 'new', 'del']),
    );
    expect(events.filter(mine).at(-1)!.action).toBe('del');
  });
});

describe('routes', () => {
  beforeAll(() => {
    ip('addr', 'add', '192.0.2.1/24', 'dev', 'v0');
    ip('addr', 'add', '2001:db8::1/64', 'dev', 'v0', 'nodad');
  });

  it.each([
    ['IPv4', '198.51.100.0/24', '192.0.2.2', '192.0.2.3', 2],
    ['IPv6', '2001:db8:1::/64', '2001:db8::2', '2001:db8::3', 10],
  ] as const)('%s: add, replace, delete in order', async (_, dst, via, via2, family) => {
    const mine = (e: ObjectEvent) => e.object === 'route' && e.value.dst === dst;
    let from = events.length;
    ip('route', 'add', dst, 'via', via, 'dev', 'v0', 'table', '100');
    const [added] = await awaitEvents(from, mine, 1);
    const [j] = ipJsonIn<{ dst: string; gateway: string; dev: string }[]>(
      ns,
      family === 10 ? '-6' : '-4',
      'route',
      'show',
      'table',
      '100',
      dst,
    );
    expect(j).toMatchObject({ dst, gateway: via, dev: 'v0' });
    expect(added).toMatchObject({
      action: 'new',
      message: { type: 24 }, // RTM_NEWROUTE
      value: { family, dst, table: 100, attributes: { gateway: via, oif: ifindex('v0') } },
    });

    from = events.length;
    ip('route', 'replace', dst, 'via', via2, 'dev', 'v0', 'table', '100');
    const [replaced] = await awaitEvents(from, mine, 1);
    expect(replaced).toMatchObject({
      action: 'new',
      value: { dst, attributes: { gateway: via2 } },
    });
    // NLM_F_REPLACE (0x100) on the notification says the old route is gone.
    expect(replaced!.message.flags & 0x100).toBe(0x100);

    from = events.length;
    ip('route', 'del', dst, 'table', '100');
    const [removed] = await awaitEvents(from, mine, 1);
    expect(removed).toMatchObject({
      action: 'del',
      message: { type: 25 }, // RTM_DELROUTE
      value: { dst, attributes: { gateway: via2 } },
    });
    expect(events.filter(mine).map((e) => e.action)).toEqual(['new', 'new', 'del']);
  });
});

describe('rules', () => {
  it.each([
    ['IPv4', '-4', '203.0.113.0/24', 2],
    ['IPv6', '-6', '2001:db8:2::/48', 10],
  ] as const)('%s: add then delete', async (_, flag, from_, family) => {
    const mine = (e: ObjectEvent) => e.object === 'rule' && e.value.priority === 1000;
    let at = events.length;
    ip(flag, 'rule', 'add', 'from', from_, 'table', '100', 'pref', '1000');
    const [added] = await awaitEvents(at, mine, 1);
    const shown = ipJsonIn<{ priority: number; src: string; srclen: number; table: string }[]>(
      ns,
      flag,
      'rule',
      'show',
    ).find((r) => r.priority === 1000);
    expect(`${shown!.src}/${shown!.srclen}`).toBe(from_);
    expect(added).toMatchObject({
      action: 'new',
      message: { type: 32 }, // RTM_NEWRULE
      value: { family, priority: 1000, src: from_, table: Number(shown!.table), action: 'to_tbl' },
    });
    at = events.length;
    ip(flag, 'rule', 'del', 'pref', '1000');
    const [removed] = await awaitEvents(at, mine, 1);
    expect(removed).toMatchObject({ action: 'del', message: { type: 33 }, value: { family } });
  });
});

describe('neighbours', () => {
  it.each([
    ['IPv4', '192.0.2.7', 2],
    ['IPv6', '2001:db8::7', 10],
  ] as const)('%s: add, change, delete in order', async (_, dst, family) => {
    const index = ifindex('v0');
    const mine = (e: ObjectEvent) =>
      e.object === 'neighbor' && e.value.dst === dst && e.value.ifindex === index;
    let at = events.length;
    ip('neigh', 'add', dst, 'lladdr', '02:00:00:00:00:07', 'dev', 'v0');
    const [added] = await awaitEvents(at, mine, 1);
    const [j] = ipJsonIn<{ dst: string; lladdr: string; state: string[] }[]>(
      ns,
      'neigh',
      'show',
      dst,
      'dev',
      'v0',
    );
    expect(added).toMatchObject({
      action: 'new',
      message: { type: 28 }, // RTM_NEWNEIGH
      value: { family, ifindex: index, dst, lladdr: j!.lladdr },
    });
    expect((added!.value as { state: { names: string[] } }).state.names).toEqual(
      j!.state.map((s) => s.toLowerCase()),
    );
    at = events.length;
    ip('neigh', 'change', dst, 'lladdr', '02:00:00:00:00:08', 'dev', 'v0');
    const [changed] = await awaitEvents(at, mine, 1);
    expect(changed).toMatchObject({ action: 'new', value: { lladdr: '02:00:00:00:00:08' } });
    at = events.length;
    ip('neigh', 'del', dst, 'dev', 'v0');
    const [removed] = await awaitEvents(at, (e) => mine(e) && e.action === 'del', 1);
    expect(removed).toMatchObject({ message: { type: 29 }, value: { dst } }); // RTM_DELNEIGH
    expect(events.filter(mine).at(-1)!.action).toBe('del');
  });
});

describe('namespace ids', () => {
  it('an id given is a new nsid event; the peer namespace going away is its del', async () => {
    const peer = createNetns();
    const rt = await RtNetlink.open({ netns: ns });
    try {
      const at = events.length;
      await rt.nsid.set(peer, 42);
      const [added] = await awaitEvents(at, (e) => e.object === 'nsid', 1);
      const listed = ipJsonIn<{ nsid: number }[]>(ns, 'netns', 'list-id');
      expect(listed.map((l) => l.nsid)).toEqual([42]);
      expect(added).toMatchObject({
        action: 'new',
        object: 'nsid',
        message: { type: 88 }, // RTM_NEWNSID
        value: { nsid: 42 },
      });
      const before = events.length;
      peer.close();
      // The namespace is destroyed asynchronously by the kernel's cleanup work.
      const [removed] = await awaitEvents(
        before,
        (e) => e.object === 'nsid' && e.action === 'del',
        1,
      );
      expect(removed).toMatchObject({ message: { type: 89 }, value: { nsid: 42 } }); // RTM_DELNSID
      expect(ipJsonIn(ns, 'netns', 'list-id')).toEqual([]);
    } finally {
      rt.close();
      peer.close();
    }
  });
});
