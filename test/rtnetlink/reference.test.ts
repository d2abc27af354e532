// docs/protocol.md is generated from the schema declarations; it must not drift from them.
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { rtnetlinkReference } from '../../src/rtnetlink/reference.js';

it('docs/protocol.md is what the schemas generate (run `npm run docs` after changing one)', () => {
  const committed = readFileSync(new URL('../../docs/protocol.md', import.meta.url), 'utf8');
  expect(committed).toBe(rtnetlinkReference());
});

it('the reference lists every attribute set and struct it reaches', () => {
  const doc = rtnetlinkReference();
  for (const heading of [
    '### link',
    '### linkinfo',
    '### prop_list',
    '### address',
    '### route',
    '### struct ifinfomsg (16 bytes)',
    '### struct rtnl_link_stats64 (200 bytes)',
  ]) {
    expect(doc).toContain(heading);
  }
  expect(doc).toContain('| 4 | IFLA_MTU | `mtu` | u32 |');
  expect(doc).toContain('Older kernels send 184 bytes');
});
