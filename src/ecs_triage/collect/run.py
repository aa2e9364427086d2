"""Orchestration: one target (diagnose) or whole clusters (scan) -> snapshots (docs/snapshot-format.md)."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta, timezone
from typing import Any

from ecs_triage import __version__
from ecs_triage.collect import ec2, ecr, ecs, elbv2, iam, limits, logs, secrets
from ecs_triage.collect.session import AwsSession, Sink
from ecs_triage.errors import CollectError, InputError
from ecs_triage.evidence.snapshot import SCHEMA, redact

Progress = Callable[[str], None]
NETWORK_KINDS = (
    "subnets",
    "route_tables",
    "vpcs",
    "vpc_endpoints",
    "security_groups",
    "network_acls",
    "nat_gateways",
    "internet_gateways",
)
SCOPE_KINDS = (
    "task_definitions",
    "container_instances",
    "ec2_instances",
    "instance_profiles",
    "iam_roles",
    "ecr_repositories",
    "ecr_images",
    "secrets",
    "ssm_parameters",
    "kms_keys",
    "log_groups",
    "log_events",
    "target_groups",
    "load_balancers",
    *NETWORK_KINDS,
)
CLIENTS = ("sts", "ecs", "iam", "ecr", "secretsmanager", "ssm", "kms", "logs", "elbv2", "ec2")
FAILED_STOP_CODES = {"TaskFailedToStart", "EssentialContainerExited", None}


def _noop(_: str) -> None:
    return None


def jsonable(value: Any) -> Any:
    """Datetimes -> ISO 8601 strings, recursively (payloads are otherwise JSON types)."""
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value


class Snap:
    """One snapshot under construction: data by kind, deduplicated by key; calls and gaps in `sink`."""

    def __init__(self, sess: AwsSession, target: dict[str, Any]) -> None:
        self.sess = sess
        self.target = target
        self.sink = Sink()
        self.data: dict[str, dict[str, Any]] = {}
        self.looked: set[str] = set()
        self.extra: dict[str, Any] = {}
        self._lock = threading.Lock()
        self.collected_at = datetime.now(timezone.utc).replace(microsecond=0).isoformat()

    def look(self, *kinds: str) -> None:
        with self._lock:
            self.looked.update(kinds)

    def put(self, kind: str, key: str, item: Any) -> None:
        if item is None:
            return
        with self._lock:
            self.looked.add(kind)
            self.data.setdefault(kind, {}).setdefault(key, item)

    def failures(self, operation: str, failures: list[dict]) -> None:
        """ECS `failures[]` entries (a task or service that vanished between list and describe)."""
        if failures:
            with self._lock:
                self.extra.setdefault("failures", []).extend({"operation": operation, **f} for f in failures)

    def items(self, kind: str) -> list[Any]:
        with self._lock:
            return list(self.data.get(kind, {}).values())

    def build(self) -> dict[str, Any]:
        failed = {g["kind"] for g in self.sink.gaps}
        data: dict[str, list[Any]] = {}
        for kind in sorted(self.looked | set(self.data)):
            items = list(self.data.get(kind, {}).values())
            if not items and kind in failed:
                continue  # failed entirely: absent from data, listed in gaps
            data[kind] = items
        extra = {**self.sess.extra, **self.extra}
        snapshot: dict[str, Any] = {
            "schema": SCHEMA,
            "tool": {"name": "ecs-triage", "version": __version__},
            "source": "live",
            "target": self.target,
            "region": self.sess.region,
            "account": self.sess.account,
            "collected_at": self.collected_at,
            "calls": dict(sorted(self.sink.calls.items())),
            "data": jsonable(data),
            "gaps": list(self.sink.gaps),
        }
        if extra:
            snapshot["extra"] = jsonable(extra)
        return redact(snapshot)


# -- helpers over raw payloads ------------------------------------------------------------------------


def _name(arn_or_name: str) -> str:
    return arn_or_name.rsplit("/", 1)[-1]


def _task_id(task_arn: str) -> str:
    return task_arn.rsplit("/", 1)[-1]


def _awsvpc(services: Iterable[dict]) -> tuple[list[str], list[str]]:
    subnets: list[str] = []
    groups: list[str] = []
    for svc in services:
        confs = [svc.get("networkConfiguration")] + [
            d.get("networkConfiguration") for d in svc.get("deployments") or []
        ]
        for conf in confs:
            vpc = (conf or {}).get("awsvpcConfiguration") or {}
            subnets.extend(vpc.get("subnets") or [])
            groups.extend(vpc.get("securityGroups") or [])
    return subnets, groups


def _task_subnets(tasks: Iterable[dict]) -> list[str]:
    out = []
    for task in tasks:
        for att in task.get("attachments") or []:
            for d in att.get("details") or []:
                if d.get("name") == "subnetId" and d.get("value"):
                    out.append(d["value"])
    return out


def _references(td: dict) -> list[tuple[str, str]]:
    """(valueFrom, kind) for every secret, private-registry credential and log secretOption."""
    refs: list[tuple[str, str]] = []
    for cd in td.get("containerDefinitions") or []:
        for s in cd.get("secrets") or []:
            if s.get("valueFrom"):
                refs.append((s["valueFrom"], "secrets"))
        cred = (cd.get("repositoryCredentials") or {}).get("credentialsParameter")
        if cred:
            refs.append((cred, "credentials"))
        for s in (cd.get("logConfiguration") or {}).get("secretOptions") or []:
            if s.get("valueFrom"):
                refs.append((s["valueFrom"], "secrets"))
    return refs


def _stopped_sort_key(task: dict) -> tuple[int, str]:
    failed = task.get("stopCode") in FAILED_STOP_CODES or any(
        c.get("exitCode") not in (None, 0) for c in task.get("containers") or []
    )
    return (0 if failed else 1, "~" if not task.get("stoppedAt") else _neg(str(task.get("stoppedAt"))))


def _neg(text: str) -> str:  # sort newest first
    return "".join(chr(0x10FFFF - ord(ch)) if ord(ch) < 0x10FFFF else ch for ch in text)


def _is_stopped(task: dict) -> bool:
    return task.get("lastStatus") == "STOPPED" or task.get("desiredStatus") == "STOPPED"


# -- the shared scope: everything that hangs off services, tasks and task definitions -----------------


def collect_scope(
    sess: AwsSession,
    snap: Snap,
    *,
    cluster: dict | None,
    services: list[dict],
    tasks: list[dict],
    log_tasks: list[dict],
    progress: Progress,
) -> None:
    sink = snap.sink
    region = sess.region
    account = sess.account
    td_arns = [s.get("taskDefinition") for s in services]
    td_arns += [d.get("taskDefinition") for s in services for d in s.get("deployments") or []]
    td_arns += [t.get("taskDefinitionArn") for t in tasks]
    progress("ecs: task definitions")
    snap.look("task_definitions")
    for td in ecs.task_definitions(sess, sink, [a for a in td_arns if a]):
        snap.put("task_definitions", td["taskDefinitionArn"], td)
    tds = snap.items("task_definitions")
    snap.look(*SCOPE_KINDS)
    ec2_cluster = bool(
        (cluster or {}).get("registeredContainerInstancesCount") or any(t.get("containerInstanceArn") for t in tasks)
    )

    def roles(arns: Iterable[str]) -> None:
        for item in sess.pmap(lambda a: iam.role(sess, sink, a), list(dict.fromkeys(a for a in arns if a))):
            if item is not None:
                snap.put("iam_roles", item["RoleArn"], item)

    def task_roles() -> None:
        progress("iam: roles")
        roles([td.get("executionRoleArn") for td in tds] + [td.get("taskRoleArn") for td in tds])

    def instances_then_network() -> None:
        extra_subnets: list[str] = []
        extra_groups: list[str] = []
        if ec2_cluster and cluster is not None:
            progress("ecs: container instances")
            cis = ecs.container_instances(sess, sink, cluster.get("clusterArn") or cluster["clusterName"])
            for ci in cis or []:
                snap.put("container_instances", ci["containerInstanceArn"], ci)
            ids = [ci["ec2InstanceId"] for ci in cis or [] if ci.get("ec2InstanceId")]
            found = ec2.instances(sess, sink, ids) if ids else {}
            profiles: list[str] = []
            for iid, inst in found.items():
                if inst is None:
                    continue
                snap.put("ec2_instances", iid, inst)
                if inst.get("SubnetId"):
                    extra_subnets.append(inst["SubnetId"])
                extra_groups.extend(g["GroupId"] for g in inst.get("SecurityGroups") or [])
                if (inst.get("IamInstanceProfile") or {}).get("Arn"):
                    profiles.append(inst["IamInstanceProfile"]["Arn"])

            def profile_roles() -> None:
                got = sess.pmap(lambda a: (a, iam.instance_profile(sess, sink, a)), list(dict.fromkeys(profiles)))
                role_arns: list[str] = []
                for arn, prof in got:
                    snap.put("instance_profiles", arn, prof)
                    role_arns.extend(r["Arn"] for r in (prof or {}).get("Roles") or [])
                roles(role_arns)

            sess.parallel([profile_roles, lambda: network(extra_subnets, extra_groups)])
        else:
            network(extra_subnets, extra_groups)

    def network(extra_subnets: list[str], extra_groups: list[str]) -> None:
        progress("ec2: network path")
        svc_subnets, groups = _awsvpc(services)
        subnet_ids = list(dict.fromkeys(_task_subnets(tasks) + svc_subnets + extra_subnets))
        if not subnet_ids:
            return
        task_groups = list(dict.fromkeys(groups + extra_groups))

        def task_sgs() -> None:
            for gid, sg in (ec2.security_groups(sess, sink, task_groups) if task_groups else {}).items():
                snap.put("security_groups", gid, sg)

        first: list[Any] = sess.parallel(
            [
                lambda: ec2.subnets(sess, sink, subnet_ids),
                lambda: ec2.network_acls(sess, sink, subnet_ids),
                task_sgs,
            ]
        )
        found_subnets: dict[str, Any] = first[0]
        acls: dict[str, Any] = first[1]
        for sid, sub in found_subnets.items():
            snap.put("subnets", sid, sub)
        for items in acls.values():
            for acl in items or []:
                snap.put("network_acls", acl["NetworkAclId"], acl)
        vpc_ids = list(dict.fromkeys(s["VpcId"] for s in found_subnets.values() if s))
        if not vpc_ids:
            return
        got_vpcs, rts, eps, nats, igws = sess.parallel(
            [
                lambda: ec2.vpcs(sess, sink, vpc_ids),
                lambda: ec2.route_tables(sess, sink, vpc_ids),
                lambda: ec2.vpc_endpoints(sess, sink, vpc_ids),
                lambda: ec2.nat_gateways(sess, sink, vpc_ids),
                lambda: ec2.internet_gateways(sess, sink, vpc_ids),
            ]
        )
        for vid, vpc in got_vpcs.items():
            snap.put("vpcs", vid, vpc)
        for kind, grouped, key in (
            ("route_tables", rts, "RouteTableId"),
            ("vpc_endpoints", eps, "VpcEndpointId"),
            ("nat_gateways", nats, "NatGatewayId"),
            ("internet_gateways", igws, "InternetGatewayId"),
        ):
            for items in grouped.values():
                for item in items or []:
                    snap.put(kind, item[key], item)
        ep_groups = [g["GroupId"] for ep in snap.items("vpc_endpoints") for g in ep.get("Groups") or []]
        sg_ids = list(dict.fromkeys(ep_groups))  # the tasks' own groups were fetched above (cached)
        if sg_ids:
            for gid, sg in ec2.security_groups(sess, sink, sg_ids).items():
                snap.put("security_groups", gid, sg)

    images: dict[str, dict[str, str]] = {}
    for td in tds:
        for cd in td.get("containerDefinitions") or []:
            ref = ecr.parse_image(cd.get("image") or "")
            if ref is not None:
                images[cd["image"]] = ref

    def ecr_all() -> None:
        progress("ecr: repositories and images")
        repos = {(r["registryId"], r["region"], r["repositoryName"]): r for r in images.values()}

        def repo(ref: dict[str, str]) -> None:
            item = ecr.repository(sess, sink, ref)
            snap.put("ecr_repositories", ecr.repository_arn(ref), item)

        def image(kv: tuple[str, dict[str, str]]) -> None:
            snap.put("ecr_images", kv[0], ecr.image(sess, sink, kv[0], kv[1]))

        sess.parallel([lambda: sess.pmap(repo, list(repos.values())), lambda: sess.pmap(image, list(images.items()))])

    refs: dict[str, dict[str, str]] = {}
    for td in tds:
        for value_from, kind in _references(td):
            refs[value_from] = secrets.parse_reference(value_from, region, account, kind)

    def secrets_all() -> None:
        progress("secrets: Secrets Manager, SSM, KMS")

        def one(kv: tuple[str, dict[str, str]]) -> tuple[str, str] | None:
            reference, ref = kv
            if ref["service"] == "secretsmanager":
                item = secrets.secret(sess, sink, reference, ref)
                snap.put("secrets", reference, item)
                key = ((item or {}).get("secret") or {}).get("KmsKeyId")
            elif ref["service"] == "ssm":
                item = secrets.parameter(sess, sink, reference, ref)
                snap.put("ssm_parameters", reference, item)
                key = ((item or {}).get("parameter") or {}).get("KeyId")
            else:
                return None
            return (str(key), ref["region"]) if secrets.is_customer_key(key) else None

        keys = [k for k in sess.pmap(one, list(refs.items())) if k]

        def key(kr: tuple[str, str]) -> None:
            snap.put("kms_keys", f"{kr[1]}:{kr[0]}", secrets.kms_key(sess, sink, kr[0], kr[1]))

        sess.pmap(key, list(dict.fromkeys(keys)))
        kms_arns = [k["metadata"]["Arn"] for k in snap.items("kms_keys") if k.get("found") and k.get("metadata")]
        if kms_arns and simulate_main():  # keys are known only now: simulate kms:Decrypt when IAM can
            simulate({role: [("kms:Decrypt", arn) for arn in kms_arns] for role in exec_roles})

    # what each execution role must be allowed, on the exact resources (kms:Decrypt added once keys are known)
    by_role: dict[str, list[tuple[str, str]]] = {}
    for td in tds:
        role = td.get("executionRoleArn")
        if not role:
            continue
        pairs = by_role.setdefault(role, [])
        for cd in td.get("containerDefinitions") or []:
            ref = ecr.parse_image(cd.get("image") or "")
            if ref is not None:
                arn = ecr.repository_arn(ref)
                pairs += [("ecr:BatchGetImage", arn), ("ecr:GetDownloadUrlForLayer", arn)]
                pairs.append(("ecr:GetAuthorizationToken", "*"))
            opts = logs.awslogs_options(cd, region)
            if opts is not None:
                group_arn = f"arn:aws:logs:{opts['region']}:{account}:log-group:{opts['group']}:*"
                pairs += [("logs:CreateLogStream", group_arn), ("logs:PutLogEvents", group_arn)]
                if str((cd.get("logConfiguration") or {}).get("options", {}).get("awslogs-create-group")) == "true":
                    pairs.append(("logs:CreateLogGroup", group_arn))
        for value_from, _kind in _references(td):
            sref = refs.get(value_from)
            if sref and sref["service"] == "secretsmanager":
                pairs.append(("secretsmanager:GetSecretValue", sref["arn"]))
            elif sref and sref["service"] == "ssm":
                pairs.append(("ssm:GetParameters", sref["arn"]))
    exec_roles = list(by_role)

    def simulate(plan: dict[str, list[tuple[str, str]]]) -> bool:
        """SimulatePrincipalPolicy per role; False when IAM's evaluator is not available to the caller."""
        if not plan:
            return False
        snap.extra.setdefault("iam_simulation", {"available": None})
        items = list(plan.items())
        # The first role tells whether the caller may simulate at all: when it may not (AccessDenied), asking
        # for every other role would only repeat the refusal (one call, not one per execution role).
        first = iam.simulate(sess, sink, items[0][0], items[0][1])
        results = [first]
        if first is not None:
            results += sess.pmap(lambda kv: iam.simulate(sess, sink, kv[0], kv[1]), items[1:])
        snap.extra["iam_simulation"] = sess.extra.get("iam_simulation", {"available": False})
        if not all(r is not None for r in results):
            return False
        snap.look("iam_simulations")
        for res in results:
            for item in res or []:
                snap.put("iam_simulations", f"{item['principal']}|{item['action']}|{item['resource']}", item)
        return True

    def simulate_main() -> bool:
        # once per scope: the kms:Decrypt follow-up waits for (or runs) the main simulation
        return bool(sess.once(sink, ("simulate-main", id(snap), id(by_role)), lambda _sub: simulate(by_role)))

    def logs_all() -> None:
        progress("logs: log groups and stopped containers' tails")
        groups: dict[tuple[str, str], None] = {}
        for td in tds:
            for cd in td.get("containerDefinitions") or []:
                opts = logs.awslogs_options(cd, region)
                if opts is not None:
                    groups[(opts["group"], opts["region"])] = None
        td_by_arn = {td["taskDefinitionArn"]: td for td in tds}
        streams: list[tuple[str, str, str, str, str]] = []
        for task in log_tasks:
            td = td_by_arn.get(task.get("taskDefinitionArn", ""))
            if td is None:
                continue
            defs = {cd.get("name"): cd for cd in td.get("containerDefinitions") or []}
            for container in task.get("containers") or []:
                opts = logs.awslogs_options(defs.get(container.get("name"), {}), region)
                if opts is None or not opts["prefix"]:
                    continue
                stream = f"{opts['prefix']}/{container['name']}/{_task_id(task['taskArn'])}"
                streams.append((opts["group"], stream, opts["region"], task["taskArn"], container["name"]))

        def group(gr: tuple[str, str]) -> None:
            snap.put("log_groups", f"{gr[1]}:{gr[0]}", logs.log_group(sess, sink, gr[0], gr[1]))

        def tail(s: tuple[str, str, str, str, str]) -> None:
            snap.put("log_events", f"{s[2]}:{s[0]}:{s[1]}", logs.log_tail(sess, sink, *s))

        sess.parallel([lambda: sess.pmap(group, list(groups)), lambda: sess.pmap(tail, list(dict.fromkeys(streams)))])

    def elb_all() -> None:
        tg_arns = [
            lb["targetGroupArn"] for s in services for lb in s.get("loadBalancers") or [] if lb.get("targetGroupArn")
        ]
        if not tg_arns:
            return
        progress("elbv2: target groups and health")
        found = elbv2.target_groups(sess, sink, list(dict.fromkeys(tg_arns)))
        lb_arns: list[str] = []
        for arn, tg in found.items():
            snap.put("target_groups", arn, tg)
            lb_arns.extend((tg or {}).get("LoadBalancerArns") or [])
        if lb_arns:
            for arn, lb in elbv2.load_balancers(sess, sink, list(dict.fromkeys(lb_arns))).items():
                snap.put("load_balancers", arn, lb)

    sess.parallel([task_roles, instances_then_network, ecr_all, secrets_all, logs_all, elb_all, simulate_main])


