"""Session-level failures that need no moto: an unreachable endpoint."""

from __future__ import annotations

import pytest

from ecs_triage.collect import collect_target
from ecs_triage.errors import CollectError


def test_endpoint_unreachable(monkeypatch: pytest.MonkeyPatch) -> None:
    from ecs_triage.collect import limits

    monkeypatch.setattr(limits, "MAX_ATTEMPTS", 1)
    monkeypatch.setattr(limits, "CONNECT_TIMEOUT", 1)
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")  # discard port: connection refused
    with pytest.raises(CollectError, match="cannot verify AWS credentials"):
        collect_target(cluster="prod", service="web")
