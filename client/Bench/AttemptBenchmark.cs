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

/// <summary>One attempt as measured: from the call to its first trained step, and to its end.</summary>
public sealed record AttemptTiming(string Side, int Round, double FirstStepSeconds, double Seconds);

/// <summary>
/// What running a search's attempt in a worker process costs against running it in the silo's process,
/// and what its checkpoints cost. <c>startup_*</c>: per round, the worker's time minus the in-process
/// time of the same attempt (medians over the rounds); <c>checkpoint_*</c>: every checkpoint the
/// in-process attempts wrote (one size: the trainable weights and AdamW's two moments).
/// </summary>
public sealed record AttemptBenchmarkResult(string Config, long Params, int Steps, int CheckpointEvery, int Threads, int Rounds,
    double InProcessFirstStepMedian, double WorkerFirstStepMedian, double StartupSecondsMedian, double InProcessSecondsMedian,
    double WorkerSecondsMedian, double WallRatioMedian, int Checkpoints, double CheckpointMsMedian, double CheckpointMsMax, long CheckpointBytes,
    IReadOnlyList<AttemptTiming> Timings);

/// <summary>
/// `bnll bench attempt`: the same training attempt (a synthetic backbone of the anchor's tiny or small
/// shape, random weights, the addition task) run alternately in this process — as a silo ran them before
/// workers, warm: TorchSharp loaded, code compiled, by an unmeasured first attempt — and in a worker
/// process started as the torch workload starts it (<see cref="WorkerProcess"/>), the order switched
/// every round. Each attempt gets an empty checkpoint folder, so none resumes.
/// </summary>
public static class AttemptBenchmark
{
    public static AttemptBenchmarkResult Run(BenchmarkConfig config, int steps, int every, int rounds, int threads, Action<string> log,
        CancellationToken ct)
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

            AttemptTiming InProcess(int round, bool measured)
            {
                var watch = Stopwatch.StartNew();
                double? first = null;
                var checkpoints = new TrainingCheckpoints(NewFolder(), every, "bench") { OnWritten = w => { if (measured) written.Add(w); } };
                var result = TrainingRun.Run(recipe, inputs, new RunHooks
                {
                    Metric = StudyMetric.Parse("nll"), Checkpoints = checkpoints, OnStep = _ => first ??= watch.Elapsed.TotalSeconds,
                });
                parameters = result.TrainableParameters;
                return new AttemptTiming("in-process", round, first ?? double.NaN, watch.Elapsed.TotalSeconds);
            }

            AttemptTiming InWorker(int round)
            {
                var watch = Stopwatch.StartNew();
                var reporter = new FirstStep(watch);
                WorkerProcess.Run(worker, new WorkerJob
                {
                    Recipe = recipe, Backbone = backbone, Train = train, Val = val, Metric = "nll", Device = "cpu", Threads = threads,
                    Checkpoints = NewFolder(), CheckpointEvery = every, CheckpointIdentity = "bench",
                }, slot, reporter, ct);
                return new AttemptTiming("worker", round, reporter.Seconds ?? double.NaN, watch.Elapsed.TotalSeconds);
            }

            log("warm-up: one attempt in this process (not measured)");
            InProcess(-1, measured: false);
            var timings = new List<AttemptTiming>();
            for (var round = 0; round < rounds; round++)
            {
                ct.ThrowIfCancellationRequested();
                var pair = round % 2 == 0 ? new[] { InProcess(round, true), InWorker(round) } : [InWorker(round), InProcess(round, true)];
                timings.AddRange(pair);
                log(string.Join("; ", pair.Select(t => $"{t.Side}: first step {t.FirstStepSeconds:F2} s, whole {t.Seconds:F2} s")));
            }

            var inside = timings.Where(t => t.Side == "in-process").ToDictionary(t => t.Round);
            var outside = timings.Where(t => t.Side == "worker").ToDictionary(t => t.Round);
            var rs = Enumerable.Range(0, rounds).ToList();
            return new AttemptBenchmarkResult(config.Name, parameters, steps, every, threads, rounds,
                Median(rs.Select(r => inside[r].FirstStepSeconds)), Median(rs.Select(r => outside[r].FirstStepSeconds)),
                Median(rs.Select(r => outside[r].FirstStepSeconds - inside[r].FirstStepSeconds)),
                Median(rs.Select(r => inside[r].Seconds)), Median(rs.Select(r => outside[r].Seconds)),
                Median(rs.Select(r => outside[r].Seconds / inside[r].Seconds)),
                written.Count, Median(written.Select(w => w.Seconds * 1000)), written.Count == 0 ? double.NaN : written.Max(w => w.Seconds * 1000),
                written.Count == 0 ? 0 : written[^1].Bytes, timings);
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

    /// <summary>Notes when the worker's first step arrives.</summary>
    sealed class FirstStep(Stopwatch watch) : IWorkloadReporter
    {
        public double? Seconds { get; private set; }
        public void Step(int step, int steps, double loss) => Seconds ??= watch.Elapsed.TotalSeconds;
        public void Intermediate(int step, double value) { }
    }
}
