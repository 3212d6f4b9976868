"""Run by ``test_trainer.py`` under torchrun (2 processes) and in one process (same batches).

Usage: ``python ddp_train.py OUT``; prints nothing, writes OUT/checkpoint.pt and OUT/params.pt.
"""

import sys

import torch
from torch import nn
from torch.utils.data import TensorDataset

from survae.distributions import StandardNormal
from survae.experiments.trainer import TrainConfig, Trainer, seed_everything
from survae.flows import Flow
from survae.nn.layers import ElementwiseParams
from survae.nn.nets import MLP
from survae.transforms import ActNormBijection, AffineCouplingBijection, Reverse


def main(out: str) -> None:
    torch.set_num_threads(1)
    data = TensorDataset(torch.randn(512, 2, generator=torch.Generator().manual_seed(0)) * 2 + 1)
    seed_everything(0)
    transforms = []
    for _ in range(2):
        net = nn.Sequential(MLP(1, 2, hidden_units=[16], activation="relu"), ElementwiseParams(2))
        transforms += [ActNormBijection(2), AffineCouplingBijection(net), Reverse(2)]
    model = Flow(StandardNormal((2,)), transforms).double()
    config = TrainConfig(out=out, steps=12, batch_size=64, lr=1e-2, quiet=True, log_every=4)
    data = TensorDataset(data.tensors[0].double())
    Trainer(model, data, lambda m, b: -m.log_prob(b[0]).mean(), config).fit()
    if not torch.distributed.is_initialized() or torch.distributed.get_rank() == 0:
        torch.save({k: v.clone() for k, v in model.state_dict().items()}, f"{out}/params.pt")
    if torch.distributed.is_initialized():
        torch.distributed.barrier()
        torch.distributed.destroy_process_group()


if __name__ == "__main__":
    main(sys.argv[1])
