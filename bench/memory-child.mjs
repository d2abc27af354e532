// One memory measurement of one dump, run by run.mjs in a fresh `node --expose-gc` process so
// that no measurement inherits another's heap.
//
//   node --expose-gc bench/memory-child.mjs NETNS_PATH TABLE WARMUP_TABLE decode|list|objects raw|retained
//
// decode: the engine's dump with RawAttribute objects; list: the same collected first;
// objects: the typed client's rt.routes.iterate() (route objects, streamed).
//
// raw       samples process.memoryUsage() every RAW_EVERY messages and on a 2 ms timer, without
//           forcing GC: the peak a user would see, garbage included (V8's young generation alone
//           can hold tens of MB before a scavenge, so this is noisy and not proportional to work).
// retained  forces a full GC every RETAINED_EVERY messages and then samples: what the library
//           still holds mid-dump. Streaming means this stays flat as the table grows.
// Prints one JSON object: the peak increase over a baseline taken after a warm-up dump and GC.
import { dumpDecode, dumpListDecode, openClient, openConnection } from './cases.mjs';

const RAW_EVERY = 256;
const RETAINED_EVERY = 1000;
const TIMER_MS = 2;

const [netnsPath, tableArg, warmupTableArg, mode, sampling] = process.argv.slice(2);
if (
  !netnsPath ||
  !['decode', 'list', 'objects'].includes(mode) ||
  !['raw', 'retained'].includes(sampling) ||
  typeof globalThis.gc !== 'function'
) {
  console.error(
    'usage: node --expose-gc memory-child.mjs NETNS_PATH TABLE WARMUP_TABLE decode|list|objects raw|retained',
  );
  process.exit(2);
}
const table = Number(tableArg);
const warmupTable = Number(warmupTableArg);

function fullGc() {
  // Twice: the first pass can leave objects that only the second finds unreachable (weak refs,
  // finalizers of ArrayBuffers).
  globalThis.gc();
  globalThis.gc();
}

const rt = mode === 'objects' ? await openClient(netnsPath) : undefined;
const conn = rt ? rt.connection : await openConnection(netnsPath);
// Warm up on the small table: JIT, the connection's buffers, and the kernel's view of our
// receive buffer size (which decides how full the dump datagrams are).
if (rt) for await (const _ of rt.routes.iterate({ family: 'inet', table: warmupTable }));
else await dumpDecode(conn, warmupTable);
fullGc();
const baseline = process.memoryUsage();
const peak = { rss: 0, heapUsed: 0, arrayBuffers: 0, external: 0, js: 0 };
let samples = 0;

function sample() {
  const now = process.memoryUsage();
  samples++;
  peak.rss = Math.max(peak.rss, now.rss - baseline.rss);
  peak.heapUsed = Math.max(peak.heapUsed, now.heapUsed - baseline.heapUsed);
  peak.arrayBuffers = Math.max(peak.arrayBuffers, now.arrayBuffers - baseline.arrayBuffers);
  peak.external = Math.max(peak.external, now.external - baseline.external);
  // heapUsed + arrayBuffers: JS objects plus the datagram buffers they point into.
  const js = now.heapUsed + now.arrayBuffers - (baseline.heapUsed + baseline.arrayBuffers);
  peak.js = Math.max(peak.js, js);
}

let timer;
let onMessage;
if (sampling === 'raw') {
  timer = setInterval(sample, TIMER_MS);
  onMessage = (n) => {
    if (n % RAW_EVERY === 0) sample();
  };
} else {
  onMessage = (n) => {
    if (n % RETAINED_EVERY === 0) {
      fullGc();
      sample();
    }
  };
}

let tally;
if (mode === 'objects') {
  let messages = 0;
  for await (const _route of rt.routes.iterate({ family: 'inet', table })) onMessage(++messages);
  if (sampling === 'retained') fullGc();
  sample();
  tally = { messages };
} else if (mode === 'decode') {
  tally = await dumpDecode(conn, table, onMessage);
  // The end of the dump, before anything is released.
  if (sampling === 'retained') fullGc();
  sample();
} else {
  // list() offers no hook mid-dump; measure while the collected array is alive, which is its
  // peak by construction.
  tally = await dumpListDecode(conn, table, () => {
    if (sampling === 'retained') fullGc();
    sample();
  });
}
clearInterval(timer);
conn.close();
console.log(JSON.stringify({ table, mode, sampling, messages: tally.messages, samples, peak }));
