"""The event inspector: every wire event with direction, time, type and pretty JSON.

Bounded (the newest `LIMIT` events) and batched (a timer moves arrivals into the table a few times a
second), so a long call with thousands of deltas never slows the window. Payloads arrive masked from
the session; they are masked again here in case anything slipped through.
"""

from __future__ import annotations

import json
import time
from collections import deque
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    QTimer,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDockWidget,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.realtime import Masker
from desktop.session import RawEvent

LIMIT = 2000
_FLUSH_MS = 150
_AnyIndex = QModelIndex | QPersistentModelIndex


class EventTable(QAbstractTableModel):
    def __init__(self) -> None:
        super().__init__()
        self.rows: deque[RawEvent] = deque()

    def rowCount(self, parent: _AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: _AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 3

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if role != Qt.ItemDataRole.DisplayRole or orientation != Qt.Orientation.Horizontal:
            return None
        return (self.tr("Time"), self.tr("Direction"), self.tr("Type"))[section]

    def data(self, index: _AnyIndex, role: int = 0) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        event = self.rows[index.row()]
        if index.column() == 0:
            stamp = time.strftime("%H:%M:%S", time.localtime(event.timestamp))
            return f"{stamp}.{int(event.timestamp * 1000) % 1000:03d}"
        if index.column() == 1:
            return "→" if event.direction == "sent" else "←"
        return event.type

    def append(self, events: list[RawEvent]) -> None:
        events = events[-LIMIT:]
        overflow = len(self.rows) + len(events) - LIMIT
        if overflow > 0:
            self.beginRemoveRows(QModelIndex(), 0, overflow - 1)
            for _ in range(overflow):
                self.rows.popleft()
            self.endRemoveRows()
        first = len(self.rows)
        self.beginInsertRows(QModelIndex(), first, first + len(events) - 1)
        self.rows.extend(events)
        self.endInsertRows()

    def clear(self) -> None:
        self.beginResetModel()
        self.rows.clear()
        self.endResetModel()


class InspectorDock(QDockWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Event inspector"))
        self.setObjectName("inspectorDock")
        self.masker = Masker()
        self.table = EventTable()
        self._pending: list[RawEvent] = []
        self.skipped = 0
        self._proxy = QSortFilterProxyModel(self)
        self._proxy.setSourceModel(self.table)
        self._proxy.setFilterKeyColumn(2)
        self._proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.filter = QLineEdit()
        self.filter.setPlaceholderText(self.tr("Filter by type, e.g. response."))
        self.pause = QCheckBox(self.tr("Pause"))
        self.clear = QPushButton(self.tr("Clear"))
        self.status = QLabel()
        self.view = QTableView()
        self.detail = QPlainTextEdit()
        self._build()
        self._timer = QTimer(self)
        self._timer.setInterval(_FLUSH_MS)
        self._timer.timeout.connect(self.flush)
        self.filter.textChanged.connect(self._proxy.setFilterFixedString)
        self.clear.clicked.connect(self._clear)
        self.view.selectionModel().currentRowChanged.connect(self._show_detail)
        self.hide()

    def _build(self) -> None:
        self.view.setModel(self._proxy)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.verticalHeader().hide()
        header = self.view.horizontalHeader()
        # Time and an arrow need little room; the type is what the person reads in a narrow dock.
        # Fixed widths, not ResizeToContents: that would measure a thousand rows on every batch.
        metrics = self.view.fontMetrics()
        direction = str(self.table.headerData(1, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole))
        for column, sample in ((0, "00:00:00.000"), (1, direction)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Fixed)
            header.resizeSection(column, metrics.horizontalAdvance(sample) + 16)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.detail.setReadOnly(True)
        self.detail.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        bar = QHBoxLayout()
        bar.addWidget(self.filter, 1)
        bar.addWidget(self.pause)
        bar.addWidget(self.clear)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.view)
        split.addWidget(self.detail)
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.addLayout(bar)
        layout.addWidget(split, 1)
        layout.addWidget(self.status)
        self.setWidget(body)

    def add(self, event: RawEvent) -> None:
        if self.pause.isChecked():
            self.skipped += 1
            return
        self._pending.append(event)
        if not self._timer.isActive():
            self._timer.start()

    def flush(self) -> None:
        self._timer.stop()
        if self._pending:
            batch = [self._masked(event) for event in self._pending[-LIMIT:]]
            self._pending.clear()
            self.table.append(batch)
        self.status.setText(
            self.tr("%1 events shown, %2 skipped while paused")
            .replace("%1", str(len(self.table.rows)))
            .replace("%2", str(self.skipped))
        )

    def _masked(self, event: RawEvent) -> RawEvent:
        payload = self.masker.payload(event.payload)
        return RawEvent(event.direction, event.type, payload, event.timestamp)

    def _clear(self) -> None:
        self._pending.clear()
        self.skipped = 0
        self.table.clear()
        self.detail.clear()
        self.flush()

    def _show_detail(self, current: QModelIndex, _previous: QModelIndex) -> None:
        source = self._proxy.mapToSource(current)
        if source.isValid():
            event = self.table.rows[source.row()]
            self.detail.setPlainText(json.dumps(event.payload, indent=2, ensure_ascii=False))
