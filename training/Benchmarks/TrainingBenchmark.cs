using System.Diagnostics;
using BeyondNll.Training.Data;
using BeyondNll.Training.Evaluation;
using BeyondNll.Training.Model;
using BeyondNll.Training.Objectives;
using BeyondNll.Training.Trainer;
using static TorchSharp.torch;

namespace BeyondNll.Training.Benchmarks;

/// <summary>A configuration of the PyTorch anchor (bench/torch_anchor.py): model and batch shape.</summary>
public sealed record BenchmarkConfig(string Name, int Vocab, int Width, int Layers, int Heads, int Sequence, int Batch)
{
    public static BenchmarkConfig Tiny { get; } = new("tiny", 128, 128, 4, 4, 128, 32);
    public static BenchmarkConfig Small { get; } = new("small", 128, 256, 6, 8, 256, 16);

    public static BenchmarkConfig Named(string name) => name switch
    {
        "tiny" => Tiny,
        "small" => Small,
        _ => throw new ArgumentException($"unknown benchmark config '{name}'; use tiny or small"),
    };

    /// <summary>The anchor's model: MLP width 4·d rounded up to 64, untied head.</summary>
    public DecoderConfig Model(int maxPositions) => new(Vocab, Width, Layers, Heads, Heads,
        (int)Math.Ceiling(4.0 * Width / 64) * 64, Math.Max(maxPositions, Sequence));
}

/// <param name="LossMsMedian">Median over the measured steps of the time in the head and the objective
/// (<see cref="LossStats.Seconds"/>): an upper bound on what the objective costs per step.</param>
public sealed record TrainBenchmarkResult(string Config, string Objective, long Params, double TokensPerSecond,
    double StepMsMedian, double PeakRssMb, int Steps, int Threads, double LossFirst, double LossLast, double LossMsMedian);

public sealed record ProbeBenchmarkResult(string Config, double TokensPerSecond, double MedianBatchMs, int Batches,
    double MeanTargetProb, double PeakRssMb, int Threads);

public sealed record DecodeBenchmarkResult(string Config, bool KvCache, double NewTokensPerSecond, double MedianSeconds,
    int Batch, int Prompt, int New, double PeakRssMb, int Threads);

/// <summary>
/// The measurements of the training layer that are compared with the PyTorch anchor, made the same
/// way: the same model and batch shapes, random tokens, 30% of each sequence a masked prompt, the
/// median over measured steps after unmeasured warm-up steps, and the real code paths (trainer,
/// probe scoring, greedy decoder) rather than a copy of them.
/// </summary>
public static class TrainingBenchmark
{
    const double PromptShare = 0.3;
    const int Seed = 1234;

    public static TrainBenchmarkResult Train(BenchmarkConfig config, string objectiveSpec, int steps, int warmup, int threads)
    {
        if (steps <= 0 || warmup < 0) throw new ArgumentException("--steps must be positive and --warmup not negative");
        var objective = Objective.Parse(objectiveSpec);
        set_num_threads(threads);
        manual_seed(Seed);
        using var model = new DecoderLM(config.Model(config.Sequence));
        var examples = RandomExamples(config, (warmup + steps) * config.Batch, Seed + 1);
        var result = new SftTrainer(model, new TrainingRecipe
        {
            Objective = objective.Spec,
            Steps = warmup + steps,
            LearningRate = 5e-5,
            WarmupFraction = 0,
            BatchSize = config.Batch,
            MaxLength = config.Sequence,
            Seed = Seed,
        }, padId: 0).Train(examples);

        var measured = result.History.Skip(warmup).ToList();
        var median = Median(measured.Select(h => h.Seconds).ToList());
        return new TrainBenchmarkResult(config.Name, objective.Spec, model.parameters().Sum(p => p.numel()),
            config.Batch * config.Sequence / median, median * 1000, PeakRssMb(), steps, get_num_threads(),
            result.History[0].Loss, result.History[^1].Loss, Median(measured.Select(h => h.LossSeconds).ToList()) * 1000);
    }