# -- entry points ---------------------------------------------------------------------------------------


def _account(sess: AwsSession, sink: Sink) -> str:
    # One attempt: an endpoint that does not answer should fail in seconds, not after every retry.
    resp, code = sess.call(sink, "account", "sts", "GetCallerIdentity", "*", retries=False)
    if resp is None:
        gap = sink.gaps.pop() if sink.gaps else {"message": code}
        if code in ("EndpointConnectionError", "ConnectTimeoutError", "ReadTimeoutError", "ConnectionClosedError"):
            raise CollectError(f"AWS endpoint not reachable ({code}): {gap.get('message')}")
        raise CollectError(f"cannot verify AWS credentials ({code}): {gap.get('message')}")
    sess.account = str(resp.get("Account"))
    return sess.account


def _cluster_or_error(sess: AwsSession, snap: Snap, cluster: str) -> dict | None:
    got = ecs.describe_clusters(sess, snap.sink, [cluster])
    snap.look("clusters")
    if got is None:
        return None  # gap recorded (e.g. AccessDenied); carry on with what can be read
    clusters, _failures = got
    active = [c for c in clusters if c.get("status") != "INACTIVE"]
    if not active:
        raise InputError(f"no ECS cluster {cluster!r} in {sess.region}")
    snap.put("clusters", active[0]["clusterArn"], active[0])
    return active[0]


