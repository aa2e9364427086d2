"""The application's own exit, read from its log lines: missing configuration, unreachable dependencies, crashes."""

from __future__ import annotations

from ecs_triage.knowledge import fixtemplates as fx
from ecs_triage.knowledge.model import Signature

VAR = r"[`'\"]?(?P<variable>(?-i:[A-Z][A-Z0-9_]{2,}))[`'\"]?"
HOSTPORT = r"(?P<host>\d{1,3}(?:\.\d{1,3}){3}|\[[0-9a-fA-F:]+\]|localhost|[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+):(?P<port>\d{2,5})\b"
LOOPBACK = ("127.0.0.1", "localhost", "[::1]", "::1", "0.0.0.0:")
REFUSED = (
    "econnrefused",
    "connection refused",
    "could not connect",
    "can't connect",
    "cannot connect",
    "unable to connect",
    "failed to connect",
    "connect_to",
    "error connecting to",
    "connection error",
)

SIGNATURES: tuple[Signature, ...] = (
    Signature(
        id="app.env-missing",
        cause="app-exit-missing-config",
        summary="The application exited because a required environment variable is not set",
        explanation="The app reads a setting from its environment at start and it is missing from the container "
        "definition's environment/secrets (or from the secret's JSON).",
        any_of=(
            "keyerror",
            "environment variable",
            "env var",
            "envvar",
            "is not set",
            "must be set",
            "is required",
            "not defined",
            "missing required",
            "is undefined",
            "not set in",
            "is unset",
            "missing env",
            "missing environment",
            "required env",
        ),
        extract=(
            r"KeyError:\s*" + VAR,
            r"(?:environment|env)\s*(?:variable|var)s?\s*(?:named\s+)?" + VAR,
            VAR + r"\s+(?:environment variable\s+|env var\s+)?(?:is\s+)?(?:not set|must be set|is required|required|"
            r"not defined|undefined|unset|missing)",
            r"missing (?:required )?(?:environment variable|env var|setting|configuration)s?:?\s*" + VAR,
        ),
        regex=r"keyerror:\s*['\"]?(?-i:[A-Z_])|(?:environment|env)\s*(?:variable|var)|(?-i:[A-Z][A-Z0-9_]{2,})[`'\"]?\s+"
        r"(?:is\s+)?(?:not set|must be set|is required|not defined|undefined|unset|missing)|missing required|"
        r"missing env|required env",
        confidence=0.85,
        decide=("the container definition's environment and secrets names vs the variable the log names",),
        fix=fx.APP_CONFIG,
    ),
    Signature(
        id="app.dependency-loopback",
        cause="app-exit-missing-config",
        summary="The app tried to reach its dependency on 127.0.0.1/localhost: its host setting is probably unset",
        explanation="Inside a task nothing listens on localhost but the task's own containers. A client library "
        "falls back to localhost when its host variable (DATABASE_URL, REDIS_HOST ...) is missing, so this is "
        "usually missing configuration, not a dead dependency.",
        any_of=LOOPBACK,
        context=(*REFUSED, "connection timed out", "etimedout"),
        kinds=("log", "container_reason", "stopped_reason"),
        extract=(HOSTPORT,),
        confidence=0.55,
        decide=(
            "the container's environment: is the dependency's host variable set?",
            "is a sidecar meant to listen on that port in the same task?",
        ),
        fix=fx.APP_CONFIG,
    ),
    Signature(
        id="app.dependency-unreachable",
        cause="app-exit-dependency-unreachable",
        summary="The application could not reach a dependency it needs at start",
        explanation="The app's connection to its database, cache or API was refused or timed out: the "
        "dependency is down, its security group does not allow the task, the host name is wrong, or there is "
        "no route.",
        any_of=(
            *REFUSED,
            "etimedout",
            "enotfound",
            "ehostunreach",
            "could not translate host name",
            "name or service not known",
            "no route to host",
            "connection timed out",
            "unknown mysql server host",
            "operationalerror",
            "mongonetworkerror",
            "mongoserverselectionerror",
            "connectionerror",
            "connection reset by peer",
            "timeout expired",
            "temporary failure in name resolution",
            "server selection timed out",
            "is the server running",
            "connect timeout",
            "connection attempt failed",
        ),
        extract=(
            HOSTPORT,
            r"connect_to (?P<host>\S+) port (?P<port>\d+)",
            r"(?:server|host) (?:on |at )?['\"](?P<host>[^'\"]+)['\"]",
            r"host name ['\"](?P<host>[^'\"]+)['\"]",
            r"ENOTFOUND (?P<host>\S+)",
            r"port (?P<port>\d{2,5})",
        ),
        confidence=0.8,
        decide=(
            "the dependency's security group (inbound from the task's security group on the port)",
            "the host name the app uses (DNS, same VPC)",
            "is the dependency up?",
        ),
        fix=fx.APP_DEPENDENCY,
    ),
    Signature(
        id="app.config-invalid",
        cause="app-exit-missing-config",
        summary="The application exited because its configuration is invalid or missing",
        explanation="The app rejected its configuration at start (a malformed URL, an invalid value, a config "
        "file that is not in the image).",
        any_of=(
            "improperlyconfigured",
            "configurationerror",
            "configerror",
            "config error",
            "invalid configuration",
            "configuration error",
            "must specify",
            "invalid url",
            "config file",
            "configuration file",
            "no configuration",
            "field required",
            "missing configuration",
            "invalid config",
            "could not load config",
            "failed to load config",
            "invalid value for",
            "not configured",
            "secret_key setting",
            "invalid dsn",
            "database_url",
            "missing setting",
        ),
        none_of=("clientexception", "memoryreservation", "at least one of"),
        confidence=0.7,
        decide=("the setting the log names, in the container definition's environment/secrets",),
        fix=fx.APP_CONFIG,
    ),
    Signature(
        id="app.crash",
        cause="app-exit-other",
        summary="The application crashed (exception, panic, assertion) at start",
        explanation="The log shows an unhandled error in the application itself; fix the code or its inputs.",
        any_of=(
            "traceback (most recent call last)",
            "panic:",
            "exception",
            "segmentation fault",
            "fatal error",
            "unhandled",
            "uncaught",
            "assertionerror",
            "core dumped",
            "stack trace",
            "error:",
            "fatal:",
            "[error]",
            "error ",
            "npm err!",
            "exited with",
            "abort",
        ),
        kinds=("log", "container_reason"),
        confidence=0.5,
        decide=("the first error in the container's log tail", "the container's exit code"),
        fix=fx.APP_LOGS,
    ),
)
