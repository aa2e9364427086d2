"""botocore session (one model loader per process), retries, bounded concurrency, call recorder (read-only
allow-list), gaps and caches.

Everything that talks to AWS goes through `AwsSession.call` / `AwsSession.paginate`: they record a gap
for every failed call (with the IAM action to grant) and turn credential / endpoint failures into a
one-line `CollectError`. A `before-call` hook on every client counts calls per `service:Operation` and
refuses, before anything is sent, any operation outside `permissions.ALLOWED_OPERATIONS`.
"""

from __future__ import annotations

import os
import threading
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import botocore.exceptions as bexc
import botocore.loaders
import botocore.session
from botocore import xform_name
from botocore.config import Config

from ecs_triage import __version__
from ecs_triage.collect import limits
from ecs_triage.collect.permissions import ALLOWED_OPERATIONS, FORBIDDEN_OPERATIONS, iam_action
from ecs_triage.errors import CollectError, InputError

T = TypeVar("T")
R = TypeVar("R")

NO_REGION = "no AWS Region: pass --region or set AWS_REGION/AWS_DEFAULT_REGION"
NO_CREDENTIALS = "no AWS credentials: configure a profile (--profile), environment variables or SSO login"
# Error codes that mean "your credentials are wrong or expired": nothing else will work either.
AUTH_ERROR_CODES = frozenset(
    {
        "ExpiredToken",
        "ExpiredTokenException",
        "InvalidClientTokenId",
        "UnrecognizedClientException",
        "InvalidAccessKeyId",
        "SignatureDoesNotMatch",
        "AuthFailure",
        "RequestExpired",
        "InvalidToken",
    }
)
_CREDENTIAL_EXCEPTIONS: tuple[type[Exception], ...] = (
    bexc.NoCredentialsError,
    bexc.PartialCredentialsError,
    bexc.CredentialRetrievalError,
    bexc.TokenRetrievalError,
    bexc.SSOError,
    bexc.UnauthorizedSSOTokenError,
)
_ENDPOINT_EXCEPTIONS: tuple[type[Exception], ...] = (
    bexc.EndpointConnectionError,
    bexc.ConnectTimeoutError,
    bexc.ReadTimeoutError,
)

# Called with every new client (tests use it to attach stubbers or fault injectors).
CLIENT_HOOKS: list[Callable[[Any], None]] = []


_SHARED_LOCK = threading.Lock()
_SHARED: dict[str, Any] = {}


def _shared_loader() -> Any:
    """One botocore data loader for the whole process: it caches the parsed service models, endpoints and
    partitions, which every new session would otherwise read and parse again (~0.3 s CPU per session).
    The loader holds no credentials or configuration; its caches are filled idempotently, so sharing it
    across threads is safe (a race at worst loads a model twice)."""
    loader = _SHARED.get("loader")
    if loader is None:
        with _SHARED_LOCK:
            loader = _SHARED.get("loader")
            if loader is None:
                loader = _SHARED["loader"] = botocore.loaders.create_loader()
    return loader


def _botocore_session(profile: str | None) -> Any:
    """A fresh botocore session (its own profile, credentials and configuration) on the shared loader."""
    bs = botocore.session.Session(profile=profile)
    bs.register_component("data_loader", _shared_loader())
    return bs


def resolve_region(region: str | None, session_region: str | None) -> str:
    """--region, else AWS_REGION (which botocore ignores; the AWS CLI v2 and the other SDKs read it first),
    else the session's (AWS_DEFAULT_REGION or the profile's region)."""
    return region or os.environ.get("AWS_REGION", "").strip() or session_region or ""


class ReadOnlyViolation(RuntimeError):
    """An operation outside the read-only allow-list was about to be sent. A bug, never a gap."""


def one_line(text: object, limit: int = 300) -> str:
    s = " ".join(str(text).split())
    return s if len(s) <= limit else s[: limit - 1] + "…"


