"""Where the daily report is mailed: SMTP server, sender and the city's recipients.

Read from the environment like realtime.settings (prefix ``MADOGUCHI_``): MADOGUCHI_SMTP_HOST,
MADOGUCHI_SMTP_PORT, MADOGUCHI_SMTP_STARTTLS, MADOGUCHI_SMTP_TLS, MADOGUCHI_SMTP_USER,
MADOGUCHI_SMTP_PASSWORD, MADOGUCHI_REPORT_FROM, MADOGUCHI_REPORT_RECIPIENTS (comma-separated).
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from cms.reports.errors import MailNotConfigured


class ReportMailSettings(BaseSettings):
    """SMTP and recipients of the daily report."""

    model_config = SettingsConfigDict(env_prefix="MADOGUCHI_", env_file=None, extra="ignore")

    smtp_host: str | None = None
    smtp_port: int = Field(default=25, ge=1, le=65535)
    smtp_starttls: bool = False
    smtp_tls: bool = False
    smtp_user: str | None = None
    smtp_password: SecretStr | None = None
    smtp_ca_file: Path | None = None
    """PEM CA certificates trusted for the relay's TLS besides the system's (never unverified)."""
    report_from: str | None = None
    report_recipients: str = ""
    retry_delays: tuple[float, ...] = (30.0, 120.0, 600.0)
    """Seconds to wait before each retry after a temporary (4xx) failure."""
    timeout: float = Field(default=60.0, gt=0)

    def recipients(self) -> list[str]:
        """The recipients as a list."""
        return [r.strip() for r in self.report_recipients.split(",") if r.strip()]

    def check(self) -> None:
        """Raise MailNotConfigured when something needed to send is missing."""
        missing = [
            name
            for name, ok in (
                ("MADOGUCHI_SMTP_HOST", bool(self.smtp_host)),
                ("MADOGUCHI_REPORT_FROM", bool(self.report_from)),
                ("MADOGUCHI_REPORT_RECIPIENTS", bool(self.recipients())),
            )
            if not ok
        ]
        if missing:
            raise MailNotConfigured(missing=missing)
