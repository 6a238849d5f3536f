"""The delivery log: every attempt to deliver a notification, newest first, with its outcome and the alerts it
was about. Messages are not shown, and details are scrubbed of secrets before they are stored."""

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, Field

from watchkeeper.services import delivery_log
from watchkeeper.store.delivery_log import DeliveryFilter
from watchkeeper.web.access import Reader
from watchkeeper.web.api.fields import NumberId, TeamFilter, context_of
from watchkeeper.web.api.lists import Cursor, Limit, Listing, ListOf, Since, Until, in_range
from watchkeeper.web.api.refusals import attempt

router = APIRouter(prefix="/api/v1", tags=["alerts"])
DELIVERIES = Listing("deliveries", (datetime, int))


class DeliveryOut(BaseModel):
    id: int
    at: datetime
    attempt: int = Field(description="1 for the first try of its notification")
    outcome: str = Field(description="sent, retry or failed")
    status_code: int | None = Field(description="the receiver's HTTP status, when it answered one")
    latency_ms: float
    detail: str = Field(description="what the receiver answered, in a few words, free of secrets")
    notification_id: int
    team: str
    channel_id: str = Field(description="a channel's id, or person:ID/WAY for a person paged")
    channel_type: str
    action: str = Field(description="what the notification told: triggered, acknowledged, resolved, ...")
    alerts: list[int] = Field(description="the alerts it was about")


class DeliveryList(ListOf[DeliveryOut]):
    pass


@router.get(
    "/deliveries",
    responses={400: {"description": "a cursor that is not one of this list's, or a period that ends before it starts"}},
)
async def list_deliveries(
    request: Request,
    response: Response,
    who: Reader,
    alert: Annotated[int | None, Query(ge=1, le=2**31 - 1, description="only those about this alert")] = None,
    channel: Annotated[
        str | None, Query(pattern=r"^[a-z0-9][a-z0-9_:/@.+-]{0,79}$", description="a channel's id, or person:ID/WAY")
    ] = None,
    outcome: Literal["sent", "retry", "failed"] | None = None,
    team: TeamFilter = None,
    since: Since = None,
    until: Until = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> DeliveryList:
    window = in_range(since, until)
    wanted = DeliveryFilter(alert, channel, outcome, team, *window)
    page = await attempt(delivery_log.deliveries, context_of(request).db, wanted, DELIVERIES.after(cursor), limit)
    items = [DeliveryOut.model_validate(found) for found in page.items]
    return DeliveryList(items=items, next=DELIVERIES.next_of(request, response, page))


@router.get("/deliveries/{delivery_id}", responses={404: {"description": "no such delivery"}})
async def get_delivery(request: Request, who: Reader, delivery_id: NumberId) -> DeliveryOut:
    return DeliveryOut.model_validate(await attempt(delivery_log.delivery, context_of(request).db, delivery_id))
