// createTunTap: the devices it makes, as `ip -j -d link show` reports them, in anonymous
// namespaces made here; the IFF_* values against <linux/if_tun.h>.
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NetlinkEncodeError, NetlinkSocketError } from '../../src/netlink/errors.js';
import {
  createNetns,
  createTunTap,
  type Netns,
  TUN_FLAGS,
  tunTapFlags,
} from '../../src/ns/index.js';
import { caught } from '../helpers/caught.js';
import { cValues } from '../helpers/uapi.js';
import { leakGuard } from './leaks.js';

interface IpLink {
  ifname: string;
  link_type: string;
  linkinfo?: { info_kind: string; info_data?: Record<string, unknown> };
}

let guard: ReturnType<typeof leakGuard>;
let ns: Netns;
const links = (target: Netns) =>
  JSON.parse(
    execFileSync(
      'nsenter',
      [`--net=/proc/${process.pid}/fd/${target.fd}`, 'ip', '-j', '-d', 'link', 'show'],
      {
        encoding: 'utf8',
      },
    ),
  ) as IpLink[];
const link = (target: Netns, name: string) => links(target).find((l) => l.ifname === name);

beforeAll(() => {
  guard = leakGuard();
  ns = createNetns();
});
afterAll(() => {
  ns?.close();
  guard.check();
});

it('IFF_* values match <linux/if_tun.h>', () => {
  const { values, unknown } = cValues(
    Object.fromEntries(Object.keys(TUN_FLAGS).map((k) => [k, k])),
    ['linux/if_tun.h'],
  );
  expect(unknown).toEqual([]);
  expect(values).toEqual(TUN_FLAGS);
});

describe('in a namespace', () => {
  it('a tap with owner, group, multi-queue and vnet header, as ip reports it', () => {
    const name = createTunTap({
      mode: 'tap',
      name: 'rtnltap0',
      netns: ns,
      owner: 65534,
      group: 65534,
      multiQueue: true,
      vnetHdr: true,
    });
    expect(name).toBe('rtnltap0');
    const l = link(ns, name);
    expect(l?.link_type).toBe('ether');
    expect(l?.linkinfo?.info_kind).toBe('tun');
    expect(l?.linkinfo?.info_data).toMatchObject({
      type: 'tap',
      pi: false,
      vnet_hdr: true,
      multi_queue: true,
      persist: true,
      user: 'nobody',
      group: 'nogroup',
    });
    // Not in our own namespace.
    expect(() => execFileSync('ip', ['link', 'show', name], { stdio: 'pipe' })).toThrow();
  });

  it('a tun, with the kernel choosing its name from the default pattern, with packet info', () => {
    const name = createTunTap({ mode: 'tun', netns: ns.fd, pi: true });
    expect(name).toMatch(/^tun\d+$/);
    const l = link(ns, name);
    expect(l?.link_type).toBe('none');
    expect(l?.linkinfo).toMatchObject({
      info_kind: 'tun',
      info_data: { type: 'tun', pi: true, vnet_hdr: false, multi_queue: false, persist: true },
    });
  });

  it('persist: false makes a device that is gone when its queue closes', () => {
    using other = createNetns();
    const name = createTunTap({ mode: 'tap', name: 'gone0', netns: other, persist: false });
    expect(name).toBe('gone0');
    expect(link(other, 'gone0')).toBeUndefined();
  });

  it('an existing name is EBUSY (IFF_TUN_EXCL), as `ip tuntap add` reports', () => {
    createTunTap({ mode: 'tap', name: 'dup0', netns: ns });
    const e = caught<NetlinkSocketError>(() =>
      createTunTap({ mode: 'tap', name: 'dup0', netns: ns }),
    );
    expect(e).toBeInstanceOf(NetlinkSocketError);
    expect(e).toMatchObject({ code: 'EBUSY', errno: 16, syscall: 'ioctl(TUNSETIFF)' });
    expect(e.message).toContain('"dup0"');
  });

  it('a namespace that does not exist is refused before anything is made', () => {
    expect(caught(() => createTunTap({ mode: 'tun', netns: 'rtnl-test-none' }))).toMatchObject({
      code: 'ENOENT',
    });
  });
});

describe('flags and validation', () => {
  it.each([
    [{ mode: 'tun' }, TUN_FLAGS.IFF_TUN | TUN_FLAGS.IFF_NO_PI],
    [{ mode: 'tap' }, TUN_FLAGS.IFF_TAP | TUN_FLAGS.IFF_NO_PI],
    [{ mode: 'tap', pi: true }, TUN_FLAGS.IFF_TAP],
    [
      { mode: 'tap', multiQueue: true, vnetHdr: true },
      TUN_FLAGS.IFF_TAP | TUN_FLAGS.IFF_NO_PI | TUN_FLAGS.IFF_MULTI_QUEUE | TUN_FLAGS.IFF_VNET_HDR,
    ],
  ] as const)('%j → %i', (options, flags) => {
    expect(tunTapFlags(options)).toBe(flags);
  });

  it.each([
    [{ mode: 'tup' }, 'tuntap.mode', 'BAD_VALUE'],
    [{ mode: 'tap', name: 'x'.repeat(16) }, 'tuntap.name', 'BAD_VALUE'],
    [{ mode: 'tap', name: 'a b' }, 'tuntap.name', 'BAD_VALUE'],
    [{ mode: 'tap', name: 'a/b' }, 'tuntap.name', 'BAD_VALUE'],
    [{ mode: 'tap', name: '' }, 'tuntap.name', 'BAD_VALUE'],
    [{ mode: 'tap', owner: -1 }, 'tuntap.owner', 'OUT_OF_RANGE'],
    [{ mode: 'tap', group: 2 ** 32 }, 'tuntap.group', 'OUT_OF_RANGE'],
  ])('rejects %j', (options, path, code) => {
    const e = caught(() => createTunTap(options as never));
    expect(e).toBeInstanceOf(NetlinkEncodeError);
    expect(e).toMatchObject({ code, path });
  });
});
