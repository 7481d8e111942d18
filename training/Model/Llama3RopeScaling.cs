using System.Text.Json.Nodes;

namespace BeyondNll.Training.Model;

/// <summary>
/// Llama 3.1's rotary frequency scaling (<c>"rope_scaling": {"rope_type": "llama3", ...}</c> in the
/// config of Llama-3.1 and Llama-3.2 models), as Hugging Face's <c>_compute_llama3_parameters</c>:
/// with wavelength λ = 2π / f of each rotary frequency f, frequencies whose λ exceeds
/// original / low_freq_factor are divided by <see cref="Factor"/>, those whose λ is below
/// original / high_freq_factor are kept, and those between are interpolated smoothly. The other
/// kinds of rope scaling (linear, dynamic, yarn, ...) are refused by <see cref="FromJson"/>.
/// </summary>
public sealed record Llama3RopeScaling(double Factor, double LowFreqFactor, double HighFreqFactor, int OriginalMaxPositions)
{
    const string Kind = "llama3";

    /// <summary>The scaled inverse frequencies of <paramref name="invFreq"/> (one per rotary pair).</summary>
    public double[] Apply(double[] invFreq)
    {
        double lowFreqWavelength = OriginalMaxPositions / LowFreqFactor;
        double highFreqWavelength = OriginalMaxPositions / HighFreqFactor;
        return invFreq.Select(f =>
        {
            double wavelength = 2 * Math.PI / f;
            if (wavelength < highFreqWavelength) return f;
            if (wavelength > lowFreqWavelength) return f / Factor;
            double smooth = (OriginalMaxPositions / wavelength - LowFreqFactor) / (HighFreqFactor - LowFreqFactor);
            return (1 - smooth) * f / Factor + smooth * f;
        }).ToArray();
    }

    public void Validate()
    {
        if (!(Factor > 0)) throw new ArgumentException($"rope_scaling factor must be positive, got {Factor}.");
        if (!(LowFreqFactor > 0) || !(HighFreqFactor > LowFreqFactor))
            throw new ArgumentException($"rope_scaling needs 0 < low_freq_factor < high_freq_factor, got {LowFreqFactor} and {HighFreqFactor}.");
        if (OriginalMaxPositions <= 0)
            throw new ArgumentException($"rope_scaling original_max_position_embeddings must be positive, got {OriginalMaxPositions}.");
    }

    public JsonObject ToJson() => new()
    {
        ["rope_type"] = Kind,
        ["factor"] = Factor,
        ["low_freq_factor"] = LowFreqFactor,
        ["high_freq_factor"] = HighFreqFactor,
        ["original_max_position_embeddings"] = OriginalMaxPositions,
    };

    /// <summary>Reads a config's rope_scaling object; <see cref="InvalidDataException"/> names an unsupported kind or a missing key.</summary>
    public static Llama3RopeScaling FromJson(JsonObject json)
    {
        // transformers writes "rope_type"; older configs "type".
        var kind = (json["rope_type"] ?? json["type"])?.GetValue<string>();
        if (kind != Kind)
            throw new InvalidDataException($"rope_scaling of type '{kind}' is not supported (only '{Kind}'): {json.ToJsonString()}.");
        double Number(string key) => json[key]?.GetValue<double>()
                                     ?? throw new InvalidDataException($"rope_scaling has no '{key}': {json.ToJsonString()}.");
        return new Llama3RopeScaling(Number("factor"), Number("low_freq_factor"), Number("high_freq_factor"),
            (int)Number("original_max_position_embeddings"));
    }
}
