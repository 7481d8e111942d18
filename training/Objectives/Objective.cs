using System.Globalization;

namespace BeyondNll.Training.Objectives;

/// <summary>The families of per-token objectives f(p), p being the model's probability of the label.</summary>
public enum ObjectiveFamily
{
    /// <summary>-log p: the usual negative log likelihood.</summary>
    Nll,
    /// <summary>(1 - p^k) / k: tends to NLL as k → 0; k &gt; 0 leans on the prior, k &lt; 0 leans away.</summary>
    Power,
    /// <summary>(1 - p) · 1[p ≥ q]: learn only from tokens the model already finds likely.</summary>
    TopP,
    /// <summary>(1 - p) · 1[p ≤ q]: learn only from tokens the model finds unlikely.</summary>
    BottomP,
    /// <summary>-log p · 1[p ≥ q].</summary>
    TopLogP,
    /// <summary>-log p · 1[p ≤ q].</summary>
    BottomLogP,
}

/// <summary>
/// One member of the objective family of "Beyond Log Likelihood" (arXiv 2510.00526): a family and,
/// for all but NLL, its parameter — the exponent k of the power family or the threshold q of a
/// thresholded variant. It has two spellings that round-trip: the CLI spec (<c>power:10</c>,
/// <c>top-p:0.5</c>) and the key of the paper's trainer (<c>GeneralFamily-10</c>, <c>OnlyTopP-0.5</c>).
/// </summary>
/// <remarks>
/// <c>power:0</c> is accepted and means NLL, the limit of (1 - p^k)/k as k → 0; it is printed as
/// <c>nll</c>. Likewise <c>power:1</c> is the paper's <c>p</c> objective, 1 - p.
/// This type holds only the scalar definitions; <see cref="ObjectiveLoss"/> applies them to tensors.
/// </remarks>
public sealed record Objective
{
    public ObjectiveFamily Family { get; }

    /// <summary>k for <see cref="ObjectiveFamily.Power"/>, q for the thresholded families, 0 for NLL.</summary>
    public double Parameter { get; }

    Objective(ObjectiveFamily family, double parameter)
    {
        Family = family;
        Parameter = parameter;
    }

    public static Objective Nll { get; } = new(ObjectiveFamily.Nll, 0);

    /// <summary>(1 - p^k)/k. k = 0 gives <see cref="Nll"/>.</summary>
    public static Objective Power(double k)
    {
        if (!double.IsFinite(k)) throw new ArgumentException($"power:k needs a finite exponent k, got {k}");
        return k == 0 ? Nll : new Objective(ObjectiveFamily.Power, k);
    }

    /// <summary>A thresholded family with its threshold q in [0, 1].</summary>
    public static Objective Thresholded(ObjectiveFamily family, double q)
    {
        if (family is ObjectiveFamily.Nll or ObjectiveFamily.Power)
            throw new ArgumentException($"{family} has no threshold");
        if (!(q >= 0 && q <= 1))
            throw new ArgumentException($"{SpecName(family)}:q needs a threshold q in [0, 1], got {Format(q)}");
        return new Objective(family, q);
    }

    public bool IsThresholded => Family is not (ObjectiveFamily.Nll or ObjectiveFamily.Power);

    /// <summary>
    /// No token of probability p in (0, 1) takes part: top-p and top-logp with q ≥ 1, bottom-p and
    /// bottom-logp with q ≤ 0. Training with it changes nothing but weight decay, so such a winner says
    /// the backbone as it is beat fine-tuning, not that an objective did.
    /// </summary>
    public bool TrainsNothing => Family switch
    {
        ObjectiveFamily.TopP or ObjectiveFamily.TopLogP => Parameter >= 1,
        ObjectiveFamily.BottomP or ObjectiveFamily.BottomLogP => Parameter <= 0,
        _ => false,
    };

    /// <summary>The CLI spelling, e.g. <c>nll</c>, <c>power:10</c>, <c>bottom-logp:0.2</c>.</summary>
    public string Spec => Family == ObjectiveFamily.Nll ? "nll" : $"{SpecName(Family)}:{Format(Parameter)}";

    /// <summary>The paper trainer's spelling, e.g. <c>original</c>, <c>p</c>, <c>GeneralFamily-10</c>, <c>OnlyTopP-0.5</c>.</summary>
    public string PaperKey => Family switch
    {
        ObjectiveFamily.Nll => "original",
        ObjectiveFamily.Power when Parameter == 1 => "p",
        ObjectiveFamily.Power => $"GeneralFamily-{Format(Parameter)}",
        _ => $"{PaperName(Family)}-{Format(Parameter)}",
    };

    public override string ToString() => Spec;

    /// <summary>Parses a CLI spec; a paper key is accepted too, so users can paste either.</summary>
    public static Objective Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var s = text.Trim();
        if (s.Length == 0) throw new FormatException("empty objective spec; try nll, power:10 or top-p:0.5");
        if (s.Equals("nll", StringComparison.OrdinalIgnoreCase)) return Nll;

        var colon = s.IndexOf(':');
        if (colon < 0) return FromPaperKey(s);

