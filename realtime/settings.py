"""One typed settings object, built from the environment when the app is created."""

from __future__ import annotations

import secrets
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from realtime.errors import ConfigurationError

_DEV_SECRET_PREFIX = "dev-insecure-"  # noqa: S105  (a marker, not a secret)


class Mode(StrEnum):
    """How the server runs: development (embedded defaults) or production (real secrets)."""

    DEVELOPMENT = "development"
    PRODUCTION = "production"


class ImapMailbox(BaseModel):
    """One mailbox the IMAP intake reads (the city's public address, a liaison address...)."""

    model_config = ConfigDict(frozen=True)

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,23}$", description="Short id: public")
    host: str = "127.0.0.1"
    port: int = Field(default=993, ge=1, le=65535)
    tls: bool = True
    username: str
    password: SecretStr
    folder: str = "INBOX"
    address: str = Field(default="", description="The address mail is sent to (loop checks)")
    move_to: str | None = Field(default=None, description="Folder to move taken mail to")
    use_idle: bool = True
    poll_seconds: float = Field(default=60.0, gt=0, le=3600)
    idle_seconds: float = Field(default=29 * 60.0, gt=0, le=29 * 60.0)
    timeout_seconds: float = Field(default=60.0, gt=0, le=600)


class Settings(BaseSettings):
    """Every setting the server reads. Build it with :func:`load_settings`, then pass it down."""

    model_config = SettingsConfigDict(
        env_prefix="MADOGUCHI_",
        env_file=None,
        extra="ignore",
        populate_by_name=True,
    )

    mode: Mode = Mode.DEVELOPMENT
    data_dir: Path = Field(default=Path("data"))
    database_url: str | None = Field(default=None, validation_alias="DATABASE_URL")
    redis_url: str | None = Field(default=None, validation_alias="REDIS_URL")
    secret_key: SecretStr = Field(default_factory=lambda: SecretStr(""))
    public_url: str = "http://127.0.0.1:8000"
    host: str = "127.0.0.1"
    port: int = 8000
    cookie_secure: bool | None = None
    session_idle_minutes: int = Field(default=60, ge=5, le=24 * 60)
    session_absolute_hours: int = Field(default=12, ge=1, le=72)
    max_body_bytes: int = Field(default=1_048_576, ge=1024)
    socket_sweep_seconds: float = Field(default=10.0, gt=0, le=300)
    login_max_failures: int = Field(default=5, ge=1)
    login_lockout_minutes: int = Field(default=15, ge=1)
    metrics_token: SecretStr | None = None
    esl_host: str = "127.0.0.1"
    esl_port: int = Field(default=8021, ge=1, le=65535)
    esl_password: SecretStr | None = None
    outbound_socket: str = Field(
        default="127.0.0.1:8084", description="host:port where FreeSWITCH's socket app connects"
    )
    switch_mode: Literal["off", "freeswitch", "standin"] = Field(
        default="off", description="off, a real FreeSWITCH, or the in-process stand-in (demo)"
    )
    media_master_key: SecretStr | None = None
    media_master_keys: SecretStr | None = None  # "id1:base64,id2:base64", the first active
    imap_mailboxes: list[ImapMailbox] = Field(default_factory=list)  # JSON list in the env
    imap_backoff_max_seconds: float = Field(default=300.0, gt=0, le=3600)
    imap_alert_interval_minutes: float = Field(default=15.0, gt=0)
    inbox_reply_hours: float = Field(default=24.0, gt=0, le=24 * 14)
    # Backups (docs/backup.md): off until a target and a key are set.
    backup_target: Path | None = None  # an existing folder on another disk / share
    backup_key: SecretStr | None = None  # base64 of 32 random bytes
    backup_generations: int = Field(default=7, ge=1, le=1000)
    backup_interval_minutes: int = Field(default=24 * 60, ge=1)
    backup_ship_seconds: int = Field(default=60, ge=5)
    backup_journal_dir: Path | None = None  # default DATA_DIR/backup-journal
    backup_wal_archive_dir: Path | None = None  # PostgreSQL archive_command spool folder
    backup_step_pages: int = Field(default=1000, ge=1)
    backup_step_pause_ms: int = Field(default=5, ge=0, le=10_000)
    backup_pg_bin: Path | None = None  # folder holding pg_basebackup (found on PATH otherwise)
    # Agent desk softphone (docs/screens.md): where browser phones register (JsSIP over WSS).
    sip_wss_url: str = ""  # e.g. wss://pbx.example.jp:7443; empty: the phone shows 未接続
    sip_domain: str = "madoguchi.local"
    agent_sip_password: SecretStr | None = None  # the same MADOGUCHI_AGENT_SIP_PASSWORD as vars.xml
    sip_extensions: str = ""  # "op1=1001,op2=1002": each agent's SIP user id
    # Recordings, retention and transcription (mediastore; docs/mediastore.md).
    recording_retention_days: int = Field(default=365, ge=1, le=36500)  # when no policy matches
    recording_retention_interval_hours: float = Field(default=24.0, gt=0, le=24 * 7)
    inbox_retention_days: int = Field(default=365, ge=1, le=36500)  # mail/fax after closing
    transcribe_model_path: Path | None = None  # a whisper checkpoint (.pt); unset: no transcripts
    transcribe_language: str = Field(default="ja", min_length=2, max_length=8)
    transcribe_poll_seconds: float = Field(default=5.0, gt=0, le=600)
    # call path (switch/callpath): ring time of an offer, the dial string of the emergency
    # overflow site ({number} is replaced), the stand-in's time scale (tests run it faster)
    callpath_ring_timeout_s: float = Field(default=20.0, gt=0, le=600)
    callpath_overflow_dial: str = "sofia/gateway/overflow/{number}"
    switch_standin_scale: float = Field(default=1.0, gt=0, le=1.0)
    demo_traffic_per_hour: float = Field(default=0.0, ge=0, le=3600)  # standin mode only
    # transfers (switch/callpath/transfer.py): how a department's extension is dialled
    callpath_department_dial: str = "sofia/gateway/cityhall/{number}"
    callpath_department_ring_s: int = Field(default=30, ge=5, le=120)
    # proofs (wfm adherence live, daily report drafted after close; docs/wfm.md, docs/reports.md)
    wfm_adherence_push_seconds: float = Field(default=2.0, ge=0, le=600)  # 0: no live push
    daily_report_close_time: str = Field(default="19:00", pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    daily_report_auto_draft: bool = True  # draft the day's report after close (JST)
    daily_report_check_seconds: float = Field(default=60.0, gt=0, le=3600)
    # call-backs, survey, fax line (switch/callpath callback.py, survey.py, fax.py): the dial
    # string of a call-back ({number} is replaced), when a requested call-back is due, the
    # survey's tries, the folder rxfax writes received faxes to (FreeSWITCH's madoguchi_fax_dir)
    callpath_callback_dial: str = "sofia/gateway/overflow/{number}"
    callpath_callback_due_minutes: int = Field(default=240, ge=1, le=7 * 24 * 60)
    callpath_survey_tries: int = Field(default=3, ge=1, le=9)
    callpath_fax_dir: Path | None = None  # unset: DATA_DIR/fax-in
    # scale-out (switch/scaleout): how often a follower tries the PostgreSQL advisory lock and
    # the leader checks its lock connection; how long a forwarded desk command waits for the
    # leader's answer before 503 switch-leader-unavailable
    leader_poll_seconds: float = Field(default=0.5, gt=0, le=60)
    leader_forward_timeout_seconds: float = Field(default=5.0, gt=0, le=60)
    # fault handling (N-REL-1, realtime/monitoring/incidents.py): an ESL connection with no
    # bytes for this long is replaced (FreeSWITCH sends HEARTBEAT every 20 s); socket connects
    # within 10 s above this count are a reconnect storm (alerted)
    esl_silence_timeout_s: float = Field(default=60.0, gt=0, le=600)
    reconnect_storm_connects: int = Field(default=40, ge=2)

    @model_validator(mode="before")
    @classmethod
    def _blank_is_unset(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if v not in ("", None)}
        return data

    @property
    def is_production(self) -> bool:
        return self.mode is Mode.PRODUCTION

    @property
    def effective_database_url(self) -> str:
        """DATABASE_URL, or SQLite in the data folder."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'madoguchi.sqlite3').resolve()}"

    @property
    def effective_cookie_secure(self) -> bool:
        if self.cookie_secure is not None:
            return self.cookie_secure
        return self.is_production or self.public_url.startswith("https://")

    def missing_production_secrets(self) -> list[str]:
        """Names of the environment variables production needs and does not have."""
        missing: list[str] = []
        key = self.secret_key.get_secret_value()
        if len(key) < 32 or key.startswith(_DEV_SECRET_PREFIX):
            missing.append("MADOGUCHI_SECRET_KEY (32+ random characters)")
        if not self.database_url:
            missing.append("DATABASE_URL")
        if self.esl_password is None or self.esl_password.get_secret_value() == "ClueCon":
            missing.append("MADOGUCHI_ESL_PASSWORD (not FreeSWITCH's default)")
        if self.media_master_key is None and self.media_master_keys is None:
            missing.append("MADOGUCHI_MEDIA_MASTER_KEY (or MADOGUCHI_MEDIA_MASTER_KEYS)")
        if not self.public_url.startswith("https://"):
            missing.append("MADOGUCHI_PUBLIC_URL (https://...)")
        if self.switch_mode == "standin":
            missing.append("MADOGUCHI_SWITCH_MODE must be freeswitch or off (not standin)")
        if self.cookie_secure is False:
            missing.append("MADOGUCHI_COOKIE_SECURE must not be false")
        return missing


def load_settings(env_file: Path | None = None, **overrides: Any) -> Settings:
    """Read the environment (and an optional .env file) into a checked :class:`Settings`."""
    kwargs: dict[str, Any] = dict(overrides)
    if env_file is not None and env_file.exists():
        kwargs["_env_file"] = env_file
    settings = Settings(**kwargs)
    if settings.is_production:
        missing = settings.missing_production_secrets()
        if missing:
            raise ConfigurationError(missing=missing)
    elif not settings.secret_key.get_secret_value():
        settings.secret_key = SecretStr(_development_secret(settings.data_dir))
    return settings


def _development_secret(data_dir: Path) -> str:
    """A per-installation secret kept in the data folder, so dev sessions survive restarts."""
    path = data_dir / ".dev-secret-key"
    if path.exists():
        return path.read_text(encoding="ascii").strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    value = _DEV_SECRET_PREFIX + secrets.token_urlsafe(32)
    path.write_text(value, encoding="ascii")
    path.chmod(0o600)
    return value
