"""Ready-made models composed from library layers."""
