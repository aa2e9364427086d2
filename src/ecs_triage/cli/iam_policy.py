"""`ecs-triage iam-policy`: the read-only IAM policy ecs-triage needs, generated from the collectors'
own declaration of what they call (ecs_triage.collect.permissions)."""

from __future__ import annotations

import click


@click.command("iam-policy")
@click.option(
    "--format",
    "-f",
    "fmt",
    type=click.Choice(["json", "text"]),
    default="json",
    show_default=True,
    help="json: an IAM policy document; text: each action with the evidence it collects.",
)
def iam_policy(fmt: str) -> None:
    """Print the least-privilege, read-only IAM policy ecs-triage needs (attach it to the caller)."""
    from ecs_triage.collect import permissions

    if fmt == "json":
        click.echo(permissions.policy_json())
        return
    kinds_by_action: dict[str, list[str]] = {}
    for kind, actions in permissions.KIND_ACTIONS.items():
        for action in actions:
            kinds_by_action.setdefault(action, []).append(kind)
    width = max(len(a) for a in kinds_by_action)
    click.echo("ecs-triage reads, never writes. Actions it calls, with the evidence each one collects:")
    for action in permissions.required_actions():
        click.echo(f"  {action:<{width}}  {', '.join(kinds_by_action.get(action, []))}")
    click.echo("Never called: secret and parameter values (GetSecretValue, GetParameter(s)), kms:Decrypt, writes.")
