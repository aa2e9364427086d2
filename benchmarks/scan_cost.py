"""API calls, wall time and peak RSS of `ecs-triage scan --cluster prod` over 200 services, against moto.

    .venv/bin/python benchmarks/scan_cost.py [--latency-ms 20] [--services 200] [--stopped 2000] [--runs 1]

The cluster (built in a `ThreadedMotoServer` on 127.0.0.1, in this process; build time is not measured):
- 10 failing services, each a different cause, built by the demo's own world builders
  (`ecs_triage.demo.worlds`: ecr-pull-403, image-tag-missing, no-route-to-ecr, secret-denied, exec-role-trust,
  log-group-missing, app-missing-env, app-db-refused, oom, health-check-port) and the 2 healthy demo services;
- healthy filler services up to --services (own task definition family and log group, images from 19 shared
  ECR repositories, the shared execution role), 2 running tasks each, steady-state events;
- --stopped stopped tasks in all, within the last hour: failing services churn (their demo tasks cloned, with
  the same stop code, reason and exit code), healthy services show deployment / scale-in stops (benign stop
  codes, exit 0). Tasks beyond the demo's own are injected straight into moto's ECS backend (moto-notes 3.2),
  because RunTask + StopTask over HTTP for 2,000 tasks would take minutes.
Then every API request is delayed by --latency-ms (a WSGI middleware in front of moto), and the script runs
`ecs_triage.app.scan.scan_clusters` in process (calls, wall time, peak RSS growth), then the CLI
`ecs-triage scan --cluster prod --format json` in a subprocess with AWS_ENDPOINT_URL (wall time including the
interpreter; peak RSS as the child's own VmHWM, and getrusage(RUSAGE_CHILDREN) for reference, which also counts
what the fork inherited from this big process before exec). Targets: wall <= 5 s, calls <= 1.3x the lower bound,
peak RSS <= 200 MB.

What the simulator costs is kept apart from what ecs-triage costs: moto's CPU time per request is printed (it
shares this process's GIL with the in-process scan); ListTasks/ListServices are paged as AWS pages them (moto
returns one page); moto's quadratic DescribeTasks lookup is replaced by an index unless --moto-as-is.
A tighter bound (the batch forms of DescribeLogGroups, DescribeRepositories, DescribeImages) is printed for
information.

Lower bound (every list followed, batches full, each distinct resource read once):
    1 sts:GetCallerIdentity + 1 DescribeClusters
  + ListServices: max(1, ceil(services/100))                    + DescribeServices: ceil(services/10)
  + ListTasks: max(1, ceil(stopped/100)) + max(1, ceil(running/100))   (desiredStatus STOPPED and RUNNING)
  + DescribeTasks: ceil((stopped + running)/100)
  + DescribeTaskDefinition: distinct task definitions (services, their deployments, tasks)
  + per distinct role: GetRole + ListAttachedRolePolicies + ListRolePolicies + one GetRolePolicy per inline policy
  + per distinct managed policy (attached or boundary): GetPolicy + GetPolicyVersion
  + SimulatePrincipalPolicy: 1 (one probe; moto answers AccessDenied, as AWS does for a caller who may not)
  + per ECR repository: DescribeRepositories + GetRepositoryPolicy; per image: DescribeImages + BatchGetImage
  + per secret: DescribeSecret + GetResourcePolicy; SSM: ceil(parameters/50) DescribeParameters
  + per customer KMS key: DescribeKey + GetKeyPolicy
  + per awslogs group: DescribeLogGroups
  + GetLogEvents: per service, its failed stopped tasks in the window (stop code TaskFailedToStart,
    EssentialContainerExited or none, or a non-zero exit code), at most LOG_TAIL_TASKS_PER_SERVICE (3), times
    their awslogs containers: only failures' tails are read
  + ceil(target groups/20) DescribeTargetGroups + per target group DescribeTargetHealth
    + ceil(load balancers/20) DescribeLoadBalancers
  + when tasks have subnets: DescribeSubnets + DescribeNetworkAcls + DescribeSecurityGroups (task groups)
    + DescribeVpcs + 2 DescribeVpcAttribute per VPC + DescribeRouteTables + DescribeVpcEndpoints
    + DescribeNatGateways + DescribeInternetGateways (all batched over the subnets / VPCs)
"""

