#!/usr/bin/env python3
"""Export a Hugging Face T5 encoder to a DJL model directory.

The directory holds:
  model.pt            TorchScript: (input_ids int64 [B,L], attention_mask int64 [B,L]) -> float32 [B,D]
                      = mean pooling of the encoder's last hidden state over the attention mask,
                        (optional sentence-t5 dense projection), L2 normalisation
  tokenizer.json      Hugging Face fast tokenizer (loaded by DJL's HuggingFaceTokenizer)
  marquee-model.json  metadata: modelId, dimension, pooling, normalize, maxLength, pad/eos ids, torch version
  reference.json      (with --references) sentences and the embeddings Hugging Face computes for them, eager mode

Usage:
  export_t5.py --model t5-small --out models/t5-small                     # any T5 / flan-t5 checkpoint
  export_t5.py --model sentence-transformers/sentence-t5-base --out ...  # adds the dense projection
  export_t5.py --tiny --out models/tiny-t5 --references                   # tiny random T5 for tests
  export_t5.py --random t5-small --out .marquee/models/t5-small-random     # random weights, real dimensions
  export_t5.py --model t5-small --out models/t5-small --cuda --fp16        # + CUDA-traced fp32 and fp16 graphs
  (--tiny also prints mean intra-/inter-topic cosine on simulator-style catalog texts)

Trace with torch 2.5.1 (the libtorch inside DJL 0.32): newer torch versions write TorchScript older runtimes refuse.
"""
import argparse
import datetime
import json
import os
import random
import sys

import torch
import torch.nn.functional as F

TOPICS = os.path.join(os.path.dirname(__file__), "..", "..", "event-simulator", "src", "main", "resources",
                      "world", "topics.json")

ENGLISH = [
    "The quick brown fox jumps over the lazy dog.",
    "A recommendation engine suggests items that people are likely to enjoy.",
    "She bought a new pair of shoes for the weekend trip.",
    "This is a short sentence.",
    "Machine learning models learn patterns from data.",
    "What would you like to read next?",
    "Fresh coffee in the morning makes everything better.",
    "He plays music with his friends every Friday night.",
]


class Pooled(torch.nn.Module):
    """Encoder + masked mean pooling (+ dense) + L2 normalisation: what DJL runs."""

    def __init__(self, encoder, dense=None):
        super().__init__()
        self.encoder = encoder
        self.dense = dense

    def forward(self, input_ids, attention_mask):
        hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask)[0]
        mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)
        if self.dense is not None:
            pooled = self.dense(pooled)
        return F.normalize(pooled, p=2.0, dim=1)


class PooledHalf(torch.nn.Module):
    """fp16 variant for CUDA: the encoder runs in half precision, its last hidden state is cast back to float32
    before pooling, so the masked mean, the dense projection (kept in float32) and the L2 normalisation are fp32."""

    def __init__(self, encoder, dense=None):
        super().__init__()
        self.encoder = encoder.half()
        self.dense = dense

    def forward(self, input_ids, attention_mask):
        hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask)[0].float()
        mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)
        if self.dense is not None:
            pooled = self.dense(pooled)
        return F.normalize(pooled, p=2.0, dim=1)


# Dimensions of the public T5 encoders (config.json of the Hugging Face checkpoints), for --random: a model with
# the real compute cost but random weights, built without any download (benchmarks on machines without internet).
RANDOM_CONFIGS = {
    "t5-small": dict(d_model=512, d_kv=64, d_ff=2048, num_layers=6, num_heads=8),
    "t5-base": dict(d_model=768, d_kv=64, d_ff=3072, num_layers=12, num_heads=12),
}


def random_model(name, seed):
    """T5EncoderModel with the dimensions of `name` (vocabulary 32128, relu feed-forward as t5-small/base), randomly
    initialised. It embeds nothing meaningfully: for throughput measurements only."""
    from transformers import T5Config, T5EncoderModel
    torch.manual_seed(seed)
    config = T5Config(vocab_size=32128, relative_attention_num_buckets=32, relative_attention_max_distance=128,
                      num_decoder_layers=0, dropout_rate=0.0, feed_forward_proj="relu", torchscript=True,
                      **RANDOM_CONFIGS[name])
    return T5EncoderModel(config).eval()


