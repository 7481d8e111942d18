using BeyondNll.Client.Commands;
using BeyondNll.Grains;

namespace BeyondNll.Cluster.Tests;

/// <summary>
/// Tables where they are read: in a log or a pipe (any writer that is no terminal) the compact
/// layout keeps every row on one line and every header whole; a failure's cause is one line.
/// </summary>
public class TableLayoutTests
{
    const string Silo = "127.0.0.1:11111@155047772";

    static readonly string TensorFailure = string.Join('\n',
        ["/data/strong/model.safetensors: tensor 'model.layers.3.mlp.down_proj.weight' has data_offsets [3932160, 4194304] outside the 4000000 data bytes.",
         .. Enumerable.Range(0, 15).Select(i => $"   at BeyondNll.Training.Checkpoints.Frame{i}()")]);

    static StudyStatus Failed() =>
        StatusSamples.Failed(4, Silo, TensorFailure) with { Message = TensorFailure };

    static string Rendered(StudyStatus status)
    {
        var output = new StringWriter();
        Assert.True(TableLayout.IsCompact(output));
        ClusterCommandLine.AnsiFor(output).Write(SearchStatusView.Render(status, TableLayout.IsCompact(output)));
        return output.ToString();
    }

    [Fact]
    public void A_failed_study_in_a_log_is_one_line_per_trial_with_its_cause_in_one_line()
    {
        var lines = Rendered(Failed()).Split('\n');
        var header = Assert.Single(lines, l => l.Contains("objective"));
        foreach (var name in new[] { "#", "objective", "state", "accuracy", "attempts", "silo / device", "progress" }) Assert.Contains(name, header);
        Assert.DoesNotContain("…", header);
        for (var i = 0; i < 4; i++)
        {
            var row = Assert.Single(lines, l => l.TrimStart().StartsWith($"{i} ", StringComparison.Ordinal));
            Assert.Contains("127.0.0.1:11111 / cpu:", row);
            Assert.Contains("tensor 'model.layers.3.mlp.down_proj.weight' has data_offsets", row);
            Assert.EndsWith("(…)", row.TrimEnd());
        }
        Assert.DoesNotContain("   at ", string.Join('\n', lines));
        // The study's own message, under the headline: its first line only.
        Assert.Single(lines, l => l.StartsWith("/data/strong/model.safetensors: tensor", StringComparison.Ordinal));
    }

    [Fact]
    public void A_running_trial_shows_its_steps_without_a_bar_in_a_log()
    {
        var text = Rendered(StatusSamples.JustStarted());
        Assert.Contains("40/100", text);
        Assert.DoesNotContain("━", text);
    }

    [Theory]
    [InlineData("one line", "one line")]
    [InlineData("first\n   at Frame()\n", "first (…)")]
    [InlineData("  \n", "")]
    [InlineData(null, "")]
    public void One_line_keeps_the_first_line_and_says_when_more_followed(string? text, string expected) =>
        Assert.Equal(expected, TableLayout.OneLine(text));
}
