"""OpenAPI data of the Enterprise Tester fake (docs/contracts/enterprise-tester.md), from the
constants its handlers validate with; read by ``pytest_fakeruns._openapi.document``."""

from __future__ import annotations

from pytest_fakeruns.vendor_kit import (
    GUID_PATTERN,
    UTC_SECONDS,
    OpenApiSpec,
    Operation,
    array,
    enum,
    integer,
    json_answer,
    nullable,
    obj,
    path,
    query,
    ref,
    string,
)

from .data import EXPANDS, EXPANSIONS, ROLES
from .definition import REALM, EnterpriseTester
from .handlers import DEFAULT_TOP
from .query import FILTER_FIELDS, SORTABLE

STATUSES = EnterpriseTester.vocabulary.words()
GUID = string(pattern=GUID_PATTERN)
INSTANT = string(format="date-time", pattern=UTC_SECONDS)
OUTCOMES = ("NotRun", "Passed", "Failed", "Blocked")

STEP = obj(
    {
        "RunId": GUID,
        "Id": GUID,
        "Description": string(),
        "Data": nullable(string()),
        "Notes": nullable(string()),
        "ExpectedResult": string(),
        "ActualResult": nullable(string()),
        "Outcome": enum(OUTCOMES),
        "HasIncidents": {"type": "boolean"},
        "HasAttachments": {"type": "boolean"},
        "Self": string(),
    }
)
ASSIGNMENT = obj(
    {
        "Id": GUID,
        "ScriptId": GUID,
        "Name": string(),
        "Status": enum(STATUSES),
        "AssignedTo": string(),
        "AssignedToId": GUID,
        "PackageId": GUID,
        "Self": string(),
    }
)
_PEOPLE = {}
for _role in ROLES:
    _PEOPLE[_role + "Id"] = GUID
    _PEOPLE[_role] = string()
RUN = obj(
    {
        "Id": GUID,
        "ScriptId": GUID,
        "ScriptVersion": integer(1),
        "AssignmentId": GUID,
        "CreatedAt": INSTANT,
        "LastUpdatedAt": INSTANT,
        **_PEOPLE,
        "Status": enum(STATUSES),
        "Expands": {"const": list(EXPANDS)},
        "Self": string(),
    },
    {
        "ActualDuration": string(pattern=r"^[0-9]+ (second|minute|hour)s?( [0-9]+ minutes?)?$"),
        "StepResults": array(ref("StepResult")),
        "Assignment": ref("Assignment"),
        "Widgets": array({}),
        "FieldValues": {"type": "object"},
    },
)
RUN_LIST = obj(
    {"Items": array(ref("ScriptRun"))}, {"Skip": integer(0), "Top": integer(0), "Total": integer(0)}
)
ERROR = obj({"Message": string()}, {"MessageDetail": string()})
NEW_RUN = obj(
    {},
    {
        "TesterId": nullable(GUID),
        "WidgetValues": nullable({"type": "object"}),
        "FieldValues": nullable({"type": "object"}),
    },
    closed=False,
)

EXPAND = query("$expand", string(), f"comma list of {', '.join(EXPANSIONS)}")
LOCATION = {"Location": string(description="<root>/api/scriptrun/<Id>")}

SPEC = OpenApiSpec(
    description="Script assignment runs (OData query options) and one script run.",
    error=ERROR,
    schemas={"ScriptRun": RUN, "StepResult": STEP, "Assignment": ASSIGNMENT},
    security_schemes={
        "basic": {"type": "http", "scheme": "basic", "description": "any well-formed pair"},
        "oauth1": {
            "type": "http",
            "scheme": "OAuth",
            "description": "OAuth 1.0a; any header carrying oauth_token",
        },
    },
    error_headers={401: {"WWW-Authenticate": {"const": REALM}}},
    operations={
        ("GET", "/api/scriptassignment/{id}/runs"): Operation(
            "List an assignment's runs (OData query options)",
            {200: json_answer(RUN_LIST, "Skip, Top and Total only with $inlinecount=allpages")},
            parameters=[
                path("id", string(), "a GUID (any .NET form); anything else: 404"),
                query("$filter", string(), f"OData subset over {', '.join(FILTER_FIELDS)}"),
                query("$orderby", string(), f"comma list of {', '.join(SORTABLE)} asc|desc"),
                query("$top", integer(0, default=DEFAULT_TOP)),
                query("$take", integer(0), "alias of $top"),
                query("$skip", integer(0, default=0)),
                query("$inlinecount", enum(("allpages", "none"), default="none")),
                EXPAND,
            ],
            errors=(400, 404),
            auth=True,
            auth_statuses=(401, 403),
            parents=("id",),
        ),
        ("POST", "/api/scriptassignment/{id}/runs"): Operation(
            "Start a run, or return the assignment's incomplete one",
            {
                200: json_answer(ref("ScriptRun"), "the incomplete run", **LOCATION),
                201: json_answer(ref("ScriptRun"), "a new run", **LOCATION),
            },
            parameters=[path("id", string()), EXPAND],
            body={"application/json": NEW_RUN},
            errors=(400, 404),
            auth=True,
            parents=("id",),
        ),
        ("GET", "/api/scriptrun/{id}"): Operation(
            "One script run",
            {200: json_answer(ref("ScriptRun"))},
            parameters=[path("id", string()), EXPAND],
            errors=(404,),
            auth=True,
            runs=("id",),
        ),
    },
)
