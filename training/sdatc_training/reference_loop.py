"""One window through the Java engine, in PyTorch: the reference the window parity fixtures
(parity/window/*.json, written by `export`) are made with. It mirrors SdatcEnhancer.runTile for one
tile of contract-2 stages: DCM (Eq. 5), VAE encoder, the seeded start latents (Eq. 2), DDIM or
DPM-Solver++ 2M (Eq. 4) with the UNet + ControlNet + PCAM (Eq. 6-8) on all T frames as one batch,
flow guidance after every step (Eq. 13-14), and the VAE decoder with CFW (Eq. 9-12).

Each function names the Java class it mirrors. Precision follows the engine: tensors are float32,
the schedule and the samplers' per-element arithmetic are float64 (Java doubles) stored back as
float32. One part is done differently on purpose: the gradient of Eq. 13 comes from autograd
through grid_sample here, and from Warp's hand-written adjoint in Java, so a fixture with guidance
on checks that adjoint.
"""

import math
from typing import Callable, NamedTuple, Optional

import numpy as np
import torch
import torch.nn.functional as F

from .conditioning import HINT_SCALE, HINT_UNKNOWN
from .recipe import spaced_timesteps

# --- Seeds and noise -------------------------------------------------------------------------------

_MASK = (1 << 64) - 1
_GOLDEN = 0x9E3779B97F4A7C15


def signed64(x):
    """A 64-bit pattern as Java's signed long."""
    x &= _MASK
    return x - (1 << 64) if x >> 63 else x


def _splitmix(z):
    """The SplitMix64 finaliser on a Python int (GaussianNoise.mix, WindowId.mix without its increment)."""
    z &= _MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
    return z ^ (z >> 31)


def window_seed(stream, sequence, window):
    """WindowId.seed(): FNV-1a over the stream id's UTF-8 bytes, then SplitMix64 with the sequence
    and with the window index. -> signed 64-bit int."""
    h = 0xCBF29CE484222325
    for b in stream.encode("utf-8"):
        h = ((h ^ b) * 0x100000001B3) & _MASK
    h = _splitmix((h ^ (sequence & _MASK)) + _GOLDEN)  # WindowId.mix adds GOLDEN first
    return signed64(_splitmix((h ^ (window & _MASK)) + _GOLDEN))


def derive(seed, stream):
    """GaussianNoise.derive: an independent seed for sub-stream `stream` of `seed` (signed ints)."""
    inner = _splitmix((seed & _MASK) ^ 0x5851F42D4C957F2D)
    return signed64(_splitmix(inner + _GOLDEN * ((stream + 1) & _MASK)))