from __future__ import annotations

import argparse
import copy
import json
import logging
import math
import os
import resource
import subprocess
import sys
import threading
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

FAILING = (
    "ecr-pull-403",
    "image-tag-missing",
    "no-route-to-ecr",
    "secret-denied",
    "exec-role-trust",
    "log-group-missing",
    "app-missing-env",
    "app-db-refused",
    "oom",
    "health-check-port",
)
HEALTHY = ("healthy-web-frontend", "healthy-auth-service")
CLUSTER = "prod"
SHARED_REPOS = 19
FAILED_STOP_CODES = {"TaskFailedToStart", "EssentialContainerExited", None}
BENIGN = (
    ("ServiceSchedulerInitiated", "Scaling activity initiated by (deployment ecs-svc/{n})"),
    ("ServiceSchedulerInitiated", "Task was drained by the deployment ecs-svc/{n}"),
    ("UserInitiated", "Task stopped by user"),
)


# Runs the CLI in the child and writes its own figures at exit: peak RSS of the child's own address space
# (VmHWM; getrusage(RUSAGE_CHILDREN) also counts what a fork inherited from this big parent before exec) and
# the time at which collection started and ended (phases of the wall time).
CHILD = """
import atexit, json, os, resource, sys, time
t_start = time.perf_counter()
marks = {}
def _cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime
def _report():
    hwm = next((int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('VmHWM:')), 0)
    with open(os.environ['SCAN_COST_REPORT'], 'w') as f:
        json.dump({'vmhwm_kb': hwm, 'maxrss_kb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                   'end': time.perf_counter() - t_start, 'cpu_end': _cpu(), **marks}, f)
atexit.register(_report)
import ecs_triage.collect as _c
_orig = _c.collect_cluster
def _timed(**kw):
    marks['collect_start'] = time.perf_counter() - t_start
    marks['cpu_start'] = _cpu()
    try:
        return _orig(**kw)
    finally:
        marks['collect_end'] = time.perf_counter() - t_start
        marks['cpu_collect'] = _cpu()
_c.collect_cluster = _timed
from ecs_triage.cli import main
sys.argv[0] = 'ecs-triage'
sys.exit(main())
"""


class Latency:
    """WSGI middleware: every AWS API request waits `delay` seconds before moto answers it."""

    def __init__(self, app: Any, delay: float) -> None:
        self.app = app
        self.delay = delay
        self.busy = 0.0  # CPU seconds moto spent answering (threads' CPU time): the simulator's own cost
        self.by_op: dict[str, float] = {}
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        if environ.get("PATH_INFO", "").startswith("/moto-api"):
            return self.app(environ, start_response)
        time.sleep(self.delay)
        t0 = time.thread_time()
        op = environ.get("HTTP_X_AMZ_TARGET", "").rsplit(".", 1)[-1] or environ.get("QUERY_STRING", "")[:40]
        try:
            return list(self.app(environ, start_response))
        finally:
            with self._lock:
                spent = time.thread_time() - t0
                self.busy += spent
                self.by_op[op] = self.by_op.get(op, 0.0) + spent


