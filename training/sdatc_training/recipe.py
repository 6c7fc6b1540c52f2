"""The diffusion recipe as data: the noise schedule the UNet was trained with (Eq. 1-3) and the
sampler settings it is meant to be run with (Eq. 4). It is stored in every diffusion checkpoint and
written into the manifest as "recipe", so the engine samples the way the model was trained.

Fields (manifest "recipe"):
- beta_schedule: `linear` (beta = linspace(b0, b1, T)) or `scaled_linear` (SD's:
  beta = linspace(sqrt b0, sqrt b1, T)^2); beta_start, beta_end; train_timesteps T.
- prediction_type: `epsilon` (the UNet predicts the noise, the objective of Eq. 3-4) or
  `v_prediction` (v = sqrt(abar_t) eps - sqrt(1 - abar_t) x0).
- timestep_spacing: how `steps` timesteps are picked in [0, start_timestep]: `leading`
  (0, k, 2k, ... with k = (start + 1) // steps), `trailing` (start, start - k', ... with
  k' = (start + 1) / steps, rounded), `linspace` (linspace(0, start, steps), rounded; one step:
  start); descending, computed exactly as the engine does (`spaced_timesteps`).
- steps: default sampler steps (paper: 50); eta: DDIM eta (0 = deterministic); start_timestep: the
  first timestep (T - 1 = from pure noise); sampler: `ddim` or `dpmpp-2m`.
"""

from dataclasses import asdict, dataclass, fields, replace

import torch

SCHEDULES = ("linear", "scaled_linear")
PREDICTIONS = ("epsilon", "v_prediction")
SPACINGS = ("leading", "trailing", "linspace")
SAMPLERS = ("ddim", "dpmpp-2m")


@dataclass(frozen=True)
class Recipe:
    beta_schedule: str = "scaled_linear"
    beta_start: float = 0.00085
    beta_end: float = 0.012
    train_timesteps: int = 1000
    prediction_type: str = "epsilon"
    timestep_spacing: str = "leading"
    steps: int = 50
    eta: float = 0.0
    start_timestep: int = 999
    sampler: str = "ddim"

    def __post_init__(self):
        def check(ok, key, why):
            if not ok:
                raise ValueError(f"recipe.{key} = {getattr(self, key)!r}: {why}")

        check(self.beta_schedule in SCHEDULES, "beta_schedule", f"expected one of {', '.join(SCHEDULES)}")
        check(0 < self.beta_start < 1, "beta_start", "expected a value in (0, 1)")
        check(self.beta_start < self.beta_end < 1, "beta_end", "expected a value in (beta_start, 1)")
        check(self.train_timesteps > 1, "train_timesteps", "expected an integer > 1")
        check(self.prediction_type in PREDICTIONS, "prediction_type", f"expected one of {', '.join(PREDICTIONS)}")
        check(self.timestep_spacing in SPACINGS, "timestep_spacing", f"expected one of {', '.join(SPACINGS)}")
        check(0 <= self.start_timestep < self.train_timesteps, "start_timestep", "expected 0 <= start < train_timesteps")
        check(1 <= self.steps <= self.start_timestep + 1, "steps", "expected 1 <= steps <= start_timestep + 1")
        check(0 <= self.eta <= 1, "eta", "expected a value in [0, 1]")
        check(self.sampler in SAMPLERS, "sampler", f"expected one of {', '.join(SAMPLERS)}")

    def to_dict(self):
        return asdict(self)

    @classmethod
    def from_dict(cls, d):
        known = {f.name for f in fields(cls)}
        unknown = set(d) - known
        if unknown:
            raise ValueError(f"recipe: unknown keys {sorted(unknown)}")
        return cls(**d)

    def with_overrides(self, **kw):
        return replace(self, **{k: v for k, v in kw.items() if v is not None})

    def betas(self):
        t = self.train_timesteps
        if self.beta_schedule == "linear":
            return torch.linspace(self.beta_start, self.beta_end, t, dtype=torch.float64)
        return torch.linspace(self.beta_start ** 0.5, self.beta_end ** 0.5, t, dtype=torch.float64) ** 2

    def alphas_cumprod(self):
        """abar_t of Eq. 2, float64 [T]."""
        return torch.cumprod(1.0 - self.betas(), dim=0)

    def timesteps(self, steps=None):
        """The sampler's timesteps, descending, int64 [steps]: the engine's for this recipe."""
        n = steps or self.steps
        return torch.tensor(spaced_timesteps(self.timestep_spacing, n, self.start_timestep + 1), dtype=torch.int64)

    def q_sample(self, x0, eps, t):
        """Eq. 2: x_t = sqrt(abar_t) x0 + sqrt(1 - abar_t) eps, per sample t [N]."""
        abar = self.alphas_cumprod().to(x0.device)[t].to(x0.dtype).view(-1, *([1] * (x0.dim() - 1)))
        return abar.sqrt() * x0 + (1 - abar).sqrt() * eps

    def target(self, x0, eps, t):
        """What the UNet is trained to output at (x_t, t)."""
        if self.prediction_type == "epsilon":
            return eps
        abar = self.alphas_cumprod().to(x0.device)[t].to(x0.dtype).view(-1, *([1] * (x0.dim() - 1)))
        return abar.sqrt() * eps - (1 - abar).sqrt() * x0


def spaced_timesteps(spacing, steps, top):
    """`steps` descending timesteps in [0, top), as the engine's NoiseSchedule.timesteps computes
    them (its range = top): the same double arithmetic, and Math.rint is Python's round (half to
    even), so exact ties such as 499.5 round alike on both sides (torch.linspace and torch.arange
    land on either side of some of them)."""
    if not 1 <= steps <= top:
        raise ValueError(f"steps must be in 1..{top}, got {steps}")
    if spacing == "leading":
        return [(steps - 1 - k) * (top // steps) for k in range(steps)]
    if spacing == "trailing":
        ratio = top / steps
        return [int(round(top - k * ratio)) - 1 for k in range(steps)]
    if steps == 1:  # one step has no linspace: start it at the top, like the other spacings
        return [top - 1]
    return [int(round((top - 1) * float(steps - 1 - k) / (steps - 1))) for k in range(steps)]
