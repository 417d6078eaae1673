"""Channel-name helpers shared by every stage: one canonical spelling of a bipolar pair.

The Zurich marks name bipolar channels in a short form (``"AHR3-4"``), recordings and our
tables in the long form (``"AHR3-AHR4"``). Everyone compares channel names through
:func:`canonical_bipolar`, so both spellings match. The order of the two contacts is kept
(``"AHR4-AHR3"`` is the same pair with the opposite sign); :func:`pair_key` ignores it where
only the pair matters.
"""

from __future__ import annotations

import re

_CONTACT = re.compile(r"^(?P<prefix>.*?)(?P<number>\d+)$")  # lazy prefix: the number takes all trailing digits


def split_contact(name: str) -> tuple[str, int | None]:
    """Split a contact name into electrode prefix and contact number.

    Parameters
    ----------
    name : str
        A monopolar contact name such as ``"AHR3"`` (surrounding whitespace is ignored).

    Returns
    -------
    (str, int or None)
        ``("AHR", 3)`` for ``"AHR3"``; ``("", 18)`` for a bare number ``"18"``;
        ``("ECG", None)`` when the name has no trailing number.

    Examples
    --------
    >>> split_contact("AHR3")
    ('AHR', 3)
    >>> split_contact("Fp")
    ('Fp', None)
    """
    name = name.strip()
    match = _CONTACT.match(name)
    if match is None:
        return name, None
    return match.group("prefix").strip(), int(match.group("number"))


def canonical_bipolar(name: str) -> str:
    """Canonical spelling of a channel name: long-form bipolar, no whitespace around parts.

    ``"AHR3-4"`` -> ``"AHR3-AHR4"`` (the cathode inherits the anode's electrode prefix when it
    is a bare number); ``"AHR3-AHR4"``, ``"18-19"`` and monopolar names (``"AHR3"``) come back
    unchanged apart from stripped whitespace. Names with more than one ``-`` are only stripped.

    Parameters
    ----------
    name : str
        Channel name.

    Returns
    -------
    str
        The canonical name.

    Examples
    --------
    >>> canonical_bipolar(" AHR3 - 4 ")
    'AHR3-AHR4'
    >>> canonical_bipolar("AHR4-AHR3")
    'AHR4-AHR3'
    """
    name = str(name).strip()
    parts = name.split("-")
    if len(parts) != 2:
        return name
    anode, cathode = (p.strip() for p in parts)
    if not anode or not cathode:
        return name
    if cathode.isdigit():
        prefix, number = split_contact(anode)
        if number is not None:
            cathode = f"{prefix}{cathode}"
    return f"{anode}-{cathode}"


def pair_key(name: str) -> tuple[str, ...]:
    """Order-free key of a channel: ``"AHR4-AHR3"`` and ``"AHR3-4"`` give the same key.

    Use it where only the contact pair matters, not the sign of the derivation (e.g. the
    authors' 50-s snippet is AHR4-AHR3 while its marks say AHR3-4).
    """
    canon = canonical_bipolar(name)
    parts = canon.split("-")
    return tuple(sorted(parts)) if len(parts) == 2 else (canon,)
