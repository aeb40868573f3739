"""Independent brute-force references: truncated birth-death chains solved numerically."""

from __future__ import annotations

import math


def stationary(lam: float, mu: float, agents: int, theta: float, extra: int) -> list[float]:
    """Stationary distribution of M/M/N+M (theta=0: M/M/N) truncated at N + extra."""
    logs = [0.0]
    for n in range(1, agents + extra + 1):
        death = min(n, agents) * mu + max(n - agents, 0) * theta
        logs.append(logs[-1] + math.log(lam / death))
    peak = max(logs)
    weights = [math.exp(v - peak) for v in logs]
    total = sum(weights)
    return [w / total for w in weights]


def tagged_caller(lam, mu, agents, theta, t, extra=300):
    """(answered within t, abandoned within t, abandoned) by uniformizing the tagged caller."""
    pi = stationary(lam, mu, agents, theta, extra)
    queue = pi[agents : agents + extra]
    rate = agents * mu + extra * theta + theta
    probs = list(queue)
    served = aband = served_t = aband_t = 0.0
    lt = rate * t
    steps = int(lt + 12 * math.sqrt(lt) + 40)
    log_w = -lt
    for k in range(steps + 1):
        w = math.exp(log_w)
        served_t += w * served
        aband_t += w * aband
        new = [0.0] * extra
        for i in range(extra):
            p = probs[i]
            if p == 0.0:
                continue
            new[i] += p * (1 - (agents * mu + (i + 1) * theta) / rate)
            if i > 0:
                new[i - 1] += p * (agents * mu + i * theta) / rate
            else:
                served += p * agents * mu / rate
            aband += p * theta / rate
        probs = new
        log_w += math.log(lt) - math.log(k + 1)
    x = agents * mu / theta
    abandon = sum(q * (j + 1) / (x + j + 1) for j, q in enumerate(queue))
    return sum(pi[:agents]) + served_t, aband_t, abandon
