// The README's quick start must keep working: the demo script runs as a newcomer would run it.
import { spawnSync } from 'node:child_process';
import { expect, it } from 'vitest';

it('node examples/quickstart.mjs builds a namespace, reads it back, shows a kernel refusal and a rejected value', () => {
  const root = new URL('../../', import.meta.url).pathname;
  const r = spawnSync(process.execPath, ['examples/quickstart.mjs'], {
    cwd: root,
    encoding: 'utf8',
    timeout: 30_000,
  });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  expect(r.stdout).toContain('1: lo mtu 65536');
  expect(r.stdout).toContain('127.0.0.53/8 on ifindex 1');
  expect(r.stdout).toContain('127.1.2.0/24 oif 1 table 254');
  expect(r.stdout).toContain('refused: EEXIST (errno 17): ipv4: Address already assigned');
  expect(r.stdout).toMatch(/^ {2}\d+: veth0 mtu 1500 state up kind veth /m);
  expect(r.stdout).toContain('192.0.2.1/24 on ifindex');
  expect(r.stdout).toContain('rejected before sending: BAD_VALUE at route.dst');
});
