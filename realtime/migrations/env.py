"""Alembic environment: the URL comes from the caller (``madoguchi migrate``), never a file."""

from __future__ import annotations

from alembic import context

from realtime.db import create_db_engine
from realtime.models_index import metadata

config = context.config
url = config.get_main_option("sqlalchemy.url")
assert url, "madoguchi migrate passes the database URL"

engine = create_db_engine(url)
with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
engine.dispose()
