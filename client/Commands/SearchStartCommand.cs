using System.CommandLine;
using System.Globalization;
using BeyondNll.Client.Cluster;
using BeyondNll.Client.Continuum;
using BeyondNll.Grains;
using BeyondNll.Search.Pruners;
using BeyondNll.Search.Samplers;
using BeyondNll.Search.Spaces;
using BeyondNll.Studies;
using BeyondNll.Training.Objectives;
using BeyondNll.Training.Trainer;

namespace BeyondNll.Client.Commands;

/// <summary>
/// <c>bnll search start NAME --backbone B --train FILE --val FILE ...</c>: builds a
/// <see cref="StudyRequest"/> and hands it to the study grain. The request is resolved and checked
/// here first (<see cref="StudyRequestValidator"/>, the rules the grain applies too), before any
/// connection, so that a typo fails at once with a message naming the flag.
/// </summary>
public static class SearchStartCommand
{
    /// <summary>The recipe defaults of a search: short runs at a rate that suits the synthetic backbones.</summary>
    /// <summary>The recipe a search starts from. Its rate is inside the default lr range (NamedSpaces) and is used only
    /// when given (`--lr`, the ladder's one rung): otherwise the rate ladder and the sampler set every trial's rate.</summary>
    public static readonly TrainingRecipe DefaultRecipe = TrainingRecipe.Default with { LearningRate = 1e-4, MaxLength = 64 };

    public static Command Create() => Build().Command;

    /// <summary>
    /// The study request that <c>bnll search start ARGS</c> would start, resolved and checked, without a
    /// cluster: for runs that start searches as a user would (<c>bnll factorial --search</c>), so they get
    /// exactly the command's defaults.
    /// </summary>
    /// <exception cref="ArgumentException">The arguments do not parse, or a value is refused (the message says which).</exception>
    public static StudyRequest ParseRequest(IReadOnlyList<string> args)
    {
        var (command, request) = Build();
        var parse = command.Parse(args.ToArray());
        if (parse.Errors.Count > 0)
            throw new ArgumentException($"search start {string.Join(' ', args)}: {string.Join("; ", parse.Errors.Select(e => e.Message))}");
        return request(parse);
    }

