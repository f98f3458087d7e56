"""A confirmer that behaves like a person: it records what it was asked and answers as told."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from desktop.tools.ports import ConfirmationAnswer, ConfirmationRequest


@dataclass
class ScriptedConfirmer:
    approve: bool = True
    edits: dict[str, Any] = field(default_factory=dict)
    requests: list[ConfirmationRequest] = field(default_factory=list)

    async def confirm(self, request: ConfirmationRequest) -> ConfirmationAnswer:
        self.requests.append(request)
        if not self.approve:
            return ConfirmationAnswer(approved=False)
        return ConfirmationAnswer(approved=True, fields={**request.fields, **self.edits})
