"""What the web app is given by the wiring function: no handler reaches for a global."""

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from prometheus_client import CollectorRegistry

from watchkeeper.services.audit import Actor
from watchkeeper.services.catalog import LoadResult, Trigger
from watchkeeper.services.clock import Clock
from watchkeeper.settings import Settings
from watchkeeper.store import Database


@dataclass
class AppContext:
    settings: Settings
    db: Database
    clock: Clock
    registry: CollectorRegistry
    catalog_path: Path | None = None
    reload_catalog: Callable[[Trigger, Actor], LoadResult] | None = None
    ready: threading.Event = field(default_factory=threading.Event)
