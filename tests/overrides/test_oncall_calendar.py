"""What the console's on-call pages are built from, on both backends: the next changes of who is on call, and
a week of a schedule cut at its local midnights with layers, overrides and gaps told apart."""

from datetime import date

from rota_catalog import NOW, at

from watchkeeper.services.audit import cli_actor
from watchkeeper.services.oncall_calendar import overview, schedule_page
from watchkeeper.services.overrides import NewOverride, create_override


def test_the_next_changes_skip_a_person_whose_shifts_follow_one_another(rotas):
    # asha covers chen's Monday night, so she is on call from now until ben takes over on Wednesday.
    create_override(
        rotas.db, NOW, NewOverride("re-primary", "asha", "r", "chen", NOW, at("2026-12-01 12:00")), cli_actor("A")
    )

    (item,) = overview(rotas.db, NOW)

    assert item.answer.person is not None
    assert (item.answer.person.id, item.answer.until) == ("asha", at("2026-12-02 09:30"))
    assert [(e.person_id, e.start) for e in item.next] == [
        ("ben", at("2026-12-02 09:30")),
        ("chen", at("2026-12-07 17:30")),
        ("ben", at("2026-12-08 09:30")),
    ]


def test_a_week_is_cut_at_local_midnights_with_overrides_and_gaps_apart(rotas):
    create_override(
        rotas.db,
        NOW,
        NewOverride("re-primary", "fatima", "r", None, at("2026-12-01 10:00"), at("2026-12-01 11:00")),
        cli_actor("A"),
    )

    page = schedule_page(rotas.db, "re-primary", NOW, date(2026, 12, 3))

    assert page.week == date(2026, 11, 30)
    assert [day.day for day in page.days][0::6] == [date(2026, 11, 30), date(2026, 12, 6)]
    tuesday = page.days[1]
    assert [(e.person_id, e.source, e.start, e.end) for e in tuesday.entries] == [
        ("chen", "weeknight cover", at("2026-11-30 17:30"), at("2026-12-01 09:30")),
        ("asha", "weekly", at("2026-12-01 09:30"), at("2026-12-01 10:00")),
        ("fatima", "override", at("2026-12-01 10:00"), at("2026-12-01 11:00")),
        ("asha", "weekly", at("2026-12-01 11:00"), at("2026-12-02 09:30")),
    ]
    assert tuesday.entries[2].override
    assert page.upcoming[0].start == NOW
    assert [o.person_id for o in page.overrides] == ["fatima"]
    assert page.people["fatima"] == "Fatima Hussain"


def test_a_week_before_the_rota_starts_is_one_gap_a_day(rotas):
    page = schedule_page(rotas.db, "re-primary", NOW, date(2025, 6, 4))

    assert all(len(day.entries) == 1 and day.entries[0].person is None for day in page.days)
    assert page.days[0].start == at("2025-06-01 23:00")  # midnight in London, on summer time
