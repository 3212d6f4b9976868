"""Tabular datasets of the MAF paper (official ``survae.data.datasets.tabular``)."""

from survae.data.datasets.tabular.uci_maf import (
    BSDS300Dataset,
    GasDataset,
    HEPMASSDataset,
    MiniBooNEDataset,
    PowerDataset,
    UCI_MAF_Dataset,
)

__all__ = ["UCI_MAF_Dataset", "BSDS300Dataset", "GasDataset", "HEPMASSDataset",
           "MiniBooNEDataset", "PowerDataset"]
