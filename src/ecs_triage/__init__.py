"""ecs-triage: why did my Amazon ECS task fail to start or keep stopping?"""

__version__ = "0.1.0"
