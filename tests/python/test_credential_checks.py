"""Credential kinds and assertion shapes beyond the everyday ES256 passkey: an RS256 credential
works end to end, and an assertion with bytes after its authenticator data is refused (the
library would accept them; the service's own wire checks do not).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import cbor2
import pytest
from better_auth.exceptions import UnauthorizedException
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

from authenticator import Credential, SoftwareAuthenticator, b64url, b64url_decode
from conftest import ORIGIN
from test_passkey_sdk import (
    AUTHENTICATION_FAILED,
    assert_sdk_error,
    register,
    registration_options,
    send_assertion,
    send_registration,
)

COSE_ALG_RS256 = -257


@dataclass
class RsaSigner:
    """Stands where the authenticator expects an EC key: signs RS256 (PKCS#1 v1.5, SHA-256)."""

    key: rsa.RSAPrivateKey

    def sign(self, data: bytes, _algorithm) -> bytes:
        return self.key.sign(data, padding.PKCS1v15(), hashes.SHA256())

    def public_key(self) -> rsa.RSAPublicKey:
        return self.key.public_key()


class RsaCredential(Credential):
    @property
    def cose_public_key(self) -> bytes:
        numbers = self.private_key.public_key().public_numbers()
        return cbor2.dumps(
            {1: 3, 3: COSE_ALG_RS256, -1: numbers.n.to_bytes(256, "big"), -2: numbers.e.to_bytes(3, "big")}
        )


def test_an_rs256_credential_registers_and_signs_in(user, rp_id):
    authenticator = SoftwareAuthenticator(ORIGIN)
    options = registration_options(user)
    assert -257 in [p.alg for p in options.pub_key_cred_params]
    credential = RsaCredential(
        credential_id=b"rsa-credential-" + user.id.encode(),
        private_key=RsaSigner(rsa.generate_private_key(public_exponent=65537, key_size=2048)),
        rp_id=rp_id,
        user_handle=options.user.id,
    )
    authenticator.credentials.append(credential)

    passkey = send_registration(user, authenticator.attest(credential, challenge=options.challenge))
    assert b64url_decode(passkey.credential_id) == credential.credential_id

    options = user.api.passkey_generate_authenticate_options()
    answer = send_assertion(authenticator.get(challenge=options.challenge, rp_id=rp_id))
    assert answer.status_code == 200
    assert answer.data.user.id == user.id


def test_an_assertion_with_bytes_after_its_authenticator_data_is_refused(user, rp_id):
    authenticator = SoftwareAuthenticator(ORIGIN)
    register(user, authenticator)
    credential = authenticator.credentials[-1]
    options = user.api.passkey_generate_authenticate_options()
    assertion = authenticator.get(challenge=options.challenge, rp_id=rp_id)

    # Append one byte and sign again, so only the trailing byte is wrong.
    auth_data = b64url_decode(assertion["response"]["authenticatorData"]) + b"\x00"
    client_data = b64url_decode(assertion["response"]["clientDataJSON"])
    signature = credential.private_key.sign(
        auth_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256())
    )
    assertion["response"]["authenticatorData"] = b64url(auth_data)
    assertion["response"]["signature"] = b64url(signature)

    with pytest.raises(UnauthorizedException) as raised:
        send_assertion(assertion)
    assert_sdk_error(raised.value, 401, "AUTHENTICATION_FAILED", AUTHENTICATION_FAILED)
    [passkey] = user.api.passkey_list_user_passkeys_get()
    assert passkey.counter == 0
