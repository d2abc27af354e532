// Writes docs/protocol.md from the schema declarations (run `npm run docs` after `npm run build`).
import { writeFileSync } from 'node:fs';
import { rtnetlinkReference } from '../dist/index.js';

const target = new URL('../docs/protocol.md', import.meta.url);
writeFileSync(target, rtnetlinkReference());
console.log(`wrote ${target.pathname}`);
