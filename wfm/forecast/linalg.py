"""Weighted ridge regression with prior means, in plain Python (the systems are ~20x20)."""

from __future__ import annotations

import math
from collections.abc import Sequence


def cholesky_solve(matrix: list[list[float]], rhs: list[float]) -> list[float]:
    """Solve ``matrix @ x = rhs`` for a symmetric positive definite matrix."""
    n = len(matrix)
    lower = [[0.0] * n for _ in range(n)]
    for i in range(n):
        for j in range(i + 1):
            s = matrix[i][j] - sum(lower[i][k] * lower[j][k] for k in range(j))
            if i == j:
                if s <= 0.0:
                    raise ValueError("matrix is not positive definite")
                lower[i][i] = math.sqrt(s)
            else:
                lower[i][j] = s / lower[j][j]
    forward = [0.0] * n
    for i in range(n):
        forward[i] = (rhs[i] - sum(lower[i][k] * forward[k] for k in range(i))) / lower[i][i]
    x = [0.0] * n
    for i in reversed(range(n)):
        x[i] = (forward[i] - sum(lower[k][i] * x[k] for k in range(i + 1, n))) / lower[i][i]
    return x


def ridge(
    *,
    rows: Sequence[Sequence[float]],
    targets: Sequence[float],
    weights: Sequence[float],
    penalties: Sequence[float],
    priors: Sequence[float],
) -> list[float]:
    """Minimise sum w (y - x.b)^2 + sum penalty_j (b_j - prior_j)^2."""
    p = len(penalties)
    gram = [[0.0] * p for _ in range(p)]
    moment = [0.0] * p
    for x, y, w in zip(rows, targets, weights, strict=True):
        nonzero = [(j, v) for j, v in enumerate(x) if v != 0.0]
        for a, va in nonzero:
            moment[a] += w * va * y
            row = gram[a]
            for b, vb in nonzero:
                row[b] += w * va * vb
    for j in range(p):
        gram[j][j] += penalties[j] + 1e-9
        moment[j] += penalties[j] * priors[j]
    return cholesky_solve(gram, moment)
