using BeyondNll.Grains;
using BeyondNll.Search.Samplers.Gp;
using BeyondNll.Search.Spaces;

namespace BeyondNll.Studies.Tests;

/// <summary>
/// The fair protocol (issue 14): no objective gets a rate the others do not (the rate ladder), the
/// start-up scales with the budget, each study samples with a seed of its own, selection on
/// validation and reporting on held-out test data, and dry runs kept out of every shared record.
/// </summary>
public class FairProtocolTests
{
    /// <summary>The default space's families with an lr range fixed here, so the ladder it spans is known.</summary>
    static readonly SearchSpace Space = SearchSpace.FromJson("""
        {"params":[
          {"name":"family","type":"categorical","choices":["nll","power","top-p"]},
          {"name":"k","type":"float","low":0.05,"high":20,"log":true,"when":{"family":["power"]}},
          {"name":"q","type":"float","low":0.0,"high":1.0,"when":{"family":["top-p"]}},
          {"name":"lr","type":"float","low":1e-5,"high":1e-3,"log":true}
        ]}
        """);

    [Fact]
    public void By_default_nll_and_every_enqueued_objective_run_at_the_same_three_rates_spanning_the_spaces_lr()
    {
        var d = new Driver(Driver.Request(trials: 8, parallel: 8, space: Space, enqueue: ["power:1"], learningRates: []));
        // The ladder is written into the stored request, so status shows it: the bounds and their geometric mean.
        Assert.Equal([1e-5, 1e-4, 1e-3], d.Model.Request.LearningRates);
        Assert.Equal([1e-5, 1e-4, 1e-3], d.Model.Status().LearningRates);

        var started = d.StartAll();
        Assert.Equal(8, started.Count);
        Assert.Equal(["nll", "nll", "nll", "power:1", "power:1", "power:1"], started.Take(6).Select(s => s.Recipe.Objective));
        Assert.Equal([1e-5, 1e-4, 1e-3, 1e-5, 1e-4, 1e-3], started.Take(6).Select(s => s.Recipe.LearningRate));
        // The rest are the sampler's, each at a rate of its own in the space.
        Assert.All(started.Skip(6), s => Assert.InRange(s.Recipe.LearningRate, 1e-5, 1e-3));
    }

    [Fact]
    public void A_given_ladder_is_every_enqueued_objectives_and_a_repeated_guess_runs_once()
    {
        var d = new Driver(Driver.Request(trials: 6, parallel: 6, space: Space, enqueue: ["power:10", "nll", "power:10"], learningRates: [3e-5, 3e-4]));
        var started = d.StartAll();
        Assert.Equal([("nll", 3e-5), ("nll", 3e-4), ("power:10", 3e-5), ("power:10", 3e-4)],
            started.Take(4).Select(s => (s.Recipe.Objective, s.Recipe.LearningRate)));
    }

    [Fact]
    public void The_paper_grid_has_no_lr_of_its_own_and_gets_the_ladder_as_one_so_its_points_run_on_the_same_rungs()
    {
        var d = new Driver(Driver.Request(trials: 9, parallel: 9, space: NamedSpaces.CreatePaperGrid(), sampler: "grid", learningRates: [1e-4, 3e-4, 1e-3]));
        var started = d.StartAll();
        Assert.Equal([1e-4, 3e-4, 1e-3], started.Take(3).Select(s => s.Recipe.LearningRate));
        Assert.All(started.Take(3), s => Assert.Equal("nll", s.Recipe.Objective));
        // Every grid point, whatever its objective, trains at a rung of the ladder.
        Assert.All(started, s => Assert.Contains(s.Recipe.LearningRate, new[] { 1e-4, 3e-4, 1e-3 }));
        Assert.Contains(started.Skip(3), s => s.Recipe.Objective != "nll");
    }

    [Theory]
    [InlineData(12, 3, 6)]   // a quarter of the 9 left, rounded up, after the 3 enqueued
    [InlineData(6, 3, 4)]
    [InlineData(100, 3, 10)] // never more than Optuna's 10 in all
    [InlineData(20, 12, 12)] // the enqueued alone past 10: no random trial more
    [InlineData(3, 3, 3)]
    public void The_startup_scales_with_the_budget(int trials, int enqueued, int startup) =>
        Assert.Equal(startup, StudyProtocol.AutoStartup(trials, enqueued));

