// rt.routes.applyMany(…, { stopOnError: true }) against the live kernel, in an anonymous
// namespace this file makes: on a real socket the shim's ordered sender (native/sequence.c)
// sends the requests one by one from a libuv worker, without acks, and stops at the first
// refusal. `ip -j route show` in the same namespace is the oracle for what was applied.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NetlinkError, type NetlinkSocketError } from '../../../src/netlink/errors.js';
import { createNetns, type Netns } from '../../../src/ns/index.js';
import { RtNetlink } from '../../../src/rtnetlink/client.js';
import { ipIn } from '../../helpers/ns-ip.js';

let ns: Netns;
let rt: RtNetlink;

const { nsenter, ip, ipError, ipBatch } = ipIn(() => ns);
const dstOf = (i: number) => `10.${(i >> 8) & 255}.${i & 255}.0/24`;
const specs = (n: number, table: number) =>
  Array.from({ length: n }, (_, i) => ({ dst: dstOf(i), dev: 'd0', table }));
/** `ip -j route show table N`: [] for a table that does not exist (yet). */
const shown = (table: number) => {
  const r = spawnSync(
    'nsenter',
    [...nsenter(), 'ip', '-j', 'route', 'show', 'table', String(table)],
    {
      encoding: 'utf8',
    },
  );
  if (r.status !== 0 && r.stderr.includes('FIB table does not exist')) return [];
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout) as { dst: string; metric?: number }[];
};

beforeAll(async () => {
  ns = createNetns();
  for (const cmd of ['link set lo up', 'link add d0 type ifb', 'link set d0 up']) {
    ip(...cmd.split(' '));
  }
  rt = await RtNetlink.open({ netns: ns });
});

afterAll(() => {
  rt?.close();
  ns?.close();
});

