using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace BeyondNll.Training.Model;

/// <summary>
/// A Llama-style decoder-only language model:
/// token embedding → N × [RMSNorm → causal multi-head attention with rotary positions (grouped
/// key/value heads optional) → residual, RMSNorm → SwiGLU MLP → residual] → RMSNorm → linear head
/// (untied, or tied to the embedding). Biases only on q/k/v and only when the config asks (Qwen2).
/// With <see cref="DecoderConfig.Tiny"/> / <see cref="DecoderConfig.Small"/> it is the model of the
/// PyTorch anchor bench/torch_anchor.py, parameter for parameter.
/// <para>
/// Submodules are named as in Hugging Face's <c>LlamaForCausalLM</c> and <c>Qwen2ForCausalLM</c>, so
/// <c>state_dict()</c> and <c>named_parameters()</c> use their tensor names and a checkpoint in HF
/// layout loads with no renaming: <c>model.embed_tokens.weight</c>;
/// per layer i <c>model.layers.{i}.input_layernorm.weight</c>,
/// <c>model.layers.{i}.self_attn.{q,k,v,o}_proj.weight</c> (+ <c>{q,k,v}_proj.bias</c> with
/// AttentionBias), <c>model.layers.{i}.post_attention_layernorm.weight</c>,
/// <c>model.layers.{i}.mlp.{gate,up,down}_proj.weight</c>; <c>model.norm.weight</c>; and
/// <c>lm_head.weight</c>, absent when the head is tied. Weights are [out, in], as torch.nn.Linear.
/// </para>
/// <para>
/// <see cref="Hidden"/> and <see cref="Head"/> are separate so that a loss can compute logits a
/// chunk of tokens at a time: with a 150k vocabulary a full [tokens × vocab] buffer is the
/// largest tensor of a step. <c>forward(x)</c> is <c>Head(Hidden(x))</c>.
/// </para>
/// </summary>
public sealed class DecoderLM : nn.Module<Tensor, Tensor>
{
    // Field names, or their ComponentName, are the parameter names' prefixes.
    readonly Backbone model;
    [ComponentName(Name = "lm_head")] readonly Linear? lmHead;

    public DecoderConfig Config { get; }

    /// <summary>
    /// A model with Linear and Embedding weights drawn from N(0, 0.02²) (biases zero, norms one),
    /// deterministic under <c>torch.manual_seed</c>, or under <paramref name="generator"/> if given.
    /// </summary>
    public DecoderLM(DecoderConfig config, Generator? generator = null) : base(nameof(DecoderLM))
    {
        config.Validate();
        Config = config;
        model = new Backbone(config);
        if (!config.TieEmbeddings) lmHead = nn.Linear(config.HiddenSize, config.VocabSize, hasBias: false);
        RegisterComponents();
        Initialize(generator);
    }

    void Initialize(Generator? generator)
    {
        using var noGrad = no_grad();
        // Tensor.normal_ rather than nn.init.normal_, which in TorchSharp 0.107 ignores the generator.
        foreach (var (_, module) in named_modules())
        {
            switch (module)
            {
                case Linear linear:
                    linear.weight!.normal_(0.0, 0.02, generator);
                    linear.bias?.zero_();
                    break;
                case Embedding embedding:
                    embedding.weight!.normal_(0.0, 0.02, generator);
                    break;
            }
        }
    }

    /// <summary>Logits [B, T, vocab] of token ids [B, T] (int64): Head(Hidden(inputIds)).</summary>
    public override Tensor forward(Tensor inputIds) => forward(inputIds, null);

    /// <summary>Logits of the new tokens [B, T] at positions cache.Length..; see <see cref="Hidden"/>.</summary>
    public Tensor forward(Tensor inputIds, KvCache? cache)
    {
        using var hidden = Hidden(inputIds, cache);
        return Head(hidden);
    }

