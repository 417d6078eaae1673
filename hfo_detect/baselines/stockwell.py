"""Discrete Stockwell transform (S-transform) and its spectral entropy, vectorised with FFTs.

For a segment ``h[k]``, ``k = 0..N-1`` with DFT ``H[m]``, the S-transform at frequency index
``n > 0`` is (Stockwell, Mansinha & Lowe 1996)::

    S[n, j] = sum_m H[m + n] * exp(-2 pi^2 m^2 / n^2) * exp(2 pi i m j / N)

i.e. the inverse FFT of the spectrum shifted by ``n`` and weighted by a Gaussian of width ``n``.
All requested frequencies are computed at once as one (n_freq, N) inverse FFT. With a 1-s segment
the frequency index equals the frequency in Hz (1-Hz bins), as the Zurich detector uses.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Sequence

import numpy as np
from scipy import fft as sfft
from scipy.special import xlogy


@lru_cache(maxsize=8)
def _kernel(n: int, lo: int, hi: int) -> tuple[np.ndarray, np.ndarray]:
    """(shift index, Gaussian) matrices for frequency indices ``lo..hi`` and length ``n`` (cached)."""
    freq_idx = np.arange(lo, hi + 1)
    m = np.fft.fftfreq(n, d=1.0 / n)  # 0, 1, ..., -1 : symmetric lags of the Gaussian
    gauss = np.exp(-2.0 * np.pi**2 * m[None, :] ** 2 / freq_idx[:, None].astype(float) ** 2)
    shift = (np.arange(n)[None, :] + freq_idx[:, None]) % n
    return shift, gauss


def stockwell(segment: np.ndarray, freq_idx: np.ndarray) -> np.ndarray:
    """S-transform of one real segment at consecutive integer frequency indices.

    Parameters
    ----------
    segment : ndarray, shape (N,)
        The mean is removed first (the zero-frequency voice is not used).
    freq_idx : ndarray of int, shape (F,)
        Consecutive frequency indices (cycles per segment), all > 0 and < N.

    Returns
    -------
    ndarray of complex, shape (F, N)
    """
    x = np.asarray(segment, float)
    freq_idx = np.asarray(freq_idx, int)
    if freq_idx.size and np.any(np.diff(freq_idx) != 1):
        raise ValueError("freq_idx must be consecutive integers")
    shift, gauss = _kernel(x.size, int(freq_idx[0]), int(freq_idx[-1]))
    spec = sfft.fft(x - x.mean())
    return sfft.ifft(spec[shift] * gauss, axis=1, overwrite_x=True)


def stockwell_entropy(segment: np.ndarray, freq_idx: np.ndarray) -> tuple[np.ndarray, float]:
    """Spectral (Shannon) entropy over frequency of the S-transform power at each sample.

    Returns
    -------
    entropy : ndarray, shape (N,)
        ``-sum_f p log p`` with ``p = |S|^2 / sum_f |S|^2`` at each sample.
    s_max : float
        ``log(F)``, the entropy of a flat spectrum.
    """
    freq_idx = np.asarray(freq_idx, int)
    return stockwell_entropies(segment, int(freq_idx[0]), int(freq_idx[-1]), [int(freq_idx[0])])[0]


def stockwell_entropies(segment: np.ndarray, lo: int, hi: int, lows: Sequence[int]) -> list[tuple[np.ndarray, float]]:
    """Entropies for several lower frequency limits ``lows`` (each >= ``lo``) up to ``hi``, from one transform.

    Uses ``H = log T - sum_f P log P / T`` with ``T = sum_f P`` (identical to normalising first).
    """
    st = stockwell(segment, np.arange(lo, hi + 1))
    power = st.real**2 + st.imag**2
    plogp = xlogy(power, power)
    out = []
    for low in lows:
        rows = slice(low - lo, None)
        total = power[rows].sum(axis=0)
        safe = np.where(total > 0, total, 1.0)
        ent = np.where(total > 0, np.log(safe) - plogp[rows].sum(axis=0) / safe, 0.0)
        out.append((ent, float(np.log(hi - low + 1))))
    return out
