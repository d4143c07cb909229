// The seed's Express middleware (seed/check-permissions.mjs: jsonwebtoken + jwks-rsa, RS256, JWKS at
// /.well-known/jwks.json, `decodedToken.scopes.includes('deploy:applications')`) in a small Express
// app, in front of the real tessera.
import { after, before, mock, test } from 'node:test';
import assert from 'node:assert/strict';
import express from 'express';
import { claimsOf, clientCredentials, startTessera } from './lib/tessera.mjs';

let server, api, deployer, reader, shortLived;

before(async () => {
  server = await startTessera();
  const org = await server.management.createOrganization('Acme');
  const create = (client) => server.management.createClient(org.id, client);
  [deployer, reader, shortLived] = await Promise.all([
    create({ name: 'GitHub Actions Deployment Service',
      description: 'Service account for GitHub Actions to deploy applications to production',
      scopes: ['deploy:applications', 'read:deployments'], expiry: 3600 }),
    create({ name: 'Dashboard', scopes: ['read:deployments'] }),
    create({ name: 'Short-lived deployer', scopes: ['deploy:applications'], expiry: 300 }),
  ]);

  // The seed's environment variables, pointed at tessera, before the seed's module reads them.
  process.env.SCALEKIT_ENVIRONMENT_URL = server.url;
  process.env.SCALEKIT_CLIENT_ID = server.adminId;
  process.env.SCALEKIT_CLIENT_SECRET = server.adminSecret;
  const { checkPermissions } = await import('./seed/check-permissions.mjs');
  const app = express();
  app.post('/deploy', checkPermissions, (req, res) => res.json({ message: 'Deployment successful' }));
  api = await new Promise((resolve) => { const s = app.listen(0, '127.0.0.1', () => resolve(s)); });
});

after(async () => {
  api?.close();
  await server?.stop();
});

async function deploy(token) {
  const { port } = api.address();
  const headers = token === undefined ? {} : { authorization: `Bearer ${token}` };
  const response = await fetch(`http://127.0.0.1:${port}/deploy`, { method: 'POST', headers });
  return { status: response.status, body: await response.text() };
}

const tokenOf = async (c, scope) =>
  (await clientCredentials(server.url, c.clientId, c.secret, scope)).access_token;

test('a token with deploy:applications is let through (200)', async () => {
  const r = await deploy(await tokenOf(deployer));
  assert.equal(r.status, 200, r.body);
  assert.deepEqual(JSON.parse(r.body), { message: 'Deployment successful' });
});

test('a valid token of a client without deploy:applications is forbidden (403)', async () => {
  const r = await deploy(await tokenOf(reader));
  assert.equal(r.status, 403, r.body);
  assert.equal(r.body, 'Forbidden: Insufficient permissions');
});

test('a token narrowed to read:deployments by the scope parameter is forbidden (403)', async () => {
  const r = await deploy(await tokenOf(deployer, 'read:deployments'));
  assert.equal(r.status, 403, r.body);
});

test('a tampered token is rejected (401): scope added to the payload, signature kept', async () => {
  const token = await tokenOf(reader);
  const [header, , signature] = token.split('.');
  const claims = claimsOf(token);
  claims.scopes.push('deploy:applications');
  const forged = [header, Buffer.from(JSON.stringify(claims)).toString('base64url'), signature].join('.');
  const r = await deploy(forged);
  assert.equal(r.status, 401, r.body);
  assert.equal(r.body, 'Unauthorized: Invalid token');
});

test('a token with a flipped signature bit is rejected (401)', async () => {
  const token = await tokenOf(deployer);
  const [header, payload, signature] = token.split('.');
  const bytes = Buffer.from(signature, 'base64url');
  bytes[bytes.length - 1] ^= 1;
  const r = await deploy([header, payload, bytes.toString('base64url')].join('.'));
  assert.equal(r.status, 401, r.body);
});

test('a missing token is rejected (401)', async () => {
  const r = await deploy(undefined);
  assert.equal(r.status, 401, r.body);
  assert.equal(r.body, 'Unauthorized: Missing token');
});

// Expiry: a real token of a client registered with the minimum expiry (300 s). The API server's
// clock (Date.now, which jsonwebtoken's exp check reads) is moved to just before, then exactly at,
// the token's exp; tessera and the token are untouched.
test('an expired token is rejected (401); the same token one second earlier is accepted', async (t) => {
  const token = await tokenOf(shortLived);
  const { iat, exp } = claimsOf(token);
  assert.equal(exp - iat, 300);
  const clock = mock.method(Date, 'now', () => (exp - 1) * 1000);
  t.after(() => clock.mock.restore());

  assert.equal((await deploy(token)).status, 200);
  clock.mock.mockImplementation(() => exp * 1000);
  const r = await deploy(token);
  assert.equal(r.status, 401, r.body);
  assert.equal(r.body, 'Unauthorized: Invalid token');
});
