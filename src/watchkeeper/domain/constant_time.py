"""Comparing a secret someone sent with the one expected, in time that does not say where they differ."""

import hmac


def same_secret(given: str, expected: str) -> bool:
    """`hmac.compare_digest` takes text only when it is ASCII and raises TypeError on anything else, and a token
    from a form, a header or a cookie may be any text: comparing the UTF-8 bytes makes such a token merely wrong
    (lone surrogates, which no form can carry but a test can, are kept rather than refused)."""
    return hmac.compare_digest(given.encode("utf-8", "surrogatepass"), expected.encode("utf-8", "surrogatepass"))
