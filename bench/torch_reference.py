#!/usr/bin/python3
"""PyTorch's training throughput on bench/train.ts's two configs: the reference the issue's speed goal is
measured against ("at least half of PyTorch's tokens/s").

Run (Debian's PyTorch 1.13 with OpenBLAS: `apt-get install python3-torch libopenblas0-pthread`), under the
benchmark lock like every timing on the shared machine:

    flock /tmp/bench.lock /usr/bin/python3 bench/torch_reference.py      # or: npm run bench:torch

One JSON line per config, in bench/train.ts's format:

    {"bench":"train_torch","config":"char","tokens_per_s":…,"gflops":…,"threads":2,…}

The step is what our `trainStep` does, in eager PyTorch float32: a GPT-2-style model (pre-norm, learned
positions, GELU tanh, tied embeddings, GPT-2 init), mean cross-entropy on random tokens, backward,
`clip_grad_norm_(…, 1.0)`, AdamW (β = 0.9, 0.95, weight decay 0.1 on matrices only, as our defaultNoDecay).
gflops = flopsPerToken · tokens/s with flopsPerToken = 6·N + 12·nLayers·dModel·T as src/model/config.ts
(N: parameters in matrix products, the tied output projection counted, embedding tables not).
`LLM_BENCH_STEPS` sets the timed steps per config (default 5, after one warm-up step), `LLM_BENCH_CONFIGS`
picks configs (e.g. `char`), `TORCH_THREADS` the thread count (default 2, the reference setting).
"""

import json
import math
import os
import time

THREADS = int(os.environ.get("TORCH_THREADS", "2"))
# OpenBLAS reads its thread count when loaded; torch.set_num_threads covers the OpenMP kernels.
os.environ.setdefault("OPENBLAS_NUM_THREADS", str(THREADS))
os.environ.setdefault("OMP_NUM_THREADS", str(THREADS))

import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

GPT2_STYLE = {"norm": "layer", "positions": "learned", "activation": "gelu", "tiedEmbeddings": True}
CONFIGS = [
    ("char", 12, {"vocabSize": 65, "contextLength": 64, "dModel": 128, "nLayers": 4, "nHeads": 4, "dMlp": 512}),
    ("S", 16, {"vocabSize": 4096, "contextLength": 128, "dModel": 256, "nLayers": 4, "nHeads": 4, "dMlp": 1024}),
]


class Block(nn.Module):
    def __init__(self, d, heads, mlp):
        super().__init__()
        self.heads = heads
        self.ln_1 = nn.LayerNorm(d)
        self.c_attn = nn.Linear(d, 3 * d)
        self.c_proj = nn.Linear(d, d)
        self.ln_2 = nn.LayerNorm(d)
        self.c_fc = nn.Linear(d, mlp)
        self.mlp_proj = nn.Linear(mlp, d)

    def forward(self, x, mask):
        B, T, d = x.shape
        H = self.heads
        q, k, v = self.c_attn(self.ln_1(x)).split(d, dim=2)
        q, k, v = (t.view(B, T, H, d // H).transpose(1, 2) for t in (q, k, v))
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(d // H))
        att = torch.softmax(att.masked_fill(mask[:T, :T], float("-inf")), dim=-1)
        y = (att @ v).transpose(1, 2).reshape(B, T, d)
        x = x + self.c_proj(y)
        return x + self.mlp_proj(F.gelu(self.c_fc(self.ln_2(x)), approximate="tanh"))


class GPT(nn.Module):
    def __init__(self, c):
        super().__init__()
        d = c["dModel"]
        self.wte = nn.Embedding(c["vocabSize"], d)
        self.wpe = nn.Embedding(c["contextLength"], d)
        self.h = nn.ModuleList([Block(d, c["nHeads"], c["dMlp"]) for _ in range(c["nLayers"])])
        self.ln_f = nn.LayerNorm(d)
        T = c["contextLength"]
        self.register_buffer("mask", torch.triu(torch.ones(T, T, dtype=torch.bool), diagonal=1))
        for name, p in self.named_parameters():
            if p.dim() < 2:
                continue  # biases 0, norm gains 1 (the modules' defaults)
            std = 0.02 / math.sqrt(2 * c["nLayers"]) if name.endswith("proj.weight") else 0.02
            nn.init.normal_(p, 0.0, std)
        for m in self.modules():
            if isinstance(m, nn.Linear):
                nn.init.zeros_(m.bias)

    def forward(self, ids):
        T = ids.shape[1]
        x = self.wte(ids) + self.wpe(torch.arange(T))
        for block in self.h:
            x = block(x, self.mask)
        return self.ln_f(x) @ self.wte.weight.t()  # tied output projection


def flops_per_token(c):
    d, L, V, m, T = c["dModel"], c["nLayers"], c["vocabSize"], c["dMlp"], c["contextLength"]
    block = 2 * 2 * d + (d * 3 * d + 3 * d) + (d * d + d) + (d * m + m) + (m * d + d)
    matmul_params = L * block + 2 * d + d * V
    return 6 * matmul_params + 12 * L * d * T


def blas():
    path = "/usr/lib/x86_64-linux-gnu/libblas.so.3"
    return os.path.realpath(path) if os.path.exists(path) else "unknown"


def main():
    torch.set_num_threads(THREADS)
    torch.manual_seed(0)
    steps = int(os.environ.get("LLM_BENCH_STEPS", "5"))
    only = os.environ.get("LLM_BENCH_CONFIGS")
    for name, batch, shape in CONFIGS:
        if only and name not in only.split(","):
            continue
        c = {**shape, **GPT2_STYLE}
        model = GPT(c)
        # Our defaultNoDecay: 1-D parameters and the embedding tables do not decay.
        tables = (model.wte.weight, model.wpe.weight)
        decay = [p for p in model.parameters() if p.dim() >= 2 and not any(p is t for t in tables)]
        no_decay = [p for p in model.parameters() if not any(p is q for q in decay)]
        opt = torch.optim.AdamW(
            [{"params": decay, "weight_decay": 0.1}, {"params": no_decay, "weight_decay": 0.0}],
            lr=1e-4,
            betas=(0.9, 0.95),
            eps=1e-8,
        )
        V, T = c["vocabSize"], c["contextLength"]
        tokens = torch.randint(0, V, (20000,))

        def step():
            starts = torch.randint(0, len(tokens) - T - 1, (batch,))
            x = torch.stack([tokens[s : s + T] for s in starts])
            y = torch.stack([tokens[s + 1 : s + T + 1] for s in starts])
            loss = F.cross_entropy(model(x).reshape(-1, V), y.reshape(-1))
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            return loss.item()

        step()  # warm-up
        t0 = time.perf_counter()
        for _ in range(steps):
            step()
        sec = time.perf_counter() - t0
        tps = steps * batch * T / sec
        fpt = flops_per_token(c)
        line = {
            "bench": "train_torch",
            "config": name,
            "tokens_per_s": round(tps, 1),
            "gflops": round(fpt * tps / 1e9, 3),
            "threads": THREADS,
            "ms_per_step": round(sec * 1000 / steps, 1),
            "steps": steps,
            "flops_per_token": fpt,
            "params": sum(p.numel() for p in model.parameters()),
            "torch": torch.__version__,
            "blas": blas(),
            "load1": round(os.getloadavg()[0], 2),
        }
        print(json.dumps(line, separators=(",", ":")), flush=True)


if __name__ == "__main__":
    main()
