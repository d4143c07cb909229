// ctest's entry point for interop test files: refuses to run, and says why, when the pinned npm
// packages are not installed, instead of letting a missing module look like a tessera failure.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
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
const env = { ...process.env };
let certDir;
if (files.some((f) => f.endsWith('tls.test.mjs'))) {
  // A self-signed certificate for 127.0.0.1 that tessera serves and every client trusts. Node reads
  // NODE_EXTRA_CA_CERTS once, at start, for fetch, https and http2 alike: hence here, before the
  // test process starts.
  certDir = mkdtempSync(join(tmpdir(), 'tessera-interop-tls-'));
  const cert = join(certDir, 'cert.pem');
  const key = join(certDir, 'key.pem');
  const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256',
    '-nodes', '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
    '-keyout', key, '-out', cert], { encoding: 'utf8' });
  if (made.status !== 0) {
    console.error(`interop: openssl req failed (run scripts/install-deps.sh):\n${made.stderr ?? made.error}`);
    process.exit(1);
  }
  Object.assign(env, { TESSERA_INTEROP_TLS_CERT: cert, TESSERA_INTEROP_TLS_KEY: key,
    NODE_EXTRA_CA_CERTS: cert });
}
const r = spawnSync(process.execPath, ['--test', '--test-reporter=spec', ...files], { stdio: 'inherit', env });
if (certDir) rmSync(certDir, { recursive: true, force: true });
process.exit(r.status ?? 1);
