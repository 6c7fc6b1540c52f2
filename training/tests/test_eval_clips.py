"""make-eval-clips: still test images become PNG frame folders that the Java eval reads as ground
truth, the same for the same seed, and images too small for a clip are skipped."""

import tempfile
import unittest
from pathlib import Path

import numpy as np
from PIL import Image

from sdatc_training.data.eval_clips import make_eval_clips


class EvalClipsTest(unittest.TestCase):
    def test_each_image_becomes_a_folder_of_moving_frames_and_tiny_ones_are_skipped(self):
        with tempfile.TemporaryDirectory() as tmp:
            src = Path(tmp) / "set"
            src.mkdir()
            rng = np.random.default_rng(0)
            Image.fromarray(rng.integers(0, 256, (300, 400, 3), dtype=np.uint8)).save(src / "a.png")
            Image.fromarray(rng.integers(0, 256, (40, 40), dtype=np.uint8), mode="L").save(src / "b.png")
            runs = []
            for k in range(2):
                out = Path(tmp) / f"out{k}"
                written = make_eval_clips([src], out, frames=6, size=128, seed=7, log=lambda *a, **kw: None)
                self.assertEqual([p.name for p in written], ["set-a"])
                frames = sorted((out / "set-a").glob("*.png"))
                self.assertEqual([f.name for f in frames], [f"{i:03d}.png" for i in range(6)])
                runs.append(np.stack([np.asarray(Image.open(f)) for f in frames]))
            self.assertEqual(runs[0].shape, (6, 128, 128, 3))
            self.assertTrue(np.array_equal(runs[0], runs[1]), "same seed, same clip")
            self.assertGreater(np.abs(runs[0][0].astype(int) - runs[0][-1]).mean(), 1.0, "the camera moves")
