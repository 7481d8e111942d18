using System.CommandLine;
using System.Text.Json;
using BeyondNll.Client.Commands;
using BeyondNll.Training.Backbones;
using BeyondNll.Training.Objectives;
using static TorchSharp.torch;

namespace BeyondNll.Training.Tests.HuggingFace;

/// <summary>`bnll score` on a Hugging Face folder with Qwen's tokenizer, run in-process.</summary>
[Collection(HfReferenceCollection.Name)]
public class ScoreCommandTests(HfReference reference)
{
    static async Task<(int ExitCode, string Output)> Invoke(params string[] args)
    {
        var output = new StringWriter();
        var config = new InvocationConfiguration { Output = output, EnableDefaultExceptionHandler = false };
        int exitCode = await new RootCommand { ScoreCommand.Create() }.Parse(args).InvokeAsync(config);
        return (exitCode, output.ToString());
    }

    [Fact]
    public async Task Json_lists_each_token_with_its_id_and_log_probability()
    {
        var folder = reference.Checkpoint("qwen2-151k");
        const string text = "<|im_start|>user\nWhat is 2+2?<|im_end|> 🙂";
        var (exitCode, output) = await Invoke("score", "--backbone", folder, "--text", text, "--json", "--threads", "1");
        Assert.Equal(0, exitCode);

        using var json = JsonDocument.Parse(output);
        var tokens = json.RootElement.GetProperty("tokens").EnumerateArray().ToList();
        using var backbone = Backbone.Load(folder);
        var ids = backbone.Tokenizer.Encode(text);
        Assert.Equal(ids, tokens.Select(t => t.GetProperty("id").GetInt32()));
        Assert.Equal("<|im_start|>", tokens[0].GetProperty("token").GetString());
        Assert.Equal(text, string.Concat(tokens.Select(t => t.GetProperty("token").GetString())));
        Assert.Equal(JsonValueKind.Null, tokens[0].GetProperty("logprob").ValueKind);

        // Against log-softmax of the model's whole forward pass, computed here independently.
        using var noGrad = no_grad();
        using var input = tensor(ids.Select(i => (long)i).ToArray(), [1, ids.Length]);
        using var logits = backbone.Model.forward(input);
        using var expected = ObjectiveLoss.LabelLogProbs(logits[0].narrow(0, 0, ids.Length - 1), input[0].narrow(0, 1, ids.Length - 1));
        var want = expected.data<float>().ToArray();
        for (int i = 1; i < tokens.Count; i++)
            Assert.Equal(want[i - 1], tokens[i].GetProperty("logprob").GetDouble(), 1e-5);
        Assert.Equal(want.Sum(), json.RootElement.GetProperty("sum_logprob").GetDouble(), 1e-3);
    }

    [Fact]
    public async Task An_empty_text_is_bad_input()
    {
        var e = await Assert.ThrowsAsync<ArgumentException>(() =>
            Invoke("score", "--backbone", reference.Checkpoint("qwen2-151k"), "--text", ""));
        Assert.Contains("empty", e.Message);
    }
}
