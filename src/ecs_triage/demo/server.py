"""The demo account server: a ThreadedMotoServer in this process, with every world built into it.

Backend injections (see _moto.py) only reach a moto server that runs in the same process, which is why the demo
starts `ThreadedMotoServer` itself instead of talking to a `moto_server` process.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from ecs_triage.demo._moto import REGION

FAKE_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": REGION,
}


def start_server(names: Iterable[str] | None = None) -> tuple[Any, str]:
    """Start moto on 127.0.0.1 (a random free port), build the worlds into it; return (server, endpoint URL).

    Call `server.stop()` when done. The worlds built are in `server.worlds` (list of World)."""
    from unittest import mock

    from moto.core.config import default_user_config
    from moto.moto_api._internal.models import moto_api_backend
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no access-log line per request on the terminal
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    restore = _deny_policy_simulation()
    stop = server.stop

    def stop_and_restore() -> None:
        stop()
        restore()

    server.stop = stop_and_restore  # type: ignore[method-assign]
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    try:
        import boto3

        from ecs_triage.demo.worlds import build_worlds

        session = boto3.session.Session(
            aws_access_key_id=FAKE_ENV["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=FAKE_ENV["AWS_SECRET_ACCESS_KEY"],
            region_name=REGION,
        )
        moto_api_backend.reset()  # a fresh account, whatever this process held before
        # AWS managed policies (AmazonECSTaskExecutionRolePolicy ...) are loaded when IAM's backend is made
        with mock.patch.dict(default_user_config, {"iam": {"load_aws_managed_policies": True}}):
            worlds = build_worlds(session, names, endpoint_url=endpoint)
        setattr(server, "worlds", worlds)  # noqa: B010
    except BaseException:
        server.stop()
        raise
    return server, endpoint


def _deny_policy_simulation() -> Any:
    """moto does not implement iam:SimulatePrincipalPolicy: in server mode that is an HTTP 500 (with a
    traceback on stderr) that botocore retries. Answer AccessDenied instead, as AWS does for a caller who may
    not simulate: ecs-triage then proves permissions with its local evaluator. Returns the undo function."""
    from moto.core.exceptions import AccessDeniedError
    from moto.iam.responses import IamResponse

    had = "simulate_principal_policy" in IamResponse.__dict__
    original = IamResponse.__dict__.get("simulate_principal_policy")

    def simulate_principal_policy(self: Any) -> Any:
        raise AccessDeniedError(
            user_arn="arn:aws:iam::123456789012:user/ecs-triage-demo", action="iam:SimulatePrincipalPolicy"
        )

    IamResponse.simulate_principal_policy = simulate_principal_policy  # type: ignore[attr-defined]

    def restore() -> None:
        if had:
            IamResponse.simulate_principal_policy = original  # type: ignore[attr-defined]
        else:
            del IamResponse.simulate_principal_policy  # type: ignore[attr-defined]

    return restore
