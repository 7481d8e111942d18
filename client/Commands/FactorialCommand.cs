using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using BeyondNll.Grains;
using BeyondNll.Search.Spaces;
using BeyondNll.Studies;
using BeyondNll.Studies.Factorial;
using BeyondNll.Training.Backbones;
using BeyondNll.Training.Data;
using BeyondNll.Training.Evaluation;
using BeyondNll.Training.Objectives;
using BeyondNll.Training.Synthetic;
using BeyondNll.Training.Trainer;

namespace BeyondNll.Client.Commands;

/// <summary>
/// <c>bnll factorial run|report</c>: the continuum measured exhaustively, as ground truth for the
/// product's own answers (issue 15). Tasks × data conditions × backbone levels × seeds; in each cell
/// every objective trains at every rate of the ladder — one grid study per cell on an in-process silo,
/// the same trials, workers and held-out scoring as any study — and optionally the product's own search
/// runs on the same backbone and data as a user would start it, to count how often it names the
/// factorial's winner. Results go to OUT/factorial.json after every task and seed, so a stopped run
/// resumes where it was; <c>report</c> re-reads one or more such files.
/// </summary>
public static class FactorialCommand
{
    /// <summary>The default design: two tasks, clean / label noise / harmless variation, six levels, three seeds, the paper's objectives.
    /// The levels span mean p 0.06-0.75 on cipher (docs/continuum.md): 0 steps learns nothing, 600 sits at the ceiling.</summary>
    public static readonly FactorialSettings Defaults = new(
        Tasks: ["cipher", "reverse"], Conditions: ["clean", "noise:0.1", "variation:0.5"], Levels: [40, 80, 120, 160, 220, 300],
        Seeds: [0, 1, 2], Objectives: [Objective.Nll.Spec, "power:1", "power:10", "top-p:0.5"], LearningRates: [], Steps: 100,
        Examples: 2000, ValExamples: 200, TestExamples: 200, TaskShare: 1.0);

    public static Command Create() => new("factorial", "Ground truth for the continuum: every objective at every rate on graded backbones, tasks and data conditions.")
    {
        RunCommand(), ReportCommand(),
    };

