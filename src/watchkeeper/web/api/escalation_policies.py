"""Escalation policies as the catalog defines them: levels, whom each notifies and after how long, repeats."""

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field

from watchkeeper.services import catalog_reads
from watchkeeper.web.access import Reader
from watchkeeper.web.api.fields import ObjectId, TeamFilter, context_of
from watchkeeper.web.api.lists import Cursor, Limit, Listing, ListOf
from watchkeeper.web.api.refusals import attempt

router = APIRouter(prefix="/api/v1", tags=["on-call"])
POLICIES = Listing("escalation-policies", (str,))


class LevelOut(BaseModel):
    after: str | None = Field(description="when the level is paged, from the start of the round; null: at once")
    notify: list[str] = Field(description="schedule:ID, person:ID or channel:ID")


class PolicyOut(BaseModel):
    id: str
    team: str
    name: str | None
    levels: list[LevelOut]
    repeat: int = Field(description="rounds run again when nobody acknowledges")
    repeat_after: str | None
    ack_timeout: str | None = Field(description="an acknowledged alert not resolved by then pages again")
    origin: str


class PolicyList(ListOf[PolicyOut]):
    pass


@router.get("/escalation-policies", responses={400: {"description": "a cursor that is not one of this list's"}})
async def list_policies(
    request: Request, response: Response, who: Reader, team: TeamFilter = None, limit: Limit = 50, cursor: Cursor = None
) -> PolicyList:
    """Escalation policies in order of id."""
    page = await attempt(catalog_reads.policies, context_of(request).db, team, POLICIES.after(cursor), limit)
    items = [PolicyOut.model_validate(found) for found in page.items]
    return PolicyList(items=items, next=POLICIES.next_of(request, response, page))


@router.get("/escalation-policies/{policy_id}", responses={404: {"description": "no such escalation policy"}})
async def get_policy(request: Request, who: Reader, policy_id: ObjectId) -> PolicyOut:
    return PolicyOut.model_validate(await attempt(catalog_reads.policy, context_of(request).db, policy_id))
