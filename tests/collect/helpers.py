"""Fault injection for collector tests: a Stubber that answers only what is queued for it, a deny hook
(Stubber-style canned error responses) and a throttling hook at the HTTP layer (so botocore retries)."""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

from botocore.awsrequest import AWSResponse
from botocore.stub import Stubber

from ecs_triage.collect import session as session_mod


class PartialStubber(Stubber):
    """botocore Stubber that answers only the operations queued on it; other calls go on to moto."""

    def _queued(self, model: Any) -> bool:
        return bool(self._queue) and self._queue[0]["operation_name"] == model.name

    def _assert_expected_params(self, model: Any, params: Any, context: Any, **kwargs: Any) -> None:
        if self._queued(model):
            super()._assert_expected_params(model, params, context, **kwargs)

    def _get_response_handler(self, model: Any, params: Any, context: Any, **kwargs: Any) -> Any:
        if self._queued(model):
            return super()._get_response_handler(model, params, context, **kwargs)
        return None


def on_clients(fn: Callable[[Any], None]) -> None:
    """Run `fn(client)` on every client the collectors create."""
    session_mod.CLIENT_HOOKS.append(fn)


def stub(service: str, setup: Callable[[PartialStubber], None]) -> list[PartialStubber]:
    stubbers: list[PartialStubber] = []

    def hook(client: Any) -> None:
        if client.meta.service_model.service_name == service:
            st = PartialStubber(client)
            setup(st)
            st.activate()
            stubbers.append(st)

    on_clients(hook)
    return stubbers


def deny(
    operation: str, code: str = "AccessDeniedException", when: Callable[[str], bool] | None = None
) -> Counter[str]:
    """Every call of `service:Operation` (whose serialized request body satisfies `when`, if given)
    fails with `code`, answered the way Stubber.add_client_error answers."""
    service, _, op = operation.partition(":")
    seen: Counter[str] = Counter()

    def handler(model: Any, params: Any, **_: Any) -> Any:
        if model.name != op:
            return None
        body = params.get("body", b"")
        body = body.decode() if isinstance(body, bytes) else str(body)
        if when is not None and not when(body):
            return None
        seen[op] += 1
        http = AWSResponse(None, 403, {}, None)
        parsed = {
            "Error": {"Code": code, "Message": f"User is not authorized to perform: {operation}"},
            "ResponseMetadata": {"HTTPStatusCode": 403},
        }
        return http, parsed

    def hook(client: Any) -> None:
        if client.meta.service_model.service_name == service:
            client.meta.events.register("before-call.*.*", handler)

    on_clients(hook)
    return seen


class _Raw:
    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> Any:
        yield self._body


def throttle(operation: str, times: int) -> Counter[str]:
    """The first `times` HTTP attempts of `service:Operation` get a JSON-protocol ThrottlingException;
    the retries go through botocore's retry handler (adaptive mode), then on to moto."""
    service, _, op = operation.partition(":")
    attempts: Counter[str] = Counter()
    lock = threading.Lock()

    def before_send(request: Any, **_: Any) -> Any:
        target = request.headers.get("X-Amz-Target", b"")
        target = target.decode() if isinstance(target, bytes) else target
        if not target.endswith("." + op):
            return None
        with lock:
            attempts["attempts"] += 1
            if attempts["attempts"] > times:
                return None
        body = json.dumps({"__type": "ThrottlingException", "message": "Rate exceeded"}).encode()
        return AWSResponse(request.url, 400, {"Content-Type": "application/x-amz-json-1.1"}, _Raw(body))

    def hook(client: Any) -> None:
        if client.meta.service_model.service_name == service:
            client.meta.events.register_first("before-send.*.*", before_send)

    on_clients(hook)
    return attempts
