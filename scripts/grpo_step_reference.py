#!/usr/bin/env python3
# grpo_step_reference.py: the eager PyTorch baseline for the GRPO step.
#
# What this is
#   Alignment Workbench (awb) runs a GRPO step in C++/LibTorch; README compares
#   `awb bench --phases grpo` with this script, which runs the same step the way
#   the Python stack does it, in plain eager PyTorch (scripts/grpo_step_speed.sh
#   calls it as its "eager" part). It needs only torch (1.13 or later) and the
#   Python standard library: the model, the safetensors reader, LoRA and the
#   GRPO loss are written out here, so no transformers, peft, trl or safetensors
#   package is needed and every operation that is timed is visible below.
#
# The semantics followed
#   * Model: Hugging Face transformers' Qwen2ForCausalLM / LlamaForCausalLM with
#     eager attention: RMSNorm with fp32 statistics, rotary embeddings
#     (rotate_half convention, rope_theta; Llama 3 "llama3" rope scaling),
#     grouped-query attention with repeat_kv, an additive causal + padding mask,
#     softmax in fp32, SiLU-gated MLP, lm_head tied to embed_tokens when
#     tie_word_embeddings is true or lm_head.weight is absent. A bias is used on
#     any projection whose bias tensor is in the checkpoint (Qwen2: q, k, v).
#   * LoRA: PEFT's LoraLayer on q/k/v/o/gate/up/down_proj: A [r, in] with
#     kaiming_uniform_(a=sqrt(5)), B [out, r] zeros, scaling alpha / r, dropout on
#     the adapter's input in training mode; base weights frozen. The reference
#     model is the same model with the adapters off (PEFT's disable_adapter()),
#     as TRL does for a PEFT policy.
#   * The step: TRL's GRPOTrainer with num_iterations = 1 (old log-probs are the
#     current ones, detached), loss_type "dapo", epsilon 0.2, beta with the k3
#     estimator exp(ref - logp) - (ref - logp) - 1, temperature 1.0,
#     scale_rewards "group" (advantage = (r - group mean) / (group std + 1e-4)),
#     torch.optim.AdamW (weight_decay 0) after gradient-norm clipping
#     (max_grad_norm 1.0, the transformers Trainer default; --max-grad-norm 0 turns it off).
#       1. generation: B prompts of random token ids, each repeated G times;
#          new tokens sampled at temperature 1 (softmax + multinomial, no top-k/
#          top-p) with a KV cache: one prefill over the B*G rows, then one token
#          at a time for all rows, like generate(use_cache=True). Adapters on,
#          eval mode, no_grad. EOS is ignored, so every completion has exactly
#          --new-tokens tokens.
#       2. scoring: a random reward per completion, group-relative advantages.
#       3. reference: adapters off, no_grad, micro-batches of --mini-batch-size
#          rows over [prompt | completion]; only the positions that predict
#          completion tokens go through lm_head; per-token log-probs by
#          selective log-softmax (logit[target] - logsumexp(logits)).
#       4. update: adapters on, training mode (LoRA dropout active); per
#          micro-batch a forward with grad, the dapo loss
#          sum(per_token_loss * mask) / (completion tokens in the whole batch),
#          backward (gradients accumulate); then one AdamW step and zero_grad.
#     Rewards come from no reward model, so "scoring" here is almost free; it is
#     reported for completeness only.
#
# Usage
#   python3 scripts/grpo_step_reference.py MODEL_DIR [--prompts-per-step 4]
#       [--num-generations 4] [--prompt-tokens 32] [--new-tokens 32]
#       [--mini-batch-size 2] [--threads 2] [--steps 1] [--seed 0]
#       [--lora-r 16] [--lora-alpha 32] [--lora-dropout 0.05] [--beta 0.04]
#       [--lr 1e-5] [--dtype float32] [--json] [--self-check]
#   MODEL_DIR is a Hugging Face model folder: config.json and model.safetensors
#   (or shards listed in model.safetensors.index.json), weights in F32, BF16 or
#   F16; they are converted to float32 at load. One line per step is printed
#   (one JSON object per step with --json); later steps are the steady state.
#   --self-check asserts, on the first step, that KV-cache decoding gives the
#   logits of a full forward over the same sequences and that the reference
#   log-probs (adapters off) equal the policy's before the first optimiser step
#   (B = 0 at init); its report goes to stderr.

import argparse
import json
import math
import os
import resource
import struct
import sys
import time