def _aws_paging() -> Any:
    """moto ignores maxResults/nextToken on ListTasks and ListServices (moto-notes 1.5): everything comes
    on one page, which would hide the cost of following pages. Page them as AWS does (maxResults, default
    100, nextToken), for the measured run. Returns the undo function."""
    from moto.core.responses import ActionResult
    from moto.ecs.responses import EC2ContainerServiceResponse as R

    originals = {"list_tasks": (R.list_tasks, "taskArns"), "list_services": (R.list_services, "serviceArns")}

    listed: dict[tuple[Any, ...], list[str]] = {}  # the full list behind each paging, kept between its pages

    def paged(orig: Any, key: str) -> Any:
        def handler(self: Any) -> Any:
            token = self._get_param("nextToken")
            size = int(self._get_param("maxResults") or 100)
            ident = (key, *(str(self._get_param(p)) for p in ("cluster", "desiredStatus", "serviceName", "family")))
            start = int(token.split(":", 1)[0]) if token else 0
            cache_key = (*ident, token.split(":", 1)[1] if token else str(uuid.uuid4()))
            if not token or cache_key not in listed:
                # the first page lists everything (as moto does); later pages slice that same list, as AWS's
                # token would, instead of moto listing every task again for each page
                listed[cache_key] = list(orig(self).result[key])
            items = listed[cache_key]
            body: dict[str, Any] = {key: items[start : start + size]}
            if start + size < len(items):
                body["nextToken"] = f"{start + size}:{cache_key[-1]}"
            else:
                listed.pop(cache_key, None)
            return ActionResult(body)

        return handler

    for name, (orig, key) in originals.items():
        setattr(R, name, paged(orig, key))

    def restore() -> None:
        for name, (orig, _key) in originals.items():
            setattr(R, name, orig)

    return restore


def _indexed_describe_tasks() -> Any:
    """moto's DescribeTasks looks every requested id up by scanning every task of every cluster with a
    substring test (O(all tasks x ids asked)): about 100 ms of moto's CPU per call of 100 ids at 2,400 tasks,
    serialised by the GIL of this process. That is a cost of the simulator, not of AWS (the 20 ms latency
    stands for AWS's): answer the same tasks through an index. Returns the undo function."""
    from moto.ecs.exceptions import InvalidParameterException
    from moto.ecs.models import EC2ContainerServiceBackend as B

    original = B.describe_tasks

    def describe_tasks(self: Any, cluster_str: str, tasks: list[str]) -> list[Any]:
        self._get_cluster(cluster_str)
        if not tasks:
            raise InvalidParameterException("Tasks cannot be empty.")
        index: dict[str, Any] = {}
        for cluster_tasks in self.tasks.values():
            for arn, task in cluster_tasks.items():
                index[arn] = index[arn.rsplit("/", 1)[-1]] = task
        response = []
        for wanted in dict.fromkeys(tasks):
            task = index.get(wanted) or index.get(wanted.rsplit("/", 1)[-1])
            if task is not None and task not in response:
                task.advance()
                response.append(task)
        return response

    B.describe_tasks = describe_tasks

    def restore() -> None:
        B.describe_tasks = original

    return restore


# -- building the cluster (not measured) ---------------------------------------------------------------


def _env_from_account(clients: Any, now: datetime) -> Any:
    """The demo's Env for the shared account the worlds were built in (read back through the API)."""
    from ecs_triage.demo._base import Env

    ec2 = clients.ec2
    subnets = ec2.describe_subnets()["Subnets"]

    def named(s: dict[str, Any]) -> str:
        return next((t["Value"] for t in s.get("Tags") or [] if t["Key"] == "Name"), "")

    private = sorted(s["SubnetId"] for s in subnets if named(s).startswith("prod-private"))
    groups = ec2.describe_security_groups(Filters=[{"Name": "group-name", "Values": ["prod-services"]}])
    env = Env(c=clients, now=now)
    env.private_subnets = private
    env.app_sg = groups["SecurityGroups"][0]["GroupId"]
    env.exec_role_arn = clients.iam.get_role(RoleName="ecsTaskExecutionRole")["Role"]["Arn"]
    env.repos = {r["repositoryName"] for r in clients.ecr.describe_repositories()["repositories"]}
    return env


