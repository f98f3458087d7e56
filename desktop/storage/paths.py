"""Where things live: per-user folders from platformdirs, and bundled resources found the same way
from the source tree and from a PyInstaller bundle."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import platformdirs

APP_NAME = "VoiceAssistant"
APP_AUTHOR = "VoiceAssistant"
# The app's reverse-DNS id, the same everywhere: the Linux desktop entry and metainfo
# (resources/linux/), Wayland's app id, the macOS bundle identifier, the Windows installer.
APP_ID = "org.voiceassistant.VoiceAssistant"

# Tests and the self-test point this at a temporary folder so they never touch a real calendar.
DATA_DIR_ENV = "VOICE_ASSISTANT_DATA_DIR"
# The log folder's own override; without it, an overridden data folder keeps the log too (in logs/).
LOG_DIR_ENV = "VOICE_ASSISTANT_LOG_DIR"


def resources_dir() -> Path:
    bundle_root = getattr(sys, "_MEIPASS", None)
    if bundle_root:
        return Path(bundle_root) / "resources"
    return Path(__file__).resolve().parents[2] / "resources"


def resource(*parts: str) -> Path:
    return resources_dir().joinpath(*parts)


def data_dir() -> Path:
    override = os.environ.get(DATA_DIR_ENV)
    path = Path(override) if override else Path(platformdirs.user_data_dir(APP_NAME, APP_AUTHOR))
    path.mkdir(parents=True, exist_ok=True)
    return path


def log_dir() -> Path:
    """Where the log file goes (not created here): the platform's log folder unless overridden, so
    that tests and the self-test, which override the data folder, never write to the real one."""
    override = os.environ.get(LOG_DIR_ENV)
    if override:
        return Path(override)
    data_override = os.environ.get(DATA_DIR_ENV)
    if data_override:
        return Path(data_override) / "logs"
    return Path(platformdirs.user_log_dir(APP_NAME, APP_AUTHOR))


def calendar_db_path() -> Path:
    return data_dir() / "calendar.sqlite3"


def knowledge_db_path() -> Path:
    return data_dir() / "knowledge.sqlite3"
