"""Direction swaps: a bijection run backwards.

A VAE posterior ``q(z|x)`` built as a ``ConditionalFlow`` samples by running its layers'
``inverse``. Planar, radial and Sylvester maps (Rezende & Mohamed, 2015; van den Berg et al., 2018)
are cheap in the direction :math:`z_k = f(z_{k-1})` with a closed-form log-det and have no closed
inverse: wrap them in :class:`InverseBijection` so that *sampling* uses :math:`f` and the log-det
comes for free.
"""

from __future__ import annotations

from torch import Tensor

from survae.transforms.bijections.base import Bijection
from survae.transforms.bijections.conditional.base import ConditionalBijection


class _Inverted:
    """The swapped body, for either base: ``*context`` is empty or the context."""

    bijection: Bijection | ConditionalBijection
    expects: type

    def __init__(self, bijection):
        super().__init__()
        if not isinstance(bijection, self.expects):
            raise TypeError(f"{type(self).__name__}: expected a {self.expects.__name__}, got "
                            f"{type(bijection)}")
        self.bijection = bijection

    def forward(self, x: Tensor, *context: Tensor) -> tuple[Tensor, Tensor]:
        z, ldj = self.bijection.inverse_and_ldj(x, *context)
        return z, -ldj

    def inverse_and_ldj(self, z: Tensor, *context: Tensor) -> tuple[Tensor, Tensor]:
        x, ldj = self.bijection(z, *context)
        return x, -ldj

    def inverse(self, z: Tensor, *context: Tensor) -> Tensor:
        return self.bijection(z, *context)[0]


class InverseBijection(_Inverted, Bijection):
    r"""The inverse of ``bijection``: ``forward`` runs its ``inverse`` and vice versa.

    - forward: :math:`z = g^{-1}(x)`, log-det :math:`-\log|\det J_g(z)|`;
    - inverse: :math:`x = g(z)` (with ``inverse_and_ldj`` returning :math:`-\log|\det J_g(z)|`).

    Args:
        bijection: the wrapped bijection :math:`g`.

    Example:
        >>> import torch
        >>> from survae.transforms import PlanarBijection
        >>> planar = PlanarBijection(2)
        >>> layer = InverseBijection(planar)
        >>> z = torch.randn(3, 2)
        >>> x, ldj = layer.inverse_and_ldj(z)  # the planar map itself: no root finding
        >>> torch.allclose(x, planar(z)[0]), torch.allclose(ldj, -planar(z)[1])
        (True, True)
    """

    expects = Bijection


class ConditionalInverseBijection(_Inverted, ConditionalBijection):
    """:class:`InverseBijection` for a conditional bijection (the context is passed through).

    Example:
        >>> import torch
        >>> from survae.transforms import AmortizedBijection, ConditionalPlanarBijection
        >>> planar = AmortizedBijection(ConditionalPlanarBijection(2), torch.nn.Linear(5, 5))
        >>> layer = ConditionalInverseBijection(planar)
        >>> z, c = torch.randn(3, 2), torch.randn(3, 5)
        >>> x, ldj = layer.inverse_and_ldj(z, c)
        >>> torch.allclose(layer(x, c)[0], z, atol=1e-5)
        True
    """

    expects = ConditionalBijection
