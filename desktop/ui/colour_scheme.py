"""Following the system's colour scheme, live.

`follow_system` watches Qt's colour scheme (`QStyleHints.colorSchemeChanged`, Qt 6.5+). Where the
system is dark but the style's palette is light (Linux without a platform theme, the offscreen platform,
Windows' vista style), it switches to Fusion with `theme.dark_palette()`; back to light, it restores the
style and the platform's palette. Wherever the application's palette changes (this module or the
platform), every themed widget restyles itself: each registers a slot with `on_change`.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QLabel

from desktop.ui import theme
from desktop.ui.theme import Colours

_FUSION = "fusion"


class SchemeNotice(QObject):
    """Says that the colours changed; a child of the application, made on first use."""

    changed = Signal()


def _notice() -> SchemeNotice:
    app = QCoreApplication.instance()
    notice = app.findChild(SchemeNotice) if app is not None else None
    if notice is None:
        notice = SchemeNotice(app)
    return notice


def on_change(slot: Callable[[], object]) -> None:
    """Calls `slot` whenever the colour scheme changes. Pass a bound method of a QObject: the
    connection ends with the object."""
    _notice().changed.connect(slot)


class Tint(QObject):
    """A label's text in one of the theme's colours (a warning, an error), kept in the scheme."""

    def __init__(self, label: QLabel, pick: Callable[[Colours], str]) -> None:
        super().__init__(label)
        self._label, self._pick = label, pick
        self.restyle()
        on_change(self.restyle)

    def restyle(self) -> None:
        self._label.setStyleSheet(f"color: {self._pick(theme.current())}")


def tint(label: QLabel, pick: Callable[[Colours], str]) -> QLabel:
    Tint(label, pick)
    return label


class SystemScheme(QObject):
    """Keeps the application's palette in the system's scheme; `follow` is the change handler."""

    def __init__(self, app: QApplication) -> None:
        super().__init__(app)
        self._app = app
        self._light_style: str | None = None  # the style to go back to, while the dark palette is ours
        hints = QGuiApplication.styleHints()
        hints.colorSchemeChanged.connect(self._changed)
        self.follow(hints.colorScheme())

    @property
    def imposed(self) -> bool:
        """True while the dark palette is this module's, not the platform's."""
        return self._light_style is not None

    def follow(self, scheme: Qt.ColorScheme) -> None:
        app = self._app
        if scheme == Qt.ColorScheme.Dark and theme.scheme_of(app.palette()) == Qt.ColorScheme.Light:
            self._light_style = app.style().name()
            if app.style().name().lower() != _FUSION:
                app.setStyle(_FUSION)
            app.setPalette(theme.dark_palette())
        elif scheme != Qt.ColorScheme.Dark and self._light_style is not None:
            style, self._light_style = self._light_style, None
            if app.style().name().lower() != style.lower():
                app.setStyle(style)
            app.setPalette(QPalette())  # nothing set: the style's and the platform's palette again
        _notice().changed.emit()  # the platform may have changed the palette by itself

    def _changed(self, scheme: Qt.ColorScheme) -> None:
        # After the platform's own palette change, which may come with the same notice.
        QTimer.singleShot(0, self, lambda: self.follow(scheme))


def follow_system(app: QApplication) -> SystemScheme:
    """Makes the app follow the system's colour scheme from now on (before the window is built); once
    per app."""
    return app.findChild(SystemScheme) or SystemScheme(app)
