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
    with pytest.raises(CollectError, match="AWS endpoint not reachable"):
        collect_target(cluster="prod", service="web")


def test_endpoint_that_never_answers_fails_after_one_read_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    """A black hole (accepts, never replies) ends the run after one read timeout, not after every retry
    of every concurrent call."""
    import socket
    import time

    from ecs_triage.collect import limits

    monkeypatch.setattr(limits, "READ_TIMEOUT", 1)
    hole = socket.socket()
    hole.bind(("127.0.0.1", 0))
    hole.listen(16)
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{hole.getsockname()[1]}")
    started = time.monotonic()
    try:
        with pytest.raises(CollectError, match="AWS endpoint not reachable \\(ReadTimeoutError\\)"):
            collect_target(cluster="prod", service="web")
    finally:
        hole.close()
    assert time.monotonic() - started < 8


def test_aws_region_is_honoured(monkeypatch: pytest.MonkeyPatch) -> None:
    """Review item 10: botocore reads AWS_DEFAULT_REGION only; AWS_REGION (read first by the AWS CLI v2 and
    the other SDKs) must work too, and --region wins over both."""
    from ecs_triage.collect.session import AwsSession

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_REGION", "eu-west-3")
    with AwsSession() as sess:
        assert sess.region == "eu-west-3"
        assert sess.client("ecs").meta.region_name == "eu-west-3"
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-west-2")
    with AwsSession() as sess:
        assert sess.region == "eu-west-3"
    with AwsSession(region="ap-south-1") as sess:
        assert sess.region == "ap-south-1"
    monkeypatch.delenv("AWS_REGION")
    with AwsSession() as sess:
        assert sess.region == "us-west-2"


def test_sessions_share_the_model_loader(monkeypatch: pytest.MonkeyPatch) -> None:
    """Service models are parsed once per process, not once per session; each session keeps its own
    clients, credentials and call recorder."""
    from ecs_triage.collect.session import AwsSession

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with AwsSession(region="us-east-1") as a, AwsSession(region="us-east-1") as b:
        assert a.boto is not b.boto
        assert a.boto.get_component("data_loader") is b.boto.get_component("data_loader")
        ca, cb = a.client("ecs"), b.client("ecs")
        assert ca is not cb
        assert ca.meta.service_model.service_name == "ecs"
        paths = a.boto.get_component("data_loader").search_paths
        assert len(paths) == len(set(paths))  # sessions do not pile up search paths
