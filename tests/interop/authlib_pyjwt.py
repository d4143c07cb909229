"""Python interop: Debian's python3-authlib gets tokens from tessera (client credentials, both
client authentication methods) and python3-jwt (PyJWT, PyJWKClient on /keys) verifies them.

Run by python.test.mjs, which starts tessera and passes the URL and the clients as environment
variables. Needs Debian's /usr/bin/python3 (a pyenv python3 on PATH may lack these packages).
"""
import json
import os
import unittest

import jwt
from authlib.integrations.requests_client import OAuth2Session, OAuthError

URL = os.environ["TESSERA_URL"]
CLIENTS = json.loads(os.environ["TESSERA_INTEROP_CLIENTS"])
TOKEN_ENDPOINT = URL + "/oauth/token"
BILLING = "https://billing.example.com"


class TestCase(unittest.TestCase):
    def session(self, name, method, secret_suffix="", **kwargs):
        client = CLIENTS[name]
        s = OAuth2Session(client["clientId"], client["secret"] + secret_suffix,
                          token_endpoint_auth_method=method, **kwargs)
        self.addCleanup(s.close)
        s.sent = []  # the token requests as they went over the wire
        s.hooks["response"].append(lambda response, *a, **kw: s.sent.append(response.request))
        return s


class AuthlibClientCredentials(TestCase):
    def test_client_secret_basic(self):
        s = self.session("deployer", "client_secret_basic")
        token = s.fetch_token(TOKEN_ENDPOINT, grant_type="client_credentials")
        self.assertEqual(token["token_type"], "Bearer")
        self.assertEqual(token["expires_in"], 3600)
        self.assertEqual(token["scope"], "deploy:applications read:deployments")
        request = s.sent[-1]
        self.assertTrue(request.headers["Authorization"].startswith("Basic "))
        self.assertNotIn("client_secret", request.body)

    def test_client_secret_post_with_scope(self):
        s = self.session("deployer", "client_secret_post", scope="read:deployments")
        token = s.fetch_token(TOKEN_ENDPOINT, grant_type="client_credentials")
        self.assertEqual(token["scope"], "read:deployments")
        request = s.sent[-1]
        self.assertNotIn("Authorization", request.headers)
        self.assertIn("client_secret=", request.body)

    def test_wrong_secret_is_invalid_client(self):
        for method in ("client_secret_basic", "client_secret_post"):
            with self.subTest(method=method):
                s = self.session("deployer", method, secret_suffix="x")
                with self.assertRaises(OAuthError) as raised:
                    s.fetch_token(TOKEN_ENDPOINT, grant_type="client_credentials")
                self.assertEqual(raised.exception.error, "invalid_client")

    def test_unknown_scope_is_invalid_scope(self):
        s = self.session("deployer", "client_secret_basic", scope="admin:everything")
        with self.assertRaises(OAuthError) as raised:
            s.fetch_token(TOKEN_ENDPOINT, grant_type="client_credentials")
        self.assertEqual(raised.exception.error, "invalid_scope")


class PyJWTVerification(TestCase):
    jwks = jwt.PyJWKClient(URL + "/keys")

    def token(self, name):
        return self.session(name, "client_secret_post").fetch_token(
            TOKEN_ENDPOINT, grant_type="client_credentials")["access_token"]

    def decode(self, token, **kwargs):
        key = self.jwks.get_signing_key_from_jwt(token)
        return jwt.decode(token, key.key, algorithms=["RS256"], **kwargs)

    def test_verifies_rs256_issuer_and_reads_scopes(self):
        token = self.token("deployer")
        self.assertEqual(jwt.get_unverified_header(token)["alg"], "RS256")
        claims = self.decode(token, issuer=URL, options={"require": ["exp", "iat", "nbf", "iss", "sub", "jti"]})
        self.assertIn("deploy:applications", claims["scopes"])
        self.assertEqual(claims["client_id"], CLIENTS["deployer"]["clientId"])
        self.assertNotIn("aud", claims)

    def test_audience_when_set(self):
        token = self.token("billing")
        claims = self.decode(token, issuer=URL, audience=BILLING)
        self.assertEqual(claims["aud"], [BILLING])
        self.assertEqual(claims["scopes"], ["invoices:write"])
        with self.assertRaises(jwt.InvalidAudienceError):
            self.decode(token, issuer=URL, audience="https://reports.example.com")

    def test_wrong_issuer_is_rejected(self):
        with self.assertRaises(jwt.InvalidIssuerError):
            self.decode(self.token("deployer"), issuer="https://other.example.com")

    def test_tampered_token_is_rejected(self):
        header, payload, signature = self.token("reader").split(".")
        claims = json.loads(jwt.utils.base64url_decode(payload))
        claims["scopes"].append("deploy:applications")
        forged = jwt.utils.base64url_encode(json.dumps(claims).encode()).decode()
        with self.assertRaises(jwt.InvalidSignatureError):
            self.decode(".".join([header, forged, signature]), issuer=URL)


if __name__ == "__main__":
    unittest.main(verbosity=2)
