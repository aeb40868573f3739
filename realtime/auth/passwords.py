"""Argon2id password hashing and the password policy."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from realtime.errors import ValidationFailed

_hasher = PasswordHasher()  # argon2-cffi's defaults are Argon2id (RFC 9106 low-memory profile)

MIN_LENGTH = 12
# A precomputed hash, verified against when the user does not exist, so timing does not tell.
_DUMMY_HASH = _hasher.hash("madoguchi-dummy-password")


def hash_password(password: str) -> str:
    """An Argon2id hash of the password."""
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """Whether the password matches; constant work even when there is no stored hash."""
    try:
        return _hasher.verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _hasher.check_needs_rehash(stored_hash)


def check_policy(password: str, *, username: str) -> None:
    """Refuse weak passwords with a field-level Japanese message."""
    problems: list[str] = []
    if len(password) < MIN_LENGTH:
        problems.append(f"{MIN_LENGTH}文字以上にしてください。")
    if username and username.lower() in password.lower():
        problems.append("ユーザーIDを含めないでください。")
    kinds = sum(
        [
            any(c.islower() for c in password),
            any(c.isupper() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        ]
    )
    if kinds < 2:
        problems.append("英字・数字・記号のうち2種類以上を組み合わせてください。")
    if problems:
        raise ValidationFailed(fields={"new_password": " ".join(problems)})