def _select_log_tasks(tasks: list[dict], per_group: int, failed_only: bool) -> list[dict]:
    by_group: dict[str, list[dict]] = {}
    for t in tasks:
        if _is_stopped(t):
            by_group.setdefault(t.get("group") or "", []).append(t)
    out: list[dict] = []
    for group_tasks in by_group.values():
        group_tasks.sort(key=_stopped_sort_key)
        picked = [t for t in group_tasks if _stopped_sort_key(t)[0] == 0] if failed_only else group_tasks
        out.extend(picked[:per_group])
    return out


def collect_target(
    *,
    cluster: str,
    service: str | None = None,
    task: str | None = None,
    profile: str | None = None,
    region: str | None = None,
    progress: Progress | None = None,
) -> dict[str, Any]:
    if not cluster or not (service or task):
        raise InputError("diagnose needs --cluster and --service or --task")
    say = progress or _noop
    with AwsSession(profile=profile, region=region) as sess:
        snap = Snap(sess, {"cluster": cluster, "service": service, "task": task})
        sink = snap.sink
        say("ecs: cluster and target")
        sess.warm_in_background(CLIENTS[2:])  # loading service models is slow: overlap it with the calls
        services: list[dict] = []
        tasks: list[dict] = []

        def describe_service(name: str) -> None:
            svcs, failures = ecs.describe_services(sess, sink, cluster, [name])
            snap.look("services")
            if not svcs and failures:
                raise InputError(f"no ECS service {name!r} in cluster {cluster!r} ({sess.region})")
            services.extend(svcs)

        def describe_task() -> None:
            assert task is not None
            got, failures = ecs.describe_tasks(sess, sink, cluster, [task])
            snap.look("tasks")
            if not got and (failures or not any(g["kind"] == "tasks" for g in sink.gaps)):
                raise InputError(f"no ECS task {task!r} in cluster {cluster!r} ({sess.region})")
            tasks.extend(got)

        # STS alone first (one attempt): bad credentials or an endpoint that does not answer end the run in
        # seconds, before the other calls start retrying. It costs one round trip.
        _account(sess, sink)
        first: list[Callable[[], Any]] = [lambda: _cluster_or_error(sess, snap, cluster)]
        first.append((lambda: describe_service(service)) if service else describe_task)
        cluster_obj = sess.parallel(first)[0]
        for s in services:
            snap.put("services", s["serviceArn"], s)

        if service:
            svc_name = services[0]["serviceName"] if services else _name(service)

            def list_and_describe(status: str) -> list[dict]:
                _arns, got, failures = ecs.tasks_of(sess, sink, cluster, status, svc_name)
                snap.failures("DescribeTasks", failures)
                return got

            def tasks_then_scope() -> None:
                say("ecs: tasks")
                results = sess.parallel([lambda: list_and_describe("STOPPED"), lambda: list_and_describe("RUNNING")])
                seen: set[str] = set()
                for t in results[0] + results[1]:
                    # moto ignores ListTasks(serviceName=...): keep only this service's tasks
                    if t.get("group") == f"service:{svc_name}" and t["taskArn"] not in seen:
                        seen.add(t["taskArn"])
                        tasks.append(t)
                snap.look("tasks")
                for t in tasks:
                    snap.put("tasks", t["taskArn"], t)
                log_tasks = _select_log_tasks(tasks, limits.LOG_TAIL_TASKS_PER_SERVICE, failed_only=False)
                collect_scope(
                    sess, snap, cluster=cluster_obj, services=services, tasks=tasks, log_tasks=log_tasks, progress=say
                )

            # The service's own configuration (task definition, roles, image, secrets, network) does not
            # wait for the tasks: collect it while they are listed. Shared resources are fetched once.
            scope_now = lambda: collect_scope(  # noqa: E731
                sess, snap, cluster=cluster_obj, services=services, tasks=[], log_tasks=[], progress=_noop
            )
            sess.parallel([tasks_then_scope, scope_now])
        else:
            group = (tasks[0].get("group") or "") if tasks else ""  # no task: DescribeTasks failed (a gap)
            if group.startswith("service:"):
                svcs, _ = ecs.describe_services(sess, sink, cluster, [group[len("service:") :]])
                services.extend(svcs)
            for s in services:
                snap.put("services", s["serviceArn"], s)
            for t in tasks:
                snap.put("tasks", t["taskArn"], t)
            collect_scope(
                sess, snap, cluster=cluster_obj, services=services, tasks=tasks, log_tasks=tasks, progress=say
            )
        return snap.build()


