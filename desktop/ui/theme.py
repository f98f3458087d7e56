"""The app's colours, all in this module: the few semantic colours Qt's palette has no role for (the
talk button's states, the transcript's bubbles and tool cards, banners, busy days and weekends, the
level meter, warnings), chosen per colour scheme, and the dark palette for Fusion where the platform's
style gives none.

Everything else takes its colours from the palette (Window, Base, Text, Highlight, ...). The scheme
shown is the palette's own: dark when its window colour is dark, so the semantic colours always match
what Qt draws around them. `desktop.ui.colour_scheme` keeps the palette following the system.
Text colours are chosen for WCAG AA (4.5:1) on their backgrounds; tests/ui/test_theme.py checks it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette

Scheme = Qt.ColorScheme


@dataclass(frozen=True)
class Swatch:
    """A coloured surface: its background, its text, an optional border and a second text colour
    (a tool's arguments, "interrupted")."""

    background: str
    text: str
    border: str = "transparent"
    accent: str = ""


@dataclass(frozen=True)
class Colours:
    scheme: Scheme
    talk: Mapping[str, Swatch]  # SessionState value -> the talk button's look; "pressed" while held
    talk_focus: str
    bubbles: Mapping[str, Swatch]  # "user", "assistant", "marker" (on the conversation's Base)
    tool_cards: Mapping[str, Swatch]  # a tool call's status -> its card
    banners: Mapping[str, Swatch]  # "error", "info"
    busy_day: Swatch
    weekend: str
    meter_track: str
    meter_level: str
    meter_loud: str
    warning: str  # a warning line on the window's colour
    error: str


def _talk(text: str, **backgrounds: str) -> dict[str, Swatch]:
    looks = {state: Swatch(background, text) for state, background in backgrounds.items()}
    looks["closed"], looks["reconnecting"] = looks["idle"], looks["connecting"]
    return looks


_LIGHT = Colours(
    scheme=Scheme.Light,
    talk={
        **_talk(
            "#ffffff", idle="#6b7280", connecting="#b45309", ready="#2563eb", listening="#15803d",
            thinking="#7c3aed", assistant_speaking="#9333ea", failed="#dc2626", pressed="#14532d",
        ),
        "user_speaking": Swatch("#166534", "#ffffff", "#bbf7d0"),
    },
    talk_focus="#172554",
    bubbles={
        "user": Swatch("#dbeafe", "#0f172a", accent="#4b5563"),
        "assistant": Swatch("#f3f4f6", "#0f172a", accent="#4b5563"),
        "marker": Swatch("transparent", "#6b7280"),
    },
    tool_cards={
        "requested": Swatch("#fffbeb", "#78350f", "#fcd34d", "#92400e"),
        "confirming": Swatch("#fffbeb", "#78350f", "#f59e0b", "#92400e"),
        "done": Swatch("#f0fdf4", "#14532d", "#86efac", "#166534"),
        "declined": Swatch("#f3f4f6", "#374151", "#d1d5db", "#4b5563"),
        "failed": Swatch("#fef2f2", "#7f1d1d", "#fca5a5", "#991b1b"),
    },
    banners={
        "error": Swatch("#fef2f2", "#111827", "#fca5a5"),
        "info": Swatch("#eff6ff", "#111827", "#93c5fd"),
    },
    busy_day=Swatch("#e3f2fd", "#1565c0"),
    weekend="#b91c1c",
    meter_track="#e5e7eb",
    meter_level="#16a34a",
    meter_loud="#dc2626",
    warning="#92400e",
    error="#b91c1c",
)  # fmt: skip

_DARK = Colours(
    scheme=Scheme.Dark,
    talk={
        **_talk(
            "#ffffff", idle="#4b5563", connecting="#b45309", ready="#1d4ed8", listening="#15803d",
            thinking="#6d28d9", assistant_speaking="#7e22ce", failed="#b91c1c", pressed="#14532d",
        ),
        "user_speaking": Swatch("#166534", "#ffffff", "#4ade80"),
    },
    talk_focus="#93c5fd",
    bubbles={
        "user": Swatch("#1e3a5f", "#e8eef7", accent="#b6c2d3"),
        "assistant": Swatch("#2c2f35", "#e8eaed", accent="#b0b5bd"),
        "marker": Swatch("transparent", "#9aa0a6"),
    },
    tool_cards={
        "requested": Swatch("#3b2607", "#fde68a", "#b45309", "#fbbf24"),
        "confirming": Swatch("#3b2607", "#fde68a", "#f59e0b", "#fbbf24"),
        "done": Swatch("#0b2e1a", "#bbf7d0", "#15803d", "#4ade80"),
        "declined": Swatch("#2c2f35", "#d1d5db", "#4b5563", "#a3a9b3"),
        "failed": Swatch("#3f1010", "#fecaca", "#b91c1c", "#f87171"),
    },
    banners={
        "error": Swatch("#3f1010", "#fde8e8", "#b91c1c"),
        "info": Swatch("#172a46", "#e5edf7", "#3b82f6"),
    },
    busy_day=Swatch("#1e3a5f", "#bfdbfe"),
    weekend="#fca5a5",
    meter_track="#3c3f44",
    meter_level="#22c55e",
    meter_loud="#ef4444",
    warning="#fbbf24",
    error="#f87171",
)  # fmt: skip

_DARK_PALETTE = {
    QPalette.ColorRole.Window: "#202124",
    QPalette.ColorRole.WindowText: "#e8eaed",
    QPalette.ColorRole.Base: "#17181b",
    QPalette.ColorRole.AlternateBase: "#26282c",
    QPalette.ColorRole.ToolTipBase: "#2d2f33",
    QPalette.ColorRole.ToolTipText: "#e8eaed",
    QPalette.ColorRole.PlaceholderText: "#9aa0a6",
    QPalette.ColorRole.Text: "#e8eaed",
    QPalette.ColorRole.Button: "#2d2f33",
    QPalette.ColorRole.ButtonText: "#e8eaed",
    QPalette.ColorRole.BrightText: "#ff8a80",
    QPalette.ColorRole.Light: "#45484e",
    QPalette.ColorRole.Midlight: "#36393e",
    QPalette.ColorRole.Mid: "#2a2c30",
    QPalette.ColorRole.Dark: "#121316",
    QPalette.ColorRole.Shadow: "#000000",
    QPalette.ColorRole.Highlight: "#2563eb",
    QPalette.ColorRole.HighlightedText: "#ffffff",
    QPalette.ColorRole.Link: "#8ab4f8",
    QPalette.ColorRole.LinkVisited: "#c58af9",
    QPalette.ColorRole.Accent: "#2563eb",
}
_DARK_DISABLED = {
    QPalette.ColorRole.WindowText: "#74787e",
    QPalette.ColorRole.Text: "#74787e",
    QPalette.ColorRole.ButtonText: "#74787e",
    QPalette.ColorRole.Base: "#1c1d20",
    QPalette.ColorRole.Button: "#26282c",
    QPalette.ColorRole.Highlight: "#3c3f44",
    QPalette.ColorRole.HighlightedText: "#9aa0a6",
}


def colours(scheme: Scheme) -> Colours:
    """The semantic colours of a scheme; an unknown scheme is light."""
    return _DARK if scheme == Scheme.Dark else _LIGHT


def scheme_of(palette: QPalette) -> Scheme:
    """Dark when the palette's window colour is dark: the scheme Qt draws its own widgets in."""
    return Scheme.Dark if palette.color(QPalette.ColorRole.Window).lightness() < 128 else Scheme.Light


def current() -> Colours:
    """The colours that go with the application's palette now."""
    return colours(scheme_of(QGuiApplication.palette()))


def dark_palette() -> QPalette:
    """A dark palette for Fusion, where the platform's style has none of its own."""
    palette = QPalette()
    for role, colour in _DARK_PALETTE.items():
        palette.setColor(role, QColor(colour))
    for role, colour in _DARK_DISABLED.items():
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor(colour))
    return palette


def contrast(foreground: str | QColor, background: str | QColor) -> float:
    """The WCAG contrast ratio of two colours, from 1 (none) to 21 (black on white)."""
    lighter, darker = sorted((_luminance(QColor(foreground)), _luminance(QColor(background))), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def _luminance(colour: QColor) -> float:
    def linear(channel: float) -> float:
        return channel / 12.92 if channel <= 0.04045 else ((channel + 0.055) / 1.055) ** 2.4

    return 0.2126 * linear(colour.redF()) + 0.7152 * linear(colour.greenF()) + 0.0722 * linear(colour.blueF())
