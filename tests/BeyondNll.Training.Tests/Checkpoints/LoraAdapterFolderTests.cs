using System.Text.Json.Nodes;
using BeyondNll.Training.Checkpoints;
using BeyondNll.Training.Model;
using TorchSharp;
using static TorchSharp.torch;
using static BeyondNll.Training.Tests.TestModels;

namespace BeyondNll.Training.Tests.Checkpoints;

/// <summary>A LoRA trial's result is kept as its adapters alone, in PEFT's layout, and put back onto its backbone.</summary>
public class LoraAdapterFolderTests
{
    static DecoderLM Adapted(LoraOptions options)
    {
        var model = Seeded(1);
        model.EnableLora(options, new Generator(5));
        // As if trained: B away from its zero start, so the adapters change the output.
        using var noGrad = no_grad();
        foreach (var (name, p) in model.named_parameters().Where(p => p.name.Contains("_lora_B"))) p.normal_(0, 0.2, new Generator(9));
        return model;
    }

    [Fact]
    public void Adapters_saved_alone_and_applied_to_the_backbone_give_the_trained_model()
    {
        var options = new LoraOptions(4, 8, ["q_proj", "v_proj", "down_proj"]);
        using var trained = Adapted(options);
        using var folder = new TempDirectory();
        LoraAdapterFolder.Save(trained, options, folder.Path, "backbones/micro");

        Assert.True(LoraAdapterFolder.IsAdapterFolder(folder.Path));
        using var base_ = Seeded(1);
        LoraAdapterFolder.Apply(base_, folder.Path);
        using var ids = RandomIds(Micro(), 2, 9);
        Assert.True(Identical(trained.forward(ids), base_.forward(ids)));
    }

    [Fact]
    public void The_folder_has_peft_names_and_config()
    {
        var options = new LoraOptions(4, 8, ["q_proj", "v_proj"]);
        using var trained = Adapted(options);
        using var folder = new TempDirectory();
        LoraAdapterFolder.Save(trained, options, folder.Path, "backbones/micro");

        var config = JsonNode.Parse(File.ReadAllText(folder.File(LoraAdapterFolder.ConfigFileName)))!;
        Assert.Equal(("LORA", 4, 8.0), (config["peft_type"]!.GetValue<string>(), config["r"]!.GetValue<int>(), config["lora_alpha"]!.GetValue<double>()));
        Assert.Equal(["q_proj", "v_proj"], config["target_modules"]!.AsArray().Select(t => t!.GetValue<string>()));
        using var weights = SafeTensorsFile.Open(folder.File(LoraAdapterFolder.WeightsFileName));
        Assert.Equal(2 * 2 * 2, weights.Tensors.Count); // 2 layers x 2 targets x (A, B)
        Assert.Contains("base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight", weights.Tensors.Keys);
        Assert.Equal([4L, 64L], weights.Tensors["base_model.model.model.layers.1.self_attn.v_proj.lora_A.weight"].Shape);
    }

    [Fact]
    public void Adapters_for_other_targets_are_refused_by_name()
    {
        var options = new LoraOptions(4, 8, ["q_proj"]);
        using var trained = Adapted(options);
        using var folder = new TempDirectory();
        LoraAdapterFolder.Save(trained, options, folder.Path, "backbones/micro");
        var config = JsonNode.Parse(File.ReadAllText(folder.File(LoraAdapterFolder.ConfigFileName)))!;
        config["target_modules"] = new JsonArray("k_proj");
        File.WriteAllText(folder.File(LoraAdapterFolder.ConfigFileName), config.ToJsonString());

        using var base_ = Seeded(1);
        var e = Assert.Throws<InvalidDataException>(() => LoraAdapterFolder.Apply(base_, folder.Path));
        Assert.Contains("k_proj.lora_A", e.Message);
    }
}
