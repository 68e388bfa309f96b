"""OpenAPI data of the Workiva fake (docs/contracts/workiva.md), from the constants its handlers
validate with; read by ``pytest_fakeruns._openapi.document``."""

from __future__ import annotations

from pytest_fakeruns.vendor_kit import (
    FORM,
    UTC_SECONDS,
    OpenApiSpec,
    Operation,
    array,
    enum,
    header,
    integer,
    json_answer,
    nullable,
    obj,
    path,
    query,
    ref,
    string,
)

from .definition import ERRORS, Workiva
from .handlers import LIST_PATH, MAX_PAGE, X_VERSION
from .token import LIFETIME, SCOPES, TOKEN_PATH

STATUSES = Workiva.vocabulary.words()
MOMENT = obj({"dateTime": string(format="date-time", pattern=UTC_SECONDS)})

RUN = obj(
    {
        "created": obj(
            {
                "dateTime": string(format="date-time", pattern=UTC_SECONDS),
                "user": obj({"id": string(minLength=1)}),
            }
        ),
        "id": string(format="uuid"),
        "status": enum(STATUSES),
    },
    {"completed": MOMENT, "started": MOMENT},
)
RUN_LIST = obj({"data": array(ref("ScriptRun"))}, {"@nextLink": string(format="uri")})
ERROR = obj(
    {"code": enum(sorted({code for code, _ in ERRORS.values()})), "message": string()},
    {"details": array(obj({"code": string(), "message": string(), "target": nullable(string())}))},
)
IAM_ERROR = obj(
    {
        "error": enum(["invalid_request", "invalid_scope", "unauthorized_client"]),
        "error_description": string(),
    }
)
TOKEN = obj(
    {
        "access_token": string(minLength=1),
        "expires_in": {"const": LIFETIME},
        "scope": string(),
        "token_type": {"const": "Bearer"},
    }
)
TOKEN_FORM = obj(
    {"grant_type": enum(["client_credentials"])},
    {
        "client_id": string(),
        "client_secret": string(),
        "scope": string(description=f"space-separated subset of {' '.join(SCOPES)}"),
    },
    closed=False,
)
VERSION_HEADER = {"X-Version": {"const": X_VERSION}}

SPEC = OpenApiSpec(
    description="The deprecated 2022-01-01 prototype script-runs list and the OAuth token "
    "endpoint.",
    error=ERROR,
    schemas={"ScriptRun": RUN, "IamError": IAM_ERROR},
    security_schemes={
        "oauth2": {
            "type": "oauth2",
            "description": "client credentials; tokens this fake issued are checked for "
            "expiry and scope, any other non-empty bearer token is accepted",
            "flows": {
                "clientCredentials": {
                    "tokenUrl": TOKEN_PATH,
                    "scopes": {scope: scope for scope in SCOPES},
                }
            },
        },
    },
    error_headers={401: {"WWW-Authenticate": {"const": "Bearer"}}},
    operations={
        ("GET", LIST_PATH): Operation(
            "List a script's runs (created ascending, cursor pages)",
            {
                200: json_answer(
                    RUN_LIST, "a page; `@nextLink` only when another page follows", **VERSION_HEADER
                )
            },
            parameters=[
                header(
                    "X-Version",
                    string(default=X_VERSION),
                    f"API version date; the route exists only in {X_VERSION}",
                ),
                path("scriptId", string()),
                query("$maxpagesize", integer(1, MAX_PAGE, default=MAX_PAGE)),
                query("$next", string(), "the opaque cursor of a previous @nextLink"),
            ],
            errors=(400, 404),
            parents=("scriptId",),
        ),
        ("POST", TOKEN_PATH): Operation(
            "Issue an access token (client credentials)",
            {200: json_answer(TOKEN)},
            body={FORM: TOKEN_FORM},
            errors=(400, 401),
            extra_error=ref("IamError"),
        ),
    },
)
