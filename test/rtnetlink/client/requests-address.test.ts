// Our address requests against iproute2's, byte for byte: every captured `ip addr` request
// fixture is rebuilt from a spec (its options in the command's order, the device as the ifindex
// the fixture's JSON records) and must equal the captured nlmsg_type, nlmsg_flags and payload.
import { describe, expect, it } from 'vitest';
import { NetlinkEncodeError } from '../../../src/netlink/errors.js';
import {
  type AddressSpec,
  addressDumpRequest,
  addressRequest,
} from '../../../src/rtnetlink/requests/address.js';
import type { RequestMessage } from '../../../src/rtnetlink/requests/link.js';
import { cat, nla, u32le } from '../../helpers/bytes.js';
import { caught } from '../../helpers/caught.js';
import { type FixtureMessage, loadFixture } from '../../helpers/fixtures.js';
import { cValues } from '../../helpers/uapi.js';

/** The first message of a captured request: its type, flags and payload, and strace's decode. */
function captured(name: string) {
  const f = loadFixture(name);
  const d = f.messages[0]!;
  const len = d.readUInt32LE(0);
  return {
    type: d.readUInt16LE(4),
    flags: d.readUInt16LE(6),
    // Only the message: iproute2 sends its whole request buffer after it for dumps.
    payload: Buffer.from(d.subarray(16, len)),
    message: f.meta.expect.datagrams[0]!.messages[0]!,
  };
}

/** The ifindex of the request, as strace decoded ifa_index. */
const dev = (m: FixtureMessage) => m.header!.ifa_index as number;

type Row = [fixture: string, build: (m: FixtureMessage) => RequestMessage];

// Every `ip addr` request fixture: fixtures/requests/addr-*, fixtures/address-more/*,
// errors/addr-exists-ip and the two dumps.
const rows: Row[] = [
  [
    'requests/addr-add.request',
    (m) => addressRequest('add', { address: '192.0.2.1/24', dev: dev(m) }),
  ],
  [
    'requests/addr-add-plain.request',
    (m) => addressRequest('add', { address: '10.0.0.1/24', dev: dev(m) }),
  ],
  [
    'requests/addr-add-label-brd.request',
    (m) =>
      addressRequest('add', {
        address: '10.0.1.1/24',
        broadcast: '+',
        dev: dev(m),
        label: 'ifb0:main',
      }),
  ],
  [
    'requests/addr-add-peer.request',
    (m) => addressRequest('add', { address: '10.0.2.1', peer: '10.0.2.2/32', dev: dev(m) }),
  ],
  [
    'requests/addr-add-lifetimes.request',
    (m) =>
      addressRequest('add', {
        address: '10.0.3.1/24',
        dev: dev(m),
        validLft: 100,
        preferredLft: 50,
      }),
  ],
  [
    'requests/addr-add-ipv6-nodad.request',
    (m) => addressRequest('add', { address: '2001:db8::1/64', dev: dev(m), flags: ['nodad'] }),
  ],
  [
    'requests/addr-add-ipv6-nodad-lifetimes.request',
    (m) =>
      addressRequest('add', {
        address: '2001:db8:1::1/64',
        dev: dev(m),
        flags: ['nodad'],
        validLft: 100,
        preferredLft: 50,
      }),
  ],
  [
    'errors/addr-exists-ip.request',
    (m) => addressRequest('add', { address: '10.0.1.1/24', dev: dev(m) }),
  ],
  [
    'address-more/add-ipv6-home.request',
    (m) =>
      addressRequest('add', {
        address: '2001:db8:4::1/64',
        dev: dev(m),
        flags: ['nodad', 'homeaddress'],
      }),
  ],
  [
    'address-more/add-ipv6-metric.request',
    (m) =>
      addressRequest('add', {
        address: '2001:db8:5::1/64',
        dev: dev(m),
        flags: ['nodad'],
        metric: 400,
      }),
  ],
  [
    'address-more/add-ipv6-mngtmpaddr.request',
    (m) =>
      addressRequest('add', {
        address: '2001:db8:3::1/64',
        dev: dev(m),
        flags: ['nodad', 'managetempaddr'],
      }),
  ],
  [
    'address-more/add-ipv6-noprefixroute.request',
    (m) =>
      addressRequest('add', {
        address: '2001:db8:2::1/64',
        dev: dev(m),
        flags: ['nodad', 'noprefixroute'],
      }),
  ],
  [
    'address-more/add-metric-label.request',
    (m) =>
      addressRequest('add', { address: '10.0.2.1/24', dev: dev(m), metric: 300, label: 'd0:x' }),
  ],
  [
    'address-more/del.request',
    (m) => addressRequest('delete', { address: '10.0.3.1/24', dev: dev(m) }),
  ],
  ['address/dump.request', () => addressDumpRequest()],
  ['address-more/dump.request', () => addressDumpRequest()],
  // fixtures/link-replace/: `ip address change` (NLM_F_REPLACE alone).
  [
    'link-replace/address-change-v4.request',
    (m) =>
      addressRequest('change', {
        address: '192.0.2.1/24',
        dev: dev(m),
        validLft: 300,
        preferredLft: 100,
      }),
  ],
  [
    'link-replace/address-change-v6.request',
    (m) =>
      addressRequest('change', {
        address: '2001:db8::1/64',
        dev: dev(m),
        flags: ['nodad'],
        metric: 20,
      }),
  ],
];

