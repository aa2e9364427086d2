"""`ecs-triage iam-policy`: generated from the allow-list, read-only, nothing that reads secret values."""

from __future__ import annotations

import json
import re

from click.testing import CliRunner

from ecs_triage.cli import cli
from ecs_triage.collect.permissions import ALLOWED_OPERATIONS, FORBIDDEN_OPERATIONS, KIND_ACTIONS, iam_action

READ_VERB = re.compile(r"^(Describe|Get|List|BatchGet|Simulate)[A-Z]")


def test_json_policy_lists_exactly_the_allow_list_actions() -> None:
    result = CliRunner().invoke(cli, ["iam-policy"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert doc["Version"] == "2012-10-17"
    (statement,) = doc["Statement"]
    assert statement["Effect"] == "Allow" and statement["Resource"] == "*"
    actions = statement["Action"]
    assert actions == sorted(actions)
    assert set(actions) == {iam_action(op) for op in ALLOWED_OPERATIONS}
    assert "elasticloadbalancing:DescribeTargetHealth" in actions  # elbv2 -> IAM prefix
    for action in actions:
        verb = action.split(":", 1)[1]
        assert READ_VERB.match(verb), action
        assert not verb.startswith(("Put", "Create", "Delete", "Update")), action
    forbidden = {iam_action(op) for op in FORBIDDEN_OPERATIONS} | {"kms:Decrypt", "secretsmanager:GetSecretValue"}
    assert not forbidden & set(actions)


def test_text_format_names_the_evidence_of_each_action() -> None:
    result = CliRunner().invoke(cli, ["iam-policy", "--format", "text"])
    assert result.exit_code == 0, result.output
    lines = {line.split()[0]: line.split()[1:] for line in result.output.splitlines()[1:-1]}
    assert lines["logs:GetLogEvents"] == ["log_events"]
    assert set(lines) == {iam_action(op) for op in ALLOWED_OPERATIONS}
    assert all(lines[a] for a in lines)
    assert set(KIND_ACTIONS["iam_roles"]) >= {"iam:GetRole", "iam:GetPolicyVersion"}
