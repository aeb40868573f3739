"""Thresholds and intervals of the monitor, read from the environment (MADOGUCHI_MONITOR_*).

The SMTP server and sender are the daily report's (cms.reports.mailconfig); the alert
recipients are their own list, MADOGUCHI_MONITOR_ALERT_RECIPIENTS (comma-separated).
"""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class MonitorSettings(BaseSettings):
    """Every threshold a rule uses; defaults are documented in docs/monitoring.md."""

    model_config = SettingsConfigDict(
        env_prefix="MADOGUCHI_MONITOR_", env_file=None, extra="ignore"
    )

    enabled: bool = True
    interval_seconds: float = Field(default=15.0, gt=0, le=3600)
    """How often the rules run."""
    kpi_push_seconds: float = Field(default=3.0, gt=0, le=600)
    """How often live KPIs are recomputed (pushed only when changed)."""
    down_after_runs: int = Field(default=3, ge=1, le=100)
    """A readiness check failing this many consecutive runs raises subsystem_down."""
    service_level_target: float = Field(default=80.0, ge=0, le=100)
    """S-P1 share (percent answered within 15 s) under which the half hour is falling."""
    service_level_min_calls: int = Field(default=5, ge=1)
    """Calls of the half hour needed before its service level is judged."""
    disk_min_free_percent: float = Field(default=10.0, ge=0, le=100)
    disk_min_free_bytes: int = Field(default=2 * 1024**3, ge=0)
    """A folder's disk below either threshold raises disk_space (critical below half)."""
    signin_window_minutes: float = Field(default=10.0, gt=0, le=24 * 60)
    signin_max_per_user: int = Field(default=5, ge=1)
    signin_max_overall: int = Field(default=20, ge=1)
    queue_wait_seconds: float = Field(default=120.0, gt=0)
    """A queue whose longest wait is over this raises queue_wait."""
    items_near_hours: float = Field(default=20.0, gt=0, le=24)
    """Unreplied mail or fax this old is near the 24 h limit (items_due warning)."""
    item_window_days: int = Field(default=7, ge=1, le=60)
    """How far back live KPIs look for unreplied mail and fax."""
    alert_recipients: str = ""
    mail_retry_seconds: tuple[float, ...] = (30.0, 120.0, 600.0)

    def recipients(self) -> list[str]:
        """The alert recipients as a list."""
        return [r.strip() for r in self.alert_recipients.split(",") if r.strip()]
