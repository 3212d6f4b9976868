"""The official SurVAE README's three examples, copied verbatim, run against this package."""

from __future__ import annotations

import math

import torch


def example_1():
    # ---- verbatim: official README, Example 1 (Normalizing Flow) ----
    import torch.nn as nn
    from survae.flows import Flow
    from survae.distributions import StandardNormal
    from survae.transforms import AffineCouplingBijection, ActNormBijection, Reverse
    from survae.nn.layers import ElementwiseParams

    def net():
      return nn.Sequential(nn.Linear(1, 200), nn.ReLU(),
                           nn.Linear(200, 100), nn.ReLU(),
                           nn.Linear(100, 2), ElementwiseParams(2))

    model = Flow(base_dist=StandardNormal((2,)),
                 transforms=[
                   AffineCouplingBijection(net()), ActNormBijection(2), Reverse(2),
                   AffineCouplingBijection(net()), ActNormBijection(2), Reverse(2),
                   AffineCouplingBijection(net()), ActNormBijection(2), Reverse(2),
                   AffineCouplingBijection(net()), ActNormBijection(2),
                 ])
    # ---- end verbatim ----
    return model


def example_2(latent_size):
    # ---- verbatim: official README, Example 2 (VAE) ----
    from survae.flows import Flow
    from survae.transforms import VAE
    from survae.distributions import StandardNormal, ConditionalNormal, ConditionalBernoulli
    from survae.nn.nets import MLP

    encoder = ConditionalNormal(MLP(784, 2*latent_size,
                                    hidden_units=[512,256],
                                    activation='relu',
                                    in_lambda=lambda x: 2 * x.view(x.shape[0], 784).float() - 1))
    decoder = ConditionalBernoulli(MLP(latent_size, 784,
                                       hidden_units=[512,256],
                                       activation='relu',
                                       out_lambda=lambda x: x.view(x.shape[0], 1, 28, 28)))

    model = Flow(base_dist=StandardNormal((latent_size,)),
                 transforms=[
                    VAE(encoder=encoder, decoder=decoder)
                 ])
    # ---- end verbatim ----
    return model


def example_3():
    # ---- verbatim: official README, Example 3 (Multi-Scale Augmented Flow) ----
    import torch.nn as nn
    from survae.flows import Flow
    from survae.distributions import StandardNormal, StandardUniform
    from survae.transforms import AffineCouplingBijection, ActNormBijection2d, Conv1x1
    from survae.transforms import UniformDequantization, Augment, Squeeze2d, Slice
    from survae.nn.layers import ElementwiseParams2d
    from survae.nn.nets import DenseNet

    def net(channels):
      return nn.Sequential(DenseNet(in_channels=channels//2,
                                    out_channels=channels,
                                    num_blocks=1,
                                    mid_channels=64,
                                    depth=8,
                                    growth=16,
                                    dropout=0.0,
                                    gated_conv=True,
                                    zero_init=True),
                            ElementwiseParams2d(2))

    model = Flow(base_dist=StandardNormal((24,8,8)),
                 transforms=[
                   UniformDequantization(num_bits=8),
                   Augment(StandardUniform((3,32,32)), x_size=3),
                   AffineCouplingBijection(net(6)), ActNormBijection2d(6), Conv1x1(6),
                   AffineCouplingBijection(net(6)), ActNormBijection2d(6), Conv1x1(6),
                   AffineCouplingBijection(net(6)), ActNormBijection2d(6), Conv1x1(6),
                   AffineCouplingBijection(net(6)), ActNormBijection2d(6), Conv1x1(6),
                   Squeeze2d(), Slice(StandardNormal((12,16,16)), num_keep=12),
                   AffineCouplingBijection(net(12)), ActNormBijection2d(12), Conv1x1(12),
                   AffineCouplingBijection(net(12)), ActNormBijection2d(12), Conv1x1(12),
                   AffineCouplingBijection(net(12)), ActNormBijection2d(12), Conv1x1(12),
                   AffineCouplingBijection(net(12)), ActNormBijection2d(12), Conv1x1(12),
                   Squeeze2d(), Slice(StandardNormal((24,8,8)), num_keep=24),
                   AffineCouplingBijection(net(24)), ActNormBijection2d(24), Conv1x1(24),
                   AffineCouplingBijection(net(24)), ActNormBijection2d(24), Conv1x1(24),
                   AffineCouplingBijection(net(24)), ActNormBijection2d(24), Conv1x1(24),
                   AffineCouplingBijection(net(24)), ActNormBijection2d(24), Conv1x1(24),
                 ])
    # ---- end verbatim ----
    return model


def _two_moons(n: int, generator: torch.Generator) -> torch.Tensor:
    t = math.pi * torch.rand(n, generator=generator)
    upper = torch.rand(n, generator=generator) < 0.5
    x = torch.where(upper, torch.cos(t), 1 - torch.cos(t))
    y = torch.where(upper, torch.sin(t), 0.5 - torch.sin(t))
    return torch.stack([x, y], 1) + 0.05 * torch.randn(n, 2, generator=generator)


def test_example_1_flow_trains_and_nll_falls():
    torch.manual_seed(0)
    model = example_1()
    generator = torch.Generator().manual_seed(0)
    test = _two_moons(2000, generator)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    model.train()
    model.log_prob(_two_moons(512, generator))  # data-dependent actnorm init
    model.eval()
    with torch.no_grad():
        before = -model.log_prob(test).mean().item()
    model.train()
    for _ in range(300):
        loss = -model.log_prob(_two_moons(128, generator)).mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    model.eval()
    with torch.no_grad():
        after = -model.log_prob(test).mean().item()
        samples, log_prob = model.sample_with_log_prob(64)
        torch.testing.assert_close(log_prob, model.log_prob(samples), atol=1e-4, rtol=1e-4)
    assert after < before - 0.5, (before, after)
    assert after < 1.6, after
    assert model.exact


def test_example_2_vae_gives_a_trainable_elbo():
    torch.manual_seed(0)
    latent_size = 8
    model = example_2(latent_size)
    x = torch.bernoulli(torch.full((16, 1, 28, 28), 0.3))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    losses = []
    for _ in range(30):
        loss = -model.log_prob(x).mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert model.lower_bound
    assert losses[-1] < losses[0] - 50
    samples = model.sample(4)
    assert samples.shape == (4, 1, 28, 28)
    assert set(samples.unique().tolist()) <= {0, 1}


def test_example_3_multiscale_augmented_flow_runs_and_trains():
    torch.manual_seed(0)
    model = example_3()
    x = torch.randint(0, 256, (4, 3, 32, 32))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-4)

    def loss_with_fixed_noise():
        torch.manual_seed(1)  # same dequantization and augmentation noise each time
        return -model.log_prob(x).mean()

    before = loss_with_fixed_noise()  # the first forward also runs the data-dependent init
    for _ in range(5):
        loss = -model.log_prob(x).mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        assert math.isfinite(loss.item())
    with torch.no_grad():
        after = loss_with_fixed_noise()
    assert after.item() < before.item()
    model.eval()
    with torch.no_grad():
        samples = model.sample(2)
    assert samples.shape == (2, 3, 32, 32)
    assert samples.dtype == torch.long
    assert int(samples.min()) >= 0 and int(samples.max()) <= 255
