#!/usr/bin/env python3
"""The PyTorch anchor of `bnll bench train|probe|decode`: the same measurements of the same model,
written in plain PyTorch as a user would write them.

The model is the Llama-style decoder of training/Model/DecoderLM.cs in the configurations of
training/Benchmarks/TrainingBenchmark.cs, parameter for parameter, each parameter under the name
Hugging Face's LlamaForCausalLM gives it (`shapes` prints them; BeyondNll.Training.Tests compares
them with the C# model's):

  tiny   vocabulary 128, 4 layers x 128 wide, 4 heads, MLP 512; 32 rows x 128 tokens a step
  small  vocabulary 128, 6 layers x 256 wide, 8 heads, MLP 1024; 16 rows x 256 tokens a step

Subcommands and flags are those of `bnll bench`, and `--json` prints one line with bnll's field
names, so bench/train_vs_torch.py gives both sides the same command line:

  train   training steps on random tokens, the first 30% of each row a masked prompt: zero the
          gradients, forward, objective, backward, clip the gradient norm at 1.0, AdamW (lr 5e-5,
          betas 0.9/0.95, weight decay 0.01, cosine decay); the median step after --warmup steps
  probe   no-grad forward and each label's probability, --batches batches after 3 warm-up ones
  decode  greedy decoding of --batch random prompts, with a preallocated KV cache or (--no-cache)
          recomputing the whole sequence every step; the median of --repeats
  shapes  every parameter's name and shape, and their count (no measurement)

Set-up (Debian 12): apt-get install -y python3-torch libopenblas0-openmp, then run it with
/usr/bin/python3. Without libopenblas0-openmp Debian's torch falls back to the reference BLAS,
many times slower than PyTorch as users run it.
"""
import argparse
import json
import math
import resource
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

# The shapes of TrainingBenchmark's BenchmarkConfig.Tiny and .Small.
CONFIGS = {
    "tiny": dict(vocab=128, width=128, layers=4, heads=4, sequence=128, batch=32),
    "small": dict(vocab=128, width=256, layers=6, heads=8, sequence=256, batch=16),
}
SEED = 1234
PROMPT_SHARE = 0.3


# ----------------------------------------------------------------------------------------- model

class RmsNorm(nn.Module):
    def __init__(self, width, eps=1e-5):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(width))

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


class Rotary:
    """Rotate-half RoPE (theta 10000): dimension i of a head pairs with i + d/2, rotated by pos * theta^(-2i/d)."""

    def __init__(self, head_dim, max_positions, theta=10000.0):
        inverse = theta ** (-torch.arange(0, head_dim, 2, dtype=torch.float64) / head_dim)
        angles = torch.outer(torch.arange(max_positions, dtype=torch.float64), inverse)
        angles = torch.cat([angles, angles], -1)
        self.cos, self.sin = angles.cos().float(), angles.sin().float()

    def __call__(self, x, start):
        """x: [B, heads, T, head_dim] holding positions start .. start + T - 1."""
        t, half = x.shape[2], x.shape[3] // 2
        rotated = torch.cat([-x[..., half:], x[..., :half]], -1)
        return x * self.cos[start:start + t] + rotated * self.sin[start:start + t]


class KvCache:
    """Keys and values of the positions seen so far, preallocated per layer as [B, heads, max, head_dim]."""

    def __init__(self, layers, batch, heads, max_positions, head_dim):
        self.keys = [torch.empty(batch, heads, max_positions, head_dim) for _ in range(layers)]
        self.values = [torch.empty(batch, heads, max_positions, head_dim) for _ in range(layers)]
        self.length = 0


