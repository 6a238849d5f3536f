"""Structured logs: one JSON object a line on stderr (or readable lines for the demo), stdlib included.

A redaction step masks the values of fields whose names suggest a secret, and any value registered as a
secret, so that a mistake elsewhere does not put a token in the logs.
"""

import logging
import re
import sys
from collections.abc import MutableMapping
from typing import Any

import structlog

_SECRET_FIELD = re.compile(r"(secret|token|password|passwd|api_key|apikey|authorization|routing_key|dsn)", re.I)
REDACTED = "[redacted]"


class Redactor:
    """Masks secret values in log events: by field name, and by value for secrets registered at run time."""

    def __init__(self) -> None:
        self._values: set[str] = set()

    def register(self, value: str) -> None:
        if len(value) >= 4:  # shorter values would mask ordinary words
            self._values.add(value)

    def __call__(self, _logger: Any, _method: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
        for key, value in list(event.items()):
            if _SECRET_FIELD.search(key) and value is not None:
                event[key] = REDACTED
            else:
                event[key] = self.masked(value)
        return event

    def masked(self, value: Any) -> Any:
        """`value` with every registered secret masked, in strings, lists and dicts at any depth."""
        if isinstance(value, str):
            return self.mask(value)
        if isinstance(value, list | tuple):
            return [self.masked(item) for item in value]
        if isinstance(value, dict):
            return {key: self.masked(item) for key, item in value.items()}
        return value

    def mask(self, text: str) -> str:
        for value in self._values:
            text = text.replace(value, REDACTED)
        return text


def configure_logging(level: str = "INFO", fmt: str = "json", redactor: Redactor | None = None) -> Redactor:
    redactor = redactor or Redactor()
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        redactor,
    ]
    renderer: Any = (
        structlog.processors.JSONRenderer() if fmt == "json" else structlog.dev.ConsoleRenderer(colors=False)
    )
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=False,
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=shared,
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.format_exc_info,
                redactor,  # again: a traceback's text is only written out here, and may quote a secret
                renderer,
            ],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    logging.getLogger("uvicorn.access").setLevel("WARNING")  # requests are logged by our own middleware
    logging.getLogger("alembic").setLevel("WARNING")
    logging.getLogger("authlib").setLevel("INFO")  # its debug lines quote a sign-in's PKCE verifier
    return redactor


def get_logger(name: str) -> Any:
    return structlog.get_logger(name)
