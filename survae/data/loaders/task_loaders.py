"""Loader objects of the official library: a dataset per split as attributes, DataLoaders on demand.

A loader object has ``train`` and ``test`` (``TrainTestLoader``) or ``train``, ``valid`` and
``test`` (``TrainValidTestLoader``) datasets; ``get_data_loaders(batch_size)`` returns one
``torch.utils.data.DataLoader`` per split, in the order of ``splits``.

Example:
    >>> import torch
    >>> class Pairs(TrainTestLoader):
    ...     def __init__(self):
    ...         self.train, self.test = torch.arange(10.0), torch.arange(4.0)
    >>> train_loader, test_loader = Pairs().get_data_loaders(4, num_workers=0)
    >>> len(train_loader), len(test_loader)
    (3, 1)
"""

from __future__ import annotations

import torch
from torch.utils.data import ConcatDataset, DataLoader, Dataset, Subset

__all__ = ["PresplitLoader", "TrainTestLoader", "TrainValidTestLoader", "RandomSplitLoader"]


class PresplitLoader:
    """Datasets already split; subclasses set ``splits`` and one attribute per split."""

    splits: list[str] = []

    @property
    def num_splits(self) -> int:
        return len(self.splits)

    def get_data_loader(
        self,
        split: str,
        batch_size: int,
        shuffle: bool = True,
        pin_memory: bool = True,
        num_workers: int = 4,
    ) -> DataLoader:
        """A DataLoader over the dataset ``split``.

        Unlike the official method, ``shuffle`` is honoured (it always shuffled) and memory is
        pinned only when CUDA is available (pinning without it only warns).
        """
        if split not in self.splits:
            raise ValueError(f"{type(self).__name__}: unknown split {split!r}; has {self.splits}")
        return DataLoader(
            getattr(self, split),
            batch_size=batch_size,
            shuffle=shuffle,
            pin_memory=pin_memory and torch.cuda.is_available(),
            num_workers=num_workers,
        )

    def get_data_loaders(
        self, batch_size: int, shuffle: bool = True, pin_memory: bool = True, num_workers: int = 4
    ) -> list[DataLoader]:
        """One DataLoader per split, in the order of ``splits``."""
        return [
            self.get_data_loader(split, batch_size, shuffle, pin_memory, num_workers)
            for split in self.splits
        ]


class TrainTestLoader(PresplitLoader):
    splits = ["train", "test"]


class TrainValidTestLoader(PresplitLoader):
    splits = ["train", "valid", "test"]

    @property
    def train_valid(self) -> ConcatDataset:
        """The training and validation sets as one dataset."""
        return ConcatDataset([self.train, self.valid])


class RandomSplitLoader(TrainTestLoader):
    """A train/test loader made by splitting one dataset at random."""

    def random_split(
        self, dataset: Dataset, test_fraction: float = 0.5, split_seed: int = 0
    ) -> tuple[Subset, Subset]:
        """``(train, test)`` subsets, split as scikit-learn's ``train_test_split(range(n),
        test_size=test_fraction, random_state=split_seed)`` does (the official split)."""
        try:
            from sklearn.model_selection import train_test_split
        except ImportError as error:  # pragma: no cover - depends on the environment
            raise ImportError(
                "random_split needs scikit-learn: pip install 'survae[data]'"
            ) from error
        train_idx, test_idx = train_test_split(
            range(len(dataset)), test_size=test_fraction, random_state=split_seed
        )
        return Subset(dataset, train_idx), Subset(dataset, test_idx)
