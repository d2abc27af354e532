// The package as a consumer sees it: every `exports` entry resolves, in ESM and in CJS, to a
// built file with its types, and importing the codec never loads the native addon.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url).pathname;
const pkg = JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as {
  exports: Record<
    string,
    | string
    | { import: { types: string; default: string }; require: { types: string; default: string } }
  >;
  bin: Record<string, string>;
  files: string[];
};
// Node resolves a package's own name from inside it (self-reference), as a consumer would.
const node = (code: string, type: 'module' | 'commonjs') =>
  execFileSync(process.execPath, [`--input-type=${type}`, '-e', code], {
    cwd: root,
    encoding: 'utf8',
  });

const entries = Object.entries(pkg.exports).filter(([k]) => k !== './package.json');

describe('package exports', () => {
  it.each(entries)('%s: types come first and every file exists', (_name, target) => {
    if (typeof target === 'string') throw new Error('expected conditional exports');
    for (const cond of [target.import, target.require]) {
      expect(Object.keys(cond)[0]).toBe('types');
      expect(existsSync(`${root}${cond.types}`), cond.types).toBe(true);
      expect(existsSync(`${root}${cond.default}`), cond.default).toBe(true);
    }
  });

  it.each(entries.map(([k]) => `rtnl${k.slice(1)}`))(
    '%s loads in ESM and CJS without the addon',
    (spec) => {
      // RTNL_ADDON_PATH points nowhere: importing must still work; only opening a socket needs it.
      const check = `process.env.RTNL_ADDON_PATH = '/nonexistent';`;
      const esm = node(
        `${check} const m = await import('${spec}'); console.log(Object.keys(m).length)`,
        'module',
      );
      const cjs = node(
        `${check} const m = require('${spec}'); console.log(Object.keys(m).length)`,
        'commonjs',
      );
      expect(Number(esm)).toBeGreaterThan(0);
      expect(Number(cjs)).toBe(Number(esm));
    },
  );

  it('the error classes are the same brand across the ESM and CJS builds', () => {
    const out = node(
      `const esm = await import('rtnl'); const { createRequire } = await import('node:module');
       const cjs = createRequire(import.meta.url)('rtnl');
       const e = new cjs.NetlinkError({ errno: 17 });
       console.log(esm.NetlinkError !== cjs.NetlinkError, e instanceof esm.NetlinkError, e.code);`,
      'module',
    );
    expect(out.trim()).toBe('true true EEXIST');
  });

  it('ships the native sources, the binding and the CLI', () => {
    for (const f of ['native/*.c', 'binding.gyp', 'bin', 'dist', 'prebuilds'])
      expect(pkg.files).toContain(f);
    expect(existsSync(`${root}${pkg.bin.rtnl}`)).toBe(true);
    expect(readFileSync(`${root}${pkg.bin.rtnl}`, 'utf8').startsWith('#!/usr/bin/env node')).toBe(
      true,
    );
  });
});