    [Fact]
    public void A_twelve_trial_study_is_not_ten_random_trials_and_a_given_startup_is_kept()
    {
        Assert.Equal(6, new Driver(Driver.Request(trials: 12, space: Space, learningRates: [])).Model.Status().Startup);
        Assert.Equal(8, new Driver(Driver.Request(trials: 12, space: Space) with { Startup = 8 }).Model.Status().Startup);
    }

    /// <summary>
    /// The protocol line once claimed TPE's scaled start-up for every sampler while the GP sampler (the default) kept
    /// its own design size: the status now shows what the sampler does, and a given --startup reaches the GP too.
    /// </summary>
    [Fact]
    public void The_status_shows_the_start_up_the_sampler_really_uses()
    {
        var gp = new Driver(Driver.Request(trials: 12, space: Space, sampler: "gp", learningRates: []));
        var design = new GpSampler(gp.Model.Protocol.Space).StartupTrials;
        Assert.Equal(design, gp.Model.Status().Startup);
        Assert.Equal(0, gp.Model.Record.Request!.Startup); // stored as "the sampler's own", not TPE's count
        Assert.Equal(8, new Driver(Driver.Request(trials: 12, space: Space, sampler: "gp") with { Startup = 8 }).Model.StartupTrials);
        Assert.Equal(0, new Driver(Driver.Request(trials: 12, space: Space, sampler: "random")).Model.Status().Startup);
        Assert.Equal(0, new Driver(Driver.Request(trials: 12, space: Space, sampler: "random") with { Startup = 5 }).Model.Status().Startup);
        Assert.Equal(6, new Driver(Driver.Request(trials: 12, space: Space, sampler: "tpe", learningRates: [])).Model.Status().Startup);
    }

    [Fact]
    public void Each_study_has_a_sampler_seed_of_its_own_that_its_name_fixes()
    {
        var seeds = new[] { "demo-s0-p60", "demo-s0-p150", "demo-s0-p300", "demo-s0-p500" }.Select(StudyProtocol.SeedOf).ToList();
        Assert.Equal(4, seeds.Distinct().Count());
        Assert.Equal(StudyProtocol.SeedOf("demo-s0-p60"), seeds[0]);
        Assert.All(seeds, s => Assert.True(s >= 0));
    }

    public static TheoryData<Func<StudyRequest, StudyRequest>, string> BadProtocols => new()
    {
        { r => r with { Trials = 5, Enqueue = ["power:1"], LearningRates = [] },
            "--trials 5 is fewer than the 6 trials the protocol enqueues (nll and 1 --enqueue objective(s), each at the 3 rate(s) of the ladder)" },
        { r => r with { LearningRates = [1e-2] }, "--lr-ladder: 0.01 is outside the space's lr" },
        { r => r with { LearningRates = [-1e-4] }, "--lr-ladder: -0.0001 is no learning rate" },
        { r => r with { LearningRates = [1e-4, 1e-4] }, "--lr-ladder: 0.0001, 0.0001 repeats a rate" },
        { r => r with { Startup = -1 }, "--startup must be at least 0, got -1" },
        { r => r with { TestPath = "/data/val.jsonl" }, "--test is the --val file" },
        { r => r with { TestPath = "/data/train.jsonl" }, "--test is the --train file" },
    };

    [Theory, MemberData(nameof(BadProtocols))]
    public void A_protocol_that_cannot_run_is_refused_with_the_problem_named(Func<StudyRequest, StudyRequest> spoil, string expected)
    {
        var e = Assert.Throws<ArgumentException>(() => StudyRequestValidator.CheckSettings(spoil(Driver.Request(space: Space))));
        Assert.StartsWith(expected, e.Message);
    }

    [Fact]
    public void A_study_stored_before_the_protocol_keeps_running_as_it_did()
    {
        // Stored by the version before: no ladder, no start-up, no test data in its request.
        var record = new Driver(Driver.Request(trials: 4, parallel: 4, space: Space, enqueue: ["power:10"])).Model.Record;
        record.Request = record.Request! with { LearningRates = [], Startup = 0 };
        var model = StudyModel.Load("s", record, []);

        Assert.Equal([3e-4], model.Status().LearningRates);
        Assert.Equal((10, "validation"), (model.Status().Startup, model.Split));
        var first = new List<TrialSpec>();
        while (model.NextAttempt() is var (trial, attempt) && first.Count < 2)
            first.Add(model.Start($"s|{trial}|{attempt}|S1", "S1", "cpu:0", Driver.T0)!);
        // Its baseline and guess at the recipe's rate, once each, as before.
        Assert.Equal([("nll", 3e-4), ("power:10", 3e-4)], first.Select(s => (s.Recipe.Objective, s.Recipe.LearningRate)));
    }

