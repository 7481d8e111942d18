using BeyondNll.Search.Spaces;

namespace BeyondNll.Search.Tests;

public class SearchSpaceTests
{
    const string IssueExample = """
        {"params": [
          {"name": "family", "type": "categorical", "choices": ["nll", "power", "top-p", "bottom-p"]},
          {"name": "k",  "type": "float", "low": 0.05, "high": 20, "log": true, "when": {"family": ["power"]}},
          {"name": "q",  "type": "float", "low": 0.0,  "high": 1.0, "when": {"family": ["top-p", "bottom-p"]}},
          {"name": "lr", "type": "float", "low": 1e-5, "high": 1e-3, "log": true},
          {"name": "warmup", "type": "int", "low": 0, "high": 10}
        ]}
        """;

    [Fact]
    public void Parses_the_documented_example()
    {
        var space = SearchSpace.FromJson(IssueExample);

        Assert.Equal(["family", "k", "q", "lr", "warmup"], space.Parameters.Select(p => p.Name));
        Assert.Equal(ParameterKind.Categorical, space["family"].Kind);
        Assert.True(space["k"].Log);
        Assert.Equal([1], space["k"].When.Single().AllowedChoices);
        Assert.Equal([2, 3], space["q"].When.Single().AllowedChoices);
        Assert.Equal(ParameterKind.Int, space["warmup"].Kind);
        Assert.Equal(1, space["warmup"].Step);
    }

    [Fact]
    public void Saving_and_loading_gives_the_same_space()
    {
        var space = SearchSpace.FromJson(IssueExample);

        var again = SearchSpace.FromJson(space.ToJson());

        Assert.Equal(space.ToJson(), again.ToJson());
        Assert.Equal([2, 3], again["q"].When.Single().AllowedChoices);
        Assert.True(again["lr"].Log);
    }

    [Fact]
    public void Conditional_parameters_are_active_only_for_their_parents_values()
    {
        var space = SearchSpace.FromJson(IssueExample);
        var power = new Dictionary<string, double> { ["family"] = 1 };
        var topP = new Dictionary<string, double> { ["family"] = 2 };

        Assert.True(SearchSpace.IsActive(space["k"], power));
        Assert.False(SearchSpace.IsActive(space["q"], power));
        Assert.True(SearchSpace.IsActive(space["q"], topP));
        Assert.False(SearchSpace.IsActive(space["k"], new Dictionary<string, double>()));
        Assert.True(SearchSpace.IsActive(space["lr"], new Dictionary<string, double>()));
    }

    [Theory]
    [InlineData("""{"name":"x","type":"float","low":1,"high":1}""", "parameter 'x': low (1) must be below high (1)")]
    [InlineData("""{"name":"x","type":"float","low":2,"high":1}""", "parameter 'x': low (2) must be below high (1)")]
    [InlineData("""{"name":"x","type":"float","low":0,"high":1,"log":true}""", "parameter 'x': a log scale needs low > 0, got 0")]
    [InlineData("""{"name":"n","type":"int","low":-1,"high":5,"log":true}""", "parameter 'n': a log scale needs low > 0, got -1")]
    [InlineData("""{"name":"c","type":"categorical","choices":[]}""", "parameter 'c': choices must not be empty")]
    [InlineData("""{"name":"c","type":"categorical","choices":["a","a"]}""", "parameter 'c': choice \"a\" appears twice")]
    [InlineData("""{"name":"k","type":"float","low":0,"high":1,"when":{"family":["power"]}}""", "parameter 'k': unknown parent 'family'")]
    [InlineData("""{"name":"n","type":"int","low":0,"high":10,"step":3}""", "parameter 'n': high - low (10) must be a multiple of step (3)")]
    [InlineData("""{"name":"n","type":"int","low":0.5,"high":10}""", "parameter 'n': low, high and step of an int must be integers")]
    [InlineData("""{"name":"x","type":"float","low":1,"high":2,"log":true,"step":0.5}""", "parameter 'x': a log scale cannot have a step")]
    [InlineData("""{"name":"x","type":"float","high":2}""", "parameter 'x': \"low\" is required")]
    [InlineData("""{"name":"x","type":"number","low":0,"high":2}""", "parameter 'x': \"type\" must be")]
    [InlineData("""{"type":"float","low":0,"high":2}""", "parameter #1 needs a \"name\" string")]
    public void An_invalid_parameter_is_rejected_with_a_message_naming_it(string parameter, string expected)
    {
        var e = Assert.ThrowsAny<Exception>(() => SearchSpace.FromJson($$"""{"params":[{{parameter}}]}"""));

        Assert.True(e is ArgumentException or FormatException, e.GetType().Name);
        Assert.StartsWith(expected, e.Message);
    }

    [Fact]
    public void Duplicate_names_are_rejected()
    {
        var e = Assert.Throws<ArgumentException>(() => SearchSpace.FromJson(
            """{"params":[{"name":"lr","type":"float","low":0,"high":1},{"name":"lr","type":"int","low":0,"high":3}]}"""));

        Assert.Equal("parameter 'lr': the name is used twice", e.Message);
    }

    [Fact]
    public void A_parent_must_be_declared_before_its_child()
    {
        var e = Assert.Throws<ArgumentException>(() => SearchSpace.FromJson("""
            {"params":[{"name":"k","type":"float","low":0,"high":1,"when":{"family":["power"]}},
                       {"name":"family","type":"categorical","choices":["power"]}]}
            """));

        Assert.Contains("parameter 'k': unknown parent 'family'", e.Message);
    }

    [Theory]
    [InlineData("""{"params":[{"name":"f","type":"categorical","choices":["a"]},{"name":"k","type":"float","low":0,"high":1,"when":{"f":["b"]}}]}""",
        "parameter 'k': \"b\" is not a choice of its parent 'f'")]
    [InlineData("""{"params":[{"name":"f","type":"int","low":0,"high":3},{"name":"k","type":"float","low":0,"high":1,"when":{"f":[1]}}]}""",
        "parameter 'k': parent 'f' must be categorical")]
    [InlineData("""{"params":[]}""", "a search space needs at least one parameter")]
    [InlineData("""{"parameters":[]}""", "a search space is a JSON object with a \"params\" array")]
    [InlineData("""{"params":[""", "search space is not valid JSON")]
    public void Other_invalid_spaces_say_what_is_wrong(string json, string expected)
    {
        var e = Assert.ThrowsAny<Exception>(() => SearchSpace.FromJson(json));

        Assert.True(e is ArgumentException or FormatException, e.GetType().Name);
        Assert.StartsWith(expected, e.Message);
    }

    [Fact]
    public void The_named_spaces_are_valid_and_survive_a_round_trip()
    {
        foreach (var name in NamedSpaces.Names)
        {
            var space = NamedSpaces.Get(name);
            Assert.Equal(space.ToJson(), SearchSpace.FromJson(space.ToJson()).ToJson());
        }
        var defaults = NamedSpaces.CreateDefault();
        Assert.Equal(["family", "k", "q", "lr"], defaults.Parameters.Select(p => p.Name));
        Assert.Equal([NamedSpaces.Families.ToList().IndexOf("power")], defaults["k"].When.Single().AllowedChoices);
        Assert.Contains("nll", NamedSpaces.PaperObjectives);
        Assert.Contains("power:10", NamedSpaces.PaperObjectives);
        Assert.Throws<ArgumentException>(() => NamedSpaces.Get("nope"));
    }
}
