using System.Globalization;
using BeyondNll.Training.Data;
using BeyondNll.Training.Synthetic;
using BeyondNll.Training.Tokenization;

namespace BeyondNll.Training.Tests.Synthetic;

public sealed class SyntheticTasksTests
{
    public static TheoryData<string> TaskNames => new(SyntheticTasks.Names);

    [Fact]
    public void The_registry_has_the_four_tasks_and_names_them_when_asked_for_an_unknown_one()
    {
        Assert.Equal(["addition", "reverse", "sort", "cipher"], SyntheticTasks.Names);

        var error = Assert.Throws<ArgumentException>(() => SyntheticTasks.Get("division"));

        Assert.Contains("'division'", error.Message);
        Assert.Contains("addition, reverse, sort, cipher", error.Message);
    }

    [Theory]
    [MemberData(nameof(TaskNames))]
    public void Samples_are_fixed_by_the_seed(string name)
    {
        var task = SyntheticTasks.Get(name);
        static List<SftExample> Draw(ISyntheticTask t, int seed)
        {
            var rng = new Random(seed);
            return Enumerable.Range(0, 20).Select(_ => t.Sample(rng)).ToList();
        }

        Assert.Equal(Draw(task, 5), Draw(task, 5));
        Assert.NotEqual(Draw(task, 5), Draw(task, 6));
    }

    [Theory]
    [MemberData(nameof(TaskNames))]
    public void Samples_are_ascii_fit_a_64_token_sequence_and_answer_from_the_response_alphabet(string name)
    {
        var task = SyntheticTasks.Get(name);
        var tokenizer = new ByteTokenizer();
        var rng = new Random(0);

        for (int i = 0; i < 500; i++)
        {
            var example = task.Sample(rng);
            var tokens = tokenizer.Encode(example.Prompt).Length + tokenizer.Encode(example.Response).Length + 1;
            Assert.InRange(tokens, 3, 64);
            Assert.All(example.Response, c => Assert.Contains(c, task.ResponseAlphabet));
        }
    }

    [Fact]
    public void Addition_answers_are_the_sums_of_operands_in_the_digit_range()
    {
        var task = new AdditionTask(minDigits: 2, maxDigits: 4);
        var rng = new Random(1);
        var digitCounts = new HashSet<int>();

        for (int i = 0; i < 1000; i++)
        {
            var example = task.Sample(rng);
            var operands = example.Prompt.TrimEnd('=').Split('+');
            Assert.EndsWith("=", example.Prompt);
            Assert.Equal(2, operands.Length);
            Assert.All(operands, o => Assert.False(o.Length > 1 && o[0] == '0', $"leading zero in {o}"));
            digitCounts.UnionWith(operands.Select(o => o.Length));
            Assert.Equal(operands.Sum(o => long.Parse(o, CultureInfo.InvariantCulture)),
                long.Parse(example.Response, CultureInfo.InvariantCulture));
        }
        Assert.Equal([2, 3, 4], digitCounts.Order());
    }

    [Fact]
    public void An_empty_or_oversized_digit_range_is_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new AdditionTask(3, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => new AdditionTask(0, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => new AdditionTask(1, 10));
    }

    [Theory]
    [InlineData("reverse", "abcde", "edcba")]
    [InlineData("sort", "dbcab", "abbcd")]
    public void Word_tasks_transform_the_word_of_the_prompt(string name, string word, string expected)
    {
        var task = SyntheticTasks.Get(name);
        var transform = name == "reverse"
            ? (Func<string, string>)(w => new string(w.Reverse().ToArray()))
            : w => new string(w.Order().ToArray());
        var rng = new Random(2);

        Assert.Equal(expected, transform(word));
        for (int i = 0; i < 200; i++)
        {
            var example = task.Sample(rng);
            Assert.Matches($"^{name}:[a-z]{{3,12}}=$", example.Prompt);
            Assert.Equal(transform(example.Prompt[(name.Length + 1)..^1]), example.Response);
        }
    }

    [Fact]
    public void The_cipher_is_a_fixed_permutation_without_fixed_points()
    {
        var key = SubstitutionCipher.Key;

        Assert.Equal("abcdefghijklmnopqrstuvwxyz", new string(key.Order().ToArray()));
        Assert.All(Enumerable.Range(0, 26), i => Assert.NotEqual((char)('a' + i), key[i]));
        Assert.Equal("akddx", SubstitutionCipher.Encipher("hello"));

        var example = SyntheticTasks.Get("cipher").Sample(new Random(3));
        Assert.Equal(SubstitutionCipher.Encipher(example.Prompt["cipher:".Length..^1]), example.Response);
    }
}
