"""Opaque, signed pagination tokens.

A token carries the sort key to continue after and a fingerprint of the query it belongs to (route,
site, range, order, filter), signed with HMAC-SHA256. A token that was edited, or that comes from
another site, route or range, fails the check and the request is a 400 instead of a silent jump.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from dataclasses import dataclass

from query_api.errors import BadRequest

TOKEN_VERSION = 1
SIGNATURE_BYTES = 16
MAX_TOKEN_CHARS = 2048
# The shape of every token encode() writes: base64url payload "." base64url 16-byte signature.
TOKEN_PATTERN = r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}$"  # noqa: S105 - a shape, not a secret


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def fingerprint(*parts: str) -> str:
    """A short digest of the query's identity; parts are joined unambiguously (JSON list)."""
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()[:24]


def _invalid(reason: str) -> BadRequest:
    return BadRequest(
        "invalid_next_token",
        f"next_token: {reason}; pass the next_token of the previous page unchanged, with the same "
        "site, from, to, order and type, or drop it to start from the first page",
    )


@dataclass(frozen=True, slots=True)
class TokenCodec:
    key: bytes

    def _sign(self, payload: bytes) -> bytes:
        return hmac.new(self.key, payload, hashlib.sha256).digest()[:SIGNATURE_BYTES]

    def encode(self, query: str, after: str) -> str:
        payload = json.dumps({"v": TOKEN_VERSION, "q": query, "k": after}, separators=(",", ":")).encode()
        return f"{_b64(payload)}.{_b64(self._sign(payload))}"

    def decode(self, token: str, query: str) -> str:
        """The sort key to continue after; raises BadRequest for anything but our own token."""
        if len(token) > MAX_TOKEN_CHARS or token.count(".") != 1:
            raise _invalid("not a token this API issued")
        body, signature = token.split(".")
        try:
            payload, given = _unb64(body), _unb64(signature)
        except (binascii.Error, ValueError):
            raise _invalid("not a token this API issued") from None
        if not hmac.compare_digest(given, self._sign(payload)):
            raise _invalid("the token was altered or was issued by another deployment")
        data = json.loads(payload)
        if data.get("q") != query:
            raise _invalid("the token belongs to another query")
        after = data.get("k")
        if data.get("v") != TOKEN_VERSION or not isinstance(after, str):
            raise _invalid("the token format is not supported")
        return after
