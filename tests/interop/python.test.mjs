// Python: runs authlib_pyjwt.py (Debian's python3-authlib and python3-jwt) against the real tessera.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startTessera } from './lib/tessera.mjs';

// Debian's interpreter: the one python3-authlib, python3-jwt and python3-requests are installed for.
const PYTHON = process.env.TESSERA_INTEROP_PYTHON || '/usr/bin/python3';
let server, clients;

before(async () => {
  server = await startTessera();
  const org = await server.management.createOrganization('Acme');
  const create = (client) => server.management.createClient(org.id, client);
  const [deployer, reader, billing] = await Promise.all([
    create({ name: 'GitHub Actions Deployment Service',
      scopes: ['deploy:applications', 'read:deployments'], expiry: 3600 }),
    create({ name: 'Dashboard', scopes: ['read:deployments'] }),
    create({ name: 'Billing job', scopes: ['invoices:write'], audience: ['https://billing.example.com'] }),
  ]);
  clients = { deployer, reader, billing };
});

after(() => server?.stop());

test('authlib gets tokens and PyJWT verifies them (authlib_pyjwt.py)', () => {
  const modules = spawnSync(PYTHON, ['-c', 'import authlib, jwt, requests']);
  assert.equal(modules.status, 0, `${PYTHON} lacks python3-authlib, python3-jwt or python3-requests `
    + `(run scripts/install-deps.sh):\n${modules.stderr}`);
  const r = spawnSync(PYTHON, [fileURLToPath(new URL('authlib_pyjwt.py', import.meta.url))], {
    env: { ...process.env, TESSERA_URL: server.url, TESSERA_INTEROP_CLIENTS: JSON.stringify(clients) },
    encoding: 'utf8', timeout: 60_000 });
  process.stdout.write(r.stderr);  // unittest reports on stderr
  assert.equal(r.status, 0, 'the Python interop tests failed (output above)');
  assert.match(r.stderr, /Ran 8 tests/);
});
