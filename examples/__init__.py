"""Examples to run beside the app, never part of it (resources/build/developer_only.py)."""
