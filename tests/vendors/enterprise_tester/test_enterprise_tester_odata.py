"""Enterprise Tester ``$filter`` and ``$orderby``: what the subset answers, what it refuses.

Six runs with known fields; each expression's answer is the letters of the runs returned, in
the order returned (default order: CreatedAt descending, so D E C F B A).
"""

from __future__ import annotations

import base64

import pytest

from tests._clients import Api

ET = "enterprise_tester"
BASIC = {"Authorization": "Basic " + base64.b64encode(b"joeb:secret").decode()}
AID = "2264a622-2869-4ef8-8183-a0040106ca9d"
RUNS = f"/api/scriptassignment/{AID}/runs"
JOEB = "e7157154-5f93-4ec4-bde3-0a3e5c66b04a"
MARIAK = "0b3f6a2d-91e4-4c7b-8d05-6e2a1f9c3b74"
ONEIL = "5d2c4b1a-0f9e-4d8c-b7a6-958473625140"
IDS = {
    letter: f"{n:08x}-0000-4000-8000-00000000000{n}" for n, letter in enumerate("ABCDEF", start=1)
}
LETTERS = {ident: letter for letter, ident in IDS.items()}
# letter: (Status, CreatedAt, CreatedBy, RunBy/RunById, ScriptVersion)
DATA = {
    "A": ("Passed", "2011-01-01T14:04:05Z", ("joeb", JOEB), ("joeb", JOEB), 1),
    "B": ("Failed", "2011-06-15T09:00:00Z", ("mariak", MARIAK), ("joeb", JOEB), 2),
    "C": ("Blocked", "2026-03-01T14:04:05Z", ("mariak", MARIAK), ("mariak", MARIAK), 2),
    "D": ("In Progress", "2026-03-02T10:05:06Z", ("o'neil", ONEIL), ("o'neil", ONEIL), 3),
    "E": ("Undetermined", "2026-03-02T09:00:00Z", ("joeb", JOEB), ("mariak", MARIAK), 3),
    "F": ("Not Run", "2025-12-31T23:59:59Z", ("joeb", JOEB), ("joeb", JOEB), 1),
}
# every run waited 10 s and ran 300 s: LastUpdatedAt is CreatedAt + 310 s once ended


@pytest.fixture
def runs(api: Api) -> None:
    et = api.fake.enterprise_tester
    for letter, (status, created, (cb, cbid), (rb, rbid), version) in DATA.items():
        et.add_run(
            assignment_id=AID,
            Id=IDS[letter],
            state=status,
            created_at=created,
            durations={"waitingToRun": 10, "running": 300},
            CreatedBy=cb,
            CreatedById=cbid,
            RunBy=rb,
            RunById=rbid,
            ScriptVersion=version,
        )


def letters(api: Api, **params: str) -> str:
    r = api.get(ET, RUNS, params=params, headers=BASIC)
    assert r.status_code == 200, r.json()
    return "".join(LETTERS[item["Id"]] for item in r.json()["Items"])