    /// <summary>The command and how it turns its parsed flags into a resolved request.</summary>
    static (Command Command, Func<ParseResult, StudyRequest> Request) Build()
    {
        var name = new Argument<string>("NAME") { Description = "The study's name (unique in the cluster)." };
        var backbone = new Option<string>("--backbone") { Description = "A backbone registered with `bnll backbone add`.", Required = true };
        var train = new Option<string>("--train") { Description = "Training data (JSONL or Parquet), at the same path on every silo host.", Required = true };
        var val = new Option<string>("--val") { Description = "Validation data (JSONL or Parquet): what the search selects trials by.", Required = true };
        var test = new Option<string?>("--test") { Description = "Held-out test data (JSONL or Parquet): the confirmation, the answer and its gain are measured on it, not on the validation data that selected them." };
        var space = new Option<string>("--space") { Description = SearchSpaceArgument.Description, DefaultValueFactory = _ => NamedSpaces.Default };
        var trials = new Option<int>("--trials") { Description = "Search trials, the NLL baseline's included (the confirmation's come on top).", DefaultValueFactory = _ => 12 };
        var parallel = new Option<int>("--parallel") { Description = "Trials in flight at most (fewer when fewer devices are free).", DefaultValueFactory = _ => 4 };
        var sampler = new Option<string>("--sampler") { Description = $"{string.Join(", ", SamplerFactory.Names)}.", DefaultValueFactory = _ => SamplerFactory.Default };
        var pruner = new Option<string>("--pruner") { Description = $"{PrunerFactory.Usage}.", DefaultValueFactory = _ => "none" };
        var metric = new Option<string>("--metric") { Description = "accuracy (maximised) or nll (validation NLL, minimised).", DefaultValueFactory = _ => "accuracy" };
        var workload = new Option<string>("--workload") { Description = "torch, or simulated:SECONDS for a dry run of the cluster.", DefaultValueFactory = _ => "torch" };
        var seed = new Option<int?>("--seed") { Description = "Seed of the sampler and of training (default: the sampler's from the study's name, so every study samples its own points; training's 0)." };
        var ladder = new Option<string?>("--lr-ladder") { Description = "Learning rates, comma-separated, at which the NLL baseline and every --enqueue objective each run (default: three spanning the space's lr range; --lr alone: that one rate)." };
        var startup = new Option<int>("--startup")
        {
            Description = "Trials before the sampler's model takes over, the enqueued ones included (0 = tpe: the enqueued ones and a quarter "
                + "of the rest, at most 10; gp: its own measured design size, the space's dimension + 1 within 4 to 6). Random and grid have none.",
            DefaultValueFactory = _ => 0,
        };
        var evaluations = new Option<int>("--evaluations") { Description = "Intermediate evaluations per trial, for the pruner (0 = none).", DefaultValueFactory = _ => 4 };
        var enqueue = new Option<string[]>("--enqueue") { Description = "An objective to try right after the NLL baseline (repeatable), e.g. power:10." };
        var answer = new Option<string>("--answer") { Description = "Where the answer is: whole, boxed, or marker:TEXT.", DefaultValueFactory = _ => "whole" };
        var promptKey = TrainingConsole.PromptKey();
        var responseKey = TrainingConsole.ResponseKey();
        var confirm = new Option<int>("--confirm") { Description = "After the search, re-run this many of the best configurations and the best NLL one on fresh seeds (0 = none).", DefaultValueFactory = _ => 2 };
        var confirmSeeds = new Option<int>("--confirm-seeds") { Description = "Fresh training seeds per confirmed configuration (at least 2).", DefaultValueFactory = _ => 3 };
        var keepModels = new Option<int>("--keep-models") { Description = "Keep the trained models of this many of the best trials (and the confirmed winner's); the rest are deleted.", DefaultValueFactory = _ => 1 };
        var trialTimeLimit = new Option<double>("--trial-time-limit") { Description = "Seconds an attempt may train before its trial fails (0 = no limit).", DefaultValueFactory = _ => 0 };
        var warmStart = new Option<string?>("--warm-start") { Description = "continuum: enqueue the winners of the backbone's neighbours on the continuum first." };
        var wait = new Option<bool>("--wait") { Description = "Watch the study until it ends, then print the best objective against NLL (Ctrl-C stops watching, not the study)." };
        var gateway = ClusterCommandLine.Gateway();
        // The recipe flags of `bnll train` (--steps, --lr, ..., --dtype, --lora-*, --set): every trial trains with them.
        var recipeFlags = new RecipeCommandLine(DefaultRecipe, "The base recipe's learning rate; given without --lr-ladder, the one rate of the ladder.");
        var command = new Command("start", "Start an objective search for a backbone on a data set.")
        {
            name, backbone, train, val, test, space, trials, parallel, sampler, pruner, metric, workload, seed, ladder, startup,
            evaluations, enqueue, answer, promptKey, responseKey, confirm, confirmSeeds, warmStart, wait, gateway,
            keepModels, trialTimeLimit,
        };
        recipeFlags.AddTo(command);
        StudyRequest RequestOf(ParseResult parse)
        {
            var studyName = parse.GetValue(name)!;
            var recipe = recipeFlags.Read(parse);
            return Resolve(new StudyRequest
            {
                Name = studyName,
                Backbone = parse.GetValue(backbone)!,
                TrainPath = parse.GetValue(train)!,
                ValPath = parse.GetValue(val)!,
                TestPath = parse.GetValue(test),
                SpaceName = parse.GetValue(space)!,
                SpaceJson = "",
                Trials = parse.GetValue(trials),
                Parallel = parse.GetValue(parallel),
                Sampler = parse.GetValue(sampler)!,
                Pruner = parse.GetValue(pruner)!,
                Metric = parse.GetValue(metric)!,
                Workload = parse.GetValue(workload)!,
                Seed = parse.GetValue(seed) ?? StudyProtocol.SeedOf(studyName),
                LearningRates = parse.GetValue(ladder) is { } rates ? ParseRates("--lr-ladder", rates)
                    : parse.GetResult(recipeFlags.LearningRate) is { Implicit: false } ? [recipe.LearningRate] : [],
                Startup = parse.GetValue(startup),
                Evaluations = parse.GetValue(evaluations),
                Enqueue = parse.GetValue(enqueue) ?? [],
                AnswerFormat = parse.GetValue(answer)!,
                PromptKey = parse.GetValue(promptKey)!,
                ResponseKey = parse.GetValue(responseKey)!,
                Confirm = parse.GetValue(confirm),
                ConfirmSeeds = parse.GetValue(confirmSeeds),
                KeepModels = parse.GetValue(keepModels),
                TrialTimeLimit = parse.GetValue(trialTimeLimit),
                Recipe = recipe with { Seed = parse.GetValue(seed) ?? 0 },
            });
        }
        command.SetAction(async (parse, ct) =>
        {
            var warm = parse.GetValue(warmStart);
            if (warm is not null && warm != "continuum")
                throw new ArgumentException($"--warm-start '{warm}' is unknown; the one source is continuum");
            var request = RequestOf(parse);
            return await ClusterCommandLine.WithClusterAsync(parse, gateway, ct, async grains =>
            {
                var warmed = warm is null ? request : await WarmStart.ApplyAsync(grains, request, Console.Out, ct);
                return await StartAsync(grains, warmed, parse.GetValue(wait), Console.Out, Console.Error, ct);
            });
        });
        return (command, RequestOf);
    }

