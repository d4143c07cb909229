// oauth4webapi's validateJwtAccessToken (RFC 9068 JWT access tokens, RFC 6750 bearer requests):
// the resource server side, with tessera's metadata from RFC 8414 discovery and its JWKS.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as oauth from 'oauth4webapi';
import { clientCredentials, startTessera } from './lib/tessera.mjs';

const BILLING = 'https://billing.example.com';
const REPORTS = 'https://reports.example.com';
let server, as, billing, reports, noAudience;

before(async () => {
  server = await startTessera();
  const org = await server.management.createOrganization('Acme');
  const create = (client) => server.management.createClient(org.id, client);
  [billing, reports, noAudience] = await Promise.all([
    create({ name: 'Billing job', scopes: ['invoices:write', 'invoices:read'], audience: [BILLING] }),
    create({ name: 'Reports job', scopes: ['invoices:read'], audience: [REPORTS] }),
    create({ name: 'No audience', scopes: ['invoices:read'] }),
  ]);
  // http:// on loopback needs allowInsecureRequests; used in this test only.
  const issuer = new URL(server.url);
  const response = await oauth.discoveryRequest(issuer,
    { algorithm: 'oauth2', [oauth.allowInsecureRequests]: true });
  as = await oauth.processDiscoveryResponse(issuer, response);
});

after(() => server?.stop());

// What an API server behind BILLING does with an incoming request.
async function validate(client, expectedAudience = BILLING) {
  const { access_token } = await clientCredentials(server.url, client.clientId, client.secret);
  const request = new Request(`${BILLING}/invoices`,
    { headers: { authorization: `Bearer ${access_token}` } });
  return oauth.validateJwtAccessToken(as, request, expectedAudience,
    { [oauth.allowInsecureRequests]: true });
}

test('a token of a client registered with the audience is a valid RFC 9068 access token', async () => {
  const claims = await validate(billing);
  assert.equal(claims.iss, server.url);
  assert.deepEqual(claims.aud, [BILLING]);
  assert.equal(claims.client_id, billing.clientId);
  assert.equal(claims.sub, billing.clientId);
  assert.match(claims.jti, /^tkn_\d+$/);
  assert.equal(claims.scope, 'invoices:write invoices:read');
});

test('a token for another audience is rejected', async () => {
  await assert.rejects(validate(reports), (error) => {
    assert.equal(error.code, 'OAUTH_JWT_CLAIM_COMPARISON_FAILED', String(error));
    assert.match(error.message, /"aud"/);
    return true;
  });
});

test('the same token is accepted by the API server it was issued for', async () => {
  const claims = await validate(reports, REPORTS);
  assert.deepEqual(claims.aud, [REPORTS]);
});

// RFC 9068 makes aud mandatory; tessera omits it for clients registered without an audience
// (docs/api.md), so an RFC 9068 resource server needs clients registered with one.
test('a token of a client without an audience is not an RFC 9068 token (no aud claim)', async () => {
  await assert.rejects(validate(noAudience), (error) => {
    assert.equal(error.message, 'JWT "aud" (audience) claim missing');
    return true;
  });
});
