using System.CommandLine;
using BeyondNll.Grains;
using BeyondNll.Search.Spaces;
using BeyondNll.Studies;
using BeyondNll.Training.Objectives;
using BeyondNll.Training.Synthetic;

namespace BeyondNll.Client.Commands;

/// <summary>
/// `bnll quickstart`: a complete search on one machine with nothing given and nothing started
/// beforehand. It makes a synthetic task with noisy supervision (clean validation and held-out test
/// sets beside it) and a backbone pretrained on it, starts a silo in this process (embedded defaults:
/// SQLite state in the working folder, the CPU cores as device slots), registers the backbone, runs a
/// search over the objective family with the fair protocol — the NLL baseline and the paper's −p and
/// −p^10 each at every rate of the ladder, then TPE — confirms NLL and the best challenger on fresh
/// seeds, and prints the study's answer against NLL, measured on the test set.
/// </summary>
public static class QuickstartCommand
{
    public static Command Create()
    {
        var task = new Option<string>("--task") { Description = "Synthetic task: " + string.Join(", ", SyntheticTasks.Names), DefaultValueFactory = _ => "cipher" };
        var pretrain = new Option<int>("--pretrain-steps") { Description = "Backbone pretraining steps (its prior strength).", DefaultValueFactory = _ => 300 };
        var trials = new Option<int>("--trials") { Description = "Search trials, the enqueued ones included (nll, power:1 and power:10 at each of 3 rates: 9).", DefaultValueFactory = _ => 12 };
        var confirm = new Option<int>("--confirm") { Description = "Configurations besides NLL confirmed on fresh seeds (0 = none).", DefaultValueFactory = _ => 1 };
        var confirmSeeds = new Option<int>("--confirm-seeds") { Description = "Fresh seeds per confirmed configuration.", DefaultValueFactory = _ => 3 };
        var steps = new Option<int>("--steps") { Description = "Fine-tuning steps per trial.", DefaultValueFactory = _ => 100 };
        var noise = new Option<double>("--noise") { Description = "Share of corrupted response characters in the training data.", DefaultValueFactory = _ => 0.1 };
        var seed = new Option<int>("--seed") { Description = "Seed of data, backbone and search.", DefaultValueFactory = _ => 0 };
        var output = new Option<string>("--out") { Description = "Working folder (data, backbone, cluster state); its cluster state is started afresh.", DefaultValueFactory = _ => Path.Combine("runs", "quickstart") };
        var json = new Option<bool>("--json") { Description = "Print the final status as JSON (as `bnll search status --json`)." };
        var webPort = new Option<int>("--web-port") { Description = "Serve the study's live page on http://localhost:PORT/studies/quickstart (a free port when taken; 0: none).", DefaultValueFactory = _ => 8080 };
        var command = new Command("quickstart", "Run a complete search on a synthetic backbone with an in-process silo, and print the best objective against NLL.")
            { task, pretrain, trials, steps, noise, seed, output, json, confirm, confirmSeeds, webPort };
        command.SetAction(async (parse, cancellation) =>
        {
            var taskName = parse.GetValue(task)!;
            var seedValue = parse.GetValue(seed);
            var root = Path.GetFullPath(parse.GetValue(output)!);
            var quiet = parse.GetValue(json);
            var say = quiet ? TextWriter.Null : Console.Out;
            var backboneOptions = new SyntheticBackboneOptions { Task = taskName, PretrainSteps = parse.GetValue(pretrain), Seed = seedValue };
            backboneOptions.Validate();
            if (parse.GetValue(webPort) is < 0 or > 65535) throw new ArgumentException($"--web-port {parse.GetValue(webPort)} is not a port: use 1 to 65535, or 0 for no web page");
            var dataFolder = Path.Combine(root, "data");
            var planned = new StudyRequest
            {
                Name = "quickstart",
                Backbone = "quickstart",
                TrainPath = Path.Combine(dataFolder, "train.jsonl"),
                ValPath = Path.Combine(dataFolder, "val.jsonl"),
                TestPath = Path.Combine(dataFolder, "test.jsonl"),
                SpaceJson = SearchSpaceJson.Write(NamedSpaces.CreateDefault()),
                SpaceName = NamedSpaces.Default,
                Trials = parse.GetValue(trials),
                Parallel = LocalRun.Slots,
                Metric = "accuracy",
                Workload = "torch",
                Seed = seedValue,
                Confirm = parse.GetValue(confirm),
                ConfirmSeeds = parse.GetValue(confirmSeeds),
                // The rate ladder is the default space's (three rungs): every enqueued objective runs at each.
                Recipe = SearchStartCommand.DefaultRecipe with
                {
                    Steps = parse.GetValue(steps), MaxLength = backboneOptions.Config.MaxPositions, Seed = seedValue,
                },
                Enqueue = [Objective.Power(1).Spec, Objective.Power(10).Spec],
            };
            // The study's rules before any work (the budget among them), so that bad input costs nothing.
            StudyRequestValidator.CheckSettings(planned);

            var data = LocalRun.WriteData(taskName, 2000, parse.GetValue(noise), seedValue, 200, dataFolder);
            say.WriteLine($"data: 2000 training, 200 validation and 200 held-out test examples of {taskName} (noise {parse.GetValue(noise):P0} in training) in {Path.GetDirectoryName(data.Train)}");

            var backboneDir = Path.Combine(root, "backbone");
            await LocalRun.PretrainAsync(backboneDir, backboneOptions, quiet, cancellation);
            say.WriteLine($"backbone: {backboneDir} ({backboneOptions.PretrainSteps} pretraining steps)");

            // A fresh cluster state each run, so the study name is free; nothing else is touched.
            var clusterDir = Path.Combine(root, "cluster");
            await using var silo = await LocalRun.StartSiloAsync(clusterDir, cancellation);
            say.WriteLine($"silo: in this process, {LocalRun.Slots} CPU slot(s), state in {clusterDir}");
            await using var web = await LocalRun.StartWebAsync(silo, parse.GetValue(webPort), cancellation);
            if (web is not null) say.WriteLine($"watch the search live: {web.Url}/studies/quickstart");

            var grains = silo.Client;
            await grains.GetGrain<IBackboneGrain>("quickstart").Register(backboneDir);
            var request = SearchStartCommand.Resolve(planned);
            var exit = await SearchStartCommand.StartAsync(grains, request, wait: true, say, quiet ? TextWriter.Null : Console.Error, cancellation);
            if (quiet) return await SearchCommand.StatusAsync(grains, request.Name, json: true, Console.Out, cancellation) is 0 ? exit : CommandLineExit.Failed;
            return exit;
        });
        return command;
    }
}