def _prefetch(sess: AwsSession, sink: Sink, services: list[dict]) -> None:
    """Warm the session's fetch-once caches for a batch of services as soon as it is described: their task
    definitions, then the roles, images and log groups these name. `collect_scope` later asks for the same
    keys and gets the cached results (no extra call); meanwhile the other batches are still being described
    and the tasks listed, so the service scope no longer waits for the last DescribeServices."""
    arns = [s.get("taskDefinition") for s in services]
    arns += [d.get("taskDefinition") for s in services for d in s.get("deployments") or []]
    tds = ecs.task_definitions(sess, sink, [a for a in arns if a])
    region = sess.region
    jobs: list[Callable[[], Any]] = []
    for role_arn in dict.fromkeys(a for td in tds for a in (td.get("executionRoleArn"), td.get("taskRoleArn")) if a):
        jobs.append(functools.partial(iam.role, sess, sink, role_arn))
    for td in tds:
        for cd in td.get("containerDefinitions") or []:
            ref = ecr.parse_image(cd.get("image") or "")
            if ref is not None:
                jobs.append(functools.partial(ecr.repository, sess, sink, ref))
                jobs.append(functools.partial(ecr.image, sess, sink, cd["image"], ref))
            opts = logs.awslogs_options(cd, region)
            if opts is not None:
                jobs.append(functools.partial(logs.log_group, sess, sink, opts["group"], opts["region"]))
    sess.parallel(jobs)


