"""Bipolar montage from contact names.

A depth electrode's contacts are named ``<electrode><number>`` (``AHR1``..``AHR8``); the
bipolar channel ``AHR1-AHR2`` is contact 1 minus contact 2 (anode minus cathode), the naming
of the Zurich marks (Fedele et al. 2017, bipolar montage of the Zurich marks). Neighbours are consecutive numbers of the same electrode;
a missing contact leaves a gap (no pair across it).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

#: MNE channel types that can carry intracranial (or scalp) EEG; everything else is skipped
EEG_TYPES = ("seeg", "ecog", "dbs", "eeg")

_CONTACT = re.compile(r"^(?P<electrode>.*?)(?P<number>\d+)$")  # lazy: the number takes every trailing digit
_BIPOLAR = re.compile(r"^\s*(?P<anode>[^-\s]+)\s*-\s*(?P<cathode>[^-\s]+)\s*$")
_NON_IEEG = re.compile(r"^(ECG|EKG|EOG|EMG|STI|STIM|TRIG|RESP|PHOTIC|EVENT|STATUS|DC|MISC|SAO2|SPO2|PULSE|OSAT|PLETH|TEMP)", re.I)


def split_contact(name: str) -> tuple[str, int] | None:
    """Split a contact name into electrode and number (``"AHR3"`` -> ``("AHR", 3)``).

    Returns ``None`` for names without a trailing contact number, for bipolar names, and
    for names of non-iEEG signals (``ECG1``, ``EOG2``, ``EMG1``, ``STI 014``, ...).
    """
    name = name.strip()
    if "-" in name or _NON_IEEG.match(name):
        return None
    match = _CONTACT.match(name)
    if match is None or not match.group("electrode").strip():
        return None
    return match.group("electrode").strip(), int(match.group("number"))


def is_bipolar_name(name: str) -> bool:
    """True for names like ``"A1-A2"`` or ``"AHR3-4"`` (already a derivation)."""
    return _BIPOLAR.match(name) is not None


def bipolar_pairs(ch_names: Sequence[str], ch_types: Sequence[str] | None = None) -> list[tuple[str, str]]:
    """Neighbouring-contact pairs ``(anode, cathode)`` of the same electrode.

    Parameters
    ----------
    ch_names : sequence of str
        Monopolar contact names.
    ch_types : sequence of str or None
        MNE channel types; channels whose type is not in :data:`EEG_TYPES` are skipped.

    Returns
    -------
    list of (str, str)
        In the order the electrodes first appear, contacts ascending (``AHR1-AHR2``,
        ``AHR2-AHR3``, ...). Consecutive numbers only: a missing contact makes a gap.
    """
    types = list(ch_types) if ch_types is not None else ["seeg"] * len(ch_names)
    electrodes: dict[str, dict[int, str]] = {}
    for name, kind in zip(ch_names, types):
        if kind not in EEG_TYPES:
            continue
        parts = split_contact(name)
        if parts is None:
            continue
        electrode, number = parts
        electrodes.setdefault(electrode, {}).setdefault(number, name)
    pairs = []
    for contacts in electrodes.values():
        for number in sorted(contacts):
            if number + 1 in contacts:
                pairs.append((contacts[number], contacts[number + 1]))
    return pairs


def pair_name(anode: str, cathode: str) -> str:
    """Output name of a bipolar channel: ``"AHR1-AHR2"``."""
    return f"{anode}-{cathode}"


def resolve_montage(
    montage, ch_names: Sequence[str], ch_types: Sequence[str] | None = None
) -> tuple[list[str], list[tuple[str, str | None]]]:
    """Output names and source pairs for a montage request.

    Parameters
    ----------
    montage : {"bipolar", "as-is"} or sequence of (anode, cathode)
        ``"bipolar"``: neighbouring contacts; channels that are already bipolar derivations
        (names like ``"A1-A2"``) are used as they are, also in a file mixing both kinds.
        ``"as-is"``: every iEEG-type channel unchanged. A list: exactly those pairs.
    ch_names, ch_types : sequence of str
        Channels of the recording.

    Returns
    -------
    names : list of str
        Output channel names.
    pairs : list of (str, str or None)
        ``(anode, cathode)`` per output; cathode ``None`` means the channel as it is.

    Raises
    ------
    ValueError
        Unknown montage or a pair naming a missing channel (callers turn it into an
        :class:`~hfo_detect.errors.HFODetectError` with the file name).
    """
    types = list(ch_types) if ch_types is not None else ["seeg"] * len(ch_names)
    usable = [n for n, t in zip(ch_names, types) if t in EEG_TYPES]
    if isinstance(montage, str):
        if montage == "as-is":
            return list(usable), [(n, None) for n in usable]
        if montage != "bipolar":
            raise ValueError(f"unknown montage {montage!r} (use 'bipolar', 'as-is' or a list of pairs)")
        if usable and all(is_bipolar_name(n) for n in usable):
            return list(usable), [(n, None) for n in usable]
        pairs = bipolar_pairs(ch_names, types)
        names = [pair_name(a, c) for a, c in pairs]
        out = [(a, c) for a, c in pairs]
        # a file mixing both kinds: the derivations already in it are kept as they are (after
        # the pairs of the monopolar contacts), never dropped; a recorded derivation wins over
        # a computed one of the same name
        for n in usable:
            if is_bipolar_name(n):
                if n in names:
                    i = names.index(n)
                    del names[i], out[i]
                names.append(n)
                out.append((n, None))
        return names, out
    pairs = [tuple(p) for p in montage]
    missing = sorted({ch for p in pairs for ch in p if ch not in ch_names})
    if missing:
        raise ValueError(f"montage names channels not in the recording: {', '.join(missing)}")
    return [pair_name(a, c) for a, c in pairs], [(a, c) for a, c in pairs]
