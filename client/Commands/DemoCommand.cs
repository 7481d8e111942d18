using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using BeyondNll.Client.Continuum;
using BeyondNll.Grains;
using BeyondNll.Studies;
using BeyondNll.Studies.Factorial;
using BeyondNll.Search.Confirmation;
using BeyondNll.Search.Spaces;
using BeyondNll.Training.Synthetic;
using Spectre.Console;

namespace BeyondNll.Client.Commands;

/// <summary>
/// <c>bnll demo [--quick] [--json]</c>: the capability continuum reproduced on this machine. Per
/// seed it writes one synthetic task with noisy supervision (and clean validation and held-out test
/// sets) and backbones of graded prior strength on it (more pretraining steps, a stronger prior),
/// probes each, searches each on an in-process silo with the fair protocol (the NLL baseline on the
/// rate ladder, then TPE over NLL, power:k and top-p:q with the learning rate searched for every
/// objective alike, each study with a sampler seed of its own), selects on validation, confirms the
/// best on fresh seeds paired with NLL and scored on the test set, and prints the continuum and writes its figures.
/// </summary>
public static class DemoCommand
{
    /// <summary>How big a demo is; <see cref="Quick"/> and <see cref="Full"/> are the two presets.</summary>
    public sealed record Size(IReadOnlyList<int> PretrainSteps, int Seeds, int Trials, int Steps, int Confirm, int ConfirmSeeds, int Examples,
        int FirstSeed = 0);

    public static readonly Size Quick = new([60, 150, 300, 500], 1, 6, 60, 1, 2, 2000);
    public static readonly Size Full = new([100, 250, 400, 700], 3, 10, 100, 2, 3, 2000);

    /// <summary>
    /// The demo's search space: the NLL baseline's family and the paper's two prior-leaning families,
    /// with the learning rate searched for all of them, since the objectives' gradients differ in
    /// scale (a fixed rate that suits NLL collapses power:k on a strong backbone, and the other way round).
    /// </summary>
    public static readonly string SpaceJson = $$$"""
        {"params":[
          {"name":"family","type":"categorical","choices":["nll","power","top-p"]},
          {"name":"k","type":"float","low":0.1,"high":20,"log":true,"when":{"family":["power"]}},
          {"name":"q","type":"float","low":0.05,"high":0.9,"when":{"family":["top-p"]}},
          {"name":"lr","type":"float","low":{{{Number(NamedSpaces.LearningRateLow)}}},"high":{{{Number(NamedSpaces.LearningRateHigh)}}},"log":true}
        ]}
        """;

    /// <summary>One pretraining level across seeds: <c>gain</c> on <c>split</c> (test: the held-out data), <c>value</c> and
    /// <c>test_value</c> the answers' means on validation and test, <c>confirmed</c> how many answers were confirmed;
    /// <c>factorial_verdict</c> and <c>factorial_winner</c> are the factorial's answer for the same task, noise and level
    /// (<c>--factorial</c>), null without one.</summary>
    public sealed record LevelJson(int PretrainSteps, int Seeds, double MeanP, double MeanPSe, double? Gain, double? GainSe,
        int ChallengerBeyondNoise, int NllBeyondNoise, IReadOnlyList<string> Winners, string Split = "validation",
        double? Value = null, double? TestValue = null, int Confirmed = 0, string? FactorialVerdict = null, string? FactorialWinner = null);

    public sealed record DemoJson(string Task, double Noise, Size Size, IReadOnlyList<ContinuumCommand.EntryJson> Entries,
        IReadOnlyList<LevelJson> Levels, IReadOnlyList<string> Figures, double Seconds);

