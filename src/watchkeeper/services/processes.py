"""The register of running processes: each says what role it plays and when it was last seen alive."""

import os
import socket
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, insert, select, update

from watchkeeper import __version__
from watchkeeper.store import Database
from watchkeeper.store import tables as t


@dataclass(frozen=True)
class ProcessInfo:
    id: str
    role: str
    started_at: datetime
    seen_at: datetime


def process_id(started_at: datetime) -> str:
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{int(started_at.timestamp())}"


def announce(db: Database, pid: str, role: str, now: datetime) -> None:
    with db.transaction() as connection:
        connection.execute(delete(t.processes).where(t.processes.c.id == pid))
        connection.execute(
            insert(t.processes).values(id=pid, role=role, version=__version__, started_at=now, seen_at=now)
        )


def beat(db: Database, pid: str, now: datetime) -> None:
    with db.transaction() as connection:
        connection.execute(update(t.processes).where(t.processes.c.id == pid).values(seen_at=now))


def retire(db: Database, pid: str) -> None:
    with db.transaction() as connection:
        connection.execute(delete(t.processes).where(t.processes.c.id == pid))


def running(db: Database) -> list[ProcessInfo]:
    with db.reading() as connection:
        rows = connection.execute(select(t.processes).order_by(t.processes.c.started_at)).mappings()
        return [ProcessInfo(r["id"], r["role"], r["started_at"], r["seen_at"]) for r in rows]
