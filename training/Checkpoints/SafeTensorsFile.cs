using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using TorchSharp;
using static TorchSharp.torch;

namespace BeyondNll.Training.Checkpoints;

/// <summary>Element types this reader converts to float32, and this writer writes.</summary>
public enum SafeTensorsDType { F32, F16, BF16 }

/// <summary>One tensor's entry in a safetensors header: dtype as written (e.g. "BF16"), shape, byte range in the data.</summary>
public sealed record SafeTensorInfo(string Name, string DType, long[] Shape, long Begin, long End)
{
    public long ElementCount => Shape.Aggregate(1L, (n, d) => n * d);
}

/// <summary>
/// The safetensors format (Hugging Face's weight files): an 8-byte little-endian header length N,
/// N bytes of JSON <c>{name: {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__":
/// {string: string}}</c>, then the raw little-endian tensor data, offsets counted from its start.
/// <para>
/// <see cref="Open"/> reads the header only; <see cref="ReadFloat32"/> then reads one tensor at a
/// time, so a multi-gigabyte file never has to fit in memory at once. F32, F16 and BF16 are read
/// (converted to float32); F32 and BF16 are written.
/// </para>
/// </summary>
public sealed class SafeTensorsFile : IDisposable
{
    const string MetadataKey = "__metadata__";
    const long MaxHeaderBytes = 100L << 20;   // the reference implementation's limit
    // Data moves through managed buffers in chunks of this many elements.
    internal const int ChunkElements = 1 << 20;

    readonly FileStream stream;
    readonly long dataStart;

    public string Path { get; }
    public IReadOnlyDictionary<string, SafeTensorInfo> Tensors { get; }
    public IReadOnlyDictionary<string, string> Metadata { get; }

    SafeTensorsFile(string path, FileStream stream, long dataStart,
        IReadOnlyDictionary<string, SafeTensorInfo> tensors, IReadOnlyDictionary<string, string> metadata)
    {
        (Path, this.stream, this.dataStart, Tensors, Metadata) = (path, stream, dataStart, tensors, metadata);
    }

    /// <summary>Opens a file and reads its header; throws <see cref="InvalidDataException"/> if the header is malformed.</summary>
    public static SafeTensorsFile Open(string path)
    {
        CheckLittleEndian();
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        try
        {
            Span<byte> lengthBytes = stackalloc byte[8];
            if (stream.ReadAtLeast(lengthBytes, 8, throwOnEndOfStream: false) < 8)
                throw new InvalidDataException($"{path}: too short for a safetensors header.");
            long headerLength = BinaryPrimitives.ReadInt64LittleEndian(lengthBytes);
            if (headerLength <= 0 || headerLength > MaxHeaderBytes || 8 + headerLength > stream.Length)
                throw new InvalidDataException($"{path}: header length {headerLength} is invalid for a file of {stream.Length} bytes.");
            var header = new byte[headerLength];
            stream.ReadExactly(header);
            long dataStart = 8 + headerLength;
            var (tensors, metadata) = ParseHeader(path, header, stream.Length - dataStart);
            return new SafeTensorsFile(path, stream, dataStart, tensors, metadata);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    static (Dictionary<string, SafeTensorInfo>, Dictionary<string, string>) ParseHeader(string path, byte[] header, long dataLength)
    {
        var tensors = new Dictionary<string, SafeTensorInfo>();
        var metadata = new Dictionary<string, string>();
        try
        {
            using var json = JsonDocument.Parse(header);
            foreach (var property in json.RootElement.EnumerateObject())
            {
                if (property.Name == MetadataKey)
                {
                    foreach (var item in property.Value.EnumerateObject()) metadata[item.Name] = item.Value.GetString()!;
                    continue;
                }
                var entry = property.Value;
                var offsets = entry.GetProperty("data_offsets");
                var info = new SafeTensorInfo(property.Name, entry.GetProperty("dtype").GetString()!,
                    entry.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).ToArray(),
                    offsets[0].GetInt64(), offsets[1].GetInt64());
                if (info.Begin < 0 || info.End < info.Begin || info.End > dataLength)
                    throw new InvalidDataException($"{path}: tensor '{info.Name}' has data_offsets [{info.Begin}, {info.End}] outside the {dataLength} data bytes: the file is truncated or its header is wrong.");
                if (ElementSize(info.DType) is int size && info.End - info.Begin != info.ElementCount * size)
                    throw new InvalidDataException($"{path}: tensor '{info.Name}' of shape [{string.Join(", ", info.Shape)}] and dtype {info.DType} needs {info.ElementCount * size} bytes, has {info.End - info.Begin}.");
                tensors[info.Name] = info;
            }
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"{path}: malformed safetensors header: {e.Message}", e);
        }
        return (tensors, metadata);
    }

