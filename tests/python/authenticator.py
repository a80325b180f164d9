"""A software WebAuthn authenticator for the Python SDK test.

It plays the part of a platform authenticator plus the browser around it: it makes ES256 key
pairs, answers a registration with attestation `none`, keeps its credentials discoverable (so a
sign-in without `allowCredentials` finds them), and signs assertions. Its output is the JSON a
browser hands to the page (RegistrationResponseJSON and AuthenticationResponseJSON), with every
binary field base64url-encoded without padding.

Nothing here checks the server's options beyond what an authenticator would: it trusts the RP ID
it is given and only refuses to sign for a credential it does not hold.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import struct
import uuid
from dataclasses import dataclass

import cbor2
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

# Authenticator data flags (WebAuthn Level 3, section 6.1 "Authenticator Data").
FLAG_UP = 0x01  # user present
FLAG_UV = 0x04  # user verified
FLAG_BE = 0x08  # backup eligible
FLAG_BS = 0x10  # backup state
FLAG_AT = 0x40  # attested credential data included

COSE_ALG_ES256 = -7
TRANSPORTS = ["internal", "hybrid"]


def b64url(data: bytes) -> str:
    """Base64url without padding, the encoding of every binary field in the JSON forms."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Inverse of `b64url`, tolerant of missing padding."""
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def cose_es256_public_key(public_key: ec.EllipticCurvePublicKey) -> bytes:
    """The COSE_Key (RFC 9053, EC2 key on P-256) of an ES256 public key, in CTAP2 key order."""
    numbers = public_key.public_numbers()
    return cbor2.dumps(
        {
            1: 2,  # kty: EC2
            3: COSE_ALG_ES256,  # alg
            -1: 1,  # crv: P-256
            -2: numbers.x.to_bytes(32, "big"),
            -3: numbers.y.to_bytes(32, "big"),
        }
    )


@dataclass
class Credential:
    """One discoverable credential held by the authenticator."""

    credential_id: bytes
    private_key: ec.EllipticCurvePrivateKey
    rp_id: str
    user_handle: str  # base64url, exactly as the registration options' `user.id`
    sign_count: int = 0

    @property
    def id(self) -> str:
        """The credential id in base64url, as the server reports it in `credentialID`."""
        return b64url(self.credential_id)

    @property
    def cose_public_key(self) -> bytes:
        return cose_es256_public_key(self.private_key.public_key())


class SoftwareAuthenticator:
    """A passkey provider with ES256 keys, usable from several test users at once.

    `backup_eligible` and `backed_up` set the BE and BS flags, which the server turns into the
    passkey's `deviceType` and `backedUp`.
    """

    def __init__(
        self,
        origin: str,
        *,
        backup_eligible: bool = True,
        backed_up: bool = True,
        aaguid: uuid.UUID | None = None,
    ) -> None:
        self.origin = origin
        self.backup_eligible = backup_eligible
        self.backed_up = backed_up
        self.aaguid = aaguid or uuid.uuid4()
        self.credentials: list[Credential] = []

    # Registration

    def create(self, *, challenge: str, rp_id: str, user_handle: str) -> dict:
        """Makes a new credential and returns its RegistrationResponseJSON.

        The credential is kept (discoverable) so later calls to `get` can use it.
        """
        credential = Credential(
            credential_id=os.urandom(16),
            private_key=ec.generate_private_key(ec.SECP256R1()),
            rp_id=rp_id,
            user_handle=user_handle,
        )
        self.credentials.append(credential)
        return self.attest(credential, challenge=challenge)

    def attest(self, credential: Credential, *, challenge: str) -> dict:
        """The RegistrationResponseJSON of `credential` for `challenge` (attestation `none`)."""
        attested = (
            self.aaguid.bytes
            + struct.pack(">H", len(credential.credential_id))
            + credential.credential_id
            + credential.cose_public_key
        )
        auth_data = self._auth_data(credential, FLAG_UP | FLAG_UV | FLAG_AT) + attested
        attestation_object = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth_data})
        client_data = self._client_data("webauthn.create", challenge)
        spki = credential.private_key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        response = {
            "attestationObject": b64url(attestation_object),
            "transports": list(TRANSPORTS),
            "authenticatorData": b64url(auth_data),
            "publicKeyAlgorithm": COSE_ALG_ES256,
            "publicKey": b64url(spki),
        }
        return self._credential_json(credential, client_data, response, {"credProps": {"rk": True}})

    # Authentication

    def get(
        self,
        *,
        challenge: str,
        rp_id: str,
        allow_credentials: list[str] | None = None,
        counter_step: int = 1,
    ) -> dict:
        """Signs `challenge` with a matching credential; returns AuthenticationResponseJSON.

        Without `allow_credentials` the newest discoverable credential for `rp_id` answers, as a
        passkey picker with one choice would. `counter_step` is added to the signature counter
        before signing (0 replays the old value).
        """
        candidates = [
            c
            for c in self.credentials
            if c.rp_id == rp_id and (allow_credentials is None or c.id in allow_credentials)
        ]
        if not candidates:
            raise LookupError(f"no credential for RP {rp_id!r} in {allow_credentials!r}")
        credential = candidates[-1]
        credential.sign_count += counter_step
        return self.assert_with(credential, challenge=challenge)

    def assert_with(self, credential: Credential, *, challenge: str) -> dict:
        """An assertion by `credential` for `challenge` at its current signature counter."""
        auth_data = self._auth_data(credential, FLAG_UP | FLAG_UV)
        client_data = self._client_data("webauthn.get", challenge)
        signature = credential.private_key.sign(
            auth_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256())
        )
        response = {
            "authenticatorData": b64url(auth_data),
            "signature": b64url(signature),
            "userHandle": credential.user_handle,
        }
        return self._credential_json(credential, client_data, response, {})

    # Pieces

    def _auth_data(self, credential: Credential, flags: int) -> bytes:
        """rpIdHash, flags (plus the authenticator's backup flags) and signature counter."""
        return (
            self._rp_id_hash(credential.rp_id)
            + bytes([self._flags(flags)])
            + struct.pack(">I", credential.sign_count)
        )

    @staticmethod
    def _credential_json(
        credential: Credential, client_data: bytes, response: dict, extensions: dict
    ) -> dict:
        """The PublicKeyCredential JSON a browser hands the page around `response`."""
        return {
            "id": credential.id,
            "rawId": credential.id,
            "type": "public-key",
            "response": {"clientDataJSON": b64url(client_data), **response},
            "clientExtensionResults": extensions,
            "authenticatorAttachment": "platform",
        }

    def _flags(self, base: int) -> int:
        flags = base
        if self.backup_eligible:
            flags |= FLAG_BE
        if self.backed_up:
            flags |= FLAG_BS
        return flags

    def _client_data(self, ceremony: str, challenge: str) -> bytes:
        # Compact separators, as browsers serialize CollectedClientData.
        return json.dumps(
            {"type": ceremony, "challenge": challenge, "origin": self.origin, "crossOrigin": False},
            separators=(",", ":"),
        ).encode("utf-8")

    @staticmethod
    def _rp_id_hash(rp_id: str) -> bytes:
        return hashlib.sha256(rp_id.encode("utf-8")).digest()
