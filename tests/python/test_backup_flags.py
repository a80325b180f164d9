"""Backup flags across sign-ins: eligibility may be gained (synced passkeys sometimes start
reporting it late), never lost, and the backup state follows the latest assertion.
"""

from __future__ import annotations

import pytest
from better_auth.exceptions import UnauthorizedException

from authenticator import SoftwareAuthenticator
from conftest import ORIGIN
from test_passkey_sdk import AUTHENTICATION_FAILED, assert_sdk_error, register, send_assertion


def sign_in(user, authenticator, rp_id):
    options = user.api.passkey_generate_authenticate_options()
    return send_assertion(authenticator.get(challenge=options.challenge, rp_id=rp_id))


def only_passkey(user):
    [passkey] = user.api.passkey_list_user_passkeys_get()
    return passkey


def test_backup_eligibility_gained_at_sign_in_makes_the_passkey_multi_device(user, rp_id):
    authenticator = SoftwareAuthenticator(ORIGIN, backup_eligible=False, backed_up=False)
    assert register(user, authenticator).device_type == "singleDevice"

    authenticator.backup_eligible = True
    assert sign_in(user, authenticator, rp_id).status_code == 200

    passkey = only_passkey(user)
    assert passkey.device_type == "multiDevice"
    assert passkey.backed_up is False
    assert passkey.counter == 1

    authenticator.backed_up = True
    assert sign_in(user, authenticator, rp_id).status_code == 200
    assert only_passkey(user).backed_up is True


def test_backup_eligibility_lost_at_sign_in_is_refused_and_changes_nothing(user, rp_id):
    authenticator = SoftwareAuthenticator(ORIGIN, backup_eligible=True, backed_up=False)
    register(user, authenticator)

    authenticator.backup_eligible = False
    with pytest.raises(UnauthorizedException) as raised:
        sign_in(user, authenticator, rp_id)

    assert_sdk_error(raised.value, 401, "AUTHENTICATION_FAILED", AUTHENTICATION_FAILED)
    passkey = only_passkey(user)
    assert passkey.device_type == "multiDevice"
    assert passkey.counter == 0
