"""The published OpenAPI document: valid OpenAPI 3.1, and true of the live responses.

Every response of a full ceremony (and a few errors) is checked against the schema the document
gives for that path, method and status, so the document cannot drift from the code unnoticed.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request

import jsonschema
import pytest
from openapi_spec_validator import validate

from conftest import ORIGIN, make_user
from authenticator import SoftwareAuthenticator

BASE = os.environ["API_URL"].rstrip("/") + "/api/auth"


def call(method: str, path: str, token: str | None = None, body: dict | None = None):
    """(status, JSON body, headers) of a request to the Worker."""
    headers = {}
    data = None
    if token:
        headers["authorization"] = f"Bearer {token}"
    if body is not None:
        headers["content-type"] = "application/json"
        data = json.dumps(body).encode()
    request = urllib.request.Request(BASE + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, json.loads(response.read()), response.headers
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read()), error.headers


@pytest.fixture(scope="module")
def document() -> dict:
    status, body, _ = call("GET", "/open-api/generate-schema")
    assert status == 200
    return body


def check(document: dict, path: str, method: str, status: int, body) -> None:
    """Validates `body` against the document's schema for this answer."""
    responses = document["paths"][path][method]["responses"]
    assert str(status) in responses, f"{method.upper()} {path} {status} is not documented"
    answer = responses[str(status)]
    if "$ref" in answer:
        answer = document["components"]["responses"][answer["$ref"].rsplit("/", 1)[1]]
    schema = dict(answer["content"]["application/json"]["schema"])
    schema["components"] = document["components"]
    jsonschema.Draft202012Validator(schema).validate(body)


def test_the_document_is_valid_openapi_3_1(document):
    validate(document)
    assert document["openapi"] == "3.1.0"
    assert document["servers"] == [{"url": "/api/auth"}]


def test_a_full_ceremony_answers_as_documented(document):
    user = make_user()
    authenticator = SoftwareAuthenticator(ORIGIN)

    status, options, _ = call("GET", "/passkey/generate-register-options", user.token)
    check(document, "/passkey/generate-register-options", "get", status, options)
    response = authenticator.create(
        challenge=options["challenge"], rp_id=options["rp"]["id"], user_handle=options["user"]["id"]
    )
    status, passkey, _ = call("POST", "/passkey/verify-registration", user.token, {"response": response})
    check(document, "/passkey/verify-registration", "post", status, passkey)

    status, listed, _ = call("GET", "/passkey/list-user-passkeys", user.token)
    check(document, "/passkey/list-user-passkeys", "get", status, listed)
    assert [p["id"] for p in listed] == [passkey["id"]]

    status, options, _ = call("GET", "/passkey/generate-authenticate-options", user.token)
    check(document, "/passkey/generate-authenticate-options", "get", status, options)
    assertion = authenticator.get(challenge=options["challenge"], rp_id=options["rpId"])
    status, signed_in, headers = call("POST", "/passkey/verify-authentication", body={"response": assertion})
    check(document, "/passkey/verify-authentication", "post", status, signed_in)
    assert headers["set-auth-token"] == signed_in["session"]["token"]

    status, renamed, _ = call(
        "POST", "/passkey/update-passkey", user.token, {"id": passkey["id"], "name": "Renamed"}
    )
    check(document, "/passkey/update-passkey", "post", status, renamed)
    status, deleted, _ = call("POST", "/passkey/delete-passkey", user.token, {"id": passkey["id"]})
    check(document, "/passkey/delete-passkey", "post", status, deleted)

    status, keys, _ = call("GET", "/jwks")
    check(document, "/jwks", "get", status, keys)


def test_errors_answer_as_documented(document):
    user = make_user()
    status, body, _ = call("GET", "/passkey/list-user-passkeys")
    assert status == 401
    check(document, "/passkey/list-user-passkeys", "get", status, body)

    status, body, _ = call("POST", "/passkey/update-passkey", user.token, {"id": "missing", "name": "x"})
    assert status == 404
    check(document, "/passkey/update-passkey", "post", status, body)

    status, body, _ = call("POST", "/passkey/verify-authentication", body={"response": "{}"})
    assert status == 400
    check(document, "/passkey/verify-authentication", "post", status, body)


def test_a_schema_violation_would_be_caught(document):
    """The check itself can fail: a Passkey without its credential id does not validate."""
    with pytest.raises(jsonschema.ValidationError):
        check(document, "/passkey/list-user-passkeys", "get", 200, [{"id": "x"}])
