using System.Diagnostics;
using BeyondNll.Grains.Devices;
using BeyondNll.Grains.Workloads;
using BeyondNll.Training.Benchmarks;
using BeyondNll.Training.Checkpoints;
using BeyondNll.Training.Data;
using BeyondNll.Training.Evaluation;
using BeyondNll.Training.Synthetic;
using BeyondNll.Training.Trainer;
using BeyondNll.Training.Worker;
using TorchSharp;

namespace BeyondNll.Client.Bench;

/// <summary>
/// One attempt as measured: from the call to its first trained step, to its last, and to its end (after
/// the evaluation); and the median time between two steps in the second half of the run (a checkpoint's
/// write included where one falls between them), once the process is warm.
/// </summary>
public sealed record AttemptTiming(string Side, int Round, double FirstStepSeconds, double Seconds, double LastStepSeconds = double.NaN,
    double LateStepMs = double.NaN);

/// <summary>One side's medians over the rounds: to the first trained step, to the last, the whole attempt, a late step.</summary>
public sealed record AttemptSide(string Side, double FirstStepMedian, double LastStepMedian, double SecondsMedian, double LateStepMsMedian);

/// <summary>
/// What running a search's attempt in a worker process costs against running it in the silo's process,
/// and what its checkpoints cost. <c>startup_*</c>: per round, the worker's time minus the in-process
/// time of the same attempt (medians over the rounds); <c>checkpoint_*</c>: every checkpoint the
/// in-process attempts wrote (one size: the trainable weights and AdamW's two moments).
/// </summary>
public sealed record AttemptBenchmarkResult(string Config, long Params, int Steps, int CheckpointEvery, int Threads, int Rounds,
    double InProcessFirstStepMedian, double WorkerFirstStepMedian, double StartupSecondsMedian, double InProcessSecondsMedian,
    double WorkerSecondsMedian, double WallRatioMedian, int Checkpoints, double CheckpointMsMedian, double CheckpointMsMax, long CheckpointBytes,
    IReadOnlyList<AttemptTiming> Timings)
{
    /// <summary>Every side's medians (with <c>--without-checkpoints</c> also the two sides that write none).</summary>
    public IReadOnlyList<AttemptSide> Sides { get; init; } = [];

    /// <summary>
    /// With <c>--without-checkpoints</c>: the share of an in-process attempt's time that its checkpoints
    /// took, per round 1 − (the attempt without checkpoints ÷ the attempt with them), median; else NaN.
    /// </summary>
    public double CheckpointShareMedian { get; init; } = double.NaN;

    /// <summary>The same share for the worker's attempts.</summary>
    public double WorkerCheckpointShareMedian { get; init; } = double.NaN;
}

