"""schemathesis against the OpenAPI document, on the real app over a real database (both backends) with the
example catalog loaded: every operation, with valid and with invalid input, and not one server error or response
outside the document. It signs in as a platform admin with an API token holding every scope, so every operation
is run for real rather than refused for want of sign-in.

schemathesis's own pytest plugin does not run on this pytest, so each operation's cases are drawn with its
hypothesis strategy here; failures are gathered across operations and reported together."""

from collections.abc import Callable

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import load_all_checks
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from signed_in import ADMIN, Person, token_for
from watchkeeper.domain.access import ALL_SCOPES

load_all_checks()
from schemathesis.checks import not_a_server_error  # noqa: E402  (defined once the checks are loaded)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
EXAMPLES = 15
SCOPES = sorted(scope.value for scope in ALL_SCOPES)
"""Examples an operation and mode, on each backend: a few minutes in all on two shared cores."""


def test_every_operation_answers_within_its_document(loaded):
    def signed_in() -> dict[str, str]:
        """A new token for each case: a case may revoke the token that signs it (`POST /tokens/1/revoke`)."""
        return {"Authorization": f"Bearer {token_for(loaded.db, Person(ADMIN), SCOPES)}"}

    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", loaded.client.app, headers=signed_in())
    operations = [result.ok() for result in schema.get_all_operations()]
    failures: list[str] = []
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            failure = _run(operation, mode, signed_in)
            if failure:
                failures.append(f"{operation.method.upper()} {operation.path} ({mode.value}): {failure}")

    assert len(operations) >= 50
    assert not failures, "\n\n".join(failures)


def _run(operation, mode, signed_in: Callable[[], dict[str, str]]) -> str | None:
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        database=None,
        report_multiple_bugs=False,
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def check(case) -> None:
        response = case.call_and_validate(headers=signed_in(), checks=CHECKS)
        assert response.status_code != 401, "the token signs every request in"

    try:
        check()
    except Unsatisfiable:
        return None  # nothing to make invalid: an operation without parameters or a declared body
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as failure:  # schemathesis's failure groups too, gathered to report every operation
        return str(failure)[:1500]
    return None