def trace_checked(module, ids, mask, check_ids, check_mask, reference, tolerance, what):
    """Trace `module` on the device of `ids` and compare it with `reference` (eager) on other batch shapes."""
    with torch.no_grad():
        traced = torch.jit.trace(module, (ids, mask), check_trace=False)
        diff = (traced(check_ids, check_mask).float().cpu() - reference).abs().max().item()
    if diff > tolerance:
        sys.exit(f"{what}: traced model differs from eager float32 by {diff} (tolerance {tolerance})")
    print(f"{what}: max |traced - eager fp32| = {diff:.2e}", file=sys.stderr)
    return traced, diff


def topic_corpus(seed=0, n=4000):
    with open(TOPICS) as f:
        world = json.load(f)
    rnd = random.Random(seed)
    lines = []
    for _ in range(n):
        topic = rnd.choice(world["topics"])
        words = [rnd.choice(topic["words"]) if rnd.random() < 0.8 else rnd.choice(world["generic"])
                 for _ in range(rnd.randint(3, 14))]
        lines.append(" ".join(words))
    for t in world["topics"]:
        lines.append(" ".join(t["words"]))
        lines.append(t["name"] + " " + t["category"])
    return lines + ENGLISH * 20, world


def train_tiny_tokenizer(corpus, vocab_size):
    """A T5-style Unigram tokenizer: whole words of the corpus (scored by frequency) plus the subword pieces a
    Unigram trainer finds, so that unseen words still split into known pieces."""
    from collections import Counter
    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers
    normalizer = normalizers.Sequence([normalizers.NFKC(), normalizers.Lowercase()])
    pre = pre_tokenizers.Metaspace(replacement="\u2581", prepend_scheme="always")
    probe = Tokenizer(models.Unigram())
    probe.normalizer, probe.pre_tokenizer = normalizer, pre
    probe.train_from_iterator(corpus, trainer=trainers.UnigramTrainer(
        vocab_size=vocab_size, special_tokens=["<pad>", "</s>", "<unk>"], unk_token="<unk>"))
    pieces = dict(json.loads(probe.to_str())["model"]["vocab"][3:])
    words = Counter(w for line in corpus for w, _ in pre.pre_tokenize_str(normalizer.normalize_str(line)))
    total = sum(words.values())
    import math
    for word, count in words.items():
        pieces[word] = max(pieces.get(word, -1e9), math.log(count / total))
    vocab = [("<pad>", 0.0), ("</s>", 0.0), ("<unk>", 0.0)] + sorted(pieces.items(), key=lambda kv: -kv[1])
    tok = Tokenizer(models.Unigram(vocab, unk_id=2, byte_fallback=False))
    tok.normalizer = normalizer
    tok.pre_tokenizer = pre
    tok.decoder = decoders.Metaspace(replacement="\u2581", prepend_scheme="always")
    tok.add_special_tokens(["<pad>", "</s>", "<unk>"])
    assert tok.token_to_id("<pad>") == 0 and tok.token_to_id("</s>") == 1 and tok.token_to_id("<unk>") == 2
    tok.post_processor = processors.TemplateProcessing(single="$A </s>", pair="$A </s> $B </s>",
                                                       special_tokens=[("</s>", 1)])
    return tok


def tiny_model(vocab_size, seed, d_model=128, damping=0.1):
    from transformers import T5Config, T5EncoderModel
    torch.manual_seed(seed)
    config = T5Config(vocab_size=vocab_size, d_model=d_model, d_kv=d_model // 4, num_heads=4, d_ff=2 * d_model,
                      num_layers=2,
                      num_decoder_layers=0, relative_attention_num_buckets=32, dropout_rate=0.0,
                      feed_forward_proj="relu", torchscript=True)
    model = T5EncoderModel(config)
    # Damp the residual branches (attention and feed-forward output projections): with random weights the
    # encoder then stays close to a bag of its input tokens, so texts sharing words embed near each other.
    # Without pretrained weights this is what gives the tiny model topic structure for the simulator's catalog.
    with torch.no_grad():
        for name, param in model.named_parameters():
            if name.endswith(("SelfAttention.o.weight", "DenseReluDense.wo.weight")):
                param.mul_(damping)
    return model.eval(), config


