// Summarises a V8 .cpuprofile (from `node --cpu-prof`) as the functions with the most self time.
//   node bench/cpuprofile.mjs FILE.cpuprofile [TOP]
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

function where(frame) {
  if (!frame.url) return '';
  const file = frame.url.startsWith('file://')
    ? relative(ROOT, fileURLToPath(frame.url))
    : frame.url;
  // callFrame line numbers are 0-based.
  return `${file}:${frame.lineNumber + 1}`;
}

/** Self time per function (summed over every node of the call tree that names it), top first. */
export function summarizeProfile(file, top = 15) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  // samples[i] was taken timeDeltas[i] µs after the previous one; charge each delta to the
  // sampled node, which is how DevTools computes self time.
  const selfMicros = new Map();
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const delta = profile.timeDeltas[i] ?? 0;
    total += delta;
    const frame = nodes.get(profile.samples[i]).callFrame;
    const key = `${frame.functionName || '(anonymous)'} ${where(frame)}`.trim();
    selfMicros.set(key, (selfMicros.get(key) ?? 0) + delta);
  }
  return [...selfMicros]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([fn, micros]) => ({ fn, ms: micros / 1000, percent: (100 * micros) / total }));
}

export function formatProfile(rows) {
  return rows
    .map(
      (row) =>
        `  ${row.percent.toFixed(1).padStart(5)}%  ${row.ms.toFixed(1).padStart(8)} ms  ${row.fn}`,
    )
    .join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [file, top] = process.argv.slice(2);
  if (!file) {
    console.error('usage: node bench/cpuprofile.mjs FILE.cpuprofile [TOP]');
    process.exit(2);
  }
  console.log(formatProfile(summarizeProfile(file, top ? Number(top) : 15)));
}
