// ctest's entry point for interop test files: refuses to run, and says why, when the pinned npm
// packages are not installed, instead of letting a missing module look like a tessera failure.
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 19)) {
  console.error(`interop: Node.js >= 20.19 is needed (openid-client 6, jwks-rsa 4); this is ${process.version}`);
  process.exit(1);
}
const pinned = JSON.parse(readFileSync(join(here, 'package.json'))).dependencies;
for (const [name, version] of Object.entries(pinned)) {
  let installed;
  try {
    installed = JSON.parse(readFileSync(join(here, 'node_modules', name, 'package.json'))).version;
  } catch {
    installed = 'not installed';
  }
  if (installed !== version) {
    console.error(`interop: ${name} ${version} is needed in tests/interop/node_modules (found: ${installed}).\n`
      + 'interop: run scripts/install-deps.sh (it runs npm ci in tests/interop).');
    process.exit(1);
  }
}
const files = process.argv.slice(2).map((f) => join(here, f));
const r = spawnSync(process.execPath, ['--test', '--test-reporter=spec', ...files], { stdio: 'inherit' });
process.exit(r.status ?? 1);
