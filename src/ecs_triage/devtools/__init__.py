"""Developer tools: docs generation and the new-check scaffold (`python -m ecs_triage.devtools`)."""
