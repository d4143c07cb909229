// The real tessera on loopback for the interop tests: a fresh data directory, the environment
// credentials it prints on first start, and the management API calls that provision what a test
// needs. Nothing here is a stand-in for tessera; every call goes over HTTP to the binary.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';

// With {tls: true}, tessera serves HTTPS with the certificate run.mjs made for tls.test.mjs (which
// this process trusts through NODE_EXTRA_CA_CERTS); the URL and issuer are then https://.
export async function startTessera({ tls = false } = {}) {
  const binary = process.env.TESSERA_BINARY;
  assert.ok(binary, 'TESSERA_BINARY must name the tessera binary (ctest sets it)');
  const args = ['serve', '--listen', '127.0.0.1:0'];
  if (tls) {
    const { TESSERA_INTEROP_TLS_CERT: cert, TESSERA_INTEROP_TLS_KEY: key } = process.env;
    assert.ok(cert && key, 'no test certificate: run TLS tests through run.mjs');
    args.push('--tls-cert', cert, '--tls-key', key);
  }
  const dataDir = await mkdtemp(join(tmpdir(), 'tessera-interop-'));
  args.push('--data-dir', dataDir);
  const env = { ...process.env };
  for (const name of Object.keys(env)) if (name.startsWith('TESSERA_')) delete env[name];
  const child = spawn(binary, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk) => { stderr += chunk; });
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));

  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`tessera did not start in 30 s\n${stderr}`)), 30_000);
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      const m = /^tessera: listening on (\S+)$/m.exec(stdout);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`tessera exited (${code ?? signal}) before listening\n${stderr}`));
    });
  });
  const adminId = /TESSERA_CLIENT_ID=(\S+)/.exec(stdout)?.[1];
  const adminSecret = /TESSERA_CLIENT_SECRET=(\S+)/.exec(stdout)?.[1];
  assert.ok(adminId && adminSecret, `no environment credentials printed on first start:\n${stdout}`);

  return {
    url,
    adminId,
    adminSecret,
    management: new Management(url, adminId, adminSecret),
    // Stops the server and fails if it did not shut down cleanly (crash, sanitizer report).
    async stop() {
      child.kill('SIGTERM');
      const { code, signal } = await exited;
      await rm(dataDir, { recursive: true, force: true });
      assert.equal(code, 0, `tessera exited with ${code ?? signal}\n${stderr}`);
    },
  };
}

// The management API (docs/api.md), with a management token from /oauth/token.
export class Management {
  constructor(url, clientId, clientSecret) {
    Object.assign(this, { url, clientId, clientSecret });
  }

  async call(method, path, body) {
    this.token ??= (await clientCredentials(this.url, this.clientId, this.clientSecret)).access_token;
    const response = await fetch(this.url + path, {
      method,
      headers: { authorization: `Bearer ${this.token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = await response.json();
    assert.ok(response.ok, `${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
    return json;
  }

  async createOrganization(displayName) {
    return (await this.call('POST', '/api/v1/organizations', { display_name: displayName })).organization;
  }

  // The seed's request body: {name, description, scopes, expiry}, plus audience when given.
  // Returns {clientId, secret, client}.
  async createClient(orgId, client) {
    const r = await this.call('POST', `/api/v1/organizations/${orgId}/clients`, client);
    return { clientId: r.client.client_id, secret: r.plain_secret, client: r.client };
  }
}

// A plain client_secret_post request to /oauth/token (what the seed's SDKs send).
export async function clientCredentials(url, clientId, clientSecret, scope) {
  const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId,
    client_secret: clientSecret });
  if (scope !== undefined) form.set('scope', scope);
  const response = await fetch(`${url}/oauth/token`, { method: 'POST', body: form });
  const json = await response.json();
  assert.equal(response.status, 200, `token request: ${JSON.stringify(json)}`);
  return json;
}

// The payload of a JWS compact token, without verifying it (for assertions on what was issued).
export function claimsOf(jwt) {
  return JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString());
}
