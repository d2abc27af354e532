// The CLI uses only the package's public API: every module under src/cli/ imports Node
// built-ins, other CLI modules, or the public entry points (src/index.ts, src/ns/index.ts,
// src/netlink/index.ts), never a deeper module of the library and never a dependency directly.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(new URL('../..', import.meta.url).pathname);
const CLI = join(ROOT, 'src/cli');
const PUBLIC = new Set(['src/index.ts', 'src/ns/index.ts', 'src/netlink/index.ts']);

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** Every module specifier of a source file: static imports/exports and dynamic import(). */
function specifiers(source: string): string[] {
  const out: string[] = [];
  const patterns = [
    /\bimport\s+(?:type\s+)?[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]/g,
    /\bexport\s+(?:type\s+)?[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]/g,
    /\bimport\s*['"]([^'"]+)['"]/g,
    /\bimport\s*\(\s*['"`]([^'"`]+)['"`]\s*\)/g,
  ];
  for (const re of patterns) for (const m of source.matchAll(re)) out.push(m[1]!);
  return out;
}

/** Why a specifier in `file` breaks the rule, or undefined when it is fine. */
function violation(file: string, spec: string): string | undefined {
  if (spec.startsWith('node:') || builtinModules.includes(spec)) return undefined;
  if (!spec.startsWith('.')) return `imports the package "${spec}" directly`;
  if (spec.includes('${')) return 'imports a computed path';
  const target = relative(ROOT, resolve(dirname(file), spec)).replace(/\.js$/, '.ts');
  if (target.startsWith('src/cli/')) return undefined;
  if (PUBLIC.has(target)) return undefined;
  return `imports ${target}, which is not a public entry point`;
}

describe('src/cli imports only the public API', () => {
  const sources = files(CLI);

  it('finds the CLI modules', () => {
    expect(sources.map((f) => relative(ROOT, f))).toEqual(
      expect.arrayContaining(['src/cli/main.ts', 'src/cli/commands/link.ts']),
    );
  });

  it.each(sources.map((f) => [relative(ROOT, f), f]))('%s', (_name, file) => {
    const problems = specifiers(readFileSync(file, 'utf8'))
      .map((s) => [s, violation(file, s)] as const)
      .filter(([, why]) => why !== undefined)
      .map(([s, why]) => `${s}: ${why}`);
    expect(problems).toEqual([]);
  });

  it('the scanner sees every form of import (it can fail)', () => {
    const src = [
      "import { a } from '../rtnetlink/link.js';",
      "import type { B } from '../netlink/errors.js';",
      "export { c } from 'buffer-layout';",
      "import 'node:fs';",
      "const m = await import('../ns/netns.js');",
    ].join('\n');
    const file = join(CLI, 'commands/x.ts');
    const bad = specifiers(src).filter((s) => violation(join(CLI, 'x.ts'), s) !== undefined);
    expect(bad).toEqual([
      '../rtnetlink/link.js',
      '../netlink/errors.js',
      'buffer-layout',
      '../ns/netns.js',
    ]);
    expect(violation(file, '../../netlink/errors.js')).toMatch(/not a public entry point/);
    expect(violation(file, '../../index.js')).toBeUndefined();
    expect(violation(file, '../../ns/index.js')).toBeUndefined();
  });
});
