using System.CommandLine;
using System.Globalization;
using BeyondNll.Client.Cluster;
using BeyondNll.Client.Continuum;
using BeyondNll.Grains;
using BeyondNll.Grains.Workloads;
using BeyondNll.Search.Pruners;
using BeyondNll.Search.Samplers;
using BeyondNll.Search.Spaces;
using BeyondNll.Training.Evaluation;
using BeyondNll.Training.Objectives;

namespace BeyondNll.Client.Commands;

/// <summary>
/// <c>bnll search start NAME --backbone B --train FILE --val FILE ...</c>: builds a
/// <see cref="StudyRequest"/> and hands it to the study grain. The request is checked here first,
/// before any connection, so that a typo fails at once with a message naming the flag; the grain
/// checks it again, since other clients may send requests too.
/// </summary>
public static class SearchStartCommand
{
    /// <summary>The pruners the study grain knows (the search library has no factory for them).</summary>


    public static Command Create()
    {
        var name = new Argument<string>("NAME") { Description = "The study's name (unique in the cluster)." };
        var backbone = new Option<string>("--backbone") { Description = "A backbone registered with `bnll backbone add`.", Required = true };
        var train = new Option<string>("--train") { Description = "Training data (JSONL or Parquet), at the same path on every silo host.", Required = true };
        var val = new Option<string>("--val") { Description = "Validation data (JSONL or Parquet).", Required = true };
        var space = new Option<string>("--space") { Description = SearchSpaceArgument.Description, DefaultValueFactory = _ => NamedSpaces.Default };
        var trials = new Option<int>("--trials") { Description = "Trials in all, the NLL baseline included.", DefaultValueFactory = _ => 12 };
        var parallel = new Option<int>("--parallel") { Description = "Trials in flight at most (fewer when fewer devices are free).", DefaultValueFactory = _ => 4 };
        var sampler = new Option<string>("--sampler") { Description = $"{string.Join(", ", SamplerFactory.Names)}.", DefaultValueFactory = _ => "tpe" };
        var pruner = new Option<string>("--pruner") { Description = $"{string.Join(", ", PrunerFactory.Names)}.", DefaultValueFactory = _ => "none" };
        var steps = new Option<int>("--steps") { Description = "Training steps per trial.", DefaultValueFactory = _ => 100 };
        var metric = new Option<string>("--metric") { Description = "accuracy (maximised) or nll (validation NLL, minimised).", DefaultValueFactory = _ => "accuracy" };
        var workload = new Option<string>("--workload") { Description = "torch, or simulated:SECONDS for a dry run of the cluster.", DefaultValueFactory = _ => "torch" };
        var seed = new Option<int>("--seed") { Description = "Seed of the sampler and of training.", DefaultValueFactory = _ => 0 };
        var lr = new Option<double>("--lr") { Description = "Learning rate when the space has no lr parameter.", DefaultValueFactory = _ => 1e-3 };
        var batchSize = new Option<int>("--batch-size") { Description = "Examples per step.", DefaultValueFactory = _ => 16 };
        var maxLength = new Option<int>("--max-length") { Description = "Tokens per example at most.", DefaultValueFactory = _ => 64 };
        var evaluations = new Option<int>("--evaluations") { Description = "Intermediate evaluations per trial, for the pruner (0 = none).", DefaultValueFactory = _ => 4 };
        var enqueue = new Option<string[]>("--enqueue") { Description = "An objective to try right after the NLL baseline (repeatable), e.g. power:10." };
        var answer = new Option<string>("--answer") { Description = "Where the answer is: whole, boxed, or marker:TEXT.", DefaultValueFactory = _ => "whole" };
        var promptKey = TrainingConsole.PromptKey();
        var responseKey = TrainingConsole.ResponseKey();
        var confirm = new Option<int>("--confirm") { Description = "After the search, re-run this many of the best configurations and the best NLL one on fresh seeds (0 = none).", DefaultValueFactory = _ => 2 };
        var confirmSeeds = new Option<int>("--confirm-seeds") { Description = "Fresh training seeds per confirmed configuration (at least 2).", DefaultValueFactory = _ => 3 };
        var warmStart = new Option<string?>("--warm-start") { Description = "continuum: enqueue the winners of the backbone's neighbours on the continuum first." };
        var wait = new Option<bool>("--wait") { Description = "Watch the study until it ends, then print the best objective against NLL (Ctrl-C stops watching, not the study)." };
        var gateway = ClusterCommandLine.Gateway();
        var tuning = new TuningCommandLine();
        var command = new Command("start", "Start an objective search for a backbone on a data set.")
        {
            name, backbone, train, val, space, trials, parallel, sampler, pruner, steps, metric, workload, seed,
            lr, batchSize, maxLength, evaluations, enqueue, answer, promptKey, responseKey, confirm, confirmSeeds, warmStart, wait, gateway,
        };
        // The same real-backbone flags as `bnll train`; every trial of the search trains with them.
        tuning.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var warm = parse.GetValue(warmStart);
            if (warm is not null && warm != "continuum")
                throw new ArgumentException($"--warm-start '{warm}' is unknown; the one source is continuum");
            var settings = tuning.Read(parse);
            var request = Resolve(new StudyRequest
            {
                Name = parse.GetValue(name)!,
                Backbone = parse.GetValue(backbone)!,
                TrainPath = parse.GetValue(train)!,
                ValPath = parse.GetValue(val)!,
                SpaceName = parse.GetValue(space)!,
                SpaceJson = "",
                Trials = parse.GetValue(trials),
                Parallel = parse.GetValue(parallel),
                Sampler = parse.GetValue(sampler)!,
                Pruner = parse.GetValue(pruner)!,
                Steps = parse.GetValue(steps),
                Metric = parse.GetValue(metric)!,
                Workload = parse.GetValue(workload)!,
                Seed = parse.GetValue(seed),
                LearningRate = parse.GetValue(lr),
                BatchSize = parse.GetValue(batchSize),
                MaxLength = parse.GetValue(maxLength),
                Evaluations = parse.GetValue(evaluations),
                Enqueue = parse.GetValue(enqueue) ?? [],
                AnswerFormat = parse.GetValue(answer)!,
                PromptKey = parse.GetValue(promptKey)!,
                ResponseKey = parse.GetValue(responseKey)!,
                Confirm = parse.GetValue(confirm),
                ConfirmSeeds = parse.GetValue(confirmSeeds),
                Dtype = settings.Dtype,
                GradientCheckpointing = settings.GradientCheckpointing,
                LoraRank = settings.LoraRank,
                LoraAlpha = settings.LoraAlpha,
                LoraTargets = settings.LoraTargets,
            });
            return await ClusterCommandLine.WithClusterAsync(parse, gateway, ct, async grains =>
            {
                var warmed = warm is null ? request : await WarmStart.ApplyAsync(grains, request, Console.Out, ct);
                return await StartAsync(grains, warmed, parse.GetValue(wait), Console.Out, Console.Error, ct);
            });
        });
        return command;
    }

    /// <summary>
    /// Checks a request as the user typed it and resolves it for the cluster: absolute data paths
    /// (the silos do not share this process's working directory), the search space (named in
    /// <see cref="StudyRequest.SpaceName"/>) as JSON, objective specs in their canonical spelling.
    /// </summary>
    /// <exception cref="ArgumentException">A value out of range or unknown; the message names the flag.</exception>
    /// <exception cref="FileNotFoundException">A data file or space file that does not exist.</exception>
    /// <exception cref="FormatException">A space file, objective or answer format that does not parse.</exception>
    public static StudyRequest Resolve(StudyRequest r)
    {
        if (string.IsNullOrWhiteSpace(r.Name) || r.Name.Contains('|'))
            throw new ArgumentException($"'{r.Name}' is no study name: it must be non-empty and must not contain '|'");
        if (string.IsNullOrWhiteSpace(r.Backbone)) throw new ArgumentException("--backbone must name a registered backbone");
        AtLeast("--trials", r.Trials, 1);
        AtLeast("--parallel", r.Parallel, 1);
        AtLeast("--steps", r.Steps, 1);
        AtLeast("--batch-size", r.BatchSize, 1);
        AtLeast("--max-length", r.MaxLength, 2);
        AtLeast("--evaluations", r.Evaluations, 0);
        AtLeast("--confirm", r.Confirm, 0);
        if (r.Confirm > 0) AtLeast("--confirm-seeds", r.ConfirmSeeds, 2);
        if (!(r.LearningRate > 0) || double.IsInfinity(r.LearningRate))
            throw new ArgumentException($"--lr must be a positive number, got {r.LearningRate.ToString(CultureInfo.InvariantCulture)}");
        OneOf("--sampler", r.Sampler, SamplerFactory.Names);
        OneOf("--pruner", r.Pruner, PrunerFactory.Names);
        OneOf("--metric", r.Metric, StudyMetrics.Names);
        CheckWorkload(r.Workload);
        AnswerFormat.Parse(r.AnswerFormat);
        TrialTuning.Of(r).Validate();
        var space = SearchSpaceArgument.Load(r.SpaceName);
        return r with
        {
            TrainPath = ExistingFile("--train", r.TrainPath),
            ValPath = ExistingFile("--val", r.ValPath),
            SpaceJson = SearchSpaceJson.Write(space),
            Enqueue = r.Enqueue.Select(CanonicalObjective).ToList(),
        };
    }

    /// <summary>Starts the study; with <paramref name="wait"/>, follows it to the end like <c>search watch</c>.</summary>
    /// <exception cref="ArgumentException">The grain refused the request (a duplicate name, an unknown backbone...).</exception>
    public static async Task<int> StartAsync(IGrainFactory grains, StudyRequest request, bool wait, TextWriter output,
        TextWriter progress, CancellationToken ct)
    {
        // Not retried: a start that timed out may have happened, and a second one would be refused as a duplicate.
        StudyStatus status;
        try
        {
            status = await grains.GetGrain<IStudyGrain>(request.Name).Start(request);
        }
        catch (TimeoutException e)
        {
            throw new ClusterUnreachableException($"the cluster did not confirm the start of {request.Name} in time; " +
                $"it may have started: see `bnll search status {request.Name}`", e);
        }
        output.WriteLine($"started study {status.Study}: {request.Trials} trials of backbone {status.Backbone} on {status.Dataset} " +
            $"(space {request.SpaceName}, sampler {status.Sampler}, pruner {status.Pruner}, {status.Metric} {status.Direction}, " +
            $"{SearchStatusView.Tuning(status)})");
        if (!wait)
        {
            output.WriteLine($"watch it with `bnll search watch {status.Study}`; results with `bnll search status {status.Study}`");
            return 0;
        }
        return await SearchCommand.WatchAsync(grains, request.Name, output, progress, ct);
    }

    static void AtLeast(string flag, int value, int least)
    {
        if (value < least) throw new ArgumentException($"{flag} must be at least {least}, got {value}");
    }

    static void OneOf(string flag, string value, IReadOnlyList<string> known)
    {
        if (!known.Contains(value)) throw new ArgumentException($"{flag} '{value}' is unknown; choose one of {string.Join(", ", known)}");
    }

    static void CheckWorkload(string workload)
    {
        try
        {
            WorkloadKind.Parse(workload);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"--workload: {e.Message}", e);
        }
    }

    static string CanonicalObjective(string spec)
    {
        try { return Objective.Parse(spec).Spec; }
        catch (FormatException e) { throw new FormatException($"--enqueue {e.Message}", e); }
        catch (ArgumentException e) { throw new ArgumentException($"--enqueue {e.Message}", e); }
    }

    static string ExistingFile(string flag, string path)
    {
        var full = Path.GetFullPath(path);
        if (!File.Exists(full)) throw new FileNotFoundException($"{flag} file '{path}' not found", full);
        return full;
    }
}
