"""When each check runs: at a stable phase inside its interval, so that load is spread evenly (no burst at
:00), and start to start, so that a slow target delays nobody else. Pure."""

import hashlib
import math
from dataclasses import dataclass


def phase(check_id: str, interval: float) -> float:
    """Seconds into each interval at which this check starts; the same for the same id and interval."""
    digest = hashlib.blake2b(check_id.encode(), digest_size=8).digest()
    return (int.from_bytes(digest, "big") / 2**64) * interval


def next_start(after: float, interval: float, offset: float) -> float:
    """The first start strictly after `after` (epoch seconds) on the grid offset + k * interval."""
    k = math.floor((after - offset) / interval) + 1
    return offset + k * interval


@dataclass(frozen=True)
class Shard:
    """One probe process's share of the checks: those whose id hashes to `index` out of `count`. The share
    is stable, so a check stays with one process (and its state with it) while the count stays the same."""

    index: int = 0
    count: int = 1

    def owns(self, check_id: str) -> bool:
        if self.count == 1:
            return True
        digest = hashlib.blake2b(check_id.encode(), digest_size=8, person=b"shard").digest()
        return int.from_bytes(digest, "big") % self.count == self.index
