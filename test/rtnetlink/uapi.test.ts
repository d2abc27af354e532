// Every number rtnl declares, checked against the kernel's own uapi headers by the C compiler:
// attribute numbers, message types, flags, groups, and each fixed struct's size and field
// offsets. The headers here are 6.1; constants newer than that are listed below and checked
// against the kernel's YNL specs instead (numbers copied from shared/ynl, by hand).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as message from '../../src/netlink/message.js';
import type { AttributeSet, ValueSpec } from '../../src/netlink/schema.js';
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

/** Declared by rtnl, absent from the 6.1 headers: the YNL spec's numbers (rt-link.yaml). */
const NEWER_THAN_HEADERS: Record<string, number> = {
  IFLA_DEVLINK_PORT: 62,
  IFLA_GSO_IPV4_MAX_SIZE: 63,
  IFLA_GRO_IPV4_MAX_SIZE: 64,
};

const dir = mkdtempSync(join(tmpdir(), 'rtnl-uapi-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const HEADERS = [
  'linux/if.h',
  'linux/netlink.h',
  'linux/rtnetlink.h',
  'linux/if_link.h',
  'linux/if_addr.h',
  'linux/socket.h',
  'sys/socket.h',
  'stddef.h',
  'stdio.h',
];

/** Compile and run a C program printing `NAME value` lines; names the compiler does not know are returned apart. */
function cValues(exprs: Record<string, string>): {
  values: Record<string, number>;
  unknown: string[];
} {
  let names = Object.keys(exprs);
  const unknown: string[] = [];
  for (let attempt = 0; attempt < 5; attempt++) {
    const src = `${HEADERS.map((h) => `#include <${h}>`).join('\n')}
int main(void) {
${names.map((n) => `  printf("%s %lld\\n", "${n}", (long long)(${exprs[n]}));`).join('\n')}
  return 0;
}
`;
    writeFileSync(join(dir, 'probe.c'), src);
    try {
      execFileSync('cc', ['-o', join(dir, 'probe'), join(dir, 'probe.c')], { stdio: 'pipe' });
    } catch (err) {
      const stderr = String((err as { stderr: Buffer }).stderr);
      const missing = [...stderr.matchAll(/[‘']([A-Z0-9_]+)[’'] undeclared/g)].map((m) => m[1]!);
      if (missing.length === 0) throw new Error(stderr);
      unknown.push(...missing);
      names = names.filter((n) => !missing.some((m) => exprs[n]!.includes(m)));
      continue;
    }
    const out = execFileSync(join(dir, 'probe'), { encoding: 'utf8' });
    const values: Record<string, number> = {};
    for (const line of out.trim().split('\n')) {
      const [k, v] = line.split(' ');
      values[k!] = Number(v);
    }
    return { values, unknown: [...new Set(unknown)] };
  }
  throw new Error('could not compile the probe');
}

function collectAttributes(
  set: AttributeSet,
  out: Map<string, number>,
  seen = new Set<AttributeSet>(),
): void {
  if (seen.has(set)) return;
  seen.add(set);
  const visit = (spec: ValueSpec) => {
    if (spec.kind === 'nested') collectAttributes(spec.set, out, seen);
    else if (spec.kind === 'submessage')
      for (const s of Object.values(spec.sets)) collectAttributes(s, out, seen);
    else if (spec.kind === 'indexed') visit(spec.item);
  };
  for (const spec of Object.values(set.attrs)) {
    if (spec.c) out.set(spec.c, spec.type);
    visit(spec);
  }
}

describe('numbers against <linux/*.h>', () => {
  it('attribute numbers', () => {
    const declared = new Map<string, number>();
    for (const m of [linkMessage, addressMessage, routeMessage])
      collectAttributes(m.attributes as AttributeSet, declared);
    const { values, unknown } = cValues(
      Object.fromEntries([...declared.keys()].map((c) => [c, c])),
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
