// The route, address, rule and neighbour schemas against the kernel's uapi headers, by the C
// compiler: every attribute number, every name map (enum and flag values) and every fixed
// struct's size and field offsets. The headers here are 6.1; constants newer than that are listed
// in NEWER_THAN_HEADERS with the numbers of the kernel's YNL specs (shared/ynl), copied by hand.
import { describe, expect, it } from 'vitest';
import type { AttributeSet } from '../../src/netlink/schema.js';
import type { StructDef } from '../../src/netlink/struct.js';
import { addressMessage, IFA_FLAGS, ifaddrmsg } from '../../src/rtnetlink/address.js';
import {
  FIB_RULE,
  FR_ACT,
  IFA_F,
  IFAPROT,
  NTF,
  NTF_EXT,
  NUD,
  RT_SCOPE,
  RT_TABLE,
  RTM_F,
  RTN,
  RTNH_F,
  RTPROT,
} from '../../src/rtnetlink/constants.js';
import {
  fdbExtAttributes,
  ndaCacheinfo,
  ndmsg,
  neighborMessage,
} from '../../src/rtnetlink/neighbor.js';
import {
  LWTUNNEL_ENCAP,
  metricsAttributes,
  nexthopAttributes,
  ROUTER_PREF,
  RTAX_FEATURE,
  RTAX_LOCK,
  routeMessage,
  rtaCacheinfo,
  rtaMfcStats,
  rtmsg,
} from '../../src/rtnetlink/route.js';
import { SEG6_IPTUN_MODE } from '../../src/rtnetlink/route-codecs.js';
import {
  fibRuleHdr,
  fibRulePortRange,
  fibRuleUidRange,
  ruleMessage,
} from '../../src/rtnetlink/rule.js';
import { collectAttributes, cValues, DEFAULT_HEADERS } from '../helpers/uapi.js';

const HEADERS = [
  ...DEFAULT_HEADERS,
  'linux/fib_rules.h',
  'linux/neighbour.h',
  'linux/lwtunnel.h',
  'linux/mpls_iptunnel.h',
  'linux/seg6_iptunnel.h',
  'linux/seg6.h',
  'linux/icmpv6.h',
  'linux/mpls.h',
];

/**
 * Declared by rtnl, absent from the 6.1 headers. Attribute numbers from rt-route.yaml and
 * rt-rule.yaml (a set counts from 1 in the order listed): route-attrs ends `nh-id` (30),
 * `flowlabel` (31); fib-rule-attrs ends `dport-range` (24), `dscp`, `flowlabel`,
 * `flowlabel-mask`, `sport-mask`, `dport-mask`, `dscp-mask` (25–30). Flag bits from
 * rt-neigh.yaml's ntf-ext-flags (managed, locked, ext-validated: bits 0, 1, 2) and the kernel's
 * <linux/rtnetlink.h> of 6.7+ (RTAX_FEATURE_TCP_USEC_TS = 1 << 4; rt-route.yaml leaves
 * `features` a plain u32).
 */
const NEWER_THAN_HEADERS: Record<string, number> = {
  RTA_FLOWLABEL: 31,
  FRA_DSCP: 25,
  FRA_FLOWLABEL: 26,
  FRA_FLOWLABEL_MASK: 27,
  FRA_SPORT_MASK: 28,
  FRA_DPORT_MASK: 29,
  FRA_DSCP_MASK: 30,
  NTF_EXT_LOCKED: 0x2,
  NTF_EXT_EXT_VALIDATED: 0x4,
  RTAX_FEATURE_TCP_USEC_TS: 0x10,
};

/** Check `declared` (C name → value) against the compiler, or NEWER_THAN_HEADERS for the rest. */
function checkConstants(declared: Map<string, number> | Record<string, number>): void {
  const entries = declared instanceof Map ? [...declared] : Object.entries(declared);
  const { values, unknown } = cValues(Object.fromEntries(entries.map(([c]) => [c, c])), HEADERS);
  for (const [c, n] of entries) {
    if (unknown.includes(c)) {
      expect(NEWER_THAN_HEADERS[c], `${c} is neither in the headers nor in the YNL list`).toBe(n);
    } else {
      expect(values[c], c).toBe(n);
    }
  }
}

