"""Better Auth's Python SDK (`better-auth` 0.0.1b13) against the running Worker.

Every call goes through `better_auth.PasskeyApi`, so each success proves the response
deserializes into the SDK's model, and each failure proves the SDK raises its own exception with
the contract's `message`. A software authenticator stands in for the browser and the passkey.
"""

from __future__ import annotations

import base64
import json

import cbor2
import pytest
from better_auth import (
    GeneratePasskeyRegistrationOptions200Response,
    OneTapCallbackPost200Response,
    Passkey,
    PasskeyDeletePasskeyPost200Response,
    PasskeyDeletePasskeyPostRequest,
    PasskeyGenerateAuthenticateOptions200Response,
    PasskeyUpdatePasskeyPost200Response,
    PasskeyUpdatePasskeyPostRequest,
    PasskeyVerifyAuthenticationRequest,
    PasskeyVerifyRegistrationRequest,
)
from better_auth.exceptions import (
    ApiException,
    BadRequestException,
    NotFoundException,
    UnauthorizedException,
)

from authenticator import SoftwareAuthenticator, b64url, b64url_decode
from conftest import ORIGIN, TestUser, passkey_api

# Better Auth's messages for the contract's codes.
PASSKEY_NOT_FOUND = "Passkey not found"
CHALLENGE_NOT_FOUND = "Challenge not found"
NOT_ALLOWED_TO_REGISTER = "You are not allowed to register this passkey"
PREVIOUSLY_REGISTERED = "Previously registered"
AUTHENTICATION_FAILED = "Authentication failed"


# Helpers: one SDK call each, or a whole ceremony.


def registration_options(user: TestUser, **query) -> GeneratePasskeyRegistrationOptions200Response:
    options = user.api.generate_passkey_registration_options(**query)
    assert isinstance(options, GeneratePasskeyRegistrationOptions200Response)
    return options


def send_registration(user: TestUser, response: dict, name: str | None = None) -> Passkey:
    # The SDK's request model only takes `response` as a string holding the JSON.
    request = PasskeyVerifyRegistrationRequest(response=json.dumps(response), name=name)
    return user.api.passkey_verify_registration(request)


def register(
    user: TestUser, authenticator: SoftwareAuthenticator, name: str | None = None
) -> Passkey:
    """A full registration ceremony for `user`, returning the SDK's Passkey."""
    options = registration_options(user)
    response = authenticator.create(
        challenge=options.challenge, rp_id=options.rp.id, user_handle=options.user.id
    )
    passkey = send_registration(user, response, name)
    assert isinstance(passkey, Passkey)
    return passkey


def send_assertion(response: dict, token: str | None = None):
    """verify-authentication through the SDK; returns the SDK's ApiResponse (data and headers)."""
    request = PasskeyVerifyAuthenticationRequest(response=json.dumps(response))
    return passkey_api(token).passkey_verify_authentication_with_http_info(request)


def error_body(error: ApiException) -> dict:
    """The raw JSON error body the SDK kept on its exception."""
    assert error.body, f"the SDK's exception has no body: {error}"
    return json.loads(error.body)


def assert_sdk_error(
    error: ApiException, status: int, code: str, message: str | None, *, parsed: bool = True
) -> None:
    """The exception carries the status, the raw body carries the contract's code and message,
    and (when `parsed`) the SDK's own error model carries the same message.

    The SDK parses 400/401/403/404/429/500 bodies into a model with `message`, except a 400 from
    verify-registration, which its schema leaves untyped: pass `parsed=False` there.
    """
    assert error.status == status
    body = error_body(error)
    assert body["code"] == code
    if message is not None:
        assert body["message"] == message
    assert isinstance(body["message"], str) and body["message"]
    if parsed:
        assert error.data is not None, f"the SDK did not parse the error body {error.body!r}"
        assert error.data.message == body["message"]
    else:
        assert error.data is None


# Registration options


