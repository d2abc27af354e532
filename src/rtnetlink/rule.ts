// RTM_NEWRULE / RTM_DELRULE / RTM_GETRULE bodies: struct fib_rule_hdr + FRA_* attributes
// (<linux/fib_rules.h>, cross-checked with the kernel's rt-rule YNL spec for the attributes
// newer than the 6.1 headers: FRA_DSCP and later).
import { defineAttributes, defineMessage } from '../netlink/schema.js';
import { defineStruct, struct, u8, u16, u32 } from '../netlink/struct.js';
import { RTPROT } from './constants.js';
import { be64Codec } from './route-codecs.js';

/**
 * struct fib_rule_hdr. `table` holds at most 255 (FRA_TABLE has all 32 bits), `action` an
 * FR_ACT value, `flags` FIB_RULE bits (see constants.ts); `tos` is the DSCP/TOS byte to match.
 * The two reserved bytes (res1, res2) are always zero.
 */
export interface FibRuleHdr {
  family: number;
  dst_len: number;
  src_len: number;
  tos: number;
  table: number;
  action: number;
  flags: number;
}
export const fibRuleHdr = defineStruct<FibRuleHdr>(
  struct(
    [
      u8('family'),
      u8('dst_len'),
      u8('src_len'),
      u8('tos'),
      u8('table'),
      u8('_res1'),
      u8('_res2'),
      u8('action'),
      u32('flags'),
    ],
    'fib_rule_hdr',
  ),
);

/** struct fib_rule_uid_range: UIDs start..end, inclusive. */
export interface FibRuleUidRange {
  start: number;
  end: number;
}
export const fibRuleUidRange = defineStruct<FibRuleUidRange>(
  struct([u32('start'), u32('end')], 'fib_rule_uid_range'),
);

/** struct fib_rule_port_range: ports start..end, inclusive (host byte order). */
export interface FibRulePortRange {
  start: number;
  end: number;
}
export const fibRulePortRange = defineStruct<FibRulePortRange>(
  struct([u16('start'), u16('end')], 'fib_rule_port_range'),
);

/** FRA_* attributes. */
export const ruleAttributes = defineAttributes('rule', {
  dst: { type: 1, kind: 'ipaddr', c: 'FRA_DST', doc: 'Destination prefix (length in dst_len)' },
  src: { type: 2, kind: 'ipaddr', c: 'FRA_SRC', doc: 'Source prefix (length in src_len)' },
  iifname: { type: 3, kind: 'string', c: 'FRA_IIFNAME', doc: 'Input interface name' },
  goto: { type: 4, kind: 'u32', c: 'FRA_GOTO', doc: 'Priority of the rule to jump to' },
  unused2: { type: 5, kind: 'binary', c: 'FRA_UNUSED2' },
  priority: { type: 6, kind: 'u32', c: 'FRA_PRIORITY', doc: 'Preference (ip rule pref)' },
  unused3: { type: 7, kind: 'binary', c: 'FRA_UNUSED3' },
  unused4: { type: 8, kind: 'binary', c: 'FRA_UNUSED4' },
  unused5: { type: 9, kind: 'binary', c: 'FRA_UNUSED5' },
  fwmark: { type: 10, kind: 'u32', c: 'FRA_FWMARK' },
  flow: { type: 11, kind: 'u32', c: 'FRA_FLOW', doc: 'Realms (to << 16 | from)' },
  tunId: {
    type: 12,
    kind: 'custom',
    codec: be64Codec,
    c: 'FRA_TUN_ID',
    doc: 'Tunnel id (64 bits, network byte order)',
  },
  suppressIfgroup: { type: 13, kind: 'u32', c: 'FRA_SUPPRESS_IFGROUP' },
  suppressPrefixlen: {
    type: 14,
    kind: 'u32',
    c: 'FRA_SUPPRESS_PREFIXLEN',
    doc: 'Reject lookup results with a prefix this long or shorter',
  },
  table: { type: 15, kind: 'u32', c: 'FRA_TABLE', doc: 'Table id (all 32 bits)' },
  fwmask: { type: 16, kind: 'u32', c: 'FRA_FWMASK' },
  oifname: { type: 17, kind: 'string', c: 'FRA_OIFNAME', doc: 'Output interface name' },
  pad: { type: 18, kind: 'binary', c: 'FRA_PAD' },
  l3mdev: { type: 19, kind: 'u8', c: 'FRA_L3MDEV', doc: '1: look up the table of the l3mdev' },
  uidRange: { type: 20, kind: 'struct', struct: fibRuleUidRange, c: 'FRA_UID_RANGE' },
  protocol: { type: 21, kind: 'u8', enum: RTPROT, c: 'FRA_PROTOCOL', doc: 'Who added the rule' },
  ipProto: { type: 22, kind: 'u8', c: 'FRA_IP_PROTO', doc: 'IP protocol number' },
  sportRange: { type: 23, kind: 'struct', struct: fibRulePortRange, c: 'FRA_SPORT_RANGE' },
  dportRange: { type: 24, kind: 'struct', struct: fibRulePortRange, c: 'FRA_DPORT_RANGE' },
  dscp: { type: 25, kind: 'u8', c: 'FRA_DSCP', doc: 'DSCP to match (newer than 6.1)' },
  flowlabel: {
    type: 26,
    kind: 'be32',
    c: 'FRA_FLOWLABEL',
    doc: 'IPv6 flow label (newer than 6.1)',
  },
  flowlabelMask: { type: 27, kind: 'be32', c: 'FRA_FLOWLABEL_MASK' },
  sportMask: {
    type: 28,
    kind: 'u16',
    c: 'FRA_SPORT_MASK',
    doc: 'Source port mask (newer than 6.1)',
  },
  dportMask: { type: 29, kind: 'u16', c: 'FRA_DPORT_MASK' },
  dscpMask: { type: 30, kind: 'u8', c: 'FRA_DSCP_MASK' },
});

/** RTM_NEWRULE / RTM_DELRULE / RTM_GETRULE body. */
export const ruleMessage = defineMessage('rule', fibRuleHdr, ruleAttributes);
