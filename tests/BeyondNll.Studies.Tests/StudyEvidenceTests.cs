using BeyondNll.Grains;

namespace BeyondNll.Studies.Tests;

/// <summary>
/// Which study's answer counts when several studies asked the same question: `best`, the continuum
/// and recommend follow the one rule (a confirmed answer before an unconfirmed one, then more seeds,
/// then the later), and every point is kept.
/// </summary>
public class StudyEvidenceTests
{
    static ContinuumEntry Point(string study, int minute, bool confirmed, int pairs, string backbone = "b", string dataset = "cipher") => new()
    {
        Backbone = backbone, Dataset = dataset, Metric = "accuracy", Study = study, Winner = "nll", PaperKey = "original",
        Confirmed = confirmed, Pairs = pairs, Recorded = Driver.T0.AddMinutes(minute),
    };

    [Fact]
    public void A_later_unconfirmed_study_does_not_replace_a_confirmed_point_but_both_are_kept()
    {
        var confirmed = Point("long", 1, confirmed: true, pairs: 3);
        var quick = Point("quick", 2, confirmed: false, pairs: 0);
        Assert.Equal([confirmed], StudyEvidence.Counted([confirmed, quick]));
        Assert.Equal([confirmed], StudyEvidence.Counted([quick, confirmed])); // the order given does not matter
        Assert.False(StudyEvidence.Counts(quick, [confirmed, quick]));
    }

    [Fact]
    public void Among_confirmed_points_the_one_with_most_seeds_counts_and_a_tie_goes_to_the_later()
    {
        var three = Point("three", 1, true, 3);
        var two = Point("two", 2, true, 2);
        var threeAgain = Point("three-again", 3, true, 3);
        Assert.Equal([three], StudyEvidence.Counted([three, two]));
        Assert.Equal([threeAgain], StudyEvidence.Counted([three, two, threeAgain]));
        // Unconfirmed only: the latest.
        Assert.Equal("u2", Assert.Single(StudyEvidence.Counted([Point("u1", 1, false, 0), Point("u2", 2, false, 0)])).Study);
    }

    [Fact]
    public void Each_backbone_and_data_set_has_its_own_counted_point()
    {
        var points = new[] { Point("a", 1, true, 2), Point("b", 2, false, 0, backbone: "other"), Point("c", 3, false, 0, dataset: "sort") };
        Assert.Equal(points, StudyEvidence.Counted(points));
    }

    [Fact]
    public void A_backbones_result_follows_the_same_rule_and_an_old_result_with_a_confirmation_counts_as_confirmed()
    {
        static DatasetResult Result(string study, bool confirmed, int pairs) => new()
        {
            Dataset = "cipher", Objective = "nll", PaperKey = "original", Study = study, Metric = "accuracy", Confirmed = confirmed,
            Confirmation = pairs == 0 ? null : new ConfirmationView
            {
                Configurations = [], Seeds = pairs, Winner = "nll", WinnerObjective = "nll", Test = "paired-t", Pairs = pairs,
            },
        };
        Assert.False(StudyEvidence.Replaces(Result("new", false, 0), Result("old", true, 3)));
        Assert.True(StudyEvidence.Replaces(Result("new", true, 3), Result("old", false, 0)));
        Assert.True(StudyEvidence.Replaces(Result("new", true, 3), Result("old", true, 2)));
        Assert.False(StudyEvidence.Replaces(Result("new", true, 2), Result("old", true, 3)));
        // The same study reporting again always replaces its own.
        Assert.True(StudyEvidence.Replaces(Result("same", false, 0), Result("same", true, 3)));
        // Stored before the flag existed: a result with a confirmation was a confirmed one.
        Assert.True(StudyEvidence.IsConfirmed(Result("old", confirmed: false, pairs: 2)));
    }
}
