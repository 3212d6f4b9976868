"""Command-line experiments."""