    public static Command Create()
    {
        var quick = new Option<bool>("--quick") { Description = "The small preset (4 backbones, 1 seed, 6 trials of 60 steps, 1 configuration confirmed on 2 seeds): under 15 minutes on 2 cores." };
        var json = new Option<bool>("--json") { Description = "Print the continuum and the per-level summary as JSON." };
        var output = new Option<string>("--out") { Description = "Working folder (data, backbones, cluster state, figures); its cluster state is started afresh.", DefaultValueFactory = _ => Path.Combine("runs", "demo") };
        var task = new Option<string>("--task") { Description = "Synthetic task: " + string.Join(", ", SyntheticTasks.Names), DefaultValueFactory = _ => "cipher" };
        var noise = new Option<double>("--noise") { Description = "Share of corrupted response characters in the training data.", DefaultValueFactory = _ => 0.1 };
        var pretrain = new Option<string?>("--pretrain-steps") { Description = "Pretraining steps of the backbones, weak to strong, comma-separated (default: the preset's)." };
        var seeds = new Option<int?>("--seeds") { Description = "Seeds of data, backbones and training (each a whole continuum)." };
        var trials = new Option<int?>("--trials") { Description = "Search trials per backbone, the NLL baseline included." };
        var steps = new Option<int?>("--steps") { Description = "Fine-tuning steps per trial." };
        var confirm = new Option<int?>("--confirm") { Description = "Configurations besides NLL confirmed on fresh seeds." };
        var confirmSeeds = new Option<int?>("--confirm-seeds") { Description = "Fresh seeds per confirmed configuration." };
        var examples = new Option<int?>("--examples") { Description = "Training examples of the task." };
        var firstSeed = new Option<int>("--first-seed") { Description = "The first seed (runs seeds FIRST ... FIRST + seeds - 1), to split a long demo over processes.", DefaultValueFactory = _ => 0 };
        var lr = new Option<double?>("--lr") { Description = "One learning rate for the NLL baseline (the rate ladder's only rung; the search samples its own for the other trials)." };
        var ladder = new Option<string?>("--lr-ladder") { Description = "Learning rates, comma-separated, at which the NLL baseline runs (default: three spanning the space's lr range)." };
        var plot = new Option<string?>("--plot") { Description = "Figure file (default OUT/continuum.png; OUT/continuum-k.png beside it)." };
        var factorial = new Option<string?>("--factorial") { Description = "A `bnll factorial run` result (factorial.json) of the same task, largest level and data size (so the same backbones and data): its answer for each level is shown beside the demo's." };
        var command = new Command("demo", "Reproduce the capability continuum on synthetic backbones from weak to strong: search, confirm, table and figures.")
            { quick, json, output, task, noise, pretrain, seeds, trials, steps, confirm, confirmSeeds, examples, firstSeed, lr, ladder, plot, factorial };
        command.SetAction(async (parse, ct) =>
        {
            var preset = parse.GetValue(quick) ? Quick : Full;
            var size = new Size(
                parse.GetValue(pretrain) is { } list ? ParseSteps(list) : preset.PretrainSteps,
                parse.GetValue(seeds) ?? preset.Seeds, parse.GetValue(trials) ?? preset.Trials, parse.GetValue(steps) ?? preset.Steps,
                parse.GetValue(confirm) ?? preset.Confirm, parse.GetValue(confirmSeeds) ?? preset.ConfirmSeeds,
                parse.GetValue(examples) ?? preset.Examples, parse.GetValue(firstSeed));
            var root = Path.GetFullPath(parse.GetValue(output)!);
            var figure = parse.GetValue(plot) ?? Path.Combine(root, "continuum.png");
            var rates = parse.GetValue(ladder) is { } text ? SearchStartCommand.ParseRates("--lr-ladder", text)
                : parse.GetValue(lr) is { } one ? [one] : [];
            return await RunAsync(parse.GetValue(task)!, parse.GetValue(noise), size, rates, root, figure, parse.GetValue(json), ct,
                parse.GetValue(factorial));
        });
        return command;
    }

