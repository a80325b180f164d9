"""Registers a passkey and signs in with it through Better Auth's Python SDK (README, "Try it
with the Python SDK").

    .venv/bin/python tests/python/example_sdk.py [API_URL] [TOKEN]

API_URL is where the service runs (default: $API_URL, else http://127.0.0.1:8787); TOKEN is a
host-application bearer token (default: $TOKEN), e.g. from `node scripts/mint-token.mjs`. The
software authenticator of the SDK test (`authenticator.py`) stands in for the browser and the
passkey; it keeps its credential in memory only, so each run registers a new passkey.

Prints three lines, each a label and JSON: the new passkey, the signed-in user, and the
passkeys listed with the session token.
"""

from __future__ import annotations

import json
import os
import sys

import better_auth
from better_auth import (
    PasskeyApi,
    PasskeyVerifyAuthenticationRequest,
    PasskeyVerifyRegistrationRequest,
)

from authenticator import SoftwareAuthenticator

# The origin the browser would be on: one of the service's ALLOWED_ORIGINS.
ORIGIN = "http://localhost:8787"


def passkey_api(api_url: str, token: str | None = None) -> PasskeyApi:
    """The SDK's PasskeyApi for the service at `api_url`, sending `token` as bearer if given."""
    config = better_auth.Configuration(host=f"{api_url}/api/auth", access_token=token)
    return PasskeyApi(better_auth.ApiClient(config))


def main(api_url: str, token: str) -> None:
    authenticator = SoftwareAuthenticator(ORIGIN)

    # Register: the host token says who the user is.
    api = passkey_api(api_url, token)
    options = api.generate_passkey_registration_options()
    rp_id = options.rp.id
    credential = authenticator.create(
        challenge=options.challenge, rp_id=rp_id, user_handle=options.user.id
    )
    passkey = api.passkey_verify_registration(
        # The SDK's request model takes `response` only as a string holding the JSON.
        PasskeyVerifyRegistrationRequest(response=json.dumps(credential), name="Python SDK")
    )
    print("passkey:", passkey.model_dump_json(by_alias=True, exclude_none=True))

    # Sign in with nothing but the passkey: no bearer token.
    anonymous = passkey_api(api_url)
    options = anonymous.passkey_generate_authenticate_options()
    # The SDK's options model drops `rpId`: it is the one the passkey was registered for.
    assertion = authenticator.get(challenge=options.challenge, rp_id=rp_id)
    signed_in = anonymous.passkey_verify_authentication(
        PasskeyVerifyAuthenticationRequest(response=json.dumps(assertion))
    )
    print("user:", signed_in.user.model_dump_json(by_alias=True, exclude_none=True))

    # The session token is a bearer token like the host's.
    session_api = passkey_api(api_url, signed_in.session.token)
    passkeys = session_api.passkey_list_user_passkeys_get()
    print("listed:", json.dumps([p.credential_id for p in passkeys]))


if __name__ == "__main__":
    arguments = sys.argv[1:]
    api_url = arguments[0] if arguments else os.environ.get("API_URL", "http://127.0.0.1:8787")
    token = arguments[1] if len(arguments) > 1 else os.environ.get("TOKEN")
    if not token:
        sys.exit("usage: example_sdk.py [API_URL] TOKEN (or set API_URL and TOKEN)")
    main(api_url.rstrip("/"), token)
