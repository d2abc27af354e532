// RtNetlink itself: what it holds, how it closes, and how it refuses a namespace it cannot open
// (before any socket exists).
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Connection } from '../../../src/netlink/connection.js';
import { NetlinkSocketError } from '../../../src/netlink/errors.js';
import { Addresses } from '../../../src/rtnetlink/api/addresses.js';
import { Links } from '../../../src/rtnetlink/api/links.js';
import { RtNetlink } from '../../../src/rtnetlink/client.js';
import { FakeKernel } from '../../helpers/fake-kernel.js';

describe('RtNetlink', () => {
  it('holds the connection and one object per family of objects', () => {
    const conn = Connection.fromSocket(new FakeKernel());
    const rt = RtNetlink.fromConnection(conn);
    expect(rt.connection).toBe(conn);
    expect(rt.links).toBeInstanceOf(Links);
    expect(rt.addresses).toBeInstanceOf(Addresses);
    for (const key of ['routes', 'rules', 'neighbors', 'nsid'] as const) {
      expect(rt[key]).toBeTypeOf('object');
    }
    rt.close();
  });

  it('close() closes the socket and fails what is pending; it is idempotent', async () => {
    const k = new FakeKernel(() => undefined);
    const rt = RtNetlink.fromConnection(Connection.fromSocket(k));
    const pending = rt.links.get(1).catch((e: unknown) => e);
    rt.close();
    rt.close();
    expect(k.closed).toBe(true);
    const err = await pending;
    expect(err).toBeInstanceOf(NetlinkSocketError);
    expect((err as NetlinkSocketError).code).toBe('ERR_RTNL_CLOSED');
  });

  it('`using` and `await using` close it', async () => {
    const a = new FakeKernel();
    {
      using _rt = RtNetlink.fromConnection(Connection.fromSocket(a));
    }
    expect(a.closed).toBe(true);
    const b = new FakeKernel();
    {
      await using _rt = RtNetlink.fromConnection(Connection.fromSocket(b));
    }
    expect(b.closed).toBe(true);
  });

  it('open() with a namespace that does not exist fails before a socket is made, leaking nothing', async () => {
    const before = readdirSync('/proc/self/fd').length;
    const err = await RtNetlink.open({ netns: 'rtnl-no-such-namespace' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetlinkSocketError);
    expect((err as NetlinkSocketError).code).toBe('ENOENT');
    const bad = await RtNetlink.open({ netns: 'a/../b/' }).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(NetlinkSocketError);
    const invalid = await RtNetlink.open({ netns: -4 }).catch((e: unknown) => e);
    expect((invalid as NetlinkSocketError).code).toBe('EINVAL');
    expect(readdirSync('/proc/self/fd').length).toBe(before);
  });
});
