using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using BeyondNll.Training.Model;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace BeyondNll.Training.Checkpoints;

/// <summary>What a written checkpoint cost: its step, how long the write took and its size on disk.</summary>
public sealed record CheckpointWritten(int Step, string Folder, double Seconds, long Bytes);

/// <summary>
/// The resumable checkpoints of one training run in one folder: every <see cref="Every"/> steps the
/// trainer writes what it needs to go on exactly where it was — the trainable weights, AdamW's moments
/// and step counts, and the step reached (the learning rate schedule and the seeded data order are
/// functions of the step, and training draws no other random numbers) — and a rerun restores the
/// newest readable one. The frozen weights are not written: a rerun loads them from the same backbone.
/// With a <see cref="MinSeconds"/> floor (the default cadence, <see cref="CheckpointCadence"/>) a checkpoint
/// at an interval's step is skipped while the previous one is more recent than the floor.
/// </summary>
/// <remarks>
/// Each checkpoint is a folder step-NNNNNNNN written under a temporary name and renamed when complete,
/// so a run killed mid-write leaves no checkpoint that looks whole. A checkpoint is resumed only when
/// its <c>identity</c> matches the run's (the caller's digest of the recipe and inputs): the
/// checkpoints of another run that happen to share the folder are skipped, never trained on. Weights
/// and moments keep their dtype (float32 or bfloat16), so on the CPU a resumed run ends with the same
/// weights, bit for bit, as one that was never stopped.
/// </remarks>
public sealed class TrainingCheckpoints
{
    const string Prefix = "step-";
    const string TemporaryMarker = ".tmp-";
    const string WeightsFile = "trainable.safetensors";
    const string OptimizerFile = "optimizer.safetensors";
    const string StateFile = "state.json";
    const int Format = 1;

    /// <summary>Checkpoints kept after a write: the newest and one before it, in case the newest turns out unreadable.</summary>
    const int Kept = 2;

