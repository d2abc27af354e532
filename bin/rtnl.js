#!/usr/bin/env node
// rtnl: an ip-compatible command line. The CLI and the library it uses are one CommonJS bundle,
// dist/cli.cjs (built from src/cli/main.ts, see tsup.config.ts). This launcher compiles it with
// the V8 code cache the build made beside it (dist/cli.cjs.cache), which spares every start
// the parsing and compiling of the bundle; without a cache, or with one V8 refuses (another Node
// version, other V8 flags), it compiles the bundle as usual.
//
// The launcher is CommonJS (bin/package.json says so): Node starts a CommonJS entry without
// setting up its ES module loader, a few milliseconds of every command.
'use strict';
// V8 optimises a function with TurboFan once it has run this much bytecode: 4 times V8's default
// (67584). A command line lives for a fraction of a second, and the default made TurboFan compile
// dozens of functions on V8's threads (about 60 ms of CPU in a 10 000-line -batch, on a 2-CPU
// machine also running the kernel's work) for code that was done soon after. Measured here
// (12:40, 2026-11-29, medians of 10): -batch of 10 000 routes 184 → 173 ms, `-j route show` of
// 10 000 routes 179 → 167 ms, of 100 000 routes unchanged (381 → 391 ms, within noise). The
// build makes the code cache with the same flag (tsup.config.ts reads it from here): V8 refuses
// a cache made under other flags.
require('node:v8').setFlagsFromString('--interrupt-budget=270336');
const { readFileSync } = require('node:fs');
const Module = require('node:module');
const { dirname, join } = require('node:path');
const { Script } = require('node:vm');

const file = join(__dirname, '..', 'dist', 'cli.cjs');
// The build makes the bundle ASCII only (tsup.config.ts checks it): latin1 is its exact text,
// and decoding it is cheaper than UTF-8's.
const source = readFileSync(file, 'latin1');
// V8 takes a cache for any source of the same length, so the cache must name this very build:
// it starts with the build id (and a newline) that the bundle's last comment gives.
const BUILD_TAG = '//# rtnl-build=';
const tag = source.lastIndexOf(BUILD_TAG);
const buildId = tag < 0 ? '' : source.slice(tag + BUILD_TAG.length, tag + BUILD_TAG.length + 36);
let cachedData;
try {
  const cache = readFileSync(`${file}.cache`);
  if (buildId.length === 36 && cache.toString('latin1', 0, 37) === `${buildId}\n`) {
    cachedData = cache.subarray(37);
  }
} catch {
  // No cache: compile.
}
const script = new Script(Module.wrap(source), { filename: file, cachedData });
// RTNL_LAUNCH_TRACE=1: say whether the code cache served (tests check that the build's does).
if (process.env.RTNL_LAUNCH_TRACE === '1') {
  const state =
    cachedData === undefined ? 'none' : script.cachedDataRejected ? 'rejected' : 'accepted';
  process.stderr.write(`rtnl: code cache ${state}\n`);
}
const cli = { exports: {} };
script.runInThisContext()(cli.exports, Module.createRequire(file), cli, file, dirname(file));
cli.exports.main(process.argv.slice(2));