class Sink:
    """Where one snapshot's calls and gaps go (thread-safe)."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self.gaps: list[dict[str, Any]] = []
        self._gap_keys: set[tuple[Any, ...]] = set()
        self._lock = threading.Lock()

    def count(self, op: str) -> None:
        with self._lock:
            self.calls[op] += 1

    def add_calls(self, calls: Counter[str]) -> None:
        with self._lock:
            self.calls.update(calls)

    def add_gaps(self, gaps: Iterable[dict[str, Any]]) -> None:
        with self._lock:
            for gap in gaps:
                key = (gap["kind"], gap["operation"], gap["resource"], gap["error_code"])
                if key not in self._gap_keys:
                    self._gap_keys.add(key)
                    self.gaps.append(gap)


_current = threading.local()


class CallRecorder:
    """botocore `before-call` hook: allow-list enforcement and call counting."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self._lock = threading.Lock()

    def before_call(self, model: Any, **_: Any) -> None:
        op = f"{model.service_model.service_name}:{model.name}"
        if op not in ALLOWED_OPERATIONS or op in FORBIDDEN_OPERATIONS:
            raise ReadOnlyViolation(f"ecs-triage is read-only: {op} is not in the allow-list")
        with self._lock:
            self.calls[op] += 1
        sink: Sink | None = getattr(_current, "sink", None)
        if sink is not None:
            sink.count(op)


class _Job:
    __slots__ = ("done", "exc", "fn", "lock", "result", "started")

    def __init__(self, fn: Callable[[], Any]) -> None:
        self.fn = fn
        self.started = False
        self.lock = threading.Lock()
        self.done = threading.Event()
        self.result: Any = None
        self.exc: BaseException | None = None

    def claim(self) -> bool:
        with self.lock:
            if self.started:
                return False
            self.started = True
            return True

    def run(self) -> None:
        try:
            self.result = self.fn()
        except BaseException as exc:  # re-raised in the joining thread
            self.exc = exc
        finally:
            self.done.set()


def _work(job: _Job) -> None:
    if job.claim():
        job.run()


class _Memo:
    __slots__ = ("event", "exc", "gaps", "value")

    def __init__(self) -> None:
        self.event = threading.Event()
        self.value: Any = None
        self.gaps: list[dict[str, Any]] = []
        self.exc: BaseException | None = None


