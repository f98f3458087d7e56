"""The knowledge folder being indexed, in the status bar: a small bar with the files read of all and the
name of the file being read; then, with embeddings, the passages embedded of all, said in a sentence.
Shown while a sync reads files or embeds passages, hidden when it ends.

`report` may be called from any thread (the knowledge tool calls it on the loop's thread): it only
emits a queued signal, and the widget changes on the GUI thread.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QWidget

if TYPE_CHECKING:  # the knowledge sync's module is not needed for the first frame
    from desktop.storage import IndexProgress

NAME_WIDTH = 220  # pixels of the file name shown; a longer one is elided in the middle


class IndexingProgress(QWidget):
    _reported = Signal(object)  # an IndexProgress

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = QLabel()
        self.bar = QProgressBar()
        self.bar.setMaximumWidth(140)
        self.bar.setMaximumHeight(16)
        self.bar.setFormat("%v / %m")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 12, 0)
        layout.addWidget(self.label)
        layout.addWidget(self.bar)
        self._reported.connect(self._show, Qt.ConnectionType.QueuedConnection)
        self.hide()

    def report(self, progress: IndexProgress) -> None:
        with contextlib.suppress(RuntimeError):  # the window was closed while a sync ran
            self._reported.emit(progress)

    def _show(self, progress: IndexProgress) -> None:
        if progress.ended:
            self.hide()
            return
        self.bar.setRange(0, max(progress.total, 1))
        self.bar.setValue(progress.done)
        if progress.stage == "embeddings":
            self._show_embedding(progress)
        else:
            self._show_reading(progress)
        self.show()

    def _show_reading(self, progress: IndexProgress) -> None:
        self.bar.setTextVisible(True)  # "3 / 12" files
        name = self.fontMetrics().elidedText(progress.current, Qt.TextElideMode.ElideMiddle, NAME_WIDTH)
        self.label.setText(self.tr("Indexing: %1").replace("%1", name))
        self.setToolTip(
            self.tr("Reading the knowledge folder: %1 of %2 files done; now %3")
            .replace("%1", str(progress.done))
            .replace("%2", str(progress.total))
            .replace("%3", progress.current)
        )

    def _show_embedding(self, progress: IndexProgress) -> None:
        self.bar.setTextVisible(False)  # the sentence says the numbers
        done, total = f"{progress.done:,}", f"{progress.total:,}"
        sentence = self.tr("Embedding passages for search: %1 of %2")
        self.label.setText(sentence.replace("%1", done).replace("%2", total))
        self.setToolTip(
            self.tr(
                "The knowledge folder's passages are embedded once, so the search finds what a question "
                "means, not only its words: %1 of %2 done."
            )
            .replace("%1", done)
            .replace("%2", total)
        )