def load_pretrained(name):
    """A T5 encoder, its fast tokenizer, for sentence-t5 layouts the dense projection (else None), and the
    checkpoint's own max sequence length when it declares one (sentence_bert_config.json, else None)."""
    from transformers import AutoTokenizer, T5EncoderModel
    dense = None
    max_seq_length = None
    encoder_path = name
    if os.path.isdir(name) and os.path.exists(os.path.join(name, "modules.json")):
        # sentence-transformers layout: 0_Transformer (or root) + 1_Pooling + 2_Dense + 3_Normalize
        with open(os.path.join(name, "modules.json")) as f:
            modules = json.load(f)
        for m in modules:
            if m["type"].endswith("Transformer") and m["path"]:
                encoder_path = os.path.join(name, m["path"])
            if m["type"].endswith("Pooling"):
                check_mean_pooling(os.path.join(name, m["path"]))
            if m["type"].endswith("Dense"):
                if dense is not None:
                    sys.exit("more than one Dense module: not supported")
                dense = load_dense(os.path.join(name, m["path"]))
        st_config = os.path.join(encoder_path, "sentence_bert_config.json")
        if os.path.exists(st_config):
            with open(st_config) as f:
                max_seq_length = json.load(f).get("max_seq_length")
    elif not os.path.isdir(name) and "sentence-t5" in name:
        from huggingface_hub import snapshot_download
        return load_pretrained(snapshot_download(name))
    model = T5EncoderModel.from_pretrained(encoder_path, torchscript=True).eval()
    tokenizer = AutoTokenizer.from_pretrained(encoder_path if os.path.exists(
        os.path.join(encoder_path, "tokenizer.json")) or not os.path.isdir(name) else name)
    return model, tokenizer.backend_tokenizer, dense, max_seq_length


def check_mean_pooling(path):
    cfg_path = os.path.join(path, "config.json")
    if os.path.exists(cfg_path):
        with open(cfg_path) as f:
            cfg = json.load(f)
        modes = [k for k, v in cfg.items() if k.startswith("pooling_mode") and v]
        if modes and modes != ["pooling_mode_mean_tokens"]:
            print(f"warning: checkpoint pools with {modes}; the export always mean-pools", file=sys.stderr)


def load_dense(path):
    """sentence-transformers Dense module: Linear, then its activation (sentence-t5: Identity)."""
    with open(os.path.join(path, "config.json")) as f:
        cfg = json.load(f)
    layer = torch.nn.Linear(cfg["in_features"], cfg["out_features"], bias=cfg.get("bias", True))
    activation = cfg.get("activation_function", "torch.nn.modules.linear.Identity").rsplit(".", 1)[-1]
    if activation not in ("Identity", "Tanh"):
        sys.exit(f"Dense activation {activation} not supported")
    weights = os.path.join(path, "pytorch_model.bin")
    if os.path.exists(weights):
        state = torch.load(weights, map_location="cpu")
    else:
        from safetensors.torch import load_file
        state = load_file(os.path.join(path, "model.safetensors"))
    layer.load_state_dict({k.replace("linear.", ""): v for k, v in state.items()})
    return (torch.nn.Sequential(layer, torch.nn.Tanh()) if activation == "Tanh" else layer).eval()


def encode_batch(tokenizer, texts, max_length):
    tokenizer.enable_truncation(max_length)
    tokenizer.enable_padding(pad_id=0, pad_token="<pad>")
    enc = tokenizer.encode_batch(texts)
    ids = torch.tensor([e.ids for e in enc], dtype=torch.int64)
    mask = torch.tensor([e.attention_mask for e in enc], dtype=torch.int64)
    return ids, mask


