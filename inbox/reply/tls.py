"""TLS towards the SMTP relay: always verified, optionally trusting a city's own CA.

``MADOGUCHI_SMTP_CA_FILE`` names a PEM file of CA certificates trusted in addition to the
system's (a relay inside the city network often has a certificate from the city's own CA).
Verification (chain and host name) is never turned off.
"""

from __future__ import annotations

import ssl
from pathlib import Path

UNTRUSTED_PREFIX = "tls-certificate-untrusted"


def smtp_tls_context(*, ca_file: Path | None) -> ssl.SSLContext:
    """A certificate-checking client context; ``ca_file`` adds trusted CAs (PEM)."""
    context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH)
    if ca_file is not None:
        context.load_verify_locations(cafile=str(ca_file))
    return context


def certificate_problem(exc: BaseException) -> str | None:
    """The verification failure inside ``exc`` (or its causes), if that is what it was."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, ssl.SSLCertVerificationError):
            return current.verify_message or str(current)
        current = current.__cause__ or current.__context__
    text = str(exc)
    return text if "CERTIFICATE_VERIFY_FAILED" in text else None


def describe_send_error(exc: BaseException) -> str:
    """``Type: text``; a certificate the client does not trust is named as such, with the fix."""
    problem = certificate_problem(exc)
    if problem is not None:
        return (
            f"{UNTRUSTED_PREFIX}: the relay's TLS certificate is not trusted ({problem}); "
            "install its CA in MADOGUCHI_SMTP_CA_FILE. "
            f"{type(exc).__name__}: {exc}"
        )
    return f"{type(exc).__name__}: {exc}"