    /// <summary>Whether <see cref="ReadFloat32"/> converts tensors of <paramref name="dtype"/> (F32, F16, BF16).</summary>
    public static bool CanRead(string dtype) => ElementSize(dtype) is not null;

    /// <summary>Bytes per element of the dtypes we read; null for others (listed, not readable).</summary>
    static int? ElementSize(string dtype) => dtype switch
    {
        "F32" => 4,
        "F16" or "BF16" => 2,
        _ => null,
    };

    /// <summary>The named tensor as a new float32 CPU tensor, converted from F32, F16 or BF16.</summary>
    public Tensor ReadFloat32(string name)
    {
        if (!Tensors.TryGetValue(name, out var info))
            throw new KeyNotFoundException($"{Path}: no tensor '{name}'.");
        if (info.ElementCount > Array.MaxLength)
            throw new InvalidDataException($"{Path}: tensor '{name}' has {info.ElementCount} elements, too many for one array.");

        var values = new float[info.ElementCount];
        stream.Position = dataStart + info.Begin;
        switch (info.DType)
        {
            case "F32":
                // Straight from the file into the float array's memory, no per-element work.
                for (int offset = 0; offset < values.Length; offset += ChunkElements)
                {
                    var chunk = values.AsSpan(offset, Math.Min(ChunkElements, values.Length - offset));
                    stream.ReadExactly(MemoryMarshal.AsBytes(chunk));
                }
                break;
            case "F16":
                ReadHalves(values, static (bits, into) =>
                {
                    var halves = MemoryMarshal.Cast<ushort, Half>(bits);
                    for (int i = 0; i < halves.Length; i++) into[i] = (float)halves[i];
                });
                break;
            case "BF16":
                // bfloat16 is the top half of a float32: shift the bits back into place.
                ReadHalves(values, static (bits, into) =>
                {
                    var asBits = MemoryMarshal.Cast<float, uint>(into);
                    for (int i = 0; i < bits.Length; i++) asBits[i] = (uint)bits[i] << 16;
                });
                break;
            default:
                throw new InvalidDataException($"{Path}: tensor '{name}' has dtype {info.DType}; only F32, F16 and BF16 can be read.");
        }
        return tensor(values, info.Shape, float32);
    }

    delegate void Widen(ReadOnlySpan<ushort> bits, Span<float> into);

