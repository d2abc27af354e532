// The request engine against the live kernel, inside an anonymous namespace each test makes
// (never the host's). Expected values come from the kernel's behaviour and from `ip -j` run
// in the same namespace, not from our own decoder.
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AttributeWriter } from '../../src/netlink/attributes.js';
import { Connection } from '../../src/netlink/connection.js';
import { NetlinkError } from '../../src/netlink/errors.js';
import { createNetns, type Netns } from '../../src/ns/index.js';
import { addressMessage } from '../../src/rtnetlink/address.js';
import { linkMessage } from '../../src/rtnetlink/link.js';
import { routeMessage } from '../../src/rtnetlink/route.js';

const RTM_NEWLINK = 16;
const RTM_GETLINK = 18;
const RTM_NEWADDR = 20;
const RTM_GETADDR = 22;
const RTM_NEWROUTE = 24;
const RTM_GETROUTE = 26;
const NLM_F_CREATE = 0x400;
const NLM_F_EXCL = 0x200;
const IFF_UP = 1;
const AF_INET = 2;
const AF_INET6 = 10;
const RT_TABLE_MAIN = 254;
const RTPROT_STATIC = 4;
const RT_SCOPE_UNIVERSE = 0;
const RTN_UNICAST = 1;
const RTN_BLACKHOLE = 6;

let ns: Netns;
let conn: Connection;
let fdsBefore: number;

const openFds = () => readdirSync('/proc/self/fd').length;
/** Run `ip` inside the test's namespace. */
const ip = (...args: string[]) =>
  execFileSync('nsenter', [`--net=/proc/${process.pid}/fd/${ns.fd}`, 'ip', ...args], {
    encoding: 'utf8',
  });
const ipJson = <T>(...args: string[]): T => JSON.parse(ip('-j', ...args)) as T;

const loUp = (w: AttributeWriter) =>
  linkMessage.encode(w, { header: { index: 1, flags: IFF_UP, change: IFF_UP } });

function addAddress(address: string, prefixlen: number, family = AF_INET) {
  return conn.request(
    RTM_NEWADDR,
    (w) =>
      addressMessage.encode(w, {
        header: { family, prefixlen, index: 1 },
        attributes: { local: address, address },
      }),
    { flags: NLM_F_CREATE | NLM_F_EXCL, schema: addressMessage },
  );
}

function addBlackhole(dst: string, dstLen: number, table = RT_TABLE_MAIN) {
  return (w: AttributeWriter) =>
    routeMessage.encode(w, {
      header: {
        family: AF_INET,
        dst_len: dstLen,
        table: Math.min(table, 252),
        protocol: RTPROT_STATIC,
        scope: RT_SCOPE_UNIVERSE,
        type: RTN_BLACKHOLE,
      },
      attributes: { dst, table },
    });
}

beforeEach(async () => {
  fdsBefore = openFds();
  ns = createNetns();
  conn = await Connection.open({ netns: ns.fd });
});

afterEach(() => {
  conn.close();
  ns.close();
  expect(openFds()).toBe(fdsBefore);
});