def _copy_logs(logs: Any, template: Any, task: Any, cache: dict[str, Any]) -> None:
    """The clone's container wrote what its template's did: copy the awslogs stream (real API)."""
    for c in template.containers:
        tid, new_id = template.task_arn.rsplit("/", 1)[-1], task.task_arn.rsplit("/", 1)[-1]
        group, stream = f"/ecs/{c.name}", f"ecs/{c.name}/{tid}"
        key = f"{group}:{stream}"
        if key not in cache:
            try:
                got = logs.get_log_events(logGroupName=group, logStreamName=stream, startFromHead=True)
                cache[key] = [{"timestamp": e["timestamp"], "message": e["message"]} for e in got["events"]]
            except logs.exceptions.ResourceNotFoundException:
                cache[key] = []
        if cache[key]:
            new = f"ecs/{c.name}/{new_id}"
            logs.create_log_stream(logGroupName=group, logStreamName=new)
            logs.put_log_events(logGroupName=group, logStreamName=new, logEvents=cache[key])


def _clone_stopped(backend: Any, template: Any, stopped_at: datetime) -> Any:
    """A new task object with the template's (injected) stop state: direct backend injection, see docstring."""
    task = copy.copy(template)
    task.id = str(uuid.uuid4())
    task.containers = [copy.copy(c) for c in template.containers]
    task.attachments = copy.deepcopy(template.attachments)
    for c in task.containers:
        c.task_arn = task.task_arn
        c.runtime_id = uuid.uuid4().hex
    created, stopped = getattr(template, "created_at", None), getattr(template, "stopped_at", None)
    ran = (stopped - created) if created and stopped else None
    task.stopped_at = task.stopping_at = task.execution_stopped_at = stopped_at
    if ran is not None:
        task.created_at = task.pull_started_at = stopped_at - ran
        if getattr(template, "started_at", None) is not None:
            task.started_at = task.pull_stopped_at = task.created_at + (template.started_at - template.created_at)
    backend.tasks[CLUSTER][task.task_arn] = task
    return task


def build(n_services: int, n_stopped: int, endpoint: str) -> dict[str, Any]:
    import boto3

    from ecs_triage.demo import _moto
    from ecs_triage.demo._base import push_image
    from ecs_triage.demo._svc import register_service, start_tasks
    from ecs_triage.demo.worlds import build_worlds

    session = boto3.session.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
    )
    clients = _moto.Clients(session, endpoint_url=endpoint)
    now = datetime.now(timezone.utc)
    worlds = build_worlds(clients, FAILING + HEALTHY, now=now)
    failing = [w for w in worlds if w.cause and w.cluster == CLUSTER]
    env = _env_from_account(clients, now)
    backend = _moto.ecs_backend()

    filler = [f"svc-{i:03d}" for i in range(max(0, n_services - len(worlds)))]
    for i, name in enumerate(filler):
        repo = f"platform-{i % SHARED_REPOS:02d}"
        image = f"{_moto.ACCOUNT}.dkr.ecr.{_moto.REGION}.amazonaws.com/{repo}:1.0.0"
        if repo not in env.repos:
            push_image(env, repo, "1.0.0")
        svc = register_service(env, name, image=image, exec_role_arn=env.exec_role_arn, desired=2)
        start_tasks(env, svc, count=2, minutes_ago=300)
        _moto.set_service_state(
            CLUSTER,
            name,
            running=2,
            rollout_state="COMPLETED",
            rollout_reason="ECS deployment completed.",
            events=[(now - timedelta(minutes=290), f"(service {name}) has reached a steady state.")],
        )

    # stopped tasks: failing services churn (clones of their own failed tasks), healthy ones are rolled/scaled
    tasks = backend.tasks[CLUSTER]
    have = sum(1 for t in tasks.values() if t.desired_status == "STOPPED")
    budget = max(0, n_stopped - have)
    per_failing = budget // 4 // max(1, len(failing))
    streams: dict[str, Any] = {}
    for w in failing:
        templates = [tasks[a] for a in w.task_arns if a in tasks and tasks[a].desired_status == "STOPPED"]
        for k in range(per_failing if templates else 0):
            template = templates[k % len(templates)]
            clone = _clone_stopped(backend, template, now - timedelta(seconds=30 + 50 * k))
            _copy_logs(clients.logs, template, clone, streams)
    have = sum(1 for t in tasks.values() if t.desired_status == "STOPPED")
    running = {
        t.group: t for t in tasks.values() if t.desired_status == "RUNNING" and t.group.startswith("service:svc-")
    }
    groups = sorted(running)
    for k in range(max(0, n_stopped - have)):
        template = running[groups[k % len(groups)]]
        task = _clone_stopped(backend, template, now - timedelta(seconds=60 + (k * 1.6) % 3300))
        code, reason = BENIGN[k % len(BENIGN)]
        task.status = "STOPPED"
        task.desired_status = "STOPPED"
        task.stop_code = code
        task.stopped_reason = reason.format(n=uuid.uuid4().hex[:12])
        task.created_at = task.pull_started_at = task.stopped_at - timedelta(hours=2)
        task.started_at = task.pull_stopped_at = task.created_at + timedelta(seconds=20)
        for c in task.containers:
            c.last_status = "STOPPED"
            c.exitCode = 0
    all_tasks = list(tasks.values())
    return {
        "failing": sorted(w.service for w in failing),
        "stopped": sum(1 for t in all_tasks if t.desired_status == "STOPPED"),
        "running": sum(1 for t in all_tasks if t.desired_status == "RUNNING"),
    }