describe('attribute numbers against <linux/*.h>', () => {
  it.each<[string, AttributeSet[], number]>([
    [
      'route (RTA_*, RTAX_*, LWTUNNEL_*, MPLS_IPTUNNEL_*, SEG6_IPTUNNEL_*, LWT_*)',
      [routeMessage.attributes, metricsAttributes, nexthopAttributes] as AttributeSet[],
      31 + 17 + 8 + 8 + 2 + 1 + 4 + 2 + 2,
    ],
    ['address (IFA_*)', [addressMessage.attributes as AttributeSet], 11],
    ['rule (FRA_*)', [ruleMessage.attributes as AttributeSet], 30],
    [
      'neighbour (NDA_*, NFEA_*)',
      [neighborMessage.attributes, fdbExtAttributes] as AttributeSet[],
      17 + 2,
    ],
  ])('%s', (_name, sets, count) => {
    const declared = new Map<string, number>();
    for (const s of sets) collectAttributes(s, declared);
    checkConstants(declared);
    expect(declared.size).toBe(count);
  });

  it('every FRA_*, NDA_* and IFA_* of the headers is declared', () => {
    // The headers' last values (FRA_MAX, NDA_MAX, IFA_MAX): nothing between 1 and MAX is missing.
    const { values } = cValues(
      { FRA_MAX: 'FRA_MAX', NDA_MAX: 'NDA_MAX', IFA_MAX: 'IFA_MAX' },
      HEADERS,
    );
    const numbers = (s: AttributeSet) => new Set(Object.values(s.attrs).map((a) => a.type));
    for (const [max, set] of [
      [values.FRA_MAX!, ruleMessage.attributes],
      [values.NDA_MAX!, neighborMessage.attributes],
      [values.IFA_MAX!, addressMessage.attributes],
    ] as const) {
      const have = numbers(set as AttributeSet);
      for (let n = 1; n <= max; n++) expect(have.has(n), `${set.name} attribute ${n}`).toBe(true);
    }
    const { values: rt } = cValues({ RTA_MAX: 'RTA_MAX', RTAX_MAX: 'RTAX_MAX' }, HEADERS);
    const route = numbers(routeMessage.attributes as AttributeSet);
    for (let n = 1; n <= rt.RTA_MAX!; n++) expect(route.has(n), `RTA ${n}`).toBe(true);
    const metrics = numbers(metricsAttributes as AttributeSet);
    for (let n = 1; n <= rt.RTAX_MAX!; n++) expect(metrics.has(n), `RTAX ${n}`).toBe(true);
  });
});

/** `rtoMin` → `RTO_MIN`, `ext_learned` → `EXT_LEARNED`, `encap.red` → `ENCAP_RED`. */
const upper = (key: string) =>
  key
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .replace(/[.-]/g, '_')
    .toUpperCase();

describe('name maps against <linux/*.h>', () => {
  // The C name of a key where it is not PREFIX + KEY in upper case.
  const C_NAMES: Record<string, string> = {
    IFA_F_STABLEPRIVACY: 'IFA_F_STABLE_PRIVACY',
  };
  it.each<[string, Readonly<Record<string, number>>]>([
    ['RTN_', RTN],
    ['RTPROT_', RTPROT],
    ['RT_SCOPE_', RT_SCOPE],
    ['RT_TABLE_', RT_TABLE],
    ['RTM_F_', RTM_F],
    ['RTNH_F_', RTNH_F],
    ['FR_ACT_', FR_ACT],
    ['FIB_RULE_', FIB_RULE],
    ['NUD_', NUD],
    ['NTF_', NTF],
    ['NTF_EXT_', NTF_EXT],
    ['IFA_F_', IFA_F],
    ['IFAPROT_', IFAPROT],
    ['ICMPV6_ROUTER_PREF_', ROUTER_PREF],
    ['LWTUNNEL_ENCAP_', LWTUNNEL_ENCAP],
    ['RTAX_FEATURE_', RTAX_FEATURE],
    ['SEG6_IPTUN_MODE_', SEG6_IPTUN_MODE],
  ])('%s*', (prefix, table) => {
    const declared: Record<string, number> = {};
    for (const [k, v] of Object.entries(table)) {
      const name = `${prefix}${upper(k)}`;
      declared[C_NAMES[name] ?? name] = v;
    }
    checkConstants(declared);
  });

  it('IFA_FLAGS is IFA_F', () => {
    expect(IFA_FLAGS).toBe(IFA_F);
  });

  it('RTAX_LOCK: 1 << RTAX_x for every metric but lock itself', () => {
    const exprs = Object.fromEntries(
      Object.keys(RTAX_LOCK).map((k) => [k, `1 << RTAX_${upper(k)}`]),
    );
    const { values, unknown } = cValues(exprs, HEADERS);
    expect(unknown).toEqual([]);
    expect(values).toEqual(RTAX_LOCK);
    expect(Object.keys(RTAX_LOCK)).toEqual(
      Object.keys(metricsAttributes.attrs).filter((k) => k !== 'lock'),
    );
  });
});

