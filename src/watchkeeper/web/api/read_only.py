"""Writes to the objects that only catalog files make: teams, people, platforms, checks, schedules, escalation
policies, integrations and the catalog's maintenance windows. Each is answered 409 with the reason and, for one
that exists, the file and line to edit instead; an unknown id is a 404, as it is to a read.

Nobody can change these through the API, so the answer is the same for everyone signed in; it tells no more than
a read does. The routes stay out of the OpenAPI document, which lists what the API does: these only refuse.
(Services have real writes, in web.api.subjects, for those made through the API.)"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from watchkeeper.services.catalog_files import defined_in
from watchkeeper.services.objects import FromFile
from watchkeeper.web.access import Reader
from watchkeeper.web.api import checks, escalation_policies, integrations, maintenance, schedules, subjects, teams
from watchkeeper.web.api.fields import ObjectId, context_of
from watchkeeper.web.problems import Problem

router = APIRouter(prefix="/api/v1")
Read = Callable[..., Awaitable[Any]]
VERBS = {"PUT": "replaced", "PATCH": "changed", "DELETE": "deleted"}


@dataclass(frozen=True)
class Kind:
    path: str
    section: str
    """The key of the catalog's lists that hold it."""
    noun: str
    where: str
    """Where a new one is written in the catalog."""
    read: Read
    """The API's read of one, which answers 404 for an unknown id."""


KINDS = (
    Kind("teams", "teams", "team", "a team file's `teams`", teams.get_team),
    Kind("people", "people", "person", "their team's `people`", teams.get_person),
    Kind("platforms", "platforms", "platform", "`platforms`", subjects.get_platform),
    Kind("checks", "checks", "check", "the `checks` of its service or platform", checks.get_check),
    Kind("schedules", "schedules", "schedule", "its team's `schedules`", schedules.get_schedule),
    Kind(
        "escalation-policies",
        "escalation_policies",
        "escalation policy",
        "its team's `escalation_policies`",
        escalation_policies.get_policy,
    ),
    Kind("integrations", "integrations", "integration", "its team's `integrations`", integrations.get_integration),
    Kind(
        "maintenance/catalog",
        "maintenance",
        "recurring maintenance window",
        "the `maintenance` of its service or platform (a one-off window is made with POST /api/v1/maintenance)",
        maintenance.get_catalog_window,
    ),
)


def _creation_refused(kind: Kind) -> Callable[..., Awaitable[None]]:
    async def refuse(who: Reader) -> None:
        raise Problem(
            409,
            "Conflict",
            f"a {kind.noun} is made in the catalog files, not through the API: add it to {kind.where} and reload "
            "the catalog",
        )

    return refuse


def _change_refused(kind: Kind) -> Callable[..., Awaitable[None]]:
    async def refuse(request: Request, who: Reader, object_id: ObjectId) -> None:
        await kind.read(request, who, object_id)  # a 404 for one that is not there
        refused = FromFile(kind.section, object_id, VERBS[request.method], kind.noun)
        where = await run_in_threadpool(defined_in, context_of(request).catalog_path, kind.section, object_id)
        raise Problem(409, "Conflict", refused.explained(where))

    return refuse


for _kind in KINDS:
    router.add_api_route(f"/{_kind.path}", _creation_refused(_kind), methods=["POST"], include_in_schema=False)
    router.add_api_route(
        f"/{_kind.path}/{{object_id}}",
        _change_refused(_kind),
        methods=list(VERBS),
        include_in_schema=False,
    )
