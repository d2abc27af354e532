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
const cli = { exports: {} };
script.runInThisContext()(cli.exports, Module.createRequire(file), cli, file, dirname(file));
cli.exports.main(process.argv.slice(2));
