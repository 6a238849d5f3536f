"""Catalog ids made from names people chose elsewhere: lower-case, at most 63 characters, and unique.

Ids must not depend on the order of an export, so that importing the same account twice gives the same
ids: every id wanted more than once gets its own tag (the source's id for the object) as a suffix, not just
the second one.
"""

import re
import unicodedata
from collections import Counter
from collections.abc import Sequence

MAX_LENGTH = 63


def slug(text: str, fallback: str) -> str:
    """`Shop – Checkout (EU)` becomes `shop-checkout-eu`; a name with no Latin letters or digits, `fallback`."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    words = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return words[:MAX_LENGTH].rstrip("-") or fallback


def with_suffix(ident: str, tag: str) -> str:
    suffix = f"-{tag}"
    return ident[: MAX_LENGTH - len(suffix)].rstrip("-") + suffix


def unique_ids(wanted: Sequence[tuple[str, str]]) -> list[str]:
    """One id per (base id, tag): a base wanted more than once becomes `base-tag` everywhere it is wanted.

    A suffix can make a new clash (`web-1` wanted by a check named "web 1"), so the rule is applied until
    nothing clashes; entries that share a base and a tag as well get their position too.
    """
    ids = [base for base, _ in wanted]
    for attempt in range(MAX_LENGTH):
        counts = Counter(ids)
        if all(count == 1 for count in counts.values()):
            return ids
        ids = [
            with_suffix(ident, tag if attempt < 2 else f"{tag}-{position}") if counts[ident] > 1 else ident
            for position, (ident, (_, tag)) in enumerate(zip(ids, wanted, strict=True))
        ]
    raise AssertionError(f"ids still clash after {MAX_LENGTH} attempts: {sorted(set(ids))}")
