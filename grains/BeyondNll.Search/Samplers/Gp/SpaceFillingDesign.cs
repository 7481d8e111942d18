namespace BeyondNll.Search.Samplers.Gp;

/// <summary>
/// The first trials of a GP search: points of a scrambled Halton sequence, which cover the space
/// more evenly than independent draws (no two early trials land close together, every choice of a
/// categorical comes up in turn), so the model starts from a spread of observations. Point i is a
/// function of the seed and i alone, so the design extends as far as needed (trials in flight and
/// failures can ask for more points than planned) and a restart continues it.
/// </summary>
/// <remarks>
/// Coordinate d uses the d-th prime as its base. Each coordinate's digits pass through a random
/// permutation of 0..base−1 fixed by the seed: plain Halton's coordinates of large bases run in
/// lockstep for the first points (i/17, i/19, i/23...), the permutation breaks that, and makes the
/// first point of each coordinate a random stratum as in a Latin hypercube.
/// </remarks>
public sealed class SpaceFillingDesign
{
    const int Digits = 40;
    readonly int[] _bases;
    readonly int[][] _permutations;

    public SpaceFillingDesign(int dimension, long seed)
    {
        _bases = Primes(dimension);
        var rng = SeededRandom.ForTrial(seed, 0, purpose: 0x5EED_DE51);
        _permutations = _bases.Select(b =>
        {
            var permutation = Enumerable.Range(0, b).ToArray();
            rng.Shuffle(permutation);
            return permutation;
        }).ToArray();
    }

    /// <summary>Point <paramref name="index"/> of the design, in [0, 1)^dimension.</summary>
    public double[] Point(int index)
    {
        var u = new double[_bases.Length];
        for (var d = 0; d < u.Length; d++)
        {
            // Radical inverse of index+1 (index 0 of plain Halton is the corner 0), digits permuted.
            var b = _bases[d];
            var n = (long)index + 1;
            double value = 0, scale = 1.0 / b;
            for (var k = 0; k < Digits && scale > 1e-16; k++, scale /= b)
            {
                value += _permutations[d][(int)(n % b)] * scale;
                n /= b;
            }
            u[d] = Math.Min(value, 1 - 1e-12);
        }
        return u;
    }

    static int[] Primes(int count)
    {
        var primes = new List<int>(count);
        for (var candidate = 2; primes.Count < count; candidate++)
            if (primes.TrueForAll(p => candidate % p != 0))
                primes.Add(candidate);
        return primes.ToArray();
    }
}