    static string Number(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    static IReadOnlyList<int> ParseSteps(string text)
    {
        var steps = new List<int>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(part, NumberStyles.Integer, CultureInfo.InvariantCulture, out var s) || s < 0)
                throw new ArgumentException($"--pretrain-steps: '{part}' is not a number of steps (0 or more)");
            steps.Add(s);
        }
        return steps;
    }

    /// <summary>Checks everything before any work, so that bad input costs nothing.</summary>
    /// <param name="ladder">The rate ladder of every study; empty for the default.</param>
    public static void Check(string task, double noise, Size size, IReadOnlyList<double> ladder, string figure)
    {
        SyntheticTasks.Get(task);
        if (!(noise >= 0 && noise < 1)) throw new ArgumentException($"--noise must be in [0, 1), got {noise}");
        if (size.PretrainSteps.Count < 2) throw new ArgumentException($"--pretrain-steps: give at least two backbones, got {size.PretrainSteps.Count}");
        if (size.PretrainSteps.Distinct().Count() != size.PretrainSteps.Count) throw new ArgumentException("--pretrain-steps: the steps must differ");
        if (size.FirstSeed < 0) throw new ArgumentException($"--first-seed must not be negative, got {size.FirstSeed}");
        if (size.Seeds < 1) throw new ArgumentException($"--seeds must be at least 1, got {size.Seeds}");
        var rungs = ladder.Count > 0 ? ladder.Count : StudyProtocol.DefaultLadder(SearchSpace.FromJson(SpaceJson)).Count;
        if (size.Trials < rungs + 1)
            throw new ArgumentException($"--trials must be at least {rungs + 1} (the NLL baseline at each of {rungs} rates and one more), got {size.Trials}");
        if (size.Steps < 1) throw new ArgumentException($"--steps must be at least 1, got {size.Steps}");
        if (size.Confirm < 0) throw new ArgumentException($"--confirm must not be negative, got {size.Confirm}");
        if (size.Confirm > 0 && size.ConfirmSeeds < 2) throw new ArgumentException($"--confirm-seeds must be at least 2, got {size.ConfirmSeeds}");
        if (size.Examples < 50) throw new ArgumentException($"--examples must be at least 50, got {size.Examples}");
        StudyProtocol.Check(ladder, SearchSpace.FromJson(SpaceJson));
        ContinuumCommand.CheckPlotPath(figure);
    }

    /// <summary>
    /// A factorial's answer belongs beside the demo's only where both trained the same backbones on the same data. A
    /// level is a snapshot of one pretraining run per seed to the largest level, whose length sets the learning-rate
    /// schedule and the corpus (<see cref="SyntheticBackbone.CreateLevels"/>): the same steps of a run of another length
    /// are another backbone. So the largest levels must be equal, the factorial's pretraining on the task alone (as the
    /// demo's), and its data of the demo's size.
    /// </summary>
    static void CheckSameBackbones(string path, FactorialSettings factorial, Size size)
    {
        if (factorial.Levels.Max() != size.PretrainSteps.Max())
            throw new ArgumentException($"--factorial {path}: its backbones are snapshots of a {factorial.Levels.Max()}-step pretraining run and the demo's " +
                $"of a {size.PretrainSteps.Max()}-step one, so the same steps are other backbones; give --pretrain-steps whose largest is " +
                $"{factorial.Levels.Max()} (the factorial's levels: {string.Join(',', factorial.Levels)})");
        if (factorial.TaskShare != 1)
            throw new ArgumentException($"--factorial {path}: its backbones were pretrained with task share {factorial.TaskShare}, the demo's on the task alone");
        if (factorial.Examples != size.Examples || factorial.ValExamples != ValExamples(size) || factorial.TestExamples != ValExamples(size))
            throw new ArgumentException($"--factorial {path}: its data ({factorial.Examples} training, {factorial.ValExamples} validation, " +
                $"{factorial.TestExamples} test examples) are not the demo's ({size.Examples}, {ValExamples(size)}, {ValExamples(size)}); give --examples {factorial.Examples}");
    }

    /// <summary>The demo's validation examples, and as many test examples: a tenth of the training examples, at least 50.</summary>
    static int ValExamples(Size size) => Math.Max(50, size.Examples / 10);

    /// <param name="ladder">The rate ladder of every study (the NLL baseline runs at each rung); empty for the default.</param>
    /// <param name="factorialPath">A factorial.json whose answers for the same task, noise and levels are set beside the demo's; null for none.</param>
    public static async Task<int> RunAsync(string task, double noise, Size size, IReadOnlyList<double> ladder, string root, string figure, bool json,
        CancellationToken ct, string? factorialPath = null)
    {
        Check(task, noise, size, ladder, figure);
        // Read before any work: a file that is not a factorial's results, or not of the demo's backbones, is refused at once.
        FactorialReport? factorial = null;
        if (factorialPath is not null)
        {
            var results = await FactorialFiles.ReadResultsAsync(factorialPath, ct);
            CheckSameBackbones(factorialPath, results.Settings, size);
            factorial = FactorialAnalysis.Analyse(results);
        }
        var watch = Stopwatch.StartNew();
        var say = json ? TextWriter.Null : Console.Out;
        Directory.CreateDirectory(root);
        var spacePath = Path.Combine(root, "space.json");
        await File.WriteAllTextAsync(spacePath, SpaceJson, ct);

        await using var silo = await LocalRun.StartSiloAsync(Path.Combine(root, "cluster"), ct);
        var grains = silo.Client;
        say.WriteLine($"silo: in this process, {LocalRun.Slots} CPU slot(s); {size.PretrainSteps.Count} backbones × {size.Seeds} seed(s) on {task} (noise {noise:P0})");

        var levels = new Dictionary<string, int>(); // backbone name → its pretraining steps
        (IReadOnlyList<ContinuumEntry> Entries, DemoJson Report)? written = null;
        for (var seed = size.FirstSeed; seed < size.FirstSeed + size.Seeds; seed++)
        {
            // One seed is one whole continuum: its own data, backbones and training order.
            var seedRoot = Path.Combine(root, $"seed{seed}");
            var data = LocalRun.WriteData(task, size.Examples, noise, seed, ValExamples(size), Path.Combine(seedRoot, task));
            var studies = new List<string>();
            var backbones = new List<(string Name, int MaxPositions)>();
            // The levels are snapshots of one pretraining run, as `bnll factorial run` makes them: the same task,
            // seed and levels give the same backbones there, so the demo's answers can be set beside the factorial's.
            var options = new SyntheticBackboneOptions { Task = task, Seed = seed };
            var folderOf = await LocalRun.PretrainLevelsAsync(seedRoot, options, size.PretrainSteps, reuse: false, json, ct);
            foreach (var steps in size.PretrainSteps)
            {
                var name = $"s{seed}-p{steps}";
                var backbone = grains.GetGrain<IBackboneGrain>(name);
                await backbone.Register(folderOf(steps));
                // Measured by the backbone grain on a device slot of the silo, and stored there for the study's continuum point.
                var probe = await ConsoleProgress.WhileAsync(json ? TextWriter.Null : Console.Error, $"probing backbone {name} on its device slot",
                    _ => backbone.Probe(new ProbeRequest(data.Train, StudyRequestValidator.DatasetName(data.Train), "prompt", "response",
                        options.Config.MaxPositions, data.Val)));
                say.WriteLine($"backbone {name}: {steps} pretraining steps, mean p {probe.MeanP:F3} ({probe.Region})");
                levels[name] = steps;
                backbones.Add((name, options.Config.MaxPositions));
            }
            // Pretraining first, searches after: pretraining alongside the trials would only slow both down.
            foreach (var (name, maxPositions) in backbones)
            {
                // Each study samples its own points (a sampler seed from its name); training seeds follow the demo seed.
                var request = SearchStartCommand.Resolve(new StudyRequest
                {
                    Name = $"demo-{name}", Backbone = name, TrainPath = data.Train, ValPath = data.Val, TestPath = data.Test, SpaceJson = "",
                    SpaceName = spacePath, Trials = size.Trials, Parallel = LocalRun.Slots, Metric = "accuracy", Workload = "torch",
                    Seed = StudyProtocol.SeedOf($"demo-{name}"), Evaluations = 0, Confirm = size.Confirm, ConfirmSeeds = size.ConfirmSeeds,
                    LearningRates = ladder,
                    Recipe = SearchStartCommand.DefaultRecipe with { Steps = size.Steps, MaxLength = maxPositions, Seed = seed * 1000 },
                });
                await grains.GetGrain<IStudyGrain>(request.Name).Start(request);
                studies.Add(request.Name);
            }
            // The next seed's pretraining would compete with these studies for the cores: wait for them.
            try
            {
                await WaitAsync(grains, studies, say, json ? TextWriter.Null : Console.Error, ct);
            }
            catch (InvalidOperationException e)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return CommandLineExit.Failed;
            }
            // Written after every seed, so that a long demo stopped midway keeps what it measured.
            written = await WriteReportAsync(grains, task, noise, size, root, figure, levels, watch, factorial, ct);
        }

        // The last seed's report is the whole demo's (Check asks for at least one seed).
        var (entries, report) = written ?? throw new InvalidOperationException("the demo ran no seed");
        var figures = report.Figures;
        if (json)
        {
            JsonOutput.Write(Console.Out, report);
            return 0;
        }
        ContinuumCommand.Render(entries, Console.Out);
        RenderLevels(report.Levels, Console.Out);
        foreach (var f in figures) Console.WriteLine($"wrote {f}");
        Console.WriteLine($"wrote {Path.Combine(root, "continuum.json")}; {watch.Elapsed.TotalMinutes:F1} min");
        return 0;
    }

    static async Task<(IReadOnlyList<ContinuumEntry>, DemoJson)> WriteReportAsync(IGrainFactory grains, string task, double noise, Size size,
        string root, string figure, IReadOnlyDictionary<string, int> levels, Stopwatch watch, FactorialReport? factorial, CancellationToken ct)
    {
        var entries = await grains.GetGrain<IContinuumGrain>(0).List();
        var figures = ContinuumCommand.WriteFigures(entries, figure);
        var condition = noise == 0 ? "clean" : $"noise:{noise.ToString(CultureInfo.InvariantCulture)}";
        var summary = Levels(entries, levels).Select(l =>
            factorial?.Levels.FirstOrDefault(f => f.Task == task && f.Condition == condition && f.Level == l.PretrainSteps) is { } f
                ? l with { FactorialVerdict = f.Verdict, FactorialWinner = f.Winner } : l).ToList();
        var report = new DemoJson(task, noise, size, entries.Select(e => ContinuumCommand.ToJson(e)).ToList(), summary,
            figures, Math.Round(watch.Elapsed.TotalSeconds, 1));
        await File.WriteAllTextAsync(Path.Combine(root, "continuum.json"),
            System.Text.Json.JsonSerializer.Serialize(report, JsonOutput.Options), ct);
        return (entries, report);
    }

    /// <summary>Waits for the studies to end, with the trials done so far across them as progress on <paramref name="progress"/>.</summary>
    static Task WaitAsync(IGrainFactory grains, IReadOnlyList<string> studies, TextWriter say, TextWriter progress, CancellationToken ct) =>
        ConsoleProgress.WhileAsync(progress, $"searching {studies.Count} backbones", async show =>
        {
            var pending = studies.ToHashSet();
            var done = new Dictionary<string, (int Done, int Of)>();
            while (pending.Count > 0)
            {
                await Task.Delay(TimeSpan.FromSeconds(2), ct);
                foreach (var name in pending.ToList())
                {
                    var status = await grains.GetGrain<IStudyGrain>(name).GetStatus();
                    done[name] = (SearchStatusView.TrialsDone(status), Math.Max(status.Trials.Count, status.TrialBudget));
                    if (!SearchStatusView.IsFinished(status.State)) continue;
                    pending.Remove(name);
                    if (status.State != StudyState.Completed)
                        throw new InvalidOperationException($"study {name} ended {SearchStatusView.Name(status.State)}: {status.Message}");
                    say.WriteLine($"study {name}: {SearchStatusView.Summary(status)}");
                    if (status.Confirmation is { } c) say.WriteLine(SearchStatusView.ConfirmationSummary(c));
                }
                show($"searching {studies.Count} backbones: {done.Values.Sum(d => d.Done)}/{done.Values.Sum(d => d.Of)} trials done, {studies.Count - pending.Count} studies finished");
            }
        });

    /// <summary>Per pretraining level, across seeds: mean p, the mean gain ± its SE over seeds, and how often each side won beyond noise.</summary>
    public static IReadOnlyList<LevelJson> Levels(IReadOnlyList<ContinuumEntry> entries, IReadOnlyDictionary<string, int> levels) =>
        entries.Where(e => levels.ContainsKey(e.Backbone) && e.Probe is not null)
            .GroupBy(e => levels[e.Backbone]).OrderBy(g => g.Key)
            .Select(g =>
            {
                var meanP = SampleSummary.Of(g.Select(e => e.Probe!.MeanP).ToList());
                var gains = g.Where(e => e.Gain is not null).Select(e => e.Gain!.Value).ToList();
                var gain = gains.Count > 0 ? SampleSummary.Of(gains) : null;
                var values = g.Where(e => e.Value is not null).Select(e => e.Value!.Value).ToList();
                var tests = g.Where(e => e.TestValue is not null).Select(e => e.TestValue!.Value).ToList();
                return new LevelJson(g.Key, g.Count(), meanP.Mean, double.IsNaN(meanP.StandardError) ? 0 : meanP.StandardError,
                    gain?.Mean, gain is null || double.IsNaN(gain.StandardError) ? null : gain.StandardError,
                    g.Count(e => e.BeyondNoise && e.Gain > 0), g.Count(e => e.BeyondNoise && e.Gain < 0),
                    g.Select(e => e.Winner + (e.Confirmed ? "" : " (unconfirmed)")).ToList(),
                    g.Select(e => e.Split).Distinct().Count() == 1 ? g.First().Split : "mixed",
                    values.Count > 0 ? values.Average() : null, tests.Count > 0 ? tests.Average() : null, g.Count(e => e.Confirmed));
            }).ToList();

    /// <summary>The per-level summary of entries whose backbones have demo names (s{seed}-p{steps}); empty for others.</summary>
    public static IReadOnlyList<LevelJson> LevelsOf(IReadOnlyList<ContinuumEntry> entries)
    {
        var levels = new Dictionary<string, int>();
        foreach (var e in entries)
        {
            var dash = e.Backbone.IndexOf("-p", StringComparison.Ordinal);
            if (e.Backbone.StartsWith('s') && dash > 1 && int.TryParse(e.Backbone[(dash + 2)..], NumberStyles.None, CultureInfo.InvariantCulture, out var steps))
                levels[e.Backbone] = steps;
        }
        return Levels(entries, levels);
    }

    public static void RenderLevels(IReadOnlyList<LevelJson> levels, TextWriter output)
    {
        var table = new Table().AddColumns("pretraining steps", "seeds", "mean p", "answer: validation / test", "gain over NLL (mean ± SE over seeds)",
            "challenger beyond noise", "NLL beyond noise", "winners");
        var withFactorial = levels.Any(l => l.FactorialVerdict is not null);
        if (withFactorial) table.AddColumn("factorial's answer");
        foreach (var l in levels)
        {
            string[] cells =
            [
                l.PretrainSteps.ToString(CultureInfo.InvariantCulture), l.Seeds.ToString(CultureInfo.InvariantCulture),
                $"{l.MeanP:F3} ± {l.MeanPSe:F3}", $"{SearchStatusView.Format(l.Value)} / {SearchStatusView.Format(l.TestValue)}",
                l.Gain is { } g ? $"{SearchStatusView.Signed(g)} ± {SearchStatusView.Format(l.GainSe)} on {l.Split}" : "-",
                $"{l.ChallengerBeyondNoise}/{l.Seeds}", $"{l.NllBeyondNoise}/{l.Seeds}", Markup.Escape(string.Join(", ", l.Winners)),
            ];
            table.AddRow(withFactorial
                ? [.. cells, l.FactorialVerdict is null ? "-" : Markup.Escape($"{l.FactorialVerdict} (best {l.FactorialWinner})")]
                : cells);
        }
        ClusterCommandLine.AnsiFor(output).Write(table);
    }
}
