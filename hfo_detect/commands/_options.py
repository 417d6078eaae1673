"""Option parsing shared by several sub-commands."""

from __future__ import annotations

import dataclasses
import math

import click


class FiniteFloatRange(click.FloatRange):
    """:class:`click.FloatRange` that also refuses NaN and infinities (NaN passes every
    comparison, so a plain range lets ``nan`` through)."""

    def convert(self, value, param, ctx):
        rv = super().convert(value, param, ctx)
        if not math.isfinite(rv):
            self.fail(f"{value!r} is not a finite number", param, ctx)
        return rv


#: a seed numpy takes (non-negative, 32 bits); a negative one is refused before any work
SEED = click.IntRange(0, 2**32 - 1)


def config_from_set_pairs(cls, pairs: tuple[str, ...], *, nonnegative: bool = False,
                          signed: tuple[str, ...] = (), min_int: int = 1, ordered: bool = False):
    """Build the frozen dataclass ``cls`` from ``--set NAME=VALUE`` pairs.

    Each value is converted like the field's default: a tuple default takes ``A,B,...`` floats
    (same length), an int default an int, anything else a float. Unknown names and bad values
    raise :class:`click.BadParameter` naming the pair. Values must be finite; with
    ``nonnegative`` (physical quantities: energies, powers, rates, durations) floats must be
    >= 0 except the fields named in ``signed``, and ints >= ``min_int``; with ``ordered`` a
    pair ``LO,HI`` must have LO <= HI.
    """
    defaults = {f.name: f.default for f in dataclasses.fields(cls)}
    out = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or key not in defaults:
            raise click.BadParameter(
                f"{pair!r}: expected NAME=VALUE with NAME one of {sorted(defaults)}",
                param_hint="--set")
        default = defaults[key]
        try:
            if isinstance(default, tuple):
                out[key] = tuple(float(v) for v in value.split(","))
                if len(out[key]) != len(default):
                    raise ValueError
            elif isinstance(default, int) and not isinstance(default, bool):
                out[key] = int(value)
            else:
                out[key] = float(value)
        except ValueError:
            want = ",".join(["X"] * len(default)) if isinstance(default, tuple) else "a number"
            raise click.BadParameter(f"{pair!r}: value must be {want}", param_hint="--set") from None
        values = out[key] if isinstance(out[key], tuple) else (out[key],)
        if not all(math.isfinite(v) for v in values):
            raise click.BadParameter(f"{pair!r}: value must be finite", param_hint="--set")
        if nonnegative and isinstance(out[key], int) and out[key] < min_int:
            raise click.BadParameter(f"{pair!r}: value must be >= {min_int}", param_hint="--set")
        if nonnegative and key not in signed and any(v < 0 for v in values):
            raise click.BadParameter(f"{pair!r}: value must be >= 0", param_hint="--set")
        if ordered and isinstance(out[key], tuple) and list(values) != sorted(values):
            raise click.BadParameter(f"{pair!r}: a range LO,HI needs LO <= HI", param_hint="--set")
    return cls(**out)


def check_preset(ctx, param, value):
    """Click callback: refuse an unknown preset name before any work is done (one line)."""
    if value is None:
        return value
    from hfo_detect.config import PRESETS

    if value not in PRESETS:
        raise click.BadParameter(f"{value!r} is not one of {', '.join(sorted(PRESETS))}")
    return value
