#!/usr/bin/python3
"""PyTorch side of bench/peer.sh: one timed run of one training case, float64, one thread.

The cases are those of the shared peer torch_mlp.py, with the hidden width a parameter:
  sin   : 1 -> 100 tanh -> 1 on 1000 points x ~ U[-2,2], y = sin(3x) + 0.1 N(0,1), MSE,
          Adam lr=1e-2, DataLoader(batch 64, shuffle, drop_last), --epochs epochs (200).
  mlp   : 784 -> W -> W -> 10 ReLU, cross-entropy, Adam lr=1e-3, X ~ N(0,1) 10000x784,
          labels uniform in 0..9, DataLoader(batch 128, shuffle, drop_last), --epochs (3).
An untimed warm-up step comes first. Prints one JSON line with samples_per_s, counted as
samples seen over the wall time of the training loop (DataLoader included), and
samples_per_cpu_s over its processor time (time.process_time), which does not count the time
spent waiting for a core on a shared machine.
"""
import argparse
import os

ap = argparse.ArgumentParser()
ap.add_argument("--case", choices=["sin", "mlp"], required=True)
ap.add_argument("--width", type=int, default=256)
ap.add_argument("--epochs", type=int, default=0, help="0: 200 for sin, 3 for mlp")
args = ap.parse_args()
for v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[v] = "1"

import json
import time

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.set_num_threads(1)
dtype = torch.float64
rng = np.random.default_rng(0)
torch.manual_seed(0)
if args.case == "sin":
    x = rng.uniform(-2.0, 2.0, size=(1000, 1))
    y = np.sin(3.0 * x) + 0.1 * rng.standard_normal((1000, 1))
    X, Y = torch.tensor(x, dtype=dtype), torch.tensor(y, dtype=dtype)
    model = nn.Sequential(nn.Linear(1, 100), nn.Tanh(), nn.Linear(100, 1)).to(dtype)
    lossf, lr, batch, epochs = nn.MSELoss(), 1e-2, 64, args.epochs or 200
else:
    X = torch.tensor(rng.standard_normal((10000, 784)), dtype=dtype)
    Y = torch.tensor(rng.integers(0, 10, size=10000), dtype=torch.long)
    w = args.width
    model = nn.Sequential(nn.Linear(784, w), nn.ReLU(), nn.Linear(w, w), nn.ReLU(),
                          nn.Linear(w, 10)).to(dtype)
    lossf, lr, batch, epochs = nn.CrossEntropyLoss(), 1e-3, 128, args.epochs or 3
opt = torch.optim.Adam(model.parameters(), lr=lr)
g = torch.Generator()
g.manual_seed(0)
dl = DataLoader(TensorDataset(X, Y), batch_size=batch, shuffle=True, drop_last=True, generator=g)
lossf(model(X[:batch]), Y[:batch]).backward()  # warm-up: allocator, kernel selection
opt.zero_grad()
nsamp = 0
t0, c0 = time.perf_counter(), time.process_time()
for _ in range(epochs):
    for xb, yb in dl:
        opt.zero_grad()
        loss = lossf(model(xb), yb)
        loss.backward()
        opt.step()
        nsamp += xb.shape[0]
secs, cpu = time.perf_counter() - t0, time.process_time() - c0
print(json.dumps(dict(case=args.case, width=args.width, torch=torch.__version__, seconds=secs,
                      samples_per_s=nsamp / secs, samples_per_cpu_s=nsamp / cpu,
                      final_loss=loss.item())), flush=True)
