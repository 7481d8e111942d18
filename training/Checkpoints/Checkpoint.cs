using BeyondNll.Training.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace BeyondNll.Training.Checkpoints;

/// <summary>
/// A <see cref="DecoderLM"/> on disk in Hugging Face layout: a directory holding
/// <c>config.json</c> and <c>model.safetensors</c> (float32, HF tensor names), which
/// <c>transformers</c> loads as it is, and which <see cref="Load"/> reads back (as it reads
/// Llama and Qwen2 checkpoints in F32, F16 or BF16 from the Hub).
/// </summary>
public static class Checkpoint
{
    public const string ConfigFileName = "config.json";
    public const string WeightsFileName = CheckpointWeights.SingleFileName;

    // Tensors that old Hugging Face checkpoints store but that are recomputed, not learned.
    const string RotaryInvFreqSuffix = "rotary_emb.inv_freq";
    const string TiedHeadName = "lm_head.weight";

    /// <summary>
    /// Writes the model's config and weights into <paramref name="dir"/> (created if needed).
    /// Each file is written under a temporary name and then renamed over the old one, weights
    /// first, so a crash leaves either the old or the new file, never a half-written one.
    /// </summary>
    public static void Save(DecoderLM model, string dir)
    {
        Directory.CreateDirectory(dir);
        // LoRA adapters are merged into the weights they adapt: the checkpoint is a plain model.
        if (model.HasLora) model.MergeLora();
        var tensors = model.BaseParameters().Select(p => (p.Name, (Tensor)p.Parameter)).ToList();
        // bf16 weights are saved as they are; anything else as float32.
        var dtype = tensors[0].Item2.dtype == ScalarType.BFloat16 ? SafeTensorsDType.BF16 : SafeTensorsDType.F32;
        ReplaceAtomically(Path.Combine(dir, WeightsFileName), temp =>
            SafeTensorsFile.Write(temp, tensors, dtype, new Dictionary<string, string> { ["format"] = "pt" }));
        // An index of shards left by an earlier checkpoint would describe other weights.
        File.Delete(Path.Combine(dir, CheckpointWeights.IndexFileName));
        ReplaceAtomically(Path.Combine(dir, ConfigFileName), temp =>
        {
            using var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None);
            using (var writer = new StreamWriter(stream, leaveOpen: true)) writer.Write(model.Config.ToJson());
            stream.Flush(flushToDisk: true);
        });
    }

    static void ReplaceAtomically(string path, Action<string> write)
    {
        var temp = $"{path}.tmp-{Guid.NewGuid():N}";
        try
        {
            write(temp);
            File.Move(temp, path, overwrite: true);   // a rename within the directory: atomic
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    /// <summary>
    /// Reads a checkpoint directory into a new float32 model on the CPU: config.json and the weights,
    /// one model.safetensors or shards listed by model.safetensors.index.json (see
    /// <see cref="CheckpointWeights"/>), in F32, F16 or BF16. Every parameter the config implies must
    /// be there with its shape, and nothing else may be: <see cref="FileNotFoundException"/> names a
    /// missing file; <see cref="InvalidDataException"/> names an unsupported model_type, or a missing,
    /// unexpected or mis-shaped tensor and the file it is in.
    /// </summary>
    public static DecoderLM Load(string dir)
    {
        var configPath = Path.Combine(dir, ConfigFileName);
        if (!File.Exists(configPath)) throw new FileNotFoundException($"No checkpoint file {configPath}.", configPath);

        var config = DecoderConfig.FromJson(File.ReadAllText(configPath));
        using var weights = CheckpointWeights.Open(dir);
        CheckTensors(weights, config);
        var model = new DecoderLM(config);
        try
        {
            var parameters = model.named_parameters().ToDictionary(p => p.name, p => p.parameter);
            using var noGrad = no_grad();
            foreach (var (name, parameter) in parameters)
            {
                using var values = weights.ReadFloat32(name);
                parameter.copy_(values);
            }
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Checks the weights' headers against the model <paramref name="config"/> describes, without
    /// reading any weights: every parameter there, with its shape and a dtype this reader converts,
    /// and no tensor the model does not have (the files' sizes were checked against their headers
    /// when they were opened, so a truncated file is caught there).
    /// </summary>
    /// <exception cref="InvalidDataException">A missing, unexpected, mis-shaped or unreadable tensor, with its name and file.</exception>
    public static void CheckTensors(CheckpointWeights weights, DecoderConfig config)
    {
        var expected = config.TensorShapes();
        foreach (var (name, shape) in expected)
        {
            if (!weights.Tensors.TryGetValue(name, out var info))
                throw new InvalidDataException($"{weights.Description}: missing tensor '{name}' (expected shape {Shape(shape)}).");
            if (!info.Shape.SequenceEqual(shape))
                throw new InvalidDataException($"{weights.PathOf(name)}: tensor '{name}' has shape {Shape(info.Shape)}, the model expects {Shape(shape)}.");
            if (!SafeTensorsFile.CanRead(info.DType))
                throw new InvalidDataException($"{weights.PathOf(name)}: tensor '{name}' has dtype {info.DType}; only F32, F16 and BF16 can be read.");
        }
        foreach (var (name, info) in weights.Tensors)
        {
            if (expected.ContainsKey(name) || name.EndsWith(RotaryInvFreqSuffix, StringComparison.Ordinal)) continue;
            // Some tied checkpoints store the head anyway, as a copy of the embedding: unused here.
            if (config.TieEmbeddings && name == TiedHeadName) continue;
            throw new InvalidDataException($"{weights.PathOf(name)}: unexpected tensor '{name}' of shape {Shape(info.Shape)}; the model has no such parameter.");
        }
    }

    static string Shape(long[] shape) => $"[{string.Join(", ", shape)}]";
}
