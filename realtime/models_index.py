"""Import every table module so SQLModel.metadata knows the whole schema (for Alembic)."""

from __future__ import annotations

from sqlmodel import SQLModel

import cms.models
import cms.reports.models
import crm.departments.models
import crm.faq.models
import crm.interactions.models
import crm.scripts.models
import crm.workqueue.models
import inbox.models
import realtime.audit.models
import realtime.auth.models
import realtime.hub.announcements
import switch.callpath.models

MODULES = (
    cms.models,
    cms.reports.models,
    crm.departments.models,
    crm.faq.models,
    crm.interactions.models,
    crm.scripts.models,
    crm.workqueue.models,
    inbox.models,
    realtime.audit.models,
    realtime.auth.models,
    realtime.hub.announcements,
    switch.callpath.models,
)
metadata = SQLModel.metadata
