#:project ../grains/BeyondNll.Search/BeyondNll.Search.csproj
#:property Optimize=true
// The GP sampler's hand-written Cholesky (grains/BeyondNll.Search/Samplers/Gp/CholeskyFactor.cs)
// against MathNet.Numerics' Cholesky (managed provider) on what one kernel-fit evaluation does with
// the covariance: factor, log determinant, solve for α, inverse. Same matrices on both sides; the
// sides alternate within each of 7 rounds and the figure is the median round.
//
//   dotnet run -c Release bench/cholesky_vs_mathnet.cs        (from the repository root)
using System.Diagnostics;
using BeyondNll.Search.Samplers;
using BeyondNll.Search.Samplers.Gp;
using MathNet.Numerics.LinearAlgebra;

foreach (var n in new[] { 20, 50, 100, 150, 200 })
{
    var rng = new SeededRandom((ulong)n);
    var points = Enumerable.Range(0, n).Select(_ => Enumerable.Range(0, 6).Select(_ => rng.NextDouble()).ToArray()).ToArray();
    var kernel = new MixedKernel(new bool[6], Enumerable.Repeat(4.0, 6).ToArray(), 0.5, 0.5);
    var covariance = GaussianProcess.Covariance(kernel, 1e-3, points);
    var y = Enumerable.Range(0, n).Select(_ => rng.NextGaussian()).ToArray();
    var repeats = Math.Max(5, 20000 / n);
    var times = new[] { new List<double>(), new List<double>() }; // [0] hand-written, [1] MathNet
    var difference = 0.0; // the two sides' results, summed with opposite signs: ~0
    for (var round = 0; round < 7; round++)
        for (var turn = 0; turn < 2; turn++)
        {
            var side = (turn + round) % 2;
            var clock = Stopwatch.StartNew();
            for (var r = 0; r < repeats; r++)
                difference += side == 0 ? HandWritten(covariance, y, n) : -WithMathNet(covariance, y, n);
            times[side].Add(clock.Elapsed.TotalMilliseconds / repeats);
        }
    double Median(List<double> xs) => xs.Order().ElementAt(xs.Count / 2);
    var (hand, mathNet) = (Median(times[0]), Median(times[1]));
    Console.WriteLine($"n={n,4}: ms per factor+logdet+solve+inverse: hand-written {hand:F4}, MathNet {mathNet:F4}, " +
                      $"MathNet/hand-written {mathNet / hand:F2} (difference of results {difference:G2})");
}

static double HandWritten(double[] covariance, double[] y, int n)
{
    var factor = CholeskyFactor.TryFactor(covariance, n)!;
    var alpha = factor.Solve(y);
    var inverse = factor.Inverse();
    return factor.LogDeterminant + alpha[0] + inverse[0];
}

static double WithMathNet(double[] covariance, double[] y, int n)
{
    var cholesky = Matrix<double>.Build.Dense(n, n, covariance).Cholesky(); // symmetric: either storage order
    var alpha = cholesky.Solve(Vector<double>.Build.DenseOfArray(y));
    var inverse = cholesky.Solve(Matrix<double>.Build.DenseIdentity(n));
    return cholesky.DeterminantLn + alpha[0] + inverse[0, 0];
}