def _scan_cluster(
    sess: AwsSession, cluster_obj: dict, since_seconds: int, progress: Progress, cutoff: datetime
) -> dict[str, Any]:
    name = cluster_obj["clusterName"]
    arn = cluster_obj["clusterArn"]
    snap = Snap(sess, {"cluster": name, "service": None, "task": None})
    snap.extra["window_seconds"] = since_seconds
    sink = snap.sink
    snap.put("clusters", arn, cluster_obj)
    progress(f"{name}: services")

    def services_then_scope() -> list[dict]:
        arns, got, failures = ecs.services_of(sess, sink, arn, on_batch=lambda svcs: _prefetch(sess, sink, svcs))
        snap.look("services")
        snap.failures("DescribeServices", failures)
        for s in got:
            snap.put("services", s["serviceArn"], s)
        if arns:
            progress(f"{name}: evidence for {len(got)} services")
            # What hangs off the services' own configuration (task definitions, roles, images, secrets, log
            # groups, target groups, network) does not wait for the tasks: collect it while they are listed.
            # The pass over the tasks below fetches only what the tasks add (cached: each resource once).
            collect_scope(sess, snap, cluster=cluster_obj, services=got, tasks=[], log_tasks=[], progress=_noop)
        return got

    def tasks_of(status: str) -> list[dict]:
        _arns, got, failures = ecs.tasks_of(sess, sink, arn, status)
        snap.failures("DescribeTasks", failures)
        return got

    services, stopped, running = sess.parallel(
        [services_then_scope, lambda: tasks_of("STOPPED"), lambda: tasks_of("RUNNING")]
    )
    snap.look("tasks")
    tasks: list[dict] = []
    for t in stopped:
        stopped_at = t.get("stoppedAt")
        if isinstance(stopped_at, datetime) and stopped_at.tzinfo and stopped_at < cutoff:
            continue
        tasks.append(t)
    tasks.extend(running)
    for t in tasks:
        snap.put("tasks", t["taskArn"], t)
    log_tasks = _select_log_tasks(tasks, limits.LOG_TAIL_TASKS_PER_SERVICE, failed_only=True)
    collect_scope(sess, snap, cluster=cluster_obj, services=services, tasks=tasks, log_tasks=log_tasks, progress=_noop)
    return attribute_gaps(snap.build())


