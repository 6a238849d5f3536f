"""Teams, platforms, services and checks. Objects from catalog files are read-only (409 with the reason)."""

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request, Response
from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from starlette.concurrency import run_in_threadpool

from watchkeeper.catalog.types import ID_PATTERN, Url
from watchkeeper.services import objects
from watchkeeper.services.audit import Actor
from watchkeeper.services.catalogue import Catalogue, CheckView, SubjectView, TeamView, read_catalogue
from watchkeeper.services.refusals import Refused
from watchkeeper.web.access import CatalogWriter, Reader
from watchkeeper.web.context import AppContext
from watchkeeper.web.problems import Problem

router = APIRouter(prefix="/api/v1", tags=["catalog objects"])
ObjectId = Annotated[str, Path(pattern=ID_PATTERN, description="lower-case letters, digits, '-' and '_'")]
IdText = Annotated[str, StringConstraints(pattern=ID_PATTERN)]
Text = Annotated[str, StringConstraints(pattern=r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$")]
"""Text without control characters (PostgreSQL refuses NUL; the others are mistakes)."""


class PersonOut(BaseModel):
    id: str
    name: str
    email: str


class TeamOut(BaseModel):
    id: str
    name: str
    platform_team: bool
    capacity_managed_by: str
    origin: str
    people: list[PersonOut]


class CheckOut(BaseModel):
    id: str
    type: str
    name: str | None
    interval_seconds: float
    severity: str
    paused: bool
    origin: str
    service: str | None
    platform: str | None


class SubjectOut(BaseModel):
    id: str
    name: str
    owner: str
    origin: str
    depends_on: list[str]
    checks: list[str]
    runbook: str | None = None


class ServiceOut(SubjectOut):
    platform: str | None


class ServiceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Text = Field(min_length=1, max_length=200)
    owner: str = Field(pattern=ID_PATTERN)
    platform: str | None = Field(default=None, pattern=ID_PATTERN)
    depends_on: list[Annotated[str, StringConstraints(pattern=ID_PATTERN)]] = Field(
        default_factory=list, max_length=100
    )
    runbook: Url | None = Field(default=None, max_length=2000)
    description: Text | None = Field(default=None, max_length=5000)


class ServiceCreate(ServiceIn):
    id: str = Field(pattern=ID_PATTERN)


def _team(team: TeamView) -> TeamOut:
    people = [PersonOut(id=p.id, name=p.name, email=p.email) for p in team.people]
    return TeamOut(
        **{k: getattr(team, k) for k in ("id", "name", "platform_team", "capacity_managed_by", "origin")},
        people=people,
    )


def _subject(subject: SubjectView) -> dict[str, Any]:
    return {
        "id": subject.id,
        "name": subject.name,
        "owner": subject.owner_team_id,
        "origin": subject.origin,
        "depends_on": subject.depends_on,
        "checks": [c.id for c in subject.checks],
        "runbook": subject.spec.get("runbook"),
    }


def _check(check: CheckView) -> CheckOut:
    return CheckOut(
        id=check.id,
        type=check.type,
        name=check.name,
        interval_seconds=check.interval_seconds,
        severity=check.severity,
        paused=check.paused,
        origin=check.origin,
        service=check.subject_id if check.subject_kind == "service" else None,
        platform=check.subject_id if check.subject_kind == "platform" else None,
    )


async def _catalogue(request: Request) -> Catalogue:
    context: AppContext = request.app.state.context
    return await run_in_threadpool(read_catalogue, context.db)


def _not_found(kind: str, item_id: str) -> Problem:
    return Problem(404, "Not found", f"no {kind} '{item_id}'")


@router.get("/teams")
async def list_teams(request: Request, who: Reader) -> list[TeamOut]:
    return [_team(team) for team in (await _catalogue(request)).teams]


@router.get("/teams/{team_id}")
async def get_team(request: Request, who: Reader, team_id: ObjectId) -> TeamOut:
    team = (await _catalogue(request)).team(team_id)
    if team is None:
        raise _not_found("team", team_id)
    return _team(team)


@router.get("/platforms")
async def list_platforms(request: Request, who: Reader) -> list[SubjectOut]:
    return [SubjectOut(**_subject(p)) for p in (await _catalogue(request)).platforms]


@router.get("/platforms/{platform_id}")
async def get_platform(request: Request, who: Reader, platform_id: ObjectId) -> SubjectOut:
    platform = (await _catalogue(request)).platform(platform_id)
    if platform is None:
        raise _not_found("platform", platform_id)
    return SubjectOut(**_subject(platform))


@router.get("/services")
async def list_services(request: Request, who: Reader) -> list[ServiceOut]:
    return [ServiceOut(**_subject(s), platform=s.platform_id) for s in (await _catalogue(request)).services]


@router.get("/services/{service_id}")
async def get_service(request: Request, who: Reader, service_id: ObjectId) -> ServiceOut:
    service = (await _catalogue(request)).service(service_id)
    if service is None:
        raise _not_found("service", service_id)
    return ServiceOut(**_subject(service), platform=service.platform_id)


@router.get("/checks")
async def list_checks(request: Request, who: Reader) -> list[CheckOut]:
    return [_check(c) for c in (await _catalogue(request)).checks()]


def _fields(body: ServiceIn) -> objects.ServiceFields:
    return objects.ServiceFields(
        name=body.name,
        owner=body.owner,
        platform=body.platform,
        depends_on=tuple(body.depends_on),
        runbook=body.runbook,
        description=body.description,
    )


async def _change(request: Request, action: Any, *args: Any) -> None:
    try:
        await run_in_threadpool(action, *args)
    except (objects.ObjectError, Refused) as refused:
        titles = {403: "Forbidden", 404: "Not found", 409: "Conflict", 422: "Unprocessable content"}
        raise Problem(refused.status, titles.get(refused.status, "Bad request"), refused.message) from None


@router.post(
    "/services",
    status_code=201,
    responses={409: {"description": "exists"}, 422: {"description": "bad reference"}},
)
async def create_service(request: Request, who: CatalogWriter, body: ServiceCreate, response: Response) -> ServiceOut:
    context: AppContext = request.app.state.context
    actor = Actor(who, "api")
    await _change(request, objects.create_service, context.db, context.clock, body.id, _fields(body), actor)
    response.headers["Location"] = f"/api/v1/services/{body.id}"
    return await get_service(request, who, body.id)


@router.put(
    "/services/{service_id}",
    responses={404: {"description": "no such service"}, 409: {"description": "from a file"}},
)
async def replace_service(request: Request, who: CatalogWriter, service_id: ObjectId, body: ServiceIn) -> ServiceOut:
    context: AppContext = request.app.state.context
    actor = Actor(who, "api")
    await _change(request, objects.update_service, context.db, context.clock, service_id, _fields(body), actor)
    return await get_service(request, who, service_id)


@router.delete(
    "/services/{service_id}",
    status_code=204,
    responses={404: {"description": "no such service"}, 409: {"description": "from a file"}},
)
async def delete_service(request: Request, who: CatalogWriter, service_id: ObjectId) -> Response:
    context: AppContext = request.app.state.context
    await _change(request, objects.delete_service, context.db, context.clock, service_id, Actor(who, "api"))
    return Response(status_code=204)
