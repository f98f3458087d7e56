"""Paraphrase questions over the sample knowledge folder (resources/knowledge), in Chinese and English,
each with the page that answers it, and their top-1 accuracy for the lexical search and for the hybrid
search with the demo server's embeddings (desktop/demo/concepts.py, a stand-in, not a model).

The questions ask with their own words, as people do: 预订 where the page says 预约, English against
a Chinese page, "how long can it last" against "at most 24 hours". `paraphrase_accuracy` is what the
test (tests/tools/test_knowledge_paraphrases.py) asserts on and what `python -m benchmarks.knowledge`
prints; both run the real KnowledgeBase, index and embeddings client against a demo server over HTTP.

It is a plumbing test of the demo's vectors: the questions were written with the stand-in's concept
table in view, so hybrid beating lexical here says the pipeline works, not how good retrieval is with
a real model (benchmarks/knowledge_calibration.py runs the same questions with real vectors).
"""

from __future__ import annotations

import asyncio
import tempfile
from dataclasses import dataclass
from pathlib import Path

from benchmarks.figures import Figure
from desktop.demo.server import DemoServer
from desktop.realtime.config import ProviderKind, SessionConfig
from desktop.realtime.embeddings import embeddings_client_for
from desktop.storage.knowledge_index import KnowledgeIndex
from desktop.storage.worker import StoreWorker
from desktop.tools.knowledge import KnowledgeBase


@dataclass(frozen=True, slots=True)
class Paraphrase:
    question: str
    page: str  # the file that answers it, in resources/knowledge


PARAPHRASES = (
    Paraphrase("预订规则", "booking.md"),
    Paraphrase("知识库里关于预订规则怎么说", "booking.md"),
    Paraphrase("How do I book a meeting?", "booking.md"),
    Paraphrase("我想订一个会，该怎么做", "booking.md"),
    Paraphrase("can I reserve a meeting by voice", "booking.md"),
    Paraphrase("what happens if two meetings overlap", "booking.md"),
    Paraphrase("how do I cancel a meeting", "cancellation.md"),
    Paraphrase("怎么撤销一个会议", "cancellation.md"),
    Paraphrase("取消会议要通知谁", "cancellation.md"),
    Paraphrase("can a cancelled meeting be restored", "cancellation.md"),
    Paraphrase("what is the longest a meeting can last", "limits.txt"),
    Paraphrase("会议最长能开多久", "limits.txt"),
    Paraphrase("一次视频会议最多能有多少人参加", "limits.txt"),
    Paraphrase("how far ahead can I schedule", "limits.txt"),
    Paraphrase("会议能录下来吗", "recording.md"),
    Paraphrase("录像保存多久", "recording.md"),
    Paraphrase("who can watch a recording", "recording.md"),
    Paraphrase("which room has a projector", "rooms.md"),
    Paraphrase("哪个会议室能坐二十人", "rooms.md"),
    Paraphrase("what equipment do the meeting rooms have", "rooms.md"),
    Paraphrase("我在别的时区的同事怎么看会议时间", "time-zones.md"),
    Paraphrase("what about daylight saving when I travel", "time-zones.md"),
    Paraphrase("会议时间按哪个时区算", "time-zones.md"),
    Paraphrase("does the calendar handle UTC offsets", "time-zones.md"),
)


@dataclass(frozen=True, slots=True)
class Accuracy:
    found_first: int
    questions: int
    missed: tuple[str, ...]  # the questions whose page did not come first

    @property
    def percent(self) -> float:
        return 100.0 * self.found_first / self.questions if self.questions else 0.0


async def top1(base: KnowledgeBase, questions: tuple[Paraphrase, ...] = PARAPHRASES) -> Accuracy:
    """How many `questions` get their page as the first source of `base.query` (the tool's handler)."""
    missed = []
    for number, paraphrase in enumerate(questions):
        outcome = await base.query({"question": paraphrase.question}, f"paraphrase-{number}")
        if outcome.sources[:1] != (paraphrase.page,):
            missed.append(paraphrase.question)
    return Accuracy(len(questions) - len(missed), len(questions), tuple(missed))


async def paraphrase_accuracy(data: Path) -> dict[str, Accuracy]:
    """Top-1 accuracy of the lexical and the hybrid search (demo embeddings) on the sample folder, with
    the index in the folder `data`; a demo server runs for the time of the call."""
    server = DemoServer()
    await server.start()
    worker = StoreWorker("paraphrases")
    index = KnowledgeIndex(data / "knowledge.sqlite3")
    try:
        config = SessionConfig(provider=ProviderKind.DEMO, endpoint=server.base_url)
        hybrid = KnowledgeBase(index, worker, embedder=embeddings_client_for(config))
        try:
            return {"lexical": await top1(KnowledgeBase(index, worker)), "hybrid": await top1(hybrid)}
        finally:
            await hybrid.close()  # its HTTP session
    finally:
        await worker.run(index.close)
        worker.close()
        await server.stop()


def figures() -> list[Figure]:
    """The rows of `python -m benchmarks.knowledge`: top-1 accuracy, lexical and hybrid."""
    with tempfile.TemporaryDirectory(prefix="knowledge-paraphrases-") as scratch:
        accuracy = asyncio.run(paraphrase_accuracy(Path(scratch)))
    return [
        Figure(f"knowledge: paraphrases answered first, {kind} ({len(PARAPHRASES)}, sample folder{how})",
               f"{a.found_first} / {a.questions} ({a.percent:.0f}%)")
        for (kind, a), how in zip(accuracy.items(), ("", ", demo embeddings: a plumbing test"), strict=True)
    ]
