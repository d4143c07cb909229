// tessera's HTTPS listener (--tls-cert/--tls-key) with real clients: the Scalekit Node SDK on an
// https:// environment URL (axios for tokens, jose for /keys, and its gRPC management calls over
// TLS through connect-node, i.e. Node's http2, which offers ALPN h2 only), and gRPC core from
// Debian (python3-grpcio, grpc_tls.py), which refuses servers that do not select h2. run.mjs made
// the certificate; NODE_EXTRA_CA_CERTS makes this process trust it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ScalekitClient, ScalekitNotFoundException } from '@scalekit-sdk/node';
import { claimsOf, startTessera } from './lib/tessera.mjs';

const PYTHON = process.env.TESSERA_INTEROP_PYTHON || '/usr/bin/python3';
let server, org, deployer, scalekit;

before(async () => {
  server = await startTessera({ tls: true });
  org = await server.management.createOrganization('Acme');
  deployer = await server.management.createClient(org.id, { name: 'GitHub Actions Deployment Service',
    scopes: ['deploy:applications', 'read:deployments'], expiry: 3600 });
  scalekit = new ScalekitClient(server.url, server.adminId, server.adminSecret);
});

after(() => server?.stop());

test('the issuer is the https:// URL', () => {
  assert.match(server.url, /^https:\/\/127\.0\.0\.1:\d+$/);
});

test('the SDK gets and validates tokens over HTTPS', async () => {
  const token = await scalekit.generateClientToken(deployer.clientId, deployer.secret);
  assert.equal(claimsOf(token).iss, server.url);
  assert.equal(await scalekit.validateAccessToken(token, { requiredScopes: ['deploy:applications'] }), true);
  assert.equal(await scalekit.validateAccessToken(token, { requiredScopes: ['admin:everything'] }), false);
});

test('the SDK\'s management calls are gRPC over TLS', async () => {
  const { client, plainSecret } = await scalekit.m2m.createOrganizationClient(org.id, {
    name: 'Nightly backup', scopes: ['read:deployments'] });
  assert.match(client.clientId, /^m2morg_\d+$/);
  assert.ok(await scalekit.generateClientToken(client.clientId, plainSecret));
  const { client: fetched } = await scalekit.m2m.getOrganizationClient(org.id, client.clientId);
  assert.deepEqual(fetched.scopes, ['read:deployments']);
  const listed = await scalekit.m2m.listOrganizationClients(org.id, { pageSize: 100 });
  assert.deepEqual(listed.clients.map((c) => c.clientId).sort(), [deployer.clientId, client.clientId].sort());
  await scalekit.m2m.deleteOrganizationClient(org.id, client.clientId);
  await assert.rejects(scalekit.m2m.getOrganizationClient(org.id, client.clientId),
    (error) => error instanceof ScalekitNotFoundException && error.grpcStatus === 5);
});

test('gRPC core (python3-grpcio) calls ClientService over TLS (grpc_tls.py)', () => {
  const modules = spawnSync(PYTHON, ['-c', 'import grpc, authlib, requests']);
  assert.equal(modules.status, 0, `${PYTHON} lacks python3-grpcio or python3-authlib `
    + `(run scripts/install-deps.sh):\n${modules.stderr}`);
  const r = spawnSync(PYTHON, [fileURLToPath(new URL('grpc_tls.py', import.meta.url))], {
    env: { ...process.env, TESSERA_URL: server.url,
      TESSERA_INTEROP_ADMIN: JSON.stringify({ id: server.adminId, secret: server.adminSecret }),
      TESSERA_INTEROP_CLIENT: JSON.stringify({ orgId: org.id, clientId: deployer.clientId }) },
    encoding: 'utf8', timeout: 60_000 });
  process.stdout.write(r.stderr);  // unittest reports on stderr
  assert.equal(r.status, 0, 'the gRPC-over-TLS tests failed (output above)');
  assert.match(r.stderr, /Ran 5 tests/);
});
