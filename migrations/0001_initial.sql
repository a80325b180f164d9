-- Users, their passkeys, and the guard that makes every challenge single-use.

-- A user is created or refreshed from a verified bearer token's claims.
CREATE TABLE users (
    id          TEXT PRIMARY KEY,          -- the token's `sub`
    email       TEXT,
    name        TEXT,
    user_handle TEXT NOT NULL UNIQUE,      -- random WebAuthn user.id (base64url), never the id
    created_at  TEXT NOT NULL,             -- ISO-8601 UTC with milliseconds
    updated_at  TEXT NOT NULL
);

CREATE TABLE passkeys (
    id              TEXT PRIMARY KEY,
    user_id         TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    credential_id   TEXT NOT NULL UNIQUE,  -- base64url, as the browser reports it
    public_key      BLOB NOT NULL,         -- COSE_Key bytes as the authenticator sent them
    counter         INTEGER NOT NULL,
    backup_eligible INTEGER NOT NULL,      -- 0/1; may go from 0 to 1, never back
    backed_up       INTEGER NOT NULL,      -- 0/1
    user_verified   INTEGER NOT NULL,      -- 0/1, at registration
    transports      TEXT NOT NULL,         -- comma-joined
    aaguid          TEXT NOT NULL,
    name            TEXT,
    created_at      TEXT NOT NULL,
    last_used_at    TEXT
);

-- list-user-passkeys, excludeCredentials, allowCredentials and ownership checks.
CREATE INDEX passkeys_by_user ON passkeys(user_id);

-- KV holds ceremony state but cannot delete atomically; the primary key here lets exactly one
-- verification of a challenge win. Rows are pruned once the challenge would have expired anyway.
CREATE TABLE consumed_challenges (
    challenge     TEXT PRIMARY KEY,
    consumed_by   TEXT NOT NULL,           -- random id of the winning request
    expires_at_ms INTEGER NOT NULL
);

CREATE INDEX consumed_challenges_by_expiry ON consumed_challenges(expires_at_ms);
