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
import inbox.fax.models
import inbox.models
import inbox.reply.models
import inbox.scan.models
import inbox.sorting.models
import mediastore.qa.models
import mediastore.recordings.models
import mediastore.retention.models
import mediastore.transcripts.models
import realtime.audit.models
import realtime.auth.models
import realtime.hub.announcements
import realtime.monitoring.models
import switch.callpath.models
import wfm.shifts.models

MODULES = (
    cms.models,
    cms.reports.models,
    crm.departments.models,
    crm.faq.models,
    crm.interactions.models,
    crm.scripts.models,
    crm.workqueue.models,
    inbox.models,
    inbox.fax.models,
    inbox.reply.models,
    inbox.scan.models,
    inbox.sorting.models,
    mediastore.qa.models,
    mediastore.recordings.models,
    mediastore.retention.models,
    mediastore.transcripts.models,
    realtime.audit.models,
    realtime.auth.models,
    realtime.hub.announcements,
    realtime.monitoring.models,
    wfm.shifts.models,
    switch.callpath.models,
)
metadata = SQLModel.metadata