    /// <summary>
    /// Resolves a request as the user typed it for the cluster — absolute data paths (the silos do not
    /// share this process's working directory), the search space (named in
    /// <see cref="StudyRequest.SpaceName"/>) as JSON, objective specs in their canonical spelling, the
    /// default recipe when it has none — and checks it with the grain's own rules (the study writes its
    /// protocol out when it starts: the default rate ladder, the start-up scaled to the budget).
    /// </summary>
    /// <exception cref="ArgumentException">A value out of range or unknown; the message names the flag.</exception>
    /// <exception cref="FileNotFoundException">A data file or space file that does not exist.</exception>
    /// <exception cref="FormatException">A space file or objective that does not parse.</exception>
    public static StudyRequest Resolve(StudyRequest r)
    {
        var resolved = r with
        {
            SpaceJson = SearchSpaceJson.Write(SearchSpaceArgument.Load(r.SpaceName)),
            Enqueue = r.Enqueue.Select(CanonicalObjective).ToList(),
            Recipe = r.Recipe ?? DefaultRecipe with { Seed = r.Seed },
        };
        StudyRequestValidator.CheckSettings(resolved);
        return resolved with
        {
            TrainPath = ExistingFile("--train", r.TrainPath), ValPath = ExistingFile("--val", r.ValPath),
            TestPath = r.TestPath is { } test ? ExistingFile("--test", test) : null,
        };
    }

    /// <summary>"1e-5,1e-4,3e-4" as rates; an <see cref="ArgumentException"/> names <paramref name="flag"/> and the part that is no number.</summary>
    public static IReadOnlyList<double> ParseRates(string flag, string text)
    {
        var rates = new List<double>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!double.TryParse(part, NumberStyles.Float, CultureInfo.InvariantCulture, out var rate))
                throw new ArgumentException($"{flag}: '{part}' is not a learning rate (a number such as 1e-4)");
            rates.Add(rate);
        }
        if (rates.Count == 0) throw new ArgumentException($"{flag} needs at least one rate, e.g. 1e-5,1e-4,3e-4");
        return rates;
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
            // The silo reads the data and hashes the backbone and data files first: minutes for a large backbone.
            status = await ConsoleProgress.WhileAsync(progress, $"starting study {request.Name}: the silo checks the data and hashes the backbone and data files",
                _ => grains.GetGrain<IStudyGrain>(request.Name).Start(request));
        }
        catch (TimeoutException e)
        {
            throw new ClusterUnreachableException($"the cluster did not confirm the start of {request.Name} in time; " +
                $"it may have started: see `bnll search status {request.Name}`", e);
        }
        output.WriteLine($"started study {status.Study}: {request.Trials} trials of backbone {status.Backbone} on {status.Dataset} " +
            $"(space {request.SpaceName}, sampler {status.Sampler}, pruner {status.Pruner}, {status.Metric} {status.Direction}, " +
            $"{SearchStatusView.Tuning(status)})");
        output.WriteLine($"protocol: {SearchStatusView.Protocol(status)}");
        if (!wait)
        {
            output.WriteLine($"watch it with `bnll search watch {status.Study}`; results with `bnll search status {status.Study}`");
            return 0;
        }
        return await SearchCommand.WatchAsync(grains, request.Name, output, progress, ct);
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