describe('struct layouts against <linux/*.h>', () => {
  // [def, C type, C field prefix, C names of padding fields]
  const structs: [StructDef<object>, string, string, Record<string, string>][] = [
    [rtmsg, 'struct rtmsg', 'rtm_', {}],
    [ifaddrmsg, 'struct ifaddrmsg', 'ifa_', {}],
    [fibRuleHdr, 'struct fib_rule_hdr', '', { _res1: 'res1', _res2: 'res2' }],
    [ndmsg, 'struct ndmsg', 'ndm_', { _pad1: 'ndm_pad1', _pad2: 'ndm_pad2' }],
    [ndaCacheinfo, 'struct nda_cacheinfo', '', {}],
    [rtaCacheinfo, 'struct rta_cacheinfo', '', {}],
    [rtaMfcStats, 'struct rta_mfc_stats', '', {}],
    [fibRuleUidRange, 'struct fib_rule_uid_range', '', {}],
    [fibRulePortRange, 'struct fib_rule_port_range', '', {}],
  ];
  it.each(structs)('%s', (def, cName, prefix, pads) => {
    const exprs: Record<string, string> = { size: `sizeof(${cName})` };
    for (const f of def.fields) {
      const field = pads[f.name] ?? `${prefix}${f.name}`;
      exprs[`${f.name}.offset`] = `offsetof(${cName}, ${field})`;
      exprs[`${f.name}.size`] = `sizeof(((${cName} *)0)->${field})`;
    }
    const { values, unknown } = cValues(exprs, HEADERS);
    expect(unknown).toEqual([]);
    expect(values.size).toBe(def.size);
    for (const f of def.fields) {
      expect(values[`${f.name}.offset`], `${cName}.${f.name} offset`).toBe(f.offset);
      expect(values[`${f.name}.size`], `${cName}.${f.name} size`).toBe(f.size);
    }
  });

  it('the layouts the custom codecs read (rtnexthop, rtvia, seg6 encap, ipv6_sr_hdr, mpls_label)', () => {
    // What route-codecs.ts assumes, written out here and checked by the compiler.
    const expected: Record<string, [string, number]> = {
      rtnexthop: ['sizeof(struct rtnexthop)', 8],
      rtnh_len: ['offsetof(struct rtnexthop, rtnh_len)', 0],
      rtnh_flags: ['offsetof(struct rtnexthop, rtnh_flags)', 2],
      rtnh_hops: ['offsetof(struct rtnexthop, rtnh_hops)', 3],
      rtnh_ifindex: ['offsetof(struct rtnexthop, rtnh_ifindex)', 4],
      rtvia_family: ['sizeof(((struct rtvia *)0)->rtvia_family)', 2],
      rtvia_addr: ['offsetof(struct rtvia, rtvia_addr)', 2],
      seg6_encap_mode: ['sizeof(((struct seg6_iptunnel_encap *)0)->mode)', 4],
      seg6_encap_srh: ['offsetof(struct seg6_iptunnel_encap, srh)', 4],
      ipv6_sr_hdr: ['sizeof(struct ipv6_sr_hdr)', 8],
      hdrlen: ['offsetof(struct ipv6_sr_hdr, hdrlen)', 1],
      type: ['offsetof(struct ipv6_sr_hdr, type)', 2],
      segments_left: ['offsetof(struct ipv6_sr_hdr, segments_left)', 3],
      first_segment: ['offsetof(struct ipv6_sr_hdr, first_segment)', 4],
      flags: ['offsetof(struct ipv6_sr_hdr, flags)', 5],
      tag: ['offsetof(struct ipv6_sr_hdr, tag)', 6],
      segments: ['offsetof(struct ipv6_sr_hdr, segments)', 8],
      mpls_label: ['sizeof(struct mpls_label)', 4],
      label_shift: ['MPLS_LS_LABEL_SHIFT', 12],
      tc_shift: ['MPLS_LS_TC_SHIFT', 9],
      s_shift: ['MPLS_LS_S_SHIFT', 8],
      ttl_shift: ['MPLS_LS_TTL_SHIFT', 0],
    };
    const { values, unknown } = cValues(
      Object.fromEntries(Object.entries(expected).map(([k, [e]]) => [k, e])),
      HEADERS,
    );
    expect(unknown).toEqual([]);
    expect(values).toEqual(
      Object.fromEntries(Object.entries(expected).map(([k, [, v]]) => [k, v])),
    );
  });
});
