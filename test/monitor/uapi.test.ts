// Every number the monitor declares, against the kernel's uapi headers by the C compiler: the
// RTNLGRP_* groups, the constants the state comparison leaves out, the dump requests' message
// types and header sizes. The headers here are 6.1; the few newer constants are listed with
// the numbers of the kernel's YNL spec (shared/ynl/rt-link.yaml), copied by hand.
import { describe, expect, it } from 'vitest';
import { COMPARED } from '../../src/monitor/compare.js';
import { DUMPS } from '../../src/monitor/dumps.js';
import { ALL_GROUPS, GROUP_ALIASES, RTNLGRP } from '../../src/monitor/groups.js';
import { cValues } from '../helpers/uapi.js';

const HEADERS = [
  'linux/netlink.h',
  'linux/rtnetlink.h',
  'linux/if_link.h',
  'linux/if_addr.h',
  'linux/neighbour.h',
  'linux/fib_rules.h',
  'linux/net_namespace.h',
  'sys/socket.h',
  'stddef.h',
];

/**
 * Newer than the 6.1 headers, from rt-link.yaml: linkinfo-bridge-attrs lists fdb-n-learned after
 * mcast-querier-state (47), linkinfo-brport-attrs lists mcast-n-groups after locked (39) and mab.
 */
const NEWER_THAN_HEADERS: Record<string, number> = {
  IFLA_BR_FDB_N_LEARNED: 48,
  IFLA_BRPORT_MCAST_N_GROUPS: 41,
};

describe('monitor numbers against <linux/*.h>', () => {
  it('RTNLGRP_* group numbers', () => {
    const exprs: Record<string, string> = {};
    for (const name of Object.keys(RTNLGRP)) {
      const c = `RTNLGRP_${name.toUpperCase().replaceAll('-', '_')}`;
      exprs[c] = c;
    }
    const { values, unknown } = cValues(exprs, HEADERS);
    expect(unknown).toEqual([]);
    for (const [name, n] of Object.entries(RTNLGRP)) {
      expect(n, name).toBe(values[`RTNLGRP_${name.toUpperCase().replaceAll('-', '_')}`]);
    }
    // Every group the headers define, but the DECnet ones (DECnet left the kernel in 6.1)
    // and the placeholders, has a name.
    expect(Object.keys(RTNLGRP)).toHaveLength(31);
  });

  it('the constants the state comparison leaves out, and the struct sizes it relies on', () => {
    const exprs: Record<string, string> = {};
    for (const name of Object.keys(COMPARED)) {
      if (name in NEWER_THAN_HEADERS) continue;
      if (name.startsWith('sizeof_')) exprs[name] = `sizeof(struct ${name.slice(7)})`;
      else if (name.startsWith('offsetof_')) {
        const [struct, field] = name.slice(9).split(/_(?=ifi_)/) as [string, string];
        exprs[name] = `offsetof(struct ${struct}, ${field})`;
      } else exprs[name] = name;
    }
    const { values, unknown } = cValues(exprs, HEADERS);
    expect(unknown).toEqual([]);
    for (const [name, n] of Object.entries(COMPARED)) {
      expect(n, name).toBe(NEWER_THAN_HEADERS[name] ?? values[name]);
    }
  });

  it('the dump requests: message types and header sizes', () => {
    const { values } = cValues(
      {
        RTM_GETLINK: 'RTM_GETLINK',
        RTM_GETADDR: 'RTM_GETADDR',
        RTM_GETROUTE: 'RTM_GETROUTE',
        RTM_GETRULE: 'RTM_GETRULE',
        RTM_GETNEIGH: 'RTM_GETNEIGH',
        RTM_GETNSID: 'RTM_GETNSID',
        ifinfomsg: 'sizeof(struct ifinfomsg)',
        ifaddrmsg: 'sizeof(struct ifaddrmsg)',
        rtmsg: 'sizeof(struct rtmsg)',
        fib_rule_hdr: 'sizeof(struct fib_rule_hdr)',
        ndmsg: 'sizeof(struct ndmsg)',
        rtgenmsg: 'NLMSG_ALIGN(sizeof(struct rtgenmsg))',
        RTNL_FAMILY_IPMR: 'RTNL_FAMILY_IPMR',
        RTNL_FAMILY_IP6MR: 'RTNL_FAMILY_IP6MR',
        AF_MPLS: 'AF_MPLS',
        AF_BRIDGE: 'AF_BRIDGE',
        NTF_PROXY: 'NTF_PROXY',
        ndm_flags: 'offsetof(struct ndmsg, ndm_flags)',
      },
      HEADERS,
    );
    const expected: Record<string, [string, string, number | undefined]> = {
      link: ['RTM_GETLINK', 'ifinfomsg', 0],
      'address/inet': ['RTM_GETADDR', 'ifaddrmsg', 2],
      'address/inet6': ['RTM_GETADDR', 'ifaddrmsg', 10],
      'route/inet': ['RTM_GETROUTE', 'rtmsg', 2],
      'route/inet6': ['RTM_GETROUTE', 'rtmsg', 10],
      'route/ipmr': ['RTM_GETROUTE', 'rtmsg', values.RTNL_FAMILY_IPMR],
      'route/ip6mr': ['RTM_GETROUTE', 'rtmsg', values.RTNL_FAMILY_IP6MR],
      'route/mpls': ['RTM_GETROUTE', 'rtmsg', values.AF_MPLS],
      'rule/inet': ['RTM_GETRULE', 'fib_rule_hdr', 2],
      'rule/inet6': ['RTM_GETRULE', 'fib_rule_hdr', 10],
      neighbor: ['RTM_GETNEIGH', 'ndmsg', 0],
      'neighbor/proxy': ['RTM_GETNEIGH', 'ndmsg', 0],
      'neighbor/bridge': ['RTM_GETNEIGH', 'ndmsg', values.AF_BRIDGE],
      nsid: ['RTM_GETNSID', 'rtgenmsg', 0],
    };
    expect(Object.keys(DUMPS).sort()).toEqual(Object.keys(expected).sort());
    for (const [id, [type, struct, family]] of Object.entries(expected)) {
      const spec = DUMPS[id as keyof typeof DUMPS];
      expect(spec.type, id).toBe(values[type]);
      // The header alone, zero but the family (and NTF_PROXY in the proxy dump): no filter.
      const header = Buffer.alloc(values[struct]!);
      header[0] = family!;
      if (id === 'neighbor/proxy') header[values.ndm_flags!] = values.NTF_PROXY!;
      expect(spec.payload, id).toEqual(header);
    }
  });
});

describe('group names', () => {
  it("'all' is what `ip monitor all` joins, and aliases expand to groups", () => {
    for (const g of ALL_GROUPS) expect(RTNLGRP[g]).toBeTypeOf('number');
    for (const names of Object.values(GROUP_ALIASES)) {
      for (const g of names) expect(RTNLGRP[g]).toBeTypeOf('number');
    }
  });
});
