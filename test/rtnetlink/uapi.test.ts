// Every number rtnl declares, checked against the kernel's own uapi headers by the C compiler:
// attribute numbers, message types, flags, groups, and each fixed struct's size and field
// offsets. The headers here are 6.1; constants newer than that are listed below and checked
// against the kernel's YNL specs instead (numbers copied from shared/ynl, by hand).
import { describe, expect, it } from 'vitest';
import * as message from '../../src/netlink/message.js';
import type { AttributeSet } from '../../src/netlink/schema.js';
import type { StructDef } from '../../src/netlink/struct.js';
import { addressMessage, IFA_FLAGS, ifaCacheinfo, ifaddrmsg } from '../../src/rtnetlink/address.js';
import * as rtnl from '../../src/rtnetlink/constants.js';
import {
  ifinfomsg,
  linkMessage,
  OPERSTATE,
  rtnlLinkStats,
  rtnlLinkStats64,
} from '../../src/rtnetlink/link.js';
import { routeMessage, rtaCacheinfo, rtmsg } from '../../src/rtnetlink/route.js';
import { collectAttributes, cValues, DEFAULT_HEADERS } from '../helpers/uapi.js';

/** Declared by rtnl, absent from the 6.1 headers: the YNL spec's numbers (rt-link.yaml). */
const NEWER_THAN_HEADERS: Record<string, number> = {
  IFLA_DEVLINK_PORT: 62,
  IFLA_GSO_IPV4_MAX_SIZE: 63,
  IFLA_GRO_IPV4_MAX_SIZE: 64,
  IFLA_DPLL_PIN: 65,
  IFLA_MAX_PACING_OFFLOAD_HORIZON: 66,
  IFLA_NETNS_IMMUTABLE: 67,
  IFLA_HEADROOM: 68,
  IFLA_TAILROOM: 69,
  // rt-route.yaml: route-attrs after nh-id (30).
  RTA_FLOWLABEL: 31,
};

describe('numbers against <linux/*.h>', () => {
  it('attribute numbers', () => {
    const declared = new Map<string, number>();
    // The top-level IFLA_* numbers; the nested link sets and the kinds are checked with their own
    // headers in uapi-link.test.ts.
    for (const spec of Object.values(linkMessage.attributes.attrs))
      declared.set(spec.c!, spec.type);
    for (const m of [addressMessage, routeMessage])
      collectAttributes(m.attributes as AttributeSet, declared);
    // RTA_ENCAP's attribute sets are declared in the lightweight-tunnel headers.
    const { values, unknown } = cValues(
      Object.fromEntries([...declared.keys()].map((c) => [c, c])),
      [...DEFAULT_HEADERS, 'linux/lwtunnel.h', 'linux/mpls_iptunnel.h', 'linux/seg6_iptunnel.h'],
    );
    for (const [c, n] of declared) {
      if (unknown.includes(c)) {
        // Newer than the installed headers: must be one we checked against the YNL spec.
        expect(NEWER_THAN_HEADERS[c], `${c} is not in the headers nor in the YNL list`).toBe(n);
      } else {
        expect(values[c], c).toBe(n);
      }
    }
    expect(declared.size).toBeGreaterThan(90);
  });

  it('message types, flags, control types, socket options, groups, families', () => {
    const consts: Record<string, number> = {};
    for (const [k, v] of [...Object.entries(message), ...Object.entries(rtnl)]) {
      if (
        typeof v === 'number' &&
        /^(NLM_F_|NLMSG_|NETLINK_|NLMSGERR_ATTR_|SOL_NETLINK|RTM_|RTNLGRP_|AF_)/.test(k)
      )
        consts[k] = v;
    }
    const { values, unknown } = cValues(Object.fromEntries(Object.keys(consts).map((c) => [c, c])));
    expect(unknown).toEqual([]);
    expect(values).toEqual(consts);
    expect(Object.keys(consts).length).toBeGreaterThan(60);
  });
});

describe('enum and flag values against <linux/*.h>', () => {
  // The C name of each key where it is not simply PREFIX + KEY upper-cased.
  const C_NAMES: Record<string, string> = { IFA_F_STABLEPRIVACY: 'IFA_F_STABLE_PRIVACY' };
  it.each([
    ['IF_OPER_', OPERSTATE],
    ['IFA_F_', IFA_FLAGS],
  ] as const)('%s*', (prefix, table) => {
    const exprs = Object.fromEntries(
      Object.keys(table).map((k) => {
        const name = `${prefix}${k.toUpperCase()}`;
        return [k, C_NAMES[name] ?? name];
      }),
    );
    const { values, unknown } = cValues(exprs);
    expect(unknown).toEqual([]);
    expect(values).toEqual(table);
  });
});

describe('struct layouts against <linux/*.h>', () => {
  const structs: [StructDef<object>, string, string][] = [
    [message.nlmsghdr, 'struct nlmsghdr', 'nlmsg_'],
    [ifinfomsg, 'struct ifinfomsg', 'ifi_'],
    [ifaddrmsg, 'struct ifaddrmsg', 'ifa_'],
    [rtmsg, 'struct rtmsg', 'rtm_'],
    [ifaCacheinfo, 'struct ifa_cacheinfo', ''],
    [rtaCacheinfo, 'struct rta_cacheinfo', ''],
    [rtnlLinkStats, 'struct rtnl_link_stats', ''],
    [rtnlLinkStats64, 'struct rtnl_link_stats64', ''],
  ];
  it.each(structs)('%s', (def, cName, prefix) => {
    const exprs: Record<string, string> = { size: `sizeof(${cName})` };
    for (const f of def.fields) {
      // Padding fields are `_pad` here and `__ifi_pad` in the header.
      const field = f.name.startsWith('_') ? `__${prefix}${f.name.slice(1)}` : `${prefix}${f.name}`;
      exprs[`${f.name}.offset`] = `offsetof(${cName}, ${field})`;
      exprs[`${f.name}.size`] = `sizeof(((${cName} *)0)->${field})`;
    }
    const { values, unknown } = cValues(exprs);
    expect(unknown).toEqual([]);
    expect(values.size).toBe(def.size);
    for (const f of def.fields) {
      expect(values[`${f.name}.offset`], `${cName}.${f.name} offset`).toBe(f.offset);
      expect(values[`${f.name}.size`], `${cName}.${f.name} size`).toBe(f.size);
    }
  });
});
