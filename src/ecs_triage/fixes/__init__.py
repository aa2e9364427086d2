"""Fix builders shared by checks: fixes are data, filled with real names, printed not applied."""

from ecs_triage.fixes.model import Fix, aws_cli

__all__ = ["Fix", "aws_cli"]
