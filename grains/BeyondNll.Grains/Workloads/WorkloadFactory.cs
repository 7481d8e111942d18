namespace BeyondNll.Grains.Workloads;

/// <summary>Makes the workload a study names. A silo may register its own (tests do, to inject faults).</summary>
public interface IWorkloadFactory
{
    IWorkload Create(string workload);
}

/// <summary>The simulated workload in the silo; the torch one in a worker process per attempt.</summary>
public sealed class WorkloadFactory(WorkerOptions worker) : IWorkloadFactory
{
    public IWorkload Create(string workload)
    {
        var kind = WorkloadKind.Parse(workload);
        return kind.Kind == "simulated" ? new SimulatedWorkload(kind.Seconds) : new TorchWorkload(worker);
    }
}
