"""Asking the knowledge base through the registry, as the model does: the tests' shared helper."""

from __future__ import annotations

import json

from desktop.tools.knowledge import KnowledgeBase
from desktop.tools.ports import ToolCall
from desktop.tools.registry import ToolRegistry


async def ask(base: KnowledgeBase, question: str) -> tuple[str, dict, tuple]:
    """The result's status, its JSON output and its sources."""
    result = await ToolRegistry([base.tool()]).execute(
        ToolCall("q", "queryKnowledgeBase", json.dumps({"question": question})))
    return result.status, json.loads(result.output), result.sources
