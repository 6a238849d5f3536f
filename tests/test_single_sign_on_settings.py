"""The WATCHKEEPER_OIDC_* settings: a usable single sign-on, or a clear refusal at start, never the secret."""

import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from watchkeeper.logs import Redactor
from watchkeeper.settings import Settings, SettingsError
from watchkeeper.wiring import build

SECRET = "client-secret-not-to-be-seen-0123"
FULL = {
    "public_url": "https://wk.example.gov.uk/",
    "oidc_issuer": "https://accounts.google.com",
    "oidc_client_id": "1234.apps.googleusercontent.com",
    "oidc_client_secret": SECRET,
}


def test_a_complete_configuration_gives_the_callback_and_the_providers_name():
    sso = Settings(**FULL, oidc_email_domains=" Example.gov.uk, @example.org ,").single_sign_on()

    assert sso is not None
    assert sso.redirect_uri == "https://wk.example.gov.uk/login/oidc/callback"
    assert sso.name == "Google"
    assert sso.email_domains == frozenset({"example.gov.uk", "example.org"})
    assert sso.client_secret.get_secret_value() == SECRET
    assert SECRET not in repr(sso)


def test_nothing_set_is_no_single_sign_on():
    assert Settings().single_sign_on() is None


def test_the_secret_is_read_from_a_file(tmp_path: Path):
    secret = tmp_path / "secret"
    secret.write_text(SECRET + "\n")
    values = {k: v for k, v in FULL.items() if k != "oidc_client_secret"}

    sso = Settings(**values, oidc_client_secret_file=secret, oidc_name="Staff ID").single_sign_on()

    assert sso is not None
    assert sso.client_secret.get_secret_value() == SECRET
    assert sso.name == "Staff ID"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"oidc_client_id": None}, "single sign-on needs WATCHKEEPER_OIDC_CLIENT_ID"),
        ({"oidc_client_secret": " "}, "single sign-on needs WATCHKEEPER_OIDC_CLIENT_SECRET"),
        ({"public_url": None}, "single sign-on needs WATCHKEEPER_PUBLIC_URL"),
        ({"oidc_issuer": None}, "WATCHKEEPER_OIDC_CLIENT_ID is set but WATCHKEEPER_OIDC_ISSUER is not"),
        ({"oidc_client_secret": None, "oidc_client_secret_file": "/nonexistent/secret"}, "cannot be read"),
    ],
)
def test_an_incomplete_configuration_is_refused_saying_what_is_missing(change, message):
    settings = Settings(**{**FULL, **change})

    with pytest.raises(SettingsError, match=message) as refused:
        settings.single_sign_on()
    assert SECRET not in str(refused.value)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("oidc_issuer", "http://id.example.org", "is not an issuer URL"),
        ("oidc_issuer", "https://id.example.org/?tenant=1", "is not an issuer URL"),
        ("oidc_issuer", "https://login.microsoftonline.com/common/v2.0", "lets every Microsoft tenant sign in"),
        ("oidc_issuer", "https://login.microsoftonline.com/organizations/v2.0", "give your own tenant's issuer"),
        ("oidc_email_domains", "example.gov.uk,not a domain", "is not a domain"),
        ("oidc_name", "Google\nInjected", "control characters"),
    ],
)
def test_a_malformed_setting_is_refused_with_the_reason(field, value, message):
    with pytest.raises(ValidationError, match=message):
        Settings(**{**FULL, field: value})


def test_a_provider_on_loopback_may_use_plain_http_for_tests():
    assert Settings(**{**FULL, "oidc_issuer": "http://127.0.0.1:8081"}).oidc_issuer == "http://127.0.0.1:8081"


def test_serve_refuses_to_start_with_single_sign_on_half_set_up(tmp_path: Path):
    env = {
        "PATH": "/usr/bin:/bin",
        "WATCHKEEPER_DATABASE_URL": f"sqlite:///{tmp_path}/wk.db",
        "WATCHKEEPER_SECRET_KEY": "serve-test-secret-key-0123456789-abcdefghij",
        "WATCHKEEPER_OIDC_ISSUER": "https://accounts.google.com",
        "WATCHKEEPER_OIDC_CLIENT_SECRET": SECRET,
    }
    result = subprocess.run(
        [sys.executable, "-m", "watchkeeper", "serve", "--port", "0"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )

    assert result.returncode == 1
    assert "single sign-on needs WATCHKEEPER_OIDC_CLIENT_ID" in result.stderr
    assert "Traceback" not in result.stderr
    assert SECRET not in result.stderr + result.stdout


def test_the_client_secret_is_masked_in_any_log_line_once_the_server_is_built(tmp_path: Path):
    redactor = Redactor()
    settings = Settings(
        **FULL, database_url=f"sqlite:///{tmp_path}/wk.db", secret_key="build-test-secret-key-0123456789-abcdefghij"
    )

    build(settings, redactor=redactor)

    assert redactor.mask(f"the token endpoint said: bad client_secret={SECRET}") == (
        "the token endpoint said: bad client_secret=[redacted]"
    )
