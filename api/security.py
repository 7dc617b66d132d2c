"""Secrets handling: random tokens, agent passwords, and keyed hashes of client addresses.

Tokens (shopper conversations, agent sessions) are random and stored only as a SHA-256
hash.  Agent passwords use scrypt with a per-password salt; checking a username that does
not exist costs the same scrypt, so response time does not tell which usernames exist.
Every comparison of something a client sent is made on bytes: `hmac.compare_digest` raises
on a `str` with non-ASCII characters, which would turn a forged token into a 500.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

_SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}


def new_token() -> str:
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def same_text(a: str, b: str) -> bool:
    """Constant-time equality of two strings, whatever characters they hold."""
    return hmac.compare_digest(a.encode(), b.encode())


def token_matches(token: str, token_hash: str) -> bool:
    return same_text(hash_token(token), token_hash)


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, **_SCRYPT)  # type: ignore[arg-type]
    return f"scrypt${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, salt_hex, digest_hex = stored.split("$")
        salt = bytes.fromhex(salt_hex)
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    digest = hashlib.scrypt(password.encode(), salt=salt, **_SCRYPT)  # type: ignore[arg-type]
    return same_text(digest.hex(), digest_hex)


_UNKNOWN_USER_HASH = hash_password(secrets.token_urlsafe(16))


def verify_password_or_spend(password: str, stored: str | None) -> bool:
    """`verify_password`, or for an unknown account the same scrypt work and False, so a
    failed sign-in takes as long whether or not the username exists."""
    if stored is None:
        verify_password(password, _UNKNOWN_USER_HASH)
        return False
    return verify_password(password, stored)


def client_key(secret: str, address: str) -> str:
    """An opaque key for a client address, for failure counters: the same address gives the
    same key, and the database holding the counters holds no IP address."""
    return hmac.new(secret.encode(), f"client:{address}".encode(),
                    hashlib.sha256).hexdigest()[:32]