def _service_resources(data: dict[str, Any], region: str, account: str | None) -> dict[str, set[str]]:
    """serviceName -> every resource id its evidence depends on (to say which services a gap affects)."""
    tds = {td.get("taskDefinitionArn"): td for td in data.get("task_definitions", [])}
    roles = {r.get("RoleArn"): r for r in data.get("iam_roles", [])}
    secret_keys = {s.get("secretId"): (s.get("secret") or {}).get("KmsKeyId") for s in data.get("secrets", [])}
    param_keys = {p.get("name"): (p.get("parameter") or {}).get("KeyId") for p in data.get("ssm_parameters", [])}
    tasks_by_group: dict[str, list[dict]] = {}
    for t in data.get("tasks", []):
        tasks_by_group.setdefault(t.get("group") or "", []).append(t)
    out: dict[str, set[str]] = {}
    for svc in data.get("services", []):
        name = svc.get("serviceName") or ""
        tasks = tasks_by_group.get(f"service:{name}", [])
        res: set[str] = {svc.get("serviceArn") or "", name}
        td_arns = {svc.get("taskDefinition")} | {d.get("taskDefinition") for d in svc.get("deployments") or []}
        td_arns |= {t.get("taskDefinitionArn") for t in tasks}
        res |= {a for a in td_arns if a}
        res |= {t.get("taskArn") or "" for t in tasks}
        for arn in td_arns:
            td = tds.get(arn) or {}
            for role_arn in (td.get("executionRoleArn"), td.get("taskRoleArn")):
                if not role_arn:
                    continue
                res.add(role_arn)
                role = roles.get(role_arn) or {}
                res |= {p.get("PolicyArn") or "" for p in role.get("AttachedPolicies") or []}
                res.add((role.get("PermissionsBoundary") or {}).get("PolicyArn") or "")
            for cd in td.get("containerDefinitions") or []:
                ref = ecr.parse_image(cd.get("image") or "")
                if ref is not None:
                    res.add(ecr.repository_arn(ref))
                opts = logs.awslogs_options(cd, region)
                if opts is not None:
                    res.add(opts["group"])
            for value_from, kind in _references(td):
                sref = secrets.parse_reference(value_from, region, account, kind)
                res |= {value_from, sref["id"], sref["arn"]}
                key = secret_keys.get(sref["id"]) or param_keys.get(sref["id"])
                if key:
                    res.add(key)
        res |= {lb.get("targetGroupArn") or "" for lb in svc.get("loadBalancers") or []}
        subnets, groups = _awsvpc([svc])
        res |= set(subnets) | set(groups) | set(_task_subnets(tasks))
        for e in data.get("log_events", []):
            if e.get("taskArn") in res:
                res.add(f"{e.get('logGroupName')}:{e.get('logStreamName')}")
        res.discard("")
        out[name] = res
    return out