# -- the lower bound ------------------------------------------------------------------------------------


def lower_bound(snap: dict[str, Any], listed_stopped: int, listed_running: int) -> dict[str, int]:
    from ecs_triage.collect import limits
    from ecs_triage.collect.logs import awslogs_options

    data = snap["data"]
    services = data.get("services", [])
    roles = data.get("iam_roles", [])
    managed = {p["PolicyArn"] for r in roles for p in r.get("AttachedPolicies", [])}
    managed |= {r["PermissionsBoundary"]["PolicyArn"] for r in roles if r.get("PermissionsBoundary")}
    keys = [k for k in data.get("kms_keys", []) if (k.get("metadata") or {}).get("KeyManager") == "CUSTOMER"]
    tds = {td["taskDefinitionArn"]: td for td in data.get("task_definitions", [])}
    region = snap.get("region") or "us-east-1"
    tails = 0
    by_group: dict[str, int] = {}
    for t in data.get("tasks", []):
        stopped = t.get("lastStatus") == "STOPPED" or t.get("desiredStatus") == "STOPPED"
        failed = t.get("stopCode") in FAILED_STOP_CODES or any(
            c.get("exitCode") not in (None, 0) for c in t.get("containers") or []
        )
        if not (stopped and failed):
            continue
        group = t.get("group") or ""
        if by_group.get(group, 0) >= limits.LOG_TAIL_TASKS_PER_SERVICE:
            continue
        by_group[group] = by_group.get(group, 0) + 1
        defs = {
            cd.get("name"): cd for cd in (tds.get(t.get("taskDefinitionArn")) or {}).get("containerDefinitions", [])
        }
        for c in t.get("containers") or []:
            opts = awslogs_options(defs.get(c.get("name"), {}), region)
            tails += 1 if opts and opts["prefix"] else 0
    vpcs = data.get("vpcs", [])
    tgs = data.get("target_groups", [])
    return {
        "sts": 1,
        "DescribeClusters": 1,
        "ListServices": max(1, math.ceil(len(services) / 100)),
        "DescribeServices": math.ceil(len(services) / 10),
        "ListTasks": max(1, math.ceil(listed_stopped / 100)) + max(1, math.ceil(listed_running / 100)),
        "DescribeTasks": math.ceil((listed_stopped + listed_running) / 100),
        "DescribeTaskDefinition": len(tds),
        "roles": sum(3 + len(r.get("InlinePolicies", [])) for r in roles),
        "managed policies": 2 * len(managed),
        "SimulatePrincipalPolicy": 1,
        "ecr": 2 * len(data.get("ecr_repositories", [])) + 2 * len(data.get("ecr_images", [])),
        "secrets": 2 * len(data.get("secrets", [])) + math.ceil(len(data.get("ssm_parameters", [])) / 50),
        "kms": 2 * len(keys),
        "DescribeLogGroups": len(data.get("log_groups", [])),
        "GetLogEvents": tails,
        "elbv2": math.ceil(len(tgs) / 20) + len(tgs) + math.ceil(len(data.get("load_balancers", [])) / 20),
        "ec2 network": (7 + 2 * len(vpcs) + 1) if data.get("subnets") else 0,
    }