class SelfAttention(nn.Module):
    def __init__(self, width, heads):
        super().__init__()
        self.heads, self.head_dim = heads, width // heads
        self.scale = 1 / math.sqrt(self.head_dim)   # multiplied: dividing the scores costs more, forward and backward
        self.q_proj = nn.Linear(width, width, bias=False)
        self.k_proj = nn.Linear(width, width, bias=False)
        self.v_proj = nn.Linear(width, width, bias=False)
        self.o_proj = nn.Linear(width, width, bias=False)

    def forward(self, x, rotary, causal, cache, layer):
        b, t, width = x.shape
        start = cache.length if cache is not None else 0
        split = lambda y: y.view(b, t, self.heads, self.head_dim).transpose(1, 2)
        q = rotary(split(self.q_proj(x)), start)
        k = rotary(split(self.k_proj(x)), start)
        v = split(self.v_proj(x))
        if cache is not None:
            cache.keys[layer][:, :, start:start + t] = k
            cache.values[layer][:, :, start:start + t] = v
            k, v = cache.keys[layer][:, :, :start + t], cache.values[layer][:, :, :start + t]
        scores = q @ k.transpose(-2, -1) * self.scale                        # [B, heads, t, start + t]
        if t > 1:   # new position start + i sees the keys up to start + i
            scores = scores + causal[start:start + t, :start + t]
        y = scores.softmax(-1) @ v
        return self.o_proj(y.transpose(1, 2).reshape(b, t, width))


class SwiGlu(nn.Module):
    def __init__(self, width, hidden):
        super().__init__()
        self.gate_proj = nn.Linear(width, hidden, bias=False)
        self.up_proj = nn.Linear(width, hidden, bias=False)
        self.down_proj = nn.Linear(hidden, width, bias=False)

    def forward(self, x):
        return self.down_proj(F.silu(self.gate_proj(x)) * self.up_proj(x))


class Layer(nn.Module):
    def __init__(self, width, heads, hidden):
        super().__init__()
        self.input_layernorm = RmsNorm(width)
        self.self_attn = SelfAttention(width, heads)
        self.post_attention_layernorm = RmsNorm(width)
        self.mlp = SwiGlu(width, hidden)

    def forward(self, x, rotary, causal, cache, layer):
        x = x + self.self_attn(self.input_layernorm(x), rotary, causal, cache, layer)
        return x + self.mlp(self.post_attention_layernorm(x))


class Backbone(nn.Module):
    def __init__(self, vocab, width, layers, heads, hidden):
        super().__init__()
        self.embed_tokens = nn.Embedding(vocab, width)
        self.layers = nn.ModuleList(Layer(width, heads, hidden) for _ in range(layers))
        self.norm = RmsNorm(width)


class DecoderLM(nn.Module):
    """Embedding, layers, final norm and an untied head; Linear and Embedding weights drawn from N(0, 0.02^2)."""

    def __init__(self, vocab, width, layers, heads, max_positions):
        super().__init__()
        self.heads, self.head_dim = heads, width // heads
        self.model = Backbone(vocab, width, layers, heads, hidden=math.ceil(4 * width / 64) * 64)
        self.lm_head = nn.Linear(width, vocab, bias=False)
        self.rotary = Rotary(self.head_dim, max_positions)
        # Added to the scores: -inf above the diagonal. (masked_fill with a broadcast boolean mask,
        # the other usual way, is ten times slower in torch 1.13 on CPU.)
        self.causal = torch.full((max_positions, max_positions), float("-inf")).triu(1)
        for module in self.modules():
            if isinstance(module, (nn.Linear, nn.Embedding)):
                nn.init.normal_(module.weight, 0.0, 0.02)

    def forward(self, ids, cache=None):
        x = self.model.embed_tokens(ids)
        for i, layer in enumerate(self.model.layers):
            x = layer(x, self.rotary, self.causal, cache, i)
        if cache is not None:
            cache.length += ids.shape[1]
        return self.lm_head(self.model.norm(x))

    def new_cache(self, batch, max_positions):
        return KvCache(len(self.model.layers), batch, self.heads, max_positions, self.head_dim)


def build(config, max_positions):
    torch.manual_seed(SEED)
    c = CONFIGS[config]
    return DecoderLM(c["vocab"], c["width"], c["layers"], c["heads"], max(max_positions, c["sequence"]))


# ------------------------------------------------------------------------------------- objective