    [Fact]
    public void With_test_data_trials_are_selected_on_validation_and_the_answer_is_reported_on_test()
    {
        var d = new Driver(Driver.Request(trials: 3, parallel: 3, space: Space, enqueue: ["power:10", "top-p:0.5"], test: "/data/test.jsonl"));
        var specs = d.StartAll();
        d.Complete(specs[0], 0.55, testValue: 0.56); // nll
        d.Complete(specs[1], 0.60, testValue: 0.50); // power:10: best on validation, worse than NLL on test
        d.Complete(specs[2], 0.45, testValue: 0.58); // top-p: best on test, but validation did not pick it

        var answer = d.Model.Answer()!;
        Assert.False(answer.Confirmed);
        Assert.Equal("test", answer.Split);
        // The challenger is chosen on validation; the gain it is judged by is measured on test.
        Assert.Equal(("power:10", 0.50, 0.56), (answer.Challenger, answer.ChallengerValue, answer.NllValue));
        Assert.Equal(-0.06, answer.Gain!.Value, 12);
        Assert.Equal(("nll", 0.55, 0.56), (answer.Objective, answer.Value, answer.TestValue));
        Assert.Equal(new double?[] { 0.56, 0.50, 0.58 }, d.Model.Status().Trials.Select(t => t.TestValue));
    }

    [Fact]
    public void A_confirmation_on_test_data_is_paired_by_seed_and_its_values_are_the_test_values()
    {
        var d = new Driver(Driver.Request(trials: 2, parallel: 2, space: Space, enqueue: ["power:1"], confirm: 1, confirmSeeds: 3, test: "/data/test.jsonl"));
        // Validation says power:1 by 0.1; on test, seed by seed, power:1 is ahead by 0.01 + seed noise.
        d.RunToEnd(r => r.Objective == "nll" ? 0.5 : 0.6,
            r => (r.Objective == "nll" ? 0.50 : 0.51) + (r.Seed % 3) * 0.01 + (r.Objective == "nll" ? 0 : (r.Seed % 2) * 0.002));

        var c = d.Model.Status().Confirmation!;
        Assert.Equal(("test", "paired-t", 3), (c.Split, c.Test, c.Pairs));
        Assert.Equal(c.Configurations[0].Seeds, c.Configurations[1].Seeds);
        Assert.Equal(0.5, c.Configurations[0].ValidationMean!.Value, 12);
        Assert.All(c.Configurations[0].Values, v => Assert.InRange(v, 0.5, 0.53));
        var comparison = Assert.Single(c.Comparisons);
        Assert.InRange(comparison.Gain, 0.01, 0.012);
        var ci = c.Ci95!;
        Assert.Equal(comparison.Ci95!, ci);
        Assert.True(ci[0] < comparison.Gain && comparison.Gain < ci[1]);
        Assert.Equal(comparison.PValue, c.PAdjusted); // one challenger: Holm leaves its p as it is

        var answer = d.Model.Answer()!;
        Assert.True(answer.Confirmed);
        Assert.Equal(("power:1", 0.6, "test"), (answer.Objective, answer.Value, answer.Split));
        Assert.Equal(c.Configurations[1].Mean, answer.TestValue);
        Assert.Equal(c.Gain, answer.Gain);
        Assert.Equal(c.Ci95, answer.Ci95);
    }

    [Fact]
    public void A_simulated_study_is_marked_and_never_becomes_a_backbones_answer_or_a_continuum_point()
    {
        var d = new Driver(Driver.Request(trials: 2, parallel: 2, space: Space, enqueue: ["power:1"], workload: "simulated:2"));
        d.RunToEnd(r => r.Objective == "nll" ? 0.5 : 0.656);
        Assert.True(d.Model.Simulated);
        Assert.True(d.Model.Status().Simulated);
        Assert.NotNull(d.Model.Answer()); // its own status still shows what the dry run made up
        Assert.Null(StudyResults.ForBackbone(d.Model));
        Assert.Null(StudyResults.ForContinuum(d.Model, Driver.T0));
    }
}