FILTERS = [
    # every comparison operator
    ("Status eq 'Passed'", "A"),
    ("Status ne 'Passed'", "DECFB"),
    ("ScriptVersion gt 2", "DE"),
    ("ScriptVersion ge 2", "DECB"),
    ("ScriptVersion lt 2", "FA"),
    ("ScriptVersion le 2", "CFBA"),
    ("ScriptVersion eq -1", ""),
    # every field
    (f"Id eq '{IDS['D']}'", "D"),
    (f"Id eq '{IDS['D'].upper()}'", "D"),
    (f"Id ne '{IDS['D']}'", "ECFBA"),
    ("CreatedAt eq datetime'2026-03-02T09:00:00'", "E"),
    ("CreatedAt gt datetime'2026-03-02T09:00:00'", "D"),
    ("CreatedAt ge datetime'2026-03-02T09:00:00'", "DE"),
    ("CreatedAt lt datetime'2011-06-15T09:00:00'", "A"),
    ("CreatedAt le datetime'2011-06-15T09:00:00.000'", "BA"),
    ("CreatedAt gt datetime'2026-03-02T09:00'", "D"),
    ("CreatedAt le datetime'2025-12-31T23:59:59Z'", "FBA"),
    ("LastUpdatedAt eq datetime'2026-03-01T14:09:15'", "C"),  # ended: CreatedAt + 310 s
    ("LastUpdatedAt eq datetime'2026-03-02T10:05:16'", "D"),  # running: CreatedAt + 10 s
    ("LastUpdatedAt eq datetime'2025-12-31T23:59:59'", "F"),  # waiting: CreatedAt
    ("CreatedBy eq 'mariak'", "CB"),
    ("CreatedBy eq 'o''neil'", "D"),
    ("CreatedBy eq 'JOEB'", ""),
    ("RunBy eq 'joeb'", "FBA"),
    ("RunBy gt 'k'", "DEC"),
    (f"RunById eq '{MARIAK}'", "EC"),
    (f"RunById eq '{MARIAK.upper()}'", "EC"),
    ("ScriptVersion eq 3", "DE"),
    ("Status eq 'Not Run'", "F"),
    ("Status eq 'Undetermined'", "E"),
    # functions
    ("year(CreatedAt) eq 2011", "BA"),
    ("year(CreatedAt) gt 2025", "DEC"),
    ("month(CreatedAt) eq 3", "DEC"),
    ("month(CreatedAt) ne 3", "FBA"),
    ("day(CreatedAt) eq 1", "CA"),
    ("day(LastUpdatedAt) le 1", "CA"),
    ("year(LastUpdatedAt) lt 2026", "FBA"),
    # and, or, not, parentheses, precedence
    ("Status eq 'Passed' or Status eq 'Failed'", "BA"),
    ("ScriptVersion eq 2 and RunBy eq 'joeb'", "B"),
    ("Status eq 'Passed' or Status eq 'Failed' and ScriptVersion eq 1", "A"),
    ("(Status eq 'Passed' or Status eq 'Failed') and ScriptVersion eq 1", "A"),
    ("(Status eq 'Passed' or Status eq 'Failed') and ScriptVersion eq 2", "B"),
    ("not (Status eq 'Passed')", "DECFB"),
    ("not not (Status eq 'Passed')", "A"),
    ("not (year(CreatedAt) eq 2011) and not (RunBy eq 'joeb')", "DEC"),
    ("((ScriptVersion eq 1))", "FA"),
    ("ScriptVersion eq 1 or ScriptVersion eq 2 or ScriptVersion eq 3", "DECFBA"),
    ("ScriptVersion ge 1 and ScriptVersion le 3 and RunBy ne 'joeb'", "DEC"),
    ("Status   eq   'Passed'", "A"),
    ("Status eq'Passed'", "A"),
]


@pytest.mark.fake_runs(progression="manual")
@pytest.mark.usefixtures("runs")
@pytest.mark.parametrize(("expression", "expected"), FILTERS)
def test_filter(api: Api, expression: str, expected: str) -> None:
    assert letters(api, **{"$filter": expression}) == expected
    counted = api.get(
        ET,
        RUNS,
        params={"$filter": expression, "$inlinecount": "allpages", "$top": "1"},
        headers=BASIC,
    ).json()
    assert counted["Total"] == len(expected)


ORDERS = [
    ("CreatedAt desc", "DECFBA"),
    ("CreatedAt", "ABFCED"),
    ("CreatedAt asc", "ABFCED"),
    ("Status", "CBDFAE"),
    ("Status desc", "EAFDBC"),
    ("ScriptVersion", "AFBCDE"),  # ties: Id ascending, the last key's direction
    ("ScriptVersion desc", "EDCBFA"),  # ties: Id descending
    ("ScriptVersion,CreatedAt desc", "FACBDE"),
    ("ScriptVersion desc, CreatedAt", "EDBCAF"),
    ("RunBy, ScriptVersion desc", "BFAECD"),
    ("RunBy desc,Id", "DCEABF"),
    ("LastUpdatedAt desc", "DECFBA"),
    ("Id desc", "FEDCBA"),
    ("Id", "ABCDEF"),
]


@pytest.mark.fake_runs(progression="manual")
@pytest.mark.usefixtures("runs")
@pytest.mark.parametrize(("orderby", "expected"), ORDERS)
def test_orderby(api: Api, orderby: str, expected: str) -> None:
    assert letters(api, **{"$orderby": orderby}) == expected
    paged = "".join(
        letters(api, **{"$orderby": orderby, "$skip": str(i), "$top": "2"}) for i in (0, 2, 4)
    )
    assert paged == expected


