"""Email addresses compared as people expect: without case, and without ever taking one address for another.

Plain `str.lower()` folds too far: the Kelvin sign (U+212A) becomes an ASCII `k`, so a provider-verified
`hana.\u212aowalski@` would be taken for `hana.kowalski@`, and `example.gov.u\u212a` would pass a domain check
for `example.gov.uk`. So a letter is made small unless that would turn a non-ASCII character into ASCII; `Ö`
still matches `ö`. The fold is done here, in Python, for both sides of every comparison (the catalog's people
keep a folded copy), because SQLite's `lower()` folds only ASCII and PostgreSQL's folds everything."""


def fold(address: str) -> str:
    """The address with its letters made small, but for those whose small form would be ASCII when they are not."""
    return "".join(_small(character) for character in address)


def _small(character: str) -> str:
    small = character.lower()
    return character if small.isascii() and not character.isascii() else small
