"""The knowledge catalog: ECS failure messages -> signatures -> cause labels of the taxonomy.

```python
from ecs_triage.knowledge import classify
m = classify("CannotPullContainerError: ... 403 Forbidden", kind="container_reason")
m.cause, m.signature, m.confidence, m.decide, m.captures
m.fix.render(execution_role_name="web-exec")   # -> ecs_triage.fixes.Fix
```
Importing this package is cheap: patterns are compiled on the first call to `classify`.
"""

from __future__ import annotations

from ecs_triage.knowledge.matcher import KINDS, SIGNATURES, classify, get_signature, normalize_kind
from ecs_triage.knowledge.model import FixTemplate, Match, Signature

__all__ = ["KINDS", "SIGNATURES", "FixTemplate", "Match", "Signature", "classify", "get_signature", "normalize_kind"]