@pytest.mark.fake_runs(progression="manual")
@pytest.mark.usefixtures("runs")
def test_filter_orderby_and_paging_together(api: Api) -> None:
    query = {"$filter": "ScriptVersion le 2", "$orderby": "RunBy desc,Id asc"}
    assert letters(api, **query) == "CABF"
    assert letters(api, **query, **{"$skip": "1", "$top": "2"}) == "AB"
    assert letters(api, **query, **{"$skip": "1", "$take": "2"}) == "AB"


FILTER_ERRORS = [
    ("", "Could not read the end of $filter at position 0: the expression is empty."),
    (
        "Status",
        "Could not read the end of $filter at position 6: expected a comparison "
        "operator after Status: eq, ne, gt, ge, lt or le.",
    ),
    (
        "Status eq",
        "Could not read the end of $filter at position 9: expected a value after "
        "'eq': 'text', an integer, true, false or datetime'YYYY-MM-DDTHH:MM:SS'.",
    ),
    (
        "Status EQ 'Passed'",
        "Could not read 'EQ' at position 7 of $filter: expected a "
        "comparison operator after Status: eq, ne, gt, ge, lt or le.",
    ),
    (
        "Status eq 3",
        "Could not read '3' at position 10 of $filter: Status is Edm.String and "
        "cannot be compared with the Edm.Int32 value 3.",
    ),
    (
        "ScriptVersion eq '2'",
        "Could not read \"'2'\" at position 17 of $filter: ScriptVersion "
        "is Edm.Int32 and cannot be compared with the Edm.String value "
        "'2'.",
    ),
    (
        "CreatedAt gt 2011",
        "Could not read '2011' at position 13 of $filter: CreatedAt is "
        "Edm.DateTime and cannot be compared with the Edm.Int32 value 2011.",
    ),
    (
        "year(CreatedAt) eq '2011'",
        "Could not read \"'2011'\" at position 19 of $filter: "
        "year(CreatedAt) is Edm.Int32 and cannot be compared with "
        "the Edm.String value '2011'.",
    ),
    (
        "Status eq true",
        "Could not read 'true' at position 10 of $filter: Status is Edm.String "
        "and cannot be compared with the Edm.Boolean value true.",
    ),
    (
        "RunById eq 5",
        "Could not read '5' at position 11 of $filter: RunById is Edm.Guid and "
        "cannot be compared with the Edm.Int32 value 5.",
    ),
    (
        "Id eq 'abc'",
        "Could not read \"'abc'\" at position 6 of $filter: Id is Edm.Guid and "
        "'abc' is not a GUID.",
    ),
    (
        "status eq 'Passed'",
        "Could not read 'status' at position 0 of $filter: ScriptRun has no "
        "property named 'status'; use one of CreatedAt, CreatedBy, Id, "
        "LastUpdatedAt, RunBy, RunById, ScriptVersion, Status.",
    ),
    (
        "Assignment/Name eq 'x'",
        "Could not read '/' at position 10 of $filter: this character "
        "is not part of the supported syntax.",
    ),
    (
        "startswith(RunBy, 'j') eq true",
        "Could not read 'startswith' at position 0 of $filter: "
        "the function 'startswith' is not supported; use "
        "year(), month() or day().",
    ),
    (
        "hour(CreatedAt) eq 9",
        "Could not read 'hour' at position 0 of $filter: the function "
        "'hour' is not supported; use year(), month() or day().",
    ),
    (
        "year(Status) eq 1",
        "Could not read 'Status' at position 5 of $filter: year() takes a "
        "date property (CreatedAt, LastUpdatedAt); Status is Edm.String.",
    ),
    (
        "year(Foo) eq 1",
        "Could not read 'Foo' at position 5 of $filter: ScriptRun has no "
        "property named 'Foo'; use one of CreatedAt, CreatedBy, Id, "
        "LastUpdatedAt, RunBy, RunById, ScriptVersion, Status.",
    ),
    (
        "year (CreatedAt) eq 1",
        "Could not read 'year' at position 0 of $filter: write year( "
        "without a space before the '('.",
    ),
    (
        "ScriptVersion eq 1.5",
        "Could not read '1.5' at position 17 of $filter: only integer numbers are supported.",
    ),
    (
        "ScriptVersion eq 2L",
        "Could not read '2L' at position 17 of $filter: only integer numbers are supported.",
    ),
    (
        "ScriptVersion add 1 eq 3",
        "Could not read 'add' at position 14 of $filter: 'add' is "
        "not supported; compare with eq, ne, gt, ge, lt or le.",
    ),
    ("Status eq null", "Could not read 'null' at position 10 of $filter: null is not supported."),
    (
        "RunBy eq CreatedBy",
        "Could not read 'CreatedBy' at position 9 of $filter: a property "
        "can only be compared with a literal value, not with another "
        "property.",
    ),
    (
        "'Passed' eq Status",
        "Could not read \"'Passed'\" at position 0 of $filter: expected a "
        "property, or year(), month() or day() of one, on the left of a "
        "comparison.",
    ),
    (
        "Id eq guid'2264a622-2869-4ef8-8183-a0040106ca9d'",
        "Could not read \"guid'2264a622-2869-4ef8-8183-a0040106ca9d'\" at position 6 of $filter: "
        "the literal type 'guid' is not supported; use 'text', an integer, true, false or "
        "datetime'YYYY-MM-DDTHH:MM:SS'.",
    ),
    (
        "CreatedAt gt datetime'2026-13-01T00:00:00'",
        "Could not read \"datetime'2026-13-01T00:00:00'\" at position 13 of $filter: not a valid "
        "date and time; use datetime'YYYY-MM-DDTHH:MM:SS'.",
    ),
    (
        "CreatedAt gt datetime'2026-03-01'",
        "Could not read \"datetime'2026-03-01'\" at position 13 of $filter: not a valid date and "
        "time; use datetime'YYYY-MM-DDTHH:MM:SS'.",
    ),
    (
        "CreatedAt gt datetimeoffset'2026-03-01T00:00:00Z'",
        "Could not read \"datetimeoffset'2026-03-01T00:00:00Z'\" at position 13 of $filter: the "
        "literal type 'datetimeoffset' is not supported; use 'text', an integer, true, false or "
        "datetime'YYYY-MM-DDTHH:MM:SS'.",
    ),
    (
        "Status eq 'Passed",
        'Could not read "\'Passed" at position 10 of $filter: the text '
        "literal is not closed with a quote.",
    ),
    (
        'Status eq "Passed"',
        "Could not read '\"' at position 10 of $filter: this character "
        "is not part of the supported syntax.",
    ),
    (
        "not Status eq 'Passed'",
        "Could not read 'Status' at position 4 of $filter: 'not' "
        "applies to a condition in parentheses, as in not (Status eq "
        "'Passed').",
    ),
    (
        "(Status eq 'Passed'",
        "Could not read the end of $filter at position 19: expected ')' "
        "to close the '(' at position 0.",
    ),
    (
        "Status eq 'Passed')",
        "Could not read ')' at position 18 of $filter: this ')' has no matching '('.",
    ),
    (
        "Status eq 'Passed' Status eq 'Failed'",
        "Could not read 'Status' at position 19 of "
        "$filter: expected 'and', 'or' or the end of the "
        "expression.",
    ),
    (
        "Status eq 'Passed' and",
        "Could not read the end of $filter at position 22: expected a "
        "property, or year(), month() or day() of one, on the left of "
        "a comparison.",
    ),
    (
        "Status eq 'Passed' && ScriptVersion eq 1",
        "Could not read '&' at position 19 of "
        "$filter: this character is not part of the "
        "supported syntax.",
    ),
    (
        "Status in ('Passed')",
        "Could not read 'in' at position 7 of $filter: expected a "
        "comparison operator after Status: eq, ne, gt, ge, lt or le.",
    ),
    (
        "(" * 70 + "Status eq 'Passed'" + ")" * 70,
        "Could not read '(' at position 64 of $filter: nesting deeper than 64 levels is not "
        "supported.",
    ),
]