def reference_sentences(world):
    topics = world["topics"]
    long_text = " ".join(topics[0]["words"] * 6)  # longer than max length: truncated
    return [
        "hiking tent with waterproof jacket",
        "Cast iron skillet and dutch oven for the chef",
        "Mechanical RGB keyboard for esports streaming",
        "mystery novel",
        "a",
        "The quick brown fox jumps over the lazy dog.",
        "yoga mat, foam roller & resistance bands!!",
        "Zebra xylophone quantum",  # mostly out of vocabulary: falls back to pieces / <unk>
        long_text,
    ]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", help="Hugging Face id or local directory of a T5 checkpoint")
    ap.add_argument("--tiny", action="store_true", help="build a tiny random T5 with a tokenizer trained here")
    ap.add_argument("--random", choices=sorted(RANDOM_CONFIGS),
                    help="random weights with these dimensions and the tokenizer trained here (benchmarks only)")
    ap.add_argument("--cuda", action="store_true",
                    help="also write model-cuda.pt traced on the GPU (a graph traced on CPU keeps CPU-only "
                         "constants, e.g. the relative-position arange); needs a CUDA machine")
    ap.add_argument("--fp16", action="store_true",
                    help="also write model-cuda-fp16.pt: encoder in half precision, pooling, dense and L2 "
                         "normalisation in float32, traced on the GPU (implies --cuda)")
    ap.add_argument("--out", required=True)
    ap.add_argument("--max-length", type=int, default=None, help="tokens, </s> included (default 512; tiny: 48)")
    ap.add_argument("--references", action="store_true", help="write reference.json computed by Hugging Face")
    ap.add_argument("--vocab-size", type=int, default=1200)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--tiny-d-model", type=int, default=128,
                    help="tiny: hidden size (d_kv = d_model/4, d_ff = 2*d_model); 64 gives a 0.55 MB model.pt")
    ap.add_argument("--tiny-damping", type=float, default=0.1,
                    help="tiny: scale of the residual output projections after random init (1.0 = plain init)")
    args = ap.parse_args()
    if sum(map(bool, (args.tiny, args.model, args.random))) != 1:
        ap.error("give exactly one of --model, --tiny or --random")
    args.cuda = args.cuda or args.fp16
    if args.cuda and not torch.cuda.is_available():
        ap.error("--cuda/--fp16 trace on the GPU: no CUDA device visible to this torch")
    os.makedirs(args.out, exist_ok=True)

    corpus, world = topic_corpus(args.seed)
    if args.tiny:
        tokenizer = train_tiny_tokenizer(corpus, args.vocab_size)
        encoder, config = tiny_model(tokenizer.get_vocab_size(), args.seed, args.tiny_d_model, args.tiny_damping)
        dense = None
        model_id = "marquee/tiny-t5-random"
        max_length = args.max_length or 48
    elif args.random:
        tokenizer = train_tiny_tokenizer(corpus, args.vocab_size)
        encoder, dense = random_model(args.random, args.seed), None
        model_id = f"marquee/{args.random}-random"
        max_length = args.max_length or 512
    else:
        encoder, tokenizer, dense, declared_max = load_pretrained(args.model)
        model_id = args.model
        max_length = args.max_length or declared_max or 512
    tokenizer.no_padding()
    tokenizer.no_truncation()
    tokenizer.save(os.path.join(args.out, "tokenizer.json"))

    pooled = Pooled(encoder, dense).eval()
    ids, mask = encode_batch(tokenizer, ["a short one", "a longer example sentence with more tokens in it"],
                             max_length)
    with torch.no_grad():
        traced = torch.jit.trace(pooled, (ids, mask), check_trace=False)
        # the traced graph must follow other batch sizes and lengths exactly
        ids2, mask2 = encode_batch(tokenizer, reference_sentences(world), max_length)
        eager = pooled(ids2, mask2)
        diff = (traced(ids2, mask2) - eager).abs().max().item()
        if diff > 1e-5:
            sys.exit(f"traced model differs from eager by {diff}")
        dimension = int(pooled(ids2[:1], mask2[:1]).shape[1])
    traced.save(os.path.join(args.out, "model.pt"))
    variants = {}
    if args.cuda:
        cuda = torch.device("cuda")
        on_gpu = [t.to(cuda) for t in (ids, mask, ids2, mask2)]
        traced_cuda, _ = trace_checked(pooled.to(cuda), *on_gpu, eager, 1e-4, "cuda fp32")
        traced_cuda.save(os.path.join(args.out, "model-cuda.pt"))
        variants["cuda"] = "model-cuda.pt"
        if args.fp16:
            # a copy: PooledHalf casts the encoder in place; the float32 module is still needed below
            import copy
            half = PooledHalf(copy.deepcopy(pooled.encoder), pooled.dense).to(cuda)
            if half.dense is not None:
                half.dense.float()
            traced_half, half_diff = trace_checked(half, *on_gpu, eager, 5e-2, "cuda fp16")
            traced_half.save(os.path.join(args.out, "model-cuda-fp16.pt"))
            variants["cuda-fp16"] = "model-cuda-fp16.pt"
            variants["cudaFp16MaxAbsDiff"] = round(half_diff, 6)
        pooled.to("cpu")

    meta = {
        "modelId": model_id,
        "dimension": dimension,
        "pooling": "mean",
        "normalize": True,
        "dense": dense is not None,
        "maxLength": max_length,
        "padTokenId": 0,
        "eosTokenId": 1,
        "torchVersion": torch.__version__,
        "variants": variants,
        "exportedAt": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    }
    with open(os.path.join(args.out, "marquee-model.json"), "w") as f:
        json.dump(meta, f, indent=2)

    if args.references:
        sentences = reference_sentences(world)
        ids, mask = encode_batch(tokenizer, sentences, max_length)
        with torch.no_grad():
            vectors = pooled(ids, mask)  # eager Hugging Face modules, not the traced graph
        with open(os.path.join(args.out, "reference.json"), "w") as f:
            json.dump({"maxLength": max_length, "sentences": sentences,
                       "tokenCounts": [int(m.sum()) for m in mask],
                       "embeddings": [[round(float(x), 7) for x in v] for v in vectors]}, f)
    if args.tiny:
        intra, inter, purity = topic_separation(traced, tokenizer, world, max_length)
        print(f"topic separation on simulator-style catalog texts: mean intra-topic cosine {intra:.3f}, "
              f"inter-topic {inter:.3f}, 10-NN topic purity {purity:.3f}", file=sys.stderr)
    print(json.dumps(meta))


