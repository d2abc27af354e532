#!/usr/bin/env node
// rtnl: an ip-compatible command line. The CLI lives in dist/cli.js (built from src/cli/main.ts);
// this launcher only loads it, so `rtnl` starts as fast as the command it runs allows.
import('../dist/cli.js').then((m) => m.main(process.argv.slice(2)));
