"""OAuth 2.0 refresh-token flow and session checks, as a connected app on an org behaves.

A *grant* is one user's approval of the app, represented by its refresh token; at most five live
grants per app, a sixth revokes the oldest. With rotation on, every refresh answers a new refresh
token and the one just spent dies; with rotation off the response carries none and the original
keeps working. Access tokens expire after ``access_token_lifetime`` seconds of the sandbox clock.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading
from collections import OrderedDict
from collections.abc import Mapping

from .clock import Clock
from .errors import OAuthError

MAX_GRANTS = 5
MAX_SESSIONS = 1000  # live access tokens kept; the oldest are forgotten first
ORG_ID = "00D5e0000001LLPEA2"
USER_ID = "0055e000001LLPaAAG"


class Auth:
    """Refresh tokens, access tokens and the connected app's settings; thread-safe."""

    def __init__(self, clock: Clock, client_id: str, client_secret: str | None, rotate: bool,
                 access_token_lifetime: float) -> None:
        self.clock = clock
        self.client_id = client_id
        self.client_secret = client_secret
        self.rotate = rotate
        self.access_token_lifetime = access_token_lifetime
        self.refuse_from: float | None = None
        self._grants: OrderedDict[str, None] = OrderedDict()
        self._sessions: OrderedDict[str, float] = OrderedDict()  # access token -> expiry
        self._lock = threading.Lock()

    def new_grant(self, token: str | None = None) -> str:
        """A new refresh token (``token`` when given, for demos with known credentials), as if a user
        approved the app again; the sixth live grant revokes the oldest."""
        token = token or f"5Aep861{secrets.token_urlsafe(48)}"
        with self._lock:
            self._grants[token] = None
            while len(self._grants) > MAX_GRANTS:
                self._grants.popitem(last=False)
        return token

    def refresh(self, form: Mapping[str, str], instance_url: str) -> dict[str, str]:
        """Answer a ``grant_type=refresh_token`` request, or raise :class:`OAuthError`."""
        if form.get("grant_type") != "refresh_token":
            raise OAuthError("unsupported_grant_type", "grant type not supported")
        if form.get("client_id") != self.client_id:
            raise OAuthError("invalid_client_id", "client identifier invalid")
        if self.client_secret is not None and form.get("client_secret") != self.client_secret:
            raise OAuthError("invalid_client", "invalid client credentials")
        now = self.clock.now()
        spent = form.get("refresh_token", "")
        with self._lock:
            if self.refuse_from is not None and now >= self.refuse_from:
                self._grants.clear()  # grants issued from here on work again
                self.refuse_from = None
            if spent not in self._grants:
                raise OAuthError("invalid_grant", "expired access/refresh token")
            access = f"{ORG_ID[:15]}!{secrets.token_urlsafe(72)}"
            self._sessions[access] = now + self.access_token_lifetime
            while len(self._sessions) > MAX_SESSIONS:
                self._sessions.popitem(last=False)
            rotated = None
            if self.rotate:
                rotated = f"5Aep861{secrets.token_urlsafe(48)}"
                del self._grants[spent]
                self._grants[rotated] = None
        identity = f"{instance_url}/id/{ORG_ID}/{USER_ID}"
        issued_at = str(int(now * 1000))
        key = (self.client_secret or self.client_id).encode()
        signature = base64.b64encode(hmac.new(key, (identity + issued_at).encode(), hashlib.sha256).digest())
        body = {
            "access_token": access,
            "signature": signature.decode(),
            "scope": "refresh_token api",
            "instance_url": instance_url,
            "id": identity,
            "token_type": "Bearer",
            "issued_at": issued_at,
        }
        if rotated:
            body["refresh_token"] = rotated
        return body

    def session_valid(self, authorization: str | None) -> bool:
        """True for ``Bearer <token>`` (or ``OAuth <token>``) naming a live, unexpired session."""
        if not authorization:
            return False
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() not in ("bearer", "oauth"):
            return False
        with self._lock:
            expiry = self._sessions.get(token.strip())
            return expiry is not None and self.clock.now() < expiry

    def refuse_tokens(self, at: float | None = None) -> None:
        """Revoke every refresh token now, or at ``at`` (sandbox epoch): refreshes get ``invalid_grant``."""
        with self._lock:
            if at is None or at <= self.clock.now():
                self._grants.clear()
                self.refuse_from = None
            else:
                self.refuse_from = at

    def expire_sessions(self) -> None:
        """End every access token now, as a session timeout or an admin's revoke does."""
        with self._lock:
            self._sessions.clear()

    def state(self) -> dict[str, object]:
        with self._lock:
            return {
                "client_id": self.client_id,
                "rotate_refresh_tokens": self.rotate,
                "access_token_lifetime": self.access_token_lifetime,
                "live_grants": len(self._grants),
                "live_sessions": len(self._sessions),
                "refuse_tokens_from": self.refuse_from,
            }