    public static ProbeBenchmarkResult Probe(BenchmarkConfig config, int batches, int threads)
    {
        if (batches <= 0) throw new ArgumentException("--batches must be positive");
        const int warmupBatches = 3;
        set_num_threads(threads);
        manual_seed(Seed);
        using var model = new DecoderLM(config.Model(config.Sequence));
        var warm = RandomExamples(config, warmupBatches * config.Batch, Seed + 2);
        var measured = RandomExamples(config, batches * config.Batch, Seed + 3);
        ResponseTokenScores.LogProbabilities(model, warm, config.Sequence, padId: 0, batchSize: config.Batch);

        var times = new List<double>();
        var meanP = new List<double>();
        for (var b = 0; b < batches; b++)
        {
            var batch = measured.Skip(b * config.Batch).Take(config.Batch).ToList();
            var watch = Stopwatch.StartNew();
            var logProbs = ResponseTokenScores.LogProbabilities(model, batch, config.Sequence, padId: 0, batchSize: config.Batch);
            times.Add(watch.Elapsed.TotalSeconds);
            meanP.Add(logProbs.Average(v => Math.Exp(v)));
        }
        return new ProbeBenchmarkResult(config.Name, (double)config.Batch * config.Sequence * batches / times.Sum(),
            Median(times) * 1000, batches, meanP.Average(), PeakRssMb(), get_num_threads());
    }

    public static DecodeBenchmarkResult Decode(BenchmarkConfig config, int batch, int prompt, int newTokens, int repeats,
        bool useCache, int threads)
    {
        if (batch <= 0 || prompt <= 0 || newTokens <= 0 || repeats <= 0)
            throw new ArgumentException("--batch, --prompt, --new and --repeats must be positive");
        set_num_threads(threads);
        manual_seed(Seed);
        using var model = new DecoderLM(config.Model(prompt + newTokens));
        var random = new Random(Seed + 3);
        var prompts = Enumerable.Range(0, batch)
            .Select(_ => Enumerable.Range(0, prompt).Select(_ => random.Next(1, config.Vocab)).ToArray()).ToList();
        GreedyDecoder.Generate(model, prompts, Math.Min(4, newTokens), stopToken: null, useCache, batch);

        var times = new List<double>();
        for (var r = 0; r < repeats; r++)
        {
            var watch = Stopwatch.StartNew();
            GreedyDecoder.Generate(model, prompts, newTokens, stopToken: null, useCache, batch);
            times.Add(watch.Elapsed.TotalSeconds);
        }
        var median = Median(times);
        return new DecodeBenchmarkResult(config.Name, useCache, batch * newTokens / median, median, batch, prompt, newTokens,
            PeakRssMb(), get_num_threads());
    }

    /// <summary>Sequences of exactly Sequence + 1 random tokens (never the pad id 0), the first 30% a prompt.</summary>
    static List<TokenizedExample> RandomExamples(BenchmarkConfig config, int count, int seed)
    {
        var random = new Random(seed);
        // The anchor masks the first int(0.3 · seq) input positions; an input position is masked
        // here while its label is still a prompt token, hence one more prompt token.
        var promptLength = (int)(PromptShare * config.Sequence) + 1;
        var responseLength = config.Sequence + 1 - promptLength;
        int[] Tokens(int n) => Enumerable.Range(0, n).Select(_ => random.Next(1, config.Vocab)).ToArray();
        return Enumerable.Range(0, count).Select(_ => new TokenizedExample(Tokens(promptLength), Tokens(responseLength))).ToList();
    }

    /// <summary>The median of the values (NaN when there are none).</summary>
    public static double Median(IReadOnlyList<double> values)
    {
        if (values.Count == 0) return double.NaN;
        var sorted = values.Order().ToArray();
        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    /// <summary>Peak resident set size of this process (VmHWM), in MB; NaN where /proc is not there.</summary>
    public static double PeakRssMb()
    {
        const string path = "/proc/self/status";
        if (!File.Exists(path)) return double.NaN;
        var line = File.ReadLines(path).FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return line is null ? double.NaN : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024.0;
    }
}