describe('requests and acks against the kernel', () => {
  it('brings lo up; `ip -j link` agrees', async () => {
    await expect(conn.request(RTM_NEWLINK, loUp)).resolves.toEqual([]);
    const [lo] = ipJson<{ ifname: string; flags: string[] }[]>('link', 'show', 'lo');
    expect(lo!.flags).toContain('UP');
  });

  it('dumps links and decodes them as `ip -j link` reports them', async () => {
    await conn.request(RTM_NEWLINK, loUp);
    const links = await conn.dump(RTM_GETLINK, (w) => linkMessage.encode(w, { header: {} })).list();
    const oracle = ipJson<{ ifindex: number; ifname: string; mtu: number; address: string }[]>(
      'link',
      'show',
    );
    expect(
      links.map((m) => {
        const { header, attributes } = linkMessage.decode(m.payload);
        return {
          ifindex: header.index,
          ifname: attributes.ifname,
          mtu: attributes.mtu,
          address: attributes.address,
        };
      }),
    ).toEqual(
      oracle.map(({ ifindex, ifname, mtu, address }) => ({ ifindex, ifname, mtu, address })),
    );
  });

  it('adds IPv4 and IPv6 addresses; a duplicate is refused with the kernel text', async () => {
    await conn.request(RTM_NEWLINK, loUp);
    await addAddress('192.0.2.1', 24);
    await addAddress('2001:db8::1', 64, AF_INET6);
    const err = await addAddress('192.0.2.1', 24).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetlinkError);
    expect((err as NetlinkError).code).toBe('EEXIST');
    // iproute2 prints the same text for the same refusal ("Error: ipv4: Address already assigned.").
    expect((err as NetlinkError).kernelMessage).toBe('ipv4: Address already assigned');
    const dumped = await conn
      .dump(RTM_GETADDR, (w) => addressMessage.encode(w, { header: {} }))
      .list();
    const mine = dumped
      .map((m) => addressMessage.decode(m.payload))
      .map((a) => `${a.attributes.address}/${a.header.prefixlen}`);
    const oracle = ipJson<{ addr_info: { local: string; prefixlen: number }[] }[]>(
      'addr',
      'show',
    ).flatMap((l) => l.addr_info.map((a) => `${a.local}/${a.prefixlen}`));
    expect(mine.sort()).toEqual(oracle.sort());
    expect(mine).toContain('2001:db8::1/64');
  });

  it('names the attribute the kernel pointed at (NLMSGERR_ATTR_OFFS → link.mtu)', async () => {
    const err = await conn
      .request(
        RTM_NEWLINK,
        (w) => {
          linkMessage.encode(w, { header: { index: 1 }, attributes: { txqlen: 1000 } });
          w.u16(4, 1500); // IFLA_MTU as a u16: the policy wants a u32
        },
        { schema: linkMessage },
      )
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetlinkError);
    const e = err as NetlinkError;
    expect(e.code).toBe('ERANGE');
    expect(e.kernelMessage).toBe('Attribute failed policy validation');
    expect(e.offset).toBe(40);
    expect(e.attributePath).toBe('link.mtu');
  });

  it('reports a route via an unreachable gateway with the kernel text', async () => {
    await conn.request(RTM_NEWLINK, loUp);
    const err = await conn
      .request(
        RTM_NEWROUTE,
        (w) =>
          routeMessage.encode(w, {
            header: {
              family: AF_INET,
              dst_len: 24,
              table: RT_TABLE_MAIN,
              protocol: RTPROT_STATIC,
              scope: RT_SCOPE_UNIVERSE,
              type: RTN_UNICAST,
            },
            attributes: { dst: '198.51.100.0', gateway: '203.0.113.1' },
          }),
        { flags: NLM_F_CREATE | NLM_F_EXCL, schema: routeMessage },
      )
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetlinkError);
    expect((err as NetlinkError).code).toBe('ENETUNREACH');
    expect((err as NetlinkError).kernelMessage).toBe('Nexthop has invalid gateway');
  });

  it('receives the error a strict dump carries in NLMSG_DONE', async () => {
    // rtm_dst_len set in a dump request: inet_dump_fib's strict check fails inside the dump.
    const err = await conn
      .dump(RTM_GETROUTE, (w) =>
        routeMessage.encode(w, { header: { family: AF_INET, dst_len: 8 } }),
      )
      .list()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetlinkError);
    expect((err as NetlinkError).code).toBe('EINVAL');
    expect((err as NetlinkError).kernelMessage).toBe(
      'Invalid values in header for FIB dump request',
    );
  });

  it('filters a route dump in the kernel (strict checking): only the asked table comes back', async () => {
    await conn.request(RTM_NEWLINK, loUp);
    await Promise.all([
      conn.request(RTM_NEWROUTE, addBlackhole('10.1.0.0', 16), {
        flags: NLM_F_CREATE | NLM_F_EXCL,
      }),
      conn.request(RTM_NEWROUTE, addBlackhole('10.2.0.0', 16, 1000), {
        flags: NLM_F_CREATE | NLM_F_EXCL,
      }),
    ]);
    const filtered = await conn
      .dump(RTM_GETROUTE, (w) =>
        routeMessage.encode(w, {
          header: { family: AF_INET, table: 252 },
          attributes: { table: 1000 },
        }),
      )
      .list();
    const decoded = filtered.map((m) => routeMessage.decode(m.payload));
    expect(decoded.map((r) => [r.attributes.dst, r.attributes.table])).toEqual([
      ['10.2.0.0', 1000],
    ]);
    // NLM_F_DUMP_FILTERED tells the kernel applied the filter itself.
    expect(filtered.every((m) => (m.flags & 0x20) !== 0)).toBe(true);
    const oracle = ipJson<{ dst: string; type: string }[]>('route', 'show', 'table', '1000');
    expect(oracle).toHaveLength(1);
    expect(oracle[0]).toMatchObject({ type: 'blackhole', dst: '10.2.0.0/16' });
  });
});

