"""Views the window shows only after its first frame, imported when first shown: the notice of what
the next call connects to, the keychain's absence, and About (start-up time: docs/measurements.md)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QWidget

if TYPE_CHECKING:
    from desktop.settings import Target
    from desktop.ui.banner import Banner
    from desktop.ui.ports import AboutContext


def show_target(notice: Banner, target: Target) -> None:
    from desktop.ui.target_notice import show_target_notice

    show_target_notice(notice, target)


def show_keychain_missing(notice: Banner) -> None:
    from desktop.ui.target_notice import show_keychain_missing as show

    show(notice)


def open_about(parent: QWidget, about: AboutContext) -> None:
    from desktop.ui.about_dialog import AboutDialog

    AboutDialog(about, parent).open()
