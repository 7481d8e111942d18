using System.Buffers.Binary;
using System.Text;
using BeyondNll.Training.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;

using static BeyondNll.Training.Tests.TestModels;

namespace BeyondNll.Training.Tests.Checkpoints;

public class SafeTensorsFileTests
{
    /// <summary>A safetensors file assembled byte by byte: length, JSON header, data.</summary>
    static byte[] HandWritten(string header, byte[] data)
    {
        var json = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + json.Length + data.Length];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, json.Length);
        json.CopyTo(bytes, 8);
        data.CopyTo(bytes, 8 + json.Length);
        return bytes;
    }

    [Fact]
    public void Reads_a_hand_written_file_of_f32_bf16_and_f16()
    {
        // a: F32 [2] = {1.5, -2}; b: BF16 [2] = {1, -0.5}; c: F16 [1, 2] = {1, -2}
        byte[] data =
        [
            0x00, 0x00, 0xC0, 0x3F, 0x00, 0x00, 0x00, 0xC0,
            0x80, 0x3F, 0x00, 0xBF,
            0x00, 0x3C, 0x00, 0xC0,
        ];
        const string header = """
            {"__metadata__": {"format": "pt"},
             "a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
             "b": {"dtype": "BF16", "shape": [2], "data_offsets": [8, 12]},
             "c": {"dtype": "F16", "shape": [1, 2], "data_offsets": [12, 16]}}
            """;
        using var dir = new TempDirectory();
        File.WriteAllBytes(dir.File("hand.safetensors"), HandWritten(header, data));

        using var file = SafeTensorsFile.Open(dir.File("hand.safetensors"));
        Assert.Equal("pt", file.Metadata["format"]);
        Assert.Equal(["a", "b", "c"], file.Tensors.Keys.Order());
        Assert.Equal("BF16", file.Tensors["b"].DType);
        Assert.Equal(new[] { 1.5f, -2f }, file.ReadFloat32("a").data<float>().ToArray());
        Assert.Equal(new[] { 1f, -0.5f }, file.ReadFloat32("b").data<float>().ToArray());
        using var c = file.ReadFloat32("c");
        Assert.Equal(new long[] { 1, 2 }, c.shape);
        Assert.Equal(new[] { 1f, -2f }, c.data<float>().ToArray());
    }

    [Fact]
    public void F32_round_trips_exactly_across_several_chunks()
    {
        using var dir = new TempDirectory();
        using var big = randn(SafeTensorsFile.ChunkElements + 5);
        using var small = randn(3, 4);
        SafeTensorsFile.Write(dir.File("w.safetensors"), [("big", big), ("small", small)]);

        using var file = SafeTensorsFile.Open(dir.File("w.safetensors"));
        Assert.True(Identical(file.ReadFloat32("big"), big));
        Assert.True(Identical(file.ReadFloat32("small"), small));
        // The header is padded so that the data starts 8-byte aligned.
        var headerLength = BinaryPrimitives.ReadInt64LittleEndian(File.ReadAllBytes(dir.File("w.safetensors")).AsSpan(0, 8));
        Assert.Equal(0, headerLength % 8);
    }

    [Fact]
    public void BF16_round_trip_rounds_as_torch_does()
    {
        using var dir = new TempDirectory();
        using var values = cat([randn(1000), tensor(new[] { 0f, -0f, 1f, 3.14159f, 1e30f, -1e-30f, float.PositiveInfinity })]);
        SafeTensorsFile.Write(dir.File("w.safetensors"), [("x", values)], SafeTensorsDType.BF16);

        using var file = SafeTensorsFile.Open(dir.File("w.safetensors"));
        Assert.Equal("BF16", file.Tensors["x"].DType);
        using var expected = values.to_type(bfloat16).to_type(float32);
        Assert.True(Identical(file.ReadFloat32("x"), expected));
    }

    [Fact]
    public void F16_round_trip_through_hand_written_bytes()
    {
        float[] values = [0f, 1f, -2.5f, 65504f, 6.1035156e-05f, 0.333251953125f];
        var data = new byte[values.Length * 2];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteHalfLittleEndian(data.AsSpan(2 * i), (Half)values[i]);
        using var dir = new TempDirectory();
        File.WriteAllBytes(dir.File("h.safetensors"),
            HandWritten($$$"""{"h": {"dtype": "F16", "shape": [{{{values.Length}}}], "data_offsets": [0, {{{data.Length}}}]}}""", data));

        using var file = SafeTensorsFile.Open(dir.File("h.safetensors"));
        Assert.Equal(values, file.ReadFloat32("h").data<float>().ToArray());
    }

    [Fact]
    public void Inconsistent_headers_are_refused()
    {
        using var dir = new TempDirectory();
        File.WriteAllBytes(dir.File("short.safetensors"),
            HandWritten("""{"a": {"dtype": "F32", "shape": [3], "data_offsets": [0, 8]}}""", new byte[8]));
        var error = Assert.Throws<InvalidDataException>(() => SafeTensorsFile.Open(dir.File("short.safetensors")));
        Assert.Contains("'a'", error.Message);

        File.WriteAllBytes(dir.File("json.safetensors"), HandWritten("{not json", []));
        Assert.Throws<InvalidDataException>(() => SafeTensorsFile.Open(dir.File("json.safetensors")));
    }
}
