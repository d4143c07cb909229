"""gRPC core over TLS: Debian's python3-grpcio calls tessera's ClientService through its HTTPS
listener, as the Scalekit Python SDK's transport would. gRPC core offers ALPN "grpc-exp, h2" and
refuses a handshake that does not select h2, so this is the check that tessera's ALPN answer lets
gRPC stacks in. authlib (python3-authlib) gets the management token over the same TLS listener.

The messages are encoded by hand (field numbers of scalekit.v1.clients, as tessera's
client_messages.cpp reads them): the generated Python stubs are not packaged in Debian.

Run by tls.test.mjs, which starts tessera with TLS and passes the URL, the test certificate
(the trust anchor), the environment credentials and a registered client in the environment.
"""
import json
import os
import unittest

import grpc
from authlib.integrations.requests_client import OAuth2Session

URL = os.environ["TESSERA_URL"]
CA = os.environ["TESSERA_INTEROP_TLS_CERT"]
ADMIN = json.loads(os.environ["TESSERA_INTEROP_ADMIN"])
CLIENT = json.loads(os.environ["TESSERA_INTEROP_CLIENT"])
SERVICE = "/scalekit.v1.clients.ClientService/"


def string_field(number, value):
    data = value.encode()
    assert len(data) < 128
    return bytes([number << 3 | 2, len(data)]) + data


def management_token():
    session = OAuth2Session(ADMIN["id"], ADMIN["secret"],
                            token_endpoint_auth_method="client_secret_post")
    try:
        return session.fetch_token(URL + "/oauth/token", grant_type="client_credentials",
                                   verify=CA)["access_token"]
    finally:
        session.close()


class GrpcOverTls(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        assert URL.startswith("https://")
        with open(CA, "rb") as f:
            credentials = grpc.ssl_channel_credentials(root_certificates=f.read())
        cls.channel = grpc.secure_channel(URL.removeprefix("https://"), credentials)
        cls.token = management_token()

    @classmethod
    def tearDownClass(cls):
        cls.channel.close()

    def call(self, method, request, token=None):
        stub = self.channel.unary_unary(SERVICE + method)  # bytes in, bytes out
        metadata = [("authorization", "Bearer " + (token or self.token))]
        return stub(request, metadata=metadata, timeout=10)

    def get_client(self, client_id, token=None):
        request = string_field(1, CLIENT["orgId"]) + string_field(2, client_id)
        return self.call("GetOrganizationClient", request, token)

    def test_get_client(self):
        reply = self.get_client(CLIENT["clientId"])
        self.assertIn(CLIENT["clientId"].encode(), reply)
        self.assertIn(b"GitHub Actions Deployment Service", reply)
        self.assertIn(b"deploy:applications", reply)

    def test_list_clients(self):
        reply = self.call("ListOrganizationClients", string_field(1, CLIENT["orgId"]))
        self.assertIn(CLIENT["clientId"].encode(), reply)

    def test_unknown_client_is_not_found(self):
        with self.assertRaises(grpc.RpcError) as caught:
            self.get_client("m2morg_1")
        self.assertEqual(caught.exception.code(), grpc.StatusCode.NOT_FOUND)

    def test_a_bad_bearer_token_is_unauthenticated(self):
        with self.assertRaises(grpc.RpcError) as caught:
            self.get_client(CLIENT["clientId"], token="not-a-token")
        self.assertEqual(caught.exception.code(), grpc.StatusCode.UNAUTHENTICATED)

    def test_the_channel_negotiated_tls(self):
        # A plaintext channel to the same port gets no gRPC answer: the listener is TLS only.
        with grpc.insecure_channel(URL.removeprefix("https://")) as plain:
            stub = plain.unary_unary(SERVICE + "ListOrganizationClients")
            with self.assertRaises(grpc.RpcError) as caught:
                stub(string_field(1, CLIENT["orgId"]), timeout=5,
                     metadata=[("authorization", "Bearer " + self.token)])
            self.assertEqual(caught.exception.code(), grpc.StatusCode.UNAVAILABLE)


if __name__ == "__main__":
    unittest.main(verbosity=2)
