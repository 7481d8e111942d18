using System.Numerics;

namespace BeyondNll.Search.Samplers;

/// <summary>
/// A small, fast generator (xoshiro256**, seeded through SplitMix64) whose sequence is fixed by
/// this code alone, not by the .NET version, so a seed means the same search everywhere.
/// Samplers make one per trial from (study seed, trial number): a suggestion is then a function
/// of the seed, the trial number and the history, and replaying the history replays the search.
/// </summary>
public sealed class SeededRandom
{
    ulong _s0, _s1, _s2, _s3;
    double? _spareGaussian;

    public SeededRandom(ulong seed)
    {
        var x = seed;
        _s0 = SplitMix(ref x);
        _s1 = SplitMix(ref x);
        _s2 = SplitMix(ref x);
        _s3 = SplitMix(ref x);
    }

    /// <summary>The generator for one trial of a study: independent streams per trial number.</summary>
    public static SeededRandom ForTrial(long studySeed, int trialNumber, ulong purpose = 0)
    {
        var x = (ulong)studySeed * 0x9E3779B97F4A7C15UL ^ (ulong)(uint)trialNumber * 0xC2B2AE3D27D4EB4FUL ^ purpose;
        return new SeededRandom(SplitMix(ref x));
    }

    static ulong SplitMix(ref ulong x)
    {
        var z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    public ulong NextUInt64()
    {
        var result = BitOperations.RotateLeft(_s1 * 5, 7) * 9;
        var t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = BitOperations.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform in [0, 1), 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform in [low, high).</summary>
    public double Uniform(double low, double high) => low + (high - low) * NextDouble();

    /// <summary>Uniform integer in [0, count), without modulo bias.</summary>
    public long NextLong(long count)
    {
        if (count <= 0)
            throw new ArgumentOutOfRangeException(nameof(count));
        var bound = (ulong)count;
        var limit = ulong.MaxValue - ulong.MaxValue % bound;
        ulong r;
        do r = NextUInt64(); while (r >= limit);
        return (long)(r % bound);
    }

    /// <summary>Standard normal (Marsaglia's polar method; the second value is kept for the next call).</summary>
    public double NextGaussian()
    {
        if (_spareGaussian is { } spare)
        {
            _spareGaussian = null;
            return spare;
        }
        double u, v, s;
        do
        {
            u = 2 * NextDouble() - 1;
            v = 2 * NextDouble() - 1;
            s = u * u + v * v;
        } while (s >= 1 || s == 0);
        var scale = Math.Sqrt(-2 * Math.Log(s) / s);
        _spareGaussian = v * scale;
        return u * scale;
    }

    /// <summary>Shuffles in place (Fisher–Yates).</summary>
    public void Shuffle<T>(T[] items)
    {
        for (var i = items.Length - 1; i > 0; i--)
        {
            var j = (int)NextLong(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}
