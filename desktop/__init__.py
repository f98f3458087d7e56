"""Voice Assistant, a desktop app for realtime speech-to-speech models."""

# The one place the version is written: pyproject.toml reads it (setuptools' dynamic version),
# build.spec stamps it on the packaged app, `voice-assistant --version` prints it.
__version__ = "0.1.0"
