using static TorchSharp.torch;

namespace NeuroNative.Inference;

/// <summary>A prior over the free parameters, in SI units, columns in <see cref="Names"/>' order.</summary>
public interface IPrior
{
    IReadOnlyList<string> Names { get; }
    /// <summary>n draws, [n, D] (float32).</summary>
    Tensor Sample(long n, Generator generator);
    /// <summary>log density of θ [N, D] → [N]; −∞ outside the support.</summary>
    Tensor LogProb(Tensor theta);
}

/// <summary>Independent uniform priors on [Low, High] per parameter (sbi's BoxUniform; brian2modelfitting's bounds).</summary>
public sealed class BoxUniformPrior : IPrior
{
    readonly Tensor low, high;
    readonly double logVolume;

    public BoxUniformPrior(IReadOnlyList<string> names, IReadOnlyList<double> low, IReadOnlyList<double> high)
    {
        if (names.Count == 0) throw new InferenceException("prior: no parameters");
        if (low.Count != names.Count || high.Count != names.Count)
            throw new InferenceException($"prior: {names.Count} names but {low.Count} lower and {high.Count} upper bounds");
        if (names.Distinct().Count() != names.Count) throw new InferenceException("prior: a parameter is named twice");
        for (int i = 0; i < names.Count; i++)
            if (!(low[i] < high[i]) || !double.IsFinite(low[i]) || !double.IsFinite(high[i]))
                throw new InferenceException($"prior: bounds of '{names[i]}' are [{low[i]:G6}, {high[i]:G6}]; expected finite lower < upper");
        (Names, Low, High) = (names.ToArray(), low.ToArray(), high.ToArray());
        this.low = tensor(Low.ToArray(), ScalarType.Float32);
        this.high = tensor(High.ToArray(), ScalarType.Float32);
        logVolume = Low.Zip(High, (l, h) => Math.Log(h - l)).Sum();
    }

    public IReadOnlyList<string> Names { get; }
    public IReadOnlyList<double> Low { get; }
    public IReadOnlyList<double> High { get; }

    public Tensor Sample(long n, Generator generator) =>
        low + (high - low) * rand(new[] { n, (long)Names.Count }, generator: generator);

    public Tensor LogProb(Tensor theta)
    {
        var inside = theta.ge(low).logical_and(theta.le(high)).all(1);
        return where(inside, full(theta.shape[0], -logVolume), full(theta.shape[0], double.NegativeInfinity));
    }
}
