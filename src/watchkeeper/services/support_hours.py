"""The organisation's support hours and timezone as the catalog in the database has them."""

from sqlalchemy import Connection, select

from watchkeeper.catalog.organisation import Organisation
from watchkeeper.domain.support_hours import SupportHours
from watchkeeper.store import tables as t


def organisation_of(connection: Connection) -> Organisation:
    """The loaded organisation; the catalog's defaults before any catalog is loaded."""
    spec = connection.execute(select(t.organisation.c.spec).where(t.organisation.c.id == 1)).scalar()
    return Organisation() if spec is None else Organisation.model_validate(spec, strict=False)


def support_hours_of(connection: Connection) -> SupportHours:
    """In-hours for routes: the organisation's support hours in its timezone, with its bank holidays."""
    return hours_of(organisation_of(connection))


def hours_of(organisation: Organisation) -> SupportHours:
    """The same, from an organisation already read."""
    hours = organisation.support_hours
    return SupportHours(frozenset(hours.days), hours.start, hours.end, organisation.timezone, hours.bank_holidays)