    /// <summary>Reads 16-bit elements chunk by chunk and widens each chunk into <paramref name="values"/>.</summary>
    void ReadHalves(float[] values, Widen widen)
    {
        var buffer = ArrayPool<ushort>.Shared.Rent(Math.Min(ChunkElements, Math.Max(values.Length, 1)));
        try
        {
            for (int offset = 0; offset < values.Length; offset += ChunkElements)
            {
                int count = Math.Min(ChunkElements, values.Length - offset);
                var bits = buffer.AsSpan(0, count);
                stream.ReadExactly(MemoryMarshal.AsBytes(bits));
                widen(bits, values.AsSpan(offset, count));
            }
        }
        finally
        {
            ArrayPool<ushort>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Writes <paramref name="tensors"/> (any float dtype, any device) in <paramref name="dtype"/>
    /// (F32 or BF16; BF16 rounds to nearest even), in the given order, with optional metadata.
    /// The header is padded with spaces to a multiple of 8 bytes, so the data stays aligned.
    /// </summary>
    public static void Write(string path, IReadOnlyList<(string Name, Tensor Tensor)> tensors,
        SafeTensorsDType dtype = SafeTensorsDType.F32, IReadOnlyDictionary<string, string>? metadata = null)
    {
        CheckLittleEndian();
        if (dtype == SafeTensorsDType.F16) throw new NotSupportedException("Writing F16 is not supported; use F32 or BF16.");
        int elementSize = dtype == SafeTensorsDType.F32 ? 4 : 2;
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None);
        WriteHeader(stream, tensors, dtype, elementSize, metadata);
        foreach (var (_, t) in tensors)
        {
            using var scope = NewDisposeScope();
            var flat = t.detach().to_type(float32).cpu().contiguous().flatten();
            for (long offset = 0; offset < flat.shape[0]; offset += ChunkElements)
            {
                var chunk = MemoryMarshal.Cast<byte, float>(flat.narrow(0, offset, Math.Min(ChunkElements, flat.shape[0] - offset)).bytes);
                if (dtype == SafeTensorsDType.F32) stream.Write(MemoryMarshal.AsBytes(chunk));
                else WriteBFloat16(stream, chunk);
            }
        }
        stream.Flush(flushToDisk: true);
    }

    static void WriteHeader(Stream stream, IReadOnlyList<(string Name, Tensor Tensor)> tensors, SafeTensorsDType dtype,
        int elementSize, IReadOnlyDictionary<string, string>? metadata)
    {
        var json = new MemoryStream();
        using (var writer = new Utf8JsonWriter(json))
        {
            writer.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                writer.WriteStartObject(MetadataKey);
                foreach (var (key, value) in metadata) writer.WriteString(key, value);
                writer.WriteEndObject();
            }
            long offset = 0;
            foreach (var (name, t) in tensors)
            {
                long bytes = t.numel() * elementSize;
                writer.WriteStartObject(name);
                writer.WriteString("dtype", dtype.ToString());
                writer.WriteStartArray("shape");
                foreach (long d in t.shape) writer.WriteNumberValue(d);
                writer.WriteEndArray();
                writer.WriteStartArray("data_offsets");
                writer.WriteNumberValue(offset);
                writer.WriteNumberValue(offset + bytes);
                writer.WriteEndArray();
                writer.WriteEndObject();
                offset += bytes;
            }
            writer.WriteEndObject();
        }
        int padding = (int)((8 - json.Length % 8) % 8);
        json.Write(Encoding.ASCII.GetBytes(new string(' ', padding)));

        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(length, json.Length);
        stream.Write(length);
        json.Position = 0;
        json.CopyTo(stream);
    }

    static void WriteBFloat16(Stream stream, ReadOnlySpan<float> values)
    {
        var buffer = ArrayPool<ushort>.Shared.Rent(Math.Max(values.Length, 1));
        try
        {
            var bits = buffer.AsSpan(0, values.Length);
            for (int i = 0; i < values.Length; i++) bits[i] = ToBFloat16(values[i]);
            stream.Write(MemoryMarshal.AsBytes(bits));
        }
        finally
        {
            ArrayPool<ushort>.Shared.Return(buffer);
        }
    }

    /// <summary>float32 → bfloat16 bits, rounding to nearest even (as torch does); NaN stays NaN.</summary>
    internal static ushort ToBFloat16(float value)
    {
        if (float.IsNaN(value)) return 0x7FC0;
        uint bits = BitConverter.SingleToUInt32Bits(value);
        uint roundingBias = 0x7FFF + ((bits >> 16) & 1);
        return (ushort)((bits + roundingBias) >> 16);
    }

    static void CheckLittleEndian()
    {
        // The data is little-endian and is copied as raw memory.
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("safetensors I/O needs a little-endian machine.");
    }

    public void Dispose() => stream.Dispose();
}
