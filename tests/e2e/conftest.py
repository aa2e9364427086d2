"""End-to-end fixtures: the demo's worlds (src/ecs_triage/demo) built once per module in moto.

The worlds are the single source of truth for the demo and for these tests. `account` builds every world once
per test module inside `mock_aws` (AWS managed policies loaded) and yields name -> World (ids filled in).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

FAKE_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_CONFIG_FILE": "/nonexistent/aws-config",
    "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/aws-credentials",
}


@pytest.fixture(scope="module")
def account() -> Iterator[dict[str, Any]]:
    moto = pytest.importorskip("moto")
    from moto.moto_api import state_manager

    from ecs_triage.demo import build_worlds

    with pytest.MonkeyPatch.context() as mp:
        for var in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ENDPOINT_URL", "AWS_SESSION_TOKEN"):
            mp.delenv(var, raising=False)
        for key, value in FAKE_ENV.items():
            mp.setenv(key, value)
        with moto.mock_aws(config={"iam": {"load_aws_managed_policies": True}}):
            worlds = build_worlds()
            yield {w.name: w for w in worlds}
        state_manager.unset_transition("ecs::task")


class OperationRecorder:
    """Records every AWS operation sent through botocore (service:Operation), whatever session made it."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        from botocore.client import BaseClient

        original = BaseClient._make_api_call
        recorder = self

        def _make_api_call(client: Any, operation_name: str, api_params: Any) -> Any:
            recorder.calls[f"{client.meta.service_model.service_name}:{operation_name}"] += 1
            return original(client, operation_name, api_params)

        monkeypatch.setattr(BaseClient, "_make_api_call", _make_api_call)


READ_PREFIXES = ("Describe", "List", "Get", "BatchGet", "Simulate", "Lookup")
NEVER = {
    "secretsmanager:GetSecretValue",
    "secretsmanager:BatchGetSecretValue",
    "ssm:GetParameter",
    "ssm:GetParameters",
    "ssm:GetParametersByPath",
    "kms:Decrypt",
    "ecr:GetDownloadUrlForLayer",
    "ecr:GetAuthorizationToken",
}


def assert_read_only(calls: Counter[str]) -> None:
    assert calls, "no AWS call was recorded: the recorder is not wired to the collectors"
    bad = sorted(op for op in calls if not op.split(":", 1)[1].startswith(READ_PREFIXES) or op in NEVER)
    assert not bad, f"non-read-only operations called: {bad}"
    try:
        from ecs_triage.collect.permissions import ALLOWED_OPERATIONS
    except ImportError:
        return
    outside = sorted(op for op in calls if op not in ALLOWED_OPERATIONS)
    assert not outside, f"operations outside the collectors' allow-list: {outside}"


@pytest.fixture(scope="session")
def recorder_type() -> type[OperationRecorder]:
    return OperationRecorder


@pytest.fixture(scope="session")
def read_only() -> Any:
    """The read-only assertion (a fixture, so test modules need not import this conftest)."""
    return assert_read_only
