import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { build, defineConfig, type Options } from 'tsup';

type Plugin = NonNullable<Options['esbuildPlugins']>[number];

/** The comment that ends dist/cli.cjs, followed by the build's id (bin/rtnl.js looks for it). */
const BUILD_TAG = '//# rtnl-build=';

// The command line is built apart from the library: one CommonJS file, dist/cli.cjs, holding the
// CLI and the library it uses, plus dist/cli.cjs.cache, V8's code cache for it. bin/rtnl.js
// compiles the bundle with that cache, so a command skips parsing and compiling ≈550 kB of
// JavaScript (≈10 ms of every start-up). Object modules stay lazy inside the bundle: esbuild
// turns each `import('./commands/x.js')` into a function that runs the module on first use.
async function buildCli(outDir: string): Promise<void> {
  // V8 accepts a code cache for any source of the same length: the bundle ends with this
  // build's id and the cache starts with it, and bin/rtnl.js uses the cache only when they match.
  const buildId = randomUUID();
  await build({
    config: false,
    entry: { cli: 'src/cli/main.ts' },
    format: ['cjs'],
    outDir,
    clean: false,
    dts: false,
    sourcemap: true,
    target: 'node20',
    platform: 'node',
    splitting: false,
    // import.meta.url (package.json for -V, the native addon, buffer-layout) from __filename.
    shims: true,
    // No comments or indentation: less to read at every start (the source map keeps the lines).
    minify: true,
    silent: true,
    // A vm.Script has no loader for import(): let esbuild turn every import() (node built-ins
    // included) into require().
    esbuildOptions(options) {
      options.supported = { ...options.supported, 'dynamic-import': false };
    },
    // Keep `node:` in built-in names (tsup strips it first, before any plugin sees it).
    removeNodeProtocol: false,
    esbuildPlugins: [lazyBuiltins(['node:child_process'])],
    footer: { js: `${BUILD_TAG}${buildId}` },
  });
  const file = resolve(outDir, 'cli.cjs');
  const bytes = readFileSync(file);
  // bin/rtnl.js reads the bundle as latin1 (cheaper than UTF-8): it must be ASCII only, which
  // esbuild's default charset makes it (it escapes everything else).
  const wide = bytes.findIndex((b) => b > 0x7f);
  if (wide >= 0)
    throw new Error(`${file} has a non-ASCII byte at ${wide}: bin/rtnl.js reads latin1`);
  // (Comments are gone, so any `import(` left is code.)
  if (/\bimport\(/.test(bytes.toString('latin1'))) {
    throw new Error(`${file} still calls import(), which bin/rtnl.js cannot serve`);
  }
  makeCodeCache(file, buildId);
}

// Built-ins that most commands never use but that load large parts of Node when required (node:
// child_process pulls in node:net, node:stream and node:dgram, ≈3 ms): inside the CLI bundle
// each of their functions requires the module on its first call. Importing anything but a
// function from them fails the build.
function lazyBuiltins(names: readonly string[]): Plugin {
  const NS = 'rtnl-lazy-builtin';
  return {
    name: 'rtnl-lazy-builtins',
    setup(b) {
      const filter = new RegExp(
        `^(${names.map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})$`,
      );
      // The shim's own require() is the real module.
      b.onResolve({ filter }, (args) =>
        args.namespace === NS
          ? { path: args.path, external: true }
          : { path: args.path, namespace: NS },
      );
      b.onLoad({ filter: /.*/, namespace: NS }, async (args) => {
        const real = (await import(args.path)) as Record<string, unknown>;
        const fns = Object.keys(real).filter(
          (k) => k !== 'default' && typeof real[k] === 'function' && /^[a-z]/.test(k),
        );
        const lines = [
          'let real;',
          `const load = () => (real ??= require(${JSON.stringify(args.path)}));`,
          ...fns.map((k) => `export function ${k}(...a) { return load().${k}(...a); }`),
        ];
        return { contents: lines.join('\n'), loader: 'js' };
      });
    },
  };
}

// Compiled in a fresh node (the cache carries V8's version and flags, which must be those of a
// plain `node bin/rtnl.js`, with the flags the launcher sets), after running the top level of
// every module, so the cache holds their code too. A failure leaves no cache: rtnl then compiles as usual, only slower.
const CACHE_MAKER = `
require('node:v8').setFlagsFromString(process.argv[3]);
const { readFileSync, writeFileSync } = require('node:fs');
const Module = require('node:module');
const { dirname } = require('node:path');
const { Script } = require('node:vm');
const file = process.argv[1];
const script = new Script(Module.wrap(readFileSync(file, 'latin1')), { filename: file });
const mod = { exports: {} };
script.runInThisContext()(mod.exports, Module.createRequire(file), mod, file, dirname(file));
(async () => {
  for (const name of mod.exports.COMMAND_MODULES) await mod.exports.loadCommand(name);
  writeFileSync(process.argv[2], script.createCachedData());
})().catch((err) => { console.error(err); process.exit(1); });
`;

/** The V8 flags bin/rtnl.js sets before it compiles the bundle: the cache is made under them. */
function launcherV8Flags(): string {
  const launcher = readFileSync(resolve('bin/rtnl.js'), 'utf8');
  const m = /setFlagsFromString\('([^']*)'\)/.exec(launcher);
  if (!m) throw new Error('bin/rtnl.js sets no V8 flags: update launcherV8Flags()');
  return m[1]!;
}

function makeCodeCache(file: string, buildId: string): void {
  const cache = `${file}.cache`;
  const tmp = `${cache}.tmp`;
  rmSync(cache, { force: true });
  const r = spawnSync(process.execPath, ['-e', CACHE_MAKER, file, tmp, launcherV8Flags()], {
    encoding: 'utf8',
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  if (r.status !== 0) {
    rmSync(tmp, { force: true });
    console.warn(`tsup: no code cache for ${file} (rtnl starts slower): ${r.stderr}`);
    return;
  }
  writeFileSync(tmp, Buffer.concat([Buffer.from(`${buildId}\n`, 'latin1'), readFileSync(tmp)]));
  renameSync(tmp, cache);
}

export default defineConfig((options) => ({
  entry: {
    index: 'src/index.ts',
    'netlink/index': 'src/netlink/index.ts',
    'ns/index': 'src/ns/index.ts',
    'monitor/index': 'src/monitor/index.ts',
  },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  platform: 'node',
  splitting: true,
  treeshake: true,
  // After the library (and after `clean`, so no stale bundle or cache survives a build).
  onSuccess: () => buildCli(options.outDir ?? 'dist'),
}));
