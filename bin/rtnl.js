#!/usr/bin/env node
// rtnl: an ip-compatible command line. The CLI and the library it uses are one CommonJS bundle,
// dist/cli.cjs (built from src/cli/main.ts, see tsup.config.ts). This launcher compiles it with
// the V8 code cache the build made beside it (dist/cli.cjs.cache), which spares every start
// the parsing and compiling of the bundle; without a cache, or with one V8 refuses (another Node
// version, other V8 flags), it compiles the bundle as usual.
import Module from 'node:module';

// Built-ins through require: an ES import of node:fs builds its ES module facade, which reads
// every export, lazy ones included (fs.ReadStream loads the whole of node:stream).
const require = Module.createRequire(import.meta.url);
const { readFileSync } = require('node:fs');
const { dirname } = require('node:path');
const { fileURLToPath } = require('node:url');
const { Script } = require('node:vm');

const file = fileURLToPath(new URL('../dist/cli.cjs', import.meta.url));
const source = readFileSync(file, 'utf8');
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
