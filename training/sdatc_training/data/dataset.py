"""Random training patches from the clips of make_clips: a low-resolution patch and its x4
ground truth, with flips and transposes. Re-reads the folder every `refresh` draws so it picks up
clips still being written."""

import random
from pathlib import Path

import numpy as np
import torch


class ClipPatches:
    def __init__(self, folder, patch, seed, refresh=250):
        self.folder = Path(folder)
        self.patch = patch
        self.rng = random.Random(seed)
        self.refresh = refresh
        self.clips = {}
        self.small = set()
        self.draws = 0
        self._scan()

    def _scan(self):
        for f in sorted(self.folder.glob("*.npz")):
            if f.name.endswith(".tmp.npz") or f.name in self.clips or f.name in self.small:
                continue
            with np.load(f) as z:
                lq, hr = z["lq"], z["hr"]
            if min(lq.shape[1], lq.shape[2]) >= self.patch:
                self.clips[f.name] = (lq, hr)
            else:
                self.small.add(f.name)
        if not self.clips:
            raise SystemExit(f"{self.folder}: no clips; run `python3 -m sdatc_training make-data` first")
        self.names = sorted(self.clips)

    def __len__(self):
        return len(self.names)

    def batch(self, n):
        self.draws += 1
        if self.draws % self.refresh == 0:
            self._scan()
        lqs, hrs = [], []
        p = self.patch
        for _ in range(n):
            lq, hr = self.clips[self.rng.choice(self.names)]
            t = self.rng.randrange(lq.shape[0])
            h, w = lq.shape[1], lq.shape[2]
            y, x = self.rng.randrange(h - p + 1), self.rng.randrange(w - p + 1)
            a = lq[t, y:y + p, x:x + p]
            b = hr[t, 4 * y:4 * (y + p), 4 * x:4 * (x + p)]
            if self.rng.random() < 0.5:
                a, b = a[:, ::-1], b[:, ::-1]
            if self.rng.random() < 0.5:
                a, b = a[::-1], b[::-1]
            if self.rng.random() < 0.5:
                a, b = a.transpose(1, 0, 2), b.transpose(1, 0, 2)
            lqs.append(np.ascontiguousarray(a))
            hrs.append(np.ascontiguousarray(b))
        to = lambda xs: torch.from_numpy(np.stack(xs)).permute(0, 3, 1, 2).float().div_(255)
        return to(lqs), to(hrs)
