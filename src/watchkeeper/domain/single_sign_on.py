"""Who an OpenID Connect provider says someone is, and whether that is enough to sign them in (ADR 0043).

The ID token's signature, issuer, audience, expiry and nonce are checked before anything here sees its claims;
this decides what the claims are worth. An email links a person to an account and to the catalog, so it counts
only when the provider vouches for it: `email_verified` (the standard claim; Google sends it) or Entra ID's
optional `xms_edov` (the email's domain is verified by the tenant; Entra never sends `email_verified`).
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from watchkeeper.domain import emails

GOOGLE_ISSUER = "https://accounts.google.com"
GOOGLE_ISSUERS = (GOOGLE_ISSUER, "accounts.google.com")
"""Google's documentation: an ID token's `iss` is either; discovery names the first."""
TEXT_LIMIT = 320
SUBJECT_LIMIT = 255


@dataclass(frozen=True)
class Identity:
    issuer: str
    subject: str
    email: str | None
    email_verified: bool
    name: str | None
    hosted_domain: str | None
    """Google's `hd`: the Workspace domain of the account; absent for a personal Google account."""


def subject_problem(subject: object) -> str | None:
    """Why `sub` is not one OpenID Connect allows (Core 1.0, section 2: a non-empty string of at most 255 ASCII
    characters); None when it is. An account is linked to it, so an empty one would link every later empty one."""
    if not isinstance(subject, str) or not subject:
        return "the provider's ID token names no subject (`sub`)"
    if len(subject) > SUBJECT_LIMIT or not subject.isascii() or not subject.isprintable():
        return f"the provider's subject (`sub`) is not at most {SUBJECT_LIMIT} printable ASCII characters"
    return None


def identity_of(claims: Mapping[str, Any], issuer: str) -> Identity:
    """The claims of a verified ID token, read as the person they describe (`issuer` as configured)."""
    return Identity(
        issuer=issuer,
        subject=str(claims["sub"]),
        email=_text(claims.get("email")),
        email_verified=_true(claims.get("email_verified")) or _true(claims.get("xms_edov")),
        name=_text(claims.get("name")),
        hosted_domain=_text(claims.get("hd")),
    )


def _text(value: object) -> str | None:
    if not isinstance(value, str) or not value.strip() or len(value) > TEXT_LIMIT:
        return None
    return value.strip()


def _true(value: object) -> bool:
    # JSON true, or the string some providers send ("true"; Entra's optional claims have been seen as "1")
    return value is True or (isinstance(value, str) and value.strip().lower() in ("true", "1"))


def refusal(identity: Identity, domains: frozenset[str]) -> str | None:
    """Why this identity may not sign in here at all, whatever accounts exist; None when it may."""
    if identity.email is None:
        return "the provider sent no email address: ask your administrator to release the email claim to Watchkeeper"
    if not identity.email_verified:
        return (
            f"the provider did not say that {identity.email} is verified, so it cannot link you to an account: ask"
            " your administrator (Entra ID: add the optional claims email and xms_edov to the ID token)"
        )
    domain = emails.fold(identity.email.rpartition("@")[2])
    if domains and domain not in domains:
        return f"{domain} is not among the email domains allowed to sign in here ({', '.join(sorted(domains))})"
    if domains and identity.issuer in GOOGLE_ISSUERS and emails.fold(identity.hosted_domain or "") not in domains:
        # A personal Google account can carry a work address; only `hd` says the organisation manages it.
        return (
            f"{identity.email} is not an account of your organisation's Google Workspace ({', '.join(sorted(domains))})"
        )
    return None
