// The official @scalekit-sdk/node pointed at tessera. What it sends (read from its lib/core.js and
// lib/scalekit.js, version pinned in package.json):
//   generateClientToken(id, secret): POST {envUrl}/oauth/token, form-encoded grant_type,
//     client_id, client_secret (client_secret_post), via axios;
//   validateAccessToken(token, {issuer, audience, requiredScopes}): GET {envUrl}/keys once per
//     ScalekitClient (never refetched), jose.jwtVerify against those keys with the given issuer and
//     audience, then every required scope must be in the `scopes` array claim;
//   m2m.*, organization.*: gRPC over HTTP/2 (connect-node), which tessera does not serve yet.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ScalekitClient, ScalekitUnauthorizedException } from '@scalekit-sdk/node';
import { claimsOf, startTessera } from './lib/tessera.mjs';

const BILLING = 'https://billing.example.com';
let server, org, scalekit, deployer, reader, billing;

before(async () => {
  server = await startTessera();
  org = await server.management.createOrganization('Acme');
  const create = (client) => server.management.createClient(org.id, client);
  [deployer, reader, billing] = await Promise.all([
    create({ name: 'GitHub Actions Deployment Service',
      scopes: ['deploy:applications', 'read:deployments'], expiry: 3600 }),
    create({ name: 'Dashboard', scopes: ['read:deployments'] }),
    create({ name: 'Billing job', scopes: ['invoices:write'], audience: [BILLING] }),
  ]);
  // The seed's initialization, with the environment URL and credentials of tessera.
  scalekit = new ScalekitClient(server.url, server.adminId, server.adminSecret);
});

after(() => server?.stop());

test('generateClientToken gets a token from /oauth/token', async () => {
  const token = await scalekit.generateClientToken(deployer.clientId, deployer.secret);
  const claims = claimsOf(token);
  assert.equal(claims.iss, server.url);
  assert.equal(claims.client_id, deployer.clientId);
  assert.equal(claims.oid, org.id);
  assert.deepEqual(claims.scopes, ['deploy:applications', 'read:deployments']);
});

// The SDK turns the HTTP response into its exception: status from the reason phrase, gRPC code from
// the status, and the RFC 6749 error body as errDetails.
test('generateClientToken with a wrong secret throws ScalekitUnauthorizedException', async () => {
  await assert.rejects(scalekit.generateClientToken(deployer.clientId, `${deployer.secret}x`), (error) => {
    assert.ok(error instanceof ScalekitUnauthorizedException, String(error));
    assert.equal(error.httpStatus, 401);
    assert.equal(error.grpcStatus, 16);
    assert.equal(error.errDetails.error, 'invalid_client');
    return true;
  });
});

test('validateAccessToken: true with the required scope, false without it', async () => {
  const deployerToken = await scalekit.generateClientToken(deployer.clientId, deployer.secret);
  const readerToken = await scalekit.generateClientToken(reader.clientId, reader.secret);
  const options = { requiredScopes: ['deploy:applications'] };
  assert.equal(await scalekit.validateAccessToken(deployerToken, options), true);
  assert.equal(await scalekit.validateAccessToken(readerToken, options), false);
  assert.equal(await scalekit.validateAccessToken(readerToken, { requiredScopes: ['read:deployments'] }), true);
  assert.equal(await scalekit.validateAccessToken(deployerToken,
    { requiredScopes: ['deploy:applications', 'read:deployments'] }), true);
});

test('validateAccessToken checks the issuer, the audience and the signature', async () => {
  const token = await scalekit.generateClientToken(billing.clientId, billing.secret);
  assert.equal(await scalekit.validateAccessToken(token, { issuer: server.url, audience: BILLING }), true);
  assert.equal(await scalekit.validateAccessToken(token, { issuer: 'https://other.example.com' }), false);
  assert.equal(await scalekit.validateAccessToken(token, { audience: 'https://reports.example.com' }), false);
  const [header, payload, signature] = token.split('.');
  const forged = claimsOf(token);
  forged.scopes.push('invoices:admin');
  const tampered = [header, Buffer.from(JSON.stringify(forged)).toString('base64url'), signature].join('.');
  assert.equal(await scalekit.validateAccessToken(tampered, { requiredScopes: ['invoices:admin'] }), false);
  assert.equal(await scalekit.validateAccessToken(`${header}.${payload}.${signature.slice(0, -4)}AAAA`), false);
});

// Known gap (docs/interop.md): the SDK fetches /keys once per ScalekitClient and never again, so
// an instance that started before a key rotation rejects tokens signed by the new key; a new
// instance accepts them. This pins that behaviour so that the documentation stays true.
test('after a key rotation only a new ScalekitClient knows the new key', async () => {
  const before = await scalekit.generateClientToken(deployer.clientId, deployer.secret);
  assert.equal(await scalekit.validateAccessToken(before), true);  // keys cached
  const { key } = await server.management.call('POST', '/api/v1/keys:rotate', { activate_after_seconds: 0 });
  const after = await scalekit.generateClientToken(deployer.clientId, deployer.secret);
  assert.equal(JSON.parse(Buffer.from(after.split('.')[0], 'base64url')).kid, key.id);
  assert.equal(await scalekit.validateAccessToken(after), false);
  const fresh = new ScalekitClient(server.url, server.adminId, server.adminSecret);
  assert.equal(await fresh.validateAccessToken(after), true);
  assert.equal(await fresh.validateAccessToken(before), true);  // the retired key is still published
});

// Known gap (docs/interop.md): the seed registers clients with the SDK's management calls, which
// are gRPC; tessera serves the same operations as REST only (contract §7). Reported as TODO so the
// run shows the gap; it starts passing once tessera serves scalekit.v1.clients.ClientService.
test('the seed\'s client registration through the SDK (gRPC)', { todo: 'tessera does not serve gRPC yet' }, async () => {
  const response = await scalekit.m2m.createOrganizationClient(org.id, {
    name: 'GitHub Actions Deployment Service',
    description: 'Service account for GitHub Actions to deploy applications to production',
    scopes: ['deploy:applications', 'read:deployments'] });
  assert.match(response.client.clientId, /^m2morg_\d+$/);
  assert.ok(response.plainSecret);
});