def topic_separation(model, tokenizer, world, max_length, per_topic=40, seed=42):
    """Items generated like the simulator's catalog (World.item: title + ". " + description): mean cosine of pairs
    of the same topic, of different topics, and the share of each item's 10 nearest neighbours in its topic."""
    rnd = random.Random(seed)
    texts, labels = [], []
    for t, topic in enumerate(world["topics"]):
        for _ in range(per_topic):
            title = " ".join([rnd.choice(world["generic"]), rnd.choice(topic["words"]), rnd.choice(topic["words"])])
            description = " ".join(rnd.choice(topic["words"]) if rnd.random() < 0.8 else rnd.choice(world["generic"])
                                   for _ in range(10))
            texts.append(title + ". " + description)
            labels.append(t)
    ids, mask = encode_batch(tokenizer, texts, max_length)
    with torch.no_grad():
        v = model(ids, mask)
    sim = v @ v.T
    lab = torch.tensor(labels)
    same = lab[:, None] == lab[None, :]
    eye = torch.eye(len(texts), dtype=torch.bool)
    sim_nn = sim.masked_fill(eye, -2.0)
    purity = (lab[sim_nn.topk(10, dim=1).indices] == lab[:, None]).float().mean().item()
    return sim[same & ~eye].mean().item(), sim[~same].mean().item(), purity


if __name__ == "__main__":
    main()
