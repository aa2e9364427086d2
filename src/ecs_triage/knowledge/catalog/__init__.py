"""The signature catalog, in match order: specific wordings first, generic wrappers last.

Each area lives in its own module; `ORDER` below is the only place that says which area is tried first.
Keywords are lowercase substrings of the whitespace-normalised text (cheap pre-checks); regexes are
case-insensitive and match on a prefix wherever possible, because Fargate truncates long reasons.
"""

from __future__ import annotations

from ecs_triage.knowledge.catalog import app, lifecycle, placement, pull, runtime, secrets
from ecs_triage.knowledge.model import Signature

ORDER: tuple[tuple[Signature, ...], ...] = (
    runtime.EARLY,  # disk full, OOM, heap exhaustion, container dependencies: they hide inside pull/start errors
    pull.EARLY,  # rate limit and platform: they hide inside generic pull wordings
    runtime.START,  # entrypoint, exec format, ports
    secrets.SIGNATURES,  # KMS, secrets, logs, EFS, roles
    pull.SIGNATURES,
    placement.SIGNATURES,
    lifecycle.SIGNATURES,
    runtime.RUNTIME,  # agent and runtime errors: before the app's log signatures ("...Error:" is not an app error)
    app.SIGNATURES,
    runtime.GENERIC,
    lifecycle.GENERIC,
)

CATALOG: tuple[Signature, ...] = tuple(s for group in ORDER for s in group)
