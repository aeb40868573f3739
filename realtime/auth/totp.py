"""TOTP second factor (RFC 6238): enrolment URI and QR code, verification without replay."""

from __future__ import annotations

import io

import pyotp
import segno

ISSUER = "Madoguchi"


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, *, username: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=ISSUER)


def qr_svg(uri: str) -> str:
    """The enrolment QR code as inline SVG (no external request, no script)."""
    buffer = io.BytesIO()
    segno.make(uri, error="m").save(buffer, kind="svg", scale=4, xmldecl=False, svgns=True)
    return buffer.getvalue().decode("utf-8")


def verify(secret: str, code: str, *, last_step: int | None, at: float) -> int | None:
    """The accepted time step, or None. A step already used is refused (no replay)."""
    code = code.strip().replace(" ", "")
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    step = int(at // totp.interval)
    for candidate in (step - 1, step, step + 1):
        if last_step is not None and candidate <= last_step:
            continue
        if pyotp.utils.strings_equal(totp.at(candidate * totp.interval), code):
            return candidate
    return None