try:
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except ImportError:
    sys.exit("grpo_step_reference: torch is not importable by %s (Debian: apt-get install python3-torch)"
             % sys.executable)


class ReferenceError_(Exception):
    """An error with a message meant for the user (no traceback)."""


# --------------------------------------------------------------------------
# safetensors, read by hand: u64 little-endian header length, a JSON header
# {name: {dtype, shape, data_offsets: [begin, end]}}, then the raw data.

_ST_DTYPES = {
    "F32": (torch.float32, 4),
    "F16": (torch.float16, 2),
    "BF16": (torch.bfloat16, 2),
    "F64": (torch.float64, 8),
}


class SafetensorsFile:
    def __init__(self, path):
        self.path = path
        try:
            size = os.path.getsize(path)
            with open(path, "rb") as f:
                head = f.read(8)
                if len(head) != 8:
                    raise ReferenceError_("%s: too short to be a safetensors file" % path)
                (n,) = struct.unpack("<Q", head)
                if n > size - 8:
                    raise ReferenceError_("%s: header length %d exceeds the file size %d" % (path, n, size))
                header = json.loads(f.read(n).decode("utf-8"))
        except OSError as e:
            raise ReferenceError_("%s: cannot read: %s" % (path, e.strerror or e))
        except (UnicodeDecodeError, ValueError) as e:
            raise ReferenceError_("%s: the safetensors header is not valid JSON (%s)" % (path, e))
        if not isinstance(header, dict):
            raise ReferenceError_("%s: the safetensors header is not a JSON object" % path)
        header.pop("__metadata__", None)
        self.header = header
        self.data_start = 8 + n
        self.size = size

    def names(self):
        return self.header.keys()

    def shape(self, name):
        return list(self.header[name]["shape"])

    def load_float32(self, name):
        info = self.header[name]
        dtype = info.get("dtype")
        if dtype not in _ST_DTYPES:
            raise ReferenceError_("%s: tensor '%s' has dtype %s; supported: %s"
                                  % (self.path, name, dtype, ", ".join(sorted(_ST_DTYPES))))
        tdtype, itemsize = _ST_DTYPES[dtype]
        shape = [int(s) for s in info["shape"]]
        begin, end = (int(x) for x in info["data_offsets"])
        numel = 1
        for s in shape:
            numel *= s
        if end - begin != numel * itemsize or self.data_start + end > self.size:
            raise ReferenceError_("%s: tensor '%s' (%s %s) has data_offsets [%d, %d] that do not fit it"
                                  % (self.path, name, dtype, shape, begin, end))
        if numel == 0:
            return torch.zeros(shape, dtype=torch.float32)
        buf = bytearray(end - begin)
        with open(self.path, "rb") as f:
            f.seek(self.data_start + begin)
            if f.readinto(buf) != len(buf):
                raise ReferenceError_("%s: tensor '%s' is truncated" % (self.path, name))
        if dtype == "BF16":
            t = torch.frombuffer(buf, dtype=torch.int16).view(torch.bfloat16)
        else:
            t = torch.frombuffer(buf, dtype=tdtype)
        return t.reshape(shape).to(torch.float32).clone()


class Checkpoint:
    """The tensors of a Hugging Face folder: model.safetensors or its shards."""

    def __init__(self, folder):
        self.folder = folder
        self.where = {}     # tensor name -> SafetensorsFile
        index = os.path.join(folder, "model.safetensors.index.json")
        single = os.path.join(folder, "model.safetensors")
        if os.path.isfile(index):
            try:
                with open(index, "r", encoding="utf-8") as f:
                    weight_map = json.load(f)["weight_map"]
            except (OSError, ValueError, KeyError) as e:
                raise ReferenceError_("%s: cannot read its weight_map (%s)" % (index, e))
            files = {}
            for name, fname in weight_map.items():
                path = os.path.join(folder, fname)
                if path not in files:
                    if not os.path.isfile(path):
                        raise ReferenceError_("%s: names shard %s, which does not exist" % (index, path))
                    files[path] = SafetensorsFile(path)
                if name not in files[path].header:
                    raise ReferenceError_("%s: tensor '%s' is listed for %s but is not in it" % (index, name, path))
                self.where[name] = files[path]
            self.description = index
        elif os.path.isfile(single):
            st = SafetensorsFile(single)
            for name in st.names():
                self.where[name] = st
            self.description = single
        else:
            raise ReferenceError_("%s: no model.safetensors and no model.safetensors.index.json" % folder)

    def has(self, name):
        return name in self.where

    def get(self, name, shape=None):
        if name not in self.where:
            raise ReferenceError_("%s: missing tensor '%s'" % (self.description, name))
        st = self.where[name]
        if shape is not None and st.shape(name) != list(shape):
            raise ReferenceError_("%s: tensor '%s' has shape %s, config.json implies %s"
                                  % (st.path, name, st.shape(name), list(shape)))
        return st.load_float32(name)