@pytest.mark.usefixtures("runs")
@pytest.mark.parametrize(("expression", "detail"), FILTER_ERRORS)
def test_filter_outside_the_subset_is_400(api: Api, expression: str, detail: str) -> None:
    r = api.get(ET, RUNS, params={"$filter": expression}, headers=BASIC)
    assert r.status_code == 400
    assert r.json() == {
        "Message": "The query specified in the URI is not valid.",
        "MessageDetail": detail,
    }


ORDER_ERRORS = [
    ("", "Could not read the end of $orderby at position 0: the expression is empty."),
    (
        "CreatedBy",
        "Could not read 'CreatedBy' at position 0 of $orderby: CreatedBy cannot be "
        "sorted on; use CreatedAt, LastUpdatedAt, Status, RunBy, ScriptVersion, Id.",
    ),
    (
        "Name",
        "Could not read 'Name' at position 0 of $orderby: ScriptRun has no property named "
        "'Name'; use CreatedAt, LastUpdatedAt, Status, RunBy, ScriptVersion, Id.",
    ),
    (
        "CreatedAt descending",
        "Could not read 'descending' at position 10 of $orderby: expected "
        "asc, desc, ',' or the end of the expression.",
    ),
    (
        "CreatedAt DESC",
        "Could not read 'DESC' at position 10 of $orderby: expected asc, desc, "
        "',' or the end of the expression.",
    ),
    (
        "Status,",
        "Could not read the end of $orderby at position 7: expected a property: "
        "CreatedAt, LastUpdatedAt, Status, RunBy, ScriptVersion, Id.",
    ),
    (
        "desc",
        "Could not read 'desc' at position 0 of $orderby: expected a property: CreatedAt, "
        "LastUpdatedAt, Status, RunBy, ScriptVersion, Id.",
    ),
    (
        "Status, Status desc",
        "Could not read 'Status' at position 8 of $orderby: Status appears twice.",
    ),
    (
        "year(CreatedAt)",
        "Could not read 'year' at position 0 of $orderby: functions are not supported in $orderby.",
    ),
    (
        "Status;Id",
        "Could not read ';' at position 6 of $orderby: this character is not part of "
        "the supported syntax.",
    ),
]