# -- measuring --------------------------------------------------------------------------------------------


def _timeline() -> None:
    """One extra in-process collection with the phases' end times printed (where the wall time goes)."""
    from ecs_triage.collect import collect_cluster, ecs, run

    t0 = time.perf_counter()
    marks: list[tuple[float, str]] = []
    originals = {"tasks_of": ecs.tasks_of, "services_of": ecs.services_of, "collect_scope": run.collect_scope}

    def wrap(name: str) -> Any:
        def inner(*a: Any, **kw: Any) -> Any:
            label = name + (f"({a[3]})" if name == "tasks_of" else "") + (" +tasks" if kw.get("tasks") else "")
            try:
                return originals[name](*a, **kw)
            finally:
                marks.append((time.perf_counter() - t0, label))

        return inner

    ecs.tasks_of, ecs.services_of = wrap("tasks_of"), wrap("services_of")  # type: ignore[assignment]
    run.collect_scope = wrap("collect_scope")  # type: ignore[assignment]
    try:
        collect_cluster(cluster=CLUSTER, all_clusters=False, regions=None, since_seconds=3600)
    finally:
        ecs.tasks_of, ecs.services_of = originals["tasks_of"], originals["services_of"]  # type: ignore[assignment]
        run.collect_scope = originals["collect_scope"]  # type: ignore[assignment]
    end = time.perf_counter() - t0
    print(
        "timeline (in process, s): " + ", ".join(f"{label} {t:.2f}" for t, label in sorted(marks)) + f", end {end:.2f}"
    )


def _mb(kb: int) -> float:
    return kb / 1024  # ru_maxrss is in KiB on Linux


