using BeyondNll.Training.Backbones;
using BeyondNll.Training.Data;
using BeyondNll.Training.Probe;
using TorchSharp;

namespace BeyondNll.Grains.Backbones;

/// <summary>The capability probe of a backbone folder on a data file (and on clean held-out data, if given), as the grains store it.</summary>
public static class BackboneProbe
{
    /// <param name="threads">libtorch threads for the forward pass (0 = leave as is).</param>
    public static ProbeView Measure(string backbonePath, ProbeRequest request, int threads = 0)
    {
        if (threads > 0) torch.set_num_threads(threads);
        var fields = new SftFieldMap(request.PromptKey, request.ResponseKey);
        var examples = SftDataReader.Read(request.DataPath, fields);
        var heldOut = request.HeldOutPath is { } path ? SftDataReader.Read(path, fields) : null;
        using var backbone = Backbone.Load(backbonePath);
        var probe = CapabilityProbe.Measure(backbone.Model, backbone.Tokenizer, examples, request.MaxLength);
        var clean = heldOut is null ? null : CapabilityProbe.Measure(backbone.Model, backbone.Tokenizer, heldOut, request.MaxLength);
        return ToView(probe, request.MaxLength, clean);
    }

    public static ProbeView ToView(ProbeResult r, int maxLength, ProbeResult? heldOut = null) =>
        new(r.MeanP, r.MedianP, r.ShareAboveHalf, r.Tokens, r.RegionName, maxLength, heldOut?.MeanP);
}
