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
    tray_badges: Mapping[str, Swatch]  # the tray icon's state badge ("listening", …) and its sign


# Each colour as (light, dark), side by side; a swatch as (background, text, border, accent).
Pair = tuple[str, str]
_CLEAR: Pair = ("transparent", "transparent")
_WHITE: Pair = ("#ffffff", "#ffffff")

_TALK: dict[str, Pair] = {  # the label is white on each
    "idle": ("#6b7280", "#4b5563"),
    "connecting": ("#b45309", "#b45309"),
    "ready": ("#2563eb", "#1d4ed8"),
    "listening": ("#15803d", "#15803d"),
    "thinking": ("#7c3aed", "#6d28d9"),
    "assistant_speaking": ("#9333ea", "#7e22ce"),
    "failed": ("#dc2626", "#b91c1c"),
    "pressed": ("#14532d", "#14532d"),
}
_SPEAKING_BORDER: Pair = ("#bbf7d0", "#4ade80")
_USER_SPEAKING: Pair = ("#166534", "#166534")
_TALK_FOCUS: Pair = ("#172554", "#93c5fd")
_GREY: Pair = ("#f3f4f6", "#2c2f35")
_RED: Pair = ("#fef2f2", "#3f1010")
_BUBBLES: dict[str, tuple[Pair, ...]] = {
    "user": (("#dbeafe", "#1e3a5f"), ("#0f172a", "#e8eef7"), _CLEAR, ("#4b5563", "#b6c2d3")),
    "assistant": (_GREY, ("#0f172a", "#e8eaed"), _CLEAR, ("#4b5563", "#b0b5bd")),
    "marker": (_CLEAR, ("#6b7280", "#9aa0a6")),
}
_AMBER: tuple[Pair, ...] = (("#fffbeb", "#3b2607"), ("#78350f", "#fde68a"))
_TOOL_CARDS: dict[str, tuple[Pair, ...]] = {
    "requested": (*_AMBER, ("#fcd34d", "#b45309"), ("#92400e", "#fbbf24")),
    "confirming": (*_AMBER, ("#f59e0b", "#f59e0b"), ("#92400e", "#fbbf24")),
    "done": (("#f0fdf4", "#0b2e1a"), ("#14532d", "#bbf7d0"), ("#86efac", "#15803d"), ("#166534", "#4ade80")),
    "declined": (_GREY, ("#374151", "#d1d5db"), ("#d1d5db", "#4b5563"), ("#4b5563", "#a3a9b3")),
    "failed": (_RED, ("#7f1d1d", "#fecaca"), ("#fca5a5", "#b91c1c"), ("#991b1b", "#f87171")),
}
_BANNERS: dict[str, tuple[Pair, ...]] = {
    "error": (_RED, ("#111827", "#fde8e8"), ("#fca5a5", "#b91c1c")),
    "info": (("#eff6ff", "#172a46"), ("#111827", "#e5edf7"), ("#93c5fd", "#3b82f6")),
}
_BUSY_DAY: tuple[Pair, ...] = (("#e3f2fd", "#1e3a5f"), ("#1565c0", "#bfdbfe"))
# Mid tones that read on light and dark panels alike (the panel's colour is not the app's palette).
_TRAY_BADGES: dict[str, Pair] = {
    "listening": ("#16a34a", "#16a34a"),
    "speaking": ("#9333ea", "#9333ea"),
    "confirming": ("#d97706", "#d97706"),
    "error": ("#dc2626", "#dc2626"),
}
_SINGLE: dict[str, Pair] = {
    "weekend": ("#b91c1c", "#fca5a5"),
    "meter_track": ("#e5e7eb", "#3c3f44"),
    "meter_level": ("#16a34a", "#22c55e"),
    "meter_loud": ("#dc2626", "#ef4444"),
    "warning": ("#92400e", "#fbbf24"),
    "error": ("#b91c1c", "#f87171"),
}


def _in(scheme: Scheme) -> Colours:
    side = 1 if scheme == Scheme.Dark else 0

    def swatch(*pairs: Pair) -> Swatch:
        return Swatch(*(pair[side] for pair in pairs))

    talk = {state: swatch(background, _WHITE) for state, background in _TALK.items()}
    talk |= {"closed": talk["idle"], "reconnecting": talk["connecting"]}
    talk["user_speaking"] = swatch(_USER_SPEAKING, _WHITE, _SPEAKING_BORDER)
    return Colours(
        scheme=scheme,
        talk=talk,
        talk_focus=_TALK_FOCUS[side],
        bubbles={name: swatch(*pairs) for name, pairs in _BUBBLES.items()},
        tool_cards={status: swatch(*pairs) for status, pairs in _TOOL_CARDS.items()},
        banners={kind: swatch(*pairs) for kind, pairs in _BANNERS.items()},
        busy_day=swatch(*_BUSY_DAY),
        tray_badges={state: swatch(background, _WHITE) for state, background in _TRAY_BADGES.items()},
        **{name: pair[side] for name, pair in _SINGLE.items()},
    )


_LIGHT, _DARK = _in(Scheme.Light), _in(Scheme.Dark)

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
