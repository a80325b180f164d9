"""Fixtures for the Python SDK test: the running Worker, host tokens, and SDK clients.

The server comes from `tests/support/with-server.mjs`, which sets API_URL, HOST_ISSUER,
HOST_AUDIENCE, HOST_HS256_SECRET and RP_ID. Every test makes its own user (a fresh `sub`), so
tests never share passkeys and their order never matters.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import time
import uuid
from dataclasses import dataclass

import better_auth
import pytest

from authenticator import SoftwareAuthenticator

# One of the origins the Worker allows by default (wrangler.toml's ALLOWED_ORIGINS).
ORIGIN = "http://localhost:3000"


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def mint_host_token(sub: str, email: str, name: str, *, lifetime_secs: int = 600) -> str:
    """An HS256 JWT as the host application would sign it for a signed-in user."""
    now = int(time.time())
    header = {"alg": "HS256", "typ": "JWT"}
    claims = {
        "iss": os.environ["HOST_ISSUER"],
        "aud": os.environ["HOST_AUDIENCE"],
        "sub": sub,
        "email": email,
        "name": name,
        "iat": now,
        "exp": now + lifetime_secs,
    }
    signing_input = ".".join(
        _b64url(json.dumps(part, separators=(",", ":")).encode()) for part in (header, claims)
    )
    key = os.environ["HOST_HS256_SECRET"].encode("utf-8")
    signature = hmac.new(key, signing_input.encode("ascii"), hashlib.sha256).digest()
    return f"{signing_input}.{_b64url(signature)}"


def passkey_api(token: str | None = None) -> better_auth.PasskeyApi:
    """The SDK's PasskeyApi against the running Worker, with `token` as bearer if given."""
    configuration = better_auth.Configuration(
        host=os.environ["API_URL"].rstrip("/") + "/api/auth", access_token=token
    )
    return better_auth.PasskeyApi(better_auth.ApiClient(configuration))


@dataclass
class TestUser:
    """A host-application user with a bearer token and an SDK client that sends it."""

    __test__ = False  # not a test class, despite the name

    id: str
    email: str
    name: str
    token: str
    api: better_auth.PasskeyApi


def make_user() -> TestUser:
    """A brand-new user, unknown to the Worker until its token is first used."""
    suffix = uuid.uuid4().hex[:12]
    user_id = f"py_{suffix}"
    email = f"{user_id}@example.test"
    name = f"Python {suffix}"
    token = mint_host_token(user_id, email, name)
    return TestUser(user_id, email, name, token, passkey_api(token))


@pytest.fixture
def user() -> TestUser:
    return make_user()


@pytest.fixture
def other_user() -> TestUser:
    return make_user()


@pytest.fixture
def rp_id() -> str:
    return os.environ.get("RP_ID", "localhost")


@pytest.fixture
def authenticator() -> SoftwareAuthenticator:
    """A synced passkey provider (backup eligible and backed up)."""
    return SoftwareAuthenticator(ORIGIN)


@pytest.fixture
def anonymous_api() -> better_auth.PasskeyApi:
    """The SDK with no bearer token, as on a sign-in page."""
    return passkey_api(None)
