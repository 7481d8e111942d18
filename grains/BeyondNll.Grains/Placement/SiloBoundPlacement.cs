using Orleans.Placement;
using Orleans.Runtime;
using Orleans.Runtime.Placement;

namespace BeyondNll.Grains.Placement;

/// <summary>
/// Places a grain on the silo its key names: the part after the last '|' (the whole key for a
/// device host). A trial attempt is started where its study reserved a device, and a device host
/// lives on the silo whose devices it tells about. When that silo is gone the grain is not
/// activated anywhere else: the call fails, and the study starts a new attempt on a live silo.
/// This is why each attempt is a grain of its own rather than one grain moving between hosts.
/// </summary>
[GenerateSerializer, Immutable, SuppressReferenceTracking, Alias("bnll.SiloBoundPlacement")]
public sealed class SiloBoundPlacement : PlacementStrategy
{
    public static readonly SiloBoundPlacement Instance = new();

    public const char Separator = '|';

    /// <summary>
    /// The key says where the grain lives, so it needs no entry in the grain directory. That matters
    /// when a host dies: Orleans deactivates the grains whose directory entry the dead silo held, and a
    /// trial running on a surviving silo would be handed back and rerun for nothing.
    /// </summary>
    public override bool IsUsingGrainDirectory => false;

    /// <summary>The silo named by a grain key.</summary>
    public static SiloAddress SiloOf(string key) =>
        SiloAddress.FromParsableString(key[(key.LastIndexOf(Separator) + 1)..]);
}

[AttributeUsage(AttributeTargets.Class)]
public sealed class SiloBoundPlacementAttribute() : PlacementAttribute(SiloBoundPlacement.Instance);

public sealed class SiloBoundPlacementDirector : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var key = target.GrainIdentity.Key.ToString()!;
        var silo = SiloBoundPlacement.SiloOf(key);
        if (context.GetCompatibleSilos(target).Contains(silo)) return Task.FromResult(silo);
        throw new SiloUnavailableException($"silo {silo} named by {key} is not an active member of the cluster");
    }
}
