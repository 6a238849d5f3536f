"""The catalog's inbound integrations: where each posts, and whether it has a key (its last characters, and when
and by whom it was issued). The key itself is never shown: Watchkeeper keeps only its digest. Keys are issued
and rotated in the console or with `watchkeeper integrations rotate`."""

from datetime import datetime
from typing import Literal

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field

from watchkeeper.services import catalog_reads
from watchkeeper.web.access import Reader
from watchkeeper.web.api.fields import ObjectId, TeamFilter, context_of
from watchkeeper.web.api.lists import Cursor, Limit, Listing, ListOf
from watchkeeper.web.api.refusals import attempt

router = APIRouter(prefix="/api/v1", tags=["integrations"])
INTEGRATIONS = Listing("integrations", (str,))
IntegrationType = Literal["alertmanager", "pagerduty_events_v2", "sentry", "generic"]


class KeyOut(BaseModel):
    hint: str = Field(description="the key's last characters, to tell keys apart")
    issued_at: datetime = Field(description="when the key in use was issued (rotated)")
    issued_by: str | None


class IntegrationOut(BaseModel):
    id: str
    team: str
    type: str
    name: str | None
    endpoint: str = Field(description="the path it posts to on this server; <key> stands for the key")
    key_place: str = Field(description="where the sender puts the key")
    key: KeyOut | None = Field(description="null until a key is issued")
    origin: str


class IntegrationList(ListOf[IntegrationOut]):
    pass


@router.get("/integrations", responses={400: {"description": "a cursor that is not one of this list's"}})
async def list_integrations(
    request: Request,
    response: Response,
    who: Reader,
    team: TeamFilter = None,
    type: IntegrationType | None = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> IntegrationList:
    """Integrations in order of id."""
    db = context_of(request).db
    page = await attempt(catalog_reads.integrations, db, team, type, INTEGRATIONS.after(cursor), limit)
    items = [IntegrationOut.model_validate(found) for found in page.items]
    return IntegrationList(items=items, next=INTEGRATIONS.next_of(request, response, page))


@router.get("/integrations/{integration_id}", responses={404: {"description": "no such integration"}})
async def get_integration(request: Request, who: Reader, integration_id: ObjectId) -> IntegrationOut:
    found = await attempt(catalog_reads.integration, context_of(request).db, integration_id)
    return IntegrationOut.model_validate(found)
