using BeyondNll.Training.Data;
using Parquet;
using Parquet.Schema;
using Parquet.Serialization;

namespace BeyondNll.Training.Tests.Data;

/// <summary>
/// The test files are written with Parquet.Net's untyped serializer, in verl's layout: a chat
/// prompt (a list of role/content structs) and an <c>extra_info</c> struct.
/// </summary>
public sealed class SftDataReaderParquetTests : IDisposable
{
    static readonly ParquetSchema VerlSchema = new(
        new DataField<string>("data_source"),
        new ListField("prompt", new StructField("element",
            new DataField<string>("role"), new DataField<string>("content"))),
        new StructField("extra_info",
            new DataField<string>("question"), new DataField<string>("answer"), new DataField<long>("index")));

    readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    static Dictionary<string, object?> VerlRow(long index, string question, string? answer) => new()
    {
        ["data_source"] = "synthetic",
        ["prompt"] = new List<IDictionary<string, object>>
        {
            new Dictionary<string, object> { ["role"] = "system", ["content"] = "answer briefly" },
            new Dictionary<string, object> { ["role"] = "user", ["content"] = question },
        },
        ["extra_info"] = answer is null
            ? new Dictionary<string, object> { ["question"] = question, ["index"] = index }
            : new Dictionary<string, object> { ["question"] = question, ["answer"] = answer, ["index"] = index },
    };

    /// <summary>Writes each batch of rows as its own row group.</summary>
    string WriteParquet(string name, ParquetSchema schema, params IReadOnlyCollection<IDictionary<string, object?>>[] rowGroups)
    {
        var path = folder.File(name);
        for (int i = 0; i < rowGroups.Length; i++)
        {
            using var stream = new FileStream(path, i == 0 ? FileMode.Create : FileMode.Open, FileAccess.ReadWrite);
            ParquetSerializer.SerializeUntypedAsync(rowGroups[i], schema, stream, new ParquetOptions { Append = i > 0 })
                .GetAwaiter().GetResult();
        }
        return path;
    }

    [Fact]
    public async Task Reads_nested_struct_keys_and_chat_prompts_across_all_row_groups()
    {
        var path = WriteParquet("train.parquet", VerlSchema,
            [VerlRow(0, "1+1=", "2"), VerlRow(1, "2+2=", "4")],
            [VerlRow(2, "3+3=", "6")]);
        await using (var reader = await ParquetReader.CreateAsync(path))
            Assert.Equal(2, reader.RowGroupCount);

        var byStruct = SftDataReader.Read(path, new SftFieldMap("extra_info.question", "extra_info.answer"));
        var byChat = SftDataReader.ReadParquet(path, new SftFieldMap("prompt", "extra_info.answer"));

        SftExample[] expected = [new("1+1=", "2"), new("2+2=", "4"), new("3+3=", "6")];
        Assert.Equal(expected, byStruct);
        Assert.Equal(expected, byChat);
    }

    [Fact]
    public void Reads_flat_string_columns()
    {
        var schema = new ParquetSchema(new DataField<string>("prompt"), new DataField<string>("response"));
        var path = WriteParquet("flat.parquet", schema,
            [new Dictionary<string, object?> { ["prompt"] = "sort:cba=", ["response"] = "abc" }]);

        Assert.Equal(new SftExample("sort:cba=", "abc"), Assert.Single(SftDataReader.Read(path)));
    }

    [Fact]
    public void A_bad_row_is_numbered_across_row_groups()
    {
        var path = WriteParquet("train.parquet", VerlSchema,
            [VerlRow(0, "1+1=", "2"), VerlRow(1, "2+2=", "4")],
            [VerlRow(2, "3+3=", null)]);

        var error = Assert.Throws<InvalidDataException>(
            () => SftDataReader.Read(path, new SftFieldMap("extra_info.question", "extra_info.answer")));

        Assert.Equal($"{path}: row 3: key 'extra_info.answer' is missing", error.Message);
    }

    [Fact]
    public void A_number_column_is_not_a_string()
    {
        var path = WriteParquet("train.parquet", VerlSchema, [VerlRow(0, "1+1=", "2")]);

        var error = Assert.Throws<InvalidDataException>(
            () => SftDataReader.Read(path, new SftFieldMap("extra_info.question", "extra_info.index")));

        Assert.Equal($"{path}: row 1: 'extra_info.index' is a number, expected a string", error.Message);
    }

    [Fact]
    public void A_file_that_is_not_parquet_is_invalid_data()
    {
        var path = folder.WriteLines("train.parquet", """{"prompt":"a","response":"b"}""");

        var error = Assert.Throws<InvalidDataException>(() => SftDataReader.Read(path));

        Assert.StartsWith($"{path}: not a readable parquet file", error.Message);
    }

    [Fact]
    public void A_missing_file_is_reported_with_its_path()
    {
        var path = folder.File("absent.parquet");

        Assert.Equal(path, Assert.Throws<FileNotFoundException>(() => SftDataReader.Read(path)).FileName);
    }
}
