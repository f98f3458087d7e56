"""The settings dialog's knowledge page: the folder the assistant answers from, and how it is searched.

Once the knowledge base's status is counted (`show_status`), one line says the search mode: hybrid, with
the embeddings model and the passages embedded, or keyword search only and why, in one sentence (a
service failure's detail may follow in a smaller line). A big folder waits for the person's go-ahead
before its passages are sent to be embedded: the page then says how many wait, the estimated tokens and
dollars, and offers "Embed now" (`embedApproved`, which the controller passes to the knowledge base).
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QFormLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from desktop.session import ErrorRaised
from desktop.settings import Preferences
from desktop.tools import KnowledgeStatus
from desktop.ui.error_text import localized
from desktop.ui.folder_picker import FolderPicker

DETAIL_SCALE = 0.9  # the failure's detail, a little smaller than the sentence it follows
EXAMPLE_MODEL = "text-embedding-3-small"
NO_BREAK_HYPHEN = "\u2011"  # a model's name is not cut at a line's end ("text-" / "embedding-3-small")


def _wrapped(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    return label


def _filled(sentence: str, *values: str) -> str:
    """%1, %2, ... of a translated sentence replaced by `values`."""
    for number, value in enumerate(values, start=1):
        sentence = sentence.replace(f"%{number}", value)
    return sentence


def _unbroken(name: str) -> str:
    return name.replace("-", NO_BREAK_HYPHEN)


def _count(number: int) -> str:
    return f"{number:,}"  # 48,120: English and Chinese group digits alike


def _dollars(cost: float) -> str:
    return f"${cost:.2f}" if cost >= 0.01 else f"${cost:.4f}"


class KnowledgePage(QWidget):
    embedApproved = Signal()  # the person clicked "Embed now"

    def __init__(self, prefs: Preferences, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.picker = FolderPicker(prefs.knowledge_folder)
        about = _wrapped(
            self.tr(
                "The assistant answers questions from the documents in this folder (Markdown, text, PDF, "
                "Word, HTML), and says which ones it used, with the page and heading. Changes in the folder "
                "are picked up by themselves; a big folder is read in the background, with its progress in "
                "the status bar."
            )
        )
        self.search_mode = _wrapped()  # filled when the status is counted (`show_status`)
        self.detail = _wrapped()  # a service failure's own words, smaller
        self.detail.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        font = self.detail.font()
        font.setPointSizeF(font.pointSizeF() * DETAIL_SCALE)
        self.detail.setFont(font)
        self.estimate = _wrapped()  # before a big folder is embedded: what it will cost
        self.embed_now = QPushButton(self.tr("Embed now"))
        self.embed_now.clicked.connect(self._approve)
        self._search = QWidget()  # one field, so the wrapped lines stack without gaps
        search = QVBoxLayout(self._search)
        search.setContentsMargins(0, 0, 0, 0)
        for line in (self.search_mode, self.detail, self.estimate):
            search.addWidget(line)
            line.hide()
        search.addWidget(self.embed_now, 0, Qt.AlignmentFlag.AlignLeft)
        self.embed_now.hide()
        form = QFormLayout(self)
        form.addRow(about)
        form.addRow(self.tr("Folder"), self.picker)
        form.addRow(self.tr("Search"), self._search)
        form.setRowVisible(self._search, False)  # until the status is known
        self._form = form

    def show_status(self, status: KnowledgeStatus) -> None:
        """The search mode (and why keyword search only, once); before a big folder is embedded, the
        estimate and the button that starts it."""
        self.search_mode.setText(self._mode_text(status))
        self.search_mode.show()
        mode = status.mode
        failed = mode.reason == "embeddings_failed" and bool(mode.detail)
        # In the person's language where the code has a sentence; the service's own English as tooltip.
        self.detail.setText(localized(ErrorRaised(mode.detail, mode.code)) if failed else "")
        self.detail.setToolTip(mode.detail if failed else "")
        self.detail.setVisible(failed)
        waiting = status.needs_approval
        if waiting:
            self.estimate.setText(self._estimate_text(status))
            self.embed_now.setEnabled(True)
        self.estimate.setVisible(waiting)
        self.embed_now.setVisible(waiting)
        self._form.setRowVisible(self._search, True)

    def _approve(self) -> None:
        self.embed_now.setEnabled(False)  # until the new status comes
        self.embedApproved.emit()

    def _mode_text(self, status: KnowledgeStatus) -> str:
        if status.mode.mode == "hybrid":
            return self._hybrid_text(status)
        reason = status.mode.reason
        if reason == "awaiting_approval":
            waiting = self.tr("Keyword search for now: %1 passages wait for your go-ahead to be embedded "
                              "with %2.")
            return _filled(waiting, _count(status.texts_to_embed), _unbroken(status.model))
        if reason == "demo":
            return self.tr(
                "Keyword search only: the demo provider has no embeddings service. With Azure OpenAI or "
                "OpenAI the search also finds what a question means."
            )
        if reason == "no_deployment":
            no_deployment = self.tr(
                "Keyword search only: no embeddings deployment is set. On the Connection tab, name a "
                "deployment of an embeddings model (for example %1) on the same Azure resource as the "
                "realtime deployment."
            )
            return _filled(no_deployment, _unbroken(EXAMPLE_MODEL))
        if reason == "embeddings_failed":
            return self.tr(
                "Keyword search only: the embeddings service failed; it is tried again after a wait (from "
                "30 seconds, up to 10 minutes after repeated failures)."
            )
        return self.tr(
            "Keyword search only: the embeddings service is not set up (no API key, or the endpoint is not "
            "a valid address); see the Connection tab."
        )

    def _hybrid_text(self, status: KnowledgeStatus) -> str:
        if status.embedded < status.passages:
            partly = self.tr("Hybrid search (words and meaning) with %1: %2 of %3 passages embedded, the "
                             "rest in the background.")
            return _filled(partly, _unbroken(status.model), _count(status.embedded), _count(status.passages))
        hybrid = self.tr("Hybrid search (words and meaning) with %1: %2 passages embedded.")
        return _filled(hybrid, _unbroken(status.model), _count(status.embedded))

    def _estimate_text(self, status: KnowledgeStatus) -> str:
        estimate = self.tr(
            "Embedding them sends their text to your embeddings service once: about %1 tokens, roughly %2 "
            "at text-embedding-3-small's $0.02 per million tokens (text-embedding-3-large costs $0.13). This "
            "is an estimate."
        )
        return _filled(estimate, _count(status.tokens_to_embed), _dollars(status.estimated_cost))

    def values(self, prefs: Preferences) -> Preferences:
        return replace(prefs, knowledge_folder=self.picker.folder())
