using System.Text.Json;
using BeyondNll.Client.Commands;
using BeyondNll.Figures;
using BeyondNll.Grains;
using BeyondNll.Search.Spaces;
using BeyondNll.Studies;
using BeyondNll.Training.Trainer;

namespace BeyondNll.Cluster.Tests;

/// <summary>
/// The data behind a study's figures in `search status --json` (importance, learning curves) and the
/// figures themselves, from statuses made by the study model.
/// </summary>
public class StudyFiguresTests
{
    static readonly DateTimeOffset T0 = new(2025, 1, 2, 3, 4, 5, TimeSpan.Zero);

    /// <summary>
    /// A completed study of <paramref name="n"/> trials over family and lr whose value depends on the
    /// family alone (nll 0.5, power 0.7, top-p 0.6): all of the variance is the family's.
    /// </summary>
    static StudyStatus FamilyOnly(int n)
    {
        var space = SearchSpace.FromJson("""
            {"params":[{"name":"family","type":"categorical","choices":["nll","power","top-p"]},
                       {"name":"k","type":"float","low":0.5,"high":10,"log":true,"when":{"family":["power"]}},
                       {"name":"q","type":"float","low":0.1,"high":0.9,"when":{"family":["top-p"]}},
                       {"name":"lr","type":"float","low":1e-5,"high":1e-3,"log":true}]}
            """);
        var model = StudyModel.Create("families", new StudyRequest
        {
            Name = "families", Backbone = "tiny", TrainPath = "/t.jsonl", ValPath = "/v.jsonl", SpaceJson = space.ToJson(), Trials = n,
            Parallel = 1, Sampler = "random", Recipe = new TrainingRecipe { LearningRate = 1e-3, MaxLength = 64 },
        }, new StudyInputs(new("/b", "aa"), new("/t.jsonl", "bb"), new("/v.jsonl", "cc"), "t.jsonl"), T0);
        for (var i = 0; i < n; i++)
        {
            var (trial, attempt) = model.NextAttempt()!.Value;
            var key = $"families|{trial}|{attempt}|silo";
            model.Start(key, "silo", "cpu:0", T0);
            var family = model.Trials[trial].Recipe.Objective.Split(':')[0];
            var value = family switch { "nll" => 0.5, "power" => 0.7, _ => 0.6 };
            model.Report(trial, key, 5, value - 0.1);
            model.Apply(new TrialOutcome { AttemptKey = key, Number = trial, Attempt = attempt, State = TrialRunState.Completed, Value = value, Reason = "completed" }, T0);
        }
        model.Finish();
        return model.Status();
    }

    [Fact]
    public void Status_json_gives_each_parameter_its_share_of_the_variance()
    {
        var json = JsonLine.Of(SearchStatusView.ToJson(FamilyOnly(30)));
        var importance = json.GetProperty("importance");
        Assert.Equal(JsonValueKind.Object, importance.ValueKind);
        var shares = importance.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetDouble());
        // k and q exist only in some trials: like Optuna's, the assessment leaves them out.
        Assert.Equal(["family", "lr"], shares.Keys);
        Assert.True(shares["family"] > 0.95, $"family got {shares["family"]:F3}");
        Assert.Equal(1.0, shares.Values.Sum(), 1e-9);
    }

    [Fact]
    public void Status_json_has_no_importance_before_two_trials_completed_and_each_trials_curve()
    {
        var started = JsonLine.Of(SearchStatusView.ToJson(StatusSamples.JustStarted()));
        Assert.Empty(started.GetProperty("importance").EnumerateObject());

        var completed = JsonLine.Of(SearchStatusView.ToJson(StatusSamples.Completed()));
        var pruned = completed.GetProperty("trials")[2].GetProperty("intermediate");
        Assert.Equal("""[{"step":25,"value":0.4}]""", pruned.GetRawText());
        Assert.Empty(completed.GetProperty("trials")[0].GetProperty("intermediate").EnumerateArray());
    }

    [Fact]
    public void Best_so_far_follows_the_metric_direction_over_completed_trials()
    {
        var status = FamilyOnly(12);
        var best = StudyFigures.BestSoFar(status.Trials, maximize: true);
        Assert.Equal(status.Trials.Count, best.Count);
        Assert.Equal(status.Trials.Select(t => t.Value!.Value).Max(), best[^1].Best);
        Assert.True(best.Zip(best.Skip(1)).All(p => p.Second.Best >= p.First.Best));
        var lowest = StudyFigures.BestSoFar(status.Trials, maximize: false);
        Assert.Equal(status.Trials.Select(t => t.Value!.Value).Min(), lowest[^1].Best);
    }

    [Fact]
    public void Parallel_axes_span_each_parameters_range_on_its_scale()
    {
        var lr = ParameterSpec.Float("lr", 1e-5, 1e-3, log: true);
        Assert.Equal(0.5, ParallelCoordinates.Position(lr, 1e-4), 1e-12); // the log midpoint
        Assert.Equal(0.0, ParallelCoordinates.Position(lr, 1e-5), 1e-12);
        var family = ParameterSpec.Categorical("family", ["nll", "power", "top-p"]);
        Assert.Equal([0.0, 0.5, 1.0], Enumerable.Range(0, 3).Select(i => ParallelCoordinates.Position(family, i)));
    }

    [Fact]
    public void Every_figure_draws_for_a_finished_a_just_started_and_an_old_status()
    {
        foreach (var status in new[] { FamilyOnly(8), StatusSamples.Completed(), StatusSamples.JustStarted(), StatusSamples.Completed() with { SpaceJson = "" } })
            foreach (var name in StudyFigures.Names)
            {
                var svg = FigureFiles.Svg(StudyFigures.Draw(name, status));
                Assert.Equal("svg", System.Xml.Linq.XDocument.Parse(svg).Root!.Name.LocalName); // a whole SVG document
                Assert.Contains(status.Study, svg); // the title names the study
            }
        Assert.Throws<ArgumentException>(() => StudyFigures.Draw("pie", StatusSamples.Completed()));
    }
}
