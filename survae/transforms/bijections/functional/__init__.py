"""Pure elementwise kernels (splines, ...) that the bijection classes are built on."""
