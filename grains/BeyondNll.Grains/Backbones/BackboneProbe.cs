using BeyondNll.Training.Backbones;
using BeyondNll.Training.Data;
using BeyondNll.Training.Probe;

namespace BeyondNll.Grains.Backbones;

/// <summary>The capability probe of a backbone folder on a data file, as the grains store it.</summary>
public static class BackboneProbe
{
    public static ProbeView Measure(string backbonePath, string dataPath, string promptKey, string responseKey, int maxLength)
    {
        var examples = SftDataReader.Read(dataPath, new SftFieldMap(promptKey, responseKey));
        using var backbone = Backbone.Load(backbonePath);
        return ToView(CapabilityProbe.Measure(backbone.Model, backbone.Tokenizer, examples, maxLength));
    }

    public static ProbeView ToView(ProbeResult r) => new(r.MeanP, r.MedianP, r.ShareAboveHalf, r.Tokens, r.RegionName);
}
