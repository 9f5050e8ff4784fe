"""Known answers for NetSuite authentication, derived by hand from the specs, not from the product code.

TBA is OAuth 1.0a with HMAC-SHA256 (RFC 5849 section 3.4); the OAuth 2.0 client
credentials flow sends a PS256 JWT client assertion (RFC 7523, NetSuite's
documented header and claims).  The sandbox checks both from the server's
side, and must refuse what NetSuite would refuse.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from urllib.parse import urlencode

import httpx
import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from tieout.connectors.netsuite.auth import (
    ASSERTION_TYPE,
    TOKEN_PATH,
    OAuth2Credentials,
    TbaCredentials,
    client_assertion,
    tba_base_string,
    tba_header,
    tba_signature,
)
from tieout.connectors.sandbox import NetSuiteSandbox

# --------------------------------------------------------------------------- TBA (RFC 5849)

URL = ("https://TSTDRV1.suitetalk.api.netsuite.com/services/rest/query/v1/suiteql"
       "?limit=5&offset=0&note=caf%C3%A9%20%26%20co")
OAUTH = {"realm": "TSTDRV1", "oauth_consumer_key": "ck", "oauth_token": "tk",
         "oauth_signature_method": "HMAC-SHA256", "oauth_timestamp": "1700000000", "oauth_nonce": "n0nce~x",
         "oauth_version": "1.0"}
# Derived step by step from RFC 5849 section 3.4.1:
# 1. method upper-cased: POST
# 2. base string URI: scheme and host lower-cased, no query (3.4.1.2), then percent-encoded
# 3. parameters: query pairs (decoded: note = "café & co") and oauth_* except realm and oauth_signature;
#    each name and value percent-encoded once (3.6: "é" -> %C3%A9, " " -> %20, "&" -> %26, "~" kept),
#    sorted by name then value, joined "k=v" with "&" (3.4.1.3.2), and the whole percent-encoded again.
EXPECTED_BASE = (
    "POST"
    "&https%3A%2F%2Ftstdrv1.suitetalk.api.netsuite.com%2Fservices%2Frest%2Fquery%2Fv1%2Fsuiteql"
    "&limit%3D5"
    "%26note%3Dcaf%25C3%25A9%2520%2526%2520co"
    "%26oauth_consumer_key%3Dck"
    "%26oauth_nonce%3Dn0nce~x"
    "%26oauth_signature_method%3DHMAC-SHA256"
    "%26oauth_timestamp%3D1700000000"
    "%26oauth_token%3Dtk"
    "%26oauth_version%3D1.0"
    "%26offset%3D0"
)
# Key (3.4.2): encode(consumer secret) "&" encode(token secret): "cs/1" -> cs%2F1, "ts=2" -> ts%3D2.
EXPECTED_KEY = b"cs%2F1&ts%3D2"
# base64(HMAC-SHA256(EXPECTED_KEY, EXPECTED_BASE)), computed once with the standard library alone
EXPECTED_SIGNATURE = "zZtoPgw5o0V3FYyzDpEVe/upcllIu0gGW7V9QluM7Eo="


def test_the_known_answer_vector_is_self_consistent() -> None:
    """The constant above is what HMAC-SHA256 of the hand-built base string gives (guards the vector itself)."""
    digest = hmac.new(EXPECTED_KEY, EXPECTED_BASE.encode("ascii"), hashlib.sha256).digest()
    assert base64.b64encode(digest).decode() == EXPECTED_SIGNATURE


def test_tba_base_string_matches_the_hand_derived_one() -> None:
    assert tba_base_string("post", URL, OAUTH) == EXPECTED_BASE


def test_tba_signature_matches_the_known_answer() -> None:
    assert tba_signature("POST", URL, OAUTH, "cs/1", "ts=2") == EXPECTED_SIGNATURE
    # the key is consumer secret first, token secret second: swapped halves sign differently
    assert tba_signature("POST", URL, OAUTH, "ts=2", "cs/1") != EXPECTED_SIGNATURE


def test_tba_header_carries_a_signature_that_verifies_by_hand() -> None:
    creds = TbaCredentials(account="TSTDRV1", consumer_key="ck", consumer_secret="cs/1", token_id="tk",
                           token_secret="ts=2")
    header = tba_header("GET", "https://tstdrv1.suitetalk.api.netsuite.com/services/rest/record/v1/invoice/7",
                        creds)
    assert header.startswith('OAuth realm="TSTDRV1", ')
    fields = dict(item.split("=", 1) for item in header[len("OAuth "):].split(", "))
    values = {k: v.strip('"') for k, v in fields.items()}
    assert values["oauth_signature_method"] == "HMAC-SHA256" and values["oauth_version"] == "1.0"
    assert abs(int(values["oauth_timestamp"]) - time.time()) < 60
    from urllib.parse import quote, unquote

    def enc(s: str) -> str:
        return quote(s, safe="-._~")

    params = sorted((k, v) for k, v in values.items() if k not in ("realm", "oauth_signature"))
    normalized = "&".join(f"{enc(k)}={enc(v)}" for k, v in params)
    base = "&".join(["GET", enc("https://tstdrv1.suitetalk.api.netsuite.com/services/rest/record/v1/invoice/7"),
                     enc(normalized)])
    digest = hmac.new(EXPECTED_KEY, base.encode(), hashlib.sha256).digest()
    assert unquote(values["oauth_signature"]) == base64.b64encode(digest).decode()


# --------------------------------------------------------------------------- OAuth 2.0 client assertion

TOKEN_URL = "https://tstdrv1.suitetalk.api.netsuite.com" + TOKEN_PATH


@pytest.fixture(scope="module")
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _pem(key: rsa.RSAPrivateKey) -> str:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()


def _unb64(part: str) -> bytes:
    assert "=" not in part, "JWT parts are base64url without padding"
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def test_client_assertion_header_claims_and_ps256_signature(rsa_key: rsa.RSAPrivateKey) -> None:
    creds = OAuth2Credentials(account="TSTDRV1", client_id="client-1", certificate_id="cert-1",
                              private_key=_pem(rsa_key))
    token = client_assertion(creds, TOKEN_URL, now=1_700_000_000)
    head, body, sig = token.split(".")
    assert json.loads(_unb64(head)) == {"alg": "PS256", "typ": "JWT", "kid": "cert-1"}
    assert json.loads(_unb64(body)) == {"iss": "client-1", "scope": ["restlets", "rest_webservices"],
                                        "aud": TOKEN_URL, "iat": 1_700_000_000, "exp": 1_700_003_600}
    # PS256 (RFC 7518 section 3.5): RSASSA-PSS, SHA-256, MGF1 with SHA-256, salt as long as the hash
    pss = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.DIGEST_LENGTH)
    rsa_key.public_key().verify(_unb64(sig), f"{head}.{body}".encode("ascii"), pss, hashes.SHA256())
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key()
    with pytest.raises(InvalidSignature):
        other.verify(_unb64(sig), f"{head}.{body}".encode("ascii"), pss, hashes.SHA256())


def _jwt(key: rsa.RSAPrivateKey, header: dict, claims: dict) -> str:
    """A JWT signed here with cryptography alone, so the sandbox is tested against an independent signer."""
    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(claims).encode())}"
    sig = key.sign(signing_input.encode(), padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32),
                   hashes.SHA256())
    return f"{signing_input}.{b64(sig)}"


def _good(url: str) -> tuple[dict, dict]:
    now = int(time.time())
    return ({"alg": "PS256", "typ": "JWT", "kid": "cert-1"},
            {"iss": "client-1", "scope": ["restlets", "rest_webservices"], "aud": url + TOKEN_PATH,
             "iat": now, "exp": now + 3600})


@pytest.mark.parametrize(("header_change", "claims_change"), [
    ({}, {}),  # the control: accepted
    ({"kid": "cert-2"}, {}),
    ({"alg": "RS256"}, {}),
    ({}, {"aud": "https://example.invalid" + TOKEN_PATH}),
    ({}, {"scope": ["restlets"]}),
    ({}, {"iss": "client-2"}),
    ({}, {"exp": 1_700_000_000}),  # expired
    ({}, {"exp": int(time.time()) + 7200}),  # valid for more than an hour
], ids=["ok", "kid", "alg", "aud", "scope", "iss", "expired", "too_long"])
def test_sandbox_token_endpoint_checks_every_claim(sample_dir, rsa_key: rsa.RSAPrivateKey, header_change: dict,
                                                   claims_change: dict) -> None:
    secret = json.dumps({"auth": "oauth2", "account": "TSTDRV1", "client_id": "client-1",
                         "certificate_id": "cert-1", "private_key": _pem(rsa_key)})
    box = NetSuiteSandbox(sample_dir, secret=secret)
    with box.serving() as url, httpx.Client(base_url=url) as http:
        header, claims = _good(url)
        assertion = _jwt(rsa_key, {**header, **header_change}, {**claims, **claims_change})
        reply = http.post(TOKEN_PATH, content=urlencode({
            "grant_type": "client_credentials", "client_assertion_type": ASSERTION_TYPE,
            "client_assertion": assertion}), headers={"Content-Type": "application/x-www-form-urlencoded"})
    if not header_change and not claims_change:
        assert reply.status_code == 200 and reply.json()["token_type"] == "bearer"
    else:
        assert (reply.status_code, reply.json()) == (401, {"error": "invalid_client"})


def test_sandbox_refuses_an_assertion_signed_by_another_key(sample_dir, rsa_key: rsa.RSAPrivateKey) -> None:
    secret = json.dumps({"auth": "oauth2", "account": "TSTDRV1", "client_id": "client-1",
                         "certificate_id": "cert-1", "private_key": _pem(rsa_key)})
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with NetSuiteSandbox(sample_dir, secret=secret).serving() as url, httpx.Client(base_url=url) as http:
        reply = http.post(TOKEN_PATH, data={"grant_type": "client_credentials", "client_assertion_type":
                                            ASSERTION_TYPE, "client_assertion": _jwt(other, *_good(url))})
    assert reply.status_code == 401


def test_sandbox_checks_tba_signatures_independently(sample_dir) -> None:
    creds = TbaCredentials(account="TSTDRV1", consumer_key="ck", consumer_secret="cs/1", token_id="tk",
                           token_secret="ts=2")
    secret = json.dumps({"auth": "tba", "account": "TSTDRV1", "consumer_key": "ck", "consumer_secret": "cs/1",
                         "token_id": "tk", "token_secret": "ts=2"})
    swapped = TbaCredentials(account="TSTDRV1", consumer_key="ck", consumer_secret="ts=2", token_id="tk",
                             token_secret="cs/1")
    path = "/services/rest/record/v1/customer/eid:nobody?expand=a%20b~c"
    with NetSuiteSandbox(sample_dir, secret=secret).serving() as url, httpx.Client(base_url=url) as http:
        def get(signer: TbaCredentials, header: str | None = None) -> httpx.Response:
            return http.get(path, headers={"Authorization": header or tba_header("GET", url + path, signer)})

        assert get(creds).status_code == 404  # authenticated: the record is simply not there
        assert get(swapped).status_code == 401
        replay = tba_header("GET", url + path, creds)
        assert get(creds, replay).status_code == 404
        assert get(creds, replay).status_code == 401  # the nonce was used
        wrong_realm = tba_header("GET", url + path, creds).replace('realm="TSTDRV1"', 'realm="OTHER"')
        assert get(creds, wrong_realm).status_code == 401
