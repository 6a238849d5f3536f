"""Platforms and services. Services created here (origin `api`) can be changed and deleted here; any write to one
from a catalog file is a 409 naming the file to edit instead."""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from starlette.concurrency import run_in_threadpool

from watchkeeper.catalog.types import ID_PATTERN, Url
from watchkeeper.services import objects
from watchkeeper.services.audit import Actor
from watchkeeper.services.catalog_files import defined_in
from watchkeeper.services.catalogue import SubjectView, read_catalogue
from watchkeeper.services.catalogue_lists import SubjectFilter, subject_page
from watchkeeper.services.refusals import Refused
from watchkeeper.web.access import CatalogWriter, Reader
from watchkeeper.web.api.fields import ObjectId, PlatformFilter, TeamFilter, context_of
from watchkeeper.web.api.lists import Cursor, Limit, Listing, ListOf
from watchkeeper.web.api.refusals import attempt
from watchkeeper.web.problems import Problem

router = APIRouter(prefix="/api/v1", tags=["platforms and services"])
PLATFORMS = Listing("platforms", (str,))
SERVICES = Listing("services", (str,))
LIST_PROBLEMS: dict[int | str, dict[str, Any]] = {400: {"description": "a cursor that is not one of this list's"}}
Text = Annotated[str, StringConstraints(pattern=r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$")]
"""Text without control characters (PostgreSQL refuses NUL; the others are mistakes)."""
Origin = Annotated[Literal["file", "api"] | None, Query(description="file: from catalog files; api: made here")]


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


class PlatformList(ListOf[SubjectOut]):
    pass


class ServiceList(ListOf[ServiceOut]):
    pass


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


def _service(service: SubjectView) -> ServiceOut:
    return ServiceOut(**_subject(service), platform=service.platform_id)


@router.get("/platforms", responses=LIST_PROBLEMS)
async def list_platforms(
    request: Request,
    response: Response,
    who: Reader,
    owner: TeamFilter = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> PlatformList:
    """Platforms in order of id."""
    wanted = SubjectFilter(owner=owner)
    page = await attempt(subject_page, context_of(request).db, "platform", wanted, PLATFORMS.after(cursor), limit)
    items = [SubjectOut(**_subject(p)) for p in page.items]
    return PlatformList(items=items, next=PLATFORMS.next_of(request, response, page))


@router.get("/platforms/{platform_id}", responses={404: {"description": "no such platform"}})
async def get_platform(request: Request, who: Reader, platform_id: ObjectId) -> SubjectOut:
    platform = (await attempt(read_catalogue, context_of(request).db)).platform(platform_id)
    if platform is None:
        raise Problem(404, "Not found", f"no platform '{platform_id}'")
    return SubjectOut(**_subject(platform))


@router.get("/services", responses=LIST_PROBLEMS)
async def list_services(
    request: Request,
    response: Response,
    who: Reader,
    owner: TeamFilter = None,
    platform: PlatformFilter = None,
    origin: Origin = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> ServiceList:
    """Services in order of id."""
    wanted = SubjectFilter(owner, platform, origin)
    page = await attempt(subject_page, context_of(request).db, "service", wanted, SERVICES.after(cursor), limit)
    return ServiceList(items=[_service(s) for s in page.items], next=SERVICES.next_of(request, response, page))


@router.get("/services/{service_id}", responses={404: {"description": "no such service"}})
async def get_service(request: Request, who: Reader, service_id: ObjectId) -> ServiceOut:
    service = (await attempt(read_catalogue, context_of(request).db)).service(service_id)
    if service is None:
        raise Problem(404, "Not found", f"no service '{service_id}'")
    return _service(service)


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
    except objects.FromFile as refused:
        where = await run_in_threadpool(
            defined_in, context_of(request).catalog_path, refused.section, refused.object_id
        )
        raise Problem(409, "Conflict", refused.explained(where)) from None
    except (objects.ObjectError, Refused) as refused:
        titles = {403: "Forbidden", 404: "Not found", 409: "Conflict", 422: "Unprocessable content"}
        raise Problem(refused.status, titles.get(refused.status, "Bad request"), refused.message) from None


WRITE_PROBLEMS: dict[int | str, dict[str, Any]] = {
    403: {"description": "the service, or the owner given, is another team's"},
    404: {"description": "no such service"},
    409: {"description": "the service comes from a catalog file (named), or others depend on it"},
    422: {"description": "a reference to a team, platform or service that is not there, or a cycle"},
}


@router.post(
    "/services",
    status_code=201,
    responses={
        403: {"description": "the owner given is another team"},
        409: {"description": "a service with this id exists (from a catalog file: named)"},
        422: WRITE_PROBLEMS[422],
    },
)
async def create_service(request: Request, who: CatalogWriter, body: ServiceCreate, response: Response) -> ServiceOut:
    """Made by a member of the owning team, or a platform admin."""
    context = context_of(request)
    actor = Actor(who, "api")
    await _change(request, objects.create_service, context.db, context.clock, body.id, _fields(body), actor)
    response.headers["Location"] = f"/api/v1/services/{body.id}"
    return await get_service(request, who, body.id)


@router.put("/services/{service_id}", responses=WRITE_PROBLEMS)
async def replace_service(request: Request, who: CatalogWriter, service_id: ObjectId, body: ServiceIn) -> ServiceOut:
    """By a member of the team that owns it, and of the team it is given to (or a platform admin)."""
    context = context_of(request)
    actor = Actor(who, "api")
    await _change(request, objects.update_service, context.db, context.clock, service_id, _fields(body), actor)
    return await get_service(request, who, service_id)


@router.delete("/services/{service_id}", status_code=204, responses=WRITE_PROBLEMS)
async def delete_service(request: Request, who: CatalogWriter, service_id: ObjectId) -> Response:
    context = context_of(request)
    await _change(request, objects.delete_service, context.db, context.clock, service_id, Actor(who, "api"))
    return Response(status_code=204)
