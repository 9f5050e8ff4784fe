"""How the NetSuite sandbox checks a caller, written from the server's side.

Deliberately independent of :mod:`connectors.netsuite.auth` (which signs): a
verifier that reused the signer would accept any mistake the signer makes.
This module rebuilds the OAuth 1.0a signature base string from the request
as received (RFC 5849 section 3.4.1) and checks a client-assertion JWT with
the certificate's public key, its header (``alg``, ``kid``) and its claims
(``iss``, ``aud``, ``scope``, ``iat``/``exp``) as NetSuite documents them.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import time
from typing import Any
from urllib.parse import quote, unquote

ASSERTION_MAX_SECONDS = 3600  # NetSuite refuses a client assertion valid for longer than 60 minutes
CLOCK_SKEW_SECONDS = 300
TBA_MAX_AGE_SECONDS = 300
NEEDED_SCOPE = "rest_webservices"

_HEADER_PARAM = re.compile(r'\s*([A-Za-z_]+)="([^"]*)"\s*(?:,|$)')


class Refused(Exception):
    """The request's credentials do not check out; the message says which part (for the sandbox's own tests)."""


def _pct(text: str) -> str:
    """RFC 3986 percent-encoding: everything but ALPHA / DIGIT / - . _ ~ (RFC 5849 section 3.6)."""
    return quote(text.encode("utf-8"), safe="-._~")


def oauth_params(authorization: str) -> dict[str, str]:
    """The parameters of an ``Authorization: OAuth k="v", ...`` header, percent-decoded."""
    scheme, _, rest = authorization.partition(" ")
    if scheme != "OAuth":
        raise Refused("not an OAuth header")
    params: dict[str, str] = {}
    pos = 0
    while pos < len(rest):
        m = _HEADER_PARAM.match(rest, pos)
        if m is None:
            raise Refused(f"malformed OAuth header near {rest[pos:pos + 20]!r}")
        params[unquote(m.group(1))] = unquote(m.group(2))
        pos = m.end()
    return params


def tba_base_string(method: str, host: str, target: str, oauth: dict[str, str]) -> str:
    """The signature base string of a request as the server received it (``target`` is path?query)."""
    path, _, query = target.partition("?")
    pairs: list[tuple[str, str]] = []
    for item in filter(None, query.split("&")):
        name, _, value = item.partition("=")
        pairs.append((unquote(name.replace("+", " ")), unquote(value.replace("+", " "))))
    pairs += [(k, v) for k, v in oauth.items() if k not in ("realm", "oauth_signature")]
    encoded = sorted((_pct(k), _pct(v)) for k, v in pairs)
    parameters = "&".join(f"{k}={v}" for k, v in encoded)
    base_uri = f"http://{host.lower()}{path}"
    return f"{method.upper()}&{_pct(base_uri)}&{_pct(parameters)}"


def check_tba(method: str, host: str, target: str, authorization: str, *, account: str, consumer_key: str,
              consumer_secret: str, token_id: str, token_secret: str, seen_nonces: set[str]) -> str:
    """Check a token-based-auth request; returns its nonce (the caller records it). Raises :class:`Refused`."""
    oauth = oauth_params(authorization)
    if oauth.get("realm") != account:
        raise Refused("wrong realm (account)")
    if oauth.get("oauth_consumer_key") != consumer_key or oauth.get("oauth_token") != token_id:
        raise Refused("unknown consumer key or token")
    if oauth.get("oauth_signature_method") != "HMAC-SHA256":
        raise Refused("signature method must be HMAC-SHA256")
    try:
        age = abs(time.time() - int(oauth.get("oauth_timestamp", "")))
    except ValueError:
        raise Refused("timestamp is not a whole number") from None
    if age > TBA_MAX_AGE_SECONDS:
        raise Refused("stale timestamp")
    nonce = oauth.get("oauth_nonce", "")
    if not nonce or nonce in seen_nonces:
        raise Refused("missing or replayed nonce")
    key = f"{_pct(consumer_secret)}&{_pct(token_secret)}".encode("ascii")
    digest = hmac.new(key, tba_base_string(method, host, target, oauth).encode("ascii"), hashlib.sha256).digest()
    if not hmac.compare_digest(base64.b64encode(digest).decode("ascii"), oauth.get("oauth_signature", "")):
        raise Refused("signature does not match")
    return nonce


def _unb64(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def check_client_assertion(assertion: str, *, private_key_pem: str, certificate_id: str, client_id: str,
                           token_url: str, now: float | None = None) -> dict[str, Any]:
    """Check a PS256 client-assertion JWT against the uploaded certificate; returns its claims."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding

    try:
        head_b64, body_b64, sig_b64 = assertion.split(".")
        header, claims = json.loads(_unb64(head_b64)), json.loads(_unb64(body_b64))
        signature = _unb64(sig_b64)
    except ValueError:
        raise Refused("not a JWT") from None
    if not isinstance(header, dict) or not isinstance(claims, dict):
        raise Refused("JWT header and claims must be objects")
    if header.get("alg") != "PS256":
        raise Refused("alg must be PS256")
    if header.get("kid") != certificate_id:
        raise Refused("kid names no certificate of this integration")
    public_key = serialization.load_pem_private_key(private_key_pem.encode(), password=None).public_key()
    try:
        public_key.verify(signature, f"{head_b64}.{body_b64}".encode("ascii"),  # type: ignore[union-attr,call-arg]
                          padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.AUTO),
                          hashes.SHA256())
    except InvalidSignature:
        raise Refused("signature does not verify with the certificate") from None
    if claims.get("iss") != client_id:
        raise Refused("iss is not this integration's client id")
    if claims.get("aud") != token_url:
        raise Refused("aud is not this token endpoint")
    scope = claims.get("scope")
    scopes = scope.split() if isinstance(scope, str) else scope if isinstance(scope, list) else []
    if NEEDED_SCOPE not in scopes:
        raise Refused(f"scope lacks {NEEDED_SCOPE}")
    now = time.time() if now is None else now
    iat, exp = claims.get("iat"), claims.get("exp")
    if not isinstance(iat, int) or not isinstance(exp, int):
        raise Refused("iat and exp must be whole seconds")
    if iat > now + CLOCK_SKEW_SECONDS or exp <= now or exp - iat > ASSERTION_MAX_SECONDS:
        raise Refused("assertion not valid now, or valid for more than 60 minutes")
    return claims
