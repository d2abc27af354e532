// rt.routes.addMany / deleteMany and the in-place list() against the live kernel, inside an
// anonymous namespace this file makes (never the host's). `ip -j route …` run in the same
// namespace is the oracle.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NetlinkError } from '../../../src/netlink/errors.js';
import { createNetns, type Netns } from '../../../src/ns/index.js';
import { RtNetlink } from '../../../src/rtnetlink/client.js';
import { ipIn } from '../../helpers/ns-ip.js';

let ns: Netns;
let rt: RtNetlink;
let d0: number;

const { ip, ipJson, ipError } = ipIn(() => ns);

const TABLE = 3000;
const N = 1500;
const dstOf = (i: number) => `10.${100 + (i >> 8)}.${i & 255}.0/24`;

interface IpRoute {
  dst: string;
  dev: string;
  protocol?: string;
  scope?: string;
}

beforeAll(async () => {
  ns = createNetns();
  for (const cmd of ['link set lo up', 'link add d0 type ifb', 'link set d0 up']) {
    ip(...cmd.split(' '));
  }
  ip('addr', 'add', '10.0.0.1/24', 'dev', 'd0');
  rt = await RtNetlink.open({ netns: ns });
  d0 = ipJson<{ ifindex: number }[]>('link', 'show', 'd0')[0]!.ifindex;
});

afterAll(() => {
  rt?.close();
  ns?.close();
});

describe('routes.addMany / deleteMany against the kernel', () => {
  it(`adds ${N} routes through a device name, as ip shows them`, async () => {
    const specs = Array.from({ length: N }, (_, i) => ({
      dst: dstOf(i),
      dev: 'd0',
      table: TABLE,
      protocol: 'static',
    }));
    const result = await rt.routes.addMany(specs);
    expect(result).toMatchObject({ count: N, ok: N, failed: 0 });
    const shown = ipJson<IpRoute[]>('route', 'show', 'table', String(TABLE));
    expect(shown).toHaveLength(N);
    expect(new Set(shown.map((r) => r.dst))).toEqual(new Set(specs.map((s) => s.dst)));
    for (const r of shown) {
      expect(r).toMatchObject({ dev: 'd0', protocol: 'static', scope: 'link' });
    }
  });

  it('list() reads them back as ip does, decoded in place', async () => {
    const routes = await rt.routes.list({ family: 'inet', table: TABLE });
    const shown = ipJson<IpRoute[]>('route', 'show', 'table', String(TABLE));
    expect(routes.map((r) => r.dst)).toEqual(shown.map((r) => r.dst));
    for (const r of routes) {
      expect(r).toMatchObject({
        family: 2,
        dstLen: 24,
        table: TABLE,
        protocol: 'static',
        scope: 'link',
        type: 'unicast',
        src: undefined,
        attributes: { oif: d0, table: TABLE },
      });
    }
    let n = 0;
    for await (const r of rt.routes.iterate({ family: 'inet', table: TABLE })) {
      expect(r.dst).toBe(shown[n]!.dst);
      n++;
    }
    expect(n).toBe(N);
  });

  it('adding them again fails each one with EEXIST, on its own index', async () => {
    const specs = Array.from({ length: 10 }, (_, i) => ({ dst: dstOf(i), dev: d0, table: TABLE }));
    const result = await rt.routes.addMany(specs);
    expect(result.ok).toBe(0);
    expect(result.failed).toBe(10);
    for (const e of result.errors) {
      expect(e).toBeInstanceOf(NetlinkError);
      expect((e as NetlinkError).code).toBe('EEXIST');
    }
  });

  it('a refusal carries the kernel’s extended-ack text, the rest go in', async () => {
    const specs = [
      { dst: '198.51.100.0/24', dev: d0, table: TABLE + 1 },
      // Not on any connected network: the kernel refuses the gateway.
      { dst: '198.51.101.0/24', gateway: '203.0.113.9', table: TABLE + 1 },
      { dst: '198.51.102.0/24', dev: d0, table: TABLE + 1 },
    ];
    const result = await rt.routes.addMany(specs);
    expect(result.errors.map((e) => e === undefined)).toEqual([true, false, true]);
    const err = result.errors[1] as NetlinkError;
    const said = ipError(
      'route',
      'add',
      '198.51.101.0/24',
      'via',
      '203.0.113.9',
      'table',
      String(TABLE + 1),
    );
    expect(said).toBe(`Error: ${err.kernelMessage}.`);
    expect(err.code).toBe('ENETUNREACH');
    expect(
      ipJson<IpRoute[]>('route', 'show', 'table', String(TABLE + 1)).map((r) => r.dst),
    ).toEqual(['198.51.100.0/24', '198.51.102.0/24']);
  });

  it('deleteMany removes the listed routes, leaving the table empty', async () => {
    const listed = await rt.routes.list({ family: 'inet', table: TABLE });
    const result = await rt.routes.deleteMany(listed);
    expect(result).toMatchObject({ count: N, ok: N, failed: 0 });
    expect(ipJson('route', 'show', 'table', String(TABLE))).toEqual([]);
    const again = await rt.routes.deleteMany(listed.slice(0, 3));
    expect(again.errors.map((e) => (e as NetlinkError).code)).toEqual(['ESRCH', 'ESRCH', 'ESRCH']);
    await rt.routes.deleteMany([
      { dst: '198.51.100.0/24', table: TABLE + 1 },
      { dst: '198.51.102.0/24', table: TABLE + 1 },
    ]);
    expect(ipJson('route', 'show', 'table', String(TABLE + 1))).toEqual([]);
  });
});