@pytest.mark.usefixtures("runs")
@pytest.mark.parametrize(("orderby", "detail"), ORDER_ERRORS)
def test_orderby_outside_the_subset_is_400(api: Api, orderby: str, detail: str) -> None:
    r = api.get(ET, RUNS, params={"$orderby": orderby}, headers=BASIC)
    assert r.status_code == 400
    assert r.json() == {
        "Message": "The query specified in the URI is not valid.",
        "MessageDetail": detail,
    }


@pytest.mark.fake_runs(progression="manual")
def test_times_filter_and_sort_as_shown_in_whole_seconds(api: Api) -> None:
    et = api.fake.enterprise_tester
    late, early = IDS["A"], IDS["B"]  # A sorts first by Id, B first by the hidden fraction
    et.add_run(assignment_id=AID, Id=late, created_at="2026-03-02T10:05:06.900Z")
    et.add_run(assignment_id=AID, Id=early, created_at="2026-03-02T10:05:06.100Z")
    shown = {i["Id"]: i["CreatedAt"] for i in api.get(ET, RUNS, headers=BASIC).json()["Items"]}
    assert set(shown.values()) == {"2026-03-02T10:05:06Z"}
    assert letters(api, **{"$filter": "CreatedAt eq datetime'2026-03-02T10:05:06'"}) == "BA"
    assert letters(api, **{"$filter": "CreatedAt gt datetime'2026-03-02T10:05:06'"}) == ""
    assert letters(api, **{"$filter": "CreatedAt lt datetime'2026-03-02T10:05:06.5'"}) == "BA"
    # equal CreatedAt: the Id decides, in the direction of the last key
    assert letters(api) == "BA"
    assert letters(api, **{"$orderby": "CreatedAt desc"}) == "BA"
    assert letters(api, **{"$orderby": "CreatedAt desc,Id desc"}) == "BA"
    assert letters(api, **{"$orderby": "CreatedAt"}) == "AB"
    assert letters(api, **{"$orderby": "Status,CreatedAt"}) == "AB"
