// Our rule request builders against iproute2's captured requests for the same commands: the
// payload (fib_rule_hdr + attributes) byte for byte, the type, and the flags once the engine's
// NLM_F_REQUEST | NLM_F_ACK (or NLM_F_DUMP) are added.
import { describe, expect, it } from 'vitest';
import { NetlinkEncodeError } from '../../../src/netlink/errors.js';
import { planPayload, type RequestPlan } from '../../../src/rtnetlink/requests/route.js';
import {
  buildRuleDumpRequest,
  buildRuleRequest,
  type RuleSpec,
} from '../../../src/rtnetlink/requests/rule.js';
import { listFixtures, loadFixture } from '../../helpers/fixtures.js';

// <linux/netlink.h>
const NLM_F_REQUEST = 0x1;
const NLM_F_ACK = 0x4;
const NLM_F_DUMP = 0x300;
// struct fib_rule_hdr is 12 bytes.
const FIB_RULE_HDR_SIZE = 12;

/**
 * iproute2's addattr8 leaves stack bytes in the padding after a 1-byte attribute (the kernel
 * ignores padding); we write zeros. Zero the captured padding too, walking the TLVs here
 * independently of the codec under test.
 */
function zeroPadding(buf: Buffer, start: number, end: number): Buffer {
  for (let off = start; off + 4 <= end; ) {
    const len = buf.readUInt16LE(off);
    if (len < 4 || off + len > end) break;
    if (buf.readUInt16LE(off + 2) & 0x8000) zeroPadding(buf, off + 4, off + len);
    const next = Math.min(end, off + ((len + 3) & ~3));
    buf.fill(0, off + len, next);
    off = next;
  }
  return buf;
}

function expectSame(name: string, plan: RequestPlan, engineFlags: number): void {
  const dgram = loadFixture(name).messages[0]!;
  const len = dgram.readUInt32LE(0);
  const payload = zeroPadding(Buffer.from(dgram.subarray(16, len)), FIB_RULE_HDR_SIZE, len - 16);
  expect(plan.type).toBe(dgram.readUInt16LE(4));
  expect(plan.flags | engineFlags).toBe(dgram.readUInt16LE(6));
  expect(planPayload(plan).toString('hex')).toBe(payload.toString('hex'));
}

