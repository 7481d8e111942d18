using BeyondNll.Training.Data;
using BeyondNll.Training.Model;
using BeyondNll.Training.Objectives;
using static TorchSharp.torch;

namespace BeyondNll.Training.Benchmarks;

/// <summary>How the loss of the measured step is computed.</summary>
public enum LossPath
{
    /// <summary>The trainer's path: the head and objective over response tokens only, in chunks (<see cref="ObjectiveLoss.ForwardBackward"/>).</summary>
    Chunked,
    /// <summary>The plain path: full [B, T, vocab] logits, then the loss (<see cref="ObjectiveLoss.BatchLoss"/>) and one backward.</summary>
    Full,
    /// <summary>Chunked, with gradient checkpointing of the layers.</summary>
    ChunkedCheckpointed,
}

/// <param name="BaselineRssMb">Peak RSS (VmHWM) with the model, optimizer and batch built, before the step.</param>
/// <param name="PeakRssMb">Peak RSS after one forward, backward and AdamW update.</param>
public sealed record MemoryBenchmarkResult(string Path, int Vocab, int Hidden, int Layers, int Batch, int Sequence,
    long Params, double BaselineRssMb, double PeakRssMb, double StepMb, double Seconds, double Loss, int ChunkTokens, int Threads);

/// <summary>
/// Peak memory of one training step of a large-vocabulary model, by loss path: what the chunked
/// objective saves over materialising [tokens × vocab] logits. VmHWM never goes down, so each path
/// must be measured in a fresh process (<c>bnll bench memory</c> starts one per path).
/// </summary>
public static class MemoryBenchmark
{
    public static MemoryBenchmarkResult Run(LossPath path, int vocab, int hidden, int layers, int batch, int sequence,
        int chunkTokens, int threads)
    {
        if (vocab <= 0 || hidden <= 0 || layers <= 0 || batch <= 0 || sequence < 2 || chunkTokens <= 0)
            throw new ArgumentException("--vocab, --hidden, --layers, --batch and --chunk-tokens must be positive and --sequence at least 2");
        set_num_threads(threads);
        manual_seed(1234);
        // Qwen2-like: tied head, q/k/v biases, 64-wide heads, 2 KV heads where the width allows.
        int heads = Math.Max(1, hidden / 64);
        var config = new DecoderConfig(vocab, hidden, layers, heads, heads % 2 == 0 ? 2 : heads, hidden * 11 / 4 / 64 * 64 + 64,
            sequence, RopeTheta: 1e6, RmsNormEps: 1e-6, TieEmbeddings: true, AttentionBias: true);
        using var model = new DecoderLM(config);
        using var optimizer = optim.AdamW(model.parameters(), 1e-5);
        var random = new Random(7);
        var promptLength = sequence * 3 / 10 + 1;
        var examples = Enumerable.Range(0, batch).Select(_ => new TokenizedExample(
            Enumerable.Range(0, promptLength).Select(_ => random.Next(1, vocab)).ToArray(),
            Enumerable.Range(0, sequence + 1 - promptLength).Select(_ => random.Next(1, vocab)).ToArray())).ToList();
        using var data = SftBatcher.Make(examples, sequence, padId: 0);
        var loss = new ObjectiveLoss(Objective.Parse("nll"));
        var baseline = TrainingBenchmark.PeakRssMb();

        var watch = System.Diagnostics.Stopwatch.StartNew();
        optimizer.zero_grad();
        double value;
        using (var scope = NewDisposeScope())
        {
            LossStats Chunked(Tensor h) => loss.ForwardBackward(h, model.Head, data.Labels, data.LossMask, chunkTokens: chunkTokens);
            switch (path)
            {
                case LossPath.Full:
                    var batchLoss = loss.BatchLoss(model.forward(data.InputIds), data.Labels, data.LossMask);
                    batchLoss.backward();
                    value = batchLoss.item<float>();
                    break;
                case LossPath.ChunkedCheckpointed:
                    value = model.CheckpointedForwardBackward(data.InputIds, Chunked).Loss;
                    break;
                default:
                    value = Chunked(model.Hidden(data.InputIds)).Loss;
                    break;
            }
        }
        optimizer.step();
        var seconds = watch.Elapsed.TotalSeconds;
        var peak = TrainingBenchmark.PeakRssMb();
        var name = path switch { LossPath.Full => "full", LossPath.Chunked => "chunked", _ => "checkpointed" };
        return new MemoryBenchmarkResult(name, vocab, hidden, layers, batch, sequence,
            model.parameters().Sum(p => p.numel()), baseline, peak, peak - baseline, seconds, value, chunkTokens, get_num_threads());
    }
}
