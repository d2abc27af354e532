// prebuildify packs only .node files; the namespace helper executable (rtnl_nshelper, built by
// binding.gyp beside the addon) goes into the same prebuilds/<platform>-<arch>/ folder, where
// src/ns/helper.ts looks for it in an installed package.
import { chmodSync, copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

const dir = join('prebuilds', `${process.platform}-${process.arch}`);
mkdirSync(dir, { recursive: true });
copyFileSync(join('build', 'Release', 'rtnl_nshelper'), join(dir, 'rtnl_nshelper'));
chmodSync(join(dir, 'rtnl_nshelper'), 0o755);