// [fixture, operation, spec]; the commands are in each fixture's provenance.
const ROWS: [string, 'add' | 'delete', RuleSpec][] = [
  // ip rule add blackhole pref 111
  ['rule/add-blackhole.request', 'add', { action: 'blackhole', priority: 111 }],
  // ip rule add from 192.0.2.0/24 lookup 100 pref 100
  ['rule/add-from-lookup.request', 'add', { src: '192.0.2.0/24', table: 100, priority: 100 }],
  // ip rule add fwmark 0x10/0xff lookup 102 pref 102
  [
    'rule/add-fwmark-mask.request',
    'add',
    { fwmark: 0x10, fwmask: 0xff, table: 102, priority: 102 },
  ],
  // ip rule add goto 200 pref 110
  ['rule/add-goto.request', 'add', { goto: 200, priority: 110 }],
  // ip rule add iif d0 lookup 103 pref 103
  ['rule/add-iif.request', 'add', { iif: 'd0', table: 103, priority: 103 }],
  // ip rule add ipproto tcp sport 1000-2000 dport 80 lookup 108 pref 108
  [
    'rule/add-ipproto-ports.request',
    'add',
    {
      ipProto: 'tcp',
      sport: { start: 1000, end: 2000 },
      dport: 80,
      table: 108,
      priority: 108,
    },
  ],
  // ip -6 rule add from 2001:db8::/32 lookup 100 pref 100
  ['rule/add-ipv6-from.request', 'add', { src: '2001:db8::/32', table: 100, priority: 100 }],
  // ip -6 rule add to 2001:db8:1::/48 iif d0 lookup 101 pref 101
  [
    'rule/add-ipv6-to-iif.request',
    'add',
    { dst: '2001:db8:1::/48', iif: 'd0', table: 101, priority: 101 },
  ],
  // ip rule add l3mdev pref 116
  ['rule/add-l3mdev.request', 'add', { l3mdev: true, priority: 116 }],
  // ip rule add nop pref 200
  ['rule/add-nop.request', 'add', { action: 'nop', priority: 200 }],
  // ip rule add not from 10.0.0.0/8 lookup 105 pref 105
  ['rule/add-not.request', 'add', { invert: true, src: '10.0.0.0/8', table: 105, priority: 105 }],
  // ip rule add oif d1 lookup 104 pref 104
  ['rule/add-oif.request', 'add', { oif: 'd1', table: 104, priority: 104 }],
  // ip rule add prohibit pref 113
  ['rule/add-prohibit.request', 'add', { action: 'prohibit', priority: 113 }],
  // ip rule add from 192.0.2.1 table 2000 pref 114 protocol static
  [
    'rule/add-protocol.request',
    'add',
    { src: '192.0.2.1', table: 2000, priority: 114, protocol: 'static' },
  ],
  // ip rule add lookup main suppress_prefixlength 0 pref 109
  [
    'rule/add-suppress-prefixlength.request',
    'add',
    { table: 'main', suppressPrefixlen: 0, priority: 109 },
  ],
  // ip rule add to 198.51.100.0/24 lookup 101 pref 101
  ['rule/add-to.request', 'add', { dst: '198.51.100.0/24', table: 101, priority: 101 }],
  // ip rule add tos 0x10 lookup 106 pref 106
  ['rule/add-tos.request', 'add', { tos: 0x10, table: 106, priority: 106 }],
  // ip rule add tun_id 5 lookup 115 pref 115
  ['rule/add-tun-id.request', 'add', { tunId: 5n, table: 115, priority: 115 }],
  // ip rule add uidrange 1000-2000 lookup 107 pref 107
  [
    'rule/add-uidrange.request',
    'add',
    { uidRange: { start: 1000, end: 2000 }, table: 107, priority: 107 },
  ],
  // ip rule add unreachable pref 112
  ['rule/add-unreachable.request', 'add', { action: 'unreachable', priority: 112 }],
  // ip rule del pref 105
  ['rule/del-pref.request', 'delete', { priority: 105 }],
  // ip rule add from 192.0.2.0/24 nat 198.51.100.1 pref 100
  ['rule-nat/add-nat.request', 'add', { src: '192.0.2.0/24', nat: '198.51.100.1', priority: 100 }],
  // ip -6 rule add from 2001:db8::/32 map-to 203.0.113.7 pref 101
  [
    'rule-nat/add-map-to-ipv6.request',
    'add',
    { src: '2001:db8::/32', nat: '203.0.113.7', priority: 101 },
  ],
  // ip rule add to 198.51.100.0/24 type nat pref 102 (RTN_NAT is 10)
  ['rule-nat/add-type-nat.request', 'add', { dst: '198.51.100.0/24', action: 10, priority: 102 }],
];

const DUMPS = [
  // ip -j rule show / ip -j -6 rule show (`ip rule` means inet)
  ['rule/dump-ipv4.request', 'inet'],
  ['rule/dump-ipv6.request', 'inet6'],
  ['rule-nat/dump-ipv4.request', 'inet'],
  ['rule-nat/dump-ipv6.request', 'inet6'],
] as const;

describe('rule requests equal iproute2 requests', () => {
  it.each(ROWS)('%s', (name, op, spec) => {
    expectSame(name, buildRuleRequest(op, spec), NLM_F_REQUEST | NLM_F_ACK);
  });

  it.each(DUMPS)('%s', (name, family) => {
    expectSame(name, buildRuleDumpRequest(family), NLM_F_REQUEST | NLM_F_DUMP);
  });

  it('covers every captured iproute2 rule request', () => {
    const covered = new Set([...ROWS.map((r) => r[0]), ...DUMPS.map((r) => r[0])]);
    const ruleRequests = listFixtures().filter((n) => {
      if (!n.endsWith('.request')) return false;
      const fx = loadFixture(n);
      if (!fx.meta.provenance.command.startsWith('ip ')) return false;
      const type = fx.messages[0]!.readUInt16LE(4);
      return type >= 32 && type <= 34; // RTM_NEWRULE, RTM_DELRULE, RTM_GETRULE
    });
    expect(ruleRequests.filter((n) => !covered.has(n))).toEqual([]);
  });
});

describe('route NAT rules (nat ADDRESS)', () => {
  it('refuses an IPv6 or malformed NAT address before sending', () => {
    for (const nat of ['2001:db8::1', '198.51.100', 'x']) {
      let err: unknown;
      try {
        buildRuleRequest('add', { nat });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(NetlinkEncodeError);
      expect((err as NetlinkEncodeError).code).toBe('BAD_VALUE');
      expect((err as NetlinkEncodeError).path).toBe('rule.nat');
    }
  });
});
