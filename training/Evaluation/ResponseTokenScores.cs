using BeyondNll.Training.Data;
using BeyondNll.Training.Model;
using BeyondNll.Training.Objectives;
using static TorchSharp.torch;

namespace BeyondNll.Training.Evaluation;

/// <summary>
/// Teacher-forced log probabilities of every response token of a data set under a model: the raw
/// material of the validation token metrics and of the capability probe. Prompt tokens and
/// padding are left out, as they are by the training loss.
/// </summary>
public static class ResponseTokenScores
{
    /// <returns>log p of each response token (including the end-of-sequence token), in data order.</returns>
    public static float[] LogProbabilities(DecoderLM model, IReadOnlyList<TokenizedExample> examples,
        int maxLength, int padId, int batchSize = 32)
    {
        var device = model.parameters().First().device;
        var wasTraining = model.training;
        model.eval();
        var result = new List<float>();
        try
        {
            using var noGrad = no_grad();
            for (var start = 0; start < examples.Count; start += batchSize)
            {
                using var scope = NewDisposeScope();
                var members = examples.Skip(start).Take(batchSize).ToList();
                using var batch = SftBatcher.Make(members, maxLength, padId, device);
                var rows = batch.LossMask.reshape(-1).nonzero().squeeze(1);
                if (rows.shape[0] == 0) continue;
                var hidden = model.Hidden(batch.InputIds);
                var selected = hidden.reshape(-1, hidden.shape[^1]).index_select(0, rows);
                var labels = batch.Labels.reshape(-1).index_select(0, rows);
                var logProbs = ObjectiveLoss.LabelLogProbs(model.Head(selected), labels);
                result.AddRange(logProbs.cpu().data<float>().ToArray());
            }
        }
        finally
        {
            model.train(wasTraining);
        }
        return result.ToArray();
    }
}
