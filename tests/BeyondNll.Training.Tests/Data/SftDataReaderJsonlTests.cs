using BeyondNll.Training.Data;

namespace BeyondNll.Training.Tests.Data;

public sealed class SftDataReaderJsonlTests : IDisposable
{
    readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    public void Reads_prompt_and_response_of_every_line_skipping_blank_lines()
    {
        var path = folder.WriteLines("train.jsonl",
            """{"prompt":"1+1=","response":"2","extra":7}""",
            "",
            """{"response":"edcba","prompt":"reverse:abcde="}""");

        var examples = SftDataReader.Read(path);

        Assert.Equal([new SftExample("1+1=", "2"), new SftExample("reverse:abcde=", "edcba")], examples);
    }

    [Fact]
    public void Follows_dotted_keys_into_nested_objects()
    {
        var path = folder.WriteLines("train.jsonl",
            """{"extra_info":{"question":"2+3=","answer":{"text":"5"}}}""");

        var examples = SftDataReader.ReadJsonl(path, new SftFieldMap("extra_info.question", "extra_info.answer.text"));

        Assert.Equal(new SftExample("2+3=", "5"), Assert.Single(examples));
    }

    [Fact]
    public void A_chat_prompt_gives_the_content_of_its_last_user_message()
    {
        var path = folder.WriteLines("train.json",
            """{"prompt":[{"role":"system","content":"be brief"},{"role":"user","content":"first"},""" +
            """{"role":"assistant","content":"ok"},{"role":"user","content":"2+2="}],"response":"4"}""");

        Assert.Equal(new SftExample("2+2=", "4"), Assert.Single(SftDataReader.Read(path)));
    }

    [Theory]
    [InlineData("""{"prompt":"a"}""", "key 'response' is missing")]
    [InlineData("""{"prompt":"a", "response":""", "not valid JSON: ")]
    [InlineData("""{"prompt":5,"response":"b"}""", "'prompt' is a number, expected a string")]
    [InlineData("""{"prompt":"a","response":null}""", "'response' is null, expected a string")]
    [InlineData("""{"prompt":"a","response":""}""", "empty response")]
    [InlineData("""["a","b"]""", "expected a JSON object, found an array")]
    [InlineData("""{"prompt":[{"role":"system","content":"x"}],"response":"b"}""", "'prompt' is a chat without a user message")]
    [InlineData("""{"prompt":[{"role":"user"}],"response":"b"}""", "'prompt' is an array but item 1 is not a chat message")]
    public void A_bad_row_is_reported_with_file_row_and_problem(string badLine, string problem)
    {
        var path = folder.WriteLines("train.jsonl",
            """{"prompt":"a","response":"b"}""", "", badLine, """{"prompt":"c","response":"d"}""");

        var error = Assert.Throws<InvalidDataException>(() => SftDataReader.Read(path));

        Assert.StartsWith($"{path}: row 3: {problem}", error.Message);
    }

    [Fact]
    public void A_dotted_key_through_a_non_object_names_the_part_that_is_not_an_object()
    {
        var path = folder.WriteLines("train.jsonl", """{"extra_info":"flat","response":"b"}""");

        var error = Assert.Throws<InvalidDataException>(
            () => SftDataReader.Read(path, new SftFieldMap(PromptKey: "extra_info.question")));

        Assert.Equal($"{path}: row 1: key 'extra_info.question' is missing: 'extra_info' is a string, not an object", error.Message);
    }

    [Fact]
    public void A_missing_file_is_reported_with_its_path()
    {
        var path = folder.File("absent.jsonl");

        var error = Assert.Throws<FileNotFoundException>(() => SftDataReader.Read(path));

        Assert.Equal(path, error.FileName);
        Assert.Contains(path, error.Message);
    }

    [Fact]
    public void A_file_without_rows_is_invalid()
    {
        var path = folder.WriteLines("empty.jsonl", "", "  ");

        var error = Assert.Throws<InvalidDataException>(() => SftDataReader.Read(path));

        Assert.Equal($"{path}: the file has no rows", error.Message);
    }

    [Fact]
    public void An_unknown_extension_is_rejected_naming_the_formats()
    {
        var path = folder.WriteLines("train.csv", "prompt,response");

        var error = Assert.Throws<ArgumentException>(() => SftDataReader.Read(path));

        Assert.Contains(".parquet", error.Message);
    }
}
