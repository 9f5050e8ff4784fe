"""NetSuite authentication: token-based auth (OAuth 1.0a, HMAC-SHA256) and
OAuth 2.0 client credentials (a JWT client assertion signed PS256).

The secret stored for a NetSuite source is JSON text, one of::

    {"auth": "tba", "account": "1234567", "consumer_key": "...", "consumer_secret": "...",
     "token_id": "...", "token_secret": "..."}
    {"auth": "oauth2", "account": "1234567", "client_id": "...", "certificate_id": "...",
     "private_key": "-----BEGIN PRIVATE KEY-----..."}
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass
from urllib.parse import parse_qsl, quote, urlsplit

import httpx

from tieout.connectors.errors import CredentialError

TOKEN_PATH = "/services/rest/auth/oauth2/v1/token"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


@dataclass(frozen=True)
class TbaCredentials:
    account: str
    consumer_key: str
    consumer_secret: str
    token_id: str
    token_secret: str

    def __repr__(self) -> str:  # never print secrets
        return f"TbaCredentials(account={self.account!r})"


@dataclass(frozen=True)
class OAuth2Credentials:
    account: str
    client_id: str
    certificate_id: str
    private_key: str

    def __repr__(self) -> str:
        return f"OAuth2Credentials(account={self.account!r})"


def parse_credentials(source: str, secret: str) -> TbaCredentials | OAuth2Credentials:
    """Read a stored NetSuite secret; the error names the missing keys, never values."""
    try:
        data = json.loads(secret)
    except ValueError:
        raise CredentialError(f"source {source!r}: NetSuite secret must be JSON (see `tieout connect --help`)") from None
    kind = data.get("auth", "tba") if isinstance(data, dict) else None
    cls = {"tba": TbaCredentials, "oauth2": OAuth2Credentials}.get(kind)  # type: ignore[arg-type]
    if cls is None:
        raise CredentialError(f"source {source!r}: NetSuite secret 'auth' must be 'tba' or 'oauth2'")
    names = list(cls.__dataclass_fields__)
    missing = [n for n in names if not data.get(n)]
    if missing:
        raise CredentialError(f"source {source!r}: NetSuite secret lacks {', '.join(missing)}")
    return cls(**{n: str(data[n]) for n in names})


def _enc(value: str) -> str:
    return quote(value, safe="~-._")


def tba_base_string(method: str, url: str, oauth: dict[str, str]) -> str:
    """The OAuth 1.0a signature base string of a request (RFC 5849 section 3.4.1)."""
    parts = urlsplit(url)
    # scheme and host are case-insensitive, so the base string lower-cases them (section 3.4.1.2)
    base_url = f"{parts.scheme.lower()}://{parts.netloc.lower()}{parts.path}"
    params = [(k, v) for k, v in oauth.items() if k not in ("oauth_signature", "realm")]
    params += parse_qsl(parts.query, keep_blank_values=True)
    normalized = "&".join(f"{k}={v}" for k, v in sorted((_enc(k), _enc(v)) for k, v in params))
    return "&".join((method.upper(), _enc(base_url), _enc(normalized)))


def tba_signature(method: str, url: str, oauth: dict[str, str], consumer_secret: str, token_secret: str) -> str:
    """The OAuth 1.0a HMAC-SHA256 signature of a request (RFC 5849 section 3.4)."""
    key = f"{_enc(consumer_secret)}&{_enc(token_secret)}"
    base = tba_base_string(method, url, oauth)
    return base64.b64encode(hmac.new(key.encode(), base.encode(), hashlib.sha256).digest()).decode()


def tba_header(method: str, url: str, creds: TbaCredentials) -> str:
    oauth = {
        "oauth_consumer_key": creds.consumer_key,
        "oauth_token": creds.token_id,
        "oauth_signature_method": "HMAC-SHA256",
        "oauth_timestamp": str(int(time.time())),
        "oauth_nonce": secrets.token_hex(11),
        "oauth_version": "1.0",
    }
    oauth["oauth_signature"] = tba_signature(method, url, oauth, creds.consumer_secret, creds.token_secret)
    fields = ", ".join(f'{k}="{_enc(v)}"' for k, v in oauth.items())
    return f'OAuth realm="{creds.account}", {fields}'


def tba_signer(creds: TbaCredentials):  # -> Callable[[httpx.Request], None]
    def sign(request: httpx.Request) -> None:
        request.headers["Authorization"] = tba_header(request.method, str(request.url), creds)

    return sign


# ------------------------------------------------------------------ OAuth 2.0 client credentials


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def client_assertion(creds: OAuth2Credentials, token_url: str, now: int | None = None) -> str:
    """A PS256-signed JWT asserting ``creds.client_id`` (NetSuite's client credentials flow)."""
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding

    now = int(time.time()) if now is None else now
    header = {"alg": "PS256", "typ": "JWT", "kid": creds.certificate_id}
    claims = {"iss": creds.client_id, "scope": ["restlets", "rest_webservices"], "aud": token_url,
              "iat": now, "exp": now + 3600}
    signing_input = f"{_b64url(json.dumps(header).encode())}.{_b64url(json.dumps(claims).encode())}"
    try:
        key = serialization.load_pem_private_key(creds.private_key.encode(), password=None)
    except ValueError:
        raise CredentialError("NetSuite OAuth 2.0 private_key is not a PEM private key") from None
    signature = key.sign(signing_input.encode(),  # type: ignore[union-attr]
                         padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32), hashes.SHA256())
    return f"{signing_input}.{_b64url(signature)}"
