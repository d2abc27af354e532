// The C compiler as an oracle: values of kernel constants and struct layouts from the installed
// <linux/*.h> headers, and every attribute constant a schema declares. Shared by the uapi tests.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AttributeSet, ValueSpec } from '../../src/netlink/schema.js';

export const DEFAULT_HEADERS = [
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

/**
 * Compile and run a C program printing each expression's value (including the given headers,
 * DEFAULT_HEADERS when none); names the compiler does not know are returned apart in `unknown`.
 */
export function cValues(
  exprs: Record<string, string>,
  headers: readonly string[] = DEFAULT_HEADERS,
): { values: Record<string, number>; unknown: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'rtnl-uapi-'));
  try {
    let names = Object.keys(exprs);
    const unknown: string[] = [];
    for (let attempt = 0; attempt < 8; attempt++) {
      const src = `${[...new Set([...headers, 'stdio.h', 'stddef.h'])].map((h) => `#include <${h}>`).join('\n')}
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
        const missing = [...stderr.matchAll(/[‘']([A-Za-z0-9_]+)[’'] undeclared/g)].map(
          (m) => m[1]!,
        );
        if (missing.length === 0) throw new Error(stderr);
        unknown.push(...missing);
        names = names.filter((n) => !missing.some((m) => new RegExp(`\\b${m}\\b`).test(exprs[n]!)));
        continue;
      }
      const out = execFileSync(join(dir, 'probe'), { encoding: 'utf8' });
      const values: Record<string, number> = {};
      for (const line of out.trim().split('\n')) {
        if (line === '') continue;
        const [k, v] = line.split(' ');
        values[k!] = Number(v);
      }
      return { values, unknown: [...new Set(unknown)] };
    }
    throw new Error('could not compile the probe');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Every `c` constant → attribute number declared in `set` and the sets it reaches. */
export function collectAttributes(
  set: AttributeSet,
  out: Map<string, number> = new Map(),
  seen = new Set<AttributeSet>(),
): Map<string, number> {
  if (seen.has(set)) return out;
  seen.add(set);
  const visit = (spec: ValueSpec) => {
    if (spec.kind === 'nested') collectAttributes(spec.set, out, seen);
    else if (spec.kind === 'submessage')
      for (const s of Object.values(spec.sets)) collectAttributes(s, out, seen);
    else if (spec.kind === 'indexed') visit(spec.item);
    else if (spec.kind === 'message') collectAttributes(spec.message.attributes, out, seen);
  };
  for (const spec of Object.values(set.attrs)) {
    if (spec.c) out.set(spec.c, spec.type);
    visit(spec);
  }
  return out;
}
