"""Windows of T consecutive frames from the clips of make_clips, for the stages that see time (the
VAE decoder's STAM) or the compression level (PCAM's hint): the same random crop, flips and
transpose on every frame of a window, optionally played backwards, and the clip's CRF."""

import random
from pathlib import Path

import numpy as np
import torch


class ClipWindows:
    def __init__(self, folder, patch, frames, seed, refresh=250):
        self.folder = Path(folder)
        self.patch, self.frames = patch, frames
        self.rng = random.Random(seed)
        self.refresh = refresh
        self.clips, self.skipped = {}, set()
        self.draws = 0
        self._scan()

    def _scan(self):
        for f in sorted(self.folder.glob("*.npz")):
            if f.name.endswith(".tmp.npz") or f.name in self.clips or f.name in self.skipped:
                continue
            with np.load(f) as z:
                lq, hr = z["lq"], z["hr"]
                crf = int(z["crf"]) if "crf" in z.files else -1
            if min(lq.shape[1], lq.shape[2]) >= self.patch and lq.shape[0] >= self.frames:
                self.clips[f.name] = (lq, hr, crf)
            else:
                self.skipped.add(f.name)
        if not self.clips:
            raise SystemExit(f"{self.folder}: no clips of {self.frames}+ frames with a side >= {self.patch}; "
                             f"run `python3 -m sdatc_training make-data` first (or lower --patch/--frames)")
        self.names = sorted(self.clips)

    def __len__(self):
        return len(self.names)

    def batch(self, n):
        """-> lq [n*T, 3, p, p], hr [n*T, 3, 4p, 4p] in [0, 1] (window-major), crf [n] int64 (-1: unknown)."""
        self.draws += 1
        if self.draws % self.refresh == 0:
            self._scan()
        p, t = self.patch, self.frames
        lqs, hrs, crfs = [], [], []
        for _ in range(n):
            lq, hr, crf = self.clips[self.rng.choice(self.names)]
            s = self.rng.randrange(lq.shape[0] - t + 1)
            y, x = self.rng.randrange(lq.shape[1] - p + 1), self.rng.randrange(lq.shape[2] - p + 1)
            a = lq[s:s + t, y:y + p, x:x + p]
            b = hr[s:s + t, 4 * y:4 * (y + p), 4 * x:4 * (x + p)]
            if self.rng.random() < 0.5:
                a, b = a[:, :, ::-1], b[:, :, ::-1]
            if self.rng.random() < 0.5:
                a, b = a[:, ::-1], b[:, ::-1]
            if self.rng.random() < 0.5:
                a, b = a.transpose(0, 2, 1, 3), b.transpose(0, 2, 1, 3)
            if self.rng.random() < 0.5:
                a, b = a[::-1], b[::-1]
            lqs.append(np.ascontiguousarray(a))
            hrs.append(np.ascontiguousarray(b))
            crfs.append(crf)

        def to(xs):
            return torch.from_numpy(np.concatenate(xs)).permute(0, 3, 1, 2).float().div_(255)

        return to(lqs), to(hrs), torch.tensor(crfs, dtype=torch.int64)
