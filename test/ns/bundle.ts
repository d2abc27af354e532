// src/ns bundled to one CommonJS file, for tests that run it in a child process (as another
// user, or in a private mount namespace). The bundle sits inside the checkout, so it finds the
// addon and the helper in build/Release as an installed package would.
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../..');

export interface Bundle {
  /** The bundled module: `require(file)` gives everything src/ns/index.ts exports. */
  file: string;
  remove(): void;
}

export function bundleNs(tag: string): Bundle {
  const dir = join(ROOT, 'node_modules', '.cache', `rtnl-ns-${tag}-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  execFileSync(
    join(ROOT, 'node_modules', '.bin', 'tsup'),
    ['--no-config', '--entry.ns', 'src/ns/index.ts', '--format', 'cjs', '--silent', '-d', dir],
    { cwd: ROOT, stdio: 'pipe' },
  );
  return { file: join(dir, 'ns.cjs'), remove: () => rmSync(dir, { recursive: true, force: true }) };
}
