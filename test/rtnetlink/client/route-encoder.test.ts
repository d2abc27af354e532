// routeEncoder (src/rtnetlink/requests/route.ts), what rt.routes.sequence() encodes with: a change
// that differs from the one before only in its destination reuses that one's bytes with the
// destination patched in. Whatever path it takes, its output must be buildRouteRequest's, which
// test/rtnetlink/client/requests-route.test.ts checks against iproute2's captured requests.
import { describe, expect, it } from 'vitest';
import { NetlinkEncodeError } from '../../../src/netlink/errors.js';
import {
  buildRouteRequest,
  planPayload,
  type RouteOp,
  type RouteSpec,
  routeEncoder,
} from '../../../src/rtnetlink/requests/route.js';

/** What buildRouteRequest makes of the change, or the error it throws. */
function full(op: RouteOp, spec: RouteSpec<number>) {
  try {
    const plan = buildRouteRequest(op, spec);
    return { type: plan.type, flags: plan.flags, payload: [...planPayload(plan)] };
  } catch (err) {
    return { error: err };
  }
}

function encoded(encode: ReturnType<typeof routeEncoder>, op: RouteOp, spec: RouteSpec<number>) {
  try {
    const r = encode(op, spec);
    return { type: r.type, flags: r.flags, payload: [...r.payload] };
  } catch (err) {
    return { error: err };
  }
}

// A small deterministic generator (the same changes on every run).
function lcg(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return x / 2 ** 32;
  };
}

describe('routeEncoder', () => {
  it('encodes 5000 mixed changes exactly as buildRouteRequest does, errors included', () => {
    const rnd = lcg(7);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
    const dsts = [
      () => `10.${Math.floor(rnd() * 256)}.${Math.floor(rnd() * 256)}.0/24`,
      () => `10.${Math.floor(rnd() * 256)}.0.0/${16 + Math.floor(rnd() * 17)}`,
      () => `2001:db8:${Math.floor(rnd() * 65536).toString(16)}::/64`,
      () => `2001:db8::${Math.floor(rnd() * 65536).toString(16)}`,
      () => '198.51.100.7',
      () => 'default',
      () => '0.0.0.0/0',
      () => '10.0.0.300/24',
      () => '10.1.0.0/33',
      // Texts the general parser reads differently or refuses: leading zeros, blanks, /0.
      () => pick(['10.1.2.0/024', '10.1.2.0/08', '010.1.2.0/24', ' 10.1.2.0/24', '10.1.2.0/ 24']),
      () =>
        pick(['10.1.2.0/8 ', '10.1.2.0/', '10.1.2/24', '10.1.2.0/0', '10.1.2.0/9', '1.2.3.4/32']),
    ];
    const extras: Partial<RouteSpec<number>>[] = [
      {},
      { table: 100 },
      { table: 1000 },
      { priority: 7 },
      { protocol: 'static' },
      { type: 'blackhole' },
      { scope: 'link' },
      { family: 'inet6' },
      { gateway: '192.0.2.1' },
      { tos: 4, onlink: true },
    ];
    const ops: RouteOp[] = ['add', 'add', 'add', 'replace', 'delete', 'append', 'test'];
    const encode = routeEncoder();
    // Runs of similar changes, as a script has them: the shape stays for a while.
    let op = pick(ops);
    let dev = 2;
    let extra = pick(extras);
    let dst = pick(dsts);
    for (let i = 0; i < 5000; i++) {
      if (rnd() < 0.05) op = pick(ops);
      if (rnd() < 0.05) dev = 1 + Math.floor(rnd() * 3);
      if (rnd() < 0.05) extra = pick(extras);
      if (rnd() < 0.1) dst = pick(dsts);
      const spec = { dst: dst(), dev, ...extra } as RouteSpec<number>;
      const want = full(op, spec);
      const got = encoded(encode, op, spec);
      if ('error' in want) {
        expect(got.error).toBeInstanceOf(NetlinkEncodeError);
        expect((got.error as NetlinkEncodeError).message).toBe(
          (want.error as NetlinkEncodeError).message,
        );
      } else {
        expect(got).toEqual(want);
      }
    }
  });

  it('a change differing only in its destination reuses the one before', () => {
    const encode = routeEncoder();
    const first = encode('add', { dst: '10.1.0.0/16', dev: 2, table: 100 });
    const next = encode('add', { dst: '10.2.3.0/24', dev: 2, table: 100 });
    // The full path returns planPayload's Buffer, the reuse a patched copy (white-box: this
    // is how the test knows the short path ran).
    expect(Buffer.isBuffer(first.payload)).toBe(true);
    expect(Buffer.isBuffer(next.payload)).toBe(false);
    expect([...next.payload]).toEqual([
      ...planPayload(buildRouteRequest('add', { dst: '10.2.3.0/24', dev: 2, table: 100 })),
    ]);
    // Another field, another op or another family: built in full.
    expect(Buffer.isBuffer(encode('add', { dst: '10.2.4.0/24', dev: 3, table: 100 }).payload)).toBe(
      true,
    );
    expect(
      Buffer.isBuffer(encode('delete', { dst: '10.2.4.0/24', dev: 3, table: 100 }).payload),
    ).toBe(true);
    expect(
      Buffer.isBuffer(encode('delete', { dst: '2001:db8::/64', dev: 3, table: 100 }).payload),
    ).toBe(true);
  });

  it('never reuses a change with an object field, which the caller may change in place', () => {
    const encode = routeEncoder();
    const metrics = { mtu: 1400 };
    encode('add', { dst: '10.1.0.0/16', dev: 2, metrics });
    metrics.mtu = 1300;
    const spec = { dst: '10.2.0.0/16', dev: 2, metrics };
    const got = encode('add', spec);
    expect(Buffer.isBuffer(got.payload)).toBe(true);
    expect([...got.payload]).toEqual([...planPayload(buildRouteRequest('add', spec))]);
  });

  it('a spec with a key the one before lacks is not taken for it', () => {
    const encode = routeEncoder();
    encode('add', { dst: '10.1.0.0/16', dev: 2, table: undefined });
    // Same number of keys, same values, but `metric` is no route field: refused as in full.
    const spec = { dst: '10.2.0.0/16', dev: 2, metric: undefined } as unknown as RouteSpec<number>;
    expect(() => encode('add', spec)).toThrow(NetlinkEncodeError);
    expect(() => encode('add', spec)).toThrow(/unknown field "metric"/);
  });
});
