using BeyondNll.Training.Data;

namespace BeyondNll.Training.Tests.Data;

public sealed class SftDataWriterTests : IDisposable
{
    readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    public void Written_examples_read_back_unchanged_and_stay_legible()
    {
        var path = folder.File("train.jsonl");
        SftExample[] examples = [new("347+58=", "405"), new("quote \" and\nnewline=", "é<>&")];

        SftDataWriter.WriteJsonl(path, examples);

        Assert.Equal(examples, SftDataReader.Read(path));
        Assert.Equal("""{"prompt":"347+58=","response":"405"}""", File.ReadLines(path).First());
    }

    [Fact]
    public void A_failure_while_writing_leaves_the_old_file_and_no_temporary_file()
    {
        var path = folder.File("train.jsonl");
        SftDataWriter.WriteJsonl(path, [new SftExample("a", "b")]);

        static IEnumerable<SftExample> FailingHalfway()
        {
            yield return new SftExample("c", "d");
            throw new InvalidOperationException("generator failed");
        }

        Assert.Throws<InvalidOperationException>(() => SftDataWriter.WriteJsonl(path, FailingHalfway()));
        Assert.Equal([new SftExample("a", "b")], SftDataReader.Read(path));
        Assert.Equal([path], Directory.GetFiles(folder.Path));
    }
}
