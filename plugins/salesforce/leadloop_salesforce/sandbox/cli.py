"""``python -m leadloop_salesforce.sandbox`` and ``leadloop sandbox salesforce``: serve in the foreground."""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence

from .server import serve


def main(argv: Sequence[str] | None = None, prog: str = "python -m leadloop_salesforce.sandbox") -> int:
    """Parse ``argv`` (without the program name) and serve until Ctrl-C; returns the exit status.

    ``prog`` is the command name shown in ``--help`` (``leadloop sandbox salesforce`` from the CLI).
    """
    parser = argparse.ArgumentParser(
        prog=prog,
        description="A local Salesforce org for tests and demos: OAuth, SOQL query/queryAll, describe, "
                    "sObject Collections, limits and fault injection. Admin API under /_sandbox/.",
    )
    parser.add_argument("--port", type=int, default=8765, help="port on 127.0.0.1 (0: any free port)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the generated data and of random faults")
    for name, default in (("leads", 1000), ("accounts", 100), ("contacts", 200), ("opportunities", 50),
                          ("campaigns", 10), ("members", 300)):
        parser.add_argument(f"--{name}", type=int, default=default,
                            help=f"{name} to generate (default {default})")
    parser.add_argument("--client-id", default="leadloop-sandbox", help="the connected app's consumer key")
    parser.add_argument("--client-secret", default=None, help="require this consumer secret (default: none)")
    parser.add_argument("--refresh-token", default=None,
                        help="the first grant's refresh token, for known demo credentials (default: random)")
    parser.add_argument("--no-rotation", action="store_true", help="keep refresh tokens (no rotation)")
    parser.add_argument("--token-lifetime", type=float, default=7200, help="access token lifetime, seconds")
    parser.add_argument("--daily-limit", type=int, default=100_000, help="API requests per day")
    parser.add_argument("--faults", type=json.loads, default=None,
                        help='fault settings as JSON, e.g. \'{"error_rate": 0.05, "latency_ms": 20}\'')
    parser.add_argument("--quiet", action="store_true", help="do not log requests")
    args = parser.parse_args(argv)
    serve(
        port=args.port, quiet=args.quiet, seed=args.seed, leads=args.leads, accounts=args.accounts,
        contacts=args.contacts, opportunities=args.opportunities, campaigns=args.campaigns,
        members=args.members, client_id=args.client_id, client_secret=args.client_secret,
        refresh_token=args.refresh_token,
        rotate_refresh_tokens=not args.no_rotation, access_token_lifetime=args.token_lifetime,
        daily_limit=args.daily_limit, faults=args.faults,
    )
    return 0
