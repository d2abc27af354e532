#!/usr/bin/env node
// CLI benchmark, standalone (needs root and a built dist/): in a network namespace of its own,
//   1. `rtnl -batch` of 10 k route adds against `ip -batch` of the same file, in the same run
//      (target: at most 1.5 × ip's time, Node's start-up included). A batch of one line is
//      timed too, so the table splits each tool's time into a fixed part and a cost per line;
//   2. one-shot start-up: `rtnl link show` against `ip link show`, and rtnl's own load cost
//      beyond `node -e ''` (target: < 30 ms); `rtnl -V` shows the framework alone.
// Runs are interleaved (ip, rtnl, ip, rtnl, …) so both meet the same machine load; the
// minimum and the median are reported.
//
//   npm run build && node bench/cli.mjs [--routes N] [--rounds N] [--starts N] [--json]
//   RTNL_BIN=/path/to/bin/rtnl.js node bench/cli.mjs     (another build's launcher)
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const ROUTES = opt('routes', 10_000);
const ROUNDS = opt('rounds', 7);
const STARTS = opt('starts', 20);
const JSON_OUT = args.includes('--json');
const BATCH_TARGET = 1.5;
const OWN_COST_TARGET = 30;
// RTNL_BIN: the launcher of another build (default: this package's bin/rtnl.js).
const BIN = process.env.RTNL_BIN ?? new URL('../bin/rtnl.js', import.meta.url).pathname;

// Re-run inside a fresh network namespace (nothing here touches the caller's).
if (process.env.RTNL_BENCH_NS !== '1') {
  const r = spawnSync('unshare', ['--net', process.execPath, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, RTNL_BENCH_NS: '1' },
  });
  process.exit(r.status ?? 1);
}

const ip = (...a) => execFileSync('ip', a, { encoding: 'utf8' });
const timed = (cmd, argv) => {
  const t = process.hrtime.bigint();
  const r = spawnSync(cmd, argv, { encoding: 'utf8', maxBuffer: 1 << 26 });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.status !== 0) {
    throw new Error(`${cmd} ${argv.join(' ')} failed (${r.status}): ${r.stderr.slice(0, 500)}`);
  }
  return ms;
};
const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return { min: s[0], median: s[Math.floor(s.length / 2)], runs: s.length };
};
const f1 = (x) => x.toFixed(1);

ip('link', 'set', 'lo', 'up');
ip('link', 'add', 'd0', 'type', 'ifb');
ip('link', 'set', 'd0', 'up');

