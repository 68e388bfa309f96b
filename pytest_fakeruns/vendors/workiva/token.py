"""Workiva ``POST /iam/v1/oauth2/token`` (client credentials) and the check of the tokens it
issued (docs/contracts/workiva.md §2, §3.2)."""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass

from pytest_fakeruns.vendor_kit import Context, Response

from ..common.basic_auth import basic_credentials

TOKEN_PATH = "/iam/v1/oauth2/token"
SCOPES = ("file:read", "file:write")
LIFETIME = 600  # seconds
_FORM = "application/x-www-form-urlencoded"
_TOKEN_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
_STATE_KEY = "workiva.tokens"


@dataclass(frozen=True)
class Issued:
    expires_at: _dt.datetime
    scopes: frozenset[str]


def _issued(ctx: Context) -> dict[str, Issued]:
    """Tokens this fake issued; they live in the store, so ``reset()`` forgets them."""
    table: dict[str, Issued] = ctx.vendor.store.extra.setdefault(_STATE_KEY, {})
    return table


def check_token(ctx: Context, token: str) -> None:
    """A fake-issued token must be unexpired and carry ``file:read``; any other is long-lived."""
    issued = _issued(ctx).get(token)
    if issued is None:
        return
    if ctx.vendor.clock.now() >= issued.expires_at:
        raise ctx.fail(401)
    if "file:read" not in issued.scopes:
        raise ctx.fail(403)


def _iam_error(ctx: Context, status: int, error: str, description: str) -> Response:
    return ctx.json({"error": error, "error_description": description}, status)


def _form_body(ctx: Context) -> dict[str, str] | None:
    """The form fields of the body (empty body: none); None when it is not form-encoded.

    A body says what it is by its ``Content-Type``; without one, a body that opens like JSON
    or XML (``{``, ``[``, ``<``) or does not parse as a form is not form-encoded either.
    """
    body = ctx.request.body
    if not body:
        return {}
    given = ctx.request.headers.get("Content-Type")
    media = (given or _FORM).split(";")[0].strip().lower()
    if media != _FORM or (given is None and body.lstrip()[:1] in (b"{", b"[", b"<")):
        return None
    return ctx.form()


def _basic_credentials(header: str) -> tuple[str, str] | None:
    """(client_id, client_secret) of a ``Basic`` header; None when it is not valid base64 of
    ``id:secret`` with both non-empty (RFC 6749 §2.3.1)."""
    found = basic_credentials(header)
    return found if found is not None and found[1] else None


def _is_basic(header: str) -> bool:
    return header.strip().partition(" ")[0].lower() == "basic"


def issue_token(ctx: Context) -> Response:
    """Client credentials in the ``Authorization: Basic`` header (preferred; it wins over the
    body) or as ``client_id``/``client_secret`` form fields (contract §3.2)."""
    form = _form_body(ctx)
    if form is None:
        return _iam_error(
            ctx,
            400,
            "invalid_request",
            f"the request body must be {_FORM} (grant_type=client_credentials)",
        )
    if form.get("grant_type") != "client_credentials":
        return _iam_error(ctx, 400, "invalid_request", "grant_type must be client_credentials")
    header = ctx.request.headers.get("Authorization")
    if header is not None and _is_basic(header):
        if _basic_credentials(header) is None:
            # RFC 6749 §5.2: a failed Authorization-header client gets the challenge back
            refused = _iam_error(
                ctx,
                401,
                "unauthorized_client",
                "the Basic Authorization header must be base64 of client_id:client_secret, "
                "both non-empty",
            )
            refused.headers["WWW-Authenticate"] = 'Basic realm="iam"'
            return refused
    elif not form.get("client_id") or not form.get("client_secret"):
        return _iam_error(
            ctx, 401, "unauthorized_client", "client_id and client_secret are required"
        )
    wanted = (form.get("scope") or "").split()
    unknown = [w for w in wanted if w not in SCOPES]
    if unknown:
        return _iam_error(
            ctx,
            400,
            "invalid_scope",
            f"unknown scope {unknown[0]!r}; scopes are {' '.join(SCOPES)}",
        )
    granted = tuple(s for s in SCOPES if s in wanted) if wanted else SCOPES
    table = _issued(ctx)
    rng = ctx.vendor.gen.derived(f"token:{len(table)}")
    token = "".join(rng.choices(_TOKEN_CHARS, k=40))
    now = ctx.vendor.clock.now()
    table[token] = Issued(now + _dt.timedelta(seconds=LIFETIME), frozenset(granted))
    return ctx.json(
        {
            "access_token": token,
            "expires_in": LIFETIME,
            "scope": " ".join(granted),
            "token_type": "Bearer",
        }
    )