class AwsSession:
    """One botocore session for a collection (on the process-wide model loader): clients per (service, region), pool, recorder, caches."""

    def __init__(self, profile: str | None = None, region: str | None = None) -> None:
        try:
            self.boto = _botocore_session(profile)
            self.boto.get_scoped_config()  # raises ProfileNotFound for an unknown profile
            session_region = self.boto.get_config_variable("region")
        except bexc.ProfileNotFound:
            raise InputError(f"no AWS profile {profile!r} in the AWS configuration") from None
        except bexc.BotoCoreError as exc:
            raise CollectError(f"invalid AWS configuration: {one_line(exc)}") from None
        self.region: str = resolve_region(region, session_region)
        if not self.region:
            raise CollectError(NO_REGION)
        try:
            credentials = self.boto.get_credentials()
        except _CREDENTIAL_EXCEPTIONS as exc:
            raise CollectError(f"cannot load AWS credentials: {one_line(exc)}") from None
        except bexc.BotoCoreError as exc:
            raise CollectError(f"cannot load AWS credentials: {one_line(exc)}") from None
        if credentials is None:
            raise CollectError(NO_CREDENTIALS)
        self.config = Config(
            retries={"mode": "adaptive", "total_max_attempts": limits.MAX_ATTEMPTS},
            max_pool_connections=limits.MAX_WORKERS * 2,
            connect_timeout=limits.CONNECT_TIMEOUT,
            read_timeout=limits.READ_TIMEOUT,
            user_agent_extra=f"ecs-triage/{__version__}",
        )
        self.recorder = CallRecorder()
        self._clients: dict[tuple[str, str, bool], Any] = {}
        self._client_lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=limits.MAX_WORKERS, thread_name_prefix="ecs-triage")
        self._memo: dict[Hashable, _Memo] = {}
        self._memo_lock = threading.Lock()
        self.extra: dict[str, Any] = {}
        self.account: str | None = None

    # -- lifecycle -------------------------------------------------------------------------------
    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)

    def __enter__(self) -> AwsSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- clients -----------------------------------------------------------------------------------
    def client(self, service: str, region: str | None = None, *, retries: bool = True) -> Any:
        """A client per (service, region). `retries=False`: one attempt only (for probes such as
        SimulatePrincipalPolicy, where an error means "not available", not "try again")."""
        key = (service, region or self.region, retries)
        client = self._clients.get(key)
        if client is not None:
            return client
        with self._client_lock:
            client = self._clients.get(key)
            if client is None:
                config = self.config if retries else self.config.merge(Config(retries={"total_max_attempts": 1}))
                client = self.boto.create_client(service, region_name=key[1], config=config)
                client.meta.events.register_first("before-call.*.*", self.recorder.before_call)
                for hook in CLIENT_HOOKS:
                    hook(client)
                self._clients[key] = client
        return client

    def warm(self, services: Sequence[str]) -> None:
        """Create the clients up front (loading service models is the slowest part of a cold start)."""
        for service in services:
            self.client(service)

    def warm_in_background(self, services: Sequence[str]) -> None:
        self._pool.submit(self.warm, services)

    # -- concurrency -------------------------------------------------------------------------------
    def parallel(self, fns: Sequence[Callable[[], T]]) -> list[T]:
        """Run `fns` concurrently on the bounded pool; the caller runs what no worker has started yet,
        so nested use cannot deadlock. Re-raises the first exception."""
        jobs = [_Job(fn) for fn in fns]
        for job in jobs[1:]:
            self._pool.submit(_work, job)
        for job in jobs:
            if job.claim():
                job.run()
        for job in jobs:
            job.done.wait()
        for job in jobs:
            if job.exc is not None:
                raise job.exc
        return [job.result for job in jobs]

    def pmap(self, fn: Callable[[T], R], items: Iterable[T]) -> list[R]:
        return self.parallel([(lambda item=item: fn(item)) for item in items])  # type: ignore[misc]

    # -- caches ------------------------------------------------------------------------------------
    def once(self, sink: Sink, key: Hashable, fetch: Callable[[Sink], T]) -> T:
        """Fetch a resource once per session (cache by key, e.g. its ARN); replay its gaps into `sink`."""
        with self._memo_lock:
            entry = self._memo.get(key)
            owner = entry is None
            if entry is None:
                entry = self._memo[key] = _Memo()
        if owner:
            sub = Sink()
            try:
                entry.value = fetch(sub)
            except BaseException as exc:
                entry.exc = exc
                raise
            finally:
                entry.gaps = sub.gaps
                sink.add_calls(sub.calls)
                entry.event.set()
        else:
            entry.event.wait()
            if entry.exc is not None:
                raise entry.exc
        sink.add_gaps(entry.gaps)
        return entry.value  # type: ignore[no-any-return]

    def batch_once(
        self,
        sink: Sink,
        namespace: str,
        keys: Iterable[str],
        fetch: Callable[[Sink, list[str]], dict[str, Any]],
        batch: int,
    ) -> dict[str, Any]:
        """Like `once` for APIs that take many ids per call: fetch the ids not yet cached, in batches
        of `batch`, concurrently. `fetch(sink, ids)` returns {id: item} (absent id = not found)."""
        mine: list[str] = []
        entries: dict[str, _Memo] = {}
        with self._memo_lock:
            for key in dict.fromkeys(keys):
                entry = self._memo.get((namespace, key))
                if entry is None:
                    entry = self._memo[(namespace, key)] = _Memo()
                    mine.append(key)
                entries[key] = entry

        def run(ids: list[str]) -> None:
            sub = Sink()
            try:
                found = fetch(sub, ids)
                for key in ids:
                    entries[key].value = found.get(key)
            except BaseException as exc:
                for key in ids:
                    entries[key].exc = exc
                raise
            finally:
                for key in ids:
                    entries[key].gaps = sub.gaps
                    entries[key].event.set()
                sink.add_calls(sub.calls)

        if mine:
            self.pmap(run, limits.chunks(mine, batch))
        out: dict[str, Any] = {}
        for key, entry in entries.items():
            entry.event.wait()
            if entry.exc is not None:
                raise entry.exc
            sink.add_gaps(entry.gaps)
            out[key] = entry.value
        return out

    # -- calls -------------------------------------------------------------------------------------
    def _gap(self, sink: Sink, kind: str, service: str, op: str, resource: str, code: str, message: object) -> None:
        sink.add_gaps(
            [
                {
                    "kind": kind,
                    "operation": op,
                    "service": service,
                    "error_code": code,
                    "action": iam_action(f"{service}:{op}"),
                    "resource": resource,
                    "message": one_line(message),
                }
            ]
        )

    def _invoke(self, sink: Sink, fn: Callable[[], T]) -> T:
        previous = getattr(_current, "sink", None)
        _current.sink = sink
        try:
            return fn()
        finally:
            _current.sink = previous

    def call(
        self,
        sink: Sink,
        kind: str,
        service: str,
        op: str,
        resource: str,
        /,
        *,
        region: str | None = None,
        expected: Iterable[str] = (),
        retries: bool = True,
        **params: Any,
    ) -> tuple[dict[str, Any] | None, str | None]:
        """One API call. Returns (response without ResponseMetadata, None) or (None, error code).
        `retries=False` makes a single attempt (the first call, which tells whether AWS answers at all).

        Error codes listed in `expected` (e.g. a not-found code that is itself evidence) are returned
        without a gap; any other failure becomes a gap naming the IAM action to grant."""
        client = self.client(service, region, retries=retries)
        method = getattr(client, xform_name(op))
        try:
            response = self._invoke(sink, lambda: method(**params))
        except bexc.ClientError as exc:
            code = str(exc.response.get("Error", {}).get("Code") or "ClientError")
            if code in AUTH_ERROR_CODES:
                raise CollectError(f"AWS rejected the credentials ({code}): {one_line(exc, 200)}") from None
            if code not in expected:
                self._gap(sink, kind, service, op, resource, code, exc)
            return None, code
        except _CREDENTIAL_EXCEPTIONS as exc:
            raise CollectError(f"cannot use AWS credentials: {one_line(exc, 200)}") from None
        except _ENDPOINT_EXCEPTIONS as exc:
            self._gap(sink, kind, service, op, resource, type(exc).__name__, exc)
            return None, type(exc).__name__
        except bexc.BotoCoreError as exc:
            self._gap(sink, kind, service, op, resource, type(exc).__name__, exc)
            return None, type(exc).__name__
        response.pop("ResponseMetadata", None)
        return response, None

    def paginate(
        self,
        sink: Sink,
        kind: str,
        service: str,
        op: str,
        resource: str,
        result_key: str,
        /,
        *,
        region: str | None = None,
        expected: Iterable[str] = (),
        **params: Any,
    ) -> tuple[list[Any] | None, str | None]:
        """Follow every page of `op` and concatenate `result_key`. Same error contract as `call`."""
        items: list[Any] = []
        token_in, token_out = _token_names(self.client(service, region), op)
        token: str | None = None
        while True:
            page_params = dict(params)
            if token:
                page_params[token_in] = token
            response, code = self.call(
                sink, kind, service, op, resource, region=region, expected=expected, **page_params
            )
            if response is None:
                return None, code
            items.extend(response.get(result_key) or [])
            token = response.get(token_out)
            if not token:
                return items, None


def _token_names(client: Any, op: str) -> tuple[str, str]:
    """(input token, output token) of a paginated operation, from botocore's paginator model."""
    name = xform_name(op)
    if client.can_paginate(name):
        cfg = client.get_paginator(name)._pagination_cfg
        input_token, output_token = cfg["input_token"], cfg["output_token"]
        if isinstance(input_token, list):
            input_token, output_token = input_token[0], output_token[0]
        return str(input_token), str(output_token)
    return "NextToken", "NextToken"
