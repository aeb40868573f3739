"""Every CRM route (JSON under /api/crm/): history, talk scripts, the work queue."""

from __future__ import annotations

from starlette.routing import BaseRoute

from crm import knowledge_api
from crm.interactions import api as interactions
from crm.scripts import api as scripts
from crm.workqueue import api as workqueue


def routes() -> list[BaseRoute]:
    """The CRM routes, each with the permission it needs."""
    return [
        *interactions.routes(),
        *scripts.routes(),
        *workqueue.routes(),
        *knowledge_api.routes(),
    ]