describe('stopOnError against the kernel (the shim’s ordered sender)', () => {
  it('adds every route in order when none is refused', async () => {
    const result = await rt.routes.applyMany('add', specs(2000, 100), { stopOnError: true });
    expect(result).toMatchObject({ count: 2000, ok: 2000, failed: 0 });
    expect(new Set(shown(100).map((r) => r.dst))).toEqual(
      new Set(specs(2000, 100).map((s) => s.dst)),
    );
  });

  it('stops at the refused request: the ones before it are in the table, none after it', async () => {
    ip('route', 'add', dstOf(700), 'dev', 'd0', 'table', '101');
    const result = await rt.routes.applyMany('add', specs(1500, 101), { stopOnError: true });
    expect(result).toMatchObject({ count: 1500, ok: 700, failed: 800 });
    const err = result.errors[700] as NetlinkError;
    expect(err).toBeInstanceOf(NetlinkError);
    expect(err.errno).toBe(17);
    // The same refusal as ip's, word for word.
    expect(ipError('route', 'add', dstOf(700), 'dev', 'd0', 'table', '101')).toBe(
      'RTNETLINK answers: File exists',
    );
    for (const e of result.errors.slice(701)) {
      expect((e as NetlinkSocketError).code).toBe('ERR_RTNL_NOT_SENT');
    }
    const dsts = new Set(shown(101).map((r) => r.dst));
    expect(dsts.size).toBe(701);
    for (let i = 0; i <= 700; i++) expect(dsts.has(dstOf(i))).toBe(true);
  });

  it('a refusal with an extended ack carries the kernel’s text', async () => {
    const bad = [
      { dst: '10.200.0.0/24', dev: 'd0', table: 102 },
      { dst: '10.200.1.0/24', dev: 'd0', table: 102, gateway: '192.0.2.1' },
      { dst: '10.200.2.0/24', dev: 'd0', table: 102 },
    ];
    const result = await rt.routes.applyMany('add', bad, { stopOnError: true });
    expect(result).toMatchObject({ ok: 1, failed: 2 });
    const err = result.errors[1] as NetlinkError;
    expect(`Error: ${err.kernelMessage}.`).toBe(
      ipError('route', 'add', '10.200.1.0/24', 'dev', 'd0', 'table', '102', 'via', '192.0.2.1'),
    );
    expect(shown(102).map((r) => r.dst)).toEqual(['10.200.0.0/24']);
  });

  it('replace and delete runs do what ip route replace / del do', async () => {
    const s = specs(300, 103);
    await rt.routes.applyMany('add', s, { stopOnError: true });
    const r1 = await rt.routes.applyMany(
      'replace',
      s.map((x) => ({ ...x, priority: 5 })),
      { stopOnError: true },
    );
    expect(r1.ok).toBe(300);
    // The same changes through ip -batch, in another table.
    const script = (verb: string, extra: string) =>
      s.map((x) => `route ${verb} ${x.dst} dev d0 table 107${extra}`);
    ipBatch(script('add', ''));
    ipBatch(script('replace', ' metric 5'));
    const strip = (rs: { dst: string; metric?: number }[]) =>
      rs.map((r) => `${r.dst} ${r.metric ?? 0}`).sort();
    expect(strip(shown(103))).toEqual(strip(shown(107)));
    const r2 = await rt.routes.applyMany('delete', s, { stopOnError: true });
    ipBatch(script('del', ''));
    expect(r2.ok).toBe(300);
    expect(strip(shown(103))).toEqual(strip(shown(107)));
  });

  it('requests made while a sequence runs wait for it, and dumps see its result', async () => {
    const run = rt.routes.applyMany('add', specs(3000, 104), { stopOnError: true });
    // Once the run is with the worker (its name lookup done), ask for more.
    await new Promise((r) => setImmediate(r));
    const during = rt.routes.list({ table: 104 });
    const link = rt.links.get('d0');
    const [result, routes, d0] = await Promise.all([run, during, link]);
    expect(result.ok).toBe(3000);
    expect(routes).toHaveLength(3000);
    expect(d0.name).toBe('d0');
  });

  it('close() during a sequence: the bulk fails ERR_RTNL_CLOSED, the socket closes once the worker lets go', async () => {
    const own = await RtNetlink.open({ netns: ns });
    const fds = () => readdirSync('/proc/self/fd').length;
    const run = own.routes.applyMany('add', specs(5000, 105), { stopOnError: true });
    // Let the engine hand the run to the worker.
    await new Promise((r) => setImmediate(r));
    own.close();
    const result = await run;
    expect(result.failed).toBeGreaterThan(0);
    expect(
      result.errors.some((e) => (e as NetlinkSocketError | undefined)?.code === 'ERR_RTNL_CLOSED'),
    ).toBe(true);
    // The worker stops before its next request: fewer than all were applied, and what was
    // applied is a prefix of the run.
    const applied = new Set(shown(105).map((r) => r.dst));
    expect(applied.size).toBeLessThan(5000);
    for (let i = 0; i < applied.size; i++) expect(applied.has(dstOf(i))).toBe(true);
    expect(result.ok).toBe(applied.size);
    // The socket closes when the worker returns.
    const before = fds();
    await new Promise((r) => setTimeout(r, 50));
    expect(fds()).toBeLessThanOrEqual(before);
    expect(() => own.connection.socket.send(Buffer.alloc(16))).toThrow();
  });

  it('an abort during a sequence stops the worker before its next request; what left is a prefix', async () => {
    const ac = new AbortController();
    const run = rt.routes.applyMany('add', specs(5000, 108), {
      stopOnError: true,
      signal: ac.signal,
    });
    await new Promise((r) => setImmediate(r));
    const reason = new Error('enough');
    ac.abort(reason);
    const result = await run;
    expect(result.failed).toBeGreaterThan(0);
    expect(result.errors.includes(reason)).toBe(true);
    const applied = new Set(shown(108).map((r) => r.dst));
    expect(applied.size).toBeLessThan(5000);
    for (let i = 0; i < applied.size; i++) expect(applied.has(dstOf(i))).toBe(true);
    // What the worker sent before it stopped is reported as done; only the rest as aborted.
    expect(result.ok).toBe(applied.size);
    for (let i = 0; i < 5000; i++) {
      expect(result.errors[i]).toBe(i < applied.size ? undefined : reason);
    }
    // The connection is usable again once the worker has returned.
    await rt.routes.add({ dst: '10.250.0.0/24', dev: 'd0', table: 108 });
    expect(shown(108).some((r) => r.dst === '10.250.0.0/24')).toBe(true);
  });

  it('a bad spec refuses the whole run before anything is sent', async () => {
    const s = [...specs(10, 106), { dst: 'not-a-prefix', dev: 'd0', table: 106 }];
    await expect(rt.routes.applyMany('add', s, { stopOnError: true })).rejects.toMatchObject({
      code: 'BAD_VALUE',
      path: 'routes[10].dst',
    });
    expect(shown(106)).toEqual([]);
    await expect(
      rt.routes.applyMany('bogus' as 'add', specs(1, 106), { stopOnError: true }),
    ).rejects.toMatchObject({ code: 'BAD_VALUE', path: 'op' });
  });
});