def attribute_gaps(snapshot: dict[str, Any]) -> dict[str, Any]:
    """Add `services` (the services whose evidence a gap leaves incomplete) to each gap that names one
    of their resources. Additive field; scan uses it to show "incomplete: missing permission X"."""
    per_service = _service_resources(snapshot.get("data", {}), snapshot.get("region") or "", snapshot.get("account"))
    for gap in snapshot.get("gaps", []):
        resource = str(gap.get("resource") or "")
        parts = {resource, *resource.split(",")}
        hit = sorted(name for name, res in per_service.items() if parts & res)
        if hit:
            gap["services"] = hit
    return snapshot


def collect_cluster(
    *,
    cluster: str | None,
    all_clusters: bool,
    regions: list[str] | None,
    since_seconds: int,
    profile: str | None = None,
    progress: Progress | None = None,
) -> list[dict[str, Any]]:
    if not cluster and not all_clusters:
        raise InputError("scan needs --cluster or --all-clusters")
    say = progress or _noop
    cutoff = datetime.now(timezone.utc) - timedelta(seconds=max(since_seconds, 0))
    out: list[dict[str, Any]] = []
    missing_in: list[str] = []
    for region in regions or [None]:  # type: ignore[list-item]
        with AwsSession(profile=profile, region=region) as sess:
            head = Snap(sess, {"cluster": cluster, "service": None, "task": None})
            sess.warm_in_background(CLIENTS[2:])
            _account(sess, head.sink)
            say(f"{sess.region}: clusters")
            if cluster:
                names = [cluster]
            else:
                listed = ecs.list_cluster_arns(sess, head.sink)
                if listed is None:  # e.g. ECS not available in this Region: report the gap, go on
                    head.look("clusters")
                    out.append(head.build())
                    continue
                names = listed
            if not names:
                continue
            got = ecs.describe_clusters(sess, head.sink, names)
            if got is None:
                head.look("clusters")
                out.append(head.build())
                continue
            clusters = [c for c in got[0] if c.get("status") != "INACTIVE"]
            if cluster and not clusters:
                missing_in.append(str(sess.region))  # with several Regions, the others may hold it
                continue
            snaps = sess.pmap(lambda c: _scan_cluster(sess, c, since_seconds, say, cutoff), clusters)
            # the listing calls belong to the first snapshot of the Region (calls add up across snapshots)
            if snaps:
                calls = dict(snaps[0]["calls"])
                for op, n in head.sink.calls.items():
                    calls[op] = calls.get(op, 0) + n
                snaps[0]["calls"] = dict(sorted(calls.items()))
                snaps[0]["gaps"] = list(head.sink.gaps) + snaps[0]["gaps"]
            out.extend(snaps)
    if cluster and missing_in and not any(snap.get("target", {}).get("cluster") for snap in out):
        raise InputError(f"no ECS cluster {cluster!r} in {', '.join(missing_in)}")
    return out


def collect_definitions(
    task_definitions: list[dict[str, Any]],
    *,
    profile: str | None = None,
    region: str | None = None,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """A snapshot of what the given task definitions reference (roles, images, secrets and parameters,
    KMS keys, log groups), for `lint --live`. No cluster, services or tasks are read."""
    say = progress or _noop
    with AwsSession(profile=profile, region=region) as sess:
        snap = Snap(sess, {"cluster": None, "service": None, "task": None})
        sess.warm_in_background(CLIENTS[2:])
        _account(sess, snap.sink)
        snap.look("task_definitions")
        for i, td in enumerate(task_definitions):
            snap.put("task_definitions", str(td.get("taskDefinitionArn") or f"definition-{i}"), td)
        collect_scope(sess, snap, cluster=None, services=[], tasks=[], log_tasks=[], progress=say)
        return snap.build()
