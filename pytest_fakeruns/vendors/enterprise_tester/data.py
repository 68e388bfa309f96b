"""Enterprise Tester data: people, scripts, assignments (the parent), the fields of a run and
the run object (docs/contracts/enterprise-tester.md §4).

Step results are not stored: a script's steps follow from its ``ScriptId`` and a run's step
outcomes from its state and id, when the run is shown with ``$expand=StepResults``.
"""

from __future__ import annotations

import random
import re
import uuid
from typing import Any

from pytest_fakeruns.vendor_kit import FakeRunsError, Gen, Parent, Position, Run, State, iso_seconds

EXPANDS = ["Assignment", "StepResults"]
EXPANSIONS = ("StepResults", "Assignment", "Widgets", "FieldValues")
ADMINISTRATOR = "Administrator"

_GUID_FORMS = re.compile(
    r"(?:\{(?P<b>[0-9a-fA-F-]{36})\}|\((?P<p>[0-9a-fA-F-]{36})\)|(?P<d>[0-9a-fA-F-]{36})"
    r"|(?P<n>[0-9a-fA-F]{32}))\Z"
)
_GUID_D = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\Z")

# (script name, steps as (Description, ExpectedResult)); a script shows its first 2-5 steps
SCENARIOS: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    (
        "Log in with valid credentials",
        (
            ("Open the login page", "The login form is shown"),
            ("Enter a valid user name and password", "Both fields accept the input"),
            ("Click Log In", "The dashboard opens with the user's name in the header"),
            ("Reload the page", "The user stays logged in"),
            ("Click Log Out", "The login page is shown again"),
        ),
    ),
    (
        "Create a purchase order",
        (
            ("Open Purchasing > New Order", "An empty order form is shown"),
            ("Select supplier 'Acme Supplies'", "The supplier's address is filled in"),
            ("Add two order lines", "The order total is the sum of both lines"),
            ("Click Submit", "The order is saved with status Pending Approval"),
            ("Open the order from the list", "All entered values are shown unchanged"),
        ),
    ),
    (
        "Reset a forgotten password",
        (
            ("Click 'Forgot password' on the login page", "The reset form is shown"),
            ("Enter the registered e-mail address", "A confirmation message is shown"),
            ("Open the link in the reset e-mail", "The new password form is shown"),
            ("Enter and confirm a new password", "The password is changed"),
            ("Log in with the new password", "The dashboard opens"),
        ),
    ),
    (
        "Export the monthly report",
        (
            ("Open Reports > Monthly", "The report for the current month is shown"),
            ("Choose the previous month", "The figures change to the previous month"),
            ("Click Export as PDF", "A PDF download starts"),
            ("Open the downloaded file", "The PDF matches the report on screen"),
            ("Click Export as CSV", "A CSV file with one row per line item is downloaded"),
        ),
    ),
    (
        "Search customers by name",
        (
            ("Open Customers", "The customer list is shown"),
            ("Type 'smi' in the search box", "Only customers whose name contains 'smi' are listed"),
            ("Clear the search box", "The full list is shown again"),
            ("Search for a name that does not exist", "'No customers found' is shown"),
            ("Sort the results by name", "The list is in alphabetical order"),
        ),
    ),
)
FAILURES = (
    "An error page was shown instead of the expected result",
    "The page did not respond within 30 seconds",
    "The saved value differs from the value entered",
    "Validation message 'Required field' shown although the field was filled in",
    "HTTP 500 returned by the server",
)


# -- GUIDs and people --------------------------------------------------------------------------


def guid(text: str) -> str | None:
    """``text`` as a lowercase GUID (the forms .NET parses: D, N, B, P), else None."""
    m = _GUID_FORMS.match(text)
    if m is None:
        return None
    raw = m.group("b") or m.group("p") or m.group("d") or m.group("n")
    raw = raw.lower()
    if len(raw) == 32:
        raw = str(uuid.UUID(hex=raw))
    return raw if _GUID_D.match(raw) else None


def make_user(faker: Any) -> tuple[str, str]:
    """A login in the seed's style (first name and last initial: ``joeb``) and its GUID."""
    first = re.sub(r"[^a-z]", "", str(faker.first_name()).lower())
    last = re.sub(r"[^a-z]", "", str(faker.last_name()).lower())
    return first + last[:1], str(faker.uuid4())


def users(gen: Gen) -> list[tuple[str, str]]:
    return gen.pool("users", 16, make_user)


def user_id(gen: Gen, login: str) -> str:
    """The GUID of ``login``: its pool entry, or one derived from the seed and the login."""
    for name, ident in users(gen):
        if name == login:
            return ident
    return gen.uuid4(gen.derived(f"user:{login}"))