def _splitmix_array(z):
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def gaussian_noise(seed, n):
    """GaussianNoise.fill: n standard normal float32 values, element i a pure function of (seed, i).
    Pair p takes two SplitMix64 hashes of seed + GOLDEN (2p + 1) and seed + GOLDEN (2p + 2) (uint64
    wraparound), 53-bit uniforms u1 in (0, 1] and u2 in [0, 1), and Box-Muller in float64:
    elements 2p and 2p + 1 are r cos(2 pi u2) and r sin(2 pi u2), r = sqrt(-2 log u1)."""
    p = np.arange((n + 1) // 2, dtype=np.uint64)
    s, g = np.uint64(seed & _MASK), np.uint64(_GOLDEN)
    h1 = _splitmix_array(s + g * (np.uint64(2) * p + np.uint64(1)))
    h2 = _splitmix_array(s + g * (np.uint64(2) * p + np.uint64(2)))
    u1 = ((h1 >> np.uint64(11)) + np.uint64(1)).astype(np.float64) * 2.0 ** -53
    u2 = (h2 >> np.uint64(11)).astype(np.float64) * 2.0 ** -53
    r = np.sqrt(-2.0 * np.log(u1))
    a = 2.0 * math.pi * u2
    out = np.empty(2 * len(p), dtype=np.float64)
    out[0::2], out[1::2] = r * np.cos(a), r * np.sin(a)
    return out[:n].astype(np.float32)


def noise_like(seed, tensor):
    """GaussianNoise.sample(seed, shape) as a float32 tensor shaped like `tensor` (row-major)."""
    return torch.from_numpy(gaussian_noise(seed, tensor.numel())).reshape(tensor.shape)


# --- Schedule --------------------------------------------------------------------------------------

CLEAN = -1  # NoiseSchedule.CLEAN: the pseudo-timestep after the last step, abar = 1


class Schedule:
    """NoiseSchedule: abar_t of Eq. 1-2 in float64, computed as Java does (betas by the same
    formula, a sequential product), the engine's inference timesteps and the split of the network
    output into (x0, eps). Timestep CLEAN has abar = 1."""

    def __init__(self, recipe):
        self.recipe = recipe
        n = recipe.train_timesteps
        i = np.arange(n, dtype=np.float64)
        if recipe.beta_schedule == "linear":
            betas = recipe.beta_start + (recipe.beta_end - recipe.beta_start) * i / (n - 1)
        else:
            s0, s1 = math.sqrt(recipe.beta_start), math.sqrt(recipe.beta_end)
            s = s0 + (s1 - s0) * i / (n - 1)
            betas = s * s
        self.alphas_cumprod = np.cumprod(1.0 - betas)

    def alpha_bar(self, t):
        return 1.0 if t == CLEAN else float(self.alphas_cumprod[t])

    def alpha(self, t):
        return math.sqrt(self.alpha_bar(t))

    def sigma(self, t):
        return math.sqrt(1.0 - self.alpha_bar(t))

    def variance(self, t):
        """sigma_t^2 = 1 - abar_t, the step size of Eq. 14."""
        return 1.0 - self.alpha_bar(t)

    def timesteps(self, steps, strength=1.0):
        """NoiseSchedule.timesteps(steps, strength): exactly `steps` descending timesteps in
        [0, range), range = round(strength T), with the recipe's spacing."""
        if not 0 < strength <= 1:
            raise ValueError(f"strength must be in (0, 1], got {strength}")
        top = math.floor(strength * self.recipe.train_timesteps + 0.5)  # Math.round
        return spaced_timesteps(self.recipe.timestep_spacing, steps, top)

    def split(self, model_output, z, t):
        """NoiseSchedule.split: the network output at (z_t, t) -> (x0, eps), float64 math, float32 out."""
        a, s = self.alpha(t), self.sigma(t)
        m, zd = model_output.double(), z.double()
        if self.recipe.prediction_type == "epsilon":
            eps, x0 = m, (zd - s * m) / a
        else:  # v_prediction
            x0, eps = a * zd - s * m, a * m + s * zd
        return x0.float(), eps.float()

    def add_noise(self, x0, noise, t):
        """NoiseSchedule.addNoise, Eq. 2: z_t = alpha_t x0 + sigma_t noise."""
        return (self.alpha(t) * x0.double() + self.sigma(t) * noise.double()).float()


def engine_strength(recipe):
    """The strength the engine samples a recipe with: the timesteps cover [0, start_timestep]."""
    return (recipe.start_timestep + 1.0) / recipe.train_timesteps


# --- Samplers (Eq. 4) ------------------------------------------------------------------------------

class StepState(NamedTuple):
    """sampler.StepState: step `step` went from `timestep` to `next_timestep` (CLEAN after the last)."""
    step: int
    steps: int
    timestep: int
    next_timestep: int
    latents: torch.Tensor
    predicted_x0: torch.Tensor


Predictor = Callable[[torch.Tensor, int], torch.Tensor]
Hook = Optional[Callable[[StepState], torch.Tensor]]


def ddim(predict: Predictor, start, timesteps, seed, schedule, eta=0.0, hook: Hook = None):
    """DdimSampler.sample (Song et al. 2021; eta = 1 is the paper's Eq. 4 posterior):
    z_prev = alpha_prev x0 + sqrt(1 - abar_prev - s^2) eps + s noise, with
    s = eta sqrt((1 - abar_prev) / (1 - abar_t)) sqrt(1 - abar_t / abar_prev) and the noise of step
    i from GaussianNoise.fill(derive(seed, i)). The last step goes to CLEAN, so the result is the
    final x0 estimate. `hook` (after every step) returns the corrected latents."""
    z = start.clone()
    for i, t in enumerate(timesteps):
        nxt = timesteps[i + 1] if i + 1 < len(timesteps) else CLEAN
        x0, eps = schedule.split(predict(z, t), z, t)
        ab_t, ab_prev = schedule.alpha_bar(t), schedule.alpha_bar(nxt)
        s = eta * math.sqrt((1 - ab_prev) / (1 - ab_t)) * math.sqrt(1 - ab_t / ab_prev)
        dir_scale = math.sqrt(max(0.0, 1 - ab_prev - s * s))
        znew = math.sqrt(ab_prev) * x0.double() + dir_scale * eps.double()
        if s > 0:
            znew = znew + s * noise_like(derive(seed, i), z).double()
        z = znew.float()
        if hook is not None:
            z = hook(StepState(i, len(timesteps), t, nxt, z, x0))
    return z


def dpmpp_2m(predict: Predictor, start, timesteps, schedule, hook: Hook = None):
    """DpmSolverPlusPlus2M.sample (Lu et al. 2022), in log-SNR time lambda = log(alpha / sigma):
    with h = lambda_next - lambda_t, z_next = (sigma_next / sigma_t) z - alpha_next (e^-h - 1) D,
    D = x0 on the first step and (1 + 1/(2r)) x0 - 1/(2r) x0_prev after it (r = h_prev / h); the
    last step goes to CLEAN (z = x0). x0_prev is the unguided prediction of the previous step."""
    def lam(t):
        return math.log(schedule.alpha(t) / schedule.sigma(t))

    z, x0_prev, h_prev = start.clone(), None, math.nan
    for i, t in enumerate(timesteps):
        nxt = timesteps[i + 1] if i + 1 < len(timesteps) else CLEAN
        x0, _ = schedule.split(predict(z, t), z, t)
        if nxt == CLEAN:
            z = x0.clone()
        else:
            h = lam(nxt) - lam(t)
            ratio = schedule.sigma(nxt) / schedule.sigma(t)
            coef = -schedule.alpha(nxt) * math.expm1(-h)
            if i == 0:
                d = x0.double()
            else:
                half = 0.5 / (h_prev / h)
                d = (1 + half) * x0.double() - half * x0_prev.double()
            z = (ratio * z.double() + coef * d).float()
            h_prev = h
        if hook is not None:
            z = hook(StepState(i, len(timesteps), t, nxt, z, x0))
        x0_prev = x0
    return z


# --- Flow guidance (Eq. 13-14) ---------------------------------------------------------------------

def warp_backward(src, flow):
    """Warp.backward: out(n, c, y, x) = src(n, c, y + dy, x + dx), bilinear, zeros outside the
    frame. src [N, C, H, W], flow [N, 2, H, W] (dx, dy in pixels). grid_sample with
    align_corners=True maps normalised -1..1 to pixel centres 0..W-1, so a pixel-unit flow becomes
    the grid 2 (x + dx) / (W - 1) - 1. Computed in float64 (exact grid), returned in src's dtype."""
    n, _, h, w = src.shape
    if h < 2 or w < 2:
        raise ValueError(f"warp_backward needs frames of at least 2x2, got {w}x{h}")
    ys, xs = torch.meshgrid(torch.arange(h, dtype=torch.float64), torch.arange(w, dtype=torch.float64),
                            indexing="ij")
    f = flow.double()
    grid = torch.stack([2 * (xs + f[:, 0]) / (w - 1) - 1, 2 * (ys + f[:, 1]) / (h - 1) - 1], dim=-1)
    out = F.grid_sample(src.double(), grid, mode="bilinear", padding_mode="zeros", align_corners=True)
    return out.to(src.dtype)


def resize_bilinear(x, h, w):
    """tensor.Resize.bilinear on [N, C, H, W]: half-pixel centres, edges clamped, no antialiasing."""
    if x.shape[-2:] == (h, w):
        return x
    return F.interpolate(x, size=(h, w), mode="bilinear", align_corners=False)


def resize_flow(flow, h, w):
    """FlowField.resize on [N, 2, H, W]: resampled bilinearly, dx scaled by w / W and dy by h / H
    (float32 ratios, as Java's (float) w / width())."""
    big_h, big_w = flow.shape[-2:]
    if (big_h, big_w) == (h, w):
        return flow
    r = resize_bilinear(flow.float(), h, w)
    sx, sy = np.float32(w) / np.float32(big_w), np.float32(h) / np.float32(big_h)
    return torch.stack([r[:, 0] * float(sx), r[:, 1] * float(sy)], dim=1)


OCCLUSION_ALPHA = 0.01  # Occlusion.ALPHA
OCCLUSION_BETA = 0.5    # Occlusion.BETA


def occlusion_mask(flow, reverse):
    """Occlusion.mask, forward-backward consistency: pixel x of frame a with flow f (to b, on a's
    grid) is valid (1) when x + f(x) lies inside b (0 <= x + dx <= W - 1, same for y) and
    |f + g'|^2 < ALPHA (|f|^2 + |g'|^2) + BETA, g' = the reverse flow g (b to a) warped back by f.
    flow, reverse [N, 2, H, W] -> [N, H, W] float32."""
    back = warp_backward(reverse.float(), flow.float()).double()  # Java keeps the warp in float32
    f = flow.float().double()
    h, w = f.shape[-2:]
    ys, xs = torch.meshgrid(torch.arange(h, dtype=torch.float64), torch.arange(w, dtype=torch.float64),
                            indexing="ij")
    sx, sy = xs + f[:, 0], ys + f[:, 1]
    inside = (sx >= 0) & (sx <= w - 1) & (sy >= 0) & (sy <= h - 1)
    lhs = (f[:, 0] + back[:, 0]) ** 2 + (f[:, 1] + back[:, 1]) ** 2
    rhs = OCCLUSION_ALPHA * (f[:, 0] ** 2 + f[:, 1] ** 2 + back[:, 0] ** 2 + back[:, 1] ** 2) + OCCLUSION_BETA
    return (inside & (lhs < rhs)).float()


class GuidanceFlows(NamedTuple):
    """FlowGuidance.GuidanceFlows without a boundary: per adjacent pair i (frames i -> i+1), at
    latent size, the flows [T-1, 2, h, w] and their soft masks [T-1, h, w]."""
    forward: torch.Tensor
    backward: torch.Tensor
    forward_mask: torch.Tensor
    backward_mask: torch.Tensor


def prepare(flows, h, w):
    """FlowGuidance.prepare (first window of a stream: no boundary). flows [T-1, 2, 2, H, W] at
    frame size, pair i = (forward on frame i's grid, backward on frame i+1's grid). The masks are
    computed at frame size, where the flow is accurate, then resized bilinearly to h x w."""
    fwd, bwd = flows[:, 0].float(), flows[:, 1].float()
    fm, bm = occlusion_mask(fwd, bwd), occlusion_mask(bwd, fwd)
    return GuidanceFlows(resize_flow(fwd, h, w), resize_flow(bwd, h, w),
                         resize_bilinear(fm[:, None], h, w)[:, 0], resize_bilinear(bm[:, None], h, w)[:, 0])


def warp_residuals(z, g):
    """The two residuals of Eq. 13 with their masks: f_b(Z^i) - Z^(i+1) on frame i+1's grid (mask
    M_b) and f_f(Z^(i+1)) - Z^i on frame i's grid (mask M_f); z [T, C, h, w]."""
    back = warp_backward(z[:-1], g.backward) - z[1:]
    fwd = warp_backward(z[1:], g.forward) - z[:-1]
    return (back, g.backward_mask[:, None].to(z.dtype)), (fwd, g.forward_mask[:, None].to(z.dtype))


def warp_error(z, g):
    """Eq. 13 (FlowGuidance.warpError, no boundary): E = sum_i |M_b (f_b(Z^i) - Z^(i+1))|_1 +
    sum_i |M_f (f_f(Z^(i+1)) - Z^i)|_1 over the window's adjacent pairs. Differentiable; torch's
    abs has gradient 0 at 0, as Java's sign."""
    return sum((mask * r.abs()).sum() for r, mask in warp_residuals(z, g))


def warp_error_gradient(z, g):
    """(E, dE/dz) of Eq. 13 by autograd, in float64 on float32 latents; the gradient back in float32."""
    with torch.enable_grad():
        leaf = z.detach().double().requires_grad_(True)
        e = warp_error(leaf, g)
        (grad,) = torch.autograd.grad(e, leaf)
    return e.item(), grad.float()


class FlowGuidanceHook:
    """FlowGuidance.hook with step size VARIANCE and target PREDICTED_X0 (the engine's defaults),
    Eq. 14: after the step t -> next, E is measured on the step's predicted x0 and
    z <- z - step dE/dx0, step = scale (1 - abar_t) alpha_next (alpha_CLEAN = 1), subtracted in
    float32 like FlowGuidance.correct. `trace` records per step E and the smallest |residual| where
    the mask is non-zero (how far the L1 signs are from flipping)."""

    def __init__(self, schedule, flows: GuidanceFlows, scale=0.05):
        self.schedule, self.flows, self.scale = schedule, flows, scale
        self.trace = []

    def __call__(self, state: StepState):
        step = self.scale * self.schedule.variance(state.timestep)
        if step == 0:
            return state.latents
        step *= self.schedule.alpha(state.next_timestep)
        e, grad = warp_error_gradient(state.predicted_x0, self.flows)
        masked = torch.cat([r.abs()[(mask > 0).expand_as(r)]
                            for r, mask in warp_residuals(state.predicted_x0.double(), self.flows)])
        self.trace.append({"step": state.step, "timestep": state.timestep, "warp_error": e,
                           "min_masked_residual": masked.min().item() if masked.numel() else None})
        return state.latents - torch.tensor(step, dtype=torch.float32) * grad


# --- One window ------------------------------------------------------------------------------------

class WindowResult(NamedTuple):
    latents: torch.Tensor        # [T, C, h, w] final latents (scaled, as the sampler returns them)
    image: torch.Tensor          # [T, 3, 4H, 4W] (decoded + 1) / 2, the engine's image before the colour fix
    timesteps: list
    trace: list                  # FlowGuidanceHook.trace ([] without guidance)


@torch.no_grad()
def run_window(dcm, vae, net, frames, recipe, latent_scale, *, seed, steps, cfw_weight, hint_input,
               crf=None, sampler=None, eta=None, flows=None, guidance_scale=0.05):
    """SdatcEnhancer.runTile for one tile (frame sizes already multiples of the model's image
    multiple / 4, so no padding), contract 2:
    1. lq = frames / 255 [T, 3, H, W]; image = 2 clamp(DCM(lq), 0, 1) - 1 (Eq. 5; clamped, as the
       training side's Restorer conditions stages (b) and (c));
    2. latent, enc_features = VAE encoder(image); condition = latent * latent_scale;
    3. timesteps = Schedule.timesteps(steps, (start_timestep + 1) / T_train);
    4. start = alpha_t0 condition + sigma_t0 GaussianNoise.sample(seed) (Eq. 2);
    5. the sampler with seed derive(seed, 1), the UNet on all T frames at once (timestep repeated,
       hint [T, 1] = crf / 51 or HINT_UNKNOWN when the model takes one), flow guidance after
       every step when `flows` [T-1, 2, 2, H, W] are given and guidance_scale > 0;
    6. image = (VAE decoder(z / latent_scale, enc_features, cfw_weight, hint) + 1) / 2.
    frames: uint8 [T, H, W, 3] (RGB, row-major, Java's Image layout); seed: WindowId.seed()."""
    frames = torch.as_tensor(np.ascontiguousarray(frames))
    t_len = frames.shape[0]
    lq = frames.permute(0, 3, 1, 2).float() / 255
    image = dcm(lq).clamp(0, 1) * 2 - 1
    latent, features = vae.encode(image)
    scale = torch.tensor(latent_scale, dtype=torch.float32)
    condition = latent * scale
    schedule = Schedule(recipe)
    timesteps = schedule.timesteps(steps, engine_strength(recipe))
    start = schedule.add_noise(condition, noise_like(seed, condition), timesteps[0])
    hint = None
    if hint_input:
        value = HINT_UNKNOWN if crf is None else crf / HINT_SCALE
        hint = torch.full((t_len, 1), value, dtype=torch.float32)

    def predict(z, t):
        return net(z, torch.full((t_len,), t, dtype=torch.int64), condition, hint)

    hook = None
    if flows is not None and guidance_scale > 0:
        hook = FlowGuidanceHook(schedule, prepare(torch.as_tensor(flows), *condition.shape[-2:]), guidance_scale)
    sampler = sampler or recipe.sampler
    if sampler == "ddim":
        z = ddim(predict, start, timesteps, derive(seed, 1), schedule, recipe.eta if eta is None else eta, hook)
    elif sampler == "dpmpp-2m":
        z = dpmpp_2m(predict, start, timesteps, schedule, hook)
    else:
        raise ValueError(f"sampler {sampler!r}: expected ddim or dpmpp-2m")
    decoded = vae.decode(z / scale, features, torch.tensor([cfw_weight], dtype=torch.float32), hint)
    return WindowResult(z, (decoded + 1) * 0.5, timesteps, hook.trace if hook else [])
