#!/usr/bin/env node
// Namespace benchmark (not part of `npm test`): run `npm run build`, then `node bench/ns.mjs`
// as root. Options: --n N (iterations per case, default 200).
//
//   1. create + delete a named namespace: rtnl (addNamedNetns/deleteNamedNetns, in-process)
//      vs spawning `ip netns add NAME` + `ip netns del NAME`. Target: rtnl ≤ 1/10 of ip.
//   2. run `true` in a namespace: rtnl's exec helper (netns.exec) vs `ip netns exec NAME true`.
//
// Everything runs in a private network and mount namespace made for the run (the script
// re-executes itself under `unshare --net --mount`), with an empty tmpfs on /run/netns, so no
// named namespace of the host is seen or touched and nothing survives the run.

import { execFileSync, spawnSync } from 'node:child_process';
import { readlinkSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const INSIDE = 'RTNL_BENCH_NS_INSIDE';
const self = fileURLToPath(import.meta.url);
const argv = process.argv.slice(2);
const at = argv.indexOf('--n');
const n = (at >= 0 && Number(argv[at + 1])) || 200;

if (process.env[INSIDE] !== '1') {
  const outer = readlinkSync('/proc/self/ns/net');
  const r = spawnSync(
    'unshare',
    ['--net', '--mount', '--propagation', 'private', process.execPath, self, ...argv],
    { stdio: 'inherit', env: { ...process.env, [INSIDE]: '1', RTNL_BENCH_OUTER_NETNS: outer } },
  );
  process.exit(r.status ?? 1);
}

if (readlinkSync('/proc/self/ns/net') === process.env.RTNL_BENCH_OUTER_NETNS) {
  throw new Error('bench/ns.mjs: not in a private network namespace; refusing to run');
}
execFileSync('mount', ['-t', 'tmpfs', '-o', 'mode=0755', 'rtnl-bench', '/run/netns']);

const { addNamedNetns, createNetns, deleteNamedNetns, execInNetns } = await import(
  '../dist/ns/index.js'
);

// Cases run interleaved (one of each per round), so load from elsewhere on the machine falls
// on both alike; each reports the median and the mean of its rounds.
async function compare(rounds, cases) {
  const samples = cases.map(() => []);
  for (let round = -Math.min(10, rounds); round < rounds; round++) {
    for (const [i, c] of cases.entries()) {
      const t0 = performance.now();
      await c.run(round < 0 ? `w${-round}` : String(round));
      if (round >= 0) samples[i].push((performance.now() - t0) * 1000);
    }
  }
  return cases.map((c, i) => {
    const sorted = [...samples[i]].sort((a, b) => a - b);
    const mean = sorted.reduce((a, b) => a + b, 0) / sorted.length;
    return { label: c.label, rounds, medianUs: sorted[sorted.length >> 1], meanUs: mean };
  });
}

const fmt = (r) =>
  `${r.label.padEnd(42)} median ${r.medianUs.toFixed(0).padStart(6)} µs   mean ${r.meanUs.toFixed(0).padStart(6)} µs   (${r.rounds} rounds)`;

console.log(`rtnl namespace benchmark, node ${process.version}, n = ${n}`);
console.log('');

const [rtnlAddDel, ipAddDel, anonymous] = await compare(n, [
  {
    label: 'rtnl: add + delete a named namespace',
    run: (i) => {
      addNamedNetns(`rtnl-bench-${i}`);
      deleteNamedNetns(`rtnl-bench-${i}`);
    },
  },
  {
    label: 'spawn `ip netns add` + `ip netns del`',
    run: (i) => {
      execFileSync('ip', ['netns', 'add', `ip-bench-${i}`]);
      execFileSync('ip', ['netns', 'del', `ip-bench-${i}`]);
    },
  },
  {
    // The floor: the kernel's own cost of making (and later freeing) a network namespace.
    label: '(rtnl: anonymous create + close, no name)',
    run: () => createNetns().close(),
  },
]);
for (const r of [rtnlAddDel, ipAddDel, anonymous]) console.log(fmt(r));
const ratio = rtnlAddDel.medianUs / ipAddDel.medianUs;
console.log(
  `ratio rtnl / ip (medians): ${ratio.toFixed(3)} = 1/${(1 / ratio).toFixed(1)}; target ≤ 1/10: ${ratio <= 0.1 ? 'met' : 'NOT met'}`,
);
console.log('');

addNamedNetns('rtnl-bench-exec');
const [rtnlExec, ipExec] = await compare(Math.max(20, Math.floor(n / 2)), [
  {
    label: 'rtnl: await netns.exec(NAME, "true")',
    run: async () => {
      const r = await execInNetns('rtnl-bench-exec', 'true');
      if (r.code !== 0) throw new Error(`true exited ${r.code}`);
    },
  },
  {
    label: 'spawn `ip netns exec NAME true`',
    run: () => execFileSync('ip', ['netns', 'exec', 'rtnl-bench-exec', 'true']),
  },
]);
deleteNamedNetns('rtnl-bench-exec');
console.log(fmt(rtnlExec));
console.log(fmt(ipExec));
console.log(`ratio rtnl / ip (medians): ${(rtnlExec.medianUs / ipExec.medianUs).toFixed(3)}`);
