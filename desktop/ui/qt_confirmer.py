"""A `Confirmer` that asks the person with the meeting dialog.

The dialog is opened with `open()` and its answer comes back through a future, so the asyncio
(qasync) loop keeps running: audio, transcripts and other tools go on while the person decides.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from datetime import datetime, tzinfo

from PySide6.QtWidgets import QDialog, QWidget

from desktop.storage import DEFAULT_REMINDER_MINUTES, Meeting
from desktop.tools import ConfirmationAnswer, ConfirmationRequest
from desktop.ui.meeting_dialog import MeetingDialog, Mode


class QtConfirmer:
    def __init__(
        self,
        parent: QWidget | None,
        *,
        snapshot: Callable[[], Sequence[Meeting]] | None = None,
        tz: tzinfo | None = None,
        now: Callable[[], datetime] | None = None,
        on_asking: Callable[[str], None] | None = None,
        default_reminder: Callable[[], int] = lambda: DEFAULT_REMINDER_MINUTES,
    ) -> None:
        """`snapshot` (e.g. `CalendarPane.meetings`) lets the dialog re-check overlaps as the
        person edits; without it the dialog shows the tool's warnings for the proposed values.
        `on_asking(call_id)` runs when a dialog opens, so the transcript can say that the tool
        call now waits for the person (`TranscriptPane.mark_confirming`). `default_reminder()` is the
        default of Settings, which the dialog's reminder choice names."""
        self._parent = parent
        self._snapshot = snapshot
        self._on_asking = on_asking
        self._tz = tz
        self._now = now
        self._default_reminder = default_reminder
        self.open_dialogs: list[MeetingDialog] = []

    async def confirm(self, request: ConfirmationRequest) -> ConfirmationAnswer:
        future: asyncio.Future[ConfirmationAnswer] = asyncio.get_running_loop().create_future()
        mode: Mode = "create" if request.kind == "create_meeting" else "cancel"
        others = self._snapshot() if self._snapshot is not None and mode == "create" else None
        dialog = MeetingDialog(self._parent, mode, request.fields, request.warnings, others=others,
                               tz=self._tz, now=self._now, default_reminder=self._default_reminder())

        def answer(result: int) -> None:
            if future.done():
                return
            approved = result == QDialog.DialogCode.Accepted
            future.set_result(ConfirmationAnswer(approved=approved, fields=_answered(dialog, mode, approved)))

        dialog.finished.connect(answer)
        self.open_dialogs.append(dialog)
        dialog.open()
        if self._on_asking is not None and request.call_id:
            self._on_asking(request.call_id)
        try:
            return await future
        finally:  # also when the session closes while the dialog is up: take it down
            self.open_dialogs.remove(dialog)
            dialog.finished.disconnect(answer)
            dialog.close()
            dialog.deleteLater()


def _answered(dialog: MeetingDialog, mode: Mode, approved: bool) -> dict[str, object]:
    """What the person decided beyond yes: the edited fields of a meeting to book, or for an occurrence
    of a series whether it alone or the whole series goes."""
    if not approved:
        return {}
    if mode == "create":
        return dialog.values()
    scope = dialog.cancel_scope()
    return {"scope": scope} if scope else {}
