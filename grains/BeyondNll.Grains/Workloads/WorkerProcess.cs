using System.Diagnostics;
using System.Globalization;
using BeyondNll.Grains.Devices;
using BeyondNll.Training.Trainer;
using BeyondNll.Training.Worker;

namespace BeyondNll.Grains.Workloads;

/// <summary>
/// One attempt's worker process (silo/BeyondNll.Worker): started with its job on standard input, which
/// stays open for as long as the attempt runs (a worker whose input closes — its silo died — exits at
/// once); its standard output read as <see cref="WorkerMessage"/> lines and relayed to the reporter; its
/// standard error copied into the attempt's log. Pinned to its device: a CUDA slot's worker sees that
/// one GPU only (CUDA_VISIBLE_DEVICES), a CPU slot's sees none and uses the slot's threads. Killed on
/// cancel, and when its resident memory passes the silo's limit. How it ended becomes a result or a
/// <see cref="WorkloadFailedException"/> of the right class: a worker that dies without saying why
/// (SIGKILL, a segfault, the kernel's out-of-memory killer) is a lost worker, which the study reruns.
/// </summary>
public static class WorkerProcess
{
    static readonly TimeSpan MemoryPoll = TimeSpan.FromMilliseconds(200);

    public static WorkloadResult Run(WorkerOptions options, WorkerJob job, DeviceSlot device, IWorkloadReporter reporter, CancellationToken cancellation)
    {
        cancellation.ThrowIfCancellationRequested();
        if (!File.Exists(options.WorkerDll))
            throw new WorkloadFailedException(TrialFailure.Fault, $"the worker {options.WorkerDll} is not there (silo setting --worker)");
        using var process = Start(options, device);
        reporter.Started(process.Id);
        reporter.Log($"worker {process.Id} started: {job.Recipe.Objective} on {device.Id}, checkpoints every {job.CheckpointEvery} steps" +
            (job.CheckpointMinSeconds > 0 ? $", at most once per {job.CheckpointMinSeconds:G4} s" : ""));
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null) reporter.Log(e.Data);
        };
        process.BeginErrorReadLine();
        try
        {
            // The job, and then nothing: the pipe stays open until this attempt is over.
            process.StandardInput.WriteLine(job.ToJson());
            process.StandardInput.Flush();
        }
        catch (IOException)
        {
            // It died at once: its exit code below says how.
        }

        var pid = process.Id;
        long? overLimit = null;
        using var killOnCancel = cancellation.Register(() => Kill(process));
        using var memoryWatch = options.MemoryLimitBytes > 0
            ? new Timer(_ =>
            {
                if (ResidentBytes(pid) is { } rss && rss > options.MemoryLimitBytes)
                {
                    overLimit ??= rss;
                    Kill(process);
                }
            }, null, TimeSpan.Zero, MemoryPoll)
            : null;

        WorkerMessage? result = null, failed = null;
        int step = 0, checkpoint = 0;
        while (process.StandardOutput.ReadLine() is { } line)
        {
            switch (WorkerMessage.TryParse(line))
            {
                case { Kind: WorkerMessage.Step } m:
                    step = m.At;
                    reporter.Step(m.At, m.Steps, m.Loss ?? double.NaN);
                    break;
                case { Kind: WorkerMessage.Intermediate, Value: { } value } m:
                    reporter.Intermediate(m.At, value);
                    break;
                case { Kind: WorkerMessage.Resumed } m:
                    step = checkpoint = m.At;
                    reporter.Resumed(m.At);
                    break;
                case { Kind: WorkerMessage.Checkpoint } m:
                    checkpoint = m.At;
                    reporter.Checkpointed(m.At);
                    break;
                case { Kind: WorkerMessage.Result } m:
                    result = m;
                    break;
                case { Kind: WorkerMessage.Failed } m:
                    failed = m;
                    break;
                default:
                    reporter.Log($"worker said: {line}");
                    break;
            }
        }
        process.WaitForExit(); // and its standard error's last lines
        var exit = process.ExitCode;
        reporter.Log($"worker {pid} exited with code {exit} at step {step}");

        cancellation.ThrowIfCancellationRequested();
        if (overLimit is { } used)
            throw new WorkloadFailedException(TrialFailure.OutOfMemory,
                $"out of memory: worker {pid} used {Mib(used)} MiB, past the silo's limit of {Mib(options.MemoryLimitBytes)} MiB (--worker-memory-mb), at step {step}");
        if (result is { Value: { } metric } && exit == 0)
            return new WorkloadResult(metric, result.Accuracy, result.MeanNll, result.MeanP, result.TrainableParameters, result.WeightDtype, result.TestValue);
        if (failed is not null)
            throw new WorkloadFailedException(ClassOf(failed.Failure), failed.Message ?? $"the worker failed ({failed.Failure})");
        throw new WorkloadFailedException(TrialFailure.Lost,
            $"worker {pid} {Death(exit)} at step {step}" + (checkpoint > 0 ? $" (last checkpoint: step {checkpoint})" : " (no checkpoint yet)"));
    }

    static Process Start(WorkerOptions options, DeviceSlot device)
    {
        var start = new ProcessStartInfo(WorkerOptions.DotnetHost())
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(options.WorkerDll);
        // The slot's one GPU (which the worker then calls cuda:0), or none for a CPU slot.
        start.Environment["CUDA_VISIBLE_DEVICES"] = device.Kind == "cuda" ? device.Id["cuda:".Length..] : "";
        if (device.Threads > 0) start.Environment["OMP_NUM_THREADS"] = device.Threads.ToString(CultureInfo.InvariantCulture);
        return Process.Start(start) ?? throw new WorkloadFailedException(TrialFailure.Fault, $"could not start {options.WorkerDll}");
    }

    static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // It has exited already (or this attempt is over and its process object gone).
        }
    }

    /// <summary>The worker's class of failure (<see cref="TrainingFailures"/>) as the study's.</summary>
    public static TrialFailure ClassOf(string? failure) => failure switch
    {
        TrainingFailures.OutOfMemory => TrialFailure.OutOfMemory,
        TrainingFailures.Diverged => TrialFailure.Diverged,
        TrainingFailures.Input => TrialFailure.Input,
        _ => TrialFailure.Fault,
    };

    /// <summary>How a worker that sent no result ended, from its exit code (128 + N: killed by signal N).</summary>
    public static string Death(int exitCode) => exitCode switch
    {
        137 => "was killed (SIGKILL: an operator, or the kernel's out-of-memory killer)",
        139 => "crashed (SIGSEGV)",
        134 => "aborted (SIGABRT)",
        143 => "was terminated (SIGTERM)",
        > 128 and < 160 => $"was ended by signal {exitCode - 128}",
        _ => $"exited with code {exitCode} without a result",
    };

    /// <summary>The process's resident memory (VmRSS of /proc/PID/status), or null where that cannot be read.</summary>
    static long? ResidentBytes(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (!line.StartsWith("VmRSS:", StringComparison.Ordinal)) continue;
                var kib = line["VmRSS:".Length..].Trim().Split(' ')[0];
                return long.Parse(kib, CultureInfo.InvariantCulture) * 1024;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
        }
        return null;
    }

    static long Mib(long bytes) => bytes >> 20;
}