def test_registration_options_deserialize_into_the_sdk_model(user, rp_id):
    options = registration_options(user)

    assert len(b64url_decode(options.challenge)) == 32
    assert options.rp.id == rp_id
    assert options.rp.name
    assert options.user.name == user.email
    assert options.user.display_name == user.name
    user_handle = b64url_decode(options.user.id)
    assert user_handle and user.id.encode() not in user_handle
    assert options.user.id not in (user.id, user.email)
    algorithms = {param.alg for param in options.pub_key_cred_params}
    assert -7 in algorithms
    assert all(param.type == "public-key" for param in options.pub_key_cred_params)
    assert options.timeout > 0
    assert options.attestation == "none"
    assert options.exclude_credentials == []
    assert options.authenticator_selection.user_verification == "preferred"
    assert options.authenticator_selection.require_resident_key is False
    assert options.extensions == {"credProps": True}


def test_registration_options_honour_the_attachment_and_name_queries(user):
    options = registration_options(user, authenticator_attachment="platform", name="Work laptop")

    assert options.authenticator_selection.authenticator_attachment == "platform"
    assert options.user.name == "Work laptop"


def test_the_user_handle_is_stable_for_one_user_and_differs_between_users(user, other_user):
    first = registration_options(user)
    second = registration_options(user)
    someone_else = registration_options(other_user)

    assert first.user.id == second.user.id
    assert first.challenge != second.challenge
    assert someone_else.user.id != first.user.id


def test_an_unknown_authenticator_attachment_raises_bad_request_naming_the_field(user):
    with pytest.raises(BadRequestException) as raised:
        user.api.generate_passkey_registration_options(authenticator_attachment="usb-stick")

    assert_sdk_error(raised.value, 400, "VALIDATION_ERROR", None)
    assert "authenticatorAttachment" in raised.value.data.message


def test_registration_options_without_a_token_raise_unauthorized_with_a_message(anonymous_api):
    with pytest.raises(UnauthorizedException) as raised:
        anonymous_api.generate_passkey_registration_options()

    assert_sdk_error(raised.value, 401, "UNAUTHORIZED", None)


# Registration


def test_a_registered_passkey_deserializes_into_the_sdk_passkey_model(user, authenticator):
    options = registration_options(user)
    response = authenticator.create(
        challenge=options.challenge, rp_id=options.rp.id, user_handle=options.user.id
    )
    credential = authenticator.credentials[-1]

    passkey = send_registration(user, response, name="Laptop")

    assert isinstance(passkey, Passkey)
    assert passkey.id
    assert passkey.name == "Laptop"
    assert passkey.user_id == user.id
    assert passkey.credential_id == credential.id == response["id"]
    assert base64.b64decode(passkey.public_key, validate=True) == credential.cose_public_key
    assert cbor2.loads(base64.b64decode(passkey.public_key))[3] == -7
    assert passkey.counter == 0
    assert passkey.device_type == "multiDevice"
    assert passkey.backed_up is True
    assert passkey.transports == "internal,hybrid"
    assert passkey.aaguid == str(authenticator.aaguid)
    assert passkey.created_at is not None and passkey.created_at.utcoffset().total_seconds() == 0


def test_a_device_bound_passkey_is_single_device_and_not_backed_up(user):
    device_bound = SoftwareAuthenticator(ORIGIN, backup_eligible=False, backed_up=False)

    passkey = register(user, device_bound)

    assert passkey.device_type == "singleDevice"
    assert passkey.backed_up is False
    assert passkey.name is None


def test_registering_the_same_credential_twice_raises_previously_registered(user, authenticator):
    register(user, authenticator)
    credential = authenticator.credentials[-1]
    options = registration_options(user)
    again = authenticator.attest(credential, challenge=options.challenge)

    with pytest.raises(BadRequestException) as raised:
        send_registration(user, again)

    assert_sdk_error(
        raised.value, 400, "PREVIOUSLY_REGISTERED", PREVIOUSLY_REGISTERED, parsed=False
    )


