// exitNow (src/netlink/native.ts): the process ends with the status asked for, after the 'exit'
// event and with everything written synchronously before it; when Node has something to write
// at teardown (coverage, profiles) it is Node's own exit, so that output still appears.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const DIST = new URL('../../dist/index.cjs', import.meta.url).pathname;
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Run a script that ends with exitNow(code) in a child Node. */
function child(code: number, env: NodeJS.ProcessEnv = {}, execArgv: string[] = []) {
  const script = `
    const { exitNow } = require(${JSON.stringify(DIST)});
    const { writeSync } = require('node:fs');
    process.on('exit', (c) => writeSync(2, 'exit event ' + c + '\\n'));
    writeSync(1, 'written\\n');
    setTimeout(() => writeSync(1, 'never\\n'), 1000);
    exitNow(${code});
    writeSync(1, 'after\\n');
  `;
  return spawnSync(process.execPath, [...execArgv, '-e', script], {
    encoding: 'utf8',
    env: { ...process.env, NODE_V8_COVERAGE: '', NODE_OPTIONS: '', ...env },
  });
}

describe('exitNow', () => {
  it('ends at once with the status, after the exit event and what was written', () => {
    for (const code of [0, 1, 2, 255]) {
      const r = child(code);
      expect(r.status).toBe(code);
      expect(r.stdout).toBe('written\n');
      expect(r.stderr).toBe(`exit event ${code}\n`);
    }
  });

  it('skips the exit path of Node: --trace-exit, which reports it, says nothing', () => {
    const r = child(5, {}, ['--trace-exit']);
    expect(r.status).toBe(5);
    expect(r.stderr).toBe('exit event 5\n');
    // The same script through process.exit: Node reports it.
    const script = 'process.exit(5)';
    const plain = spawnSync(process.execPath, ['--trace-exit', '-e', script], { encoding: 'utf8' });
    expect(plain.status).toBe(5);
    expect(plain.stderr).toMatch(/Exited the environment with code 5/);
  });

  it('leaves the teardown to Node when coverage is asked for, so the coverage is written', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rtnl-cov-'));
    dirs.push(dir);
    const r = child(3, { NODE_V8_COVERAGE: dir });
    expect(r.status).toBe(3);
    expect(r.stdout).toBe('written\n');
    expect(readdirSync(dir).some((f) => f.endsWith('.json'))).toBe(true);
  });

  it('leaves the teardown to Node for --cpu-prof, so the profile is written', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rtnl-prof-'));
    dirs.push(dir);
    const r = child(4, {}, ['--cpu-prof', '--cpu-prof-dir', dir]);
    expect(r.status).toBe(4);
    expect(readdirSync(dir).some((f) => f.endsWith('.cpuprofile'))).toBe(true);
  });
});
