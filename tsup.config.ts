import { defineConfig } from 'tsup';

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    'netlink/index': 'src/netlink/index.ts',
    'ns/index': 'src/ns/index.ts',
    'monitor/index': 'src/monitor/index.ts',
    // The command line: bin/rtnl.js imports dist/cli.js; each object's module is its own chunk.
    cli: 'src/cli/main.ts',
  },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  platform: 'node',
  splitting: true,
  treeshake: true,
});