    /// <summary>
    /// Final-normed hidden states [B, T, hidden] of token ids [B, T]. Without a cache the ids are
    /// positions 0..T-1. With one they are positions cache.Length.., attend to the cached positions
    /// and to each other causally, and their keys and values are appended to the cache.
    /// </summary>
    public Tensor Hidden(Tensor inputIds, KvCache? cache = null)
    {
        long t = inputIds.shape[1];
        long start = cache?.Length ?? 0;
        if (start + t > Config.MaxPositions)
            throw new ArgumentException($"Positions {start}..{start + t - 1} exceed MaxPositions {Config.MaxPositions}.", nameof(inputIds));
        cache?.CheckRoom(inputIds.shape[0], t);

        using var scope = NewDisposeScope();
        var x = model.EmbedTokens.call(inputIds);
        foreach (var block in model.Layers) x = block.Forward(x, model.RotaryEmb, cache);
        cache?.Advance(t);
        return model.Norm.call(x).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// One forward and backward with gradient checkpointing: the layers run forward without a graph,
    /// keeping only each layer's input [B, T, hidden]; <paramref name="lossBackward"/> gets the final
    /// hidden states (attached to a graph that starts at the last layer's output) and must run its own
    /// backward, as <see cref="Objectives.ObjectiveLoss.ForwardBackward"/> does; then each layer, last
    /// first, is run forward again from its saved input with a graph and backpropagated at once. So at
    /// most one layer's activations are alive, for one more forward pass of compute. Gradients
    /// accumulate into the parameters exactly as a plain <c>Hidden</c> + backward would give them.
    /// </summary>
    public T CheckpointedForwardBackward<T>(Tensor inputIds, Func<Tensor, T> lossBackward)
    {
        if (inputIds.shape[1] > Config.MaxPositions)
            throw new ArgumentException($"Positions 0..{inputIds.shape[1] - 1} exceed MaxPositions {Config.MaxPositions}.", nameof(inputIds));
        using var scope = NewDisposeScope();
        var inputs = new List<Tensor>(model.Layers.Count);
        Tensor x;
        using (no_grad())
        {
            x = model.EmbedTokens.call(inputIds);
            foreach (var block in model.Layers)
            {
                inputs.Add(x);
                x = block.Forward(x, model.RotaryEmb, null);
            }
        }

        var last = x.detach().requires_grad_(true);
        var result = lossBackward(model.Norm.call(last));
        // No backward (a batch without response tokens): nothing reaches the layers either.
        if (last.grad is not Tensor gradient) return result;

        for (int i = model.Layers.Count - 1; i >= 0; i--)
        {
            using var layerScope = NewDisposeScope();
            var leaf = inputs[i].detach().requires_grad_(true);
            model.Layers[i].Forward(leaf, model.RotaryEmb, null).backward([gradient]);
            gradient = leaf.grad!.MoveToOuterDisposeScope();
        }
        // A frozen embedding (LoRA) has no graph to send the gradient into.
        if (model.EmbedTokens.weight!.requires_grad) model.EmbedTokens.call(inputIds).backward([gradient]);
        return result;
    }

    /// <summary>Whether LoRA adapters were added (<see cref="EnableLora"/>).</summary>
    public bool HasLora { get; private set; }

    /// <summary>
    /// Adds LoRA adapters to the targeted projections of every layer and freezes everything else, so
    /// that training updates the adapters only. The model computes the same function until trained
    /// (B starts at zero). Once only.
    /// </summary>
    public void EnableLora(LoraOptions options, Generator? generator = null)
    {
        options.Validate();
        if (HasLora) throw new InvalidOperationException("LoRA adapters were added already");
        foreach (var p in parameters()) p.requires_grad_(false);
        foreach (var block in model.Layers) block.EnableLora(options, generator);
        HasLora = true;
    }

    /// <summary>Folds the adapters into the base weights (W += (alpha/rank) · B A) and zeroes B: the function stays the same.</summary>
    public void MergeLora()
    {
        foreach (var block in model.Layers) block.MergeLora();
    }

    /// <summary>The parameters in Hugging Face's names: all but the LoRA adapters.</summary>
    public IEnumerable<(string Name, TorchSharp.Modules.Parameter Parameter)> BaseParameters() =>
        named_parameters().Where(p => !p.name.Contains($".{LoraAdapters.ModuleName}.", StringComparison.Ordinal));

    /// <summary>Logits [..., vocab] of hidden states [..., hidden]; any leading shape, e.g. a chunk of tokens.</summary>
    public Tensor Head(Tensor hidden) =>
        lmHead is not null
            ? lmHead.call(hidden)
            // Tied: read the embedding's weight at each call rather than keeping a reference,
            // which Module.to() would convert separately and so untie.
            : nn.functional.linear(hidden, model.EmbedTokens.weight!);

    /// <summary>
    /// An empty KV cache for <paramref name="batch"/> rows of up to <paramref name="maxLength"/>
    /// positions, on the model's device and in its dtype. Dispose it when done.
    /// </summary>
    public KvCache NewCache(int batch, int maxLength)
    {
        if (batch <= 0) throw new ArgumentOutOfRangeException(nameof(batch), batch, "must be positive");
        if (maxLength <= 0 || maxLength > Config.MaxPositions)
            throw new ArgumentOutOfRangeException(nameof(maxLength), maxLength, $"must be in 1..{Config.MaxPositions}");
        var weight = model.EmbedTokens.weight!;
        return new KvCache(Config, batch, maxLength, weight.dtype, weight.device);
    }

    /// <summary>Hugging Face's <c>LlamaModel</c>: everything but the head, under the name <c>model</c>.</summary>
    sealed class Backbone : nn.Module
    {
        [ComponentName(Name = "embed_tokens")] public readonly Embedding EmbedTokens;
        [ComponentName(Name = "layers")] public readonly ModuleList<DecoderBlock> Layers;
        [ComponentName(Name = "norm")] public readonly RmsNorm Norm;
        [ComponentName(Name = "rotary_emb")] public readonly RotaryEmbedding RotaryEmb;   // buffers only, nothing saved

        public Backbone(DecoderConfig config) : base(nameof(Backbone))
        {
            EmbedTokens = nn.Embedding(config.VocabSize, config.HiddenSize);
            Layers = nn.ModuleList(Enumerable.Range(0, config.Layers).Select(i => new DecoderBlock(config, i)).ToArray());
            Norm = new RmsNorm(config.HiddenSize, config.RmsNormEps);
            RotaryEmb = new RotaryEmbedding(config.HeadDim, config.MaxPositions, config.RopeTheta, config.RopeScaling);
            RegisterComponents();
        }
    }
}