describe('address requests equal iproute2 6.1 requests', () => {
  it.each(rows)('%s', (name, build) => {
    const want = captured(name);
    const got = build(want.message);
    expect(got.type).toBe(want.type);
    expect(got.flags).toBe(want.flags);
    expect(got.payload.toString('hex')).toBe(want.payload.toString('hex'));
  });
});

/** Kernel constants the hand-written bytes use, checked by the C compiler below. */
const C = {
  AF_INET: 2,
  AF_INET6: 10,
  IFA_ADDRESS: 1,
  IFA_LOCAL: 2,
  IFA_BROADCAST: 4,
  IFA_ANYCAST: 5,
  IFA_FLAGS: 8,
  IFA_PROTO: 11,
  IFA_F_NOPREFIXROUTE: 0x200,
  IFA_F_MCAUTOJOIN: 0x400,
  IFAPROT_KERNEL_LL: 3,
  RT_SCOPE_HOST: 254,
  RT_SCOPE_LINK: 253,
  RTM_NEWADDR: 20,
  RTM_DELADDR: 21,
  NLM_F_REQUEST: 1,
  NLM_F_ACK: 4,
  NLM_F_REPLACE: 0x100,
  NLM_F_CREATE: 0x400,
};

/** struct ifaddrmsg by hand: family, prefixlen, flags, scope, index. */
function ifaddrmsg(family: number, prefixlen: number, flags: number, scope: number, index: number) {
  return cat(Buffer.of(family, prefixlen, flags, scope), u32le(index));
}

describe('requests no fixture covers, against bytes written by hand', () => {
  it('replace: NLM_F_CREATE | NLM_F_REPLACE; loopback gets scope host; brd - is the network', () => {
    const got = addressRequest('replace', { address: '127.0.0.2/8', dev: 1, broadcast: '-' });
    expect(got.type).toBe(C.RTM_NEWADDR);
    expect(got.flags).toBe(C.NLM_F_REQUEST | C.NLM_F_ACK | C.NLM_F_CREATE | C.NLM_F_REPLACE);
    expect(got.payload).toEqual(
      cat(
        ifaddrmsg(C.AF_INET, 8, 0, C.RT_SCOPE_HOST, 1),
        nla(C.IFA_LOCAL, Buffer.of(127, 0, 0, 2)),
        nla(C.IFA_ADDRESS, Buffer.of(127, 0, 0, 2)),
        nla(C.IFA_BROADCAST, Buffer.of(127, 0, 0, 0)),
      ),
    );
  });

  it('an explicit broadcast and a scope, flags beyond 8 bits in IFA_FLAGS, proto', () => {
    const got = addressRequest('add', {
      address: '198.51.100.7/24',
      broadcast: '198.51.100.255',
      scope: 'link',
      proto: 'kernel_ll',
      flags: ['noprefixroute'],
      dev: 9,
    });
    expect(got.payload).toEqual(
      cat(
        ifaddrmsg(C.AF_INET, 24, 0, C.RT_SCOPE_LINK, 9),
        nla(C.IFA_LOCAL, Buffer.of(198, 51, 100, 7)),
        nla(C.IFA_BROADCAST, Buffer.of(198, 51, 100, 255)),
        nla(C.IFA_PROTO, Buffer.of(C.IFAPROT_KERNEL_LL)),
        nla(C.IFA_FLAGS, u32le(C.IFA_F_NOPREFIXROUTE)),
        nla(C.IFA_ADDRESS, Buffer.of(198, 51, 100, 7)),
      ),
    );
  });

  it('an IPv6 anycast; delete of an IPv4 address without a length is the wildcard (no IFA_ADDRESS)', () => {
    const six = Buffer.from('20010db8000000000000000000000001', 'hex');
    const any = Buffer.from('20010db8000000000000000000000000', 'hex');
    expect(
      addressRequest('add', { address: '2001:db8::1/64', anycast: '2001:db8::', dev: 2 }).payload,
    ).toEqual(
      cat(
        ifaddrmsg(C.AF_INET6, 64, 0, 0, 2),
        nla(C.IFA_LOCAL, six),
        nla(C.IFA_ANYCAST, any),
        nla(C.IFA_ADDRESS, six),
      ),
    );
    const del = addressRequest('delete', { address: '192.0.2.1', dev: 4 });
    expect(del.type).toBe(C.RTM_DELADDR);
    expect(del.flags).toBe(C.NLM_F_REQUEST | C.NLM_F_ACK);
    expect(del.payload).toEqual(
      cat(ifaddrmsg(C.AF_INET, 32, 0, 0, 4), nla(C.IFA_LOCAL, Buffer.of(192, 0, 2, 1))),
    );
  });

  it('a dump filtered by family and device', () => {
    expect(addressDumpRequest({ family: 10, index: 3 }).payload).toEqual(
      ifaddrmsg(C.AF_INET6, 0, 0, 0, 3),
    );
  });
});

