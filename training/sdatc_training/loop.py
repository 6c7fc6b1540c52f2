"""What every training stage's loop shares: cosine learning rate, the progress line (iteration, loss,
lr, it/s, ETA) and RUN/log.jsonl, RUN/wall_seconds.txt, atomic checkpoints and resuming from them."""

import json
import math
import time
from pathlib import Path

import numpy as np
import torch


def cosine_lr(base, it, total):
    return base * 0.5 * (1 + math.cos(math.pi * it / total))


def set_lr(opt, lr):
    for group in opt.param_groups:
        group["lr"] = lr


class Progress:
    """Collects per-iteration losses; every `log_every` iterations (and at the last) prints one line
    and appends one JSON entry {"iteration", "loss", "lr", "it_per_s", "elapsed_s", ...}."""

    def __init__(self, run, total, start, log_every):
        self.run = Path(run)
        self.total, self.log_every = total, log_every
        self.log = open(self.run / "log.jsonl", "a")
        self.t0, self.done0 = time.time(), start
        self.losses = []
        self.extra = {}

    def add(self, loss, **parts):
        """One iteration's loss (and named parts of it, averaged into the entry too)."""
        self.losses.append(loss)
        for k, v in parts.items():
            self.extra.setdefault(k, []).append(v)

    def due(self, n):
        return n % self.log_every == 0 or n == self.total

    def report(self, n, lr, validate=None):
        """validate: optional callable -> (entry fields, text appended to the line), run after the
        rate is measured so that validation time does not count as training time."""
        rate = (n - self.done0) / (time.time() - self.t0)
        eta = (self.total - n) / max(rate, 1e-9)
        mean = float(np.mean(self.losses))
        self.losses.clear()
        entry = {"iteration": n, "loss": mean, "lr": lr, "it_per_s": rate, "elapsed_s": time.time() - self.t0}
        entry.update({k: float(np.mean(v)) for k, v in self.extra.items()})
        self.extra.clear()
        line = f"it {n}/{self.total} loss {mean:.5f} lr {lr:.2e} {rate:.2f} it/s ETA {eta / 60:.1f} min"
        if validate is not None:
            fields, text = validate()
            entry.update(fields)
            line += text
        print(line, flush=True)
        self.log.write(json.dumps(entry) + "\n")
        self.log.flush()

    def close(self):
        """Closes the log and adds this session's wall time to RUN/wall_seconds.txt."""
        self.log.close()
        wall = self.run / "wall_seconds.txt"
        wall.write_text(str(float(wall.read_text() if wall.exists() else 0) + time.time() - self.t0))


def training_seconds(log):
    """Wall time of a run from its log: elapsed_s restarts at every resume, so sum each stretch."""
    total, last = 0.0, 0.0
    for entry in log:
        if entry["elapsed_s"] < last:
            total += last
        last = entry["elapsed_s"]
    return total + last


def save_checkpoint(path, payload):
    """Atomic: a stopped run never leaves a half-written checkpoint."""
    path = Path(path)
    tmp = path.with_suffix(".tmp")
    torch.save(payload, tmp)
    tmp.replace(path)


def resume(path, size, restart):
    """The checkpoint at `path` to resume from, or None (none there, or --restart)."""
    path = Path(path)
    if not path.exists() or restart:
        return None
    ckpt = torch.load(path, map_location="cpu")
    if ckpt["size"] != size:
        raise SystemExit(f"{path} was trained at size {ckpt['size']}, not {size}; use another --out")
    return ckpt


def resolve_device(name):
    if name.startswith("cuda") and not torch.cuda.is_available():
        raise SystemExit(f"--device {name}: this PyTorch has no CUDA device (torch.cuda.is_available() is False)")
    return torch.device(name)


def freeze(*things):
    """requires_grad = False on modules and parameters."""
    for t in things:
        for p in ([t] if isinstance(t, torch.nn.Parameter) else t.parameters()):
            p.requires_grad_(False)


def charbonnier(a, b, eps=1e-3):
    return torch.sqrt((a - b) ** 2 + eps * eps).mean()


def digest(*modules):
    """sha256 of the modules' weights: ties a diffusion checkpoint to the VAE encoder it was trained on."""
    import hashlib
    h = hashlib.sha256()
    for m in modules:
        for name, t in m.state_dict().items():
            h.update(name.encode())
            h.update(t.detach().cpu().contiguous().numpy().tobytes())
    return h.hexdigest()


def load_weights(module, path, what, allowed_missing=()):
    """Loads a state dict (e.g. Stable Diffusion weights renamed to this package's names, see
    training/README.md) non-strictly: keys missing from the file must belong to the modules SDATC
    adds (prefixes in `allowed_missing`); unexpected keys are an error naming the file.
    Returns (tensors in the file, missing keys)."""
    state = torch.load(path, map_location="cpu")
    state = state.get("state_dict", state) if isinstance(state, dict) else state
    result = module.load_state_dict(state, strict=False)
    missing = [k for k in result.missing_keys if not k.startswith(tuple(allowed_missing))]
    if missing or result.unexpected_keys:
        raise SystemExit(f"{path}: does not fit the {what} of this size: missing {missing[:5]}"
                         f"{'...' if len(missing) > 5 else ''}, unexpected {result.unexpected_keys[:5]}"
                         f"{'...' if len(result.unexpected_keys) > 5 else ''}")
    return len(state), result.missing_keys