def login_of(gen: Gen, ident: str, known: dict[str, str] | None = None) -> str:
    """The login of user ``ident``: a pool user, one seen before, or a name Faker made."""
    for name, pool_id in users(gen):
        if pool_id == ident:
            return name
    if known and ident in known:
        return known[ident]
    names = gen.pool("testers", 32, lambda faker: make_user(faker)[0])
    return names[int(ident.replace("-", ""), 16) % len(names)]


# -- scripts and assignments -------------------------------------------------------------------


def _scenario(script_id: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    digits = int(script_id.replace("-", ""), 16)
    name, steps = SCENARIOS[digits % len(SCENARIOS)]
    return name, steps[: 2 + (digits >> 8) % 4]


def new_assignment(gen: Gen, key: str | None) -> tuple[str, dict[str, Any]]:
    rng = gen.derived(f"assignment:{key}")
    if key is None:
        key = gen.uuid4(rng)
    login, ident = rng.choice(users(gen))
    return key, {
        "ScriptId": gen.uuid4(rng),
        "ScriptVersion": rng.randint(1, 5),
        "AssignedTo": login,
        "AssignedToId": ident,
        "PackageId": gen.uuid4(rng),
    }


def assignment_object(key: str, data: dict[str, Any], status: str, root: str) -> dict[str, Any]:
    return {
        "Id": key,
        "ScriptId": data["ScriptId"],
        "Name": _scenario(data["ScriptId"])[0],
        "Status": status,
        "AssignedTo": data["AssignedTo"],
        "AssignedToId": data["AssignedToId"],
        "PackageId": data["PackageId"],
        "Self": f"{root}/api/scriptassignment/{key}",
    }


# -- the run -----------------------------------------------------------------------------------


def _plural(n: int, unit: str) -> str:
    return f"{n} {unit}" if n == 1 else f"{n} {unit}s"


def duration_text(seconds: float) -> str:
    """``ActualDuration``: ``"45 seconds"``, ``"5 minutes"``, ``"2 hours 1 minute"``."""
    whole = max(int(seconds), 0)
    if whole < 60:
        return _plural(whole, "second")
    if whole < 3600:
        return _plural(whole // 60, "minute")
    return f"{_plural(whole // 3600, 'hour')} {_plural(whole % 3600 // 60, 'minute')}"


def run_object(
    run: Run, expand: frozenset[str] = frozenset(), root: str | None = None
) -> dict[str, Any]:
    """The run as the list shows it; ``Assignment`` is added by the handler (it reads the
    assignment's other runs)."""
    f = run.fields
    base = run.base_url if root is None else root
    out: dict[str, Any] = {"Id": run.id}
    if run.ended_at_ is not None:
        began = run.started_at_ or run.created_at_
        out["ActualDuration"] = duration_text((run.ended_at_ - began).total_seconds())
    out["ScriptId"] = f["ScriptId"]
    out["ScriptVersion"] = f["ScriptVersion"]
    out["AssignmentId"] = run.parent
    out["CreatedAt"] = iso_seconds(run.created_at_)
    out["LastUpdatedAt"] = iso_seconds(run.updated_at)
    for role in ("CreatedBy", "RunBy", "LastUpdatedBy"):
        out[role + "Id"] = f[role + "Id"]
        out[role] = f[role]
    out["Status"] = run.status
    out["Expands"] = list(EXPANDS)
    if "StepResults" in expand:
        out["StepResults"] = step_results(run, base)
    if "Widgets" in expand:
        out["Widgets"] = []
    if "FieldValues" in expand:
        out["FieldValues"] = {}
    out["Self"] = f"{base}/api/scriptrun/{run.id}"
    return out


def with_assignment(shown: dict[str, Any], assignment: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``shown`` with ``Assignment`` in its place (after ``StepResults``)."""
    out: dict[str, Any] = {}
    for key, value in shown.items():
        if key in ("Widgets", "FieldValues", "Self") and "Assignment" not in out:
            out["Assignment"] = assignment
        out[key] = value
    return out


def _outcomes(run: Run, count: int, rng: random.Random) -> tuple[list[str], int | None]:
    """Each step's Outcome, and the index of the failing step (None when none failed)."""
    state = run.state_
    done = ["Passed"] * count
    if state is State.WAITING or (state is State.RUNNING and run.fields.get("_fresh")):
        return ["NotRun"] * count, None
    if state is State.RUNNING:
        k = rng.randrange(count)
        return ["Passed"] * k + ["NotRun"] * (count - k), None
    if state is State.COMPLETED:
        if run.outcome_label is None and run.status != "Undetermined":
            return done, None
        k = rng.randrange(count)
        return ["Passed"] * k + ["NotRun"] * (count - k), None
    stop = rng.randrange(count) if run.started_at_ is not None else 0
    word = "Failed" if state is State.FAILED else "Blocked"
    return ["Passed"] * stop + [word] + ["NotRun"] * (count - stop - 1), (
        stop if state is State.FAILED else None
    )


def step_results(run: Run, root: str) -> list[dict[str, Any]]:
    rng = random.Random(f"steps:{run.id}")
    _, steps = _scenario(run.fields["ScriptId"])
    outcomes, failed = _outcomes(run, len(steps), rng)
    out = []
    for index, ((description, expected), outcome) in enumerate(zip(steps, outcomes, strict=True)):
        ident = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        actual = None
        if index == failed:
            actual = run.reason or FAILURES[rng.randrange(len(FAILURES))]
        out.append(
            {
                "RunId": run.id,
                "Id": ident,
                "Description": description,
                "Data": None,
                "Notes": None,
                "ExpectedResult": expected,
                "ActualResult": actual,
                "Outcome": outcome,
                "HasIncidents": False,
                "HasAttachments": False,
                "Self": f"{root}/api/stepresult/{ident}",
            }
        )
    return out


# -- assignments and the fields of a run ---------------------------------------------------

ROLES = ("CreatedBy", "RunBy", "LastUpdatedBy")
# add_run's vendor fields (besides the canonical keys, assignment_id and Id)
RUN_FIELDS = (*ROLES, *(r + "Id" for r in ROLES), "ScriptId", "ScriptVersion")


def new_parent(gen: Gen, key: str | None) -> tuple[str, dict[str, Any]]:
    if key is not None:
        normal = guid(key)
        if normal is None:
            raise FakeRunsError(
                f"enterprise_tester assignment_id must be a GUID like "
                f"'2264a622-2869-4ef8-8183-a0040106ca9d', not {key!r}"
            )
        key = normal
    return new_assignment(gen, key)


def run_fields(gen: Gen, parent: Parent, given: dict[str, Any], at: Position) -> dict[str, Any]:
    data = parent.data
    if not given:  # add_runs: one tester from the pool created, ran and updated the run
        login, ident = gen.rng.choice(users(gen))
        return {
            "ScriptId": data["ScriptId"],
            "ScriptVersion": data["ScriptVersion"],
            "CreatedById": ident,
            "CreatedBy": login,
            "RunById": ident,
            "RunBy": login,
            "LastUpdatedById": ident,
            "LastUpdatedBy": login,
        }
    unknown = sorted(set(given) - set(RUN_FIELDS))
    if unknown:
        raise FakeRunsError(
            f"enterprise_tester add_run() got unknown field(s) {', '.join(unknown)}; "
            "allowed: state/Status, outcome, created_at, durations, reason, "
            "assignment_id/AssignmentId, Id, " + ", ".join(RUN_FIELDS)
        )
    fields: dict[str, Any] = {}
    script_id = given.get("ScriptId")
    if script_id is not None:
        normal = guid_field("ScriptId", script_id)
        data["ScriptId"] = normal
    fields["ScriptId"] = data["ScriptId"]
    version = given.get("ScriptVersion", data["ScriptVersion"])
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise FakeRunsError(f"enterprise_tester ScriptVersion must be an int >= 1, not {version!r}")
    # a script id or version given is the assignment's from now on (POST runs use it)
    fields["ScriptVersion"] = data["ScriptVersion"] = version
    fields.update(_people(gen, given))
    return fields


def guid_field(name: str, value: object) -> str:
    normal = guid(value) if isinstance(value, str) else None
    if normal is None:
        raise FakeRunsError(f"enterprise_tester {name} must be a GUID string, not {value!r}")
    return normal


def _people(gen: Gen, given: dict[str, Any]) -> dict[str, str]:
    """CreatedBy/RunBy/LastUpdatedBy logins and ids. A role given by login or id gets the
    other from the user it names; RunBy defaults to CreatedBy, LastUpdatedBy to RunBy,
    CreatedBy to the first role given, else one tester from the seeded pool."""
    named: dict[str, tuple[str, str]] = {}
    for role in ROLES:
        login, ident = given.get(role), given.get(role + "Id")
        if login is not None and (not isinstance(login, str) or not login):
            raise FakeRunsError(
                f"enterprise_tester {role} must be a non-empty string, not {login!r}"
            )
        if ident is not None:
            ident = guid_field(role + "Id", ident)
        if login is not None or ident is not None:
            named[role] = (
                login if login is not None else login_of(gen, str(ident)),
                ident if ident is not None else user_id(gen, str(login)),
            )
    first = next(iter(named.values()), None) or gen.rng.choice(users(gen))
    created = named.get("CreatedBy", first)
    ran = named.get("RunBy", created)
    updated = named.get("LastUpdatedBy", ran)
    out: dict[str, str] = {}
    for role, (login, ident) in zip(ROLES, (created, ran, updated), strict=True):
        out[role + "Id"] = ident
        out[role] = login
    return out