    static Command RunCommand()
    {
        var output = new Option<string>("--out") { Description = "Working folder (data, backbones, cluster state, factorial.json, figures); a factorial.json of the same design there is resumed.", DefaultValueFactory = _ => Path.Combine("runs", "factorial") };
        var tasks = new Option<string>("--tasks") { Description = "Synthetic tasks, comma-separated: " + string.Join(", ", SyntheticTasks.Names), DefaultValueFactory = _ => string.Join(',', Defaults.Tasks) };
        var conditions = new Option<string>("--conditions") { Description = "Training data conditions, comma-separated: clean, noise:S (a share S of response characters corrupted), variation:S (a share S of responses with whitespace the scorer trims).", DefaultValueFactory = _ => string.Join(',', Defaults.Conditions) };
        var levels = new Option<string>("--levels") { Description = "Backbone pretraining steps, weak to strong, comma-separated (snapshots of one pretraining run per task and seed).", DefaultValueFactory = _ => string.Join(',', Defaults.Levels) };
        var seeds = new Option<int>("--seeds") { Description = "Seeds of data, backbones and training.", DefaultValueFactory = _ => Defaults.Seeds.Count };
        var firstSeed = new Option<int>("--first-seed") { Description = "The first seed (runs FIRST ... FIRST + seeds - 1).", DefaultValueFactory = _ => 0 };
        var objectives = new Option<string>("--objectives") { Description = "Objectives, comma-separated; nll is always among them.", DefaultValueFactory = _ => string.Join(',', Defaults.Objectives) };
        var ladder = new Option<string?>("--lr-ladder") { Description = "Learning rates every objective runs at, comma-separated (default: the search's default ladder)." };
        var steps = new Option<int>("--steps") { Description = "Fine-tuning steps per run.", DefaultValueFactory = _ => Defaults.Steps };
        var examples = new Option<int>("--examples") { Description = "Training examples per data set.", DefaultValueFactory = _ => Defaults.Examples };
        var val = new Option<int>("--val") { Description = "Validation examples (clean; picks each objective's best rate).", DefaultValueFactory = _ => Defaults.ValExamples };
        var test = new Option<int>("--test") { Description = "Held-out test examples (clean; what is reported).", DefaultValueFactory = _ => Defaults.TestExamples };
        var share = new Option<double>("--task-share") { Description = "Share of the backbones' pretraining drawn from the task (the rest from the other tasks).", DefaultValueFactory = _ => Defaults.TaskShare };
        var search = new Option<bool>("--search") { Description = "Also run the product's own search on each cell's backbone and data, as `bnll search start` with its defaults would." };
        var searchArgs = new Option<string?>("--search-args") { Description = "Flags given to each such search as to `bnll search start` (e.g. \"--trials 8 --pruner asha\"); default none: the command's defaults." };
        var plot = new Option<string?>("--plot") { Description = "Folder for the figures (default OUT)." };
        var json = new Option<bool>("--json") { Description = "Print factorial.json's analysis as JSON." };
        var command = new Command("run", "Run the factorial (resuming OUT/factorial.json), then analyse it.")
            { output, tasks, conditions, levels, seeds, firstSeed, objectives, ladder, steps, examples, val, test, share, search, searchArgs, plot, json };
        command.SetAction(async (parse, ct) =>
        {
            var settings = new FactorialSettings(
                List(parse.GetValue(tasks)!), List(parse.GetValue(conditions)!), Integers("--levels", parse.GetValue(levels)!),
                Enumerable.Range(parse.GetValue(firstSeed), Math.Max(0, parse.GetValue(seeds))).ToList(),
                List(parse.GetValue(objectives)!).Select(CanonicalObjective).ToList(),
                parse.GetValue(ladder) is { } rates ? SearchStartCommand.ParseRates("--lr-ladder", rates) : [],
                parse.GetValue(steps), parse.GetValue(examples), parse.GetValue(val), parse.GetValue(test), parse.GetValue(share));
            var root = Path.GetFullPath(parse.GetValue(output)!);
            IReadOnlyList<string>? extra = parse.GetValue(search)
                ? parse.GetValue(searchArgs) is { } a ? a.Split(' ', StringSplitOptions.RemoveEmptyEntries) : []
                : parse.GetValue(searchArgs) is null ? null : throw new ArgumentException("--search-args needs --search");
            return await RunAsync(settings, extra, root, parse.GetValue(plot) ?? root, parse.GetValue(json), ct);
        });
        return command;
    }

    static Command ReportCommand()
    {
        var from = new Option<string[]>("--from") { Description = "factorial.json files to analyse together (cells of the same design, e.g. seeds run as separate processes).", Required = true, AllowMultipleArgumentsPerToken = true };
        var plot = new Option<string?>("--plot") { Description = "Folder to write the figures to." };
        var output = new Option<string?>("--out") { Description = "Write the merged results and analysis to this file." };
        var json = new Option<bool>("--json") { Description = "Print the analysis as JSON." };
        var markdown = new Option<bool>("--markdown") { Description = "Print the tables as Markdown (for docs)." };
        var command = new Command("report", "Analyse factorial results: each objective at its own best rate, gains over NLL with 95% intervals, sign changes, the search's agreement.")
            { from, plot, output, json, markdown };
        command.SetAction(async (parse, ct) =>
        {
            var files = parse.GetValue(from)!;
            var parts = new List<FactorialFiles.FactorialJson>();
            foreach (var file in files)
                parts.Add(await FactorialFiles.ReadAsync(file, ct) ?? throw new ArgumentException($"--from {file}: no such file"));
            if (parts.Count == 0) throw new ArgumentException("--from: give at least one factorial.json");
            var results = FactorialFiles.Merge(parts);
            var report = FactorialAnalysis.Analyse(results);
            var figures = parse.GetValue(plot) is { } folder ? FactorialFiles.WriteFigures(report, folder) : [];
            if (parse.GetValue(output) is { } outPath)
                await FactorialFiles.WriteAsync(outPath, new FactorialFiles.FactorialJson(results.Settings, results.Cells, results.Searches, report,
                    FactorialFiles.Relative(outPath, figures), parts.Sum(p => p.Seconds)), ct);
            if (parse.GetValue(json)) JsonOutput.Write(Console.Out, report);
            else if (parse.GetValue(markdown)) FactorialReportView.RenderMarkdown(report, Console.Out);
            else FactorialReportView.Render(report, Console.Out);
            foreach (var f in figures) Console.Error.WriteLine($"wrote {f}");
            return 0;
        });
        return command;
    }