describe('bad specs are refused with the field named', () => {
  const add = (spec: Record<string, unknown>) => () =>
    addressRequest('add', { dev: 2, address: '192.0.2.1/24', ...spec } as AddressSpec);
  it.each([
    ['prefix length 33', add({ address: '192.0.2.1/33' }), 'address.address'],
    ['prefix length 129', add({ address: '2001:db8::1/129' }), 'address.address'],
    ['a malformed address', add({ address: '192.0.2.256/24' }), 'address.address'],
    ['not an address at all', add({ address: 'eth0' }), 'address.address'],
    ['a peer of another family', add({ peer: '2001:db8::2/64' }), 'address.peer'],
    ['a bad broadcast', add({ broadcast: '192.0.2' }), 'address.broadcast'],
    [
      'a broadcast on IPv6',
      add({ address: '2001:db8::1/64', broadcast: '+' }),
      'address.broadcast',
    ],
    ['a label of 16 bytes', add({ label: 'eth0:0123456789a' }), 'address.label'],
    ['a label on IPv6', add({ address: '2001:db8::1/64', label: 'x' }), 'address.label'],
    ['nodad on IPv4', add({ flags: ['nodad'] }), 'address.flags'],
    ['a flag only the kernel sets', add({ flags: ['tentative'] }), 'address.flags'],
    ['a bad scope', add({ scope: 'galaxy' }), 'address.scope'],
    ['a negative metric', add({ metric: -1 }), 'address.metric'],
    ['a zero valid lifetime', add({ validLft: 0 }), 'address.validLft'],
    [
      'preferred longer than valid',
      add({ validLft: 10, preferredLft: 20 }),
      'address.preferredLft',
    ],
    ['a device that is not an ifindex', add({ dev: 0 }), 'address.dev'],
    ['an unknown option', add({ mask: 24 }), 'address.mask'],
  ])('%s', (_what, fn, path) => {
    const err = caught(fn);
    expect(err).toBeInstanceOf(NetlinkEncodeError);
    expect((err as NetlinkEncodeError).code).toBe('BAD_VALUE');
    expect((err as NetlinkEncodeError).path).toBe(path);
  });
});

describe('the numbers the hand-written bytes use', () => {
  it('match <linux/if_addr.h> and <linux/rtnetlink.h>', () => {
    const { values, unknown } = cValues(Object.fromEntries(Object.keys(C).map((n) => [n, n])), [
      'linux/if_addr.h',
      'linux/rtnetlink.h',
      'linux/netlink.h',
      'sys/socket.h',
    ]);
    expect(unknown).toEqual([]);
    expect(values).toEqual(C);
  });
});
