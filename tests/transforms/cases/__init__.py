"""Registry of transform cases for the shared harness (``tests/transforms/test_harness.py``).

Each family module (``bijections.py``, ``surjections.py``, ``stochastic.py``, ...) defines a list
``CASES`` of :class:`tests.transforms.harness.Case`; ``ALL_CASES`` gathers them.
"""

from tests.transforms.cases import bijections, stochastic, surjections

ALL_CASES = [*bijections.CASES, *surjections.CASES, *stochastic.CASES]