describe('many requests', () => {
  it('a burst of 500 requests leaves in batched datagrams and every ack resolves', async () => {
    await conn.request(RTM_NEWLINK, loUp);
    const sends: number[] = [];
    const send = conn.socket.send.bind(conn.socket);
    conn.socket.send = (data: Uint8Array) => {
      sends.push(data.length);
      send(data);
    };
    await Promise.all(
      Array.from({ length: 500 }, (_, i) =>
        conn.request(RTM_NEWROUTE, addBlackhole(`10.${i >> 8}.${i & 255}.0`, 24), {
          flags: NLM_F_CREATE | NLM_F_EXCL,
        }),
      ),
    );
    // 64 in flight by default: far fewer datagrams than requests.
    expect(sends.length).toBeLessThan(50);
    const routes = ipJson<unknown[]>('route', 'show', 'type', 'blackhole');
    expect(routes).toHaveLength(500);
  });

  it('a window that fits the receive buffer never loses an ack; one that does not, fails loudly', async () => {
    await conn.request(RTM_NEWLINK, loUp);
    // A tiny receive buffer (the kernel doubles 4096) holds a few acks, each costing its skb's
    // truesize (≈1 KiB). Window 4: every ack fits. Window 4096 with acks that echo the request
    // (capped off): the kernel drops acks, we see ENOBUFS, and the pending requests fail.
    const small = await Connection.open({ netns: ns.fd, rcvbuf: 4096, window: 4, capAck: false });
    const big = await Connection.open({ netns: ns.fd, rcvbuf: 4096, window: 4096, capAck: false });
    try {
      const ok = await Promise.allSettled(
        Array.from({ length: 600 }, (_, i) =>
          small.request(RTM_NEWROUTE, addBlackhole(`10.${i >> 8}.${i & 255}.0`, 24), {
            flags: NLM_F_CREATE,
          }),
        ),
      );
      expect(ok.filter((r) => r.status === 'rejected')).toHaveLength(0);
      const errors: string[] = [];
      big.on('error', (e: NetlinkError) => errors.push(e.code));
      const many = await Promise.allSettled(
        Array.from({ length: 3000 }, (_, i) =>
          big.request(RTM_NEWROUTE, addBlackhole(`11.${i >> 8}.${i & 255}.0`, 24), {
            flags: NLM_F_CREATE,
            timeout: 5000,
          }),
        ),
      );
      const rejected = many.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(rejected.length).toBeGreaterThan(0);
      expect(rejected.every((r) => (r.reason as { code: string }).code === 'ENOBUFS')).toBe(true);
      expect(errors).toContain('ENOBUFS');
    } finally {
      small.close();
      big.close();
    }
  });

  it('streams a dump of 3000 routes over several datagrams', async () => {
    await conn.request(RTM_NEWLINK, loUp);
    await Promise.all(
      Array.from({ length: 3000 }, (_, i) =>
        conn.request(RTM_NEWROUTE, addBlackhole(`10.${i >> 8}.${i & 255}.0`, 24, 2000), {
          flags: NLM_F_CREATE | NLM_F_EXCL,
        }),
      ),
    );
    let datagrams = 0;
    conn.socket.on('message', () => datagrams++);
    let n = 0;
    for await (const m of conn.dump(RTM_GETROUTE, (w) =>
      routeMessage.encode(w, {
        header: { family: AF_INET, table: 252 },
        attributes: { table: 2000 },
      }),
    )) {
      const r = routeMessage.decode(m.payload);
      expect(r.attributes.table).toBe(2000);
      n++;
    }
    expect(n).toBe(3000);
    expect(datagrams).toBeGreaterThan(3);
  });
});