def test_registering_a_credential_another_user_holds_raises_previously_registered(
    user, other_user, authenticator
):
    register(user, authenticator)
    credential = authenticator.credentials[-1]
    options = registration_options(other_user)
    credential.user_handle = options.user.id
    again = authenticator.attest(credential, challenge=options.challenge)

    with pytest.raises(BadRequestException) as raised:
        send_registration(other_user, again)

    assert_sdk_error(
        raised.value, 400, "PREVIOUSLY_REGISTERED", PREVIOUSLY_REGISTERED, parsed=False
    )
    assert other_user.api.passkey_list_user_passkeys_get() == []


def test_a_registration_response_replayed_raises_challenge_not_found(user, authenticator):
    options = registration_options(user)
    response = authenticator.create(
        challenge=options.challenge, rp_id=options.rp.id, user_handle=options.user.id
    )
    send_registration(user, response)

    with pytest.raises(BadRequestException) as raised:
        send_registration(user, response)

    assert_sdk_error(raised.value, 400, "CHALLENGE_NOT_FOUND", CHALLENGE_NOT_FOUND, parsed=False)


def test_a_registration_signed_for_another_origin_fails_verification(user):
    stranger = SoftwareAuthenticator("https://evil.example")
    options = registration_options(user)
    response = stranger.create(
        challenge=options.challenge, rp_id=options.rp.id, user_handle=options.user.id
    )

    with pytest.raises(BadRequestException) as raised:
        send_registration(user, response)

    assert_sdk_error(
        raised.value,
        400,
        "FAILED_TO_VERIFY_REGISTRATION",
        "Failed to verify registration",
        parsed=False,
    )
    assert user.api.passkey_list_user_passkeys_get() == []


def test_another_user_cannot_finish_a_registration_raises_unauthorized(
    user, other_user, authenticator
):
    options = registration_options(user)
    response = authenticator.create(
        challenge=options.challenge, rp_id=options.rp.id, user_handle=options.user.id
    )

    with pytest.raises(UnauthorizedException) as raised:
        send_registration(other_user, response)

    assert_sdk_error(
        raised.value, 401, "YOU_ARE_NOT_ALLOWED_TO_REGISTER_THIS_PASSKEY", NOT_ALLOWED_TO_REGISTER
    )
    assert other_user.api.passkey_list_user_passkeys_get() == []


# Listing


def test_a_new_user_lists_no_passkeys(user):
    assert user.api.passkey_list_user_passkeys_get() == []


def test_listing_returns_the_callers_passkeys_and_nobody_elses(user, other_user, authenticator):
    first = register(user, authenticator, name="Phone")
    second = register(user, authenticator, name="Laptop")
    theirs = register(other_user, SoftwareAuthenticator(ORIGIN), name="Theirs")

    listed = user.api.passkey_list_user_passkeys_get()

    assert all(isinstance(passkey, Passkey) for passkey in listed)
    assert {p.id for p in listed} == {first.id, second.id}
    assert {p.name for p in listed} == {"Phone", "Laptop"}
    assert theirs.id not in {p.id for p in listed}
    assert all(p.user_id == user.id for p in listed)


def test_registration_options_exclude_the_users_existing_passkeys(user, authenticator):
    passkey = register(user, authenticator)

    options = registration_options(user)

    assert [c.id for c in options.exclude_credentials] == [passkey.credential_id]
    assert options.exclude_credentials[0].type == "public-key"
    assert options.exclude_credentials[0].transports == ["internal", "hybrid"]


def test_listing_without_a_token_raises_unauthorized_with_a_message(anonymous_api):
    with pytest.raises(UnauthorizedException) as raised:
        anonymous_api.passkey_list_user_passkeys_get()

    assert_sdk_error(raised.value, 401, "UNAUTHORIZED", None)


def test_listing_with_a_forged_token_raises_unauthorized(user):
    forged = user.token[:-4] + ("AAAA" if not user.token.endswith("AAAA") else "BBBB")

    with pytest.raises(UnauthorizedException) as raised:
        passkey_api(forged).passkey_list_user_passkeys_get()

    assert_sdk_error(raised.value, 401, "UNAUTHORIZED", None)


