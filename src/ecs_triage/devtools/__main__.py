"""python -m ecs_triage.devtools docs [DIR] | new-check ID SLUG "TITLE" CATEGORY"""

from __future__ import annotations

import sys
from pathlib import Path

from ecs_triage.devtools.docs import write_all
from ecs_triage.devtools.scaffold import new_check


def main(argv: list[str]) -> int:
    if argv[:1] == ["docs"]:
        paths = write_all(Path(argv[1] if len(argv) > 1 else "docs/checks"))
        print(f"wrote {len(paths)} check pages")
        return 0
    if argv[:1] == ["new-check"] and len(argv) >= 5:
        for path in new_check(argv[1], argv[2], argv[3], argv[4]):
            print(f"created {path}")
        return 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
