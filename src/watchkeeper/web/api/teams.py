"""Teams and their people, as the catalog in force has them (read-only: teams and people come from files)."""

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, Field

from watchkeeper.services import catalog_reads
from watchkeeper.services.catalogue import TeamView, read_catalogue
from watchkeeper.services.catalogue_lists import team_page
from watchkeeper.web.access import Reader
from watchkeeper.web.api.fields import ObjectId, TeamFilter, context_of
from watchkeeper.web.api.lists import Cursor, Limit, Listing, ListOf
from watchkeeper.web.api.refusals import attempt
from watchkeeper.web.problems import Problem

router = APIRouter(prefix="/api/v1", tags=["teams and people"])
TEAMS = Listing("teams", (str,))
PEOPLE = Listing("people", (str,))
LIST_PROBLEMS: dict[int | str, dict[str, Any]] = {400: {"description": "a cursor that is not one of this list's"}}


class MemberOut(BaseModel):
    id: str
    name: str
    email: str


class TeamOut(BaseModel):
    id: str
    name: str
    platform_team: bool
    capacity_managed_by: str
    origin: str
    people: list[MemberOut]


class NotifyRuleOut(BaseModel):
    via: str
    after: str = Field(description="as the catalog writes a duration, such as 5m")


class PersonOut(BaseModel):
    id: str
    team: str
    name: str
    email: str
    phone: str | None
    timezone: str | None
    notify: list[NotifyRuleOut] = Field(description="the person's own rules when they are paged")
    origin: str


class TeamList(ListOf[TeamOut]):
    pass


class PersonList(ListOf[PersonOut]):
    pass


def _team(team: TeamView) -> TeamOut:
    people = [MemberOut(id=p.id, name=p.name, email=p.email) for p in team.people]
    return TeamOut(
        **{k: getattr(team, k) for k in ("id", "name", "platform_team", "capacity_managed_by", "origin")},
        people=people,
    )


@router.get("/teams", responses=LIST_PROBLEMS)
async def list_teams(
    request: Request,
    response: Response,
    who: Reader,
    platform_team: Annotated[bool | None, Query(description="only the platform teams, or only the others")] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> TeamList:
    """Teams in order of id."""
    page = await attempt(team_page, context_of(request).db, platform_team, TEAMS.after(cursor), limit)
    return TeamList(items=[_team(team) for team in page.items], next=TEAMS.next_of(request, response, page))


@router.get("/teams/{team_id}", responses={404: {"description": "no such team"}})
async def get_team(request: Request, who: Reader, team_id: ObjectId) -> TeamOut:
    team = (await attempt(read_catalogue, context_of(request).db)).team(team_id)
    if team is None:
        raise Problem(404, "Not found", f"no team '{team_id}'")
    return _team(team)


@router.get("/people", responses=LIST_PROBLEMS)
async def list_people(
    request: Request,
    response: Response,
    who: Reader,
    team: TeamFilter = None,
    email: Annotated[
        str | None, Query(min_length=3, max_length=320, pattern=r"^[^\s@\x00]+@[^\s@\x00]+$", description="exactly")
    ] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> PersonList:
    """People in order of id; `email` finds the person with that address (in any case)."""
    db = context_of(request).db
    page = await attempt(catalog_reads.people, db, team, email, PEOPLE.after(cursor), limit)
    items = [PersonOut.model_validate(person) for person in page.items]
    return PersonList(items=items, next=PEOPLE.next_of(request, response, page))


@router.get("/people/{person_id}", responses={404: {"description": "no such person"}})
async def get_person(request: Request, who: Reader, person_id: ObjectId) -> PersonOut:
    return PersonOut.model_validate(await attempt(catalog_reads.person, context_of(request).db, person_id))
