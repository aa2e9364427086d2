"""Log tails: typed streams, and what the application's own lines say (missing variable, unreachable
host:port, errors, time to ready)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from functools import lru_cache
from typing import Any

from ecs_triage.evidence.model import Evidence, Task
from ecs_triage.evidence.parse import as_bool, as_int, as_list, as_map, as_str, as_time

# ----------------------------------------------------------------------------------------------- logs


@dataclass(frozen=True)
class LogEvent:
    timestamp: datetime | None
    message: str
    pointer: str  # inside the stream's payload: /events/3/message


@dataclass(frozen=True)
class LogStream:
    group: str
    stream: str
    task_arn: str | None
    container_name: str | None
    found: bool
    events: tuple[LogEvent, ...]
    resource: str  # "log group GROUP stream STREAM" (joined with "/" the two read as one path)

    @property
    def lines(self) -> tuple[str, ...]:
        return tuple(e.message for e in self.events)


def _time(value: Any) -> datetime | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 10**11:
        value = value / 1000.0  # CloudWatch Logs timestamps are epoch milliseconds
    try:
        return as_time(value)
    except (ValueError, OverflowError, OSError):  # out of datetime's range
        return None


@lru_cache(maxsize=64)
def log_streams(ev: Evidence) -> tuple[LogStream, ...]:
    out = []
    for raw in map(as_map, as_list(ev.raw.get("log_events"))):
        group = as_str(raw.get("logGroupName")) or ""
        stream = as_str(raw.get("logStreamName")) or ""
        events = []
        for i, e in enumerate(map(as_map, as_list(raw.get("events")))):
            msg = as_str(e.get("message"))
            if msg is None:
                continue
            events.append(LogEvent(_time(e.get("timestamp")), msg.rstrip("\n"), f"/events/{i}/message"))
        out.append(
            LogStream(
                group=group,
                stream=stream,
                task_arn=as_str(raw.get("taskArn")),
                container_name=as_str(raw.get("containerName")),
                found=as_bool(raw.get("found"), default=True),
                events=tuple(events),
                resource=f"log group {group} stream {stream}",
            )
        )
    return tuple(out)


def log_stream_for(ev: Evidence, task: Task, container: str) -> LogStream | None:
    """The collected log tail of one container of one task (by taskArn + containerName, else stream name)."""
    suffix = f"/{container}/{task.id}"
    for s in log_streams(ev):
        if s.task_arn == task.arn and s.container_name == container:
            return s
    for s in log_streams(ev):
        if s.stream.endswith(suffix):
            return s
    return None


_ENV_NAME = r"([A-Z][A-Z0-9_]{2,})"
_MISSING_VAR = [
    re.compile(p)
    for p in (
        rf"(?i:missing (?:required )?(?:environment|env) ?(?:variable|var)s?)[:\s]+['\"`]?{_ENV_NAME}",
        rf"(?i:(?:environment|env) ?(?:variable|var))[:\s]+['\"`]?{_ENV_NAME}['\"`]?\s+(?i:is\s+)?(?i:not set|missing|required|undefined|is not defined|must be set|unset)",
        rf"['\"`]?{_ENV_NAME}['\"`]?\s+(?i:(?:environment )?(?:variable )?(?:is )?(?:not set|not defined|undefined|missing|must be (?:set|provided|defined)|is required|required but not set))",
        rf"KeyError: ['\"]{_ENV_NAME}['\"]",
        rf"(?i:required (?:environment|env) ?(?:variable|var))[:\s]+['\"`]?{_ENV_NAME}",
        rf"(?i:no value (?:set )?for)\s+['\"`]?{_ENV_NAME}",
        rf"os\.environ\[['\"]{_ENV_NAME}['\"]\]",
        rf"(?i:unset (?:environment )?variable)[:\s]+['\"`]?{_ENV_NAME}",
    )
]


def clip(text: str, limit: int = 300) -> str:
    """`text` on one line, cut to at most `limit` characters at a word boundary (never inside a URL, ARN or
    quoted token when a space is near), with "…" when something was cut."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space >= limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:") + "…"


def missing_variables(lines: Iterable[str]) -> tuple[tuple[str, int], ...]:
    """Environment variable names the log says are missing: ((NAME, line index), ...) in order, unique."""
    seen: dict[str, int] = {}
    for i, line in enumerate(lines):
        for pattern in _MISSING_VAR:
            for m in pattern.finditer(line):
                seen.setdefault(m.group(1), i)
    return tuple(seen.items())


_HOSTPORT = r"\[?([A-Za-z0-9_.\-:]+?)\]?:(\d{1,5})"
_UNREACHABLE = [
    re.compile(p, re.I)
    for p in (
        rf"ECONNREFUSED\s+{_HOSTPORT}",
        rf"ETIMEDOUT\s+{_HOSTPORT}",
        rf"EHOSTUNREACH\s+{_HOSTPORT}",
        rf"dial tcp\s+{_HOSTPORT}:\s*(?:connect|i/o timeout|connection refused)",
        rf"connect(?:ion)? to\s+{_HOSTPORT}\s+(?:failed|refused|timed out)",
        r'connection to server at "([^"]+)"(?: \([^)]*\))?, port (\d+) failed',
        r'server running on host "([^"]+)"(?: \([^)]*\))? and accepting\s+TCP/IP connections on port (\d+)',
        rf"(?:could not|couldn't|can't|cannot|unable to|failed to) connect(?: to)?(?: \w+)*? (?:at |on |to )?{_HOSTPORT}",
        rf"Connection refused[^0-9A-Za-z]*(?:to )?{_HOSTPORT}",
        r"Can't connect to (?:MySQL|Redis|local MySQL) server on '([^']+)' \((?:\d+)\)(?::(\d+))?",
        rf"Error connecting to {_HOSTPORT}",
        rf"{_HOSTPORT}[: ]+(?:Connection refused|connection timed out|Connection timed out|No route to host)",
        rf"timed? ?out (?:connecting|while connecting) to {_HOSTPORT}",
    )
]
_UNREACHABLE_HOST_ONLY = re.compile(
    r"(?:getaddrinfo (?:ENOTFOUND|EAI_AGAIN)|lookup|could not translate host name|Name or service not known for|"
    r"Unknown host|UnknownHostException:?)\s+['\"]?([A-Za-z0-9_.\-]+)",
    re.I,
)