        var name = s[..colon].ToLowerInvariant();
        var value = ParseNumber(s[(colon + 1)..], text);
        return name switch
        {
            "power" => Power(value),
            "top-p" => Thresholded(ObjectiveFamily.TopP, value),
            "bottom-p" => Thresholded(ObjectiveFamily.BottomP, value),
            "top-logp" => Thresholded(ObjectiveFamily.TopLogP, value),
            "bottom-logp" => Thresholded(ObjectiveFamily.BottomLogP, value),
            _ => throw new FormatException(
                $"unknown objective '{text}'; known: nll, power:k, top-p:q, bottom-p:q, top-logp:q, bottom-logp:q"),
        };
    }

    /// <summary>Parses a key of the paper's trainer (<c>trainer.objective_trans=...</c>).</summary>
    public static Objective FromPaperKey(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var s = key.Trim();
        if (s is "original" or "logp") return Nll;
        if (s == "p") return Power(1);

        var dash = s.IndexOf('-');
        if (dash > 0)
        {
            var value = ParseNumber(s[(dash + 1)..], key);
            switch (s[..dash])
            {
                case "GeneralFamily": return Power(value);
                case "OnlyTopP": return Thresholded(ObjectiveFamily.TopP, value);
                case "OnlyBottomP": return Thresholded(ObjectiveFamily.BottomP, value);
                case "OnlyTopLogP": return Thresholded(ObjectiveFamily.TopLogP, value);
                case "OnlyBottomLogP": return Thresholded(ObjectiveFamily.BottomLogP, value);
            }
        }
        throw new FormatException(
            $"unknown objective '{key}'; known specs: nll, power:k, top-p:q, bottom-p:q, top-logp:q, bottom-logp:q " +
            "(or paper keys original, p, GeneralFamily-k, OnlyTopP-q, OnlyBottomP-q, OnlyTopLogP-q, OnlyBottomLogP-q)");
    }

    /// <summary>Every family with its spec and paper key patterns, for listings.</summary>
    public static IReadOnlyList<(string Spec, string PaperKey, string Formula)> FamilyTable { get; } =
    [
        ("nll", "original / logp", "-log p"),
        ("power:k (k≠0)", "GeneralFamily-k", "(1 - p^k) / k"),
        ("power:1", "p", "1 - p"),
        ("top-p:q", "OnlyTopP-q", "(1 - p) · 1[p ≥ q]"),
        ("bottom-p:q", "OnlyBottomP-q", "(1 - p) · 1[p ≤ q]"),
        ("top-logp:q", "OnlyTopLogP-q", "-log p · 1[p ≥ q]"),
        ("bottom-logp:q", "OnlyBottomLogP-q", "-log p · 1[p ≤ q]"),
    ];

    /// <summary>Whether a token of probability p takes part (the indicator of the thresholded variants).</summary>
    public bool Includes(double p) => Family switch
    {
        ObjectiveFamily.TopP or ObjectiveFamily.TopLogP => p >= Parameter,
        ObjectiveFamily.BottomP or ObjectiveFamily.BottomLogP => p <= Parameter,
        _ => true,
    };

    /// <summary>f(p) for a single token, in double precision; 0 for a token the indicator leaves out.</summary>
    public double Value(double p)
    {
        if (!Includes(p)) return 0;
        return Family switch
        {
            ObjectiveFamily.Nll or ObjectiveFamily.TopLogP or ObjectiveFamily.BottomLogP => -Math.Log(p),
            // -expm1(k log p)/k: exact near k = 0 and free of cancellation when p^k ≈ 1.
            ObjectiveFamily.Power => -ExpM1(Parameter * Math.Log(p)) / Parameter,
            _ => 1 - p,
        };
    }

    /// <summary>
    /// The magnitude of the gradient of f on the label's logit, |f'(p)| · p · (1 - p): how much a token
    /// of probability p moves the model. (1 - p) for NLL, p^k (1 - p) for power:k. This curve is the
    /// clearest picture of an objective.
    /// </summary>
    public double GradientWeight(double p)
    {
        if (!Includes(p)) return 0;
        return Family switch
        {
            ObjectiveFamily.Nll or ObjectiveFamily.TopLogP or ObjectiveFamily.BottomLogP => 1 - p,
            ObjectiveFamily.Power => Math.Pow(p, Parameter) * (1 - p),
            _ => p * (1 - p),
        };
    }

    static double ExpM1(double x) => Math.Abs(x) < 1e-5 ? x + x * x / 2 + x * x * x / 6 : Math.Exp(x) - 1;

    static double ParseNumber(string s, string whole)
    {
        if (double.TryParse(s.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var v)) return v;
        throw new FormatException($"'{whole}': '{s}' is not a number");
    }

    static string Format(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    static string SpecName(ObjectiveFamily f) => f switch
    {
        ObjectiveFamily.Power => "power",
        ObjectiveFamily.TopP => "top-p",
        ObjectiveFamily.BottomP => "bottom-p",
        ObjectiveFamily.TopLogP => "top-logp",
        ObjectiveFamily.BottomLogP => "bottom-logp",
        _ => "nll",
    };

    static string PaperName(ObjectiveFamily f) => f switch
    {
        ObjectiveFamily.TopP => "OnlyTopP",
        ObjectiveFamily.BottomP => "OnlyBottomP",
        ObjectiveFamily.TopLogP => "OnlyTopLogP",
        _ => "OnlyBottomLogP",
    };
}
