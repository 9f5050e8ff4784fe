"""Alembic environment: runs on the engine handed over by storage.migrate.

Foreign keys are off while the migrations run and checked once afterwards: SQLite rebuilds a table
(batch mode) by dropping it, and dropping a table other tables point at fails with the checks on
(the procedure SQLite documents for schema changes; the pragma only works outside a transaction).
"""

from alembic import context
from sqlmodel import SQLModel

import tieout.storage.models  # noqa: F401  (registers the tables on SQLModel.metadata)

config = context.config
target_metadata = SQLModel.metadata


def run_migrations_online() -> None:
    engine = config.attributes["engine"]
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        connection.commit()
        try:
            with connection.begin():
                context.configure(
                    connection=connection,
                    target_metadata=target_metadata,
                    render_as_batch=True,  # SQLite needs batch mode to alter tables
                )
                with context.begin_transaction():
                    context.run_migrations()
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise RuntimeError(f"migration left rows pointing nowhere: {broken[:5]}")
        finally:
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
            connection.commit()


run_migrations_online()
