// bin/rtnl.js compiles dist/cli.cjs with the V8 code cache the build made beside it, under the
// V8 flags the launcher sets: V8 refuses a cache made under other flags (or for another build),
// and rtnl then still runs, only slower. RTNL_LAUNCH_TRACE=1 makes the launcher say which.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = new URL('../..', import.meta.url).pathname;
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const launch = (root: string) =>
  spawnSync(process.execPath, [join(root, 'bin', 'rtnl.js'), '-V'], {
    encoding: 'utf8',
    env: { ...process.env, RTNL_LAUNCH_TRACE: '1' },
  });

describe('the launcher', () => {
  it('compiles the bundle with the build’s code cache (V8 accepts it)', () => {
    const r = launch(ROOT);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^rtnl utility, rtnl-/);
    expect(r.stderr).toBe('rtnl: code cache accepted\n');
  });

  it('runs without a cache, and with one V8 refuses', () => {
    const copy = mkdtempSync(join(tmpdir(), 'rtnl-launch-'));
    dirs.push(copy);
    cpSync(join(ROOT, 'bin'), join(copy, 'bin'), { recursive: true });
    cpSync(join(ROOT, 'package.json'), join(copy, 'package.json'));
    cpSync(join(ROOT, 'dist', 'cli.cjs'), join(copy, 'dist', 'cli.cjs'));
    symlinkSync(join(ROOT, 'node_modules'), join(copy, 'node_modules'));
    const none = launch(copy);
    expect(none.stdout).toMatch(/^rtnl utility, rtnl-/);
    expect(none.stderr).toBe('rtnl: code cache none\n');
    // The build's id, then bytes that are no code cache: V8 refuses them, rtnl still runs.
    const bundle = readFileSync(join(copy, 'dist', 'cli.cjs'), 'latin1');
    const id = bundle.slice(bundle.lastIndexOf('//# rtnl-build=') + 15).slice(0, 36);
    writeFileSync(join(copy, 'dist', 'cli.cjs.cache'), `${id}\n${'x'.repeat(64)}`, 'latin1');
    const bad = launch(copy);
    expect(bad.status).toBe(0);
    expect(bad.stdout).toMatch(/^rtnl utility, rtnl-/);
    expect(bad.stderr).toBe('rtnl: code cache rejected\n');
  });
});
