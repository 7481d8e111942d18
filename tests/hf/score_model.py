#!/usr/bin/env python3
"""Log probabilities of token ids under a model folder, computed by PyTorch.

Reads FOLDER/config.json and FOLDER/model.safetensors (F32 or BF16, as `bnll export --format hf` and
`bnll train --out` write them) and runs the reference forward pass of make_tiny_checkpoints.py (which
follows transformers' modeling_llama.py / modeling_qwen2.py). Prints one line of JSON:
{"logprobs": [log p(id[i] | id[:i]) for i = 1 ... n-1]}.

Needs only Debian's python3-torch:
  /usr/bin/python3 tests/hf/score_model.py FOLDER ID ID ...
"""
import json
import os
import struct
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_tiny_checkpoints import forward  # noqa: E402


def read_safetensors(path):
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
        data = f.read()
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        raw = bytearray(data[begin:end])
        if info["dtype"] == "F32":
            t = torch.frombuffer(raw, dtype=torch.float32)
        elif info["dtype"] == "BF16":
            t = torch.frombuffer(raw, dtype=torch.int16).view(torch.bfloat16).to(torch.float32)
        else:
            raise ValueError(f"{name}: dtype {info['dtype']}")
        tensors[name] = t.reshape(info["shape"])
    return tensors


def main():
    folder, ids = sys.argv[1], [int(i) for i in sys.argv[2:]]
    torch.set_num_threads(1)
    with open(os.path.join(folder, "config.json")) as f:
        cfg = json.load(f)
    weights = read_safetensors(os.path.join(folder, "model.safetensors"))
    with torch.no_grad():
        logits = forward(cfg, weights, torch.tensor([ids]))
    logprobs = torch.log_softmax(logits[0].float(), dim=-1)
    print(json.dumps({"logprobs": [logprobs[i - 1, ids[i]].item() for i in range(1, len(ids))]}))


if __name__ == "__main__":
    main()
