"""Registry of transform cases for the shared harness (``tests/transforms/test_harness.py``).

Every module in this package defines a list ``CASES`` of :class:`tests.transforms.harness.Case`
(one module per family: ``bijections.py``, ``surjections.py``, ``stochastic.py``, ...);
``ALL_CASES`` gathers them all, so a new family only adds a module here.
"""

import importlib
import pkgutil

ALL_CASES = []
for _info in sorted(pkgutil.iter_modules(__path__), key=lambda info: info.name):
    ALL_CASES.extend(importlib.import_module(f"{__name__}.{_info.name}").CASES)
