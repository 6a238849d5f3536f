"""The on-call figures: spreads of durations, who an acknowledgement was by, and which response answered a page."""

from datetime import UTC, datetime, time, timedelta

from hypothesis import given
from hypothesis import strategies as st

from watchkeeper.domain.oncall_reports import (
    Page,
    Response,
    Spread,
    acknowledgement,
    attribute,
    directory,
    person_figures,
    spread,
    team_figures,
)
from watchkeeper.domain.support_hours import SupportHours

T0 = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)  # a Thursday, in hours
NIGHT = datetime(2026, 11, 26, 23, 0, tzinfo=UTC)
HOURS = SupportHours(frozenset({"mon", "tue", "wed", "thu", "fri"}), time(9, 30), time(17, 30), "Europe/London")
PEOPLE = directory([("asha", "Asha", "asha@example.org"), ("ben", "Ben Ng", "ben@example.org")])
M = timedelta(minutes=1)


def _page(
    started_at: datetime = T0,
    responses: tuple[Response, ...] = (),
    reached: tuple[tuple[str, datetime], ...] = (),
    team: str = "re",
    alerts: int = 1,
    open_alerts: int = 0,
    resolved: timedelta | None = 30 * M,
) -> Page:
    last = started_at + resolved if resolved is not None else None
    return Page(1, team, started_at, alerts, open_alerts, last, responses, reached)


def test_a_spread_of_nothing_has_no_figures():
    assert spread([]) == Spread(0, None, None, None)


def test_the_median_of_an_even_number_is_the_mean_of_the_middle_two_and_p90_a_time_that_happened():
    assert spread([4 * M, 1 * M, 2 * M, 10 * M]) == Spread(4, 4.25 * M, 3 * M, 10 * M)
    assert spread([M * n for n in range(1, 11)]).p90 == 9 * M
    assert spread([M * n for n in range(1, 12)]).p90 == 10 * M


@given(st.lists(st.integers(min_value=0, max_value=10**7), min_size=1, max_size=50))
def test_every_figure_lies_between_the_shortest_and_the_longest(seconds):
    durations = [timedelta(seconds=s) for s in seconds]
    found = spread(durations)

    assert found.count == len(durations)
    assert found.mean is not None
    assert found.median is not None
    assert found.p90 is not None
    assert min(durations) <= found.mean <= max(durations)
    assert min(durations) <= found.median <= found.p90 <= max(durations)
    assert found.p90 in durations
    assert sum(1 for d in durations if d <= found.p90) >= 0.9 * len(durations)


def test_a_person_is_found_by_id_email_or_name_in_any_case():
    assert [PEOPLE.find(words) for words in ("asha", "ASHA", "asha@EXAMPLE.org", " ben ng ", "Ng", "nobody")] == [
        "asha",
        "asha",
        "asha",
        "ben",
        None,
        None,
    ]


def test_a_name_two_people_share_names_nobody_but_their_ids_still_do():
    shared = directory([("sam-a", "Sam", "a@example.org"), ("sam-b", "Sam", "b@example.org")])

    assert (shared.find("Sam"), shared.find("sam-b")) == (None, "sam-b")


def test_who_acted_is_read_from_how_each_way_of_acting_writes_it():
    def who(actor):
        found = attribute(actor, PEOPLE)
        return found.person_id, found.by_hand, found.from_page_link

    assert who("asha (from a page link)") == ("asha", True, True)
    assert who("someone (from a page link)") == (None, True, True)
    assert who("Ben Ng (console)") == ("ben", True, False)
    assert who("ben@example.org (api)") == ("ben", True, False)
    assert who("a visitor (console)") == (None, True, False)
    assert who("asha (cli)") == ("asha", True, False)
    assert who("Asha") == ("asha", True, False), "watchkeeper alerts ack --by Asha"
    assert who("alertmanager-prod") == (None, False, False), "an integration resolving its own alert"
    assert who(None) == (None, False, False), "a check that is up again"


