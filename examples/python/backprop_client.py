#!/usr/bin/env python3
"""A backprop in pure Python (standard library only) that speaks the `backprop verify --exec` protocol.

Each line on standard input is a backprop-fixture/1 case without its expectations; each answer on
standard output is one line of backprop-results/1. When standard input closes, the program ends.

The subset it implements, with PyTorch's conventions (docs/conventions.md):
  activations  identity, relu (ReLU'(0) = 0), sigmoid, tanh
  losses       mse_loss, binary_cross_entropy (logs clamped at -100), reduction mean or sum, scale
  optimizers   none, sgd (momentum, dampening, weight_decay, nesterov)
  layouts      all four; every matrix is turned to PyTorch's (samples in rows, W out x in) and back
  dtype        float64 (Python's float)

Try it:
  dotnet run --project src/Backprop.Cli -- verify --exec "python3 examples/python/backprop_client.py" \
      --activations relu,sigmoid,tanh --losses mse_loss,binary_cross_entropy --optimizers none,sgd \
      --dtype float64 --networks 200 --seed 1
"""
import json
import math
import sys


def transpose(m):
    return [list(col) for col in zip(*m)] if m and m[0] else [[] for _ in range(len(m[0]) if m else 0)]


def number(x):
    """JSON number, or the format's strings for non-finite values."""
    if x != x:
        return "NaN"
    if x in (math.inf, -math.inf):
        return "Infinity" if x > 0 else "-Infinity"
    return x


def numbers(m):
    return [[number(v) for v in row] for row in m] if m and isinstance(m[0], list) else [number(v) for v in m]


def value(x):
    return {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}.get(x, x) if isinstance(x, str) else float(x)


def values(m):
    return [[value(v) for v in row] for row in m]


def sigmoid(z):
    return 1.0 / (1.0 + math.exp(-z)) if z > -700 else 0.0


ACTIVATIONS = {
    # name: (forward g(z), backward dZ from z, a, dA)
    "identity": (lambda z: z, lambda z, a, da: da),
    "relu": (lambda z: z if z > 0 else 0.0, lambda z, a, da: da if a > 0 else 0.0),
    "sigmoid": (sigmoid, lambda z, a, da: da * (1 - a) * a),
    "tanh": (math.tanh, lambda z, a, da: da * (1 - a * a)),
}


def mse(output, target, reduction, scale):
    n = len(output) * len(output[0])
    total = sum((o - t) ** 2 for orow, trow in zip(output, target) for o, t in zip(orow, trow))
    norm = 2.0 / n if reduction == "mean" else 2.0
    grad = [[norm * (o - t) * scale for o, t in zip(orow, trow)] for orow, trow in zip(output, target)]
    return (total / n if reduction == "mean" else total) * scale, grad


def bce(output, target, reduction, scale):
    n = len(output) * len(output[0])
    def log(x):
        return max(math.log(x), -100.0) if x > 0 else -100.0
    total = sum(-(t * log(o) + (1 - t) * log(1 - o)) for orow, trow in zip(output, target) for o, t in zip(orow, trow))
    norm = 1.0 / n if reduction == "mean" else 1.0
    grad = [[norm * scale * (o - t) / max((1 - o) * o, 1e-12) for o, t in zip(orow, trow)] for orow, trow in zip(output, target)]
    return (total / n if reduction == "mean" else total) * scale, grad


LOSSES = {"mse_loss": mse, "binary_cross_entropy": bce}


def matmul_t(a, w):
    """a (n x in) times w transposed (w is out x in)."""
    return [[sum(x * y for x, y in zip(row, wrow)) for wrow in w] for row in a]


class Sgd:
    def __init__(self, spec):
        self.lr = spec.get("lr", 1e-3)
        self.momentum = spec.get("momentum", 0.0)
        self.dampening = spec.get("dampening", 0.0)
        self.weight_decay = spec.get("weight_decay", 0.0)
        self.nesterov = spec.get("nesterov", False)
        self.buffers = {}

    def step(self, params, grads):
        for i, (p, g) in enumerate(zip(params, grads)):
            g = [gj + self.weight_decay * pj for pj, gj in zip(p, g)] if self.weight_decay else list(g)
            if self.momentum:
                buf = self.buffers.get(i)
                buf = list(g) if buf is None else [self.momentum * b + (1 - self.dampening) * gj for b, gj in zip(buf, g)]
                self.buffers[i] = buf
                g = [gj + self.momentum * b for gj, b in zip(g, buf)] if self.nesterov else buf
            for j in range(len(p)):
                p[j] -= self.lr * g[j]


