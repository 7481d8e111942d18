using Orleans.Storage;

namespace BeyondNll.Grains.Tests;

/// <summary>What the grain storage tests store: a counter in plain JSON (the serializer is not what they test).</summary>
public sealed class Counter
{
    public int Value { get; set; }
}

public sealed class JsonStorageSerializer : IGrainStorageSerializer
{
    public BinaryData Serialize<T>(T? input) => BinaryData.FromObjectAsJson(input);
    public T Deserialize<T>(BinaryData input) => input.ToObjectFromJson<T>()!;
}

/// <summary>A grain's state as a storage provider sees it.</summary>
public sealed class Stored<T> : IGrainState<T>
{
    public T? State { get; set; }
    public string? ETag { get; set; }
    public bool RecordExists { get; set; }
}
