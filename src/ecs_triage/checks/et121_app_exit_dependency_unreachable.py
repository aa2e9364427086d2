"""The application exited because a dependency it needs at start is unreachable.

What it detects:
    An essential container of a stopped task exited non-zero and its log tail says a connection failed:
    `ECONNREFUSED 10.0.3.17:5432`, `dial tcp ...: i/o timeout`, `could not connect to server`,
    `Connection refused`, `getaddrinfo ENOTFOUND`. The finding names the host and port. When the host is
    `127.0.0.1` or `localhost`, the application fell back to its default because the variable that should
    name the dependency is not set: the finding says so and lists what the container defines.

Why it happens:
    The database, cache or API is down, not yet created, in another VPC, or its security group does not
    allow the task's security group on that port; or the task is pointed at the wrong address (a missing
    host variable makes most frameworks try localhost, where nothing listens inside the task).

How to fix:
    For localhost: set the host/URL variable in the container's `environment` or `secrets`. For a remote
    host: make sure the dependency is running and listening on that port, that its security group allows
    inbound traffic from the task's security group, and that the name resolves from the task's VPC.
    Consider retrying the connection at start instead of exiting.

References:
    - https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-networking.html
    - https://docs.aws.amazon.com/vpc/latest/userguide/vpc-security-groups.html
"""

from __future__ import annotations

from ecs_triage.checks._api import Check, Evidence, EvidenceRef, Fix, Hit, Iterator, aws_cli

try:
    from ecs_triage.knowledge import classify  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - only while the catalog is missing
    classify = None  # type: ignore[assignment]

from ecs_triage.evidence.infra import Endpoint, Exit, defined_names, exits, name_of, unreachable_endpoints

CHECK = Check(
    id="ET121",
    slug="app-exit-dependency-unreachable",
    title="The application exited because a dependency it needs at start is unreachable",
    category="task",
    severity="error",
    requires=("tasks", "log_events"),
    reads=("task_definitions", "services"),
)

_HOSTISH = ("HOST", "URL", "URI", "ADDR", "ENDPOINT", "DSN", "SERVER")


def evaluate(ev: Evidence) -> Iterator[Hit]:
    seen: dict[tuple[str, str, str], list[str]] = {}
    for ex in exits(ev):
        if ex.stream is None or ex.container.exit_code in (137, 139):
            continue
        found = unreachable_endpoints(ex.lines) or _catalog_endpoints(ex.lines)
        if not found:
            continue
        ep = found[-1]
        key = (ex.task.task_definition_arn, ex.container.name, ep.label)
        if key in seen:
            seen[key].append(ex.task.arn)
            continue
        seen[key] = [ex.task.arn]
        event = ex.stream.events[ep.line]
        names = sorted(defined_names(ex.definition))
        host_vars = [n for n in names if any(h in n for h in _HOSTISH)]
        if ep.is_local:
            message = (
                f"Container {ex.container.name} exited with code {ex.container.exit_code}: it could not reach "
                f"{ep.label}, which is inside the task itself: the variable naming the dependency's host is unset, "
                "so the application fell back to localhost"
            )
            message += (
                f"; the container defines {', '.join(host_vars)}: check its value"
                if host_vars
                else f"; the container defines no host/URL variable ({', '.join(names) or 'no environment at all'})"
            )
        else:
            message = (
                f"Container {ex.container.name} exited with code {ex.container.exit_code}: its dependency {ep.label} "
                "refused or timed out at start"
            )
        evidence = (
            EvidenceRef(ex.task.arn, f"{ex.container.pointer}/exitCode", ex.container.exit_code),
            EvidenceRef(ex.stream.resource, event.pointer, event.message),
        )
        yield Hit(
            resource=ex.task.arn,
            message=message,
            cause="app-exit-dependency-unreachable",
            confidence=0.9,
            evidence=evidence,
            fix=_fix(ex, ep, host_vars),
            signature=f"app.dependency-unreachable:{ep.label}",
            extra={"tasks": seen[key], "host": ep.host, "port": ep.port},
        )


def _catalog_endpoints(lines: tuple[str, ...]) -> tuple[Endpoint, ...]:
    """The catalog's reading of the tail (`knowledge.classify(line, kind="log")`), for other wordings."""
    if classify is None:
        return ()
    for i, line in enumerate(lines):
        m = classify(line, kind="log")
        if m.cause == "app-exit-dependency-unreachable":
            port = str(m.captures.get("port") or "")
            return (
                Endpoint(
                    str(m.captures.get("host") or "a dependency"),
                    int(port) if port.isdigit() else None,
                    i,
                    line.strip(),
                ),
            )
    return ()


def _fix(ex: Exit, ep: Endpoint, host_vars: list[str]) -> Fix:
    container = ex.container.name
    family = ex.task_definition.family if ex.task_definition else "<family>"
    if ep.is_local:
        var = host_vars[0] if host_vars else "DATABASE_HOST"
        return Fix(
            summary=f"Point container {container} at the real dependency instead of {ep.label}",
            steps=(
                f"Set the variable your application reads for this dependency (for example {var}) in container "
                f"{container} of task definition {family}, in `environment` or `secrets`.",
                "Register a new revision and update the service to it.",
            ),
            snippet={"containerDefinitions": [{"name": container, "environment": [{"name": var, "value": "<host>"}]}]},
            snippet_title=f"task-definition patch for {family}",
            risk="review",
        )
    steps = [
        f"Check that the dependency at {ep.label} is running and listening on port {ep.port or '<port>'}.",
        f"Allow inbound TCP {ep.port or '<port>'} on the dependency's security group from the task's security group.",
        "Check that the name resolves inside the task's VPC (private hosted zone, VPC DNS).",
        "Make the application retry the connection at start instead of exiting on the first failure.",
    ]
    commands = []
    svc = ex.service
    if svc is not None and svc.network is not None and svc.network.security_groups and ep.port:
        task_sg = svc.network.security_groups[0]
        commands.append(
            aws_cli(
                "ec2",
                "authorize-security-group-ingress",
                group_id="<dependency-security-group-id>",
                protocol="tcp",
                port=ep.port,
                source_group=task_sg,
            )
        )
        steps[1] = (
            f"Allow inbound TCP {ep.port} on the dependency's security group from the task's security group {task_sg} "
            f"(service {svc.name}, cluster {name_of(svc.cluster_arn)})."
        )
    return Fix(summary=f"Make {ep.label} reachable from the task", steps=tuple(steps), commands=tuple(commands))