def train(case):
    if case["dtype"] != "float64":
        raise ValueError(f"this client computes in float64 only, got {case['dtype']}")
    layout = case.get("layout", {})
    columns = layout.get("samples", "rows") == "columns"
    in_out = layout.get("weights", "out-in") == "in-out"
    net = case["network"]
    layers = [(l["units"], l["activation"] if isinstance(l["activation"], str) else l["activation"]["name"]) for l in net["layers"]]
    loss = net["loss"]
    loss_fn = LOSSES[loss["name"]]
    reduction, scale = loss.get("reduction", "mean"), loss.get("scale", 1.0)
    weights = [values(p["weight"]) for p in case["parameters"]]
    weights = [transpose(w) if in_out else w for w in weights]
    biases = [[value(v) for v in p["bias"]] for p in case["parameters"]]
    spec = case.get("optimizer")
    optimizer = None if spec is None else Sgd(spec) if spec["name"] == "sgd" else None
    if spec is not None and optimizer is None:
        raise ValueError(f"unsupported optimizer {spec['name']}")

    def out(m, weight=False):
        turn = in_out if weight else columns
        return numbers(transpose(m) if turn else m)

    steps = []
    for k in range(case.get("steps", 1)):
        batch = case["batches"][k % len(case["batches"])]
        x = values(batch["x"])
        y = values(batch["y"])
        x, y = (transpose(x), transpose(y)) if columns else (x, y)
        zs, acts = [], [x]
        for (units, name), w, b in zip(layers, weights, biases):
            z = [[v + bj for v, bj in zip(row, b)] for row in matmul_t(acts[-1], w)]
            g = ACTIVATIONS[name][0]
            zs.append(z)
            acts.append([[g(v) for v in row] for row in z])
        cost, da = loss_fn(acts[-1], y, reduction, scale)
        record = [None] * len(layers)
        for l in range(len(layers) - 1, -1, -1):
            back = ACTIVATIONS[layers[l][1]][1]
            dz = [[back(z, a, d) for z, a, d in zip(zr, ar, dr)] for zr, ar, dr in zip(zs[l], acts[l + 1], da)]
            dw = matmul_t(transpose(dz), transpose(acts[l]))  # dZ^T . A(l-1)
            db = [sum(col) for col in zip(*dz)]
            record[l] = {"z": out(zs[l]), "a": out(acts[l + 1]), "gradA": out(da), "gradZ": out(dz),
                         "gradWeight": out(dw, weight=True), "gradBias": numbers(db)}
            da = [[sum(d * w for d, w in zip(drow, wcol)) for wcol in transpose(weights[l])] for drow in dz]  # dZ . W
            record[l]["_dw"], record[l]["_db"] = dw, db
        result = {"cost": number(cost), "layers": record}
        if optimizer is not None:
            flat = [v for l in range(len(layers)) for v in (sum(weights[l], []), biases[l])]
            grads = [v for r in record for v in (sum(r["_dw"], []), r["_db"])]
            optimizer.step(flat, grads)
            for l in range(len(layers)):
                cols = len(weights[l][0])
                weights[l] = [flat[2 * l][i * cols:(i + 1) * cols] for i in range(len(weights[l]))]
                biases[l] = flat[2 * l + 1]
            result["parameters"] = [{"weight": out(w, weight=True), "bias": numbers(b)} for w, b in zip(weights, biases)]
        for r in record:
            del r["_dw"], r["_db"]
        steps.append(result)
    return {"format": "backprop-results/1", "name": case["name"], "steps": steps}


def main():
    for line in sys.stdin:
        if line.strip():
            print(json.dumps(train(json.loads(line)), separators=(",", ":")), flush=True)


if __name__ == "__main__":
    main()
