"""survae: SurVAE Flows in PyTorch.

Generative models composed of bijective, surjective and stochastic transformations, with one
likelihood algorithm (Algorithm 1 of Nielsen et al., 2020).
"""

from survae.utils.validation import set_validate_args, validate_args

__version__ = "0.1.0"
__all__ = ["set_validate_args", "validate_args", "__version__"]