def main() -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--latency-ms", type=float, default=20.0)
    ap.add_argument("--services", type=int, default=200)
    ap.add_argument("--stopped", type=int, default=2000)
    ap.add_argument("--runs", type=int, default=1, help="subprocess runs (best and median printed)")
    ap.add_argument("--no-subprocess", action="store_true")
    ap.add_argument("--profile", action="store_true", help="profile the in-process scan, print the top")
    ap.add_argument(
        "--moto-as-is", action="store_true", help="keep moto's O(all x asked) DescribeTasks lookup (see below)"
    )
    ap.add_argument("--timeline", action="store_true", help="print when each collection phase ends (in process)")
    ap.add_argument("--save-snapshot", metavar="FILE", help="write the cluster snapshot (to profile scan offline)")
    args = ap.parse_args()

    logging.getLogger("werkzeug").setLevel(logging.CRITICAL)
    from moto.moto_api import state_manager

    from ecs_triage.demo.server import FAKE_ENV, _deny_policy_simulation

    for var in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
        os.environ.pop(var, None)
    env = {
        **FAKE_ENV,
        "AWS_CONFIG_FILE": "/nonexistent/aws-config",
        "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/aws-credentials",
    }
    os.environ.update(env)
    t0 = time.perf_counter()
    from moto.core.config import default_user_config
    from moto.moto_api._internal.models import moto_api_backend
    from moto.server import ThreadedMotoServer

    # as the demo's server does: SimulatePrincipalPolicy answers AccessDenied (moto does not implement it)
    restore = _deny_policy_simulation()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    unpage = unindex = None
    try:
        from unittest import mock

        moto_api_backend.reset()

        with mock.patch.dict(default_user_config, {"iam": {"load_aws_managed_policies": True}}):
            built = build(args.services, args.stopped, endpoint)
        build_s = time.perf_counter() - t0
        # moto adds DescribeTasks/DescribeServices `tags` transformers to one shared dict on first use, racing
        # with concurrent serialisations (a 500 that botocore retries): settle them first (the default state)
        from moto.core.responses import BaseResponse
        from moto.core.serialize import never_return
        from moto.ecs import responses as ecs_responses

        for key in ("DESCRIBE_CLUSTERS_TAGS", "DESCRIBE_SERVICES_TAGS", "DESCRIBE_TASKS_TAGS"):
            BaseResponse.RESPONSE_KEY_PATH_TO_TRANSFORMER.setdefault(getattr(ecs_responses, key), never_return)
        unpage = _aws_paging()
        unindex = None if args.moto_as_is else _indexed_describe_tasks()
        env["AWS_ENDPOINT_URL"] = endpoint
        os.environ.update(env)
        wsgi = server._server  # werkzeug server: put the latency in front of moto's app
        latency = Latency(wsgi.app, args.latency_ms / 1000)
        wsgi.app = latency

        from ecs_triage.app.scan import scan_clusters
        from ecs_triage.collect import collect_cluster

        if args.timeline:
            _timeline()
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        profiler = None
        if args.profile:
            import cProfile

            profiler = cProfile.Profile()
            profiler.enable()
        t0 = time.perf_counter()
        busy0 = latency.busy
        result = scan_clusters([CLUSTER], since_seconds=3600)
        scan_s = time.perf_counter() - t0
        scan_busy = latency.busy - busy0
        if profiler is not None:
            import pstats

            profiler.disable()
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(45)
        rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

        # the snapshot itself, for the lower bound (a second collection, not timed)
        (snap,) = collect_cluster(cluster=CLUSTER, all_clusters=False, regions=None, since_seconds=3600)
        if args.save_snapshot:
            Path(args.save_snapshot).write_text(json.dumps(snap, default=str))
        calls = dict(result.calls)
        total = sum(calls.values())
        bound = lower_bound(snap, built["stopped"], built["running"])
        bound_total = sum(bound.values())
        flagged = sorted(r.service for r in result.rows)

        print(
            f"# scan cost: cluster {CLUSTER!r}, {len(snap['data'].get('services', []))} services "
            f"({len(built['failing'])} failing), {built['stopped']} stopped + {built['running']} running tasks"
        )
        print(f"# latency injected per API call: {args.latency_ms:.0f} ms; build time (not measured): {build_s:.1f} s")
        print(
            "# moto's DescribeTasks: "
            + ("as is (O(all tasks x ids) lookup)" if args.moto_as_is else "indexed (see _indexed_describe_tasks)")
        )
        print(
            f"# {os.cpu_count()} cores; load average before measuring: {' '.join(f'{x:.2f}' for x in os.getloadavg())}"
        )
        print("calls per operation:")
        for op, n in sorted(calls.items()):
            print(f"  {op:<42} {n}")
        print(f"total calls: {total}")
        print("lower bound: " + " + ".join(f"{v} {k}" for k, v in bound.items() if v) + f" = {bound_total}")
        print(f"ratio calls / lower bound: {total / bound_total:.2f}  (target <= 1.3)")
        # Tighter, for information: what the batch forms of the same read APIs would allow (DescribeLogGroups
        # with logGroupIdentifiers, 50 a call; DescribeRepositories with 100 names; DescribeImages and
        # BatchGetImage with every tag of one repository). The collectors ask per resource today.
        data = snap["data"]
        repos = len(data.get("ecr_repositories", []))
        tight = dict(bound)
        tight["DescribeLogGroups"] = math.ceil(len(data.get("log_groups", [])) / 50)
        tight["ecr"] = math.ceil(repos / 100) + 3 * repos
        tight_total = sum(tight.values())
        print(
            f"tighter bound with batch APIs (log groups by 50, repositories by 100, images per repository): "
            f"{tight_total}; ratio {total / tight_total:.2f} (information, not the target)"
        )
        print(
            f"in-process scan_clusters wall time: {scan_s:.2f} s  (target <= 5 s); moto's own CPU time answering: "
            f"{scan_busy:.2f} s (same process and GIL as the scan)"
        )
        print(
            f"in-process peak RSS: {_mb(rss_after):.0f} MB for the whole process (moto server and its "
            f"2,000-task account included); growth of the peak during the scan: {_mb(rss_after - rss_before):.0f} MB"
        )
        print(f"flagged services ({len(flagged)}): {', '.join(flagged)}")
        top = {r.service: (r.top.cause if r.top else "unknown") for r in result.rows}
        missed = sorted(set(built["failing"]) - set(flagged))
        extra = sorted(set(flagged) - set(built["failing"]))
        print(f"causes: {json.dumps(top, sort_keys=True)}")
        print(f"failing services missed: {missed or 'none'}; healthy services flagged: {extra or 'none'}")

        if not args.no_subprocess:
            import tempfile

            report_file = Path(tempfile.mkdtemp()) / "child.json"
            env["SCAN_COST_REPORT"] = str(report_file)
            cmd = [sys.executable, "-c", CHILD, "scan", "--cluster", CLUSTER, "--format", "json"]
            times: list[float] = []
            code = None
            for _ in range(max(1, args.runs)):
                busy0 = latency.busy
                t0 = time.perf_counter()
                proc = subprocess.run(cmd, env={**os.environ, **env}, capture_output=True, text=True, check=False)
                times.append(time.perf_counter() - t0)
                child_busy = latency.busy - busy0
                code = proc.returncode
                if proc.returncode not in (0, 1):
                    print(f"scan exited {proc.returncode}: {proc.stderr.strip()[-500:]}")
                    break
            child_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
            times.sort()
            rows = len(json.loads(proc.stdout)["services"]) if proc.returncode in (0, 1) else -1
            print(
                f"`{' '.join(['ecs-triage', *cmd[-5:]])}` (subprocess, AWS_ENDPOINT_URL={endpoint}): "
                f"wall best {times[0]:.2f} s, median {times[len(times) // 2]:.2f} s over {len(times)} run(s), "
                f"exit code {code}, {rows} rows  (target <= 5 s)"
            )
            print(
                f"  moto's own CPU time answering the last run: {child_busy:.2f} s (2 cores: client and server overlap)"
            )
            top = sorted(latency.by_op.items(), key=lambda kv: -kv[1])[:5]
            print("  moto CPU by operation, all runs: " + ", ".join(f"{op or '?'} {t:.2f} s" for op, t in top))
            child = json.loads(report_file.read_text()) if report_file.exists() else {}
            if child:
                print(
                    f"  phases of the last run: start-up {child.get('collect_start', 0):.2f} s, collection "
                    f"{child.get('collect_end', 0) - child.get('collect_start', 0):.2f} s, diagnosis and output "
                    f"{child['end'] - child.get('collect_end', 0):.2f} s (process exit and pipe not included); "
                    f"the child's CPU time: start-up {child.get('cpu_start', 0):.2f} s, collection "
                    f"{child.get('cpu_collect', 0) - child.get('cpu_start', 0):.2f} s, diagnosis and output "
                    f"{child.get('cpu_end', 0) - child.get('cpu_collect', 0):.2f} s"
                )
            print(
                f"subprocess peak RSS: {_mb(child.get('vmhwm_kb', 0)):.0f} MB (its own VmHWM)  (target <= 200 MB); "
                f"getrusage(RUSAGE_CHILDREN).ru_maxrss {_mb(child_rss):.0f} MB"
                " (includes what the fork inherited from this process before exec)"
            )
    finally:
        state_manager.unset_transition("ecs::task")
        server.stop()
        restore()
        if unpage is not None:
            unpage()
        if unindex is not None:
            unindex()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