/// <summary>
/// `bnll bench attempt`: the same training attempt (a synthetic backbone of the anchor's tiny or small
/// shape, random weights, the addition task) run alternately in this process — as a silo ran them before
/// workers, warm: TorchSharp loaded, code compiled, by an unmeasured first attempt — and in a worker
/// process started as the torch workload starts it (<see cref="WorkerProcess"/>), the order switched
/// every round; optionally both also without checkpoints. Each attempt gets an empty checkpoint folder,
/// so none resumes.
/// </summary>
public static class AttemptBenchmark
{
    /// <param name="withoutCheckpoints">Also run both sides without checkpoints each round (as `bnll train`
    /// runs), to tell what the checkpoints cost from what the worker costs.</param>
    public static AttemptBenchmarkResult Run(BenchmarkConfig config, int steps, int every, int rounds, int threads, Action<string> log,
        CancellationToken ct, bool withoutCheckpoints = false)
    {
        if (steps < 1 || every < 1 || rounds < 1 || threads < 1)
            throw new ArgumentException("--steps, --checkpoint-every, --rounds and --threads must be at least 1");
        var worker = new WorkerOptions(WorkerOptions.DefaultDll());
        if (!File.Exists(worker.WorkerDll)) throw new ArgumentException($"the worker is not built at {worker.WorkerDll}");
        var folder = Path.Combine(Path.GetTempPath(), "bnll-bench-attempt", Guid.NewGuid().ToString("N")[..12]);
        try
        {
            var backbone = Path.Combine(folder, "backbone");
            var (train, val, _) = Commands.LocalRun.WriteData("addition", 256, noise: 0, seed: 1, valCount: 16, Path.Combine(folder, "data"));
            var model = config.Model(maxPositions: 64);
            SyntheticBackbone.Create(backbone, new SyntheticBackboneOptions { Task = "addition", PretrainSteps = 0, Config = model });
            var recipe = new TrainingRecipe { Steps = steps, MaxLength = 64, BatchSize = 8, LearningRate = 1e-3, Seed = 1, CheckpointEvery = every };
            var inputs = new RunInputs(backbone, train, val, new SftFieldMap("prompt", "response"), AnswerFormat.Parse("whole"));
            var slot = new DeviceSlot("cpu:0", "cpu", threads);
            torch.set_num_threads(threads);
            var written = new List<CheckpointWritten>();
            long parameters = 0;
            var run = 0;
            string NewFolder() => Path.Combine(folder, "checkpoints", (run++).ToString("D3"));

            AttemptTiming InProcess(string side, int round, bool measured, bool checkpointed)
            {
                var watch = Stopwatch.StartNew();
                var steps = new StepTimes(watch);
                var checkpoints = checkpointed
                    ? new TrainingCheckpoints(NewFolder(), every, "bench") { OnWritten = w => { if (measured) written.Add(w); } }
                    : null;
                var result = TrainingRun.Run(recipe, inputs, new RunHooks
                {
                    Metric = StudyMetric.Parse("nll"), Checkpoints = checkpoints,
                    OnStep = s => steps.Step(s.Step, s.Steps, s.Loss),
                });
                parameters = result.TrainableParameters;
                return steps.Timing(side, round);
            }

            AttemptTiming InWorker(string side, int round, bool checkpointed)
            {
                var watch = Stopwatch.StartNew();
                var steps = new StepTimes(watch);
                WorkerProcess.Run(worker, new WorkerJob
                {
                    Recipe = recipe, Backbone = backbone, Train = train, Val = val, Metric = "nll", Device = "cpu", Threads = threads,
                    Checkpoints = checkpointed ? NewFolder() : null, CheckpointEvery = every, CheckpointIdentity = "bench",
                }, slot, steps, ct);
                return steps.Timing(side, round);
            }

            const string Inside = "in-process", Outside = "worker", InsideBare = "in-process, no checkpoints", OutsideBare = "worker, no checkpoints";
            var sides = new List<(string Name, Func<int, AttemptTiming> Attempt)>
            {
                (Inside, r => InProcess(Inside, r, measured: true, checkpointed: true)),
                (Outside, r => InWorker(Outside, r, checkpointed: true)),
            };
            if (withoutCheckpoints)
            {
                sides.Add((InsideBare, r => InProcess(InsideBare, r, measured: false, checkpointed: false)));
                sides.Add((OutsideBare, r => InWorker(OutsideBare, r, checkpointed: false)));
            }

            log("warm-up: one attempt in this process (not measured)");
            InProcess(Inside, -1, measured: false, checkpointed: true);
            var timings = new List<AttemptTiming>();
            for (var round = 0; round < rounds; round++)
            {
                ct.ThrowIfCancellationRequested();
                // Each round starts with the next side, so every side takes every place in the order.
                var order = sides.Skip(round % sides.Count).Concat(sides.Take(round % sides.Count));
                var done = order.Select(s => s.Attempt(round)).ToList();
                timings.AddRange(done);
                log(string.Join("; ", done.Select(t =>
                    $"{t.Side}: first step {t.FirstStepSeconds:F2} s, last {t.LastStepSeconds:F2} s, whole {t.Seconds:F2} s, late step {t.LateStepMs:F0} ms")));
            }

            Dictionary<int, AttemptTiming> Of(string side) => timings.Where(t => t.Side == side).ToDictionary(t => t.Round);
            var rs = Enumerable.Range(0, rounds).ToList();
            double Share(string with, string without) =>
                withoutCheckpoints ? Median(rs.Select(r => 1 - Of(without)[r].Seconds / Of(with)[r].Seconds)) : double.NaN;
            var (inside, outside) = (Of(Inside), Of(Outside));
            return new AttemptBenchmarkResult(config.Name, parameters, steps, every, threads, rounds,
                Median(rs.Select(r => inside[r].FirstStepSeconds)), Median(rs.Select(r => outside[r].FirstStepSeconds)),
                Median(rs.Select(r => outside[r].FirstStepSeconds - inside[r].FirstStepSeconds)),
                Median(rs.Select(r => inside[r].Seconds)), Median(rs.Select(r => outside[r].Seconds)),
                Median(rs.Select(r => outside[r].Seconds / inside[r].Seconds)),
                written.Count, Median(written.Select(w => w.Seconds * 1000)), written.Count == 0 ? double.NaN : written.Max(w => w.Seconds * 1000),
                written.Count == 0 ? 0 : written[^1].Bytes, timings)
            {
                Sides = sides.Select(s => Of(s.Name).Values.ToList())
                    .Select(ts => new AttemptSide(ts[0].Side, Median(ts.Select(t => t.FirstStepSeconds)), Median(ts.Select(t => t.LastStepSeconds)),
                        Median(ts.Select(t => t.Seconds)), Median(ts.Select(t => t.LateStepMs)))).ToList(),
                CheckpointShareMedian = Share(Inside, InsideBare),
                WorkerCheckpointShareMedian = Share(Outside, OutsideBare),
            };
        }
        finally
        {
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    static double Median(IEnumerable<double> values) => TrainingBenchmark.Median(values.ToList());

    /// <summary>Notes when an attempt's steps end (in this process, or as the worker reports them).</summary>
    sealed class StepTimes(Stopwatch watch) : IWorkloadReporter
    {
        readonly List<(int Step, double Seconds)> ends = [];

        public void Step(int step, int steps, double loss) => ends.Add((step, watch.Elapsed.TotalSeconds));

        public void Intermediate(int step, double value) { }

        public AttemptTiming Timing(string side, int round)
        {
            var late = ends.Skip(ends.Count / 2).Zip(ends.Skip(ends.Count / 2 + 1), (a, b) => (b.Seconds - a.Seconds) * 1000).ToList();
            return new AttemptTiming(side, round, ends.Count > 0 ? ends[0].Seconds : double.NaN, watch.Elapsed.TotalSeconds,
                ends.Count > 0 ? ends[^1].Seconds : double.NaN, late.Count > 0 ? Median(late) : double.NaN);
        }
    }
}
