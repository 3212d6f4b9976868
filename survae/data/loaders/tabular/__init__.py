"""Loader objects of the MAF paper's tabular datasets (official ``survae.data.loaders.tabular``)."""

from survae.data.loaders.tabular.uci_maf import BSDS300, HEPMASS, Gas, MiniBooNE, Power

__all__ = ["BSDS300", "Gas", "HEPMASS", "MiniBooNE", "Power"]
