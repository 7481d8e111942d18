using BeyondNll.Silo.Hosting.Storage;
using BeyondNll.Studies;
using Newtonsoft.Json;
using Orleans.Serialization;

namespace BeyondNll.Grains.Tests;

/// <summary>What the storage's JSON names: a collection the C# compiler made for a collection expression is stored as a list, so it can be read back.</summary>
public class StoredTypesTests
{
    [Fact]
    public void A_request_whose_rates_came_from_a_collection_expression_is_stored_as_a_list_and_reads_back()
    {
        var options = new OrleansJsonSerializerOptions();
        new StoredTypeNames().PostConfigure(null, options);
        IReadOnlyList<double> rates = [1e-5, 5.5e-5, 3e-4]; // the compiler's own read-only collection type
        Assert.StartsWith("<>z__", rates.GetType().Name);
        var record = new StudyRecord { Request = new StudyRequest { Name = "s", Backbone = "b", TrainPath = "t", ValPath = "v", SpaceJson = "{}", LearningRates = rates } };

        var json = JsonConvert.SerializeObject(record, options.JsonSerializerSettings);
        Assert.DoesNotContain("<>z__", json);
        Assert.Equal(rates, JsonConvert.DeserializeObject<StudyRecord>(json, options.JsonSerializerSettings)!.Request!.LearningRates);
    }
}
