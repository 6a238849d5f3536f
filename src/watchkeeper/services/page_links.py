"""The one-click link in every page: acknowledge or resolve without signing in (ADR 0036).

A link is `/page/<id>-<mac>`: the id of a `page_links` row and an HMAC-SHA256 of it under the server's secret
key, so the token itself is never stored and a database reader cannot make one. Opening the link only shows
the page and its buttons; acting takes a POST, so a mail scanner that follows links acknowledges nothing. A link
works until it expires or is used once, whichever comes first.
"""

import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import Connection, RowMapping

from watchkeeper.domain.access import Principal
from watchkeeper.services.alert_views import NoSuchAlert, audit_act, signal_for
from watchkeeper.services.alerts import receive_one
from watchkeeper.services.audit import Actor
from watchkeeper.store import Database
from watchkeeper.store import escalations as store
from watchkeeper.store.contention import in_transaction
from watchkeeper.store.overrides import people

PageAction = Literal["acknowledge", "resolve"]
_TOKEN = re.compile(r"([1-9][0-9]{0,9})-([0-9a-f]{32})")


@dataclass(frozen=True)
class PageLinks:
    secret_key: str
    base_url: str

    def token(self, link_id: int) -> str:
        return f"{link_id}-{self._mac(link_id)}"

    def url(self, link_id: int) -> str:
        return f"{self.base_url.rstrip('/')}/page/{self.token(link_id)}"

    def read(self, token: str) -> int | None:
        """The link id a token carries, when its MAC is right; None for anything else."""
        match = _TOKEN.fullmatch(token)
        if match is None:
            return None
        link_id = int(match[1])
        return link_id if hmac.compare_digest(self._mac(link_id), match[2]) else None

    def _mac(self, link_id: int) -> str:
        message = f"watchkeeper page link {link_id}".encode()
        return hmac.new(self.secret_key.encode(), message, hashlib.sha256).hexdigest()[:32]


@dataclass(frozen=True)
class PageView:
    """What a page's link shows: who was paged, what for, and whether the link still works."""

    person_id: str | None
    expires_at: datetime
    used_at: datetime | None
    used_for: str | None
    alerts: tuple[RowMapping, ...]
    state: Literal["open", "used", "expired", "over"]
    """open: it can act; used: it did already; expired: too late; over: its alerts are all resolved."""


class LinkRefused(Exception):
    """The link cannot act; the message says why, for the page."""


def view(db: Database, links: PageLinks, token: str, now: datetime) -> PageView | None:
    """The page a link shows; None when the token is not a link of this server (a 404, whatever the reason)."""
    link_id = links.read(token)
    if link_id is None:
        return None
    with db.reading() as connection:
        return _view(connection, link_id, now)


def act(db: Database, links: PageLinks, token: str, action: PageAction, now: datetime) -> PageView:
    """Acknowledges or resolves the page's open alerts as the person paged, and spends the link, in one
    transaction; raises LinkRefused when the link cannot act and NoSuchAlert when it is not a link at all."""
    link_id = links.read(token)
    if link_id is None:
        raise NoSuchAlert("this is not a link of this Watchkeeper")
    return in_transaction(db, lambda connection: _act(connection, link_id, action, now))


def _act(connection: Connection, link_id: int, action: PageAction, now: datetime) -> PageView:
    shown = _view(connection, link_id, now)
    if shown is None:
        raise NoSuchAlert("this is not a link of this Watchkeeper")
    if shown.state != "open":
        raise LinkRefused(_refusal(shown))
    if not store.use_link(connection, link_id, now, action):
        raise LinkRefused("this link has just been used")
    actor = _paged_person(connection, shown.person_id)
    for alert in shown.alerts:
        if action == "resolve" or alert["status"] == "triggered":
            receive_one(
                connection, signal_for(alert, action, f"{shown.person_id or 'someone'} (from a page link)"), now
            )
            audit_act(connection, actor, now, alert, action)
    after = _view(connection, link_id, now)
    assert after is not None
    return after


def _paged_person(connection: Connection, person_id: str | None) -> Actor:
    """The link acts as the person it was sent to, named as the catalog names them."""
    name = people(connection).get(person_id or "", person_id or "someone with the link")
    return Actor(Principal(name=name, person_id=person_id, via="link"), "link")


def _view(connection: Connection, link_id: int, now: datetime) -> PageView | None:
    link = store.link(connection, link_id)
    if link is None:
        return None
    escalation = store.get(connection, link["escalation_id"])
    alerts = tuple(store.open_alerts(connection, escalation["group_key"])) if escalation else ()
    state: Literal["open", "used", "expired", "over"]
    if link["used_at"] is not None:
        state = "used"
    elif link["expires_at"] <= now:
        state = "expired"
    elif not alerts or escalation is None or escalation["status"] == "ended":
        state = "over"  # its page is over: a later page of the group has links of its own
    else:
        state = "open"
    return PageView(link["person_id"], link["expires_at"], link["used_at"], link["used_for"], alerts, state)


def _refusal(shown: PageView) -> str:
    if shown.state == "used":
        return f"this link was used already, to {shown.used_for}"
    if shown.state == "expired":
        return "this link has expired"
    return "this page is over: its alerts were resolved, or a later page took its place"