# --------------------------------------------------------------------------
# The model: transformers' Qwen2 / Llama decoder, eager attention.

class Config:
    def __init__(self, folder):
        path = os.path.join(folder, "config.json")
        if not os.path.isfile(path):
            raise ReferenceError_("%s: not found (MODEL_DIR must be a Hugging Face model folder)" % path)
        try:
            with open(path, "r", encoding="utf-8") as f:
                c = json.load(f)
        except (OSError, ValueError) as e:
            raise ReferenceError_("%s: cannot parse (%s)" % (path, e))

        def need(key):
            if key not in c or c[key] is None:
                raise ReferenceError_("%s: '%s' is missing" % (path, key))
            return c[key]

        self.path = path
        self.model_type = c.get("model_type", "?")
        self.hidden_size = int(need("hidden_size"))
        self.intermediate_size = int(need("intermediate_size"))
        self.num_layers = int(need("num_hidden_layers"))
        self.num_heads = int(need("num_attention_heads"))
        self.num_kv_heads = int(c.get("num_key_value_heads") or self.num_heads)
        self.vocab_size = int(need("vocab_size"))
        self.head_dim = int(c.get("head_dim") or self.hidden_size // self.num_heads)
        self.rms_norm_eps = float(c.get("rms_norm_eps", 1e-6))
        self.rope_theta = float(c.get("rope_theta", 10000.0))
        self.rope_scaling = c.get("rope_scaling")
        self.partial_rotary_factor = float(c.get("partial_rotary_factor", 1.0))
        self.tie_word_embeddings = bool(c.get("tie_word_embeddings", False))
        act = c.get("hidden_act", "silu")
        if act != "silu":
            raise ReferenceError_("%s: hidden_act '%s' is not supported (silu only)" % (path, act))
        if self.num_heads % self.num_kv_heads != 0:
            raise ReferenceError_("%s: num_attention_heads %d is not a multiple of num_key_value_heads %d"
                                  % (path, self.num_heads, self.num_kv_heads))
        if self.rope_scaling:
            rt = self.rope_scaling.get("rope_type", self.rope_scaling.get("type", "default"))
            if rt not in ("default", "llama3"):
                raise ReferenceError_("%s: rope_scaling type '%s' is not supported (default, llama3)" % (path, rt))


def rope_inv_freq(cfg):
    # transformers' _compute_default_rope_parameters (+ _compute_llama3_parameters)
    dim = int(cfg.head_dim * cfg.partial_rotary_factor)
    inv_freq = 1.0 / (cfg.rope_theta ** (torch.arange(0, dim, 2, dtype=torch.int64).float() / dim))
    rs = cfg.rope_scaling
    if rs and rs.get("rope_type", rs.get("type")) == "llama3":
        factor = rs["factor"]
        low_freq_factor = rs["low_freq_factor"]
        high_freq_factor = rs["high_freq_factor"]
        old_context_len = rs["original_max_position_embeddings"]
        low_freq_wavelen = old_context_len / low_freq_factor
        high_freq_wavelen = old_context_len / high_freq_factor
        wavelen = 2 * math.pi / inv_freq
        inv_freq_llama = torch.where(wavelen > low_freq_wavelen, inv_freq / factor, inv_freq)
        smooth_factor = (old_context_len / wavelen - low_freq_factor) / (high_freq_factor - low_freq_factor)
        smoothed = (1 - smooth_factor) * inv_freq_llama / factor + smooth_factor * inv_freq_llama
        is_medium = ~(wavelen < high_freq_wavelen) * ~(wavelen > low_freq_wavelen)
        inv_freq = torch.where(is_medium, smoothed, inv_freq_llama)
    return inv_freq


def rotate_half(x):
    x1 = x[..., : x.shape[-1] // 2]
    x2 = x[..., x.shape[-1] // 2:]
    return torch.cat((-x2, x1), dim=-1)


def repeat_kv(x, n_rep):
    if n_rep == 1:
        return x
    b, h, s, d = x.shape
    return x[:, :, None, :, :].expand(b, h, n_rep, s, d).reshape(b, h * n_rep, s, d)


class LoraLinear(nn.Module):
    """A frozen nn.Linear with a PEFT-style LoRA adapter."""

    def __init__(self, weight, bias, r, alpha, dropout):
        super().__init__()
        out_f, in_f = weight.shape
        self.weight = nn.Parameter(weight, requires_grad=False)
        self.bias = nn.Parameter(bias, requires_grad=False) if bias is not None else None
        self.r = r
        self.adapter_enabled = True
        if r > 0:
            self.lora_A = nn.Parameter(torch.empty(r, in_f))
            self.lora_B = nn.Parameter(torch.zeros(out_f, r))
            nn.init.kaiming_uniform_(self.lora_A, a=math.sqrt(5))   # PEFT reset_lora_parameters
            self.scaling = alpha / r
            self.lora_dropout = nn.Dropout(p=dropout) if dropout > 0 else nn.Identity()

    def forward(self, x):
        result = F.linear(x, self.weight, self.bias)
        if self.r > 0 and self.adapter_enabled:
            # lora_B(lora_A(dropout(x))) * scaling, as PEFT's Linear.forward
            result = result + F.linear(F.linear(self.lora_dropout(x), self.lora_A), self.lora_B) * self.scaling
        return result


class RMSNorm(nn.Module):
    def __init__(self, weight, eps):
        super().__init__()
        self.weight = nn.Parameter(weight, requires_grad=False)
        self.eps = eps

    def forward(self, x):
        dtype = x.dtype
        h = x.to(torch.float32)
        variance = h.pow(2).mean(-1, keepdim=True)
        h = h * torch.rsqrt(variance + self.eps)
        return self.weight * h.to(dtype)


class Attention(nn.Module):
    def __init__(self, cfg, q, k, v, o):
        super().__init__()
        self.q_proj, self.k_proj, self.v_proj, self.o_proj = q, k, v, o
        self.num_heads = cfg.num_heads
        self.num_kv_heads = cfg.num_kv_heads
        self.head_dim = cfg.head_dim
        self.n_rep = cfg.num_heads // cfg.num_kv_heads
        self.scaling = cfg.head_dim ** -0.5

    def forward(self, x, cos, sin, mask, cache, layer_idx):
        bsz, q_len, _ = x.shape
        q = self.q_proj(x).view(bsz, q_len, self.num_heads, self.head_dim).transpose(1, 2)
        k = self.k_proj(x).view(bsz, q_len, self.num_kv_heads, self.head_dim).transpose(1, 2)
        v = self.v_proj(x).view(bsz, q_len, self.num_kv_heads, self.head_dim).transpose(1, 2)
        cos = cos.unsqueeze(1)
        sin = sin.unsqueeze(1)
        q = (q * cos) + (rotate_half(q) * sin)
        k = (k * cos) + (rotate_half(k) * sin)
        if cache is not None:   # DynamicCache.update: concatenate along the sequence
            k, v = cache.update(k, v, layer_idx)
        k = repeat_kv(k, self.n_rep)
        v = repeat_kv(v, self.n_rep)
        w = torch.matmul(q, k.transpose(2, 3)) * self.scaling
        if mask is not None:
            w = w + mask[:, :, :, : k.shape[-2]]
        w = F.softmax(w, dim=-1, dtype=torch.float32).to(q.dtype)
        out = torch.matmul(w, v).transpose(1, 2).reshape(bsz, q_len, -1).contiguous()
        return self.o_proj(out)


class MLP(nn.Module):
    def __init__(self, gate, up, down):
        super().__init__()
        self.gate_proj, self.up_proj, self.down_proj = gate, up, down

    def forward(self, x):
        return self.down_proj(F.silu(self.gate_proj(x)) * self.up_proj(x))


class DecoderLayer(nn.Module):
    def __init__(self, cfg, attn, mlp, ln_in, ln_post):
        super().__init__()
        self.self_attn, self.mlp = attn, mlp
        self.input_layernorm, self.post_attention_layernorm = ln_in, ln_post

    def forward(self, x, cos, sin, mask, cache, layer_idx):
        h = x + self.self_attn(self.input_layernorm(x), cos, sin, mask, cache, layer_idx)
        return h + self.mlp(self.post_attention_layernorm(h))


class KVCache:
    def __init__(self, n_layers):
        self.keys = [None] * n_layers
        self.values = [None] * n_layers

    def length(self):
        return 0 if self.keys[0] is None else self.keys[0].shape[-2]

    def update(self, k, v, i):
        if self.keys[i] is None:
            self.keys[i], self.values[i] = k, v
        else:
            self.keys[i] = torch.cat([self.keys[i], k], dim=-2)
            self.values[i] = torch.cat([self.values[i], v], dim=-2)
        return self.keys[i], self.values[i]


class CausalLM(nn.Module):
    def __init__(self, cfg, ckpt, r, alpha, dropout):
        super().__init__()
        self.cfg = cfg
        H, I, V = cfg.hidden_size, cfg.intermediate_size, cfg.vocab_size
        nq, nkv, hd = cfg.num_heads * cfg.head_dim, cfg.num_kv_heads * cfg.head_dim, cfg.head_dim

        def proj(prefix, out_f, in_f):
            w = ckpt.get(prefix + ".weight", (out_f, in_f))
            b = ckpt.get(prefix + ".bias", (out_f,)) if ckpt.has(prefix + ".bias") else None
            return LoraLinear(w, b, r, alpha, dropout)

        self.embed_tokens = nn.Parameter(ckpt.get("model.embed_tokens.weight", (V, H)), requires_grad=False)
        layers = []
        for i in range(cfg.num_layers):
            p = "model.layers.%d." % i
            attn = Attention(cfg, proj(p + "self_attn.q_proj", nq, H), proj(p + "self_attn.k_proj", nkv, H),
                             proj(p + "self_attn.v_proj", nkv, H), proj(p + "self_attn.o_proj", H, nq))
            mlp = MLP(proj(p + "mlp.gate_proj", I, H), proj(p + "mlp.up_proj", I, H), proj(p + "mlp.down_proj", H, I))
            layers.append(DecoderLayer(cfg, attn, mlp,
                                       RMSNorm(ckpt.get(p + "input_layernorm.weight", (H,)), cfg.rms_norm_eps),
                                       RMSNorm(ckpt.get(p + "post_attention_layernorm.weight", (H,)), cfg.rms_norm_eps)))
        self.layers = nn.ModuleList(layers)
        self.norm = RMSNorm(ckpt.get("model.norm.weight", (H,)), cfg.rms_norm_eps)
        if cfg.tie_word_embeddings or not ckpt.has("lm_head.weight"):
            self.lm_head_weight = self.embed_tokens
            self.tied = True
        else:
            self.lm_head_weight = nn.Parameter(ckpt.get("lm_head.weight", (V, H)), requires_grad=False)
            self.tied = False
        self.register_buffer("inv_freq", rope_inv_freq(cfg), persistent=False)

    def lora_parameters(self):
        return [p for p in self.parameters() if p.requires_grad]

    def set_adapters(self, enabled):
        for m in self.modules():
            if isinstance(m, LoraLinear):
                m.adapter_enabled = enabled

    def lm_head(self, h):
        return F.linear(h, self.lm_head_weight)

    def hidden_states(self, input_ids, attention_mask, position_ids=None, cache=None):
        """The final-norm hidden states of input_ids [b, q]; attention_mask [b, past + q] (1 = token)."""
        bsz, q_len = input_ids.shape
        past = cache.length() if cache is not None else 0
        cache_position = torch.arange(past, past + q_len)
        if position_ids is None:        # Qwen2Model.forward: cache_position when none are given
            position_ids = cache_position.unsqueeze(0).expand(bsz, -1)
        x = F.embedding(input_ids, self.embed_tokens)
        # Rotary: inv_freq @ position_ids in fp32, emb = cat(freqs, freqs)
        freqs = (self.inv_freq[None, :, None].float() @ position_ids[:, None, :].float()).transpose(1, 2)
        emb = torch.cat((freqs, freqs), dim=-1)
        cos, sin = emb.cos().to(x.dtype), emb.sin().to(x.dtype)
        # Additive 4-D mask: causal on cache positions, plus the padding of attention_mask
        target_len = past + q_len
        allowed = torch.arange(target_len)[None, :] <= cache_position[:, None]
        allowed = allowed[None, None, :, :] & attention_mask[:, None, None, :target_len].bool()
        mask = torch.zeros(allowed.shape, dtype=x.dtype).masked_fill(~allowed, torch.finfo(x.dtype).min)
        for i, layer in enumerate(self.layers):
            x = layer(x, cos, sin, mask, cache, i)
        return self.norm(x)


# --------------------------------------------------------------------------
# The GRPO step.

def selective_log_softmax(logits, index):
    # TRL's selective_log_softmax for fp32 logits: gather, minus a per-row logsumexp
    selected = torch.gather(logits, dim=-1, index=index.unsqueeze(-1)).squeeze(-1)
    lse = torch.stack([torch.logsumexp(lg, dim=-1) for lg in logits])
    return selected - lse


def per_token_logps(model, prompt_ids, completion_ids, prompt_mask, completion_mask, temperature):
    ids = torch.cat([prompt_ids, completion_ids], dim=1)
    mask = torch.cat([prompt_mask, completion_mask], dim=1)
    P, T = prompt_ids.shape[1], completion_ids.shape[1]
    h = model.hidden_states(ids, mask)
    logits = model.lm_head(h[:, P - 1: P - 1 + T, :]) / temperature   # only the positions that predict completions
    return selective_log_softmax(logits, completion_ids)


@torch.no_grad()
def generate(model, prompt_ids, new_tokens, temperature, gen, record_logits=False):
    """Sampling with a KV cache, as generate(do_sample=True, use_cache=True) without EOS."""
    n = prompt_ids.shape[0]
    attention_mask = torch.ones_like(prompt_ids)
    cache = KVCache(len(model.layers))
    step_ids = prompt_ids
    out, recorded = [], []
    for t in range(new_tokens):
        # prepare_inputs_for_generation: position_ids from the attention mask
        pos = attention_mask.long().cumsum(-1) - 1
        pos.masked_fill_(attention_mask == 0, 1)
        pos = pos[:, -step_ids.shape[1]:]
        h = model.hidden_states(step_ids, attention_mask, pos, cache)
        logits = model.lm_head(h[:, -1:, :])[:, -1, :].to(torch.float32)   # logits_to_keep = 1
        if record_logits:
            recorded.append(logits.clone())
        if temperature != 1.0:
            logits = logits / temperature
        probs = F.softmax(logits, dim=-1)
        nxt = torch.multinomial(probs, num_samples=1, generator=gen)
        out.append(nxt)
        step_ids = nxt
        attention_mask = torch.cat([attention_mask, torch.ones((n, 1), dtype=attention_mask.dtype)], dim=1)
    completion = torch.cat(out, dim=1)
    return completion, (torch.stack(recorded, dim=1) if record_logits else None)


def rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def main(argv=None):
    ap = argparse.ArgumentParser(
        description="Eager PyTorch reference GRPO step (transformers Qwen2/Llama semantics, PEFT-style LoRA "
                    "with adapters off for the reference, TRL's dapo loss); the baseline for "
                    "`awb bench --phases grpo`. Needs only torch and the standard library.")
    ap.add_argument("model_dir", metavar="MODEL_DIR",
                    help="Hugging Face folder: config.json + model.safetensors (or shards with "
                         "model.safetensors.index.json); F32, BF16 or F16 weights")
    ap.add_argument("--prompts-per-step", type=int, default=4, help="B, distinct prompts per step (default 4)")
    ap.add_argument("--num-generations", type=int, default=4, help="G, completions per prompt (default 4)")
    ap.add_argument("--prompt-tokens", type=int, default=32, help="tokens per prompt (random ids; default 32)")
    ap.add_argument("--new-tokens", type=int, default=32, help="tokens generated per completion, EOS ignored (default 32)")
    ap.add_argument("--mini-batch-size", type=int, default=2, help="rows per reference/update micro-batch (default 2)")
    ap.add_argument("--threads", type=int, default=2, help="torch.set_num_threads (default 2)")
    ap.add_argument("--steps", type=int, default=1, help="GRPO steps to run (default 1)")
    ap.add_argument("--seed", type=int, default=0, help="seed of prompts, rewards, sampling, LoRA init, dropout (default 0)")
    ap.add_argument("--lora-r", type=int, default=16, help="LoRA rank (default 16)")
    ap.add_argument("--lora-alpha", type=float, default=32.0, help="LoRA alpha; scaling = alpha / r (default 32)")
    ap.add_argument("--lora-dropout", type=float, default=0.05, help="LoRA dropout on the adapter input (default 0.05)")
    ap.add_argument("--beta", type=float, default=0.04, help="KL coefficient, k3 estimator (default 0.04)")
    ap.add_argument("--lr", type=float, default=1e-5, help="AdamW learning rate (default 1e-5)")
    ap.add_argument("--max-grad-norm", type=float, default=1.0,
                    help="gradient-norm clipping before the AdamW step, as the transformers Trainer "
                         "(default 1.0; 0 = off)")
    ap.add_argument("--dtype", default="float32", choices=["float32"],
                    help="compute dtype; only float32 is supported (weights are converted at load)")
    ap.add_argument("--json", action="store_true", help="print one JSON object per step")
    ap.add_argument("--self-check", action="store_true",
                    help="on step 1, assert KV-cache decoding == full forward (logits, max abs diff < 1e-4) "
                         "and reference log-probs == policy log-probs before the optimiser step (LoRA B = 0)")
    a = ap.parse_args(argv)

    for name in ("prompts_per_step", "prompt_tokens", "new_tokens", "mini_batch_size", "threads", "steps"):
        if getattr(a, name) < 1:
            ap.error("--%s must be at least 1" % name.replace("_", "-"))
    if a.num_generations < 2:
        ap.error("--num-generations must be at least 2 (group-relative advantages need a group)")
    if a.lora_r < 1:
        ap.error("--lora-r must be at least 1")
    if not os.path.isdir(a.model_dir):
        raise ReferenceError_("%s: no such folder" % a.model_dir)

    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)   # LoRA init and dropout

    t0 = time.perf_counter()
    cfg = Config(a.model_dir)
    ckpt = Checkpoint(a.model_dir)
    model = CausalLM(cfg, ckpt, a.lora_r, a.lora_alpha, a.lora_dropout)
    del ckpt
    lora_params = model.lora_parameters()
    n_base = sum(p.numel() for p in model.parameters() if not p.requires_grad)
    n_lora = sum(p.numel() for p in lora_params)
    print("grpo_step_reference: %s (%s, %d layers, hidden %d, heads %d/%d, vocab %d%s): %.1fM frozen fp32 "
          "parameters, %.2fM LoRA (r=%d), loaded in %.1f s; torch %s, %d threads"
          % (a.model_dir, cfg.model_type, cfg.num_layers, cfg.hidden_size, cfg.num_heads, cfg.num_kv_heads,
             cfg.vocab_size, ", tied lm_head" if model.tied else "", n_base / 1e6, n_lora / 1e6, a.lora_r,
             time.perf_counter() - t0, torch.__version__, torch.get_num_threads()), file=sys.stderr)

    optimizer = torch.optim.AdamW(lora_params, lr=a.lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0)
    B, G, P, T, mb = a.prompts_per_step, a.num_generations, a.prompt_tokens, a.new_tokens, a.mini_batch_size
    N = B * G
    temperature = 1.0
    eps_low = eps_high = 0.2
    vocab_hi = min(cfg.vocab_size, 150000)

    for step in range(1, a.steps + 1):
        check = a.self_check and step == 1
        g_prompts = torch.Generator().manual_seed(a.seed * 1000003 + step)
        g_sample = torch.Generator().manual_seed(a.seed * 1000003 + step + 500000)
        g_reward = torch.Generator().manual_seed(a.seed * 1000003 + step + 700000)
        prompts = torch.randint(0, vocab_hi, (B, P), generator=g_prompts)
        prompt_ids = prompts.repeat_interleave(G, dim=0)           # TRL's RepeatSampler: groups are contiguous
        prompt_mask = torch.ones_like(prompt_ids)
        t_step = time.perf_counter()

        # 1. generation: adapters on, eval mode, no_grad, KV cache
        t = time.perf_counter()
        model.eval()
        model.set_adapters(True)
        completion_ids, gen_logits = generate(model, prompt_ids, T, temperature, g_sample, record_logits=check)
        completion_mask = torch.ones_like(completion_ids)           # EOS ignored: every token counts
        t_gen = time.perf_counter() - t

        # 2. scoring: random rewards, group-relative advantages (scale_rewards="group")
        t = time.perf_counter()
        rewards = torch.rand(N, generator=g_reward)
        grouped = rewards.view(-1, G)
        mean_g = grouped.mean(dim=1).repeat_interleave(G)
        std_g = grouped.std(dim=1).repeat_interleave(G)
        advantages = (rewards - mean_g) / (std_g + 1e-4)
        t_score = time.perf_counter() - t

        t_check = time.perf_counter()
        if check:   # outside the timed phases (and subtracted from the step's total)
            with torch.no_grad():
                full = model.lm_head(model.hidden_states(torch.cat([prompt_ids, completion_ids], 1),
                                                         torch.cat([prompt_mask, completion_mask], 1))
                                     [:, P - 1: P - 1 + T, :])
                kv_diff = (full - gen_logits).abs().max().item()
            print("self-check: KV-cache decoding vs full forward, max |logit diff| = %.3g over %d rows x %d "
                  "tokens" % (kv_diff, N, T), file=sys.stderr)
            assert kv_diff < 1e-4, "KV-cache logits differ from the full forward by %g" % kv_diff
            del full, gen_logits
        t_check = time.perf_counter() - t_check

        # 3. reference: adapters off, no_grad, micro-batches
        t = time.perf_counter()
        model.set_adapters(False)
        ref_chunks = []
        with torch.no_grad():
            for s in range(0, N, mb):
                ref_chunks.append(per_token_logps(model, prompt_ids[s:s + mb], completion_ids[s:s + mb],
                                                  prompt_mask[s:s + mb], completion_mask[s:s + mb], temperature))
        ref_logps = torch.cat(ref_chunks, dim=0)
        model.set_adapters(True)
        t_ref = time.perf_counter() - t

        # 4. update: adapters on, training mode, dapo loss, accumulate, one AdamW step
        t = time.perf_counter()
        model.train()
        num_items = completion_mask.sum()                       # completion tokens in the whole batch
        loss_total, kl_sum = 0.0, 0.0
        for s in range(0, N, mb):
            cm = completion_mask[s:s + mb]
            logps = per_token_logps(model, prompt_ids[s:s + mb], completion_ids[s:s + mb],
                                    prompt_mask[s:s + mb], cm, temperature)
            if check and s == 0:
                d = (logps.detach() - ref_logps[s:s + mb]).abs().max().item()
                print("self-check: policy (adapters on, B = 0) vs reference (adapters off) log-probs, first "
                      "micro-batch before the optimiser step: max |diff| = %.3g" % d, file=sys.stderr)
                assert d < 1e-6, "adapters on and off differ at init by %g" % d
            ref = ref_logps[s:s + mb]
            per_token_kl = torch.exp(ref - logps) - (ref - logps) - 1
            old = logps.detach()                                # num_iterations = 1
            coef_1 = torch.exp(logps - old)
            coef_2 = torch.clamp(coef_1, 1 - eps_low, 1 + eps_high)
            adv = advantages[s:s + mb].unsqueeze(1)
            per_token_loss = -torch.min(coef_1 * adv, coef_2 * adv)
            if a.beta != 0.0:
                per_token_loss = per_token_loss + a.beta * per_token_kl
            loss = (per_token_loss * cm).sum() / num_items
            loss.backward()
            loss_total += loss.item()
            kl_sum += (per_token_kl.detach() * cm).sum().item()
        grad_norm = None
        if a.max_grad_norm > 0:
            grad_norm = float(torch.nn.utils.clip_grad_norm_(lora_params, a.max_grad_norm))
        optimizer.step()
        optimizer.zero_grad()
        t_upd = time.perf_counter() - t
        t_total = time.perf_counter() - t_step - t_check
        kl = kl_sum / num_items.item()

        if check:
            assert math.isfinite(loss_total) and math.isfinite(kl), "loss %r / kl %r not finite" % (loss_total, kl)
            print("self-check: passed (loss %.6g, kl %.3g finite)" % (loss_total, kl), file=sys.stderr)

        rec = {"step": step,
               "time_s": {"generation": round(t_gen, 4), "scoring": round(t_score, 4),
                          "reference": round(t_ref, 4), "update": round(t_upd, 4), "step": round(t_total, 4)},
               "peak_rss_mb": round(rss_mb(), 1), "threads": torch.get_num_threads(), "torch": torch.__version__,
               "rows": N, "prompt_tokens": P, "new_tokens": T, "loss": loss_total, "kl": kl}
        if grad_norm is not None:
            rec["grad_norm"] = grad_norm
        if a.json:
            print(json.dumps(rec), flush=True)
        else:
            print("step %d: generation %.2f s, scoring %.3f s, reference %.2f s, update %.2f s, step %.2f s; "
                  "peak RSS %.0f MB; %d rows x (%d + %d) tokens, %d threads; loss %.6g, kl %.3g"
                  % (step, t_gen, t_score, t_ref, t_upd, t_total, rss_mb(), N, P, T,
                     torch.get_num_threads(), loss_total, kl), flush=True)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except ReferenceError_ as e:
        sys.exit("grpo_step_reference: %s" % e)
