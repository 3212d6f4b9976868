"""survae.experiments.config: resume comparison of run specs."""

from __future__ import annotations

from survae.experiments.config import MODEL, resume_differences
from survae.experiments.specs import PointcloudSpec


def _saved(spec: PointcloudSpec, *drop: str) -> dict:
    saved = spec.to_dict()
    for name in drop:
        del saved[name]
    return saved


def test_a_field_added_later_is_compared_through_its_legacy_value():
    # Checkpoints written before point_conditioner existed used the paired conditioner: a
    # permute run (now pooled by default) must not silently resume them as pooled.
    old = _saved(PointcloudSpec(model="permute", point_conditioner="paired").resolved(),
                 "point_conditioner")
    now = PointcloudSpec(model="permute").resolved()
    assert resume_differences(old, now) == {"point_conditioner": ("paired", "pooled")}
    asked = PointcloudSpec(model="permute", point_conditioner="paired").resolved()
    assert resume_differences(old, asked) == {}
    sort = PointcloudSpec(model="sort").resolved()
    assert resume_differences(_saved(sort, "point_conditioner"), sort) == {}


def test_a_field_without_legacy_value_is_not_compared_when_absent():
    spec = PointcloudSpec(model="sort", d_model=64)
    old = _saved(PointcloudSpec(model="sort"), "d_model")
    assert resume_differences(old, spec, (MODEL,)) == {}
    assert resume_differences(PointcloudSpec(model="sort").to_dict(), spec, (MODEL,)) == {
        "d_model": (32, 64)}


def test_the_point_cloud_fields_of_the_second_round_have_their_old_values_as_legacy():
    # Before frame_bound, point_coupling and resample existed, runs scaled the frame by 1/28
    # (w = 0.5), coupled the points affinely and trained on fixed sets.
    old = _saved(PointcloudSpec(model="sort"), "frame_bound", "point_coupling", "resample")
    assert resume_differences(old, PointcloudSpec(model="sort")) == {
        "frame_bound": (0.5, 4.0), "point_coupling": ("affine", "spline"),
        "resample": (False, True)}
    same = PointcloudSpec(model="sort", frame_bound=0.5, point_coupling="affine", resample=False)
    assert resume_differences(old, same) == {}