describe('timeouts and aborts against the kernel', () => {
  it('a request whose reply is never read times out; the late ack is ignored', async () => {
    conn.socket.pause();
    const late: unknown[] = [];
    conn.on('unsolicited', (m) => late.push(m));
    const err = await conn.request(RTM_NEWLINK, loUp, { timeout: 50 }).catch((e: unknown) => e);
    expect((err as { code: string }).code).toBe('ETIMEDOUT');
    conn.socket.resume();
    await conn.request(RTM_NEWLINK, loUp);
    expect(late).toHaveLength(1);
  });

  it('an AbortSignal cancels a pending request', async () => {
    conn.socket.pause();
    const ac = new AbortController();
    const p = conn.request(RTM_NEWLINK, loUp, { signal: ac.signal });
    ac.abort();
    await expect(p).rejects.toMatchObject({ name: 'AbortError' });
    conn.socket.resume();
    await expect(conn.request(RTM_NEWLINK, loUp)).resolves.toEqual([]);
  });
});

describe('NLM_F_DUMP_INTR from the kernel', () => {
  it('an address dump that sees the table change is flagged, and list() retries it clean', async () => {
    await conn.request(RTM_NEWLINK, loUp);
    await Promise.all(
      Array.from({ length: 1500 }, (_, i) => addAddress(`10.9.${i >> 8}.${i & 255}`, 32)),
    );
    const writer = await Connection.open({ netns: ns.fd });
    // A low high-water mark makes reading pause between datagrams, so the table can change
    // while the kernel is still in the middle of the dump.
    const reader = await Connection.open({ netns: ns.fd, dumpHighWaterMark: 20 });
    try {
      // Read the dump slowly, changing the address table between datagrams: the kernel's
      // generation counter moves and it flags the dump inconsistent.
      let i = 0;
      const dump = reader.dump(
        RTM_GETADDR,
        (w) => addressMessage.encode(w, { header: { family: AF_INET } }),
        { onInterrupted: 'ignore' },
      );
      for await (const _m of dump) {
        if (++i % 100 === 0) {
          await writer.request(
            RTM_NEWADDR,
            (w) =>
              addressMessage.encode(w, {
                header: { family: AF_INET, prefixlen: 32, index: 1 },
                attributes: { local: `10.8.0.${i / 100}` },
              }),
            { flags: NLM_F_CREATE | NLM_F_EXCL },
          );
        }
      }
      expect(dump.interrupted).toBe(true);
      const again = reader.dump(RTM_GETADDR, (w) =>
        addressMessage.encode(w, { header: { family: AF_INET } }),
      );
      const all = await again.list();
      expect(again.interrupted).toBe(false);
      expect(all.length).toBe(1 + 1500 + Math.floor(i / 100));
    } finally {
      writer.close();
      reader.close();
    }
  });
});

describe('resource management', () => {
  it('`using` / `await using` close the namespace and the connection at the end of the block', async () => {
    let kept: { ns: Netns; conn: Connection } | undefined;
    {
      using inner = createNetns();
      await using c = await Connection.open({ netns: inner.fd });
      await c.request(RTM_NEWLINK, loUp);
      kept = { ns: inner, conn: c };
    }
    expect(kept.ns.closed).toBe(true);
    await expect(kept.conn.request(RTM_NEWLINK, loUp)).rejects.toMatchObject({
      code: 'ERR_RTNL_CLOSED',
    });
  });
});