    static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, WriteIndented = true };

    /// <param name="folder">The run's checkpoint folder (created when the first checkpoint is written).</param>
    /// <param name="every">Steps between checkpoints (at least 1).</param>
    /// <param name="identity">What a checkpoint must have been written for to be resumed here.</param>
    /// <param name="note">Told why a checkpoint was skipped, for the run's log.</param>
    public TrainingCheckpoints(string folder, int every, string identity, Action<string>? note = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(every, 1);
        Folder = folder;
        Every = every;
        Identity = identity;
        this.note = note;
    }

    readonly Action<string>? note;

    public string Folder { get; }
    public int Every { get; }
    public string Identity { get; }

    /// <summary>Least seconds of training between checkpoints (<see cref="CheckpointCadence"/>); 0 = none, only <see cref="Every"/> counts.</summary>
    public double MinSeconds { get; init; }

    /// <summary>Time since the previous checkpoint, or since training started (<see cref="Restore"/>).</summary>
    readonly Stopwatch sinceLast = Stopwatch.StartNew();

    /// <summary>Called after each checkpoint is written.</summary>
    public Action<CheckpointWritten>? OnWritten { get; init; }

    /// <summary>Called with the step a run resumes from, once a checkpoint was restored.</summary>
    public Action<int>? OnResumed { get; init; }

    /// <summary>Whether a checkpoint is due after <paramref name="step"/> of <paramref name="steps"/> (never after the last: the run is done).</summary>
    public bool Due(int step, int steps) => new CheckpointCadence(Every, MinSeconds).Due(step, steps, sinceLast.Elapsed.TotalSeconds);

    /// <summary>The stored state of one checkpoint, beside its tensors.</summary>
    sealed record State(int Format, int Step, int Steps, string Identity, Dictionary<string, long> AdamSteps);

    /// <summary>
    /// Writes the checkpoint of <paramref name="step"/>: the trainable parameters (by name) and their
    /// AdamW state, then the state file, all under a temporary name renamed at the end; then removes
    /// checkpoints older than the newest <see cref="Kept"/>.
    /// </summary>
    public CheckpointWritten Write(IReadOnlyList<(string Name, Parameter Parameter)> trainable, AdamW optimizer, int step, int steps)
    {
        var watch = Stopwatch.StartNew();
        Directory.CreateDirectory(Folder);
        var final = Path.Combine(Folder, Name(step));
        var temporary = final + TemporaryMarker + Guid.NewGuid().ToString("N");
        Directory.CreateDirectory(temporary);
        try
        {
            var moments = Moments(trainable, optimizer);
            var dtype = trainable[0].Parameter.dtype == ScalarType.BFloat16 ? SafeTensorsDType.BF16 : SafeTensorsDType.F32;
            SafeTensorsFile.Write(Path.Combine(temporary, WeightsFile), trainable.Select(p => (p.Name, (Tensor)p.Parameter)).ToList(), dtype);
            SafeTensorsFile.Write(Path.Combine(temporary, OptimizerFile),
                moments.SelectMany(m => new[] { ($"exp_avg/{m.Name}", m.State.exp_avg), ($"exp_avg_sq/{m.Name}", m.State.exp_avg_sq) }).ToList(), dtype);
            var state = new State(Format, step, steps, Identity, moments.ToDictionary(m => m.Name, m => m.State.step));
            WriteDurably(Path.Combine(temporary, StateFile), JsonSerializer.Serialize(state, Json));
            if (Directory.Exists(final)) Directory.Delete(final, recursive: true); // an unreadable one of the same step
            Directory.Move(temporary, final); // a rename within the folder: the checkpoint appears whole or not at all
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }
        foreach (var old in Complete().Skip(Kept)) TryDelete(old.Path);
        sinceLast.Restart();
        var written = new CheckpointWritten(step, final, watch.Elapsed.TotalSeconds,
            new DirectoryInfo(final).EnumerateFiles().Sum(f => f.Length));
        OnWritten?.Invoke(written);
        return written;
    }

    /// <summary>
    /// Loads the newest checkpoint that is readable, was written for this run and fits the model into
    /// <paramref name="trainable"/> and <paramref name="optimizer"/>; returns its step, or 0 when there
    /// is none (the run starts fresh). Nothing is changed unless a whole checkpoint was read. Left-over
    /// temporary folders of a killed writer are removed.
    /// </summary>
    public int Restore(IReadOnlyList<(string Name, Parameter Parameter)> trainable, AdamW optimizer, int steps)
    {
        sinceLast.Restart(); // training starts now: the model is loaded, the data read
        if (!Directory.Exists(Folder)) return 0;
        foreach (var stale in Directory.EnumerateDirectories(Folder, Prefix + "*" + TemporaryMarker + "*")) TryDelete(stale);
        var moments = Moments(trainable, optimizer);
        foreach (var (step, path) in Complete())
        {
            try
            {
                var state = JsonSerializer.Deserialize<State>(File.ReadAllText(Path.Combine(path, StateFile)), Json)
                    ?? throw new InvalidDataException("its state file is empty");
                if (state.Format != Format) throw new InvalidDataException($"it has format {state.Format}, not {Format}");
                if (state.Identity != Identity) throw new InvalidDataException("it was written for another recipe or other inputs");
                if (state.Step != step || state.Step >= steps) throw new InvalidDataException($"its step {state.Step} does not fit a run of {steps} steps");
                using var scope = NewDisposeScope();
                var weights = Read(Path.Combine(path, WeightsFile), trainable.Select(p => (p.Name, p.Parameter.shape)));
                var averages = Read(Path.Combine(path, OptimizerFile), moments.SelectMany(m => new[]
                    { ($"exp_avg/{m.Name}", m.State.exp_avg.shape), ($"exp_avg_sq/{m.Name}", m.State.exp_avg_sq.shape) }));
                foreach (var m in moments)
                    if (!state.AdamSteps.ContainsKey(m.Name)) throw new InvalidDataException($"it has no optimizer step count of '{m.Name}'");

                using var noGrad = no_grad();
                foreach (var (name, parameter) in trainable) parameter.copy_(weights[name]);
                foreach (var m in moments)
                {
                    m.State.exp_avg.copy_(averages[$"exp_avg/{m.Name}"]);
                    m.State.exp_avg_sq.copy_(averages[$"exp_avg_sq/{m.Name}"]);
                    m.State.step = state.AdamSteps[m.Name];
                }
                OnResumed?.Invoke(step);
                return step;
            }
            catch (Exception e) when (e is IOException or InvalidDataException or JsonException or UnauthorizedAccessException or KeyNotFoundException)
            {
                note?.Invoke($"checkpoint {path} skipped: {e.Message}");
            }
        }
        return 0;
    }

    /// <summary>The whole checkpoints in the folder, newest first.</summary>
    IEnumerable<(int Step, string Path)> Complete() =>
        Directory.Exists(Folder)
            ? Directory.EnumerateDirectories(Folder, Prefix + "*")
                .Select(path => (Parsed: int.TryParse(System.IO.Path.GetFileName(path)[Prefix.Length..], NumberStyles.None, CultureInfo.InvariantCulture, out var s) ? s : -1, path))
                .Where(c => c.Parsed >= 0)
                .OrderByDescending(c => c.Parsed)
                .Select(c => (c.Parsed, c.path))
                .ToList()
            : [];

    static string Name(int step) => Prefix + step.ToString("D8", CultureInfo.InvariantCulture);

    /// <summary>AdamW's state of each trainable parameter, by the parameter's name (the optimizer lists them in the same order).</summary>
    static List<(string Name, AdamW.State State)> Moments(IReadOnlyList<(string Name, Parameter Parameter)> trainable, AdamW optimizer)
    {
        var states = optimizer.state_dict().State;
        if (states.Count != trainable.Count)
            throw new InvalidOperationException($"the optimizer holds {states.Count} parameters, the model trains {trainable.Count}");
        return trainable.Select((p, i) => (p.Name, (AdamW.State)states[i])).ToList();
    }

    /// <summary>Every named tensor of a file, checked against the shapes expected; float32 on the CPU, in the caller's dispose scope.</summary>
    static Dictionary<string, Tensor> Read(string path, IEnumerable<(string Name, long[] Shape)> expected)
    {
        using var file = SafeTensorsFile.Open(path);
        var tensors = new Dictionary<string, Tensor>();
        foreach (var (name, shape) in expected)
        {
            if (!file.Tensors.TryGetValue(name, out var info)) throw new InvalidDataException($"{path} has no tensor '{name}'");
            if (!info.Shape.SequenceEqual(shape)) throw new InvalidDataException($"{path}: '{name}' has shape [{string.Join(", ", info.Shape)}], not [{string.Join(", ", shape)}]");
            tensors[name] = file.ReadFloat32(name);
        }
        return tensors;
    }

    static void WriteDurably(string path, string text)
    {
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None);
        using (var writer = new StreamWriter(stream, leaveOpen: true)) writer.Write(text);
        stream.Flush(flushToDisk: true);
    }

    static void TryDelete(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A folder that cannot be removed now is removed by the next write or restore.
        }
    }
}