    static string CanonicalObjective(string spec)
    {
        try { return Objective.Parse(spec).Spec; }
        catch (Exception e) when (e is FormatException or ArgumentException) { throw new ArgumentException($"--objectives: {e.Message}", e); }
    }

    static IReadOnlyList<string> List(string text) =>
        text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    static IReadOnlyList<int> Integers(string flag, string text) => List(text).Select(part =>
        int.TryParse(part, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v >= 0 ? v
            : throw new ArgumentException($"{flag}: '{part}' is not a number of steps (0 or more)")).ToList();

    /// <summary>A data condition: how much label noise and harmless variation the training data carry.</summary>
    public sealed record Condition(double Noise, double Variation)
    {
        public static Condition Parse(string text)
        {
            if (text == "clean") return new Condition(0, 0);
            var colon = text.IndexOf(':');
            var share = colon > 0 && double.TryParse(text[(colon + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out var s) ? s : double.NaN;
            if (!(share > 0 && share < 1))
                throw new ArgumentException($"--conditions: '{text}' is not clean, noise:S or variation:S with S in (0, 1)");
            return text[..colon] switch
            {
                "noise" => new Condition(share, 0),
                "variation" => new Condition(0, share),
                _ => throw new ArgumentException($"--conditions: '{text}' is not clean, noise:S or variation:S with S in (0, 1)"),
            };
        }
    }

    /// <summary>Checks the whole design before any work, so bad input costs nothing.</summary>
    /// <param name="searchArgs">The flags of the product's searches, when they run (null: none).</param>
    public static void Check(FactorialSettings s, IReadOnlyList<string>? searchArgs)
    {
        if (s.Tasks.Count == 0) throw new ArgumentException("--tasks: give at least one task");
        foreach (var t in s.Tasks) SyntheticTasks.Get(t);
        if (s.Tasks.Distinct().Count() != s.Tasks.Count) throw new ArgumentException("--tasks: a task is named twice");
        if (s.Conditions.Count == 0) throw new ArgumentException("--conditions: give at least one condition");
        foreach (var c in s.Conditions) Condition.Parse(c);
        if (s.Conditions.Distinct().Count() != s.Conditions.Count) throw new ArgumentException("--conditions: a condition is named twice");
        if (s.Levels.Count < 2) throw new ArgumentException($"--levels: give at least two backbone levels, got {s.Levels.Count}");
        if (s.Levels.Distinct().Count() != s.Levels.Count) throw new ArgumentException("--levels: the steps must differ");
        if (s.Seeds.Count < 1) throw new ArgumentException("--seeds must be at least 1");
        if (s.Seeds[0] < 0) throw new ArgumentException($"--first-seed must not be negative, got {s.Seeds[0]}");
        if (!s.Objectives.Contains(Objective.Nll.Spec) || s.Objectives.Count < 2)
            throw new ArgumentException("--objectives: give nll and at least one other objective");
        if (s.Objectives.Distinct().Count() != s.Objectives.Count) throw new ArgumentException("--objectives: an objective is named twice");
        if (s.Steps < 1) throw new ArgumentException($"--steps must be at least 1, got {s.Steps}");
        if (s.Examples < 50) throw new ArgumentException($"--examples must be at least 50, got {s.Examples}");
        if (s.ValExamples < 10) throw new ArgumentException($"--val must be at least 10, got {s.ValExamples}");
        if (s.TestExamples < 10) throw new ArgumentException($"--test must be at least 10, got {s.TestExamples}");
        if (!(s.TaskShare > 0 && s.TaskShare <= 1)) throw new ArgumentException($"--task-share must be in (0, 1], got {s.TaskShare}");
        StudyProtocol.Check(s.LearningRates, SearchSpace.FromJson(DemoCommand.SpaceJson));
        if (searchArgs is not null) CheckSearchArgs(searchArgs);
    }

    /// <param name="searchArgs">When not null, the product's search also runs on every cell, as `bnll search start` with these flags would start it.</param>
    public static async Task<int> RunAsync(FactorialSettings settings, IReadOnlyList<string>? searchArgs, string root, string figureFolder, bool json,
        CancellationToken ct)
    {
        Check(settings, searchArgs);
        // This process pretrains and scores backbones while the silo's workers train beside it on every
        // core: one thread here, since libtorch's threads spin-wait when they outnumber the free cores
        // (a 600-step pretraining took 5x the CPU time at two threads among a loaded machine's processes).
        TrainingConsole.SetThreads(1);
        var watch = Stopwatch.StartNew();
        var say = json ? TextWriter.Null : Console.Out;
        var progress = json ? TextWriter.Null : Console.Error;
        Directory.CreateDirectory(root);
        var resultsPath = Path.Combine(root, FactorialFiles.ResultsFile);
        // A factorial of the same design is resumed; one of another design is not mixed in.
        var earlier = await FactorialFiles.ReadAsync(resultsPath, ct);
        if (earlier is not null && !FactorialFiles.SameDesign(earlier.Settings, settings))
            throw new ArgumentException($"{resultsPath} holds a factorial of another design; give another --out (or the same flags to resume it)");
        var cells = earlier?.Cells.ToList() ?? [];
        var searches = earlier?.Searches.ToList() ?? [];
        // More tasks or seeds of the same design join the ones already there.
        var design = earlier is null ? settings : settings with
        {
            Tasks = earlier.Settings.Tasks.Union(settings.Tasks).ToList(), Seeds = earlier.Settings.Seeds.Union(settings.Seeds).Order().ToList(),
        };
        var seconds = earlier?.Seconds ?? 0;
        var ladder = settings.LearningRates.Count > 0 ? settings.LearningRates : StudyProtocol.DefaultLadder(SearchSpace.FromJson(DemoCommand.SpaceJson));
        var args = searchArgs is null ? null : string.Join(' ', searchArgs);
        FactorialCell? CellOf(string task, int seed, string condition, int level) =>
            cells.FirstOrDefault(c => c.Task == task && c.Seed == seed && c.Condition == condition && c.Level == level);
        bool HasCell(string task, int seed, string condition, int level) => CellOf(task, seed, condition, level) is not null;
        bool NeedsSearch(string task, int seed, string condition, int level) =>
            args is not null && !searches.Any(s => s.Args == args && s.Task == task && s.Seed == seed && s.Condition == condition && s.Level == level);
        await File.WriteAllTextAsync(Path.Combine(root, "space.json"), DemoCommand.SpaceJson, ct);

        await using var silo = await LocalRun.StartSiloAsync(Path.Combine(root, "cluster"), ct);
        var grains = silo.Client;
        var total = settings.Tasks.Count * settings.Seeds.Count * settings.Conditions.Count * settings.Levels.Count;
        say.WriteLine($"factorial: {total} cells ({settings.Tasks.Count} tasks × {settings.Conditions.Count} conditions × {settings.Levels.Count} levels × " +
                      $"{settings.Seeds.Count} seeds), {settings.Objectives.Count * ladder.Count} runs each ({settings.Objectives.Count} objectives × {ladder.Count} rates) of {settings.Steps} steps; " +
                      $"{cells.Count} cells done before; silo in this process, {LocalRun.Slots} CPU slot(s)");

        foreach (var task in settings.Tasks)
        foreach (var seed in settings.Seeds)
        {
            var pending = settings.Conditions.SelectMany(c => settings.Levels.Select(l => (Condition: c, Level: l)))
                .Where(x => !HasCell(task, seed, x.Condition, x.Level) || NeedsSearch(task, seed, x.Condition, x.Level))
                .ToList();
            if (pending.Count == 0) continue;
            var seedRoot = Path.Combine(root, task, $"seed{seed}");
            var backboneOf = await LocalRun.PretrainLevelsAsync(seedRoot,
                new SyntheticBackboneOptions { Task = task, Seed = seed, TaskShare = settings.TaskShare }, settings.Levels, reuse: true, json, ct);

            var studies = new List<CellStudy>();
            foreach (var (condition, level) in pending)
            {
                var data = WriteData(task, condition, seed, settings, Path.Combine(seedRoot, condition.Replace(':', '-')));
                var name = $"f-{task}-s{seed}-p{level}";
                var backbone = grains.GetGrain<IBackboneGrain>(name);
                await backbone.Register(backboneOf(level));
                var probe = await backbone.Probe(new ProbeRequest(data.Train, StudyRequestValidator.DatasetName(data.Train), "prompt", "response",
                    SearchStartCommand.DefaultRecipe.MaxLength, data.Val));
                // A cell measured before (a search added to it now) has its accuracy before fine-tuning already.
                var before = CellOf(task, seed, condition, level)?.AccuracyBefore ?? AccuracyBefore(backboneOf(level), data.Test);
                var recipe = SearchStartCommand.DefaultRecipe with { Steps = settings.Steps, Seed = seed * 1000 };
                var cell = $"{task}-{condition.Replace(':', '-')}-s{seed}-p{level}";
                var started = new List<(string Study, bool Search)>();
                if (!HasCell(task, seed, condition, level))
                {
                    var grid = GridRequest($"grid-{cell}", name, data, recipe, settings.Objectives, ladder, Path.Combine(root, "space.json"));
                    await grains.GetGrain<IStudyGrain>(grid.Name).Start(grid);
                    started.Add((grid.Name, false));
                }
                if (NeedsSearch(task, seed, condition, level))
                {
                    var search = SearchRequest(searchArgs!, SearchStudyName(cell, args!), name, data.Train, data.Val, data.Test, recipe.Seed, recipe.Steps);
                    await grains.GetGrain<IStudyGrain>(search.Name).Start(search);
                    started.Add((search.Name, true));
                }
                studies.AddRange(started.Select(x => new CellStudy(condition, level, x.Study, x.Search, probe.MeanP, probe.HeldOutMeanP, before)));
            }
            var statuses = await WaitAsync(grains, studies.Select(s => s.Study).ToList(), progress, $"{task}, seed {seed}", ct);
            foreach (var s in studies)
            {
                var status = statuses[s.Study];
                if (s.Search) searches.Add(SearchOf(task, s.Condition, s.Level, seed, status, args!));
                else cells.Add(new FactorialCell(task, s.Condition, s.Level, seed, s.MeanP, s.HeldOut, s.Before, s.Study,
                    status.Trials.Select(RunOf).ToList()));
            }
            await FactorialFiles.WriteResultsAsync(resultsPath, design, cells, searches, figureFolder, seconds + watch.Elapsed.TotalSeconds, write: false, ct);
            say.WriteLine($"{task}, seed {seed}: {studies.Count} studies done ({watch.Elapsed.TotalMinutes:F1} min)");
        }

        var final = await FactorialFiles.WriteResultsAsync(resultsPath, design, cells, searches, figureFolder, seconds + watch.Elapsed.TotalSeconds, write: true, ct);
        if (json)
        {
            JsonOutput.Write(Console.Out, final.Report);
            return 0;
        }
        FactorialReportView.Render(final.Report, Console.Out);
        foreach (var f in final.Figures) Console.WriteLine($"wrote {Path.Combine(root, f)}");
        Console.WriteLine($"wrote {resultsPath}; {watch.Elapsed.TotalMinutes:F1} min");
        return 0;
    }

    /// <summary>A study started for one cell: its grid, or the product's search on the cell's backbone and data.</summary>
    sealed record CellStudy(string Condition, int Level, string Study, bool Search, double MeanP, double? HeldOut, double Before);

    /// <summary>
    /// A cell's grid as one study: the protocol runs NLL and every enqueued objective once at every rung of
    /// the ladder, which is every run of the cell; no pruning, no confirmation (the seeds are the factorial's).
    /// </summary>
    static StudyRequest GridRequest(string study, string backbone, LocalRun.DataFiles data, TrainingRecipe recipe,
        IReadOnlyList<string> objectives, IReadOnlyList<double> ladder, string spacePath) =>
        SearchStartCommand.Resolve(new StudyRequest
        {
            Name = study, Backbone = backbone, TrainPath = data.Train, ValPath = data.Val, TestPath = data.Test, SpaceJson = "",
            SpaceName = spacePath, Trials = objectives.Count * ladder.Count, Parallel = LocalRun.Slots, Metric = "accuracy",
            Workload = "torch", Seed = StudyProtocol.SeedOf(study), Evaluations = 0, Confirm = 0,
            Enqueue = objectives.Where(o => o != Objective.Nll.Spec).ToList(), LearningRates = ladder, Recipe = recipe, KeepModels = 1,
        });

    /// <summary>
    /// The study name of a cell's search: searches of other flags on the same cell are other studies, told
    /// apart by a hash of their flags (the defaults' keeps the plain name earlier factorials used).
    /// </summary>
    static string SearchStudyName(string cell, string args) =>
        args.Length == 0 ? $"search-{cell}"
            : $"search-{cell}-{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(args)))[..8]}";

    /// <summary>The request `bnll search start` would make of its defaults and <paramref name="searchArgs"/>, on a cell's backbone and data.</summary>
    /// <remarks>The training seed and steps are the cell's, so the search trains as the grid does; a
    /// <c>--seed</c> or <c>--steps</c> among <paramref name="searchArgs"/> comes later and wins.</remarks>
    static StudyRequest SearchRequest(IReadOnlyList<string> searchArgs, string study, string backbone,
        string train, string val, string test, int trainingSeed, int steps) =>
        SearchStartCommand.ParseRequest(
        [
            study, "--backbone", backbone, "--train", train, "--val", val, "--test", test,
            "--seed", trainingSeed.ToString(CultureInfo.InvariantCulture), "--steps", steps.ToString(CultureInfo.InvariantCulture),
            .. searchArgs,
        ]);

    /// <summary>Flags `search start` refuses are refused before any work, on stand-in data files.</summary>
    static void CheckSearchArgs(IReadOnlyList<string> searchArgs)
    {
        string[] data = [Path.GetTempFileName(), Path.GetTempFileName(), Path.GetTempFileName()];
        try
        {
            SearchRequest(searchArgs, "check", "check", data[0], data[1], data[2], 0, 1);
        }
        finally
        {
            foreach (var file in data) File.Delete(file);
        }
    }

    static LocalRun.DataFiles WriteData(string task, string condition, int seed, FactorialSettings settings, string folder)
    {
        var c = Condition.Parse(condition);
        return LocalRun.WriteData(SyntheticTasks.Get(task), settings.Examples, c.Noise, seed, settings.ValExamples, settings.TestExamples, folder,
            variation: c.Variation);
    }

    /// <summary>The backbone's exact-match accuracy on the test set before any fine-tuning: where its cell starts against the ceiling of 1.</summary>
    static double AccuracyBefore(string backboneFolder, string testPath)
    {
        using var backbone = Backbone.Load(backboneFolder);
        var evaluator = new Evaluator(backbone.Model, backbone.Tokenizer, new EvaluationOptions { MaxLength = SearchStartCommand.DefaultRecipe.MaxLength });
        return evaluator.Accuracy(SftDataReader.Read(testPath));
    }

    static FactorialRun RunOf(TrialView t) =>
        new(t.Objective, t.LearningRate, t.Value, t.TestValue, StepsSpent(t), t.State.ToString().ToLowerInvariant());

    /// <summary>Steps a trial trained: all of them when it completed, else as far as it got.</summary>
    static int StepsSpent(TrialView t) =>
        t.State == TrialRunState.Completed ? t.Steps : Math.Max(t.Step, t.Curve.Count > 0 ? t.Curve[^1].Step : 0);

    static FactorialSearch SearchOf(string task, string condition, int level, int seed, StudyStatus status, string args)
    {
        var answer = status.Answer;
        return new FactorialSearch(task, condition, level, seed, status.Study, answer?.Objective ?? "", answer?.LearningRate ?? 0,
            answer?.Confirmed ?? false, answer?.BeyondNoise ?? false, answer?.Gain, status.Trials.Count, status.Trials.Sum(StepsSpent), args,
            answer?.TestValue);
    }

    static async Task<IReadOnlyDictionary<string, StudyStatus>> WaitAsync(IGrainFactory grains, IReadOnlyList<string> studies, TextWriter progress,
        string what, CancellationToken ct)
    {
        var done = new Dictionary<string, StudyStatus>();
        await ConsoleProgress.WhileAsync(progress, $"{what}: {studies.Count} studies", async show =>
        {
            while (done.Count < studies.Count)
            {
                await Task.Delay(TimeSpan.FromSeconds(2), ct);
                int trials = 0, of = 0;
                foreach (var name in studies)
                {
                    var status = done.TryGetValue(name, out var d) ? d : await grains.GetGrain<IStudyGrain>(name).GetStatus();
                    trials += SearchStatusView.TrialsDone(status);
                    of += Math.Max(status.Trials.Count, status.TrialBudget);
                    if (done.ContainsKey(name) || !SearchStatusView.IsFinished(status.State)) continue;
                    if (status.State != StudyState.Completed)
                        throw new InvalidOperationException($"study {name} ended {SearchStatusView.Name(status.State)}: {status.Message}");
                    done[name] = status;
                }
                show($"{what}: {trials}/{of} trials done, {done.Count}/{studies.Count} studies finished");
            }
        });
        return done;
    }
}
