"""A reference token service for the app's token-service mode: see README.md here."""
