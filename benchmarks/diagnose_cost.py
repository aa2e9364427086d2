"""API calls and wall time of diagnosing one failing Fargate service, against moto with injected latency.

    .venv/bin/python benchmarks/diagnose_cost.py [--latency-ms 20] [--stopped 5] [--running 1]

Builds the collectors' test world (tests/collect/world.py: a Fargate service whose tasks exit with
code 1, roles with managed + inline policies and a permission boundary, an ECR image, a secret under a
customer KMS key, an SSM parameter, a log group with the stopped containers' streams, an ALB target
group, a VPC with NAT, IGW, endpoint and NACL) in a `ThreadedMotoServer` on 127.0.0.1, then delays every
API request by --latency-ms (a WSGI middleware in front of moto). It prints the calls per operation,
the lower bound computed below, their ratio (target <= 1.2), the in-process collection time and the
wall time of a full `ecs-triage diagnose` subprocess (target <= 1.0 s at 20 ms, interpreter included).

Lower bound (each distinct resource read once, every list followed, batches full):
    1 sts:GetCallerIdentity + 1 DescribeClusters + 1 DescribeServices
  + ListTasks: max(1, ceil(stopped/100)) + max(1, ceil(running/100))      (desiredStatus STOPPED, RUNNING)
  + DescribeTasks: ceil(tasks/100)
  + DescribeTaskDefinition: distinct task definitions
  + per distinct role: GetRole + ListAttachedRolePolicies + ListRolePolicies + inline policies (GetRolePolicy)
  + per distinct managed policy (attached or boundary): GetPolicy + GetPolicyVersion
  + SimulatePrincipalPolicy: 1 per distinct execution role (one attempt; moto does not implement it)
  + per ECR repository: DescribeRepositories + GetRepositoryPolicy; per image: DescribeImages + BatchGetImage
  + per secret: DescribeSecret + GetResourcePolicy; SSM: ceil(parameters/50) DescribeParameters
  + per customer KMS key: DescribeKey + GetKeyPolicy
  + per awslogs group: DescribeLogGroups; per stopped-container tail read: GetLogEvents
  + ceil(target groups/20) DescribeTargetGroups + per target group DescribeTargetHealth
  + ceil(load balancers/20) DescribeLoadBalancers
  + when the task has subnets: DescribeSubnets + DescribeNetworkAcls + DescribeVpcs + 2 DescribeVpcAttribute per VPC
    + DescribeRouteTables + DescribeVpcEndpoints + DescribeNatGateways + DescribeInternetGateways
    + DescribeSecurityGroups
  + EC2 clusters: ListContainerInstances + ceil(instances/100) DescribeContainerInstances
    + DescribeInstances + GetInstanceProfile per profile
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))


def lower_bound(snap: dict[str, Any]) -> dict[str, int]:
    data = snap["data"]
    tasks = data.get("tasks", [])
    stopped = sum(1 for t in tasks if t.get("desiredStatus") == "STOPPED")
    running = len(tasks) - stopped
    roles = data.get("iam_roles", [])
    managed = {p["PolicyArn"] for r in roles for p in r.get("AttachedPolicies", [])}
    managed |= {r["PermissionsBoundary"]["PolicyArn"] for r in roles if r.get("PermissionsBoundary")}
    exec_roles = {td["executionRoleArn"] for td in data.get("task_definitions", []) if td.get("executionRoleArn")}
    keys = [k for k in data.get("kms_keys", []) if (k.get("metadata") or {}).get("KeyManager") == "CUSTOMER"]
    vpcs = data.get("vpcs", [])
    has_net = bool(data.get("subnets"))
    cis = data.get("container_instances", [])
    bound = {
        "sts": 1,
        "cluster+service": 2,
        "ListTasks": max(1, math.ceil(stopped / 100)) + max(1, math.ceil(running / 100)),
        "DescribeTasks": math.ceil(len(tasks) / 100),
        "DescribeTaskDefinition": len(data.get("task_definitions", [])),
        "roles": sum(3 + len(r.get("InlinePolicies", [])) for r in roles),
        "managed policies": 2 * len(managed),
        "SimulatePrincipalPolicy": len(exec_roles),
        "ecr": 2 * len(data.get("ecr_repositories", [])) + 2 * len(data.get("ecr_images", [])),
        "secrets": 2 * len(data.get("secrets", [])) + math.ceil(len(data.get("ssm_parameters", [])) / 50),
        "kms": 2 * len(keys),
        "logs": len(data.get("log_groups", [])) + len(data.get("log_events", [])),
        "elbv2": math.ceil(len(data.get("target_groups", [])) / 20)
        + len(data.get("target_groups", []))
        + math.ceil(len(data.get("load_balancers", [])) / 20),
        "ec2 network": (9 + 2 * len(vpcs)) if has_net else 0,
        "ec2 cluster": (2 + math.ceil(len(cis) / 100) + len(data.get("instance_profiles", []))) if cis else 0,
    }
    return bound


class Latency:
    """WSGI middleware: every AWS API request waits `delay` seconds before moto answers it."""

    def __init__(self, app: Any, delay: float) -> None:
        self.app = app
        self.delay = delay

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        if not environ.get("PATH_INFO", "").startswith("/moto-api"):
            time.sleep(self.delay)
        return self.app(environ, start_response)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--latency-ms", type=float, default=20.0)
    ap.add_argument("--stopped", type=int, default=5)
    ap.add_argument("--running", type=int, default=1)
    ap.add_argument("--runs", type=int, default=3, help="diagnose subprocess runs (best and median printed)")
    ap.add_argument("--profile-child", action="store_true", help="run one diagnose under cProfile, print the top")
    args = ap.parse_args()

    import logging

    logging.getLogger("werkzeug").setLevel(logging.CRITICAL)  # moto answers SimulatePrincipalPolicy with a 500
    from moto.moto_api import state_manager
    from moto.server import ThreadedMotoServer
    from tests.collect.world import build_world

    from ecs_triage.collect import collect_target

    env = {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": "/nonexistent/aws-config",
        "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/aws-credentials",
    }
    for var in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN"):
        os.environ.pop(var, None)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        env["AWS_ENDPOINT_URL"] = f"http://{host}:{port}"
        os.environ.update(env)
        state_manager.set_transition("ecs::task", {"progression": "manual", "times": 10**9})
        world = build_world(n_stopped=args.stopped, n_running=args.running)
        wsgi = server._server  # werkzeug server: put the latency in front of moto's app
        assert wsgi is not None
        wsgi.app = Latency(wsgi.app, args.latency_ms / 1000)  # type: ignore[attr-defined]

        collect_target(cluster=world.cluster, service=world.service)  # warm moto's lazy backends
        t0 = time.perf_counter()
        snap = collect_target(cluster=world.cluster, service=world.service)
        collect_s = time.perf_counter() - t0

        calls = snap["calls"]
        total = sum(calls.values())
        bound = lower_bound(snap)
        bound_total = sum(bound.values())
        print(f"# diagnose cost: 1 failing Fargate service, {args.stopped} stopped + {args.running} running tasks")
        print(f"# latency injected per API call: {args.latency_ms:.0f} ms")
        print("calls per operation:")
        for op, n in sorted(calls.items()):
            print(f"  {op:<42} {n}")
        print(f"total calls: {total}")
        print("lower bound: " + " + ".join(f"{v} {k}" for k, v in bound.items() if v) + f" = {bound_total}")
        print(f"ratio calls / lower bound: {total / bound_total:.2f}  (target <= 1.2)")
        print(f"collection time in process: {collect_s:.3f} s")

        exe = shutil.which("ecs-triage", path=str(ROOT / ".venv" / "bin")) or shutil.which("ecs-triage")
        cmd = [exe] if exe else [sys.executable, "-m", "ecs_triage"]
        cmd += ["diagnose", "--cluster", world.cluster, "--service", world.service, "--format", "json"]
        child_env = {**os.environ, **env}
        if args.profile_child:
            import pstats
            import tempfile

            with tempfile.TemporaryDirectory() as tmp:
                out = str(Path(tmp) / "child.prof")
                prof = [sys.executable, "-m", "cProfile", "-o", out, "-m", "ecs_triage", *cmd[-7:]]
                subprocess.run(prof, env=child_env, capture_output=True, check=False)
                pstats.Stats(out).sort_stats("cumulative").print_stats(40)
        times = []
        code = None
        for _ in range(max(1, args.runs)):
            t0 = time.perf_counter()
            proc = subprocess.run(cmd, env=child_env, capture_output=True, text=True, check=False)
            times.append(time.perf_counter() - t0)
            code = proc.returncode
            if proc.returncode not in (0, 1):
                print(f"diagnose exited {proc.returncode}: {proc.stderr.strip()[-500:]}")
                break
        times.sort()
        print(
            f"`ecs-triage diagnose` wall time (subprocess, interpreter included): best {times[0]:.3f} s, "
            f"median {times[len(times) // 2]:.3f} s over {len(times)} runs, exit code {code}  (target <= 1.0 s)"
        )
    finally:
        state_manager.unset_transition("ecs::task")
        server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
