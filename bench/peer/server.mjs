// The peer of docs/benchmarks.md: node-oidc-provider (npm oidc-provider) as a client-credentials
// server issuing JWT access tokens, the way its documentation sets that up: the client_credentials
// grant plus resource indicators (RFC 8707), with a default resource whose access tokens are JWTs
// signed with PEER_ALG. Node's cluster module runs one worker per core (PEER_WORKERS, default 2);
// the primary makes the signing keys once and hands them to every worker, so that all of them sign
// with the same key, as one server would.
//
//   PEER_PORT=9400 PEER_ALG=RS256 PEER_CLIENT_ID=bench-client PEER_CLIENT_SECRET=... node server.mjs
//
// The client authenticates with client_secret_post and asks for the same two scopes as the
// tessera client of bench/run.sh, with the same body, so both servers see the same load.
import cluster from 'node:cluster';
import { generateKeyPairSync } from 'node:crypto';

const port = Number(process.env.PEER_PORT ?? 9400);
const alg = process.env.PEER_ALG ?? 'RS256';
const workers = Number(process.env.PEER_WORKERS ?? 2);
const clientId = process.env.PEER_CLIENT_ID ?? 'bench-client';
const clientSecret = process.env.PEER_CLIENT_SECRET ?? 'bench-secret-0123456789abcdefghijklmnopqrstuvwxyz';
const resource = 'https://deployment-api.acmecorp.com';
const scopes = 'deploy:applications read:deployments';

if (cluster.isPrimary) {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
  const keys = JSON.stringify([
    { ...rsa, kid: 'peer-rs256', use: 'sig', alg: 'RS256' },
    { ...ec, kid: 'peer-es256', use: 'sig', alg: 'ES256' },
  ]);
  let ready = 0;
  for (let i = 0; i < workers; i += 1) {
    const worker = cluster.fork({ PEER_KEYS: keys });
    worker.on('message', (message) => {
      if (message === 'listening' && ++ready === workers) console.log(`peer listening on ${port}`);
    });
  }
  cluster.on('exit', (worker, code) => {
    console.error(`peer worker ${worker.process.pid} exited with ${code}`);
    process.exitCode = 1;
  });
  const stop = () => {
    for (const worker of Object.values(cluster.workers)) worker.kill();
    process.exit();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
} else {
  const { default: Provider } = await import('oidc-provider');
  const provider = new Provider(`http://127.0.0.1:${port}`, {
    clients: [{
      client_id: clientId,
      client_secret: clientSecret,
      grant_types: ['client_credentials'],
      redirect_uris: [],
      response_types: [],
      scope: scopes,
      token_endpoint_auth_method: 'client_secret_post',
    }],
    jwks: { keys: JSON.parse(process.env.PEER_KEYS) },
    scopes: scopes.split(' '),
    features: {
      clientCredentials: { enabled: true },
      devInteractions: { enabled: false },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => resource,
        useGrantedResource: () => true,
        getResourceServerInfo: () => ({
          scope: scopes,
          audience: resource,
          accessTokenTTL: 3600,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg } },
        }),
      },
    },
  });
  provider.on('server_error', (ctx, error) => console.error('peer server_error', error));
  provider.listen(port, '127.0.0.1', () => process.send('listening'));
}
