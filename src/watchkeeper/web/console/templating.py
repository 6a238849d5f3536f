"""Jinja2 with our templates and the govuk-frontend-jinja macros."""

from pathlib import Path

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PackageLoader, PrefixLoader, select_autoescape
from starlette.templating import Jinja2Templates

from watchkeeper.domain.durations import format_duration
from watchkeeper.domain.state import FLAP_CHANGES, FLAP_WINDOW
from watchkeeper.services.oncall_report_formats import duration_text
from watchkeeper.web.console import formats
from watchkeeper.web.console.charts import UPTIME_LEVELS

TEMPLATES = Path(__file__).parent.parent / "templates"


def _seconds(value: float) -> str:
    from datetime import timedelta

    return format_duration(timedelta(seconds=value))


def build_templates() -> Jinja2Templates:
    env = Environment(
        loader=ChoiceLoader(
            [
                FileSystemLoader(TEMPLATES),
                PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")}),
            ]
        ),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["seconds"] = _seconds
    env.filters["utc"] = formats.utc_time
    env.filters["ms"] = formats.milliseconds
    env.filters["count"] = formats.count
    env.filters["took"] = duration_text
    env.filters["percent_up"] = formats.percent_up
    env.filters["failures_of"] = formats.failures_of
    env.filters["audit_value"] = formats.audit_value
    env.filters["audit_document"] = formats.audit_document
    env.globals["elapsed"] = formats.elapsed
    env.globals["local_time"] = formats.local_time
    env.globals["local_input"] = formats.local_input
    env.globals["uptime_levels"] = UPTIME_LEVELS
    env.globals["flap_changes"] = FLAP_CHANGES
    env.globals["flap_window"] = FLAP_WINDOW
    return Jinja2Templates(env=env)
