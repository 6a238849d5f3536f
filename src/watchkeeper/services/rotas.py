"""A catalog schedule as the on-call maths reads it: its zone, and each layer's start, rotation, turn and
restriction windows."""

from datetime import time

from watchkeeper.catalog.teams import Layer as LayerSpec
from watchkeeper.catalog.teams import Schedule
from watchkeeper.catalog.types import ALL_DAYS
from watchkeeper.domain.oncall import Layer, Rota, Window


def rota_of(schedule: Schedule) -> Rota:
    return Rota(schedule.timezone, tuple(_layer(spec) for spec in schedule.layers))


def _layer(spec: LayerSpec) -> Layer:
    windows = tuple(
        Window(frozenset(ALL_DAYS.index(day) for day in r.days), _clock(r.from_), _clock(r.to)) for r in spec.restrict
    )
    return Layer(spec.start, tuple(spec.rotation), spec.turn, windows)


def _clock(value: time) -> time:
    # The catalog's "24:00" (time.max) is the end of the day: midnight, which a window reads as the next day's.
    return time(0) if value == time.max else value
