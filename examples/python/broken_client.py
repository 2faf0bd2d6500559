#!/usr/bin/env python3
"""backprop_client.py with one deliberate bug, for `verify --exec` to catch and name.

mse_loss's mean divides by the number of samples n, where PyTorch's divides by n*k, every element
(scikit-learn's squared error does this). With k > 1 output units every gradient comes out k times
too large, and the cost too.
"""
import backprop_client as client


def mse_over_samples(output, target, reduction, scale):
    cost, grad = client.mse(output, target, reduction, scale)
    if reduction == "mean":
        k = len(output[0])
        cost, grad = cost * k, [[g * k for g in row] for row in grad]
    return cost, grad


client.LOSSES["mse_loss"] = mse_over_samples

if __name__ == "__main__":
    client.main()
