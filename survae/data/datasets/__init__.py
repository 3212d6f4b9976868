"""Datasets of the official ``survae.data.datasets``: ``toy``, ``image`` and ``tabular``."""