# Renaming


def test_renaming_a_passkey_returns_it_with_the_new_trimmed_name(user, authenticator):
    passkey = register(user, authenticator, name="Old name")

    updated = user.api.passkey_update_passkey_post(
        PasskeyUpdatePasskeyPostRequest(id=passkey.id, name="  New name  ")
    )

    assert isinstance(updated, PasskeyUpdatePasskeyPost200Response)
    assert isinstance(updated.passkey, Passkey)
    assert updated.passkey.id == passkey.id
    assert updated.passkey.name == "New name"
    assert updated.passkey.credential_id == passkey.credential_id
    assert [p.name for p in user.api.passkey_list_user_passkeys_get()] == ["New name"]


def test_renaming_a_missing_passkey_raises_not_found_with_the_contracts_message(user):
    with pytest.raises(NotFoundException) as raised:
        user.api.passkey_update_passkey_post(
            PasskeyUpdatePasskeyPostRequest(id="no-such-passkey", name="Anything")
        )

    assert_sdk_error(raised.value, 404, "PASSKEY_NOT_FOUND", PASSKEY_NOT_FOUND)


def test_renaming_someone_elses_passkey_raises_not_found_and_changes_nothing(
    user, other_user, authenticator
):
    passkey = register(user, authenticator, name="Mine")

    with pytest.raises(NotFoundException) as raised:
        other_user.api.passkey_update_passkey_post(
            PasskeyUpdatePasskeyPostRequest(id=passkey.id, name="Stolen")
        )

    assert_sdk_error(raised.value, 404, "PASSKEY_NOT_FOUND", PASSKEY_NOT_FOUND)
    assert [p.name for p in user.api.passkey_list_user_passkeys_get()] == ["Mine"]


def test_renaming_to_a_blank_name_raises_bad_request_naming_the_field(user, authenticator):
    passkey = register(user, authenticator, name="Kept")

    with pytest.raises(BadRequestException) as raised:
        user.api.passkey_update_passkey_post(
            PasskeyUpdatePasskeyPostRequest(id=passkey.id, name="   ")
        )

    assert_sdk_error(raised.value, 400, "VALIDATION_ERROR", None)
    assert "name" in raised.value.data.message
    assert [p.name for p in user.api.passkey_list_user_passkeys_get()] == ["Kept"]


# Deleting


def test_deleting_a_passkey_returns_status_true_and_removes_it(user, authenticator):
    kept = register(user, authenticator, name="Kept")
    doomed = register(user, authenticator, name="Doomed")

    result = user.api.passkey_delete_passkey_post(PasskeyDeletePasskeyPostRequest(id=doomed.id))

    assert isinstance(result, PasskeyDeletePasskeyPost200Response)
    assert result.status is True
    assert [p.id for p in user.api.passkey_list_user_passkeys_get()] == [kept.id]


def test_deleting_a_passkey_twice_raises_not_found_the_second_time(user, authenticator):
    passkey = register(user, authenticator)
    user.api.passkey_delete_passkey_post(PasskeyDeletePasskeyPostRequest(id=passkey.id))

    with pytest.raises(NotFoundException) as raised:
        user.api.passkey_delete_passkey_post(PasskeyDeletePasskeyPostRequest(id=passkey.id))

    assert_sdk_error(raised.value, 404, "PASSKEY_NOT_FOUND", PASSKEY_NOT_FOUND)


def test_deleting_someone_elses_passkey_raises_not_found_and_keeps_it(
    user, other_user, authenticator
):
    passkey = register(user, authenticator)

    with pytest.raises(NotFoundException) as raised:
        other_user.api.passkey_delete_passkey_post(PasskeyDeletePasskeyPostRequest(id=passkey.id))

    assert_sdk_error(raised.value, 404, "PASSKEY_NOT_FOUND", PASSKEY_NOT_FOUND)
    assert [p.id for p in user.api.passkey_list_user_passkeys_get()] == [passkey.id]


