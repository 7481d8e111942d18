using System.Globalization;
using BeyondNll.Training.Data;

namespace BeyondNll.Training.Synthetic;

/// <summary>
/// Adds two non-negative integers: prompt <c>"347+58="</c>, response <c>"405"</c>. Each operand
/// first draws its digit count uniformly from [MinDigits, MaxDigits] and then a value with that
/// many digits, so short and long operands are equally common (uniform values would make
/// nearly all of them the longest kind).
/// </summary>
public sealed class AdditionTask : ISyntheticTask
{
    /// <summary>Nine digits keep the sum within an int.</summary>
    public const int MostDigits = 9;

    public AdditionTask(int minDigits = 1, int maxDigits = 3)
    {
        if (minDigits < 1 || maxDigits > MostDigits || minDigits > maxDigits)
            throw new ArgumentOutOfRangeException(nameof(minDigits),
                $"digit range [{minDigits}, {maxDigits}] must lie within [1, {MostDigits}] and not be empty");
        MinDigits = minDigits;
        MaxDigits = maxDigits;
    }

    public int MinDigits { get; }

    public int MaxDigits { get; }

    public string Name => "addition";

    public string Description => $"add two integers of {MinDigits} to {MaxDigits} digits: 347+58= -> 405";

    public string ResponseAlphabet => "0123456789";

    public SftExample Sample(Random rng)
    {
        int a = Operand(rng), b = Operand(rng);
        return new SftExample(
            string.Create(CultureInfo.InvariantCulture, $"{a}+{b}="),
            (a + b).ToString(CultureInfo.InvariantCulture));
    }

    int Operand(Random rng)
    {
        int digits = rng.Next(MinDigits, MaxDigits + 1);
        int smallest = digits == 1 ? 0 : Pow10(digits - 1);
        return rng.Next(smallest, Pow10(digits));
    }

    static int Pow10(int exponent) => (int)Math.Pow(10, exponent);
}
