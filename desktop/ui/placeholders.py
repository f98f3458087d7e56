"""Qt's %1, %2… placeholders of a translated sentence, filled in."""

from __future__ import annotations

import re


def filled(template: str, *values: str) -> str:
    """The placeholders filled in one pass, so a title containing "%2" stays as typed; a placeholder
    without a value (a slip in a translation) stays as it is."""

    def value(found: re.Match[str]) -> str:
        number = int(found[1])
        return values[number - 1] if 1 <= number <= len(values) else found[0]

    return re.sub(r"%(\d)", value, template)
