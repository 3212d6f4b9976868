"""Utilities: tensor helpers, input validation and evaluation metrics."""

from survae.utils.context import context_size
from survae.utils.loss import (
    dataset_elbo_bpd,
    dataset_elbo_nats,
    dataset_iwbo_bpd,
    dataset_iwbo_nats,
    elbo_bpd,
    elbo_nats,
    iwbo,
    iwbo_batched,
    iwbo_bpd,
    iwbo_nats,
    loglik_bpd,
    loglik_nats,
)
from survae.utils.tensors import (
    log_mean_exp,
    mean_except_batch,
    merge_leading_dims,
    repeat_rows,
    split_leading_dim,
    sum_except_batch,
)
from survae.utils.validation import is_validating, set_validate_args, validate_args

__all__ = [
    "context_size",
    "log_mean_exp",
    "mean_except_batch",
    "merge_leading_dims",
    "repeat_rows",
    "split_leading_dim",
    "sum_except_batch",
    "is_validating",
    "set_validate_args",
    "validate_args",
    "dataset_elbo_bpd",
    "dataset_elbo_nats",
    "dataset_iwbo_bpd",
    "dataset_iwbo_nats",
    "elbo_bpd",
    "elbo_nats",
    "iwbo",
    "iwbo_batched",
    "iwbo_bpd",
    "iwbo_nats",
    "loglik_bpd",
    "loglik_nats",
]