const dir = mkdtempSync(join(tmpdir(), 'rtnl-bench-'));
const results = {};
try {
  // ---- 1. batch of route adds ----
  const file = join(dir, 'routes.batch');
  const lines = [];
  for (let i = 0; i < ROUTES; i++)
    lines.push(`route add 10.${(i >> 8) & 255}.${i & 255}.0/24 dev d0`);
  writeFileSync(file, `${lines.join('\n')}\n`);
  // The fixed part: the same kind of line, once (a replace, so every round may repeat it).
  const one = join(dir, 'one.batch');
  writeFileSync(one, 'route replace 192.0.2.0/24 dev d0\n');
  const flush = () => ip('route', 'flush', 'dev', 'd0', 'proto', 'boot');
  const t = { ip: [], rtnl: [], ip1: [], rtnl1: [] };
  for (let round = 0; round < ROUNDS; round++) {
    t.ip.push(timed('ip', ['-batch', file]));
    flush();
    t.rtnl.push(timed(process.execPath, [BIN, '-batch', file]));
    const n = ip('-j', 'route', 'show', 'dev', 'd0', 'proto', 'boot');
    if (JSON.parse(n).length !== ROUTES) throw new Error('rtnl -batch did not add every route');
    flush();
    t.ip1.push(timed('ip', ['-batch', one]));
    t.rtnl1.push(timed(process.execPath, [BIN, '-batch', one]));
  }
  flush();
  const s = Object.fromEntries(Object.entries(t).map(([k, v]) => [k, stats(v)]));
  const perLine = (all, fixed) => ({
    min: ((all.min - fixed.min) / (ROUTES - 1)) * 1000,
    median: ((all.median - fixed.median) / (ROUTES - 1)) * 1000,
  });
  results.batch = {
    routes: ROUTES,
    ip_ms: s.ip,
    rtnl_ms: s.rtnl,
    ip_one_line_ms: s.ip1,
    rtnl_one_line_ms: s.rtnl1,
    ip_per_line_us: perLine(s.ip, s.ip1),
    rtnl_per_line_us: perLine(s.rtnl, s.rtnl1),
    ratio_min: s.rtnl.min / s.ip.min,
    ratio_median: s.rtnl.median / s.ip.median,
    target: BATCH_TARGET,
  };

  // ---- 2. start-up ----
  const starts = { node: [], rtnlV: [], rtnl: [], ip: [] };
  for (let i = 0; i < STARTS; i++) {
    starts.node.push(timed(process.execPath, ['-e', '']));
    starts.rtnlV.push(timed(process.execPath, [BIN, '-V']));
    starts.rtnl.push(timed(process.execPath, [BIN, 'link', 'show']));
    starts.ip.push(timed('ip', ['link', 'show']));
  }
  const node = stats(starts.node);
  const rtnl = stats(starts.rtnl);
  const rtnlV = stats(starts.rtnlV);
  results.startup = {
    node_e_ms: node,
    rtnl_version_ms: rtnlV,
    rtnl_link_show_ms: rtnl,
    ip_link_show_ms: stats(starts.ip),
    rtnl_own_cost_ms: { min: rtnl.min - node.min, median: rtnl.median - node.median },
    framework_cost_ms: { min: rtnlV.min - node.min, median: rtnlV.median - node.median },
    target_own_cost_ms: OWN_COST_TARGET,
  };
} finally {
  rmSync(dir, { recursive: true, force: true });
}

if (JSON_OUT) {
  process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
} else {
  const b = results.batch;
  const s = results.startup;
  // Ratios with two decimals: a target of 1.5× is met or missed in the second one.
  const row = (name, st, unit = 'ms') => {
    const f = unit === '×' ? (x) => x.toFixed(2) : f1;
    return `| ${name.padEnd(34)} | ${`${f(st.min)} ${unit}`.padStart(10)} | ${`${f(st.median)} ${unit}`.padStart(10)} |`;
  };
  const head = (title) => [
    `| ${title.padEnd(34)} |        min |     median |`,
    `|${'-'.repeat(36)}|-----------:|-----------:|`,
  ];
  const verdict = (ok) => (ok ? 'met' : 'MISSED');
  console.log(
    [
      `rtnl -batch vs ip -batch, ${b.routes} route adds, ${ROUNDS} rounds (interleaved)`,
      '',
      ...head('batch'),
      row('ip -batch', b.ip_ms),
      row('rtnl -batch', b.rtnl_ms),
      row('ip -batch, 1 line (fixed part)', b.ip_one_line_ms),
      row('rtnl -batch, 1 line (fixed part)', b.rtnl_one_line_ms),
      row('ip: per further line', b.ip_per_line_us, 'µs'),
      row('rtnl: per further line', b.rtnl_per_line_us, 'µs'),
      row('ratio rtnl / ip', { min: b.ratio_min, median: b.ratio_median }, '×'),
      `target ≤ ${b.target}× (median): ${verdict(b.ratio_median <= b.target)}`,
      '',
      `start-up, ${STARTS} runs each (interleaved)`,
      '',
      ...head('start-up'),
      row("node -e ''", s.node_e_ms),
      row('rtnl -V', s.rtnl_version_ms),
      row('rtnl link show', s.rtnl_link_show_ms),
      row('ip link show', s.ip_link_show_ms),
      row("rtnl's own cost (link show − node)", s.rtnl_own_cost_ms),
      row('framework alone (-V − node)', s.framework_cost_ms),
      `target own cost < ${s.target_own_cost_ms} ms (median): ${verdict(s.rtnl_own_cost_ms.median < s.target_own_cost_ms)}`,
    ].join('\n'),
  );
}
