namespace BeyondNll.Search.Samplers.Gp;

/// <summary>
/// The Cholesky factor L of a symmetric positive definite matrix (K = L·Lᵀ), with the solves and
/// the inverse a Gaussian process needs, on flat row-major arrays.
/// </summary>
/// <remarks>
/// Hand-written rather than MathNet's factorisation, which the first version used: a kernel fit
/// factors and inverts the covariance a hundred times per ask and the acquisition solves against
/// it thousands of times, all on matrices of tens to a couple of hundred rows, where MathNet's
/// general-purpose storage and its solve for the inverse cost more than the arithmetic. Measured
/// in one run of bench/cholesky_vs_mathnet.cs (factor, log determinant, solve and inverse, as one
/// fit evaluation does them; same matrices, results equal to 1e-12), MathNet's managed Cholesky
/// took 3.9× this one's time at 50 rows and 3.1× at 200 (docs/benchmarks.md, Samplers).
/// </remarks>
public sealed class CholeskyFactor
{
    readonly double[] _lower;

    CholeskyFactor(double[] lower, int size)
    {
        _lower = lower;
        Size = size;
    }

    public int Size { get; }

    /// <summary>log det K = 2 Σ log L_ii.</summary>
    public double LogDeterminant
    {
        get
        {
            var sum = 0.0;
            for (var i = 0; i < Size; i++)
                sum += Math.Log(_lower[i * Size + i]);
            return 2 * sum;
        }
    }

    /// <summary>Factors a symmetric matrix given row-major (only its lower triangle is read).</summary>
    /// <returns>The factor, or null when the matrix is not numerically positive definite.</returns>
    public static CholeskyFactor? TryFactor(double[] matrix, int n)
    {
        var l = new double[n * n];
        for (var i = 0; i < n; i++)
        {
            var rowI = i * n;
            for (var j = 0; j <= i; j++)
            {
                var rowJ = j * n;
                var sum = matrix[rowI + j];
                for (var k = 0; k < j; k++)
                    sum -= l[rowI + k] * l[rowJ + k];
                if (i == j)
                {
                    if (!(sum > 0))
                        return null;
                    l[rowI + i] = Math.Sqrt(sum);
                }
                else
                {
                    l[rowI + j] = sum / l[rowJ + j];
                }
            }
        }
        return new CholeskyFactor(l, n);
    }

    /// <summary>b ← L⁻¹ b.</summary>
    public void ForwardInPlace(Span<double> b)
    {
        for (var i = 0; i < Size; i++)
        {
            var row = i * Size;
            var sum = b[i];
            for (var k = 0; k < i; k++)
                sum -= _lower[row + k] * b[k];
            b[i] = sum / _lower[row + i];
        }
    }

    /// <summary>b ← L⁻ᵀ b.</summary>
    public void BackwardInPlace(Span<double> b)
    {
        for (var i = Size - 1; i >= 0; i--)
        {
            var sum = b[i];
            for (var k = i + 1; k < Size; k++)
                sum -= _lower[k * Size + i] * b[k];
            b[i] = sum / _lower[i * Size + i];
        }
    }

    /// <summary>K⁻¹ b.</summary>
    public double[] Solve(ReadOnlySpan<double> b)
    {
        var x = b.ToArray();
        ForwardInPlace(x);
        BackwardInPlace(x);
        return x;
    }

    /// <summary>K⁻¹, row-major: K⁻¹ = L⁻ᵀ L⁻¹, with L⁻¹ found column by column (each column a forward substitution).</summary>
    public double[] Inverse()
    {
        var n = Size;
        var columns = new double[n * n]; // row j holds column j of L⁻¹ (zero above the diagonal)
        for (var j = 0; j < n; j++)
        {
            var x = columns.AsSpan(j * n, n);
            x[j] = 1.0 / _lower[j * n + j];
            for (var i = j + 1; i < n; i++)
            {
                var row = i * n;
                var sum = 0.0;
                for (var k = j; k < i; k++)
                    sum -= _lower[row + k] * x[k];
                x[i] = sum / _lower[row + i];
            }
        }
        var result = new double[n * n];
        for (var i = 0; i < n; i++)
        {
            var ci = columns.AsSpan(i * n, n);
            for (var j = 0; j <= i; j++)
            {
                // (L⁻ᵀL⁻¹)_ij = Σ_k (L⁻¹)_ki (L⁻¹)_kj, over k ≥ i where both are non-zero.
                var cj = columns.AsSpan(j * n, n);
                var sum = 0.0;
                for (var k = i; k < n; k++)
                    sum += ci[k] * cj[k];
                result[i * n + j] = result[j * n + i] = sum;
            }
        }
        return result;
    }
}