def test_a_deleted_passkey_can_no_longer_sign_in(user, authenticator, anonymous_api, rp_id):
    passkey = register(user, authenticator)
    user.api.passkey_delete_passkey_post(PasskeyDeletePasskeyPostRequest(id=passkey.id))
    options = anonymous_api.passkey_generate_authenticate_options()
    assertion = authenticator.get(challenge=options.challenge, rp_id=rp_id)

    with pytest.raises(UnauthorizedException) as raised:
        send_assertion(assertion)

    assert_sdk_error(raised.value, 401, "PASSKEY_NOT_FOUND", PASSKEY_NOT_FOUND)


# Authentication options


def test_authentication_options_without_a_token_offer_discoverable_sign_in(anonymous_api):
    options = anonymous_api.passkey_generate_authenticate_options()

    assert isinstance(options, PasskeyGenerateAuthenticateOptions200Response)
    assert len(b64url_decode(options.challenge)) == 32
    assert options.timeout > 0
    assert options.user_verification == "preferred"
    assert options.allow_credentials is None


def test_authentication_options_with_a_token_list_the_users_passkeys(user, authenticator):
    passkey = register(user, authenticator)

    options = user.api.passkey_generate_authenticate_options()

    assert isinstance(options, PasskeyGenerateAuthenticateOptions200Response)
    assert [c.id for c in options.allow_credentials] == [passkey.credential_id]
    assert options.allow_credentials[0].type == "public-key"
    assert options.allow_credentials[0].transports == ["internal", "hybrid"]


# Authentication


def test_discoverable_sign_in_returns_a_session_whose_token_is_a_bearer(
    user, authenticator, anonymous_api, rp_id
):
    passkey = register(user, authenticator, name="Phone")
    options = anonymous_api.passkey_generate_authenticate_options()
    assertion = authenticator.get(challenge=options.challenge, rp_id=rp_id)

    answer = send_assertion(assertion)

    assert answer.status_code == 200
    signed_in = answer.data
    assert isinstance(signed_in, OneTapCallbackPost200Response)
    assert signed_in.session.user_id == user.id
    assert signed_in.session.token.count(".") == 2
    assert signed_in.session.expires_at > signed_in.session.created_at
    assert signed_in.user.id == user.id
    assert signed_in.user.email == user.email
    assert signed_in.user.name == user.name
    assert answer.headers.get("set-auth-token") == signed_in.session.token

    listed = passkey_api(signed_in.session.token).passkey_list_user_passkeys_get()
    assert [p.id for p in listed] == [passkey.id]
    assert listed[0].counter == 1


def test_sign_in_with_allow_credentials_from_a_token_succeeds(user, authenticator, rp_id):
    register(user, SoftwareAuthenticator(ORIGIN))  # a passkey on another device
    passkey = register(user, authenticator)
    options = user.api.passkey_generate_authenticate_options()
    allowed = [c.id for c in options.allow_credentials]
    assertion = authenticator.get(
        challenge=options.challenge, rp_id=rp_id, allow_credentials=allowed
    )

    signed_in = send_assertion(assertion).data

    assert assertion["id"] == passkey.credential_id
    assert signed_in.user.id == user.id


def test_a_session_token_can_start_another_registration(user, authenticator, anonymous_api, rp_id):
    register(user, authenticator)
    options = anonymous_api.passkey_generate_authenticate_options()
    assertion = authenticator.get(challenge=options.challenge, rp_id=rp_id)
    token = send_assertion(assertion).data.session.token
    session_user = TestUser(user.id, user.email, user.name, token, passkey_api(token))

    second = register(session_user, SoftwareAuthenticator(ORIGIN), name="Second")

    assert second.user_id == user.id
    assert len(user.api.passkey_list_user_passkeys_get()) == 2


