using System.Text.Json;
using System.Text.Json.Nodes;
using BeyondNll.Training.Model;
using static TorchSharp.torch;

namespace BeyondNll.Training.Checkpoints;

/// <summary>
/// LoRA adapters on their own, in PEFT's layout: <c>adapter_config.json</c> (peft_type LORA, r,
/// lora_alpha, target_modules, base_model_name_or_path) and <c>adapter_model.safetensors</c> with
/// PEFT's tensor names (<c>base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight</c>). A
/// search keeps a LoRA trial's result this way: megabytes instead of a copy of the backbone. PEFT
/// scales by lora_alpha / r, as <see cref="LoraOptions.Scale"/> does.
/// </summary>
public static class LoraAdapterFolder
{
    public const string ConfigFileName = "adapter_config.json";
    public const string WeightsFileName = "adapter_model.safetensors";

    const string PeftPrefix = "base_model.model.";
    static readonly string Marker = $".{LoraAdapters.ModuleName}.";

    /// <summary>Whether <paramref name="folder"/> holds adapters rather than a whole model.</summary>
    public static bool IsAdapterFolder(string folder) => File.Exists(Path.Combine(folder, ConfigFileName));

    /// <summary>Writes the model's adapters (it must have them) and their settings into <paramref name="folder"/>.</summary>
    public static void Save(DecoderLM model, LoraOptions options, string folder, string baseModel)
    {
        if (!model.HasLora) throw new InvalidOperationException("the model has no LoRA adapters to save");
        Directory.CreateDirectory(folder);
        var adapters = model.named_parameters().Where(p => p.name.Contains(Marker, StringComparison.Ordinal))
            .Select(p => (PeftName(p.name), (Tensor)p.parameter)).ToList();
        var dtype = adapters[0].Item2.dtype == ScalarType.BFloat16 ? SafeTensorsDType.BF16 : SafeTensorsDType.F32;
        SafeTensorsFile.Write(Path.Combine(folder, WeightsFileName), adapters, dtype, new Dictionary<string, string> { ["format"] = "pt" });
        var config = new JsonObject
        {
            ["peft_type"] = "LORA",
            ["task_type"] = "CAUSAL_LM",
            ["r"] = options.Rank,
            ["lora_alpha"] = options.Alpha,
            ["lora_dropout"] = 0.0,
            ["bias"] = "none",
            ["target_modules"] = new JsonArray(options.Targets.Order(StringComparer.Ordinal).Select(t => JsonValue.Create(t)).ToArray<JsonNode?>()),
            ["base_model_name_or_path"] = Path.GetFullPath(baseModel),
            ["inference_mode"] = true,
        };
        File.WriteAllText(Path.Combine(folder, ConfigFileName), config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    /// <summary>
    /// Adds the folder's adapters to a freshly loaded <paramref name="model"/> (its backbone), with their
    /// trained values. <see cref="InvalidDataException"/> names a config or tensor that does not fit.
    /// </summary>
    public static void Apply(DecoderLM model, string folder)
    {
        var configPath = Path.Combine(folder, ConfigFileName);
        LoraOptions options;
        try
        {
            var config = JsonNode.Parse(File.ReadAllText(configPath))!.AsObject();
            var targets = config["target_modules"]!.AsArray().Select(t => t!.GetValue<string>()).ToList();
            options = new LoraOptions(config["r"]!.GetValue<int>(), config["lora_alpha"]!.GetValue<double>(), targets);
            options.Validate();
        }
        catch (Exception e) when (e is JsonException or NullReferenceException or InvalidOperationException or FormatException or ArgumentException)
        {
            throw new InvalidDataException($"{configPath}: not a LoRA adapter config this model can use: {e.Message}", e);
        }
        model.EnableLora(options);
        using var file = SafeTensorsFile.Open(Path.Combine(folder, WeightsFileName));
        var adapters = model.named_parameters().Where(p => p.name.Contains(Marker, StringComparison.Ordinal)).ToList();
        if (file.Tensors.Count != adapters.Count)
            throw new InvalidDataException($"{file.Path}: {file.Tensors.Count} tensors for the {adapters.Count} adapters of its config");
        using var noGrad = no_grad();
        foreach (var (name, parameter) in adapters)
        {
            var peft = PeftName(name);
            if (!file.Tensors.TryGetValue(peft, out var info) || !info.Shape.SequenceEqual(parameter.shape))
                throw new InvalidDataException($"{file.Path}: no tensor '{peft}' of shape [{string.Join(", ", parameter.shape)}]");
            using var values = file.ReadFloat32(peft);
            parameter.copy_(values);
        }
    }

    /// <summary>model.layers.0.self_attn.lora.q_proj_lora_A → base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight</summary>
    static string PeftName(string name)
    {
        var at = name.IndexOf(Marker, StringComparison.Ordinal);
        var module = name[..at];
        var adapter = name[(at + Marker.Length)..];       // q_proj_lora_A
        var split = adapter.LastIndexOf("_lora_", StringComparison.Ordinal);
        return $"{PeftPrefix}{module}.{adapter[..split]}.{adapter[(split + 1)..]}.weight";
    }
}
