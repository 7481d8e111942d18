using BeyondNll.Training.Backbones;
using BeyondNll.Training.Data;
using BeyondNll.Training.Probe;
using TorchSharp;

namespace BeyondNll.Grains.Backbones;

/// <summary>The capability probe of a backbone folder on a data file, as the grains store it.</summary>
public static class BackboneProbe
{
    /// <param name="threads">libtorch threads for the forward pass (0 = leave as is).</param>
    public static ProbeView Measure(string backbonePath, ProbeRequest request, int threads = 0)
    {
        if (threads > 0) torch.set_num_threads(threads);
        var examples = SftDataReader.Read(request.DataPath, new SftFieldMap(request.PromptKey, request.ResponseKey));
        using var backbone = Backbone.Load(backbonePath);
        return ToView(CapabilityProbe.Measure(backbone.Model, backbone.Tokenizer, examples, request.MaxLength));
    }

    public static ProbeView ToView(ProbeResult r) => new(r.MeanP, r.MedianP, r.ShareAboveHalf, r.Tokens, r.RegionName);
}