def test_the_first_acknowledgement_or_resolution_by_hand_answers_a_page_whatever_order_they_come_in():
    page = _page(
        responses=(
            Response(T0 + 9 * M, "acknowledged", "Ben Ng (console)"),
            Response(T0 + 2 * M, "resolved", "alertmanager-prod"),
            Response(T0 + 5 * M, "resolved", "asha (from a page link)"),
        )
    )

    found = acknowledgement(page, PEOPLE)

    assert found is not None
    assert (found.at, found.who.person_id) == (T0 + 5 * M, "asha")


def test_an_acknowledgement_by_a_sending_tool_counts_for_the_team_but_for_nobody():
    page = _page(responses=(Response(T0 + 4 * M, "acknowledged", "pagerduty-bridge"),))

    [team] = team_figures(["re"], [page], HOURS, PEOPLE)
    people = person_figures([], [page], HOURS, PEOPLE)

    assert (team.acknowledged, team.to_acknowledge.median) == (1, 4 * M)
    assert people == []


def test_a_page_whose_alerts_went_away_on_their_own_is_unacknowledged_not_a_time():
    page = _page(responses=(Response(T0 + 4 * M, "resolved", None),))

    [team] = team_figures(["re"], [page], HOURS, PEOPLE)

    assert (team.pages, team.acknowledged, team.unacknowledged, team.to_acknowledge.count) == (1, 0, 1, 0)
    assert (team.resolved, team.to_resolve.median) == (1, 30 * M)


def test_a_page_with_an_alert_open_or_with_no_alert_has_no_time_to_resolve():
    still_open = _page(alerts=2, open_alerts=1)
    no_alerts = _page(alerts=0, resolved=None)

    [team] = team_figures(["re"], [still_open, no_alerts], HOURS, PEOPLE)

    assert (team.pages, team.resolved, team.open, team.to_resolve.count) == (2, 0, 2, 0)


def test_every_team_asked_for_has_a_row_and_a_team_with_pages_is_never_left_out():
    rows = team_figures(["pay", "re"], [_page(team="gone")], HOURS, PEOPLE)

    assert [(row.team_id, row.pages) for row in rows] == [("gone", 1), ("pay", 0), ("re", 0)]


def test_a_team_page_is_out_of_hours_by_its_start_and_a_persons_by_when_it_reached_them():
    evening = datetime(2026, 11, 26, 17, 20, tzinfo=UTC)  # 17:20 in London, ten minutes before the end
    page = _page(started_at=evening, reached=(("asha", evening), ("ben", evening + 15 * M)))

    [team] = team_figures(["re"], [page], HOURS, PEOPLE)
    people = {row.person_id: row for row in person_figures([], [page], HOURS, PEOPLE)}

    assert team.out_of_hours == 0
    assert (people["asha"].out_of_hours, people["ben"].out_of_hours) == (0, 1)


def test_a_persons_time_runs_from_their_page_or_from_the_start_when_they_took_it_before_it_reached_them():
    reached_then_took = _page(
        reached=(("asha", T0), ("ben", T0 + 15 * M)), responses=(Response(T0 + 17 * M, "acknowledged", "ben"),)
    )
    took_a_colleagues = _page(reached=(("asha", T0),), responses=(Response(T0 + 6 * M, "acknowledged", "Ben Ng"),))
    took_before_paged = _page(
        reached=(("ben", T0 + 15 * M),), responses=(Response(T0 + 3 * M, "acknowledged", "ben (cli)"),)
    )

    [asha, ben] = person_figures([], [reached_then_took, took_a_colleagues, took_before_paged], HOURS, PEOPLE)

    assert (asha.person_id, asha.pages, asha.acknowledged) == ("asha", 2, 0)
    assert (ben.pages, ben.acknowledged, ben.from_page_links) == (2, 3, 0)
    # 2 minutes after his page at 15; 6 from the start of Asha's page; 3 from the start, before his page.
    assert ben.to_acknowledge == Spread(3, (2 + 6 + 3) * M / 3, 3 * M, 6 * M)


def test_people_asked_for_are_listed_with_no_pages():
    rows = person_figures(["ben"], [_page(reached=(("asha", NIGHT),), started_at=NIGHT)], HOURS, PEOPLE)

    assert [(row.person_id, row.pages, row.out_of_hours) for row in rows] == [("asha", 1, 1), ("ben", 0, 0)]
