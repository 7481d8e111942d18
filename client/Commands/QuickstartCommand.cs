using System.CommandLine;
using BeyondNll.Grains;
using BeyondNll.Training.Objectives;
using BeyondNll.Training.Synthetic;

namespace BeyondNll.Client.Commands;

/// <summary>
/// `bnll quickstart`: a complete search on one machine with nothing given and nothing started
/// beforehand. It makes a synthetic task with noisy supervision and a backbone pretrained on it,
/// starts a silo in this process (embedded defaults: SQLite state in the working folder, the CPU
/// cores as device slots), registers the backbone, runs a search over the objective family — the
/// NLL baseline first — and prints the best objective against NLL.
/// </summary>
public static class QuickstartCommand
{
    public static Command Create()
    {
        var task = new Option<string>("--task") { Description = "Synthetic task: " + string.Join(", ", SyntheticTasks.Names), DefaultValueFactory = _ => "cipher" };
        var pretrain = new Option<int>("--pretrain-steps") { Description = "Backbone pretraining steps (its prior strength).", DefaultValueFactory = _ => 300 };
        var trials = new Option<int>("--trials") { Description = "Trials of the search, the NLL baseline included.", DefaultValueFactory = _ => 8 };
        var steps = new Option<int>("--steps") { Description = "Fine-tuning steps per trial.", DefaultValueFactory = _ => 100 };
        var noise = new Option<double>("--noise") { Description = "Share of corrupted response characters in the training data.", DefaultValueFactory = _ => 0.1 };
        var seed = new Option<int>("--seed") { Description = "Seed of data, backbone and search.", DefaultValueFactory = _ => 0 };
        var output = new Option<string>("--out") { Description = "Working folder (data, backbone, cluster state); its cluster state is started afresh.", DefaultValueFactory = _ => Path.Combine("runs", "quickstart") };
        var json = new Option<bool>("--json") { Description = "Print the final status as JSON (as `bnll search status --json`)." };
        var webPort = new Option<int>("--web-port") { Description = "Serve the study's live page on http://localhost:PORT/studies/quickstart (a free port when taken; 0: none).", DefaultValueFactory = _ => 8080 };
        var command = new Command("quickstart", "Run a complete search on a synthetic backbone with an in-process silo, and print the best objective against NLL.")
            { task, pretrain, trials, steps, noise, seed, output, json, webPort };
        command.SetAction(async (parse, cancellation) =>
        {
            var taskName = parse.GetValue(task)!;
            var seedValue = parse.GetValue(seed);
            var root = Path.GetFullPath(parse.GetValue(output)!);
            var quiet = parse.GetValue(json);
            var say = quiet ? TextWriter.Null : Console.Out;
            var backboneOptions = new SyntheticBackboneOptions { Task = taskName, PretrainSteps = parse.GetValue(pretrain), Seed = seedValue };
            backboneOptions.Validate();
            if (parse.GetValue(trials) < 1) throw new ArgumentException($"--trials must be at least 1, got {parse.GetValue(trials)}");
            if (parse.GetValue(webPort) is < 0 or > 65535) throw new ArgumentException($"--web-port {parse.GetValue(webPort)} is not a port: use 1 to 65535, or 0 for no web page");

            var (trainPath, valPath) = LocalRun.WriteData(taskName, 2000, parse.GetValue(noise), seedValue, 200, Path.Combine(root, "data"));
            say.WriteLine($"data: 2000 training and 200 validation examples of {taskName} (noise {parse.GetValue(noise):P0}) in {Path.GetDirectoryName(trainPath)}");

            var backboneDir = Path.Combine(root, "backbone");
            await LocalRun.PretrainAsync(backboneDir, backboneOptions, quiet, cancellation);
            say.WriteLine($"backbone: {backboneDir} ({backboneOptions.PretrainSteps} pretraining steps)");

            // A fresh cluster state each run, so the study name is free; nothing else is touched.
            var clusterDir = Path.Combine(root, "cluster");
            var slots = LocalRun.Slots;
            await using var silo = await LocalRun.StartSiloAsync(clusterDir, cancellation);
            say.WriteLine($"silo: in this process, {slots} CPU slot(s), state in {clusterDir}");
            await using var web = await LocalRun.StartWebAsync(silo, parse.GetValue(webPort), cancellation);
            if (web is not null) say.WriteLine($"watch the search live: {web.Url}/studies/quickstart");

            var grains = silo.Client;
            await grains.GetGrain<IBackboneGrain>("quickstart").Register(backboneDir);
            var request = SearchStartCommand.Resolve(new StudyRequest
            {
                Name = "quickstart",
                Backbone = "quickstart",
                TrainPath = trainPath,
                ValPath = valPath,
                SpaceJson = "",
                SpaceName = "default",
                Trials = parse.GetValue(trials),
                Parallel = slots,
                Metric = "accuracy",
                Workload = "torch",
                Seed = seedValue,
                Recipe = SearchStartCommand.DefaultRecipe with
                {
                    Steps = parse.GetValue(steps), LearningRate = 1e-3, MaxLength = backboneOptions.Config.MaxPositions, Seed = seedValue,
                },
                Enqueue = [Objective.Power(1).Spec, Objective.Power(10).Spec],
            });
            var exit = await SearchStartCommand.StartAsync(grains, request, wait: true, say, quiet ? TextWriter.Null : Console.Error, cancellation);
            if (quiet) return await SearchCommand.StatusAsync(grains, request.Name, json: true, Console.Out, cancellation) is 0 ? exit : CommandLineExit.Failed;
            return exit;
        });
        return command;
    }
}
