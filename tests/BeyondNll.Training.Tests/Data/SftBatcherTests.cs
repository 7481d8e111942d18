using BeyondNll.Training.Data;
using TorchSharp;

namespace BeyondNll.Training.Tests.Data;

public sealed class SftBatcherTests
{
    const int Pad = 0;

    static long[,] Ids(torch.Tensor tensor) => To2D(tensor.data<long>().ToArray(), tensor);

    static float[,] Floats(torch.Tensor tensor) => To2D(tensor.data<float>().ToArray(), tensor);

    static T[,] To2D<T>(T[] flat, torch.Tensor tensor)
    {
        var (rows, columns) = ((int)tensor.shape[0], (int)tensor.shape[1]);
        var grid = new T[rows, columns];
        for (int i = 0; i < flat.Length; i++)
            grid[i / columns, i % columns] = flat[i];
        return grid;
    }

    [Fact]
    public void Inputs_and_labels_are_the_sequence_shifted_by_one_and_prompt_labels_carry_no_loss()
    {
        // prompt 10 11 12, response 20 21 EOS(3): s = 10 11 12 20 21 3.
        using var batch = SftBatcher.Make([new TokenizedExample([10, 11, 12], [20, 21, 3])], maxLength: 16, Pad);

        Assert.Equal(torch.ScalarType.Int64, batch.InputIds.dtype);
        Assert.Equal(torch.ScalarType.Int64, batch.Labels.dtype);
        Assert.Equal(torch.ScalarType.Float32, batch.LossMask.dtype);
        Assert.Equal(new long[,] { { 10, 11, 12, 20, 21 } }, Ids(batch.InputIds));
        Assert.Equal(new long[,] { { 11, 12, 20, 21, 3 } }, Ids(batch.Labels));
        Assert.Equal(new float[,] { { 0, 0, 1, 1, 1 } }, Floats(batch.LossMask));
        Assert.Equal(3, batch.ResponseTokens);
        Assert.Equal(5, batch.Tokens);
    }

    [Fact]
    public void Shorter_rows_are_padded_on_the_right_to_the_longest_row()
    {
        using var batch = SftBatcher.Make(
            [new TokenizedExample([10, 11], [20, 3]), new TokenizedExample([10], [20, 21, 22, 3])],
            maxLength: 16, padId: 99);

        Assert.Equal([2L, 4L], batch.InputIds.shape);
        Assert.Equal((2, 4), (batch.Rows, batch.SequenceLength));
        Assert.Equal(new long[,] { { 10, 11, 20, 99 }, { 10, 20, 21, 22 } }, Ids(batch.InputIds));
        Assert.Equal(new long[,] { { 11, 20, 3, 0 }, { 20, 21, 22, 3 } }, Ids(batch.Labels));
        Assert.Equal(new float[,] { { 0, 1, 1, 0 }, { 1, 1, 1, 1 } }, Floats(batch.LossMask));
        Assert.Equal([3, 4], batch.Lengths);
        Assert.Equal(7, batch.Tokens);
        Assert.Equal(6, batch.ResponseTokens);
    }

    [Fact]
    public void Long_sequences_are_cut_on_the_right_to_max_length()
    {
        // s = 10 11 20 21 22 3; with maxLength 4 the row keeps s[0..5): inputs 10 11 20 21.
        using var batch = SftBatcher.Make([new TokenizedExample([10, 11], [20, 21, 22, 3])], maxLength: 4, Pad);

        Assert.Equal(new long[,] { { 10, 11, 20, 21 } }, Ids(batch.InputIds));
        Assert.Equal(new long[,] { { 11, 20, 21, 22 } }, Ids(batch.Labels));
        Assert.Equal(new float[,] { { 0, 1, 1, 1 } }, Floats(batch.LossMask));
    }

    [Fact]
    public void A_prompt_that_fills_max_length_keeps_its_row_with_no_loss()
    {
        using var batch = SftBatcher.Make(
            [new TokenizedExample([10, 11, 12, 13], [20, 3]), new TokenizedExample([10], [20, 3])],
            maxLength: 3, Pad);

        Assert.Equal(new long[,] { { 10, 11, 12 }, { 10, 20, Pad } }, Ids(batch.InputIds));
        Assert.Equal(new float[,] { { 0, 0, 0 }, { 1, 1, 0 } }, Floats(batch.LossMask));
        Assert.Equal(2, batch.ResponseTokens);
        Assert.Equal(5, batch.Tokens);
    }

    [Fact]
    public void The_response_sum_matches_the_mask_tensor()
    {
        var examples = Enumerable.Range(1, 5)
            .Select(i => new TokenizedExample(Enumerable.Repeat(7, i).ToArray(), Enumerable.Repeat(8, 6 - i).Append(3).ToArray()))
            .ToList();

        using var batch = SftBatcher.Make(examples, maxLength: 5, Pad);

        Assert.Equal(batch.ResponseTokens, (int)batch.LossMask.sum().item<float>());
    }

    [Fact]
    public void An_empty_batch_or_a_non_positive_max_length_is_rejected()
    {
        Assert.Throws<ArgumentException>(() => SftBatcher.Make([], 8, Pad));
        Assert.Throws<ArgumentOutOfRangeException>(() => SftBatcher.Make([new TokenizedExample([1], [2, 3])], 0, Pad));
    }
}
