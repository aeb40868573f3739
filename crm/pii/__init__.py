"""Personal-data guard for interaction history (N-PRIV-1)."""

from crm.pii.detector import contains_personal_data, scan
from crm.pii.models import Finding, PiiType

__all__ = ["Finding", "PiiType", "contains_personal_data", "scan"]
