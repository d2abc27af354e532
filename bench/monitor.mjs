#!/usr/bin/env node
// Monitor benchmark (issue 6): events per second decoded and delivered for a route-add storm,
// against `ip monitor route` listening to the same storm in the same run.
//
//   npm run build && node bench/monitor.mjs [--routes 100000] [--rounds 3]
//
// Needs root, `ip` (iproute2) and `nsenter`. Everything happens in an anonymous network
// namespace made with the library (checked to differ from this process's own); the host is
// never touched, and closing the namespace's descriptor at the end frees it and its routes.
//
// Each round:
//   1. `ip monitor route` starts in the namespace, writing to a file (it flushes each line);
//      rtnl's Monitor opens there too (default options) and is consumed with `for await`.
//   2. A C-speed writer, `ip -batch`, adds N routes `10.a.b.c/28 dev lo table 100`.
//   3. Each side's time is from the writer's start until it has seen the last route: for rtnl
//      when its loop receives the N-th event, for ip when the last route's line is in its file
//      (polled every 2 ms). Rate = N / time. Both also report CPU time (ip's from /proc, in
//      10 ms ticks) and events per CPU-second, which is what the machine's load does not blur.
//   4. Context: a Monitor paused during the storm (SO_RCVBUFFORCE 256 MiB holds it all) then
//      resumed: the library's own decode-and-deliver rate, with no writer competing.
// Target: rtnl's rate ≥ ip monitor's (median of the rounds), with its heap bounded (the peak
// heap over the baseline is printed; the monitor buffers at most maxBuffered events).
import { spawn, spawnSync } from 'node:child_process';
import {
  closeSync,
  existsSync,
  fstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { release } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const BENCH = fileURLToPath(new URL('.', import.meta.url));
const ROOT = join(BENCH, '..');
const BUILD = join(BENCH, 'build');
const TABLE = 100;

const { values: options } = parseArgs({
  options: {
    routes: { type: 'string', default: '100000' },
    rounds: { type: 'string', default: '3' },
  },
});
const N = Number(options.routes);
const ROUNDS = Number(options.rounds);
if (!Number.isInteger(N) || N < 1 || N > 1_000_000 || !Number.isInteger(ROUNDS) || ROUNDS < 1) {
  console.error('--routes must be 1..1000000 and --rounds a positive integer');
  process.exit(2);
}

const log = (text) => process.stderr.write(`${text}\n`);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const MiB = 1024 * 1024;

/** The library: dist/ when it has the monitor entry, else a bundle of src/ made here. */
async function loadLibrary() {
  const dist = join(ROOT, 'dist');
  if (existsSync(join(dist, 'monitor', 'index.js'))) {
    return {
      ...(await import(join(dist, 'monitor', 'index.js'))),
      ...(await import(join(dist, 'ns', 'index.js'))),
      from: 'dist/',
    };
  }
  const out = join(BUILD, 'monitor-dist');
  log(
    'dist/ has no monitor entry yet: bundling src/monitor with tsup into bench/build/monitor-dist',
  );
  const tsup = spawnSync(
    join(ROOT, 'node_modules', '.bin', 'tsup'),
    [
      '--no-config',
      '--entry.monitor',
      'src/monitor/index.ts',
      '--entry.ns',
      'src/ns/index.ts',
      '--format',
      'esm',
      '--target',
      'node20',
      '--platform',
      'node',
      '--silent',
      '-d',
      out,
    ],
    { cwd: ROOT, encoding: 'utf8' },
  );
  if (tsup.status !== 0) throw new Error(`tsup failed: ${tsup.stderr}`);
  return {
    ...(await import(join(out, 'monitor.js'))),
    ...(await import(join(out, 'ns.js'))),
    from: 'bench/build/monitor-dist (bundled from src/)',
  };
}

function assertSandbox(path) {
  const own = statSync('/proc/self/ns/net');
  const sandbox = statSync(path);
  if (own.dev === sandbox.dev && own.ino === sandbox.ino) {
    throw new Error(`${path} is this process's own network namespace, not a sandbox`);
  }
}

const prefix = (i) => `10.${i >> 12}.${(i >> 4) & 255}.${(i & 15) << 4}/28`;

/** user + system CPU seconds of a process, from /proc/PID/stat (fields 14 and 15, in ticks). */
function cpuOf(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Whether the last bytes of the file contain `text`. */
function tailHas(fd, text) {
  const size = fstatSync(fd).size;
  const want = Math.min(size, 512);
  if (want === 0) return false;
  const buf = Buffer.alloc(want);
  readSync(fd, buf, 0, want, size - want);
  return buf.toString('latin1').includes(text);
}

async function until(check, ms, what) {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(2);
  }
}

function ip(nsPath, args, input) {
  const r = spawnSync('nsenter', [`--net=${nsPath}`, 'ip', ...args], {
    input,
    encoding: 'utf8',
    maxBuffer: 64 * MiB,
  });
  if (r.status !== 0) throw new Error(`ip ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

function startWriter(nsPath, batchFile) {
  const child = spawn('nsenter', [`--net=${nsPath}`, 'ip', '-batch', batchFile], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  return new Promise((resolve, reject) => {
    child.on('close', (code) => {
      if (code === 0) resolve(performance.now());
      else reject(new Error(`ip -batch exited ${code}: ${stderr}`));
    });
  });
}

/** One live round: both monitors listen while the writer adds N routes. */
async function liveRound(lib, ns, nsPath, batchFile, outFile) {
  // ip monitor, writing to a file.
  const outFd = openSync(outFile, 'w+');
  const ipmon = spawn('nsenter', [`--net=${nsPath}`, 'ip', 'monitor', 'route'], {
    stdio: ['ignore', outFd, 'ignore'],
  });
  try {
    return await measure(lib, ns, nsPath, batchFile, outFile, outFd, ipmon);
  } finally {
    if (ipmon.exitCode === null && ipmon.signalCode === null) ipmon.kill('SIGKILL');
    closeSync(outFd);
    rmSync(outFile, { force: true });
  }
}

async function measure(lib, ns, nsPath, batchFile, outFile, outFd, ipmon) {
  // rtnl's Monitor, default options, consumed with for await.
  const mon = await lib.Monitor.open({ netns: ns.fd, groups: ['ipv4-route'] });
  let seen = 0;
  let lastEventAt = 0;
  let ready = false;
  let peakBuffered = 0;
  let peakHeap = 0;
  let overruns = 0;
  const consumer = (async () => {
    for await (const e of mon) {
      if (e.action === 'overrun') overruns++;
      if (e.action !== 'new' || e.object !== 'route') continue;
      if (e.value.table !== TABLE) {
        ready = true; // the readiness probe below
        continue;
      }
      if (++seen % 1000 === 0) {
        peakBuffered = Math.max(peakBuffered, mon.buffered);
        const m = process.memoryUsage();
        peakHeap = Math.max(peakHeap, m.heapUsed + m.arrayBuffers);
      }
      lastEventAt = performance.now();
    }
  })();
  // Both are listening once a probe route shows up on both sides.
  ip(nsPath, ['route', 'add', '192.0.2.0/24', 'dev', 'lo', 'table', '101']);
  await until(() => ready && tailHas(outFd, '192.0.2.0/24'), 5000, 'both monitors to listen');
  ip(nsPath, ['route', 'del', '192.0.2.0/24', 'dev', 'lo', 'table', '101']);
  await sleep(50);

  globalThis.gc?.();
  const base = process.memoryUsage();
  const baseline = base.heapUsed + base.arrayBuffers;
  const last = `${prefix(N - 1)} dev lo table ${TABLE}`;
  const ipCpu0 = cpuOf(ipmon.pid);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const writer = startWriter(nsPath, batchFile);
  // Each side is done when it has seen the last route, or (if it lost some: an overrun) when
  // it has been quiet for 500 ms after the writer finished; its time is then its last event's.
  let writerDoneAt = 0;
  writer.then((t) => {
    writerDoneAt = t;
  });
  let ipDoneAt = 0;
  let ipSize = 0;
  let ipGrewAt = t0;
  let rtnlDoneAt = 0;
  try {
    await until(
      () => {
        const now = performance.now();
        const size = fstatSync(outFd).size;
        if (size !== ipSize) {
          ipSize = size;
          ipGrewAt = now;
        }
        if (!ipDoneAt && tailHas(outFd, last)) ipDoneAt = now;
        if (!ipDoneAt && writerDoneAt && now - ipGrewAt > 500) ipDoneAt = ipGrewAt;
        if (!rtnlDoneAt && seen === N) rtnlDoneAt = lastEventAt;
        if (!rtnlDoneAt && writerDoneAt && now - lastEventAt > 500) rtnlDoneAt = lastEventAt;
        return ipDoneAt && rtnlDoneAt;
      },
      120_000,
      'both monitors to see every route',
    );
  } catch (error) {
    ipmon.kill('SIGKILL');
    mon.close();
    throw new Error(`${error.message}: rtnl saw ${seen} (${overruns} overruns)`);
  }
  await writer;
  const cpu = process.cpuUsage(cpu0);
  const ipCpu = cpuOf(ipmon.pid) - ipCpu0;
  ipmon.kill('SIGTERM');
  await new Promise((r) => ipmon.once('close', r));
  mon.close();
  await consumer;
  const m = process.memoryUsage();
  peakHeap = Math.max(peakHeap, m.heapUsed + m.arrayBuffers);
  const ipLines = readFileSync(outFile, 'latin1')
    .split('\n')
    .filter((l) => l.includes(` table ${TABLE}`)).length;
  ip(nsPath, ['route', 'flush', 'table', String(TABLE)]);
  return {
    writerMs: writerDoneAt - t0,
    rtnl: { seen, overruns, ms: rtnlDoneAt - t0, cpu: (cpu.user + cpu.system) / 1e6 },
    ip: { seen: ipLines, ms: ipDoneAt - t0, cpu: ipCpu },
    peakHeap,
    heapOverBaseline: peakHeap - baseline,
    peakBuffered,
  };
}

/** Context: the storm queued while the monitor is paused, then read as fast as it goes. */
async function drainRound(lib, ns, nsPath, batchFile) {
  const mon = await lib.Monitor.open({
    netns: ns.fd,
    groups: ['ipv4-route'],
    rcvbuf: 256 * MiB,
    maxBuffered: 10_000,
  });
  mon.pause();
  await startWriter(nsPath, batchFile);
  let seen = 0;
  let overrun = false;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  let doneAt = 0;
  mon.resume();
  for await (const e of mon) {
    if (e.action === 'overrun') overrun = true;
    if (e.action === 'new' && e.object === 'route' && e.value.table === TABLE && ++seen === N) {
      doneAt = performance.now();
      break;
    }
    if (overrun && seen > 0 && mon.buffered === 0) break;
  }
  const cpu = process.cpuUsage(cpu0);
  mon.close();
  ip(nsPath, ['route', 'flush', 'table', String(TABLE)]);
  return {
    seen,
    ms: doneAt ? doneAt - t0 : Number.NaN,
    overrun,
    cpuUs: (cpu.user + cpu.system) / seen,
  };
}

async function main() {
  const lib = await loadLibrary();
  const ns = lib.createNetns();
  const nsPath = `/proc/${process.pid}/fd/${ns.fd}`;
  assertSandbox(nsPath);
  mkdirSync(BUILD, { recursive: true });
  const batchFile = join(BUILD, `monitor-storm-${process.pid}.batch`);
  const outFile = join(BUILD, `monitor-ip-${process.pid}.out`);
  const lines = [];
  for (let i = 0; i < N; i++) lines.push(`route add ${prefix(i)} dev lo table ${TABLE}`);
  writeFileSync(batchFile, `${lines.join('\n')}\n`);
  try {
    ip(nsPath, ['link', 'set', 'lo', 'up']);
    console.log(
      `rtnl monitor benchmark: ${N} route adds per round by \`ip -batch\`, ${ROUNDS} rounds; node ${process.version}, Linux ${release()}; library from ${lib.from}`,
    );
    console.log(`command: node bench/monitor.mjs --routes ${N} --rounds ${ROUNDS}`);
    const live = [];
    for (let r = 0; r < ROUNDS; r++) {
      const result = await liveRound(lib, ns, nsPath, batchFile, outFile);
      live.push(result);
      log(
        `  round ${r + 1}: writer ${result.writerMs.toFixed(0)} ms; ip monitor ${result.ip.seen} in ${result.ip.ms.toFixed(0)} ms (cpu ${result.ip.cpu.toFixed(2)} s); rtnl ${result.rtnl.seen} in ${result.rtnl.ms.toFixed(0)} ms (cpu ${result.rtnl.cpu.toFixed(2)} s)`,
      );
    }
    const drain = [];
    for (let r = 0; r < ROUNDS; r++) drain.push(await drainRound(lib, ns, nsPath, batchFile));

    const med = (f) => median(live.map(f));
    const writerMs = med((r) => r.writerMs);
    const ipm = {
      seen: med((r) => r.ip.seen),
      ms: med((r) => r.ip.ms),
      cpu: med((r) => r.ip.cpu),
    };
    const rtnl = {
      seen: med((r) => r.rtnl.seen),
      ms: med((r) => r.rtnl.ms),
      cpu: med((r) => r.rtnl.cpu),
    };
    const rate = (seen, ms) => `${(seen / ms).toFixed(1)}k/s`;
    const perCpu = (seen, s) => (s > 0 ? `${(seen / s / 1000).toFixed(0)}k` : 'n/a');
    const row = (label, seen, ms, cpu) =>
      `  ${label.padEnd(38)}${String(seen).padStart(8)}${`${ms.toFixed(0)} ms`.padStart(12)}${rate(seen, ms).padStart(12)}${cpu === undefined ? '' : `${`${cpu.toFixed(2)} s`.padStart(10)}${perCpu(seen, cpu).padStart(12)}`}`;
    console.log('');
    console.log(
      `live storm, median of ${ROUNDS} rounds: time from the writer's start to the last route seen`,
    );
    console.log(
      `  ${''.padEnd(38)}${'seen'.padStart(8)}${'time'.padStart(12)}${'events/s'.padStart(12)}${'CPU'.padStart(10)}${'ev/CPU-s'.padStart(12)}`,
    );
    console.log(row('writer: ip -batch (adds)', N, writerMs));
    console.log(row('ip monitor route > file', ipm.seen, ipm.ms, ipm.cpu));
    console.log(row('rtnl Monitor, for await (defaults)', rtnl.seen, rtnl.ms, rtnl.cpu));
    if (ipm.seen < N) console.log('  (ip monitor lost events: it reports an overrun and goes on)');
    const ratio = rtnl.seen / rtnl.ms / (ipm.seen / ipm.ms);
    const allSeen = live.every((r) => r.rtnl.seen === N);
    const cpuRatio = rtnl.cpu / rtnl.seen / (ipm.cpu / ipm.seen);
    console.log(
      `  target: rtnl rate ≥ ip monitor rate: ${ratio >= 1 && allSeen ? 'met' : 'MISSED'} (rtnl/ip rate ${ratio.toFixed(3)}×; CPU per event rtnl/ip ${cpuRatio.toFixed(2)}×${allSeen ? '' : '; rtnl lost events'})`,
    );
    const peakHeap = Math.max(...live.map((r) => r.peakHeap)) / MiB;
    const overBase = Math.max(...live.map((r) => r.heapOverBaseline)) / MiB;
    console.log(
      `  rtnl memory: peak heap+arrayBuffers ${peakHeap.toFixed(1)} MiB, at most ${overBase.toFixed(1)} MiB over the baseline; at most ${Math.max(...live.map((r) => r.peakBuffered))} events buffered (bound: maxBuffered ${lib.DEFAULT_MAX_BUFFERED})`,
    );
    console.log('');
    const drainMs = median(drain.map((d) => d.ms));
    console.log(
      `context: ${N} events queued while the Monitor was paused, then read (no writer running)`,
    );
    console.log(
      `  rtnl Monitor, for await: ${Math.min(...drain.map((d) => d.seen))} in ${drainMs.toFixed(0)} ms = ${rate(N, drainMs)}, ${median(drain.map((d) => d.cpuUs)).toFixed(2)} µs CPU per event${drain.some((d) => d.overrun) ? ' (an overrun happened: raise rcvbuf)' : ''}`,
    );
  } finally {
    rmSync(batchFile, { force: true });
    rmSync(outFile, { force: true });
    ns.close();
  }
}

await main();
