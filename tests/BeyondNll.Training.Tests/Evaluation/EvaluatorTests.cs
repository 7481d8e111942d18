using BeyondNll.Training.Data;
using BeyondNll.Training.Evaluation;
using BeyondNll.Training.Objectives;
using BeyondNll.Training.Tokenization;
using BeyondNll.Training.Trainer;

namespace BeyondNll.Training.Tests.Evaluation;

public class EvaluatorTests
{
    [Fact]
    public void Scores_a_known_answer_right_and_a_wrong_one_wrong()
    {
        // A model made to know one answer by heart: greedy decoding must reproduce it.
        var tokenizer = new ByteTokenizer();
        var known = new SftExample("12+30=", "42");
        using var model = TestModels.Seeded(1);
        var options = new TrainingRecipe { Objective = Objective.Nll.Spec, Steps = 60, LearningRate = 1e-2, BatchSize = 4, MaxLength = 16, WarmupFraction = 0 };
        new SftTrainer(model, options, tokenizer.PadId).Train([TokenizedExample.From(known, tokenizer)]);

        var evaluator = new Evaluator(model, tokenizer, new EvaluationOptions { MaxLength = 16 });
        Assert.Equal(1.0, evaluator.Accuracy([known]));
        Assert.Equal(0.0, evaluator.Accuracy([known with { Response = "43" }]));

        var metrics = evaluator.Evaluate([known, known with { Response = "43" }]);
        Assert.Equal(0.5, metrics.Accuracy);
        Assert.Equal(2, metrics.Examples);
        Assert.Equal(6, metrics.Tokens); // two responses of 2 characters + end of sequence
        Assert.InRange(metrics.MeanP, 0.0, 1.0);
        Assert.True(metrics.MeanNll > 0);
    }
}
