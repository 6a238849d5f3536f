"""Jinja2 with our templates and the govuk-frontend-jinja macros."""

from pathlib import Path

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PackageLoader, PrefixLoader, select_autoescape
from starlette.templating import Jinja2Templates

from watchkeeper.domain.durations import format_duration

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
    return Jinja2Templates(env=env)