def objective(spec):
    """bnll's objective spec (nll, power:k, top-p:q, bottom-p:q, top-logp:q, bottom-logp:q) as a
    function of the labels' log p and the response mask giving the batch loss
    sum(f(p) * weight) / (sum(weight) + 1e-8), weight = mask times a thresholded variant's indicator."""
    family, _, text = spec.partition(":")
    try:
        value = float(text) if text else None
    except ValueError:
        value = None
    families = {
        "power": (lambda lp, k: -torch.expm1(k * lp) / k, None),
        "top-p": (lambda lp, q: 1 - lp.exp(), torch.ge),
        "bottom-p": (lambda lp, q: 1 - lp.exp(), torch.le),
        "top-logp": (lambda lp, q: -lp, torch.ge),
        "bottom-logp": (lambda lp, q: -lp, torch.le),
    }
    if spec == "nll" or (family == "power" and value == 0):
        f, keep = (lambda lp, _: -lp), None
    elif family in families and value is not None and math.isfinite(value):
        f, keep = families[family]
        if keep is not None and not 0 <= value <= 1:
            raise ValueError(f"objective {spec!r}: the threshold q must be in [0, 1]")
    else:
        raise ValueError(f"unknown objective {spec!r}; known: nll, power:k, top-p:q, bottom-p:q, top-logp:q, bottom-logp:q")

    def loss(label_log_p, mask):
        weight = mask if keep is None else mask * keep(label_log_p.detach().exp(), value).float()
        return (f(label_log_p, value) * weight).sum() / (weight.sum() + 1e-8)
    return loss


def label_log_p(logits, labels):
    return F.log_softmax(logits.float(), -1).gather(-1, labels.unsqueeze(-1)).squeeze(-1)


# ---------------------------------------------------------------------------------- measurements

def random_batches(config, count, seed):
    """`count` batches of random tokens 1..vocab-1 (never the pad id 0): inputs, next-token labels,
    and a mask that is 0 on the first 30% of the input positions (the prompt)."""
    c = CONFIGS[config]
    generator = torch.Generator().manual_seed(seed)
    mask = torch.ones(c["batch"], c["sequence"])
    mask[:, :int(PROMPT_SHARE * c["sequence"])] = 0
    batches = []
    for _ in range(count):
        rows = torch.randint(1, c["vocab"], (c["batch"], c["sequence"] + 1), generator=generator)
        batches.append((rows[:, :-1], rows[:, 1:], mask))
    return batches


def train(args):
    c = CONFIGS[args.config]
    loss_of = args.loss
    model = build(args.config, c["sequence"])
    total = args.warmup + args.steps
    optimizer = torch.optim.AdamW(model.parameters(), lr=5e-5, betas=(0.9, 0.95), eps=1e-8, weight_decay=0.01)
    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: 0.5 * (1 + math.cos(math.pi * min(1.0, step / total))))
    seconds, losses = [], []
    for inputs, labels, mask in random_batches(args.config, total, SEED + 1):
        start = time.perf_counter()
        optimizer.zero_grad(set_to_none=True)
        loss = loss_of(label_log_p(model(inputs), labels), mask)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        schedule.step()
        losses.append(loss.item())
        seconds.append(time.perf_counter() - start)
    median = statistics.median(seconds[args.warmup:])
    return dict(config=args.config, objective=args.objective, params=parameter_count(model),
                tokens_per_second=c["batch"] * c["sequence"] / median, step_ms_median=1000 * median,
                peak_rss_mb=peak_rss_mb(), steps=args.steps, threads=torch.get_num_threads(),
                loss_first=losses[0], loss_last=losses[-1])


def probe(args):
    c = CONFIGS[args.config]
    model = build(args.config, c["sequence"]).eval()
    warm, measured = random_batches(args.config, 3, SEED + 2), random_batches(args.config, args.batches, SEED + 3)
    seconds, mean_p = [], []
    with torch.no_grad():
        for i, (inputs, labels, mask) in enumerate(warm + measured):
            start = time.perf_counter()
            p = label_log_p(model(inputs), labels).exp()
            p = p[mask.bool()]
            if i >= len(warm):
                seconds.append(time.perf_counter() - start)
                mean_p.append(p.mean().item())
    return dict(config=args.config, tokens_per_second=c["batch"] * c["sequence"] * args.batches / sum(seconds),
                median_batch_ms=1000 * statistics.median(seconds), batches=args.batches,
                mean_target_prob=statistics.mean(mean_p), peak_rss_mb=peak_rss_mb(), threads=torch.get_num_threads())


@torch.no_grad()
def greedy(model, prompts, new_tokens, use_cache):
    """The argmax continuation [B, new_tokens] of prompts [B, P]."""
    cache = model.new_cache(prompts.shape[0], prompts.shape[1] + new_tokens) if use_cache else None
    sequence, feed = prompts, prompts
    for _ in range(new_tokens):
        following = model(feed, cache)[:, -1].argmax(-1, keepdim=True)
        sequence = torch.cat([sequence, following], 1)
        feed = following if use_cache else sequence
    return sequence[:, prompts.shape[1]:]