@dataclass(frozen=True)
class Endpoint:
    host: str
    port: int | None
    line: int  # index into the stream's events
    text: str
    # how the connection failed: "refused" (the path works, nothing listens there), "timeout" (packets are
    # dropped: a security group, ACL or route), "dns" (the name does not resolve), "" (the log does not say)
    failure: str = ""

    @property
    def label(self) -> str:
        return f"{self.host}:{self.port}" if self.port is not None else self.host

    @property
    def is_local(self) -> bool:
        return self.host in ("127.0.0.1", "localhost", "::1", "0.0.0.0")


_FAILURES = (  # the first kind named wins: "Connection refused" beats a retry loop's later "timeout"
    ("refused", re.compile(r"ECONNREFUSED|connection refused|refused (?:the )?connection|errno:? -?111\b", re.I)),
    (
        "dns",
        re.compile(
            r"ENOTFOUND|EAI_AGAIN|no such host|could not translate host name|Name or service not known|"
            r"Unknown ?host|nodename nor servname|Temporary failure in name resolution",
            re.I,
        ),
    ),
    (
        "timeout",
        re.compile(
            r"ETIMEDOUT|timed out|\btimeout\b|EHOSTUNREACH|ENETUNREACH|No route to host|network is unreachable|"
            r"deadline exceeded",
            re.I,
        ),
    ),
)


def connection_failure(text: str) -> str:
    """How a connection failed, from the log text: "refused", "dns", "timeout" or "" (not said)."""
    for kind, pattern in _FAILURES:
        if pattern.search(text):
            return kind
    return ""


def unreachable_endpoints(lines: Sequence[str]) -> tuple[Endpoint, ...]:
    """host:port the log says could not be reached (refused, timed out, unknown host), in order, unique.
    `failure` reads the line and the next three (libpq, Node and Java put the reason on their own line)."""
    out: dict[str, Endpoint] = {}
    for i, line in enumerate(lines):
        found: list[Endpoint] = []
        for pattern in _UNREACHABLE:
            for m in pattern.finditer(line):
                host = m.group(1).strip("[]")
                port = as_int(m.group(2)) if m.lastindex and m.lastindex >= 2 and m.group(2) else None
                found.append(Endpoint(host, port, i, line.strip()))
        if not out and not found:
            m2 = _UNREACHABLE_HOST_ONLY.search(line)
            if m2 and ("." in m2.group(1) or m2.group(1) == "localhost"):
                found.append(Endpoint(m2.group(1), None, i, line.strip()))
        if found:
            failure = connection_failure(line) or connection_failure(" ".join(lines[i + 1 : i + 4]))
            for ep in found:
                out.setdefault(ep.label, replace(ep, failure=failure))
    return tuple(out.values())


_ERROR_LINE = re.compile(
    r"(Traceback \(most recent call last\)|^\s*\w+(\.\w+)*(Error|Exception)\b|\bException\b|\bpanic:|\bfatal error\b|"
    r"\bFATAL\b|\bERROR\b|\bUnhandled\b|\bUncaught\b|\bError:|^\s*at [\w.$<>]+\(|Caused by:|\bsegmentation fault\b)",
)


def error_lines(lines: Sequence[str], limit: int = 5) -> tuple[tuple[int, str], ...]:
    """The last `limit` lines that look like errors (exceptions, panics, FATAL/ERROR), with their index."""
    hits = [(i, line.strip()) for i, line in enumerate(lines) if line.strip() and _ERROR_LINE.search(line)]
    return tuple(hits[-limit:])


_READY = re.compile(
    r"(listening (on|at)\b|\bstarted on port\b|\blistening\b.*\bport\b|server (is )?(running|started|listening)|\bstarted\b.*\bin \d|"
    r"\bStarted \w+ in [\d.]+ ?s|\bready (to|for) (accept|serve|handle)|application (has )?started|"
    r"\bserving on\b|Uvicorn running on|Booting worker|Now listening on|startup complete|\bready\b)",
    re.I,
)


@dataclass(frozen=True)
class Readiness:
    seconds: float
    first: LogEvent
    ready: LogEvent
    since: str = "first log line"  # or "startedAt"


def time_to_ready(stream: LogStream, started_at: datetime | None = None) -> Readiness | None:
    """Seconds from the start to the first line saying the app listens / is ready. The start is the task's
    `startedAt` when given (the tail may be capped, so its first line need not be the first line the
    application wrote), else the first log line. `first` is the first log line either way."""
    if not stream.events:
        return None
    first = stream.events[0]
    for e in stream.events:
        if e.timestamp is None or not _READY.search(e.message):
            continue
        if started_at is not None and e.timestamp >= started_at:
            return Readiness((e.timestamp - started_at).total_seconds(), first, e, "startedAt")
        if first.timestamp is not None:
            return Readiness((e.timestamp - first.timestamp).total_seconds(), first, e, "first log line")
        return None
    return None
