"""Settings of sorting, replies, faxes, the 24-hour clock and scanning (``MADOGUCHI_INBOX_*``).

Read from the environment like ``realtime.settings``; the SMTP relay is the one the daily report
uses (``MADOGUCHI_SMTP_HOST`` …), so a city configures one relay.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class InboxSettings(BaseSettings):
    """Everything inbox2 needs beyond ``realtime.settings.Settings``."""

    model_config = SettingsConfigDict(env_prefix="MADOGUCHI_", env_file=None, extra="ignore")

    smtp_host: str | None = None
    smtp_port: int = Field(default=25, ge=1, le=65535)
    smtp_starttls: bool = False
    smtp_tls: bool = False
    smtp_user: str | None = None
    smtp_password: SecretStr | None = None
    smtp_timeout: float = Field(default=60.0, gt=0)
    smtp_ca_file: Path | None = None
    """PEM CA certificates trusted for the relay's TLS besides the system's (never unverified)."""
    inbox_reply_from: str = ""
    """From: of replies, e.g. ``"豊島区 総合窓口 <soudan@city.example.lg.jp>"``."""
    inbox_mail_domain: str = "madoguchi.invalid"
    """The right-hand side of the Message-IDs the center makes."""
    inbox_retry_delays: tuple[float, ...] = (60.0, 300.0, 1800.0, 7200.0)
    """Seconds before each retry of a failed send; after the last, the mail is ``failed``."""
    inbox_ack_enabled: bool = False
    inbox_ack_template: str = "受付確認"
    inbox_default_skill: str = ""
    """Skill of items no rule matches (empty: the general queue every agent may take)."""
    inbox_department_addresses: dict[str, str] = Field(default_factory=dict)
    """dept_id → mail address used when an item is forwarded (転送) to that department."""
    inbox_fax_mail_senders: list[str] = Field(default_factory=list)
    """Addresses or domains of fax-to-mail services: their mail becomes faxes."""
    inbox_fax_mailboxes: list[str] = Field(default_factory=list)
    """IMAP mailbox names whose every message is a fax-to-mail delivery."""
    inbox_fax_gateway: str = ""
    """Endpoint prefix for sending faxes, e.g. ``sofia/gateway/ntt/`` (the number is appended)."""
    inbox_fax_ident: str = ""
    inbox_fax_header: str = ""
    inbox_fax_out_dir: Path | None = None
    """Where TIFFs to send are written (FreeSWITCH must read them); default DATA_DIR/fax-out."""
    inbox_ocr: bool = True
    """Run tesseract (jpn) on fax pages when it is installed."""
    inbox_near_due_minutes: int = Field(default=120, ge=1, le=24 * 60)
    inbox_clock_seconds: float = Field(default=30.0, gt=0, le=3600)
    inbox_worker: bool | None = None
    """Run the inbox worker (clock push, catch-up, delivery, fax reception); None: automatic."""
    inbox_clamd: str = ""
    """``unix:/run/clamav/clamd.ctl`` or ``tcp:127.0.0.1:3310``; empty: policy checks only."""
    inbox_scan_max_bytes: int = Field(default=20 * 1024 * 1024, ge=1024)
