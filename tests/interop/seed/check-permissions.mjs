// The seed's "Example Express.js middleware for scope validation"
// (shared/seed/validate-api-client-scopes.txt), copied as written; only the final export is added
// so that the test can mount it. It reads SCALEKIT_ENVIRONMENT_URL, SCALEKIT_CLIENT_ID and
// SCALEKIT_CLIENT_SECRET from the environment, as in the seed; the test points them at tessera.

// Security: ALWAYS validate the access token on your server before trusting its claims.
// This prevents token forgery and ensures the token has not expired.
import { ScalekitClient } from '@scalekit-sdk/node';
import jwt from 'jsonwebtoken';
import jwksClient from 'jwks-rsa';

const scalekit = new ScalekitClient(
  process.env.SCALEKIT_ENVIRONMENT_URL,
  process.env.SCALEKIT_CLIENT_ID,
  process.env.SCALEKIT_CLIENT_SECRET
);

// Setup JWKS client for token verification
const client = jwksClient({
  jwksUri: `${process.env.SCALEKIT_ENVIRONMENT_URL}/.well-known/jwks.json`,
  cache: true
});

async function getPublicKey(header) {
  return new Promise((resolve, reject) => {
    client.getSigningKey(header.kid, (err, key) => {
      if (err) reject(err);
      else resolve(key.getPublicKey());
    });
  });
}

async function checkPermissions(req, res, next) {
  const authHeader = req.headers.authorization;
  if (!authHeader || !authHeader.startsWith('Bearer ')) {
    return res.status(401).send('Unauthorized: Missing token');
  }

  const token = authHeader.split(' ')[1];

  try {
    // Decode to get the header with kid
    const decoded = jwt.decode(token, { complete: true });
    const publicKey = await getPublicKey(decoded.header);

    // Verify the token signature and claims
    const verified = jwt.verify(token, publicKey, {
      algorithms: ['RS256'],
      complete: true
    });

    const decodedToken = verified.payload;

    // Check if the API client app has the required scope
    const requiredScope = 'deploy:applications';
    if (decodedToken.scopes && decodedToken.scopes.includes(requiredScope)) {
      // API client app has the required scope, proceed with the request
      next();
    } else {
      // API client app does not have the required scope
      res.status(403).send('Forbidden: Insufficient permissions');
    }
  } catch (error) {
    // Token is invalid or expired
    res.status(401).send('Unauthorized: Invalid token');
  }
}

export { checkPermissions };