def decode(args):
    model = build(args.config, args.prompt + args.new).eval()
    vocab = CONFIGS[args.config]["vocab"]
    prompts = torch.randint(1, vocab, (args.batch, args.prompt), generator=torch.Generator().manual_seed(SEED + 3))
    greedy(model, prompts, min(4, args.new), not args.no_cache)   # warm-up
    seconds = []
    for _ in range(args.repeats):
        start = time.perf_counter()
        greedy(model, prompts, args.new, not args.no_cache)
        seconds.append(time.perf_counter() - start)
    median = statistics.median(seconds)
    return dict(config=args.config, kv_cache=not args.no_cache, new_tokens_per_second=args.batch * args.new / median,
                median_seconds=median, batch=args.batch, prompt=args.prompt, new=args.new,
                peak_rss_mb=peak_rss_mb(), threads=torch.get_num_threads())


def shapes(args):
    model = build(args.config, CONFIGS[args.config]["sequence"])
    return dict(config=args.config, params=parameter_count(model),
                parameters={name: list(p.shape) for name, p in model.named_parameters()})


def parameter_count(model):
    return sum(p.numel() for p in model.parameters())


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024   # ru_maxrss is in KiB on Linux


# ----------------------------------------------------------------------------------- command line

def summary(result):
    if "objective" in result:
        return (f"{result['config']} {result['objective']}: {result['tokens_per_second']:.0f} tokens/s, "
                f"median step {result['step_ms_median']:.1f} ms, {result['params']} params, peak RSS {result['peak_rss_mb']:.0f} MB")
    if "kv_cache" in result:
        mode = "KV cache" if result["kv_cache"] else "no cache"
        return f"{result['config']} decode ({mode}): {result['new_tokens_per_second']:.0f} new tokens/s"
    return f"{result['config']} probe: {result['tokens_per_second']:.0f} tokens/s"


def parse(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)

    def command(name, text, run):
        sub = commands.add_parser(name, help=text)
        sub.add_argument("--config", choices=sorted(CONFIGS), default="tiny")
        sub.add_argument("--threads", type=int, default=2, help="torch threads (default 2)")
        sub.add_argument("--json", action="store_true", help="print one JSON line")
        sub.set_defaults(run=run)
        return sub

    sub = command("train", "median training step", train)
    sub.add_argument("--objective", default="nll", help="nll, power:k, top-p:q, ... (as bnll's)")
    sub.add_argument("--steps", type=int, default=20, help="measured steps")
    sub.add_argument("--warmup", type=int, default=5, help="unmeasured steps first")
    sub = command("probe", "no-grad forward and label probabilities", probe)
    sub.add_argument("--batches", type=int, default=50, help="measured batches")
    sub = command("decode", "greedy decoding", decode)
    sub.add_argument("--batch", type=int, default=32, help="prompts decoded together")
    sub.add_argument("--prompt", type=int, default=32, help="prompt tokens")
    sub.add_argument("--new", type=int, default=64, help="tokens generated per prompt")
    sub.add_argument("--repeats", type=int, default=3, help="measured repeats")
    sub.add_argument("--no-cache", action="store_true", help="recompute the whole sequence every step")
    command("shapes", "parameter names and shapes (always JSON)", shapes)

    args = parser.parse_args(argv)
    counts = {k: getattr(args, k) for k in ("steps", "batches", "batch", "prompt", "new", "repeats", "threads") if hasattr(args, k)}
    bad = [f"--{k} {v}" for k, v in counts.items() if v <= 0]
    if bad or getattr(args, "warmup", 0) < 0:
        parser.error(f"must be positive: {', '.join(bad)}" if bad else f"--warmup must not be negative, got {args.warmup}")
    if args.command == "train":
        try:
            args.loss = objective(args.objective)
        except ValueError as e:
            parser.error(str(e))
    return args


def main(argv):
    args = parse(argv)
    torch.set_num_threads(args.threads)
    result = args.run(args)
    result.update(torch=torch.__version__)
    print(json.dumps(result) if args.json or args.command == "shapes" else summary(result))


if __name__ == "__main__":
    main(sys.argv[1:])
