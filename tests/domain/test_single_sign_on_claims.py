"""What an ID token's claims are worth: Google's `email_verified` and `hd`, Entra ID's `xms_edov`, allowed domains."""

import pytest

from watchkeeper.domain.single_sign_on import GOOGLE_ISSUER, identity_of, refusal

KEYCLOAK = "https://id.example.org/realms/staff"
DOMAINS = frozenset({"example.gov.uk"})


def _claims(**more: object) -> dict[str, object]:
    return {"sub": "248289761001", "email": "asha.patel@example.gov.uk", "name": "Asha Patel", **more}


def test_a_google_workspace_account_in_an_allowed_domain_may_sign_in():
    identity = identity_of(_claims(email_verified=True, hd="example.gov.uk"), GOOGLE_ISSUER)

    assert identity.subject == "248289761001"
    assert identity.hosted_domain == "example.gov.uk"
    assert refusal(identity, DOMAINS) is None


def test_a_personal_google_account_with_a_work_address_is_not_the_organisations():
    identity = identity_of(_claims(email_verified=True), GOOGLE_ISSUER)

    assert refusal(identity, DOMAINS) == (
        "asha.patel@example.gov.uk is not an account of your organisation's Google Workspace (example.gov.uk)"
    )
    assert refusal(identity, frozenset()) is None  # no domains set: any verified email


def test_another_providers_hd_claim_means_nothing():
    assert refusal(identity_of(_claims(email_verified=True), KEYCLOAK), DOMAINS) is None


@pytest.mark.parametrize("edov", [True, "true", "1"])
def test_entra_ids_domain_owner_verified_claim_stands_for_email_verified(edov):
    issuer = "https://login.microsoftonline.com/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0"

    assert identity_of(_claims(xms_edov=edov), issuer).email_verified


@pytest.mark.parametrize("claims", [{}, {"email_verified": False}, {"email_verified": "no"}, {"xms_edov": False}])
def test_an_email_nobody_vouches_for_is_refused(claims):
    identity = identity_of(_claims(**claims), KEYCLOAK)

    assert not identity.email_verified
    assert "did not say that asha.patel@example.gov.uk is verified" in (refusal(identity, frozenset()) or "")


def test_no_email_at_all_is_refused_with_what_to_ask_for():
    identity = identity_of({"sub": "x", "email_verified": True}, KEYCLOAK)

    assert "sent no email address" in (refusal(identity, frozenset()) or "")


def test_a_domain_is_compared_without_case():
    identity = identity_of(_claims(email="Asha.Patel@Example.GOV.UK", email_verified=True), KEYCLOAK)

    assert refusal(identity, DOMAINS) is None
    assert "example.gov.uk is not among" in (refusal(identity, frozenset({"example.org"})) or "")


def test_claims_of_the_wrong_type_or_size_are_ignored():
    identity = identity_of(_claims(email=["a@b"], name="x" * 1000, hd=7, email_verified=True), KEYCLOAK)

    assert (identity.email, identity.name, identity.hosted_domain) == (None, None, None)
