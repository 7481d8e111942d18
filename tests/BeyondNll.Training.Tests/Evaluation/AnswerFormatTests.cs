using BeyondNll.Training.Evaluation;

namespace BeyondNll.Training.Tests.Evaluation;

public class AnswerFormatTests
{
    [Theory]
    [InlineData("whole", " 42 ", "42")]
    [InlineData("marker:####", "so 6*7 #### 42", "42")]
    [InlineData("marker:####", "#### 41 then #### 42", "42")]
    [InlineData("marker:####", "no marker here", null)]
    [InlineData("boxed", "thus \\boxed{\\frac{1}{2}} done", "\\frac{1}{2}")]
    [InlineData("boxed", "\\boxed{1} and \\boxed{ 2 }", "2")]
    [InlineData("boxed", "\\boxed{unclosed", null)]
    [InlineData("boxed", "none", null)]
    public void Extracts_the_answer(string format, string text, string? expected) =>
        Assert.Equal(expected, AnswerFormat.Parse(format).Extract(text));

    [Fact]
    public void Unknown_formats_are_rejected() =>
        Assert.Contains("unknown answer format", Assert.Throws<FormatException>(() => AnswerFormat.Parse("regex:.*")).Message);
}
