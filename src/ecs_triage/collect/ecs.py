"""ECS: clusters, services, tasks (STOPPED and RUNNING, all pages), task definitions, container instances."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

from ecs_triage.collect import limits
from ecs_triage.collect.session import AwsSession, Sink

R = TypeVar("R")


def describe_clusters(sess: AwsSession, sink: Sink, names: list[str]) -> tuple[list[dict], list[dict]] | None:
    """(clusters, failures) for up to any number of names (batched), or None when the call failed."""
    out: list[dict] = []
    failures: list[dict] = []
    for chunk in limits.chunks(names, limits.DESCRIBE_CLUSTERS):
        resp, _ = sess.call(sink, "clusters", "ecs", "DescribeClusters", ",".join(chunk), clusters=chunk)
        if resp is None:
            return None
        out.extend(resp.get("clusters") or [])
        failures.extend(resp.get("failures") or [])
    return out, failures


def list_cluster_arns(sess: AwsSession, sink: Sink) -> list[str] | None:
    arns, _ = sess.paginate(
        sink, "clusters", "ecs", "ListClusters", "*", "clusterArns", maxResults=limits.LIST_CLUSTERS_PAGE
    )
    return arns


def list_and_describe(
    sess: AwsSession,
    sink: Sink,
    kind: str,
    op: str,
    resource: str,
    result_key: str,
    params: dict[str, Any],
    describe: Callable[[list[str]], R],
    batch: int,
) -> tuple[list[str] | None, list[R]]:
    """Follow every page of an ECS List call and describe the ids while the next page is fetched.

    Ids are described in full batches of `batch` as soon as a batch is complete (the remainder at the end),
    so the calls are exactly ceil(ids / batch) DescribeX plus the List pages, and the describes overlap the
    (necessarily sequential) paging instead of waiting for its end. Returns (every listed id, or None when
    the first page failed: a gap is recorded; the describe results, in order). A page that fails after
    the first keeps what was listed before it (the gap says the list is incomplete)."""
    listed: list[str] = []
    seen: set[str] = set()
    pending: list[str] = []
    futures: list[Future[R]] = []
    ok = True
    with ThreadPoolExecutor(max_workers=limits.DESCRIBE_WORKERS, thread_name_prefix="ecs-triage-describe") as pool:
        token: str | None = None
        while True:
            page_params = dict(params)
            if token:
                page_params["nextToken"] = token
            resp, _ = sess.call(sink, kind, "ecs", op, resource, **page_params)
            if resp is None:
                ok = bool(listed)
                break
            for item in resp.get(result_key) or []:
                if item not in seen:
                    seen.add(item)
                    listed.append(item)
                    pending.append(item)
            while len(pending) >= batch:
                futures.append(pool.submit(describe, pending[:batch]))
                pending = pending[batch:]
            token = resp.get("nextToken")
            if not token:
                break
        if pending:
            futures.append(pool.submit(describe, pending))
        results = [f.result() for f in futures]
    return (listed if ok else None), results


def services_of(
    sess: AwsSession, sink: Sink, cluster: str, on_batch: Callable[[list[dict]], Any] | None = None
) -> tuple[list[str] | None, list[dict], list[dict]]:
    """Every service of the cluster: ListServices pages, DescribeServices per 10 while paging; `on_batch`
    (optional) is called with each batch of described services as soon as it arrives.
    Returns (service ARNs or None when ListServices failed, services, failures[])."""

    def one(chunk: list[str]) -> tuple[list[dict], list[dict]]:
        resp, _ = sess.call(
            sink, "services", "ecs", "DescribeServices", ",".join(chunk), cluster=cluster, services=chunk
        )
        if resp is None:
            return [], []
        got = resp.get("services") or []
        if on_batch is not None and got:
            on_batch(got)
        return got, resp.get("failures") or []

    params = {"cluster": cluster, "maxResults": limits.LIST_SERVICES_PAGE}
    arns, got = list_and_describe(
        sess, sink, "services", "ListServices", cluster, "serviceArns", params, one, limits.DESCRIBE_SERVICES
    )
    return arns, [s for svcs, _ in got for s in svcs], [f for _, fails in got for f in fails]


def tasks_of(
    sess: AwsSession, sink: Sink, cluster: str, status: str, service: str | None = None
) -> tuple[list[str] | None, list[dict], list[dict]]:
    """Every task with `desiredStatus` = status (optionally of one service): ListTasks pages, DescribeTasks per
    100 while paging. Returns (task ARNs or None when ListTasks failed, tasks, failures[])."""

    def one(chunk: list[str]) -> tuple[list[dict], list[dict]]:
        resource = chunk[0] if len(chunk) == 1 else f"{cluster}: {len(chunk)} tasks"
        resp, _ = sess.call(sink, "tasks", "ecs", "DescribeTasks", resource, cluster=cluster, tasks=chunk)
        if resp is None:
            return [], []
        return resp.get("tasks") or [], resp.get("failures") or []

    params: dict[str, Any] = {"cluster": cluster, "desiredStatus": status, "maxResults": limits.LIST_TASKS_PAGE}
    if service:
        params["serviceName"] = service
    resource = f"{cluster}/{service}" if service else cluster
    arns, got = list_and_describe(
        sess, sink, "tasks", "ListTasks", resource, "taskArns", params, one, limits.DESCRIBE_TASKS
    )
    return arns, [t for tasks, _ in got for t in tasks], [f for _, fails in got for f in fails]


def describe_services(sess: AwsSession, sink: Sink, cluster: str, names: list[str]) -> tuple[list[dict], list[dict]]:
    """Batches of 10, concurrently. A failed batch becomes a gap naming its services."""

    def one(chunk: list[str]) -> tuple[list[dict], list[dict]]:
        resp, _ = sess.call(
            sink, "services", "ecs", "DescribeServices", ",".join(chunk), cluster=cluster, services=chunk
        )
        if resp is None:
            return [], []
        return resp.get("services") or [], resp.get("failures") or []

    services: list[dict] = []
    failures: list[dict] = []
    for svcs, fails in sess.pmap(one, limits.chunks(names, limits.DESCRIBE_SERVICES)):
        services.extend(svcs)
        failures.extend(fails)
    return services, failures


def describe_tasks(sess: AwsSession, sink: Sink, cluster: str, arns: list[str]) -> tuple[list[dict], list[dict]]:
    """Batches of 100, concurrently: (tasks, failures[])."""

    def one(chunk: list[str]) -> tuple[list[dict], list[dict]]:
        resource = chunk[0] if len(chunk) == 1 else f"{cluster}: {len(chunk)} tasks"
        resp, _ = sess.call(sink, "tasks", "ecs", "DescribeTasks", resource, cluster=cluster, tasks=chunk)
        if resp is None:
            return [], []
        return resp.get("tasks") or [], resp.get("failures") or []

    tasks: list[dict] = []
    failures: list[dict] = []
    for got, fails in sess.pmap(one, limits.chunks(list(dict.fromkeys(arns)), limits.DESCRIBE_TASKS)):
        tasks.extend(got)
        failures.extend(fails)
    return tasks, failures


def task_definition(sess: AwsSession, sink: Sink, arn: str) -> dict | None:
    def fetch(sub: Sink) -> dict | None:
        resp, _ = sess.call(sub, "task_definitions", "ecs", "DescribeTaskDefinition", arn, taskDefinition=arn)
        return None if resp is None else resp.get("taskDefinition")

    return sess.once(sink, ("task_definition", arn), fetch)


def task_definitions(sess: AwsSession, sink: Sink, arns: list[str]) -> list[dict]:
    got = sess.pmap(lambda arn: task_definition(sess, sink, arn), list(dict.fromkeys(a for a in arns if a)))
    return [td for td in got if td]


def container_instances(sess: AwsSession, sink: Sink, cluster: str) -> list[dict] | None:
    """Every container instance of the cluster (remaining resources, attributes), batched by 100."""
    arns, _ = sess.paginate(
        sink,
        "container_instances",
        "ecs",
        "ListContainerInstances",
        cluster,
        "containerInstanceArns",
        cluster=cluster,
        maxResults=limits.LIST_CONTAINER_INSTANCES_PAGE,
    )
    if arns is None:
        return None

    def one(chunk: list[str]) -> list[dict] | None:
        resp, _ = sess.call(
            sink,
            "container_instances",
            "ecs",
            "DescribeContainerInstances",
            cluster,
            cluster=cluster,
            containerInstances=chunk,
        )
        return None if resp is None else resp.get("containerInstances") or []

    out: list[dict] = []
    for got in sess.pmap(one, limits.chunks(arns, limits.DESCRIBE_CONTAINER_INSTANCES)):
        if got is None:
            return None
        out.extend(got)
    return out
