"""HTTP Basic credentials (RFC 7617), as the Kinetic and Enterprise Tester fakes read them."""

from __future__ import annotations

import base64
import binascii


def basic_user(header: str) -> str | None:
    """The user name of a well-formed ``Basic`` header, else None.

    Well-formed: the scheme ``Basic`` (any case), strict base64, a ``:`` and a non-empty user.
    """
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        raw = base64.b64decode(token.strip(), validate=True)
    except (binascii.Error, ValueError):
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    user, colon, _ = text.partition(":")
    if not colon or not user:
        return None
    return user
