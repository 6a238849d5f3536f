"""The web app factory: one FastAPI app from one AppContext."""

from pathlib import Path

from fastapi import FastAPI
from starlette.staticfiles import StaticFiles

from watchkeeper import __version__
from watchkeeper.logs import get_logger
from watchkeeper.web import calendar_feeds, health, inbound, login, metrics, oidc_login, paging, pings
from watchkeeper.web.api import accounts as accounts_api
from watchkeeper.web.api import alerts as alerts_api
from watchkeeper.web.api import audit as audit_api
from watchkeeper.web.api import catalog as catalog_api
from watchkeeper.web.api import checks as checks_api
from watchkeeper.web.api import deliveries as deliveries_api
from watchkeeper.web.api import escalation_policies as policies_api
from watchkeeper.web.api import integrations as integrations_api
from watchkeeper.web.api import maintenance as maintenance_api
from watchkeeper.web.api import oncall as oncall_api
from watchkeeper.web.api import overrides as overrides_api
from watchkeeper.web.api import read_only as read_only_api
from watchkeeper.web.api import reports as reports_api
from watchkeeper.web.api import schedules as schedules_api
from watchkeeper.web.api import silences as silences_api
from watchkeeper.web.api import subjects as subjects_api
from watchkeeper.web.api import teams as teams_api
from watchkeeper.web.api import tokens as tokens_api
from watchkeeper.web.api.openapi import install_openapi
from watchkeeper.web.console import (
    account,
    admin_accounts,
    alerts,
    audit,
    down,
    home,
    integrations,
    oncall,
    reports,
    subjects,
    suppression,
    views,
)
from watchkeeper.web.console.forms import install_cross_site_page
from watchkeeper.web.console.templating import build_templates
from watchkeeper.web.context import AppContext
from watchkeeper.web.guard import Guard
from watchkeeper.web.login import install_access_pages
from watchkeeper.web.problems import install_problem_handlers
from watchkeeper.web.security import SecurityHeaders
from watchkeeper.web.single_sign_on import Provider
from watchkeeper.web.slashes import install_slash_redirects

VENDOR = Path(__file__).parent / "static" / "vendor"
log = get_logger("watchkeeper.web")


def create_app(context: AppContext) -> FastAPI:
    app = FastAPI(
        title="Watchkeeper",
        version=__version__,
        openapi_url=None,  # served by web.api.openapi, for the signed-in only
        # No Swagger UI: it loads its code from a CDN, which the strict Content-Security-Policy and a server
        # without internet access both refuse. The document itself is what clients and tools read.
        docs_url=None,
        redoc_url=None,
    )
    app.state.context = context
    app.state.templates = build_templates()
    single_sign_on = context.settings.single_sign_on()
    if single_sign_on is not None:
        app.state.single_sign_on = Provider(single_sign_on, context.settings.secret_key_value().encode())
    install_problem_handlers(app)
    install_openapi(app)
    install_cross_site_page(app)
    install_access_pages(app)
    install_slash_redirects(app)
    routers = (
        health,
        login,
        oidc_login,
        metrics,
        pings,
        calendar_feeds,
        inbound,
        catalog_api,
        teams_api,
        subjects_api,
        checks_api,
        alerts_api,
        deliveries_api,
        reports_api,
        silences_api,
        maintenance_api,
        oncall_api,
        schedules_api,
        policies_api,
        overrides_api,
        integrations_api,
        read_only_api,
        audit_api,
        accounts_api,
        tokens_api,
        home,
        views,
        subjects,
        down,
        suppression,
        alerts,
        integrations,
        reports,
        paging,
        oncall,
        audit,
        account,
        admin_accounts,
    )
    for module in routers:
        app.include_router(module.router)
    if not (VENDOR / "govuk-frontend.min.js").exists():
        log.warning("front-end assets are missing; run `make setup` to fetch them", directory=str(VENDOR))
    app.mount(
        "/assets",
        StaticFiles(directory=VENDOR, packages=[("watchkeeper.web", "static")], check_dir=False),
        name="assets",
    )
    app.add_middleware(Guard)
    app.add_middleware(SecurityHeaders, settings=context.settings)  # outermost: every response has the headers
    return app
