// openid-client (v6, on oauth4webapi) discovers tessera and runs the client credentials grant with
// client_secret_basic and client_secret_post. A fetch wrapper records what went over the wire, so
// each test also proves which authentication method the library really used.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as client from 'openid-client';
import { claimsOf, startTessera } from './lib/tessera.mjs';

let server, deployer;
const sent = [];

before(async () => {
  server = await startTessera();
  const org = await server.management.createOrganization('Acme');
  deployer = await server.management.createClient(org.id, {
    name: 'GitHub Actions Deployment Service',
    scopes: ['deploy:applications', 'read:deployments'], expiry: 3600 });
});

after(() => server?.stop());

const recordingFetch = async (url, options) => {
  sent.push({ url, method: options.method, headers: new Headers(options.headers),
    body: options.body === undefined ? undefined : new URLSearchParams(options.body.toString()) });
  return fetch(url, options);
};

// http:// on loopback is only allowed with allowInsecureRequests; used in this test only.
const discover = (algorithm, auth) =>
  client.discovery(new URL(server.url), deployer.clientId, undefined, auth,
    { algorithm, execute: [client.allowInsecureRequests], [client.customFetch]: recordingFetch });

function assertGranted(tokens, scope) {
  assert.equal(tokens.token_type, 'bearer');  // openid-client normalizes the case
  assert.equal(tokens.expires_in, 3600);
  assert.equal(tokens.scope, scope);
  assert.equal(tokens.refresh_token, undefined);
  const claims = claimsOf(tokens.access_token);
  assert.equal(claims.iss, server.url);
  assert.equal(claims.client_id, deployer.clientId);
  assert.deepEqual(claims.scopes, scope.split(' '));
}

test('RFC 8414 discovery (oauth-authorization-server), then client_secret_basic', async () => {
  sent.length = 0;
  const config = await discover('oauth2', client.ClientSecretBasic(deployer.secret));
  assert.equal(sent[0].url.toString(), `${server.url}/.well-known/oauth-authorization-server`);
  const metadata = config.serverMetadata();
  assert.equal(metadata.issuer, server.url);
  assert.equal(metadata.token_endpoint, `${server.url}/oauth/token`);
  assert.ok(metadata.token_endpoint_auth_methods_supported.includes('client_secret_basic'));
  assert.ok(metadata.grant_types_supported.includes('client_credentials'));

  const tokens = await client.clientCredentialsGrant(config, { scope: 'deploy:applications' });
  assertGranted(tokens, 'deploy:applications');
  const request = sent.at(-1);
  assert.equal(request.url.toString(), `${server.url}/oauth/token`);
  assert.match(request.headers.get('authorization'), /^Basic /);
  assert.equal(request.body.get('client_secret'), null);
});

test('OpenID discovery (openid-configuration), then client_secret_post', async () => {
  sent.length = 0;
  const config = await discover('oidc', client.ClientSecretPost(deployer.secret));
  assert.equal(sent[0].url.toString(), `${server.url}/.well-known/openid-configuration`);

  const tokens = await client.clientCredentialsGrant(config);
  assertGranted(tokens, 'deploy:applications read:deployments');
  const request = sent.at(-1);
  assert.equal(request.headers.get('authorization'), null);
  assert.equal(request.body.get('client_id'), deployer.clientId);
  assert.equal(request.body.get('client_secret'), deployer.secret);
});

// RFC 6749 §5.2: a failed Basic authentication is a 401 with a Basic challenge, which
// oauth4webapi reports as a WWWAuthenticateChallengeError carrying the response.
test('a wrong secret with client_secret_basic: 401, Basic challenge, invalid_client', async () => {
  const config = await discover('oauth2', client.ClientSecretBasic(`${deployer.secret}x`));
  const error = await client.clientCredentialsGrant(config).then(
    () => assert.fail('a wrong secret was accepted'), (e) => e);
  assert.equal(error.code, 'OAUTH_WWW_AUTHENTICATE_CHALLENGE', String(error));
  assert.equal(error.status, 401);
  assert.deepEqual(error.cause, [{ scheme: 'basic', parameters: { realm: 'tessera' } }]);
  assert.equal((await error.response.json()).error, 'invalid_client');
});

test('a wrong secret with client_secret_post: 401 invalid_client', async () => {
  const config = await discover('oauth2', client.ClientSecretPost(`${deployer.secret}x`));
  await assert.rejects(client.clientCredentialsGrant(config), (error) => {
    assert.equal(error.code, 'OAUTH_RESPONSE_BODY_ERROR', String(error));
    assert.equal(error.status, 401);
    assert.equal(error.error, 'invalid_client');
    return true;
  });
});

test('a scope the client does not have is invalid_scope', async () => {
  const config = await discover('oauth2', client.ClientSecretPost(deployer.secret));
  await assert.rejects(client.clientCredentialsGrant(config, { scope: 'admin:everything' }),
    (error) => error.error === 'invalid_scope' && error.status === 400);
});
