"""The demo account server: a ThreadedMotoServer in this process, with every world built into it.

Backend injections (see _moto.py) only reach a moto server that runs in the same process, which is why the demo
starts `ThreadedMotoServer` itself instead of talking to a `moto_server` process.
"""

from __future__ import annotations

import logging
import os
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
    # AWS managed policies (AmazonECSTaskExecutionRolePolicy ...) must exist before IAM's backend is made.
    os.environ["MOTO_IAM_LOAD_MANAGED_POLICIES"] = "true"
    from moto.core.config import default_user_config
    from moto.server import ThreadedMotoServer

    default_user_config.setdefault("iam", {})["load_aws_managed_policies"] = True

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no access log line per request on the terminal
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
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
        setattr(server, "worlds", build_worlds(session, names, endpoint_url=endpoint))  # noqa: B010
    except BaseException:
        server.stop()
        raise
    return server, endpoint