def test_signing_in_with_an_unknown_credential_raises_unauthorized(user, anonymous_api, rp_id):
    unregistered = SoftwareAuthenticator(ORIGIN)
    registration_options_ = registration_options(user)
    unregistered.create(
        challenge=registration_options_.challenge,
        rp_id=registration_options_.rp.id,
        user_handle=registration_options_.user.id,
    )  # made on the device, never sent to the server
    options = anonymous_api.passkey_generate_authenticate_options()
    assertion = unregistered.get(challenge=options.challenge, rp_id=rp_id)

    with pytest.raises(UnauthorizedException) as raised:
        send_assertion(assertion)

    assert_sdk_error(raised.value, 401, "PASSKEY_NOT_FOUND", PASSKEY_NOT_FOUND)


def test_an_assertion_with_a_bad_signature_raises_authentication_failed(
    user, authenticator, anonymous_api, rp_id
):
    register(user, authenticator)
    options = anonymous_api.passkey_generate_authenticate_options()
    assertion = authenticator.get(challenge=options.challenge, rp_id=rp_id)
    signature = bytearray(b64url_decode(assertion["response"]["signature"]))
    signature[-1] ^= 0x01
    assertion["response"]["signature"] = b64url(bytes(signature))

    with pytest.raises((UnauthorizedException, BadRequestException)) as raised:
        send_assertion(assertion)

    assert raised.value.status in (400, 401)
    assert_sdk_error(
        raised.value, raised.value.status, "AUTHENTICATION_FAILED", AUTHENTICATION_FAILED
    )
    assert user.api.passkey_list_user_passkeys_get()[0].counter == 0


def test_an_assertion_from_another_origin_raises_authentication_failed(
    user, authenticator, anonymous_api, rp_id
):
    register(user, authenticator)
    authenticator.origin = "https://evil.example"
    options = anonymous_api.passkey_generate_authenticate_options()
    assertion = authenticator.get(challenge=options.challenge, rp_id=rp_id)

    with pytest.raises((UnauthorizedException, BadRequestException)) as raised:
        send_assertion(assertion)

    assert_sdk_error(
        raised.value, raised.value.status, "AUTHENTICATION_FAILED", AUTHENTICATION_FAILED
    )


def test_a_sign_in_response_replayed_raises_challenge_not_found(
    user, authenticator, anonymous_api, rp_id
):
    register(user, authenticator)
    options = anonymous_api.passkey_generate_authenticate_options()
    assertion = authenticator.get(challenge=options.challenge, rp_id=rp_id)
    send_assertion(assertion)

    with pytest.raises(BadRequestException) as raised:
        send_assertion(assertion)

    assert_sdk_error(raised.value, 400, "CHALLENGE_NOT_FOUND", CHALLENGE_NOT_FOUND)


def test_a_registration_challenge_cannot_be_used_to_sign_in(user, authenticator, rp_id):
    register(user, authenticator)
    wrong_ceremony = registration_options(user)
    assertion = authenticator.get(challenge=wrong_ceremony.challenge, rp_id=rp_id)

    with pytest.raises(BadRequestException) as raised:
        send_assertion(assertion)

    assert_sdk_error(raised.value, 400, "CHALLENGE_NOT_FOUND", CHALLENGE_NOT_FOUND)


def test_a_sign_in_counter_that_goes_backwards_raises_authentication_failed(
    user, authenticator, anonymous_api, rp_id
):
    register(user, authenticator)
    first = anonymous_api.passkey_generate_authenticate_options()
    send_assertion(authenticator.get(challenge=first.challenge, rp_id=rp_id, counter_step=5))
    authenticator.credentials[-1].sign_count = 2  # a cloned authenticator
    second = anonymous_api.passkey_generate_authenticate_options()
    assertion = authenticator.get(challenge=second.challenge, rp_id=rp_id, counter_step=0)

    with pytest.raises((UnauthorizedException, BadRequestException)) as raised:
        send_assertion(assertion)

    assert_sdk_error(
        raised.value, raised.value.status, "AUTHENTICATION_FAILED", AUTHENTICATION_FAILED
    )
    assert user.api.passkey_list_user_passkeys_get()[0].counter == 5
