"""survae.data.loaders.task_loaders: split attributes, DataLoaders, random split."""

import pytest
import torch

from survae.data import RandomSplitLoader, TrainTestLoader, TrainValidTestLoader


class Splits(TrainValidTestLoader):
    def __init__(self):
        self.train, self.valid, self.test = torch.arange(10), torch.arange(10, 13), torch.arange(3)


def test_loaders_in_split_order_and_shuffle_honoured():
    data = Splits()
    assert data.num_splits == 3 and len(data.train_valid) == 13
    train, valid, test = data.get_data_loaders(4, shuffle=False, num_workers=0)
    assert torch.equal(next(iter(valid)), torch.tensor([10, 11, 12]))
    assert torch.equal(torch.cat(list(train)), torch.arange(10))  # not shuffled when asked not to
    torch.manual_seed(0)
    shuffled = torch.cat(list(data.get_data_loader("train", 10, num_workers=0)))
    assert sorted(shuffled.tolist()) == list(range(10)) and not torch.equal(shuffled, data.train)
    with pytest.raises(ValueError, match="unknown split 'valid'"):
        type("Two", (TrainTestLoader,), {})().get_data_loader("valid", 2)


def test_random_split_is_scikit_learns():
    from sklearn.model_selection import train_test_split

    train, test = RandomSplitLoader().random_split(list(range(20)), test_fraction=0.25)
    expected_train, expected_test = train_test_split(range(20), test_size=0.25, random_state=0)
    assert list(train.indices) == list(expected_train) and list(test.indices) == list(expected_test)
