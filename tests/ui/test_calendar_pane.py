"""The calendar pane follows the store (also writes made elsewhere, like the assistant's), and
creates, edits, deletes, exports and imports by hand."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from icalendar import Calendar
from PySide6.QtCore import QDate
from PySide6.QtGui import QFont
from pytestqt.qtbot import QtBot

from desktop.storage.meeting_model import Meeting, MeetingDraft, Recurrence
from desktop.storage.meetings import MeetingStore
from desktop.storage.occurrences import checked_draft
from desktop.storage.worker import StoreWorker
from desktop.ui.calendar_pane import CalendarPane, Loaded, _days_of

CST = timezone(timedelta(hours=8))
NOW = datetime(2025, 9, 1, 12, 0, tzinfo=CST)
DAY = date(2025, 9, 9)


@pytest.fixture
def pane(qtbot: QtBot, qloop: object, store: MeetingStore, worker: StoreWorker) -> CalendarPane:
    # qloop: as in the app, garbage is collected on the GUI thread only, never on the store's worker.
    widget = CalendarPane(store, worker, tz=CST, now=lambda: NOW)
    qtbot.addWidget(widget)
    widget.calendar.setCurrentPage(2025, 9)
    widget.select_day(DAY)
    return widget


def titles(pane: CalendarPane) -> list[str]:
    return [pane.day_list.item(i).text() for i in range(pane.day_list.count())]


def is_marked(pane: CalendarPane, day: date) -> bool:
    fmt = pane.calendar.dateTextFormat(QDate(day.year, day.month, day.day))
    return fmt.fontWeight() == QFont.Weight.Bold


def test_a_meeting_stored_by_someone_else_appears_at_once(
    qtbot: QtBot, pane: CalendarPane, store: MeetingStore, worker: StoreWorker
) -> None:
    assert titles(pane) == []
    # As the assistant does: a write on the store's worker thread.
    worker.submit(store.create, MeetingDraft("周会", datetime(2025, 9, 9, 15, 30, tzinfo=CST), 60,
                                             source="voice", call_id="c1"))
    qtbot.waitUntil(lambda: titles(pane) == ["15:30–16:30  周会"])
    assert is_marked(pane, DAY) and not is_marked(pane, DAY + timedelta(days=1))
    meeting = store.all()[0]
    worker.submit(store.update, meeting.id, "周会 (moved)", meeting.start + timedelta(days=1), 60)
    qtbot.waitUntil(lambda: titles(pane) == [])
    assert not is_marked(pane, DAY) and is_marked(pane, DAY + timedelta(days=1))
    worker.submit(store.delete, meeting.id)
    qtbot.waitUntil(lambda: not is_marked(pane, DAY + timedelta(days=1)))
    assert pane.meetings() == []


def test_a_meeting_booked_on_another_day_is_shown_on_its_day(
    qtbot: QtBot, pane: CalendarPane, store: MeetingStore, worker: StoreWorker
) -> None:
    """The assistant books next month while today is selected: the pane turns to that day."""
    worker.submit(store.create, MeetingDraft("月会", datetime(2025, 10, 3, 10, 0, tzinfo=CST), 30,
                                             source="voice", call_id="c2"))
    qtbot.waitUntil(lambda: titles(pane) == ["10:00–10:30  月会"])
    assert pane.selected_day() == date(2025, 10, 3)
    assert (pane.calendar.yearShown(), pane.calendar.monthShown()) == (2025, 10)


def test_create_edit_and_delete_by_hand(qtbot: QtBot, pane: CalendarPane, store: MeetingStore) -> None:
    dialog = pane.new_meeting()
    dialog.title_edit.setText("Design review")
    dialog.duration_edit.setValue(45)
    dialog.accept_button.click()
    qtbot.waitUntil(lambda: titles(pane) == ["09:00–09:45  Design review"])
    (made,) = store.all()
    assert made.source == "manual" and made.start == datetime(2025, 9, 9, 9, 0, tzinfo=CST)

    pane.day_list.setCurrentRow(0)
    edit = pane.edit_selected()
    assert edit is not None and edit.values()["title"] == "Design review"
    edit.duration_edit.setValue(90)
    edit.accept_button.click()
    qtbot.waitUntil(lambda: titles(pane) == ["09:00–10:30  Design review"])
    assert store.get(made.id).duration == 90  # type: ignore[union-attr]

    pane.day_list.setCurrentRow(0)
    declined = pane.delete_selected()
    assert declined is not None
    declined.reject_button.click()
    pane.day_list.setCurrentRow(0)
    removal = pane.delete_selected()
    assert removal is not None
    removal.accept_button.click()
    qtbot.waitUntil(lambda: titles(pane) == [])
    assert store.all() == []
    assert "Deleted" in pane.status_label.text()


def test_edit_without_a_selection_says_what_to_do(pane: CalendarPane) -> None:
    assert pane.edit_selected() is None
    assert "Choose a meeting" in pane.status_label.text()


def test_export_then_import_into_another_calendar(
    qtbot: QtBot, pane: CalendarPane, store: MeetingStore, tmp_path: Path, worker: StoreWorker
) -> None:
    store.create(MeetingDraft("周会", datetime(2025, 9, 9, 15, 30, tzinfo=CST), 60))
    store.create(MeetingDraft("retro", datetime(2025, 9, 12, 10, 0, tzinfo=CST), 30))
    target = tmp_path / "out.ics"
    pane.export_to(target)
    qtbot.waitUntil(lambda: "Exported 2" in pane.status_label.text())
    events = Calendar.from_ical(target.read_bytes()).walk("VEVENT")
    assert sorted(str(e["SUMMARY"]) for e in events) == ["retro", "周会"]

    other_store = MeetingStore(tmp_path / "other.sqlite3")
    other = CalendarPane(other_store, worker, tz=CST, now=lambda: NOW)
    qtbot.addWidget(other)
    other.select_day(DAY)
    other.import_from(target)
    qtbot.waitUntil(lambda: "Imported 2" in other.status_label.text())
    qtbot.waitUntil(lambda: len(titles(other)) == 1)
    other.import_from(target)
    qtbot.waitUntil(lambda: "2 already in the calendar" in other.status_label.text())
    assert len(other_store.all()) == 2
    not_ics = tmp_path / "notes.ics"
    not_ics.write_text("hello")
    other.import_from(not_ics)
    qtbot.waitUntil(lambda: "not an iCalendar" in other.status_label.text())
    other.import_from(tmp_path / "missing.ics")
    qtbot.waitUntil(lambda: "Could not import missing.ics" in other.status_label.text())
    other.shutdown()
    other_store.close()


def weekly_sync(exdates: tuple[datetime, ...] = (datetime(2025, 9, 29, 10, 0),)) -> MeetingDraft:
    draft = MeetingDraft("Team sync", datetime(2025, 9, 15, 10, 0, tzinfo=CST), 30,
                         recurrence=Recurrence("FREQ=WEEKLY;BYDAY=MO;COUNT=10", exdates))
    return checked_draft(draft, NOW)


def test_a_series_and_an_all_day_event_in_the_pane_and_cancelling_one_or_all(
    qtbot: QtBot, pane: CalendarPane, store: MeetingStore, worker: StoreWorker
) -> None:
    worker.submit(store.create, weekly_sync())
    worker.submit(store.create, MeetingDraft("Holiday", datetime(2025, 9, 9, tzinfo=CST), 1440, all_day=True))
    qtbot.waitUntil(lambda: titles(pane) == ["all day  Holiday"])
    mondays = [date(2025, 9, 15) + timedelta(weeks=w) for w in range(10)]
    assert [is_marked(pane, day) for day in mondays] == [True, True, False, *[True] * 7]
    assert not is_marked(pane, date(2025, 11, 24))
    pane.select_day(date(2025, 9, 22))
    assert titles(pane) == ["10:00–10:30  ↻ Team sync"]
    assert pane.day_list.item(0).toolTip() == "Every Monday, 10 times"

    pane.day_list.setCurrentRow(0)
    only_this = pane.delete_selected()
    assert only_this is not None and only_this.scope is not None and only_this.scope.only_this.isChecked()
    only_this.accept_button.click()
    qtbot.waitUntil(lambda: not is_marked(pane, date(2025, 9, 22)))
    assert titles(pane) == [] and is_marked(pane, date(2025, 10, 6))

    pane.select_day(date(2025, 10, 6))
    pane.day_list.setCurrentRow(0)
    whole = pane.delete_selected()
    assert whole is not None and whole.scope is not None
    whole.scope.whole_series.click()
    whole.accept_button.click()
    qtbot.waitUntil(lambda: not is_marked(pane, date(2025, 10, 6)))
    assert [m.title for m in store.all()] == ["Holiday"] and is_marked(pane, DAY)


def test_a_series_made_by_hand_and_edited_from_an_occurrence(
    qtbot: QtBot, pane: CalendarPane, store: MeetingStore
) -> None:
    pane.select_day(date(2025, 9, 15))
    dialog = pane.new_meeting()
    dialog.title_edit.setText("Team sync")
    dialog.recurrence.repeat_box.setCurrentIndex(dialog.recurrence.repeat_box.findData("WEEKLY"))
    dialog.recurrence.end_box.setCurrentIndex(dialog.recurrence.end_box.findData("count"))
    dialog.recurrence.count_edit.setValue(3)
    dialog.accept_button.click()
    qtbot.waitUntil(lambda: titles(pane) == ["09:00–09:30  ↻ Team sync"])
    assert is_marked(pane, date(2025, 9, 29)) and not is_marked(pane, date(2025, 10, 6))
    (series,) = store.all()
    assert series.recurrence is not None and series.recurrence.rule == "FREQ=WEEKLY;BYDAY=MO;COUNT=3"
    store.cancel_occurrence(series.id, datetime(2025, 9, 29, 9, 0))
    qtbot.waitUntil(lambda: not is_marked(pane, date(2025, 9, 29)))

    pane.select_day(date(2025, 9, 22))
    pane.day_list.setCurrentRow(0)
    edit = pane.edit_selected()
    assert edit is not None and edit.values()["start_time"] == "2025-09-15 09:00:00"  # the series' start
    set_to = edit.start_edit.dateTime().addSecs(3600)
    edit.start_edit.setDateTime(set_to)
    edit.accept_button.click()
    qtbot.waitUntil(lambda: titles(pane) == ["10:00–10:30  ↻ Team sync"])
    moved = store.get(series.id)
    assert moved is not None and moved.recurrence is not None
    assert moved.recurrence.exdates == (datetime(2025, 9, 29, 10, 0),)  # the left-out date moved along
    assert not is_marked(pane, date(2025, 9, 29))


def test_the_import_notice_lists_what_was_not_imported(
    qtbot: QtBot, pane: CalendarPane, tmp_path: Path
) -> None:
    path = tmp_path / "mixed.ics"
    path.write_bytes(
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//EN\r\n"
        b"BEGIN:VEVENT\r\nUID:ok\r\nDTSTART;VALUE=DATE:20250909\r\nSUMMARY:Holiday\r\nEND:VEVENT\r\n"
        b"BEGIN:VEVENT\r\nUID:long\r\nDTSTART:20250910T080000Z\r\nDURATION:P3D\r\nSUMMARY:Conference\r\n"
        b"END:VEVENT\r\nBEGIN:VEVENT\r\nUID:nostart\r\nSUMMARY:Mystery\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    pane.import_from(path)
    qtbot.waitUntil(lambda: "Not imported" in pane.status_label.text())
    assert pane.status_label.text() == (
        "Imported 1 meeting(s). Not imported: “Conference” (it lasts longer than 24 hours); "
        "“Mystery” (it has no start time)."
    )
    qtbot.waitUntil(lambda: titles(pane) == ["all day  Holiday"])


def test_pages_far_away_load_nothing_and_raise_nothing(qtbot: QtBot, pane: CalendarPane) -> None:
    """Pages from year 1 to 9999 can be asked for; the pane holds only what the store could hold."""
    assert pane.calendar.minimumDate() == QDate(NOW.year - 11, 1, 1)
    assert pane.calendar.maximumDate() == QDate(NOW.year + 11, 12, 31)
    for year, month in ((9999, 12), (9988, 1), (1, 1)):
        pane.calendar.setCurrentPage(year, month)  # raised ValueError into the excepthook
    pane.calendar.setCurrentPage(2025, 9)
    qtbot.waitUntil(lambda: pane.day_label.text().startswith("2025-09-09"))


def test_a_never_matching_rule_is_refused_without_holding_up_the_window(
    qtbot: QtBot, pane: CalendarPane, store: MeetingStore
) -> None:
    """The rule is checked on the store's worker; the refusal is its one sentence."""
    dialog = pane.new_meeting()
    dialog.recurrence.set_rule("FREQ=MONTHLY;BYMONTH=2;BYMONTHDAY=30", dialog.start())
    dialog.accept_button.click()
    qtbot.waitUntil(lambda: "recurrence" in pane.status_label.text())
    assert store.all() == []


def test_each_busy_day_is_marked_once(pane: CalendarPane, monkeypatch: pytest.MonkeyPatch) -> None:
    marked: list[QDate] = []
    real = pane.calendar.setDateTextFormat
    monkeypatch.setattr(pane.calendar, "setDateTextFormat",
                        lambda day, fmt: marked.append(day) or real(day, fmt))
    nine = datetime(2025, 9, 9, 9, 0, tzinfo=CST)
    meetings = [make_meeting(i, nine + timedelta(hours=i % 8)) for i in range(40)]
    pane._loaded(_load_of(meetings))
    assert marked == [QDate(), QDate(2025, 9, 9)]  # cleared, then the one busy day
    assert is_marked(pane, DAY)


def make_meeting(key: int, start: datetime) -> Meeting:
    return Meeting(key, f"u{key}", f"m{key}", start, 30, NOW, "manual")


def _load_of(meetings: list[Meeting]) -> Loaded:
    by_day: dict[date, list[Meeting]] = {}
    for meeting in meetings:
        for day in _days_of(meeting, CST):
            by_day.setdefault(day, []).append(meeting)
    return meetings, {}, by_day
